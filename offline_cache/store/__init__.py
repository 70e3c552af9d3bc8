"""The encrypted local cache: vault (keys), SQLCipher file, migrations, records, outbox."""

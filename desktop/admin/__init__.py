"""The Администратор ЛКО's window: staff and roles, categories with their terms (online only; read-only offline)."""

"""Headless commands for admins and tests: ``posdesk sync --once``, ``status``, ``search``, ``audit verify``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

from offline_cache.audit_chain import verify as verify_chain
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.errors import PlatformError
from offline_cache.labels import outbox_state_name, status_name
from offline_cache.profile import (
    ProfileSettings,
    cache_path,
    forget_tokens,
    load_tokens,
    remember,
    remembered,
    save_tokens,
)
from offline_cache.store.cache import Cache
from offline_cache.store.database import STORAGE_ERRORS, CacheError, storage_problem
from offline_cache.store.vault import VaultError, create_key, stored_key
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus
from offline_cache.wipe import WipeRefused, wipe_profile


class _Printer(SyncListener):
    def progress(self, done: int, total: int) -> None:
        print(f"\rЗагружено {done} из {total}", end="", file=sys.stderr, flush=True)

    def quarantined(self, item_id: str | None, error: str) -> None:
        print(f"\nЗапись {item_id or '?'} отложена в карантин: {error}", file=sys.stderr)


def _settings(args: argparse.Namespace) -> ProfileSettings:
    saved = remembered()
    url = args.url or (saved.platform_url if saved else None)
    login = args.login or (saved.login if saved else None)
    if not url or not login:
        raise CommandError("Укажите --url и --login (профиль ещё не запомнен)")
    same = saved is not None and saved.platform_url == url and saved.login == login
    return ProfileSettings(url, login, args.ca_bundle or (saved.ca_bundle if same and saved else None),
                           args.proxy or (saved.proxy if same and saved else None))


class CommandError(Exception):
    """The command cannot run as asked; ``message`` says why and what to do. Exit status 2, like every error
    (1 is kept for «nothing found»)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _open_cache(settings: ProfileSettings, *, create: bool) -> Cache:
    key = stored_key(settings.profile)
    path = cache_path(settings.profile)
    if key is None:
        if path.exists():
            raise CommandError(f"Ключ кэша {path} не найден в хранилище ключей. Файл не тронут; чтобы начать "
                               "заново, переместите его в сторону вручную.")
        if not create:
            raise CommandError("Локального кэша ещё нет: выполните «posdesk sync --once»")
        key = create_key(settings.profile)
    return Cache.open(path, key, create=create)


def cmd_sync(args: argparse.Namespace) -> int:
    settings = _settings(args)
    cache = _open_cache(settings, create=True)
    client = PlatformClient(ClientConfig(settings.platform_url, ca_bundle=settings.ca_bundle, proxy=settings.proxy),
                            tokens=load_tokens(settings.profile),
                            on_tokens=lambda t: save_tokens(settings.profile, t))
    try:
        if client.tokens is None or args.password_stdin or os.environ.get("POSDESK_PASSWORD"):
            password = (sys.stdin.readline().rstrip("\n") if args.password_stdin
                        else os.environ.get("POSDESK_PASSWORD") or getpass.getpass("Пароль: "))
            client.login(settings.login, password)
        remember(settings)
        engine = SyncEngine(cache, client, _Printer())
        report = engine.sync_once()
        print(file=sys.stderr)
        if report.status is not SyncStatus.IDLE:
            print(f"Синхронизация не завершена: {report.error}", file=sys.stderr)
            return 2
        print(f"Получено записей: {report.pulled}; отправлено действий: {report.pushed}; "
              f"ошибок: {report.failed}; конфликтов: {report.conflicts}; в карантине: {report.quarantined}")
        return 0
    finally:
        client.close()
        cache.close()


def cmd_status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    cache = _open_cache(settings, create=False)
    try:
        print(f"Профиль: {settings.login} @ {settings.platform_url}")
        print(f"Кэш: {cache_path(settings.profile)}")
        print(f"Курсор ленты: {cache.cursor}; последняя синхронизация: {cache.state('last_sync_at', 'никогда')}")
        print(f"Записей: {cache.item_count()}")
        for status, n in sorted(cache.counts_by_status().items(), key=lambda pair: status_name(pair[0])):
            print(f"  {status_name(status)}: {n}")
        waiting = [f"{outbox_state_name(k).lower()} {v}" for k, v in cache.outbox_counts().items() if v]
        print("Очередь отправки: " + (", ".join(waiting) or "пуста"))
        return 0
    finally:
        cache.close()


def cmd_search(args: argparse.Namespace) -> int:
    settings = _settings(args)
    cache = _open_cache(settings, create=False)
    try:
        hits = cache.search(" ".join(args.text), limit=args.limit)
        for hit in hits:
            print(f"{hit['number']}\t{status_name(hit['status'])}\t{hit['subject']}\t{hit['address']}")
        print(f"Найдено: {len(hits)}", file=sys.stderr)
        return 0 if hits else 1
    finally:
        cache.close()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Whether the local audit log's hash chain is intact: 0 intact, 1 broken (a finding, not an error)."""
    settings = _settings(args)
    cache = _open_cache(settings, create=False)
    try:
        check = verify_chain(cache.db)
        print(check.message, file=sys.stdout if check.intact else sys.stderr)
        return 0 if check.intact else 1
    finally:
        cache.close()


def cmd_logout(args: argparse.Namespace) -> int:
    """Forget the platform tokens; with --wipe also the cache, its key and the remembered profile."""
    settings = _settings(args)
    if not args.wipe:
        forget_tokens(settings.profile)
        print("Выход выполнен: токены платформы удалены из хранилища ключей, локальный кэш сохранён.")
        return 0
    try:
        done = wipe_profile(settings, stored_key(settings.profile), discard_undelivered=args.discard_undelivered)
    except WipeRefused as exc:
        print(exc.message + f"\nОтказаться от них и удалить: posdesk logout --wipe --discard-undelivered "
              f"{len(exc.entries)}", file=sys.stderr)
        return 2
    given_up = f"; неотправленных действий, от которых вы отказались: {done.discarded}" if done.discarded else ""
    print(f"Локальные данные удалены: файлов кэша {len(done.files)}, ключ кэша и токены{given_up}.")
    return 0


def _profile_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument("--url", default=default, help="адрес платформы")
    parser.add_argument("--login", default=default, help="логин")
    parser.add_argument("--ca-bundle", default=default, help="дополнительный корневой сертификат (PEM)")
    parser.add_argument("--proxy", default=default, help="прокси-сервер")


def build_parser() -> argparse.ArgumentParser:
    """``posdesk`` with its headless commands; the profile options go before or after the command."""
    parser = argparse.ArgumentParser(prog="posdesk", description="POS Desk: команды без окна")
    _profile_options(parser, default=None)
    # The same options after the command (as the README writes them): SUPPRESS keeps a value given
    # before the command from being overwritten by the subcommand's default.
    common = argparse.ArgumentParser(add_help=False)
    _profile_options(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, title="команды",
                                metavar="{sync,status,search,logout,audit}")
    sync = sub.add_parser("sync", parents=[common], help="синхронизировать локальный кэш с платформой")
    sync.add_argument("--once", action="store_true", required=True, help="один проход и выход")
    sync.add_argument("--password-stdin", action="store_true", help="прочитать пароль из стандартного ввода")
    sync.set_defaults(func=cmd_sync)
    status = sub.add_parser("status", parents=[common], help="состояние кэша и очереди отправки")
    status.set_defaults(func=cmd_status)
    search = sub.add_parser("search", parents=[common], help="полнотекстовый поиск по кэшу")
    search.add_argument("text", nargs="+")
    search.add_argument("--limit", type=int, default=50)
    search.set_defaults(func=cmd_search)
    logout = sub.add_parser("logout", parents=[common], help="выйти; с --wipe — удалить локальные данные профиля")
    logout.add_argument("--wipe", action="store_true", help="удалить кэш, его ключ и токены (не при неотправленных)")
    logout.add_argument("--discard-undelivered", type=int, metavar="N",
                        help="явно отказаться от N неотправленных действий (их список покажет --wipe)")
    logout.set_defaults(func=cmd_logout)
    audit = sub.add_parser("audit", parents=[common], help="журнал аудита: проверка цепочки хэшей")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="{verify}")
    verify = audit_sub.add_parser("verify", parents=[common],
                                  help="не изменён ли журнал в обход программы (0 — цел, 1 — нарушен)")
    verify.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (VaultError, CacheError, PlatformError, CommandError) as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except STORAGE_ERRORS as exc:  # the cache could not be read or written (a full disk, a damaged file)
        print(storage_problem(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

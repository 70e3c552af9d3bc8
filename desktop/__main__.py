"""Entry point ``posdesk``: the workstation window, or headless commands (sync, status, search)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from offline_cache.logsafe import install_crash_reports

STARTED = time.monotonic()  # before Qt and the rest are imported: the smoke test reports start time from here

HEADLESS_COMMANDS = ("sync", "status", "search", "logout", "audit")
#: Options followed by a value: the value is never taken for a command («--login sync»).
_VALUE_OPTIONS = frozenset({"--url", "--login", "--ca-bundle", "--proxy", "--port"})


def command_of(args: Sequence[str]) -> str | None:
    """The first word of ``args`` that is neither an option nor an option's value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _commands_help() -> str:
    from offline_cache.cli import build_parser  # no Qt for the headless side

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    lines = [f"  {choice.dest:<8}{choice.help}" for choice in sub._choices_actions]
    return ("команды без окна (posdesk <команда> --help — подробнее):\n" + "\n".join(lines) +
            "\n\nпример: posdesk sync --once --url https://pos.example --login ivanov")


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    install_crash_reports()  # a crash report names the failure and where, never a citizen's text
    if command_of(args_in) in HEADLESS_COMMANDS:
        from offline_cache.cli import main as cli_main  # no Qt for headless commands

        return cli_main(args_in)
    parser = argparse.ArgumentParser(prog="posdesk", description="POS Desk — рабочее место по сообщениям ПОС",
                                     usage="posdesk [-h] [--training] [--port PORT]\n"
                                           "       posdesk {sync,status,search,logout,audit} [параметры команды]",
                                     epilog=_commands_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--training", action="store_true",
                        help="учебный режим на демо-данных (по умолчанию, пока платформа не настроена)")
    parser.add_argument("--port", type=int, default=0, help="порт учебной платформы (0 — любой свободный)")
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # the installer's smoke test
    args = parser.parse_args(args_in)
    if args.smoke:
        from desktop.smoke import smoke

        return smoke([sys.argv[0]], STARTED)

    from desktop.app import run

    return run([sys.argv[0], *args_in], training=args.training, port=args.port)


if __name__ == "__main__":
    sys.exit(main())

"""Entry point ``posdesk``: the workstation window, or headless commands (sync, status, search)."""

from __future__ import annotations

import argparse
import sys

from offline_cache.logsafe import install_crash_reports

HEADLESS_COMMANDS = ("sync", "status", "search")


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    install_crash_reports()  # a crash report names the failure and where, never a citizen's text
    if any(a in HEADLESS_COMMANDS for a in args_in):
        from offline_cache.cli import main as cli_main  # no Qt for headless commands

        return cli_main(args_in)
    parser = argparse.ArgumentParser(prog="posdesk", description="POS Desk — рабочее место по сообщениям ПОС")
    parser.add_argument("--training", action="store_true",
                        help="учебный режим на демо-данных (по умолчанию, пока платформа не настроена)")
    parser.add_argument("--port", type=int, default=0, help="порт учебной платформы (0 — любой свободный)")
    args = parser.parse_args(args_in)

    from desktop.app import run

    return run([sys.argv[0], *args_in], training=args.training, port=args.port)


if __name__ == "__main__":
    sys.exit(main())

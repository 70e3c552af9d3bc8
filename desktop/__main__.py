"""Entry point ``posdesk``: the workstation; in training mode it starts the training platform in-process.

The window itself arrives with the workstation-window issue; until then ``posdesk`` runs the
training mode headless: the training platform with demo data on a loopback port, and the demo
users (one per role) to log in with.
"""

from __future__ import annotations

import argparse
import sys
import threading

HEADLESS_COMMANDS = ("sync", "status", "search")


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if any(a in HEADLESS_COMMANDS for a in args_in):
        from offline_cache.cli import main as cli_main  # no Qt for headless commands

        return cli_main(args_in)
    parser = argparse.ArgumentParser(prog="posdesk", description="POS Desk — рабочее место по сообщениям ПОС")
    parser.add_argument("--training", action="store_true", help="учебный режим на демо-данных (по умолчанию)")
    parser.add_argument("--port", type=int, default=0, help="порт учебной платформы (0 — любой свободный)")
    args = parser.parse_args(args_in)

    from training_platform.server import TrainingServer, build_platform

    server = TrainingServer(build_platform("demo"), port=args.port)
    url = server.start()
    print(f"Учебный режим: демо-данные, учебная платформа {url} (контракт: {url}/openapi.json)")
    print("Демо-пользователи (пароль у всех указан справа):")
    for user in server.platform.demo_users():
        roles = ", ".join(r.value for r in user.roles)
        print(f"  {user.login:<16} {user.password:<6} {user.full_name} — {roles}; {user.org_name}")
    print("Окно рабочего места появится в следующей версии. Ctrl+C — выход.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

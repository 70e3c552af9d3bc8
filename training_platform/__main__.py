"""Command line of the training platform: ``posdesk-platform --port N --seed demo``."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from training_platform.app import create_app
from training_platform.faults import FaultInjector
from training_platform.server import build_platform
from training_platform.service import PlatformConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="posdesk-platform",
                                     description="Учебная платформа ПОС: реализация API v1 на демо-данных.")
    parser.add_argument("--host", default="127.0.0.1", help="адрес (по умолчанию только локальный)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", choices=["demo", "none"], default="demo", help="начальные данные")
    parser.add_argument("--items", type=int, default=320, help="сколько демо-сообщений создать")
    parser.add_argument("--db", default=":memory:", help="файл SQLite (по умолчанию в памяти)")
    parser.add_argument("--access-ttl", type=float, default=900, help="срок токена доступа, с")
    parser.add_argument("--no-training-controls", action="store_true",
                        help="отключить /training (внедрение сообщений, оценки, часы, сбои)")
    args = parser.parse_args(argv)
    config = PlatformConfig(access_ttl=args.access_ttl, training_controls=not args.no_training_controls)
    platform = build_platform(args.seed, db_path=args.db, config=config, items=args.items)
    print(f"Учебная платформа: http://{args.host}:{args.port}  (контракт: /openapi.json)", file=sys.stderr)
    uvicorn.run(create_app(platform, FaultInjector()), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

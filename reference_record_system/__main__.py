"""``python -m reference_record_system serve|seed``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from werkzeug.serving import run_simple

from reference_record_system.app import create_app
from reference_record_system.seed import seed_if_empty
from reference_record_system.store import RecordStore


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reference_record_system")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="seed the database if empty and serve it")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8081)
    serve.add_argument("--db", required=True, help="SQLite database file")
    serve.add_argument("--host-url", help="the plugin host's base URL")
    serve.add_argument("--private-key", type=Path, help="PEM file that signs launch tokens")
    serve.add_argument("--issuer", default="reference-record-system")
    serve.add_argument("--audience", help="launch token audience (default: --host-url)")
    serve.add_argument("--org-unit", default="lastensuojelu-1")
    serve.add_argument(
        "--kanta-trusted-certs",
        type=Path,
        help="PEM file of the certificates the Kanta archive simulator trusts for signatures",
    )
    serve.add_argument(
        "--kanta-no-content-validation",
        action="store_true",
        help="the Kanta archive simulator skips adapters.kanta.validation",
    )
    seed = commands.add_parser("seed", help="seed the database if it is empty")
    seed.add_argument("--db", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    seeded = seed_if_empty(RecordStore(args.db))
    if args.command == "seed":
        print("seeded" if seeded else "already has data; left as is")
        return 0
    app = create_app(
        {
            "DATABASE": args.db,
            "HOST_URL": args.host_url,
            "LAUNCH_PRIVATE_KEY": args.private_key.read_text() if args.private_key else None,
            "LAUNCH_ISSUER": args.issuer,
            "LAUNCH_AUDIENCE": args.audience or args.host_url,
            "ORG_UNIT": args.org_unit,
            "KANTA_TRUSTED_CERTS": (
                args.kanta_trusted_certs.read_text() if args.kanta_trusted_certs else None
            ),
            "KANTA_CONTENT_VALIDATION": not args.kanta_no_content_validation,
        }
    )
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

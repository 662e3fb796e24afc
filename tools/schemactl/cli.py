"""The command line: a thin shell that turns stage results into output and exit codes.

Each command's parser and handler live in its own module of `schemactl.commands`.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TextIO

from schemactl import __version__
from schemactl.commands import Handler, command_modules
from schemactl.conninfo import mask
from schemactl.errors import SchemactlError

__all__ = ["main", "parse_args", "run"]

EPILOG = """exit codes: 0 no differences / success, 1 differences (drift, pending changes,
findings), 2 usage, input or connection error, 3 refused (destructive change without
--allow-destructive, checksum mismatch, reset without --yes).

Target connection: --target, else DATABASE_URL, else DB_HOST DB_PORT DB_NAME DB_USER
DB_PASSWORD. Dev server (where SQL files are built): --dev-url, else SCHEMACTL_DEV_URL,
else an embedded PostgreSQL started by the tool (`schemactl dev-server stop` ends it)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schemactl",
        description="Declarative PostgreSQL schema-as-code: validate, diff, drift, apply, migrate.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"schemactl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules():
        module.register(commands)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse a command line; argparse exits 2 on a usage error."""
    return _parser().parse_args(argv)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one parsed command; every expected failure becomes a message and an exit code."""
    handler: Handler = args.handler
    try:
        return handler(args, out, err)
    except SchemactlError as exc:
        print(f"schemactl: error: {mask(str(exc))}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("schemactl: interrupted; scratch databases were dropped", file=err)
        return 130


def _terminate(signum: int, frame: object) -> None:
    # Turn SIGTERM into the same unwinding as Ctrl-C, so scratch databases are dropped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `schemactl` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    args = parse_args(argv)
    sys.exit(run(args, sys.stdout, sys.stderr))

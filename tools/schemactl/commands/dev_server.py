"""`schemactl dev-server`: show or stop the embedded dev server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_dev_url, add_output
from schemactl.errors import EXIT_OK
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `dev-server url|stop`."""
    parser = commands.add_parser("dev-server", help="show or stop the embedded dev server")
    parser.add_argument("action", choices=("url", "stop"))
    parser.add_argument("--major", type=int,
                        help="the PostgreSQL major version wanted (default: [tool.schemactl] postgres-major, "
                             "else any installed)")
    parser.add_argument("--clean", action="store_true",
                        help="with stop: also drop the cached desired-state templates and their on-disk cache")
    add_dev_url(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the dev server's URL (starting it if needed), or stop the embedded one."""
    from schemactl.devserver import get_dev_server, stop_embedded  # noqa: PLC0415

    if args.action == "stop":
        if args.clean:
            from schemactl.desired import clean  # noqa: PLC0415

            for name in clean(dev_url=args.dev_url):
                print(f"dropped {name}", file=out)
        stopped = stop_embedded()
        print("\n".join(f"stopped {d}" for d in stopped) or "no embedded server running", file=out)
        return EXIT_OK
    from schemactl.project import configured_major  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    prefer = configured_major(Path.cwd()) if args.major is None else None
    server = get_dev_server(dev_url=args.dev_url, want_major=args.major, prefer_major=prefer, progress=report)
    if server.note:
        report.warn(server.note)
    print(server.url, file=out)
    return EXIT_OK

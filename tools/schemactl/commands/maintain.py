"""`schemactl maintain`: run the schema's maintenance functions on the target."""

from __future__ import annotations

import argparse
from typing import TextIO

from schemactl.commands import add_output
from schemactl.errors import EXIT_OK
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `maintain` and its options."""
    parser = commands.add_parser(
        "maintain", help="delete old minting-queue entries and archive old audit logs",
        description="Run the schema's maintenance functions on the target: cleanup_minting_queue "
        "(completed entries older than --retention) and archive_audit_logs (audit rows older than "
        "--audit-retention, moved into blockchain_audit_logs_archive). Each batch commits on its "
        "own and skips rows locked by the application. Prints the row counts.")
    parser.add_argument("--target", metavar="URL")
    parser.add_argument("--retention", metavar="INTERVAL",
                        help="keep completed minting-queue entries this long (default '7 days')")
    parser.add_argument("--audit-retention", metavar="INTERVAL",
                        help="keep audit logs in the live table this long (default '90 days')")
    parser.add_argument("--batch-size", type=int, default=10_000, metavar="N",
                        help="rows per batch, each its own transaction (default 10000)")
    parser.add_argument("--max-batches", type=int, metavar="N",
                        help="stop each task after N batches (default: until done)")
    parser.add_argument("--analyze", action="store_true", help="VACUUM (ANALYZE) the maintained tables afterwards")
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the maintenance tasks and print what each did."""
    from schemactl.conninfo import resolve_target  # noqa: PLC0415
    from schemactl.operations import maintain  # noqa: PLC0415

    target = resolve_target(args.target)
    results = maintain(target, retention=args.retention, audit_retention=args.audit_retention,
                       batch_size=args.batch_size, max_batches=args.max_batches, analyze=args.analyze,
                       progress=Reporter(err, args.quiet))
    for result in results:
        print(result.describe(), file=out)
    return EXIT_OK

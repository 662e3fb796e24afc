"""`schemactl drift`: compare a live database (or a fleet of them, --targets) with schema/ by both checks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_dev_url, add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, InputError
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `drift` and its options."""
    parser = commands.add_parser("drift", help="compare a live database with schema/",
                                 description="Exit 0 when the target matches schema/ by both checks (migra "
                                 "with the tool's extras, and normalized pg_dump); else exit 1 with a report "
                                 "of each drifted object and the SQL that fixes it.")
    parser.add_argument("--target", metavar="URL")
    parser.add_argument("--targets", metavar="FILE",
                        help="check many targets: one `name=URL` or URL a line, # comments, - for stdin; "
                        "exit 1 if any drifted, 2 if any could not be checked")
    parser.add_argument("--jobs", type=_positive, metavar="N", help="targets checked at once (default 4)")
    parser.add_argument("--shard", metavar="I/N", help="check only every N-th target, starting with the I-th")
    parser.add_argument("--schema-dir", default="schema", metavar="DIR")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    add_dev_url(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the drift report; exit 1 on drift."""
    from schemactl.conninfo import resolve_target  # noqa: PLC0415
    from schemactl.drift import check_drift, render_drift  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    if args.targets:
        return _fleet_drift(args, out, report)
    if args.jobs is not None or args.shard:
        raise InputError("--jobs and --shard go with --targets FILE")
    target = resolve_target(args.target)
    result = check_drift(target, Path(args.schema_dir), dev_url=args.dev_url, progress=report)
    out.write(render_drift(result, args.format))
    return EXIT_OK if result.zero else EXIT_DIFFERENCES


def _fleet_drift(args: argparse.Namespace, out: TextIO, report: Reporter) -> int:
    from schemactl import fleet  # noqa: PLC0415

    if args.target:
        raise InputError("--target and --targets exclude each other")
    targets = fleet.read_targets(args.targets)
    total = len(targets)
    shard = fleet.parse_shard(args.shard) if args.shard else None
    if shard:
        targets = fleet.shard_of(targets, *shard)
        report(f"shard {shard[0]}/{shard[1]}: {len(targets)} of {total} targets")
    results = fleet.check_fleet(targets, Path(args.schema_dir), dev_url=args.dev_url,
                                jobs=args.jobs or 4, progress=report)
    document = fleet.fleet_document(results, total=total, shard=shard)
    out.write(fleet.render_fleet(document, args.format))
    return fleet.fleet_exit_code(results)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {text!r}")
    return int(text)

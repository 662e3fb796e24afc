"""`schemactl drift-merge`: merge the JSON results of sharded fleet drift runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_output
from schemactl.errors import InputError

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `drift-merge` and its options."""
    parser = commands.add_parser("drift-merge", help="merge the JSON results of sharded fleet drift runs",
                                 description="Read the JSON documents of `drift --targets FILE --shard I/N "
                                 "--format json` (every shard exactly once) and print them as one, with the "
                                 "fleet's exit code.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the merged document; exit with the fleet's exit code."""
    from schemactl import fleet  # noqa: PLC0415

    documents = []
    for path in args.files:
        try:
            documents.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a fleet drift JSON document: {exc}") from None
    merged = fleet.merge_documents(documents)
    out.write(fleet.render_fleet(merged, args.format))
    return int(merged["summary"]["exit_code"])

"""`schemactl settings`: compare the target server's settings with the recommended tuning."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `settings` and its options."""
    parser = commands.add_parser(
        "settings", help="compare the server's settings with the recommended tuning",
        description="Compare pg_settings of the target with a TOML file of recommended values "
        "(default: the packaged config/recommended_settings.toml, the description's tuning list), "
        "in base units. Exit 0 when all match; else exit 1 with each differing setting, its "
        "actual value, whether it needs a restart, and the ALTER SYSTEM statement that fixes it.")
    parser.add_argument("--target", metavar="URL")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--config", metavar="FILE", help="TOML file with a [settings] table")
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the settings report; exit 1 when a setting differs."""
    from schemactl.conninfo import resolve_target  # noqa: PLC0415
    from schemactl.settings import check_settings, load_recommendations, render_settings  # noqa: PLC0415

    target = resolve_target(args.target)
    label, recommendations = load_recommendations(Path(args.config) if args.config else None)
    report = check_settings(target, recommendations, label=label)
    out.write(render_settings(report, args.format))
    return EXIT_OK if report.matches else EXIT_DIFFERENCES

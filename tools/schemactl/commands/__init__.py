"""The commands: one module each, holding its argparse parser (`register`) and its handler (`run`).

Stage modules hold no argparse and never print; a command module reads the arguments, calls
the stages, and turns their results into output and an exit code. Stage imports stay inside
the handlers so `schemactl --help` and start-up import nothing heavy.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import ModuleType
from typing import TextIO

__all__ = ["COMMANDS", "Handler", "add_dev_url", "add_output", "command_modules"]

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

# In the order `schemactl --help` lists them.
COMMANDS = ("validate", "diff", "drift", "drift_merge", "apply", "migrate", "lint", "generate", "settings", "maintain",
            "dev_server")


def command_modules() -> list[ModuleType]:
    """The command modules, imported (each is small: stage imports happen in its handler)."""
    import importlib  # noqa: PLC0415

    return [importlib.import_module(f"schemactl.commands.{name}") for name in COMMANDS]


def add_dev_url(parser: argparse.ArgumentParser) -> None:
    """--dev-url: the server scratch databases are built on."""
    parser.add_argument("--dev-url", metavar="URL",
                        help="server for scratch databases (default: SCHEMACTL_DEV_URL, else embedded)")


def add_output(parser: argparse.ArgumentParser) -> None:
    """-q: no progress lines on stderr; --debug: a traceback with an internal error."""
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    # SUPPRESS: `schemactl --debug diff ...` set before the command name must survive the subparser.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="print the traceback of an internal error")

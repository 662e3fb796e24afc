"""Progress lines on stderr, shared by every command."""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Reporter"]


class Reporter:
    """Progress lines on stderr, with elapsed time and passwords masked; silent with --quiet."""

    def __init__(self, err: TextIO, quiet: bool) -> None:
        self.err = err
        self.quiet = quiet
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            # Imported here: psycopg (behind mask) is not needed to parse a command line.
            from schemactl.conninfo import mask  # noqa: PLC0415

            print(f"[{time.monotonic() - self.start:5.1f}s] {mask(message)}", file=self.err, flush=True)

"""Progress lines on stderr, shared by every command."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Reporter", "warn"]


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

    def warn(self, message: str) -> None:
        """A line that changes what the output means: printed with --quiet too."""
        from schemactl.conninfo import mask  # noqa: PLC0415

        print(f"warning: {mask(message)}", file=self.err, flush=True)


def warn(progress: Callable[[str], None], message: str) -> None:
    """Warn through a Reporter (shown even when quiet), else through any progress callable."""
    (getattr(progress, "warn", None) or progress)(message)

"""schemactl: declarative PostgreSQL schema-as-code with drift detection."""

import sys as _sys

__version__ = "0.1.0"

# Run as the `schemactl` console script, the package is the first of the tool's code to execute:
# a Ctrl-C from here until cli.main() takes over is noted, not raised mid-import (which would
# print Python's traceback), and cli.main() then exits 130 with one line. Imported as a
# library, nothing changes.
if _sys.argv and _sys.argv[0].rsplit("/", 1)[-1] == "schemactl":
    import _signal

    early_interrupts: list[int] = []
    if _signal.getsignal(_signal.SIGINT) != _signal.SIG_IGN:
        _signal.signal(_signal.SIGINT, lambda signum, frame: early_interrupts.append(signum))

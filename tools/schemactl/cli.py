"""The command line: a thin shell that turns stage results into output and exit codes.

Each command's parser and handler live in its own module of `schemactl.commands`. No traceback
reaches the user: an expected error is one line and its exit code, Ctrl-C is exit 130 and one
line, and an unexpected exception is exit 2 and one line naming the stage (the traceback only
with --debug). Nothing heavier than built-in modules is imported before the handlers are in place.
"""

from __future__ import annotations

# Nothing but modules built into the interpreter at module level: a Ctrl-C that arrives before
# main() installs its handler would print Python's own traceback. `_signal` is the C module
# behind `signal` (which imports enum, re, ...): the handler is in place within microseconds.
import _signal
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from types import FrameType, TracebackType
    from typing import TextIO

__all__ = ["main", "parse_args", "run", "internal_error"]

EPILOG = """exit codes: 0 no differences / success, 1 differences (drift, pending changes,
findings), 2 usage, input or connection error (an internal error too: one line naming the
stage; --debug prints the traceback), 3 refused (destructive change without
--allow-destructive, checksum mismatch, reset without --yes), 130 interrupted.

Target connection: --target, else DATABASE_URL, else DB_HOST DB_PORT DB_NAME DB_USER
DB_PASSWORD. Dev server (where SQL files are built): --dev-url, else SCHEMACTL_DEV_URL,
else an embedded PostgreSQL started by the tool (`schemactl dev-server stop` ends it)."""

EXIT_INTERRUPTED = 130

# The pipeline stage each module of the package belongs to (DESIGN.md's stage names).
_STAGES = {
    "load": "load", "objects": "load", "validate": "validate", "order": "order", "build": "build",
    "desired": "build", "devserver": "dev server", "diff": "diff", "catalog": "diff", "roles": "diff",
    "plan": "plan", "render": "render", "apply": "apply", "migrations": "migrate",
    "lint": "lint", "generate": "generate", "drift": "drift", "fleet": "drift", "operations": "maintain",
    "settings": "settings", "conninfo": "connect",
}
# engine.py orchestrates several stages; its functions say which.
_ENGINE_STAGES = {
    "make_plan": "plan", "zero_drift": "verify", "dump_schema": "verify", "normalized_dump": "verify",
    "apply_changes": "apply", "read_database": "diff", "open": "build", "source": "load", "copy_of": "build",
    "clone": "build", "scratch": "build", "dev": "dev server",
}
_LIBRARIES = ("migra", "schemainspect", "sqlbag", "sqlalchemy", "psycopg", "psycopg2", "pglast", "sqlfluff")


def _parser() -> argparse.ArgumentParser:
    import argparse  # noqa: PLC0415

    from schemactl import __version__  # noqa: PLC0415
    from schemactl.commands import command_modules  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="schemactl",
        description="Declarative PostgreSQL schema-as-code: validate, diff, drift, apply, migrate.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"schemactl {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules():
        module.register(commands)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse a command line; argparse exits 2 on a usage error."""
    return _parser().parse_args(argv)


def _frames(tb: TracebackType | None) -> list[FrameType]:
    frames: list[FrameType] = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _stage(frames: list[FrameType]) -> str:
    """The stage of the innermost frame in the package (the command's name when only the CLI ran)."""
    for frame in reversed(frames):
        module = str(frame.f_globals.get("__name__", ""))
        parts = module.split(".")
        if parts[0] != "schemactl" or len(parts) < 2:
            continue
        if parts[1] == "engine":
            return _ENGINE_STAGES.get(frame.f_code.co_name, "plan")
        if parts[1] == "commands" and len(parts) > 2:
            return parts[2].replace("_", "-")
        if parts[1] in _STAGES:
            return _STAGES[parts[1]]
    return "cli"


def _library(frames: list[FrameType]) -> str | None:
    """The third-party package the error was raised in, when it is one the tool builds on."""
    if not frames:
        return None
    top = str(frames[-1].f_globals.get("__name__", "")).split(".")[0]
    return top if top in _LIBRARIES else None


def _object(frames: list[FrameType]) -> str | None:
    """The database object or schema statement being handled, read off the innermost frames' locals."""
    for frame in reversed(frames):
        for value in list(frame.f_locals.values()):
            owner = type(value).__module__.split(".")[0]
            if owner not in ("schemainspect", "schemactl"):
                continue
            name = getattr(value, "quoted_full_name", None)
            if isinstance(name, str):
                return name
            if owner == "schemactl":
                where = getattr(value, "where", None)
                if isinstance(where, str) and hasattr(value, "sql"):
                    return where
                changed = getattr(value, "object", None)
                if isinstance(changed, str) and hasattr(value, "action"):
                    return changed
    return None


def internal_error(exc: BaseException) -> str:
    """One line for an unexpected exception: the stage, the library and object where known, the error."""
    frames = _frames(exc.__traceback__)
    where = f"the {_stage(frames)} stage"
    library = _library(frames)
    if library:
        where += f" ({library})"
    found = _object(frames)
    if found:
        where += f" at {found}"
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    notes = " ".join(" ".join(str(n).split()) for n in getattr(exc, "__notes__", ()))
    if notes:
        text += f" ({notes})"
    if len(text) > 400:
        text = text[:397] + "..."
    return f"internal error in {where}: {text}; this is a bug: re-run with --debug for the traceback"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one parsed command; every failure becomes one line on err and an exit code."""
    import traceback  # noqa: PLC0415

    from schemactl.conninfo import mask  # noqa: PLC0415
    from schemactl.errors import EXIT_ERROR, SchemactlError  # noqa: PLC0415

    debug = bool(getattr(args, "debug", False))
    if not debug:
        _quiet_libraries()
    try:
        try:
            return args.handler(args, out, err)
        finally:
            _drop_leftovers(err)
    except KeyboardInterrupt:
        print("schemactl: interrupted", file=err)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the edge of the program: nothing unexpected escapes as a traceback
        if debug:
            traceback.print_exception(exc, file=err)
        if _SIGNALLED or _after_interrupt(exc):
            # The interrupt came first; what failed after it (a driver unwinding a transaction the
            # interrupt cut short, say) is its consequence, not the answer.
            print("schemactl: interrupted", file=err)
            return EXIT_INTERRUPTED
        if isinstance(exc, SchemactlError):
            print(f"schemactl: error: {mask(str(exc))}", file=err)
            return exc.exit_code
        print(f"schemactl: error: {mask(internal_error(exc))}", file=err)
        return EXIT_ERROR


# Libraries that log what they then raise: SQLAlchemy (under migra) an exception met while
# resetting a pooled connection, traceback included; psycopg a Ctrl-C that cut short its query
# cancellation. The one line run() prints says it; --debug shows their logs too.
_LIBRARY_LOGGERS = ("sqlalchemy", "psycopg")


def _quiet_libraries() -> None:
    import logging  # noqa: PLC0415

    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in library.handlers):
            library.addHandler(logging.NullHandler())
        library.propagate = False


# Set when SIGINT or SIGTERM arrived: whatever the run ends with afterwards, it was interrupted.
_SIGNALLED = False


def _after_interrupt(exc: BaseException) -> bool:
    """Whether exc was raised while a KeyboardInterrupt was being handled (its context chain)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _interrupt(signum: int, frame: object) -> None:
    # The first Ctrl-C (or SIGTERM) unwinds; later ones are ignored so the unwinding, which
    # drops the scratch databases, is not cut short.
    global _SIGNALLED  # noqa: PLW0603
    _SIGNALLED = True
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
    raise KeyboardInterrupt


def _drop_leftovers(err: TextIO) -> None:
    """Drop scratch databases that an interrupted or failed run still owns (e.g. a worker thread's)."""
    devserver = sys.modules.get("schemactl.devserver")
    if devserver is None:
        return
    for failure in devserver.drop_owned():
        print(f"schemactl: could not drop scratch database {failure}", file=err)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `schemactl` console script."""
    for signum in (_signal.SIGINT, _signal.SIGTERM):
        # A signal ignored by whoever started us (nohup, a background job) stays ignored.
        if _signal.getsignal(signum) != _signal.SIG_IGN:
            _signal.signal(signum, _interrupt)
    code = EXIT_INTERRUPTED
    try:
        if getattr(sys.modules["schemactl"], "early_interrupts", None):
            raise KeyboardInterrupt  # arrived while the console script imported the tool
        args = parse_args(argv)
        code = run(args, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        # Interrupted before the command ran: while importing or parsing.
        print("schemactl: interrupted", file=sys.stderr)
    finally:
        _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
        _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
        _drop_leftovers(sys.stderr)
    sys.exit(code)

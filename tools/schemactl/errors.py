"""The package's exception hierarchy; the CLI maps each class to an exit code."""

from __future__ import annotations

__all__ = [
    "SchemactlError",
    "InputError",
    "ConnectionFailed",
    "BuildError",
    "Refused",
    "VerificationFailed",
    "EXIT_OK",
    "EXIT_DIFFERENCES",
    "EXIT_ERROR",
    "EXIT_REFUSED",
]

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_ERROR = 2
EXIT_REFUSED = 3


class SchemactlError(Exception):
    """Root of every error the tool raises on purpose."""

    exit_code = EXIT_ERROR


class InputError(SchemactlError):
    """Bad input: a missing file, an unparsable statement, a malformed URL."""


class ConnectionFailed(SchemactlError):
    """A database could not be reached or refused the login."""


class BuildError(SchemactlError):
    """The server rejected a statement of the desired schema; names file:line."""

    def __init__(self, message: str, *, path: str = "", line: int = 0, col: int = 0) -> None:
        self.path = path
        self.line = line
        self.col = col
        where = f"{path}:{line}:{col}: " if path else ""
        super().__init__(f"{where}{message}")


class Refused(SchemactlError):
    """A request the tool will not carry out without an explicit override."""

    exit_code = EXIT_REFUSED


class VerificationFailed(SchemactlError):
    """A generated plan did not reach zero drift when rehearsed; nothing is printed."""

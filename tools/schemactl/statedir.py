"""The tool's state directories and the files read back from them: the running user's alone, as ssh insists for ~/.ssh.

A directory another user can write lets that user plant what the tool reads back (a cache, a
marker that skips the gate) or swap it between a check and a use. A state directory must be
owned by the running user and writable by nobody else; so must every parent up to a root-owned
sticky directory (/tmp, /var/tmp) or the user's home, a parent owned by root being trusted too.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

from schemactl.errors import InputError

__all__ = ["UnsafeState", "check_dir", "ensure_dir", "read_state_file"]

_OTHERS_WRITE = 0o022


class UnsafeState(InputError):
    """A state directory or file another user could have written: refused, never read."""


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _refusal(path: Path, info: os.stat_result, problem: str, fix: str) -> UnsafeState:
    mode = stat.S_IMODE(info.st_mode)
    return UnsafeState(f"unsafe state path {path}: {problem} (owner {_owner(info.st_uid)}, mode {mode:04o}); {fix}")


def _homes() -> set[Path]:
    homes = set()
    for home in (os.environ.get("HOME"), _pw_home()):
        if home:
            homes.add(Path(os.path.abspath(home)))
            homes.add(Path(os.path.realpath(home)))
    return homes


def _pw_home() -> str | None:
    try:
        return pwd.getpwuid(os.geteuid()).pw_dir
    except KeyError:
        return None


def _check_chain(path: Path) -> None:
    euid = os.geteuid()
    homes = _homes()
    for depth, current in enumerate((path, *path.parents)):
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            # Where it points is checked on the resolved path; who may replace it, here.
            if info.st_uid not in (euid, 0):
                raise _refusal(current, info, f"a symbolic link owned by {_owner(info.st_uid)}",
                               f"remove it, or set SCHEMACTL_HOME to a directory of {_owner(euid)}'s own")
            continue
        if depth > 0 and (current in homes or (info.st_uid == 0 and info.st_mode & stat.S_ISVTX)):
            return
        if not stat.S_ISDIR(info.st_mode):
            raise _refusal(current, info, "not a directory", "remove it or set SCHEMACTL_HOME elsewhere")
        trusted = (euid,) if depth == 0 else (euid, 0)
        if info.st_uid not in trusted:
            raise _refusal(current, info, f"owned by {_owner(info.st_uid)}, not by {_owner(euid)}",
                           f"remove it, or set SCHEMACTL_HOME to a directory of {_owner(euid)}'s own")
        if info.st_mode & _OTHERS_WRITE:
            raise _refusal(current, info, "writable by group or others", f"run `chmod go-w {current}` or remove it")


def check_dir(path: Path) -> Path:
    """The directory, refused when another user could change it or one of its parents; absent is fine."""
    absolute = Path(os.path.abspath(path))
    _check_chain(absolute)
    resolved = Path(os.path.realpath(absolute))
    if resolved != absolute:
        _check_chain(resolved)
    return path


def ensure_dir(path: Path) -> Path:
    """The directory, created 0700 with its missing parents when absent, then checked."""
    absolute = Path(os.path.abspath(path))
    missing = []
    for current in (absolute, *absolute.parents):
        if os.path.lexists(current):
            break
        missing.append(current)
    for current in reversed(missing):
        # Someone else's directory appearing meanwhile is refused by the check below.
        try:
            os.mkdir(current, 0o700)
        except FileExistsError:
            pass
    return check_dir(path)


def read_state_file(path: Path) -> bytes | None:
    """A file the tool wrote under a state directory, or None when absent; refused unless a regular
    file of the running user's that nobody else may write (a symbolic link is refused, not followed)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        try:
            info = os.lstat(path)
        except OSError:
            raise exc from None
        raise _refusal(path, info, "a symbolic link" if stat.S_ISLNK(info.st_mode) else "unreadable",
                       "remove it") from None
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _refusal(path, info, "not a regular file", "remove it")
        if info.st_uid != os.geteuid():
            raise _refusal(path, info, f"owned by {_owner(info.st_uid)}, not by {_owner(os.geteuid())}", "remove it")
        if info.st_mode & _OTHERS_WRITE:
            raise _refusal(path, info, "writable by group or others", f"run `chmod go-w {path}` or remove it")
        return file.read()

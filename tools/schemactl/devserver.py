"""The dev server: where desired state is built, in scratch databases that never outlive us.

Either a server named by --dev-url / SCHEMACTL_DEV_URL, or an embedded PostgreSQL the
tool starts itself from installed server binaries (the pgserver wheel's, Debian's, or
SCHEMACTL_PG_BINDIR). The embedded server keeps running between invocations so a warm
`schemactl drift` does not pay for initdb and start-up; `schemactl dev-server stop` ends it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import base64
import hashlib
import hmac
import importlib.util
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql

from schemactl.conninfo import connect, mask, server_major, with_dbname
from schemactl.roles import DANGEROUS_ROLES, role_grant_sql
from schemactl.errors import ConnectionFailed, InputError, SchemactlError
from schemactl.project import MAJOR_KEY
from schemactl.statedir import check_dir, ensure_dir, read_state_file

__all__ = [
    "DevServer",
    "Binaries",
    "admin_execute",
    "close_admin_connections",
    "choose_binaries",
    "find_binaries",
    "get_dev_server",
    "drop_owned",
    "register_owned",
    "release_owned",
    "reap_stale_scratch",
    "scratch_database",
    "scratch_name",
    "stop_embedded",
    "running_embedded_urls",
    "state_root",
    "SCRATCH_PREFIX",
    "BUILDER_ROLE",
    "builder_url",
    "ensure_builder",
    "grant_builder",
]

SCRATCH_PREFIX = "schemactl_scratch_"
UNPRIVILEGED_USER = "nobody"
UNPRIVILEGED_GROUP = "nogroup"
# The embedded server opens no TCP port; this number only names its socket file (.s.PGSQL.5432).
SOCKET_PORT = 5432
# Written beside a data directory this version initialised (socket only, no host lines in pg_hba).
_PRIVATE_LAYOUT = "unix-socket-only 1"
_SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes on Linux, the last a NUL

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Binaries:
    """One installation of PostgreSQL server binaries."""

    bindir: Path
    major: int
    origin: str

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


@dataclass(frozen=True)
class DevServer:
    """A server the tool may create and drop scratch databases on."""

    url: str
    major: int
    origin: str
    binaries: Binaries | None = None
    # Set when the server's major is not the project's deployed one: what that means, and the fix.
    note: str | None = None

    @property
    def shown(self) -> str:
        return f"{mask(self.url)} (PostgreSQL {self.major}, {self.origin})"


@functools.cache
def _version_of(bindir: Path) -> int | None:
    # Asked on every run (dev server, pg_dump), so remembered per process and on disk, for
    # this very file: running `postgres --version` costs more than the rest of a warm check.
    postgres = bindir / "postgres"
    try:
        stat = postgres.stat()
    except OSError:
        return None
    if not postgres.is_file():
        return None
    identity = f"{postgres.resolve()} {stat.st_ino} {stat.st_size} {stat.st_mtime_ns}"
    known = _known_versions()
    if isinstance(known.get(identity), int):
        return int(known[identity])
    try:
        out = subprocess.run([str(postgres), "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    known[identity] = major
    _remember_versions(known)
    return major


def _versions_file() -> Path:
    return state_root() / "binaries.json"


@functools.cache
def _known_versions() -> dict[str, int | str]:
    """What installed binaries said about themselves, by file identity: major versions, pg_config's bindir."""
    try:
        text = read_state_file(_versions_file())
        stored = json.loads(text) if text is not None else {}
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in stored.items() if isinstance(v, (int, str))} if isinstance(stored, dict) else {}


def _remember_versions(known: dict[str, int | str]) -> None:
    with contextlib.suppress(OSError):
        folder = ensure_dir(state_root())
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".binaries-", suffix=".json")
        with os.fdopen(handle, "w") as out:
            json.dump(known, out, indent=1, sort_keys=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, _versions_file())


def _candidate_bindirs() -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    override = os.environ.get("SCHEMACTL_PG_BINDIR")
    if override:
        found.append((Path(override), "SCHEMACTL_PG_BINDIR"))
    # Locate the pgserver wheel without importing it (its import has side effects).
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        found.append((Path(spec.origin).parent / "pginstall" / "bin", "pgserver wheel"))
    for debian in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        found.append((debian, "installed binaries"))
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = _pg_config_bindir(pg_config)
        if bindir is not None:
            found.append((bindir, "pg_config"))
    return found


@functools.cache
def _pg_config_bindir(pg_config: str) -> Path | None:
    try:
        stat = Path(pg_config).stat()
    except OSError:
        return None
    identity = f"pg_config {Path(pg_config).resolve()} {stat.st_ino} {stat.st_size} {stat.st_mtime_ns}"
    known = _known_versions()
    if isinstance(known.get(identity), str):
        return Path(str(known[identity]))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=20)
        if out.returncode == 0 and out.stdout.strip():
            known[identity] = out.stdout.strip()
            _remember_versions(known)
            return Path(out.stdout.strip())
    return None


def find_binaries(want_major: int | None = None) -> list[Binaries]:
    """Every usable server installation, the preferred one first.

    Without a wanted major, the pinned pgserver wheel's binaries come first, so
    generated output is the same on every machine.
    """
    seen: set[Path] = set()
    result: list[Binaries] = []
    for bindir, origin in _candidate_bindirs():
        resolved = bindir.resolve() if bindir.exists() else bindir
        if resolved in seen:
            continue
        seen.add(resolved)
        major = _version_of(bindir)
        if major is None:
            continue
        if want_major is not None and major != want_major:
            continue
        result.append(Binaries(bindir=bindir, major=major, origin=origin))
    return result


def state_root() -> Path:
    """Where the embedded server's data and the desired-state cache live (SCHEMACTL_HOME), checked:
    refused when another user could write it (see schemactl.statedir)."""
    configured = os.environ.get("SCHEMACTL_HOME")
    if configured:
        return check_dir(Path(configured))
    if os.geteuid() == 0:
        # The server runs as an unprivileged user, who cannot enter /root.
        return check_dir(Path("/var/tmp/schemactl"))
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return check_dir(Path(cache) / "schemactl")


_state_root = state_root  # the name the test fixtures know


def _as_user() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    return {"user": UNPRIVILEGED_USER, "group": UNPRIVILEGED_GROUP, "extra_groups": []}


def _run(args: list[str], *, what: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, cwd="/", **_as_user()  # type: ignore[arg-type]
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SchemactlError(f"embedded PostgreSQL: {what} failed: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise SchemactlError(f"embedded PostgreSQL: {what} failed: {' | '.join(detail)}")
    return result


def _usable_bindir(binaries: Binaries, state: Path) -> Path:
    """As root, the unprivileged user must be able to run the binaries; copy them if not."""
    if os.geteuid() != 0:
        return binaries.bindir
    probe = subprocess.run(
        [str(binaries.bindir / "postgres"), "--version"], capture_output=True, cwd="/", **_as_user()  # type: ignore[arg-type]
    )
    if probe.returncode == 0:
        return binaries.bindir
    install = binaries.bindir.parent
    copy = check_dir(state / ("pginstall-" + hashlib.sha1(str(install).encode()).hexdigest()[:10]))
    if not (copy / "bin" / "postgres").exists():
        shutil.copytree(install, copy, symlinks=True, dirs_exist_ok=True)
        for root, dirs, files in os.walk(copy):
            for name in dirs + files:
                path = Path(root) / name
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode | 0o055)
        copy.chmod(0o755)
    return copy / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _data_dir(binaries: Binaries) -> Path:
    digest = hashlib.sha1(str(binaries.bindir.resolve()).encode()).hexdigest()[:8]
    return state_root() / f"pg{binaries.major}-{digest}"


def _pid_file(data: Path) -> list[str] | None:
    """postmaster.pid's lines while its server process is alive, else None."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return lines


def _running_port(data: Path) -> int | None:
    lines = _pid_file(data)
    try:
        return int(lines[3]) if lines is not None else None
    except (ValueError, IndexError):
        return None


def _superuser() -> str:
    if os.geteuid() == 0:
        return UNPRIVILEGED_USER
    return pwd.getpwuid(os.geteuid()).pw_name


def _embedded_url(data: Path, port: int) -> str:
    # libpq's URL form for a Unix socket: the directory as host, the port naming .s.PGSQL.<port>.
    query = urlencode({"host": str(data), "port": port}, quote_via=quote, safe="/")
    return f"postgresql://{quote(_superuser(), safe='')}@/postgres?{query}"


def _private_mark(data: Path) -> Path:
    # Beside the data directory, not in it: as root the state directory is root's and the
    # server's user (who anyone could reach on an older layout) cannot write a mark there.
    return data.parent / (data.name + ".private")


def _exposure(data: Path) -> str | None:
    """Why an existing data directory cannot be trusted as private, or None when it can."""
    if not (data / "PG_VERSION").exists():
        return None
    mark = _private_mark(data)
    try:
        ours = mark.lstat().st_uid == os.geteuid() and mark.read_text().strip() == _PRIVATE_LAYOUT
    except OSError:
        ours = False
    if not ours:
        return "it was initialised by an older schemactl, whose server let every local user in over TCP"
    status = data.lstat()
    if status.st_uid != pwd.getpwnam(_superuser()).pw_uid or status.st_mode & 0o077:
        return "its data directory is not private to the server's user"
    lines = _pid_file(data)
    if lines is not None and len(lines) > 5 and lines[5].strip():
        return "it is running with a TCP address"
    return None


def _write_local_only_hba(data: Path) -> None:
    hba = data / "pg_hba.conf"
    hba.write_text("# schemactl's embedded dev server: Unix socket only, in a directory only its user can enter.\n"
                   "local all all trust\n")
    if os.geteuid() == 0:
        shutil.chown(hba, UNPRIVILEGED_USER, UNPRIVILEGED_GROUP)
    hba.chmod(0o600)


def _wait_ready(url: str, deadline: float) -> None:
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _start_embedded(binaries: Binaries, progress: Progress) -> DevServer:
    state = ensure_dir(state_root())
    if os.geteuid() == 0:
        state.chmod(0o755)
    data = _data_dir(binaries)
    lock_path = state / (data.name + ".lock")
    with open(lock_path, "a+") as lock:
        # Two invocations starting the server at once must not both initdb.
        fcntl.flock(lock, fcntl.LOCK_EX)
        exposure = _exposure(data)
        if exposure is not None:
            # Whoever could connect was its superuser and may have changed anything in it
            # (template0 included): it is stopped and initialised afresh, never reused.
            progress(f"re-initialising embedded PostgreSQL in {data}: {exposure}")
            if _running_port(data) is not None:
                pg_ctl = _usable_bindir(binaries, state) / "pg_ctl"
                _run([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"], what="stop")
            shutil.rmtree(data)
        port = _running_port(data)
        if port is not None:
            url = _embedded_url(data, port)
            with contextlib.suppress(psycopg.OperationalError):
                _wait_ready(url, time.monotonic() + 10)
                return DevServer(url=url, major=binaries.major, origin=f"embedded, {binaries.origin}", binaries=binaries)
        socket_file = data / f".s.PGSQL.{SOCKET_PORT}"
        if len(str(socket_file).encode()) > _SOCKET_PATH_MAX:
            raise InputError(f"the embedded dev server's socket {socket_file} is longer than a Unix socket path "
                             f"may be ({_SOCKET_PATH_MAX} bytes): set SCHEMACTL_HOME to a shorter directory")
        bindir = _usable_bindir(binaries, state)
        if not (data / "PG_VERSION").exists():
            progress(f"initialising embedded PostgreSQL {binaries.major} in {data}")
            _private_mark(data).unlink(missing_ok=True)
            if data.exists():
                shutil.rmtree(data)
            data.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(data, UNPRIVILEGED_USER, UNPRIVILEGED_GROUP)
            data.chmod(0o700)
            _run(
                [str(bindir / "initdb"), "-D", str(data), "-U", _superuser(), "--auth-local=trust",
                 "--auth-host=reject", "-E", "UTF8", "--locale=C", "--no-sync"],
                what="initdb",
            )
            # Trust is safe only where nobody else can reach the socket: no host lines at all.
            _write_local_only_hba(data)
            _private_mark(data).write_text(_PRIVATE_LAYOUT + "\n")
        port = SOCKET_PORT
        progress(f"starting embedded PostgreSQL {binaries.major} on a Unix socket in {data}")
        options = " ".join([
            f"-p {port}",
            # No TCP address: the only way in is the socket in the data directory (mode 0700).
            "-c listen_addresses=''",
            f"-c unix_socket_directories={shlex.quote(str(data))}",
            "-c unix_socket_permissions=0700",
            # A scratch server: durability buys nothing here, speed does.
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=100",
            "-c shared_buffers=128MB",
            # A schema of thousands of tables and indexes is built in one transaction.
            "-c max_locks_per_transaction=512",
        ])
        _run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w",
             "-t", "60", "-o", options, "start"],
            what="start",
        )
        url = _embedded_url(data, port)
        try:
            _wait_ready(url, time.monotonic() + 30)
        except psycopg.OperationalError as exc:
            raise SchemactlError(f"embedded PostgreSQL did not accept connections: {exc}") from None
        return DevServer(url=url, major=binaries.major, origin=f"embedded, {binaries.origin}", binaries=binaries)


def running_embedded_urls() -> list[str]:
    """The URLs of the embedded servers of this state directory that are running."""
    root = state_root()
    urls = []
    for data in sorted(root.glob("pg*-*")) if root.is_dir() else []:
        port = _running_port(data) if data.is_dir() else None
        if port is not None:
            urls.append(_embedded_url(data, port))
    return urls


def stop_embedded() -> list[str]:
    """Stop every embedded server this user started; returns what was stopped."""
    stopped: list[str] = []
    root = state_root()
    if not root.is_dir():
        return stopped
    for data in sorted(root.glob("pg*-*")):
        if data.is_dir() and _running_port(data) is not None:
            for binaries in find_binaries():
                if _data_dir(binaries) == data:
                    bindir = _usable_bindir(binaries, root)
                    _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], what="stop")
                    stopped.append(str(data))
                    break
    return stopped


def _binaries_for_url(major: int) -> Binaries | None:
    found = find_binaries(major)
    return found[0] if found else None


def _major_note(have: int, prefer: int, where: str) -> str:
    return (f"the project deploys to PostgreSQL {prefer} ({MAJOR_KEY}) but {where} PostgreSQL {have}: "
            f"view definitions in the plan are rendered as {have} renders them. For {prefer}'s rendering, "
            f"install PostgreSQL {prefer} server binaries (e.g. Debian's postgresql-{prefer}), set "
            f"SCHEMACTL_PG_BINDIR to their bin directory, or point SCHEMACTL_DEV_URL at a "
            f"PostgreSQL {prefer} server")


def choose_binaries(want_major: int | None = None, prefer_major: int | None = None) -> tuple[Binaries, str | None]:
    """The binaries to start an embedded server from, and a note when the preferred major is missing.

    want_major is a must (a live target's major); prefer_major is the project's deployed
    major, used when installed, else the first installation is used and the note says so.
    """
    if want_major is not None:
        candidates = find_binaries(want_major)
        if candidates:
            return candidates[0], None
        available = sorted({b.major for b in find_binaries()})
        have = ", ".join(str(m) for m in available) or "none"
        raise InputError(
            f"no PostgreSQL {want_major} server binaries to start an embedded dev server "
            f"(found majors: {have}). Pass --dev-url (or set SCHEMACTL_DEV_URL) to a "
            f"PostgreSQL {want_major} server where scratch databases may be created, or "
            f"install PostgreSQL {want_major} server binaries (e.g. Debian's "
            f"postgresql-{want_major}) or set SCHEMACTL_PG_BINDIR to their bin directory"
        )
    if prefer_major is not None:
        preferred = find_binaries(prefer_major)
        if preferred:
            return preferred[0], None
    candidates = find_binaries()
    if not candidates:
        raise InputError(
            "no PostgreSQL server binaries to start an embedded dev server: reinstall the tool "
            "(its pgserver dependency ships them), install PostgreSQL server binaries, set "
            "SCHEMACTL_PG_BINDIR to their bin directory, or pass --dev-url (SCHEMACTL_DEV_URL)"
        )
    chosen = candidates[0]
    note = None
    if prefer_major is not None:
        note = _major_note(chosen.major, prefer_major, "no such server binaries were found; the embedded dev server is")
    return chosen, note


def get_dev_server(
    *, dev_url: str | None = None, want_major: int | None = None, prefer_major: int | None = None,
    progress: Progress = _quiet,
) -> DevServer:
    """The dev server to build on: --dev-url, SCHEMACTL_DEV_URL, or the embedded one.

    When want_major is given the server must be that major version: PostgreSQL renders
    view definitions differently across majors, which would show up as false drift.
    Otherwise prefer_major (the project's deployed major) is chosen where it is available;
    where it is not, the server's `note` says which major renders instead and how to fix it.
    """
    url = dev_url or os.environ.get("SCHEMACTL_DEV_URL")
    if url:
        with connect(url, autocommit=True) as conn:
            major = server_major(conn)
        if want_major is not None and major != want_major:
            raise InputError(
                f"dev server {mask(url)} is PostgreSQL {major} but the target is PostgreSQL "
                f"{want_major}; view definitions differ across major versions and would show "
                f"as false drift. Point --dev-url / SCHEMACTL_DEV_URL at a PostgreSQL "
                f"{want_major} server, or unset it so the tool starts an embedded one"
            )
        origin = "--dev-url" if dev_url else "SCHEMACTL_DEV_URL"
        note = None
        if want_major is None and prefer_major is not None and major != prefer_major:
            note = _major_note(major, prefer_major, f"the dev server ({origin}) is")
        return DevServer(url=url, major=major, origin=origin, binaries=_binaries_for_url(major), note=note)
    binaries, note = choose_binaries(want_major, prefer_major)
    server = _start_embedded(binaries, progress)
    return dataclasses.replace(server, note=note) if note else server


# --- scratch databases ------------------------------------------------------------------------
#
# A scratch database is named schemactl_scratch_<label>_<pid>_<process start, base 36>_<host>_<random>,
# so any later run on the same host can tell whether its owner is still alive (a pid is reused,
# a pid with its start time is not). The name is registered before CREATE DATABASE, so an
# interrupt at any moment after that drops it; what a killed run leaves behind is reaped.


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def process_start(pid: int) -> int | None:
    """When a process started (epoch seconds), or None when there is no such process."""
    boot = _boot_time()
    if boot is not None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        # The command name may hold spaces and parentheses: fields count from the last ')'.
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        return int(boot + ticks / os.sysconf("SC_CLK_TCK"))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return -1  # alive, start unknown (no /proc)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def _host_token() -> str:
    machine = ""
    with contextlib.suppress(OSError):
        machine = Path("/etc/machine-id").read_text().strip()
    return hashlib.sha1(f"{socket.gethostname()}/{machine}".encode()).hexdigest()[:4]


_HOST = _host_token()
_STARTED = process_start(os.getpid()) or int(time.time())
_SCRATCH_NAME = re.compile(rf"^{SCRATCH_PREFIX}[a-z0-9_]*?_(?P<pid>\d+)_(?P<start>[0-9a-z]+)_(?P<host>[0-9a-f]{{4}})"
                           r"_[0-9a-f]{4}$")
_owned: dict[str, str] = {}  # scratch database name -> admin URL of its server
_owned_lock = threading.Lock()
_reaped: set[str] = set()


def scratch_name(label: str) -> str:
    """A new scratch database name carrying this process's id, start time and host (at most 63 bytes)."""
    label = re.sub(r"[^a-z0-9_]", "_", label.lower())[:12]
    return f"{SCRATCH_PREFIX}{label}_{os.getpid()}_{_base36(_STARTED)}_{_HOST}_{secrets.token_hex(2)}"


def register_owned(admin_url: str, name: str) -> None:
    """Record a database this process is about to create; drop_owned drops it if it is still there."""
    with _owned_lock:
        _owned[name] = admin_url


def release_owned(name: str) -> None:
    """Forget a database this process dropped (or handed on under another name)."""
    with _owned_lock:
        _owned.pop(name, None)


_admin = threading.local()


def admin_execute(admin_url: str, statement: sql.Composable | str,
                  params: tuple | dict[str, object] = ()) -> list[tuple]:
    """Run one statement on a server's maintenance database; its rows (none for a command).

    The connection stays open for this thread's next statement: creating and dropping scratch
    databases is most of what a plan asks of the dev server, and a new connection (a new server
    process) for each cost as much as the statement. A connection that met an error or an
    interrupt is closed, never reused; one found broken when reused (the server restarted) is
    replaced once.
    """
    conns: dict[str, psycopg.Connection] = _admin.__dict__.setdefault("conns", {})
    conn = conns.pop(admin_url, None)
    reused = conn is not None and not conn.closed and \
        conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    if not reused:
        if conn is not None:
            conn.close()
        conn = connect(admin_url, autocommit=True)
    try:
        cursor = conn.execute(statement, params or None)
        rows = cursor.fetchall() if cursor.description else []
    except BaseException as exc:
        broken = conn.broken
        conn.close()
        if reused and broken and isinstance(exc, psycopg.OperationalError):
            return admin_execute(admin_url, statement, params)  # this time on a new connection
        raise
    conns[admin_url] = conn
    return rows


def close_admin_connections() -> None:
    """Close this thread's kept maintenance connections (the next statement opens a new one)."""
    for conn in _admin.__dict__.pop("conns", {}).values():
        conn.close()


def _drop(admin_url: str, name: str) -> None:
    admin_execute(admin_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_owned() -> list[str]:
    """Drop every registered database still there; returns 'name: reason' for each that could not be."""
    with _owned_lock:
        left = list(_owned.items())
    failed: list[str] = []
    for name, admin_url in left:
        try:
            _drop(admin_url, name)
        except (psycopg.Error, SchemactlError) as exc:
            failed.append(f"{name}: {' '.join(str(exc).split())}")
            continue
        release_owned(name)
    return failed


def _alive(pid: int, start: int) -> bool:
    started = process_start(pid)
    if started is None:
        return False
    # The same pid started at another time is another process.
    return started == -1 or abs(started - start) <= 2


def reap_stale_scratch(server: DevServer) -> list[str]:
    """Drop scratch databases of this host whose process is gone; returns their names."""
    reaped: list[str] = []
    names = [row[0] for row in admin_execute(
        server.url, "SELECT datname FROM pg_database WHERE datname LIKE %s",
        (SCRATCH_PREFIX.replace("_", r"\_") + "%",))]
    for name in names:
        found = _SCRATCH_NAME.match(name)
        if found is None or found["host"] != _HOST or _alive(int(found["pid"]), int(found["start"], 36)):
            continue
        try:
            _drop(server.url, name)
        except psycopg.Error:
            continue  # another run reaps it at the same moment, or it is not ours to drop
        reaped.append(name)
    return reaped


# --- the builder role ----------------------------------------------------------------------------
#
# What others wrote (schema/, migration files, a plan's statements, a live schema's dump) runs on
# the dev server in sessions whose session user is this role: SET ROLE in an administrator's
# session is no boundary (the SQL could RESET ROLE). It owns the scratch databases and nothing else.

BUILDER_ROLE = "schemactl_builder"

_BUILDER_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"

_BUILDER_STATE = """
SELECT r.rolsuper OR r.rolcreatedb OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls
       OR NOT r.rolcanlogin OR NOT r.rolinherit,
       coalesce(array(SELECT g.rolname FROM pg_catalog.pg_auth_members m
                      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '{}')
FROM pg_catalog.pg_roles r WHERE r.rolname = %s
"""

# Roles the builder may not be a member of: superusers, roles that may create roles or replicate,
# predefined roles, and roles that reach any of those or the server's files and programs.
_UNSAFE_ROLES = """
WITH RECURSIVE reach(member, target) AS (
    SELECT m.member, m.roleid FROM pg_catalog.pg_auth_members m
    UNION
    SELECT r.member, m.roleid FROM reach r JOIN pg_catalog.pg_auth_members m ON m.member = r.target
)
SELECT r.rolname FROM pg_catalog.pg_roles r
WHERE r.rolname = ANY(%(names)s)
  AND (r.rolsuper OR r.rolcreaterole OR r.rolreplication OR left(r.rolname, 3) = 'pg_'
       OR EXISTS (SELECT FROM reach x JOIN pg_catalog.pg_roles t ON t.oid = x.target
                  WHERE x.member = r.oid AND (t.rolsuper OR t.rolcreaterole OR t.rolreplication
                                              OR t.rolname = ANY(%(dangerous)s))))
"""

_builders: set[str] = set()


def _builder_password(admin_url: str) -> str:
    """The builder's password on the server of admin_url: derived from that URL, so every run agrees."""
    return hmac.new(admin_url.encode(), BUILDER_ROLE.encode(), hashlib.sha256).hexdigest()


def builder_url(admin_url: str, dbname: str) -> str:
    """A URL for database dbname of admin_url's server, logging in as the builder."""
    from urllib.parse import quote, urlsplit, urlunsplit  # noqa: PLC0415

    parts = urlsplit(admin_url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{BUILDER_ROLE}:{_builder_password(admin_url)}@{host}"
    return urlunsplit((parts.scheme, netloc, "/" + quote(dbname, safe=""), parts.query, ""))


def _password_matches(stored: str | None, password: str) -> bool:
    """Whether pg_authid.rolpassword (SCRAM-SHA-256 or md5) is password's."""
    if not stored:
        return False
    if stored.startswith("md5"):
        return hmac.compare_digest(stored, "md5" + hashlib.md5((password + BUILDER_ROLE).encode()).hexdigest())
    found = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)", stored)
    if found is None:
        return False
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(found[2]), int(found[1]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(hashlib.sha256(client_key).digest()).decode(), found[3])


def ensure_builder(admin_url: str) -> None:
    """Create the builder role when missing, or make it unprivileged again (once per process and server)."""
    if admin_url in _builders:
        return
    password = _builder_password(admin_url)
    with_password = sql.SQL("{} PASSWORD {}").format(sql.SQL(_BUILDER_ATTRIBUTES), sql.Literal(password))
    rows = admin_execute(admin_url, _BUILDER_STATE, (BUILDER_ROLE,))
    if not rows:
        try:
            admin_execute(admin_url, sql.SQL("CREATE ROLE {} {}").format(sql.Identifier(BUILDER_ROLE), with_password))
        except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            pass  # a concurrent run created it: it sets the same attributes and password
        rows = admin_execute(admin_url, _BUILDER_STATE, (BUILDER_ROLE,))
    privileged, groups = rows[0]
    stored: str | None = None
    try:
        found = admin_execute(admin_url, "SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = %s",
                              (BUILDER_ROLE,))
        stored = found[0][0] if found else None
    except psycopg.errors.InsufficientPrivilege:
        stored = None  # not a superuser: set the password, it is the same for every run
    if privileged or not _password_matches(stored, password):
        admin_execute(admin_url, sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(BUILDER_ROLE), with_password))
    for group in _unsafe(admin_url, groups):
        admin_execute(admin_url, sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group),
                                                                    sql.Identifier(BUILDER_ROLE)))
    _builders.add(admin_url)


def _unsafe(admin_url: str, names: list[str] | tuple[str, ...]) -> set[str]:
    rows = admin_execute(admin_url, _UNSAFE_ROLES, {"names": sorted(set(names)), "dangerous": sorted(DANGEROUS_ROLES)})
    return {row[0] for row in rows}


def grant_builder(admin_url: str, roles: list[str] | tuple[str, ...] | set[str]) -> None:
    """Make the builder a member of the named roles that exist and are safe to act as (never a superuser,
    a predefined role, or one reaching either or the server's files and programs), so it can give them
    objects and set their default privileges as a schema's author does."""
    ensure_builder(admin_url)
    wanted = sorted(set(roles) - {BUILDER_ROLE})
    if not wanted:
        return
    have = admin_execute(admin_url, _BUILDER_STATE, (BUILDER_ROLE,))[0][1]
    existing = {r[0] for r in admin_execute(
        admin_url, "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)", (wanted,))}
    todo = [name for name in wanted if name in existing and name not in have]
    if not todo:
        return
    for group in sorted(set(todo) - _unsafe(admin_url, todo)):
        for attempt in (1, 2):
            try:
                admin_execute(admin_url, role_grant_sql(group, BUILDER_ROLE))
                break
            except psycopg.Error:
                if attempt == 2:
                    raise  # a concurrent run granted the same at the same moment; once more is enough


@contextlib.contextmanager
def scratch_database(server: DevServer, label: str = "db") -> Iterator[str]:
    """Create an empty database on the dev server, owned by the builder; drop it afterwards, whatever happens.

    The URL given logs in as the builder: whatever runs there runs unprivileged.
    """
    if server.url not in _reaped:
        _reaped.add(server.url)
        reap_stale_scratch(server)
    ensure_builder(server.url)
    name = scratch_name(label)
    register_owned(server.url, name)
    try:
        try:
            admin_execute(server.url, sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(name), sql.Identifier(BUILDER_ROLE)))
        except psycopg.Error as exc:
            raise ConnectionFailed(f"cannot create a scratch database on {server.shown}: {exc}") from None
        yield builder_url(server.url, name)
    finally:
        _drop(server.url, name)
        release_owned(name)


def client_bindir(major: int) -> Path | None:
    """Client tools (pg_dump, pg_restore, psql) that can work with a server of this major:
    the same major if installed, else the oldest newer one (pg_dump refuses older servers)."""
    usable = [b for b in find_binaries() if b.major >= major and (b.bindir / "pg_dump").is_file()]
    usable.sort(key=lambda b: (b.major != major, b.major))
    return usable[0].bindir if usable else None


def _print_client_bindir(argv: list[str]) -> int:
    # `python -m schemactl.devserver client-bindir TARGET`: the Makefile's backup/restore use it.
    # TARGET is a URL or, with the PG* variables set, a database name.
    if len(argv) != 2 or argv[0] != "client-bindir":
        print("usage: python -m schemactl.devserver client-bindir TARGET", file=sys.stderr)
        return 2
    target = argv[1]
    try:
        conninfo = target if "://" in target else psycopg.conninfo.make_conninfo(dbname=target)
        with psycopg.connect(conninfo, connect_timeout=10) as conn:
            major = conn.info.server_version // 10000
    except psycopg.Error as exc:
        print(f"cannot connect to {mask(target)}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    bindir = client_bindir(major)
    print(bindir or "")
    return 0


if __name__ == "__main__":
    sys.exit(_print_client_bindir(sys.argv[1:]))

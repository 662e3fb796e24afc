"""The embedded dev server is reachable only by the user who started it: a Unix socket in a private
directory, no TCP address, no host lines in pg_hba; an older version's server is never reused."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schemactl import devserver
from schemactl.conninfo import dbname_of, mask, with_dbname, with_user
from schemactl.devserver import DevServer, get_dev_server, stop_embedded
from schemactl.errors import InputError
from schemactl.project import configured_major

REPO = Path(__file__).resolve().parent.parent
SOCKET_URL = "postgresql://nobody@/postgres?host=/var/tmp/schemactl/pg16-abcd1234&port=5432"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="another local account can be played only as root")
OTHER_USER = "daemon"


@contextlib.contextmanager
def _own_state_home() -> Iterator[Path]:
    """A state directory of its own (SCHEMACTL_HOME) whose embedded server is stopped and removed afterwards."""
    # Not under pytest's tmp_path: as root that is /tmp/pytest-of-root (0700), which the
    # server's user could not enter.
    home = Path(tempfile.mkdtemp(prefix="sc-access-", dir="/tmp"))
    home.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHEMACTL_HOME", str(home))
        patch.delenv("SCHEMACTL_DEV_URL", raising=False)
        try:
            yield home
        finally:
            with contextlib.suppress(Exception):
                stop_embedded()
            shutil.rmtree(home, ignore_errors=True)


def _start(progress: list[str] | None = None) -> DevServer:
    sink = progress.append if progress is not None else (lambda _: None)
    return get_dev_server(prefer_major=configured_major(REPO), progress=sink)


@pytest.fixture(scope="module")
def private_server() -> Iterator[DevServer]:
    """The embedded dev server of a state directory of this module's own."""
    with _own_state_home():
        yield _start()


def _socket_dir(server: DevServer) -> Path:
    return Path(psycopg.conninfo.conninfo_to_dict(server.url)["host"])


def _server_user_uid() -> int:
    return pwd.getpwnam(devserver.UNPRIVILEGED_USER).pw_uid if os.geteuid() == 0 else os.geteuid()


def _listening_tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    return inodes


def _postmaster_pid(server: DevServer) -> int:
    return int((_socket_dir(server) / "postmaster.pid").read_text().splitlines()[0])


# --- URLs naming a socket directory (no server needed) ---------------------------------------


def test_socket_urls_keep_their_socket_directory_through_every_helper() -> None:
    other = with_dbname(SOCKET_URL, "schemactl_scratch_x")
    assert other == "postgresql://nobody@/schemactl_scratch_x?host=/var/tmp/schemactl/pg16-abcd1234&port=5432"
    assert dbname_of(other) == "schemactl_scratch_x"
    assert with_user(other, "sc_builder") == \
        "postgresql://sc_builder@/schemactl_scratch_x?host=/var/tmp/schemactl/pg16-abcd1234&port=5432"
    assert mask(SOCKET_URL) == SOCKET_URL
    # The "same server" comparison (rehearsal copies, database privileges) holds across databases.
    assert with_dbname(other, "postgres") == with_dbname(SOCKET_URL, "postgres")
    assert with_dbname(SOCKET_URL.replace("abcd1234", "ffff0000"), "postgres") != with_dbname(SOCKET_URL, "postgres")


def test_embedded_url_quotes_an_unusual_socket_directory() -> None:
    url = devserver._embedded_url(Path("/tmp/odd home&x=1/pg16-ab"), 5432)
    info = psycopg.conninfo.conninfo_to_dict(url)
    assert info["host"] == "/tmp/odd home&x=1/pg16-ab" and info["port"] == "5432"
    assert info["dbname"] == "postgres"


# --- the server itself ------------------------------------------------------------------------


def test_server_listens_on_no_tcp_address(private_server: DevServer) -> None:
    with psycopg.connect(private_server.url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
        rules = conn.execute("SELECT type, auth_method FROM pg_catalog.pg_hba_file_rules").fetchall()
    assert rules == [("local", "trust")]
    # No socket of the postmaster is a listening TCP socket (v4 or v6).
    pid = _postmaster_pid(private_server)
    assert _socket_inodes(pid), "the postmaster holds no socket at all: the check would prove nothing"
    assert not _socket_inodes(pid) & _listening_tcp_inodes()


def test_socket_directory_is_private_to_the_server_user(private_server: DevServer) -> None:
    folder = _socket_dir(private_server)
    port = psycopg.conninfo.conninfo_to_dict(private_server.url)["port"]
    assert (folder / f".s.PGSQL.{port}").is_socket()
    status = folder.stat()
    assert status.st_mode & 0o777 == 0o700
    assert status.st_uid == _server_user_uid()
    if os.geteuid() == 0:
        assert status.st_uid != 0, "the server must not run as root"


@as_root
def test_another_local_user_can_neither_connect_nor_read(private_server: DevServer) -> None:
    psql = private_server.binaries.tool("psql") if private_server.binaries else shutil.which("psql")
    assert psql, "no psql to try with"
    # The same URL the tool uses, and libpq's keyword form, as another account.
    folder = _socket_dir(private_server)
    for conninfo in (private_server.url, f"host={folder} port=5432 user=nobody dbname=postgres"):
        tried = subprocess.run([psql, conninfo, "-Atc", "SELECT 1"], capture_output=True, text=True,
                               timeout=30, user=OTHER_USER, cwd="/")
        assert tried.returncode != 0 and "Permission denied" in tried.stderr, tried.stdout + tried.stderr
    listing = subprocess.run(["ls", str(folder)], capture_output=True, text=True, timeout=30, user=OTHER_USER, cwd="/")
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    # The tool's own user (root here) does connect over the same socket.
    mine = subprocess.run([psql, private_server.url, "-Atc", "SELECT current_user"], capture_output=True,
                          text=True, timeout=30, cwd="/")
    assert mine.returncode == 0 and mine.stdout.strip() == devserver.UNPRIVILEGED_USER, mine.stderr


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemactl", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=dict(os.environ))


def test_tool_commands_work_over_the_socket(private_server: DevServer, tmp_path: Path) -> None:
    shown = _cli("dev-server", "url", cwd=REPO)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == private_server.url == (
        f"postgresql://{devserver._superuser()}@/postgres?host={_socket_dir(private_server)}&port=5432")
    assert _socket_dir(private_server).parent == Path(os.environ["SCHEMACTL_HOME"])
    built = _cli("validate", "--build", cwd=REPO)
    assert built.returncode == 0, built.stderr
    assert f"host={_socket_dir(private_server)}" in built.stderr  # this module's server, not another
    (tmp_path / "a.sql").write_text("CREATE TABLE t (a integer);\n")
    (tmp_path / "b.sql").write_text("CREATE TABLE t (a integer, b text);\n")
    diffed = _cli("diff", "--from", str(tmp_path / "a.sql"), "--to", str(tmp_path / "b.sql"), cwd=REPO)
    assert diffed.returncode == 1, diffed.stderr
    assert 'add column "b" text' in diffed.stdout
    assert "verified" in diffed.stderr


# --- a server an older version started --------------------------------------------------------


def _as_an_older_version_left_it(server: DevServer, *, mark: str) -> tuple[int, str]:
    """Restart the server the way older versions ran it: trust over TCP at 127.0.0.1, no private mark;
    plant a database as any local user could. Returns the TCP port and the pre-existing URL."""
    data = _socket_dir(server)
    bindir = devserver._usable_bindir(server.binaries, data.parent)
    devserver._run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], what="stop")
    hba = data / "pg_hba.conf"
    hba.write_text(hba.read_text() + "host all all 127.0.0.1/32 trust\n")
    private_mark = devserver._private_mark(data)
    if mark == "missing":
        private_mark.unlink()
    else:  # written by the server's user, as a superuser session of the old server could have done
        shutil.chown(private_mark, devserver.UNPRIVILEGED_USER, devserver.UNPRIVILEGED_GROUP)
    port = devserver._free_port()
    devserver._run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-o",
                    f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}", "start"],
                   what="start as an older version")
    tcp = f"postgresql://{devserver._superuser()}@127.0.0.1:{port}/postgres"
    with psycopg.connect(tcp, autocommit=True) as conn:
        conn.execute("CREATE DATABASE sc_planted")
    return port, tcp


@pytest.mark.parametrize("mark", ["missing", pytest.param("not_ours", marks=as_root)])
def test_a_server_an_older_version_started_is_initialised_afresh(mark: str) -> None:
    with _own_state_home():
        port, tcp = _as_an_older_version_left_it(_start(), mark=mark)
        progress: list[str] = []
        server = _start(progress)
        assert any("re-initialising" in line and "older schemactl" in line for line in progress), progress
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
            assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = 'sc_planted'").fetchone()[0] == 0
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(tcp, connect_timeout=3).close()
        assert server.url == _start().url  # the fresh one is reused as it is


def test_dev_server_stop_stops_a_server_an_older_version_started() -> None:
    with _own_state_home():
        server = _start()
        _, tcp = _as_an_older_version_left_it(server, mark="missing")
        stopped = _cli("dev-server", "stop", cwd=REPO)
        assert stopped.returncode == 0, stopped.stderr
        assert str(_socket_dir(server)) in stopped.stdout + stopped.stderr
        assert not (_socket_dir(server) / "postmaster.pid").exists()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(tcp, connect_timeout=3).close()


def test_a_state_directory_too_long_for_a_socket_path_is_a_clear_error(tmp_path: Path) -> None:
    home = tmp_path / ("x" * 100)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHEMACTL_HOME", str(home))
        patch.delenv("SCHEMACTL_DEV_URL", raising=False)
        with pytest.raises(InputError, match="SCHEMACTL_HOME to a shorter directory"):
            _start()
    assert not [p for p in home.glob("pg*-*") if p.is_dir()], "no data directory for a server nobody could reach"

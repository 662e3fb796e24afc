"""Database fixtures: a live PostgreSQL (option or environment) and the embedded dev server."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from pytest_postgresql.janitor import DatabaseJanitor

from schemactl.build import build_source
from schemactl.conninfo import with_dbname
from schemactl.devserver import DevServer, get_dev_server
from schemactl.load import load_path, require_parsed
from schemactl.project import configured_major

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schema"
DEFAULT_LIVE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live-url", default=os.environ.get("SCHEMACTL_TEST_LIVE_URL", DEFAULT_LIVE_URL),
                     help="a PostgreSQL server the tests may create databases on (the 'live/staging' side)")


def pytest_configure(config: pytest.Config) -> None:
    """The suite's embedded dev server keeps its data in memory (/dev/shm) unless SCHEMACTL_HOME says
    otherwise: the suite creates and drops thousands of scratch databases, and on a disk file system
    their files' creation and deletion is most of what the suite's processes spend their time on.

    Set in the controlling process, before pytest-xdist starts its workers (which inherit it), and
    inherited by every `schemactl` the tests run.
    """
    if os.environ.get("SCHEMACTL_HOME") or hasattr(config, "workerinput"):
        return
    shm = Path("/dev/shm")
    try:
        usable = shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * 1024**3
    except OSError:
        usable = False
    if usable:
        home = shm / f"schemactl-tests-{os.getuid()}"
        home.mkdir(exist_ok=True)
        home.chmod(0o755)  # as root, the server runs as an unprivileged user who must enter it
        os.environ["SCHEMACTL_HOME"] = str(home)


# A test that asks for one of these (directly or through another fixture) talks to PostgreSQL.
DATABASE_FIXTURES = frozenset({"dev_server", "live_url", "live_major", "fresh_db", "dev_db", "schema_db",
                               "schema_template",
                               "service_conn", "password_server"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that need a server `database`; `make test-fast` runs the others."""
    for item in items:
        if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Roles are cluster-wide: the diff cases' roles (sc_case_*) are dropped once every test is done.

    Under pytest-xdist this runs in the controlling process after all workers finished, so no
    worker's case loses a role another worker still uses.
    """
    if hasattr(session.config, "workerinput"):
        return
    from schemactl.devserver import running_embedded_urls  # noqa: PLC0415

    for url in [session.config.getoption("--live-url"), *running_embedded_urls()]:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
                names = [r[0] for r in conn.execute(
                    "SELECT rolname FROM pg_roles WHERE rolname LIKE 'sc\\_case\\_%'")]
                for name in names:
                    try:
                        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
                    except psycopg.Error:
                        pass  # still owns or is granted something in a database a test left behind
        except psycopg.Error:
            continue


@contextlib.contextmanager
def taking_turns(name: str, *, shared: bool = False) -> Iterator[None]:
    """Tests that touch the same cluster-wide state (fixed role names, every desired-state
    template) take turns under pytest-xdist: a lock on a file all workers share, exclusive for
    a test that changes that state, shared for those that only must not see it change."""
    with open(Path(tempfile.gettempdir()) / f"schemactl-test-{name}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _reachable(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return " ".join(str(exc).split())


@pytest.fixture(scope="session")
def dev_server(request: pytest.FixtureRequest) -> DevServer:
    """The embedded dev server, matching the live server's major when one is reachable, else the
    project's deployed major ([tool.schemactl] postgres-major) where its binaries are installed."""
    url = request.config.getoption("--live-url")
    want = None
    if _reachable(url) is None:
        with psycopg.connect(url) as conn:
            want = conn.info.server_version // 10000
    return get_dev_server(want_major=want, prefer_major=configured_major(REPO))


@pytest.fixture(scope="session")
def live_url(request: pytest.FixtureRequest, dev_server: DevServer) -> str:
    """Admin URL of the live server (CI: PostgreSQL 15 at 127.0.0.1:5432).

    On a machine without one, the embedded server plays the live side too (with a warning),
    so the whole suite still runs on a real PostgreSQL; SCHEMACTL_TEST_REQUIRE_LIVE=1 makes
    a missing live server an error instead.
    """
    url = request.config.getoption("--live-url")
    problem = _reachable(url)
    if problem is None:
        return url
    if os.environ.get("SCHEMACTL_TEST_REQUIRE_LIVE"):
        pytest.fail(f"live PostgreSQL at {url} is not reachable ({problem})")
    import warnings  # noqa: PLC0415

    warnings.warn(f"live PostgreSQL at {url} is not reachable ({problem}); the embedded server "
                  f"{dev_server.url} stands in for it", stacklevel=1)
    return dev_server.url


@pytest.fixture(scope="session")
def live_major(live_url: str) -> int:
    """Major version of the live server."""
    with psycopg.connect(live_url) as conn:
        return conn.info.server_version // 10000


def _janitor(url: str, dbname: str) -> DatabaseJanitor:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return DatabaseJanitor(user=str(info.get("user", "postgres")), host=str(info.get("host", "127.0.0.1")),
                           port=int(info.get("port", 5432)), dbname=dbname,
                           password=info.get("password"), version=None)


def _fresh(url: str, prefix: str) -> Iterator[str]:
    dbname = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with _janitor(url, dbname):
        yield with_dbname(url, dbname)


@pytest.fixture
def fresh_db(live_url: str) -> Iterator[str]:
    """A new empty database on the live server, dropped after the test."""
    yield from _fresh(live_url, "sctest")


@pytest.fixture
def deploy_db(live_url: str, schema_source) -> Iterator[str]:
    """A new empty database as a deployment has it: schema/'s roles made by an administrator, the database
    owned by memory_owner, so memory_deploy (which `migrate` and `apply` run as) may create in it."""
    from schemactl.build import ensure_roles  # noqa: PLC0415
    from schemactl.roles import roles_from_statements  # noqa: PLC0415

    with psycopg.connect(live_url, autocommit=True) as conn:
        ensure_roles(conn, roles_from_statements(schema_source.statements))
    for url in _fresh(live_url, "sctest_deploy"):
        owned_by(url, live_url, "memory_owner")
        yield url


def owned_by(url: str, admin_url: str, owner: str) -> None:
    """Give the database at url to owner (a deployment's database belongs to the owner role)."""
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(name), sql.Identifier(owner)))


@pytest.fixture
def marker_dir() -> Iterator[Path]:
    """A world-writable folder of the test's own: a payload run by the server's OS user (COPY ... TO
    PROGRAM) would leave its marker here."""
    folder = Path(tempfile.mkdtemp(prefix="sctest-marker-", dir="/tmp"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def marker(marker_dir: Path) -> Path:
    """A path in marker_dir that a payload would create."""
    return marker_dir / "marker"


@pytest.fixture
def dev_db(dev_server: DevServer) -> Iterator[str]:
    """A new empty database on the embedded dev server, dropped after the test."""
    yield from _fresh(dev_server.url, "sctest_dev")


@pytest.fixture(scope="session")
def schema_source():
    """schema/ parsed once."""
    return require_parsed(load_path(SCHEMA_DIR, display_base=REPO))


@pytest.fixture(scope="session")
def schema_template(live_url: str, schema_source) -> Iterator[str]:
    """schema/ built once (per test process) into a database on the live server that schema_db copies."""
    for url in _fresh(live_url, "sctest_schema_template"):
        build_source(schema_source, url, align_roles=True)
        yield url


@pytest.fixture
def schema_db(live_url: str, schema_source, schema_template: str) -> Iterator[str]:
    """A new database on the live server with schema/ in it: a copy of schema_template.

    A copy is what a build gives (the roles, cluster-wide, are aligned to schema/ again for each
    test, and the database's own privileges, which a template does not pass on, are copied).
    """
    from schemactl.build import ensure_roles  # noqa: PLC0415
    from schemactl.conninfo import dbname_of  # noqa: PLC0415
    from schemactl.engine import _copy_database_acl  # noqa: PLC0415
    from schemactl.roles import roles_from_statements  # noqa: PLC0415

    dbname = f"sctest_schema_{os.getpid()}_{secrets.token_hex(4)}"
    url = with_dbname(live_url, dbname)
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(dbname), sql.Identifier(dbname_of(schema_template))))
    try:
        _copy_database_acl(schema_template, url)
        with psycopg.connect(url, autocommit=True) as conn:
            ensure_roles(conn, roles_from_statements(schema_source.statements), align=True)
        yield url
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


@pytest.fixture
def service_conn(schema_db: str) -> Iterator[psycopg.Connection]:
    """A connection to schema_db that has switched to the blockchain_service role."""
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute("SET ROLE blockchain_service")
        yield conn


@pytest.fixture(scope="session")
def password_server(tmp_path_factory: pytest.TempPathFactory, dev_server: DevServer) -> Iterator[str]:
    """A throw-away PostgreSQL cluster that demands a password (role `app`), as a URL without one."""
    from schemactl import devserver  # noqa: PLC0415

    binaries = dev_server.binaries or devserver.find_binaries()[0]
    state = devserver._state_root()
    state.mkdir(parents=True, exist_ok=True)
    bindir = devserver._usable_bindir(binaries, state)
    data = state / f"pwtest-{os.getpid()}-{secrets.token_hex(3)}"
    data.mkdir(mode=0o700)
    pwfile = state / f"{data.name}.pw"
    pwfile.write_text("right-password\n")
    if os.geteuid() == 0:
        shutil.chown(data, devserver.UNPRIVILEGED_USER, devserver.UNPRIVILEGED_GROUP)
        shutil.chown(pwfile, devserver.UNPRIVILEGED_USER, devserver.UNPRIVILEGED_GROUP)
    devserver._run([str(bindir / "initdb"), "-D", str(data), "-U", "app", "-A", "scram-sha-256",
                    f"--pwfile={pwfile}", "--no-sync"], what="initdb (password test)")
    port = devserver._free_port()
    devserver._run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "log"), "-w", "-o",
                    f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}", "start"],
                   what="start (password test)")
    try:
        yield f"postgresql://127.0.0.1:{port}/postgres"
    finally:
        devserver._run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], what="stop")
        shutil.rmtree(data, ignore_errors=True)
        pwfile.unlink(missing_ok=True)

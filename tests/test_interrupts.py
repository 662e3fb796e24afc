"""No crash is a result: internal errors are exit 2 and one line, Ctrl-C is exit 130 and one line,
and no scratch database outlives its run (real SIGINTs at many moments, stale ones reaped)."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

import schemactl.generate
from schemactl import devserver
from schemactl.cli import parse_args, run
from schemactl.devserver import SCRATCH_PREFIX, DevServer, reap_stale_scratch, scratch_name
from schemactl.errors import EXIT_ERROR

from fixtures_db import REPO, SCHEMA_DIR

EXIT_INTERRUPTED = 130
ERROR_LINE = "schemactl: error: "


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()


def _scratch_of(url: str, pid: int) -> list[str]:
    """Scratch databases on the server whose name carries this process id."""
    with psycopg.connect(url, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                           (SCRATCH_PREFIX.replace("_", r"\_") + "%",))]
    return [n for n in names if f"_{pid}_" in n]


def _boom(*_: object, **__: object) -> str:
    raise ValueError("boom\nwith a second line")


def test_an_unexpected_exception_is_exit_2_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemactl.generate, "erd_markdown", _boom)
    code, out, err = _cli("generate", "--check", "-q")
    assert code == EXIT_ERROR
    assert err.splitlines() == [err.strip()], err
    assert err.startswith(f"{ERROR_LINE}internal error in the generate stage: ValueError: boom with a second line")
    assert "--debug" in err and "Traceback" not in err and out == ""


@pytest.mark.parametrize("argv", [["--debug", "generate", "--check", "-q"], ["generate", "--check", "-q", "--debug"]])
def test_debug_adds_the_traceback(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemactl.generate, "erd_markdown", _boom)
    code, _, err = _cli(*argv)
    assert code == EXIT_ERROR
    assert err.startswith("Traceback (most recent call last):") and "in _boom" in err
    assert err.splitlines()[-1].startswith(f"{ERROR_LINE}internal error in the generate stage")


def test_a_crash_inside_migra_names_stage_library_and_object(monkeypatch: pytest.MonkeyPatch, live_url: str) -> None:
    """As when schemainspect meets a table turned partitioned: the error is raised inside the library."""
    import migra  # noqa: PLC0415
    import migra.util  # noqa: PLC0415

    def broken(self: migra.Migration, privileges: bool = False) -> None:
        table = self.changes.i_target.tables['"public"."memory_assets"']
        migra.util.differences(table, {})  # a table has no keys(): AttributeError inside migra

    monkeypatch.setattr(migra.Migration, "add_all_changes", broken)
    code, out, err = _cli("diff", "--from", str(SCHEMA_DIR), "--to", str(SCHEMA_DIR), "--dev-url", live_url, "-q")
    assert code == EXIT_ERROR, err
    assert err.splitlines() == [err.strip()], err
    assert 'internal error in the diff stage (migra) at "public"."memory_assets": AttributeError' in err, err
    assert out == ""
    assert _scratch_of(live_url, os.getpid()) == []


def test_ctrl_c_inside_a_stage_is_exit_130_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(schemactl.generate, "render_schema", interrupted)
    code, out, err = _cli("generate", "--check")
    assert (code, out) == (EXIT_INTERRUPTED, "")
    assert err.splitlines()[-1] == "schemactl: interrupted" and "Traceback" not in err


def test_ctrl_c_right_after_create_database_drops_it(monkeypatch: pytest.MonkeyPatch, live_url: str) -> None:
    """The name is registered before CREATE DATABASE runs, so an interrupt just after it still drops it."""
    real_connect = devserver.connect

    class InterruptAfterCreate:
        def __init__(self, conn: psycopg.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> InterruptAfterCreate:
            return self

        def __exit__(self, *exc: object) -> None:
            self.conn.close()

        def __getattr__(self, name: str) -> object:
            return getattr(self.conn, name)

        def execute(self, query: object, *args: object) -> object:
            result = self.conn.execute(query, *args)  # type: ignore[arg-type]
            if "CREATE DATABASE" in (query.as_string(self.conn) if hasattr(query, "as_string") else str(query)):
                raise KeyboardInterrupt
            return result

    devserver.close_admin_connections()  # the next maintenance statement connects through the stand-in
    monkeypatch.setattr(devserver, "connect", lambda url, **kw: InterruptAfterCreate(real_connect(url, **kw)))
    code, _, err = _cli("validate", "--build", "--schema-dir", str(SCHEMA_DIR), "--dev-url", live_url, "-q")
    monkeypatch.undo()
    assert code == EXIT_INTERRUPTED, err
    assert err.strip() == "schemactl: interrupted"
    assert _scratch_of(live_url, os.getpid()) == []


def _schemactl() -> str:
    return shutil.which("schemactl", path=str(Path(sys.executable).parent)) or "schemactl"


# (command, seconds after start-up when SIGINT arrives): from the imports to the last rehearsal.
DELAYS = (0.05, 0.15, 0.4, 0.7, 1.0, 1.5, 2.0, 2.6, 3.3, 4.2, 5.5, 7.0, 9.0)


@pytest.mark.parametrize("delay", DELAYS)
@pytest.mark.parametrize("command", ["apply", "diff"])
def test_real_sigint_leaves_nothing_behind(command: str, delay: float, live_url: str, fresh_db: str) -> None:
    argv = {
        "apply": ["apply", "--dry-run", "--target", fresh_db, "--schema-dir", str(SCHEMA_DIR), "-q"],
        "diff": ["diff", "--from", fresh_db, "--to", str(SCHEMA_DIR), "-q"],
    }[command]
    env = {**os.environ, "SCHEMACTL_DEV_URL": live_url}
    process = subprocess.Popen([_schemactl(), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=REPO, env=env)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    if err.startswith("Fatal Python error: init_"):
        # The signal came while the interpreter itself was still initialising (its standard
        # streams, its site module), before any line of schemactl ran: Python's own start-up
        # report, nothing created.
        assert process.returncode != 0
        assert _scratch_of(live_url, process.pid) == []
        return
    frames = [line.strip() for line in err.splitlines() if line.strip().startswith('File "')]
    if err.startswith("Traceback") and err.rstrip().endswith("KeyboardInterrupt") and frames and \
            all(frame.startswith(f'File "{_schemactl()}"') for frame in frames):
        # The signal came while the console script was still locating the package, before the
        # package's first line (which takes Ctrl-C over) ran: Python's own report, nothing created.
        assert _scratch_of(live_url, process.pid) == []
        return
    assert "Traceback" not in err, err
    if process.returncode == EXIT_INTERRUPTED:
        assert err.strip() == "schemactl: interrupted", err
    elif process.returncode == -signal.SIGINT:
        # Before the interpreter had started: the signal's default action, which a shell
        # reports as 130; nothing was printed and nothing created.
        assert err == ""
    else:
        # It finished before the signal arrived: then it gave its normal answer.
        assert process.returncode in (0, 1), (process.returncode, err)
    assert _scratch_of(live_url, process.pid) == []


def test_stale_scratch_databases_are_reaped(live_url: str, dev_server: DevServer) -> None:
    """A scratch database whose process is gone is dropped; a live process's, or another host's, is kept."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead_pid = int(finished.stdout)
    assert devserver.process_start(dead_pid) is None
    mine = scratch_name("mine")
    dead = mine.replace(f"_{os.getpid()}_", f"_{dead_pid}_").replace("_mine_", "_dead_")
    other_host = dead.replace(f"_{devserver._HOST}_", "_zzzz_" if devserver._HOST != "zzzz" else "_yyyy_")
    reused = mine.replace("_mine_", "_reuse_").replace(f"_{devserver._base36(devserver._STARTED)}_", "_1_")
    names = [mine, dead, other_host, reused]
    with psycopg.connect(live_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        server = DevServer(url=live_url, major=0, origin="test", binaries=None)
        reaped = reap_stale_scratch(server)
        assert dead in reaped and reused in reaped, reaped
        assert mine not in reaped and other_host not in reaped
        with psycopg.connect(live_url, autocommit=True) as conn:
            left = {r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (names,))}
        assert left == {mine, other_host}
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_run_reaps_before_it_creates(live_url: str) -> None:
    """The first scratch database of a run reaps what killed runs left on that server."""
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    name = f"{SCRATCH_PREFIX}killed_{killed.pid}_{devserver._base36(devserver.process_start(killed.pid) or 0)}" \
           f"_{devserver._HOST}_abcd"
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    killed.kill()
    killed.wait()
    try:
        done = subprocess.run([_schemactl(), "validate", "--build", "--schema-dir", str(SCHEMA_DIR), "-q",
                               "--dev-url", live_url], capture_output=True, text=True, timeout=300, cwd=REPO)
        assert done.returncode == 0, done.stderr
        assert _scratch_of(live_url, killed.pid) == []
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.mark.parametrize(("logger", "message"), [
    ("sqlalchemy.pool.impl.QueuePool", "Exception during reset or similar"),
    ("psycopg", "query cancellation interrupted (UndefinedTable): closing connection"),
])
def test_a_library_logging_the_interrupt_prints_nothing(logger: str, message: str,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while SQLAlchemy resets a pooled connection, or while psycopg cancels a query: the
    library logs it (SQLAlchemy with the traceback), then re-raises it; the user sees one line
    and exit 130 (both seen in real interrupted runs)."""
    import argparse  # noqa: PLC0415
    import io  # noqa: PLC0415
    import logging  # noqa: PLC0415

    from schemactl import cli  # noqa: PLC0415

    def handler(args: argparse.Namespace, out: io.StringIO, err: io.StringIO) -> int:
        try:
            raise KeyboardInterrupt
        except BaseException:
            logging.getLogger(logger).error(message, exc_info=True)
            raise

    # As in the console script: no logging configured (pytest's own capture handlers removed).
    monkeypatch.setattr(logging.root, "handlers", [])
    for name in ("sqlalchemy", "psycopg"):
        library = logging.getLogger(name)
        monkeypatch.setattr(library, "handlers", [])
        monkeypatch.setattr(library, "propagate", True)
    err = io.StringIO()
    code = cli.run(argparse.Namespace(handler=handler, debug=False), io.StringIO(), err)
    assert code == 130
    assert err.getvalue() == "schemactl: interrupted\n"
    assert capsys.readouterr().err == ""


def _run_handler(handler: object) -> tuple[int, str]:
    """run() on a command whose handler is the given function: its exit code and standard error."""
    args = parse_args(["validate"])
    args.handler = handler
    err = io.StringIO()
    return run(args, io.StringIO(), err), err.getvalue()


@pytest.mark.parametrize("consequence", ["driver", "tool"])
def test_an_error_raised_while_an_interrupt_unwinds_is_reported_as_the_interrupt(consequence: str) -> None:
    """A Ctrl-C inside a transaction can make the driver fail as it unwinds (seen: psycopg's
    OutOfOrderTransactionNesting from a build cut short between SAVEPOINT and RELEASE); the
    answer is still "interrupted", 130, never an internal error."""
    from psycopg.transaction import OutOfOrderTransactionNesting  # noqa: PLC0415

    from schemactl.errors import SchemactlError  # noqa: PLC0415

    def handler(args: object, out: object, err: object) -> int:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            if consequence == "driver":
                raise OutOfOrderTransactionNesting("transaction exit out of order") from None
            raise SchemactlError("build failed at schema/x.sql:1") from None

    assert _run_handler(handler) == (EXIT_INTERRUPTED, "schemactl: interrupted\n")


def test_an_error_without_an_interrupt_is_still_an_error() -> None:
    from schemactl.errors import SchemactlError  # noqa: PLC0415

    def handler(args: object, out: object, err: object) -> int:
        try:
            raise ValueError("unrelated")
        except ValueError:
            raise SchemactlError("build failed at schema/x.sql:1") from None

    assert _run_handler(handler) == (EXIT_ERROR, "schemactl: error: build failed at schema/x.sql:1\n")

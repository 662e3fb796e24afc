"""The trust matrix: every entry point against every planted vector. In each case no shell command runs
(the marker a payload would create stays absent), the exit code is the documented one, and stderr says
what happened in one line.

Vectors: `matview` (a function in schema/ or a migration that runs `COPY ... TO PROGRAM`, called by a
materialized view), `doblock` (a migration's DO block running it), `searchpath` (overloads of every
function the catalog queries call, planted in the target), `comments` (three table comments that break out
of a literal if SQL text is edited), `secdef` (a SECURITY DEFINER function running it, planted in the
target's `schemactl` schema; for `migrate up`, by the deploy role, which owns that schema, with a trigger on
the tracking table that calls it), `markdown` (hostile Markdown in schema/ and target comments and names).

Pairs that are not applicable:

| entry point | vector | why |
| --- | --- | --- |
| validate --build, diff from files, migrate new, generate | searchpath, comments, secdef | read no target |
| all but diff from files, migrate new / up, generate | doblock | run no migration file |
| validate --build, apply (--dry-run), migrate new / up | markdown | print SQL or plain lines only |
| migrate up | comments | copies no target, so never reads them as SQL |
| restore | searchpath, secdef, markdown | pg_restore runs as the owner role and prints no report |

Fleet drift reports a target's error as that target's row of the report on stdout, not on stderr.
`restore` is `make restore NEW_DB=...` of a `make backup`: its stderr carries pg_restore's own lines before
the Makefile's one line, so that is the line checked. Each test has its own marker directory (mode 0777:
`COPY TO PROGRAM` runs as the server's OS user), except the planted-overload target, built once per test
process for the entry points that only read it, whose marker all of them check.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from fixtures_db import _fresh
from schemactl.conninfo import dbname_of, with_dbname
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK
from schemactl.markdown import html_text
from schemactl.migrations.manifest import write_manifest
from schemactl.schemalock import _CREATE_TRACKING
from test_copies import T1, T2, T3
from test_deploy_role import Project, project  # noqa: F401 - a fixture the apply and migrate up cases use
from test_markdown_escaping import PAYLOAD as HOSTILE_MARKDOWN
from test_markdown_escaping import assert_escaped
from test_operations import _make
from test_search_path import _plant

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")
MAKE_FAILED = 2  # make's own exit status when a recipe fails
DIFF_HTML = {"<details><summary>Migration SQL</summary>", "<details><summary>Rollback SQL</summary>", "</details>"}


@dataclass
class Ran:
    """A finished command."""

    code: int
    out: str
    err: str


@dataclass
class Ctx:
    """What a case needs: its marker, a scratch folder, the servers and the fixtures it asks for."""

    marker: Path
    tmp: Path
    dev: str
    live: str
    request: pytest.FixtureRequest

    def fixture(self, name: str):  # noqa: ANN201 - whatever the fixture gives
        """A fixture only some cases need (a deploy project, a planted target)."""
        return self.request.getfixturevalue(name)


def _cli(*argv: str) -> Ran:
    done = subprocess.run([SCHEMACTL, *argv, "-q"], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    return Ran(done.returncode, done.stdout, done.stderr)


def _literal(text: str) -> str:
    return sql.Literal(text).as_string(None)


def _copy_program(marker: Path) -> str:
    """The payload: a statement that creates marker when run with the right to run programs."""
    return f"COPY (SELECT 1) TO PROGRAM {_literal(f'touch {marker}; cat >/dev/null')}"


def _matview(marker: Path, condition: str = "true") -> str:
    """A function running the payload where condition holds, and a materialized view that calls it."""
    return (f"CREATE FUNCTION public.payload() RETURNS integer LANGUAGE plpgsql AS $f$ BEGIN IF {condition} THEN "
            f"EXECUTE {_literal(_copy_program(marker))}; END IF; RETURN 1; END $f$;\n"
            "CREATE MATERIALIZED VIEW public.payload_mv AS SELECT public.payload() AS one;\n")


def _do_block(marker: Path) -> str:
    return f"DO $x$ BEGIN EXECUTE {_literal(_copy_program(marker))}; END $x$;\n"


def _schema(folder: Path, *extra: tuple[str, str]) -> Path:
    """A desired state of one table, with extra files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wallets.sql").write_text("CREATE TABLE wallets (wallet_address text PRIMARY KEY);\n")
    for name, text in extra:
        (folder / name).write_text(text)
    return folder


def _history(folder: Path, *files: tuple[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files:
        (folder / name).write_text(text)
    write_manifest(folder)
    return folder


def _fleet(ctx: Ctx, url: str) -> Path:
    targets = ctx.tmp / "fleet.txt"
    targets.write_text(f"planted={url}\n")
    return targets


def _hostile_schema(ctx: Ctx) -> Path:
    """schema/ whose comment, function body and table name carry Markdown that would fake a verdict."""
    quoted = _literal(HOSTILE_MARKDOWN)
    name = sql.Identifier("x" + HOSTILE_MARKDOWN).as_string(None)
    return _schema(ctx.tmp / "hostile", ("zz_hostile.sql",
                                         f"COMMENT ON TABLE wallets IS {quoted};\n"
                                         "CREATE FUNCTION hostile_note() RETURNS text LANGUAGE sql IMMUTABLE\n"
                                         f"AS $body$ SELECT {quoted}::text $body$;\n"
                                         f'CREATE TABLE {name} ("a | b" integer PRIMARY KEY, '
                                         "w text REFERENCES wallets);\n"))


def _matview_schema(ctx: Ctx, condition: str = "true") -> Path:
    return _schema(ctx.tmp / "schema", ("zz_payload.sql", _matview(ctx.marker, condition)))


def _empty_db(ctx: Ctx) -> str:
    return ctx.fixture("fresh_db")


def _comment_target(url: str, marker: Path, *, role: str | None = None) -> str:
    """Three tables whose comments break out of a literal if a line of SQL text is dropped."""
    with psycopg.connect(url, autocommit=True) as conn:
        if role:
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        for i in (1, 2, 3):
            conn.execute(sql.SQL("CREATE TABLE {} (id integer)").format(sql.Identifier(f"t{i}")))
        for comment in (T1, T2.format(marker=marker), T3):
            conn.execute(comment)
    return url


def _comments(url: str) -> dict[str, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return dict(conn.execute("SELECT relname, obj_description(oid, 'pg_class') FROM pg_class "
                                 "WHERE relname IN ('t1', 't2', 't3')").fetchall())


def _three_tables(ctx: Ctx) -> Path:
    folder = ctx.tmp / "tables"
    folder.mkdir()
    (folder / "tables.sql").write_text("".join(f"CREATE TABLE t{i} (id integer);\n" for i in (1, 2, 3)))
    return folder


SECDEF = ("CREATE FUNCTION schemactl.peek() RETURNS integer LANGUAGE plpgsql SECURITY DEFINER AS $f$ BEGIN "
          "EXECUTE {payload}; RETURN 1; END $f$;"
          "GRANT EXECUTE ON FUNCTION schemactl.peek() TO PUBLIC")


def _secdef_target(url: str, marker: Path, *, role: str | None = None) -> str:
    """The desired table, the tool's tracking table, and a SECURITY DEFINER function beside it."""
    with psycopg.connect(url, autocommit=True) as conn:
        if role:
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        conn.execute("CREATE TABLE wallets (wallet_address text PRIMARY KEY)")
        for statement in _CREATE_TRACKING:
            conn.execute(statement)
        conn.execute(SECDEF.format(payload=_literal(_copy_program(marker))))
    return url


def _hostile_target(url: str) -> str:
    """Hostile Markdown in a target's comment, a table's name and a function's body."""
    quoted = _literal(HOSTILE_MARKDOWN)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE wallets (wallet_address text PRIMARY KEY)")
        conn.execute(f"COMMENT ON TABLE wallets IS {_literal('target: ' + HOSTILE_MARKDOWN)}")
        conn.execute(sql.SQL("CREATE TABLE {} (id integer)").format(sql.Identifier(HOSTILE_MARKDOWN)))
        conn.execute(f"CREATE FUNCTION target_note() RETURNS text LANGUAGE sql AS $b$ SELECT {quoted} $b$")
    return url


@pytest.fixture(scope="module")
def planted_target(live_url: str) -> Iterator[tuple[str, Path]]:
    """A target with the desired table and the payload's overloads in public and the user's schema."""
    folder = Path(tempfile.mkdtemp(prefix="sctest-trust-", dir="/tmp"))
    folder.chmod(0o777)
    marker = folder / "ran"
    for url in _fresh(live_url, "sctest_trust_planted"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE public.wallets (wallet_address text PRIMARY KEY)")
            user = conn.execute("SELECT current_user").fetchone()[0]
            assert _plant(conn, marker, ("public", user), with_operators=False) > 300
        yield url, marker
    assert not marker.exists(), "a planted overload ran"
    shutil.rmtree(folder, ignore_errors=True)


def _planted_for(ctx: Ctx) -> str:
    url, marker = ctx.fixture("planted_target")
    ctx.marker = marker
    return url


# --- the cases: each runs one entry point against one vector; (what ran, exit code, stderr line) -------

Outcome = tuple[Ran, int, "str | None"]
CASES: dict[str, Callable[[Ctx], Outcome]] = {}


def case(entry: str, vector: str) -> Callable[[Callable[[Ctx], Outcome]], Callable[[Ctx], Outcome]]:
    def register(function: Callable[[Ctx], Outcome]) -> Callable[[Ctx], Outcome]:
        CASES[f"{entry}-{vector}"] = function
        return function
    return register


REFUSED_PROGRAM = "must be superuser or have privileges of the pg_execute_server_program role"


@case("validate_build", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _cli("validate", "--build", "--schema-dir", str(_matview_schema(ctx)), "--dev-url", ctx.dev)
    return ran, EXIT_ERROR, f"zz_payload.sql:2:1: {REFUSED_PROGRAM}"


@case("diff_files", "matview")
def _(ctx: Ctx) -> Outcome:
    empty = _schema(ctx.tmp / "empty")
    ran = _cli("diff", "--from", str(empty), "--to", str(_matview_schema(ctx)), "--dev-url", ctx.dev)
    return ran, EXIT_ERROR, f"zz_payload.sql:2:1: {REFUSED_PROGRAM}"


@case("diff_files", "doblock")
def _(ctx: Ctx) -> Outcome:
    history = _history(ctx.tmp / "migrations", ("001_payload.sql", _do_block(ctx.marker)))
    ran = _cli("diff", "--from-history", "--migrations-dir", str(history), "--to", str(_schema(ctx.tmp / "schema")),
               "--dev-url", ctx.dev)
    return ran, EXIT_ERROR, REFUSED_PROGRAM


@case("diff_files", "markdown")
def _(ctx: Ctx) -> Outcome:
    empty = _schema(ctx.tmp / "empty")
    ran = _cli("diff", "--from", str(empty), "--to", str(_hostile_schema(ctx)), "--format", "markdown",
               "--dev-url", ctx.dev)
    assert_escaped(ran.out, headings={"Schema changes"}, html=DIFF_HTML)
    return ran, EXIT_DIFFERENCES, None


@case("diff_url", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _cli("diff", "--from", _empty_db(ctx), "--to", str(_matview_schema(ctx)), "--dev-url", ctx.dev)
    return ran, EXIT_ERROR, f"zz_payload.sql:2:1: {REFUSED_PROGRAM}"


@case("diff_url", "searchpath")
def _(ctx: Ctx) -> Outcome:
    url = _planted_for(ctx)
    ran = _cli("diff", "--from", url, "--to", str(_schema(ctx.tmp / "schema")), "--allow-destructive",
               "--dev-url", ctx.dev)
    assert "drop function" in ran.out.lower(), ran.out[-2000:]
    return ran, EXIT_DIFFERENCES, None


@case("diff_url", "comments")
def _(ctx: Ctx) -> Outcome:
    url = _comment_target(_empty_db(ctx), ctx.marker)
    ran = _cli("diff", "--from", url, "--to", str(_three_tables(ctx)), "--dev-url", ctx.dev)
    assert ran.out.count("COMMENT ON TABLE") == 3, ran.out
    return ran, EXIT_DIFFERENCES, None


@case("diff_url", "secdef")
def _(ctx: Ctx) -> Outcome:
    url = _secdef_target(_empty_db(ctx), ctx.marker)
    ran = _cli("diff", "--from", url, "--to", str(_schema(ctx.tmp / "schema")), "--allow-destructive",
               "--dev-url", ctx.dev)
    assert "schemactl.peek()" in ran.out, ran.out
    return ran, EXIT_DIFFERENCES, None


@case("diff_url", "markdown")
def _(ctx: Ctx) -> Outcome:
    url = _hostile_target(_empty_db(ctx))
    ran = _cli("diff", "--from", url, "--to", str(_hostile_schema(ctx)), "--allow-destructive", "--format",
               "markdown", "--dev-url", ctx.dev)
    assert_escaped(ran.out, headings={"Schema changes"}, html=DIFF_HTML)
    return ran, EXIT_DIFFERENCES, None


def _drift(ctx: Ctx, url: str, schema: Path, *extra: str) -> Ran:
    return _cli("drift", "--target", url, "--schema-dir", str(schema), "--dev-url", ctx.dev, *extra)


def _fleet_drift(ctx: Ctx, url: str, schema: Path, *extra: str) -> Ran:
    return _cli("drift", "--targets", str(_fleet(ctx, url)), "--schema-dir", str(schema), "--dev-url", ctx.dev,
                *extra)


@case("drift", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _drift(ctx, _empty_db(ctx), _matview_schema(ctx))
    return ran, EXIT_ERROR, f"zz_payload.sql:2:1: {REFUSED_PROGRAM}"


@case("drift", "searchpath")
def _(ctx: Ctx) -> Outcome:
    ran = _drift(ctx, _planted_for(ctx), _schema(ctx.tmp / "schema"))
    return ran, EXIT_DIFFERENCES, None


@case("drift", "comments")
def _(ctx: Ctx) -> Outcome:
    ran = _drift(ctx, _comment_target(_empty_db(ctx), ctx.marker), _three_tables(ctx))
    return ran, EXIT_DIFFERENCES, None


@case("drift", "secdef")
def _(ctx: Ctx) -> Outcome:
    ran = _drift(ctx, _secdef_target(_empty_db(ctx), ctx.marker), _schema(ctx.tmp / "schema"), "--format", "json")
    items = [(i["kind"], i["name"], i["state"]) for i in json.loads(ran.out)["items"]]
    assert ("function", "schemactl.peek()", "extra") in items, items
    return ran, EXIT_DIFFERENCES, None


@case("drift", "markdown")
def _(ctx: Ctx) -> Outcome:
    ran = _drift(ctx, _hostile_target(_empty_db(ctx)), _hostile_schema(ctx), "--format", "markdown")
    assert_escaped(ran.out, headings={"Drift"}, html=set())
    return ran, EXIT_DIFFERENCES, None


@case("fleet_drift", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _fleet_drift(ctx, _empty_db(ctx), _matview_schema(ctx))
    # A fleet's verdicts, errors too, are the report's rows: one row, on stdout.
    rows = [line for line in ran.out.splitlines() if line.startswith("planted ")]
    assert len(rows) == 1 and f"zz_payload.sql:2:1: {REFUSED_PROGRAM}" in rows[0], ran.out
    return ran, EXIT_ERROR, None


@case("fleet_drift", "searchpath")
def _(ctx: Ctx) -> Outcome:
    ran = _fleet_drift(ctx, _planted_for(ctx), _schema(ctx.tmp / "schema"))
    return ran, EXIT_DIFFERENCES, None


@case("fleet_drift", "comments")
def _(ctx: Ctx) -> Outcome:
    ran = _fleet_drift(ctx, _comment_target(_empty_db(ctx), ctx.marker), _three_tables(ctx))
    return ran, EXIT_DIFFERENCES, None


@case("fleet_drift", "secdef")
def _(ctx: Ctx) -> Outcome:
    ran = _fleet_drift(ctx, _secdef_target(_empty_db(ctx), ctx.marker), _schema(ctx.tmp / "schema"),
                       "--format", "json")
    items = [(i["kind"], i["name"], i["state"]) for i in json.loads(ran.out)["results"][0]["items"]]
    assert ("function", "schemactl.peek()", "extra") in items, items
    return ran, EXIT_DIFFERENCES, None


@case("fleet_drift", "markdown")
def _(ctx: Ctx) -> Outcome:
    ran = _fleet_drift(ctx, _hostile_target(_empty_db(ctx)), _hostile_schema(ctx), "--format", "markdown")
    assert_escaped(ran.out, headings={"Fleet drift"}, html={
        "<details><summary>fix for <code>" + html_text("planted") + "</code></summary>", "</details>"})
    return ran, EXIT_DIFFERENCES, None


def _dry_run(ctx: Ctx, url: str, schema: Path) -> Ran:
    return _cli("apply", "--dry-run", "--allow-destructive", "--target", url, "--schema-dir", str(schema),
                "--dev-url", ctx.dev)


@case("apply_dry_run", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _dry_run(ctx, _empty_db(ctx), _matview_schema(ctx))
    return ran, EXIT_ERROR, f"zz_payload.sql:2:1: {REFUSED_PROGRAM}"


@case("apply_dry_run", "searchpath")
def _(ctx: Ctx) -> Outcome:
    ran = _dry_run(ctx, _planted_for(ctx), _schema(ctx.tmp / "schema"))
    assert "drop function" in ran.out.lower(), ran.out[-2000:]
    return ran, EXIT_DIFFERENCES, None


@case("apply_dry_run", "comments")
def _(ctx: Ctx) -> Outcome:
    ran = _dry_run(ctx, _comment_target(_empty_db(ctx), ctx.marker), _three_tables(ctx))
    assert ran.out.count("COMMENT ON TABLE") == 3, ran.out
    return ran, EXIT_DIFFERENCES, None


@case("apply_dry_run", "secdef")
def _(ctx: Ctx) -> Outcome:
    ran = _dry_run(ctx, _secdef_target(_empty_db(ctx), ctx.marker), _schema(ctx.tmp / "schema"))
    assert "schemactl.peek()" in ran.out, ran.out
    return ran, EXIT_DIFFERENCES, None


def _deploy(ctx: Ctx) -> Project:
    """A project naming a deploy role that owns the target; the project's marker is the case's."""
    found: Project = ctx.fixture("project")
    found.marker = ctx.marker
    return found


def _apply(ctx: Ctx, project_: Project, schema: Path) -> Ran:
    return _cli("apply", "--allow-destructive", "--target", project_.url, "--schema-dir", str(schema),
                "--dev-url", ctx.dev)


@case("apply", "matview")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    # The payload acts on the target only: the build and the rehearsal on the dev server get through.
    condition = f"current_database() = {_literal(dbname_of(found.url))}"
    ran = _apply(ctx, found, _schema(found.root / "schema", ("zz_payload.sql", _matview(ctx.marker, condition))))
    with psycopg.connect(found.url) as conn:
        assert conn.execute("SELECT to_regclass('public.wallets')").fetchone()[0] is None, "nothing is applied"
    return ran, EXIT_ERROR, REFUSED_PROGRAM


@case("apply", "searchpath")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    # Planted by the deploy role, which owns the database: in public and in a schema named after the admin.
    with psycopg.connect(found.url, autocommit=True) as conn:
        admin = conn.execute("SELECT current_user").fetchone()[0]
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(found.role)))
        assert _plant(conn, ctx.marker, ("public", admin), with_operators=False) > 300
    ran = _apply(ctx, found, _schema(found.root / "schema"))
    with psycopg.connect(found.url) as conn:
        left = conn.execute("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace").fetchone()[0]
    assert left == 0, "apply drops what was planted"
    return ran, EXIT_OK, None


@case("apply", "comments")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    _comment_target(found.url, ctx.marker, role=found.role)
    ran = _apply(ctx, found, _three_tables(ctx))
    assert _comments(found.url) == {"t1": None, "t2": None, "t3": None}
    return ran, EXIT_OK, None


@case("apply", "secdef")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    _secdef_target(found.url, ctx.marker, role=found.role)
    ran = _apply(ctx, found, _schema(found.root / "schema"))
    with psycopg.connect(found.url) as conn:
        assert conn.execute("SELECT to_regprocedure('schemactl.peek()')").fetchone()[0] is None
    return ran, EXIT_OK, None


@case("migrate_new", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _cli("migrate", "new", "payload", "--schema-dir", str(_matview_schema(ctx)), "--migrations-dir",
               str(ctx.tmp / "migrations"), "--dev-url", ctx.dev)
    return ran, EXIT_ERROR, f"zz_payload.sql:2:1: {REFUSED_PROGRAM}"


@case("migrate_new", "doblock")
def _(ctx: Ctx) -> Outcome:
    history = _history(ctx.tmp / "migrations", ("001_payload.sql", _do_block(ctx.marker)))
    ran = _cli("migrate", "new", "next", "--schema-dir", str(_schema(ctx.tmp / "schema")), "--migrations-dir",
               str(history), "--dev-url", ctx.dev)
    return ran, EXIT_ERROR, REFUSED_PROGRAM


def _up(found: Project, *files: tuple[str, str]) -> Ran:
    return _cli("migrate", "up", "--target", found.url, "--migrations-dir", str(found.history(*files)))


@case("migrate_up", "matview")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    ran = _up(found, ("001_payload.sql", f"BEGIN;\n{_matview(ctx.marker)}COMMIT;\n"))
    return ran, EXIT_ERROR, REFUSED_PROGRAM


@case("migrate_up", "doblock")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    ran = _up(found, ("001_payload.sql", f"BEGIN;\n{_do_block(ctx.marker)}COMMIT;\n"))
    return ran, EXIT_ERROR, REFUSED_PROGRAM


@case("migrate_up", "searchpath")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    with psycopg.connect(found.url, autocommit=True) as conn:
        admin = conn.execute("SELECT current_user").fetchone()[0]
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(found.role)))
        assert _plant(conn, ctx.marker, ("public", admin), with_operators=False) > 300
    ran = _up(found, ("001_ledger.sql", "BEGIN;\nCREATE TABLE public.ledger (entry_id integer PRIMARY KEY);\n"
                                        "COMMIT;\n"))
    return ran, EXIT_OK, None


@case("migrate_up", "secdef")
def _(ctx: Ctx) -> Outcome:
    found = _deploy(ctx)
    assert _up(found, ("001_ledger.sql", "BEGIN;\nCREATE TABLE public.ledger (entry_id integer);\nCOMMIT;\n")).code == 0
    # The deploy role owns the tool's schema: the rows the runner writes there fire what it planted.
    with psycopg.connect(found.url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(found.role)))
        conn.execute(SECDEF.format(payload=_literal(_copy_program(ctx.marker))))
        conn.execute("CREATE FUNCTION schemactl.on_record() RETURNS trigger LANGUAGE plpgsql AS "
                     "$f$ BEGIN PERFORM schemactl.peek(); RETURN NEW; END $f$")
        conn.execute("CREATE TRIGGER on_record BEFORE INSERT ON schemactl.schema_migrations "
                     "FOR EACH ROW EXECUTE FUNCTION schemactl.on_record()")
    ran = _up(found, ("002_audit.sql", "BEGIN;\nCREATE TABLE public.audit (entry_id integer);\nCOMMIT;\n"))
    with psycopg.connect(found.url) as conn:
        assert conn.execute("SELECT to_regclass('public.audit')").fetchone()[0] is None, "nothing is applied"
    return ran, EXIT_ERROR, REFUSED_PROGRAM


def _generate(ctx: Ctx, schema: Path) -> Ran:
    return _cli("generate", "--schema-dir", str(schema), "--out", str(ctx.tmp / "generated"))


@case("generate", "matview")
def _(ctx: Ctx) -> Outcome:
    ran = _generate(ctx, _matview_schema(ctx))
    return ran, EXIT_OK, None


@case("generate", "doblock")
def _(ctx: Ctx) -> Outcome:
    _history(ctx.tmp / "generated" / "migrations", ("001_payload.sql", _do_block(ctx.marker)))
    ran = _generate(ctx, _schema(ctx.tmp / "schema"))
    return ran, EXIT_OK, None


@case("generate", "markdown")
def _(ctx: Ctx) -> Outcome:
    ran = _generate(ctx, _hostile_schema(ctx))
    erd = (ctx.tmp / "generated" / "erd.md").read_text()
    # The diagram's own title is its one level-1 heading; the checker forbids any, so it sees the rest.
    title, rest = erd.split("\n", 1)
    assert title == "# Entity-relationship diagram", title
    assert_escaped(rest, headings={"Foreign keys"}, html=set())
    return ran, EXIT_OK, None


def _restore(ctx: Ctx, source: str) -> tuple[Ran, str]:
    """`make backup` of source, then `make restore` of that file into a new database."""
    backup = _make("backup", f"BACKUP_DIR={ctx.tmp}", env={"DATABASE_URL": source})
    assert backup.returncode == 0, backup.stderr
    new_db = f"sctest_trust_restore_{os.getpid()}_{secrets.token_hex(3)}"
    ctx.request.addfinalizer(lambda: _drop(ctx.live, new_db))
    done = _make("restore", f"FILE={backup.stdout.strip()}", f"NEW_DB={new_db}", env={"DATABASE_URL": ctx.live})
    return Ran(done.returncode, done.stdout, done.stderr), new_db


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _owned_by_owner(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for kind, name in conn.execute(
                "SELECT CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.relname FROM pg_class c "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'm')").fetchall():
            conn.execute(sql.SQL("ALTER {} public.{} OWNER TO memory_owner").format(sql.SQL(kind),
                                                                                   sql.Identifier(name)))
        for (signature,) in conn.execute("SELECT oid::regprocedure::text FROM pg_proc "
                                         "WHERE pronamespace = 'public'::regnamespace").fetchall():
            conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO memory_owner").format(sql.SQL(signature)))


@case("restore", "matview")
def _(ctx: Ctx) -> Outcome:
    source = ctx.fixture("deploy_db")
    # The function acts wherever the dump is restored, not in the database the view was filled in.
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(_matview(ctx.marker, f"current_database() <> {_literal(dbname_of(source))}"))
    _owned_by_owner(source)
    ran, new_db = _restore(ctx, source)
    assert f"failed (database {new_db} dropped again)" in ran.err, ran.err
    assert REFUSED_PROGRAM in ran.err, ran.err
    return ran, MAKE_FAILED, f"failed (database {new_db} dropped again)"


@case("restore", "comments")
def _(ctx: Ctx) -> Outcome:
    source = _comment_target(ctx.fixture("deploy_db"), ctx.marker)
    _owned_by_owner(source)
    ran, new_db = _restore(ctx, source)
    assert _comments(with_dbname(ctx.live, new_db)) == _comments(source)
    return ran, EXIT_OK, None



@pytest.mark.parametrize("pair", sorted(CASES))
def test_entry_point_against_vector(pair: str, marker_dir: Path, tmp_path: Path, dev_server, live_url: str,
                                    request: pytest.FixtureRequest) -> None:
    ctx = Ctx(marker=marker_dir / "ran", tmp=tmp_path, dev=dev_server.url, live=live_url, request=request)
    ran, code, says = CASES[pair](ctx)
    assert not ctx.marker.exists(), f"{pair}: the payload ran a shell command"
    assert ran.code == code, (ran.code, ran.err[-3000:], ran.out[-2000:])
    assert "Traceback" not in ran.err, ran.err
    lines = [line for line in ran.err.splitlines() if line.strip()]
    if says is None:
        assert lines == [], ran.err
    elif pair.startswith("restore-"):
        # pg_restore's own lines come first; the Makefile's verdict is one line, the last before make's.
        assert [line for line in lines if line.startswith("restore of ")] == [
            next(line for line in lines if says in line)], ran.err
    else:
        assert len(lines) == 1 and says in lines[0], ran.err


def test_the_payload_runs_for_a_superuser(marker_dir: Path, live_url: str, dev_server) -> None:
    """The control: run by a superuser, on either server, the payload does leave its marker."""
    for number, url in enumerate((live_url, dev_server.url)):
        marker = marker_dir / f"control-{number}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(_copy_program(marker))
        assert marker.exists(), url

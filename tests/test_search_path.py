"""Search-path hijack: overloads of every function and operator the catalog queries call, planted where a
role that may create objects puts them, never run when the tool reads the database as a superuser.

The list is generated from the queries themselves (the tool's `sql/*.sql`, the SQL strings in its modules,
and schemainspect's `pg/sql/*.sql`), so a query added later is covered without editing this file.
"""

from __future__ import annotations

import ast as pyast
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import psycopg
import pytest
from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind
from pglast.visitors import Visitor
from psycopg import sql

import schemactl
from schemactl.catalog import QUERIES
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")
PACKAGE = Path(schemactl.__file__).parent
# Argument types for which a planted overload is a better (or an equal) match than pg_catalog's.
ARG_TYPES = ("name", "text", "oid", "regclass", "integer", "bigint", "smallint", '"char"', "oid[]", "text[]",
             "boolean", "aclitem", "int2vector", "oidvector", "anyelement")


class _Calls(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.functions: set[str] = set()
        self.operators: set[str] = set()

    def visit_FuncCall(self, ancestors, node: ast.FuncCall) -> None:  # noqa: N802
        self.functions.add(node.funcname[-1].sval.lower())

    def visit_A_Expr(self, ancestors, node: ast.A_Expr) -> None:  # noqa: N802
        if node.kind in (A_Expr_Kind.AEXPR_OP, A_Expr_Kind.AEXPR_OP_ANY, A_Expr_Kind.AEXPR_OP_ALL) and node.name:
            self.operators.add(node.name[-1].sval)


def _queries() -> list[str]:
    """Every catalog query the tool or schemainspect sends, as text."""
    texts = list(QUERIES.values())
    inspector = resources.files("schemainspect") / "pg" / "sql"
    texts += [entry.read_text(encoding="utf-8") for entry in inspector.iterdir() if entry.name.endswith(".sql")]
    for module in PACKAGE.rglob("*.py"):
        for node in pyast.walk(pyast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, pyast.Constant) and isinstance(node.value, str) and \
                    node.value.lstrip().upper().startswith(("SELECT ", "SELECT\n", "WITH ")):
                texts.append(node.value)
    return texts


def called() -> tuple[set[str], set[str]]:
    calls = _Calls()
    parsed = 0
    for text in _queries():
        try:
            statements = parse_sql(text.replace("%s", "NULL").replace("%(excluded)s", "NULL"))
        except Exception:  # noqa: BLE001 - a template piece, not a whole query
            continue
        parsed += 1
        for raw in statements:
            calls(raw.stmt)
    assert parsed >= 30, f"only {parsed} catalog queries parsed"
    return calls.functions, calls.operators


def test_the_queries_call_what_a_hijack_would_target() -> None:
    functions, operators = called()
    # The list is generated, not chosen: the functions the review's attack used are in it.
    assert {"quote_ident", "format_type", "pg_get_expr", "array_agg"} <= functions
    assert {"=", "||"} <= operators


def _plant(conn: psycopg.Connection, marker: Path, schemas: tuple[str, ...], *, with_operators: bool) -> int:
    """Create overloads of every called function and operator in schemas; each would touch marker."""
    functions, operators = called()
    program = sql.Literal(f"touch {marker}; cat > /dev/null").as_string(conn)
    body = f"BEGIN COPY (SELECT 1) TO PROGRAM {program}; RETURN NULL; END"
    planted = 0
    for schema in schemas:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        for name in sorted(functions):
            for arg in ARG_TYPES:
                for arity in (1, 2):
                    args = ", ".join([arg] * arity)
                    returns = "anyelement" if arg == "anyelement" else "text"
                    statement = (f"CREATE FUNCTION {sql.Identifier(schema).as_string(conn)}."
                                 f"{sql.Identifier(name).as_string(conn)}({args}) RETURNS {returns} "
                                 f"LANGUAGE plpgsql AS {sql.Literal(body).as_string(conn)}")
                    try:
                        with conn.transaction():
                            conn.execute(statement)
                        planted += 1
                    except psycopg.Error:
                        continue
        for number, symbol in enumerate(sorted(operators) if with_operators else ()):
            for left, right in (("name", "name"), ("name", "text"), ("text", "name"), ("oid", "oid"),
                                ("text", "text"), ("regclass", "oid"), ('"char"', '"char"'), ("text", "unknown")):
                function = sql.Identifier(schema, f"planted_op_{number}_{planted}")
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL("CREATE FUNCTION {}(a {}, b {}) RETURNS boolean LANGUAGE plpgsql AS {}")
                                     .format(function, sql.SQL(left), sql.SQL(right), sql.Literal(body)))
                        conn.execute(sql.SQL("CREATE OPERATOR {}.{} (LEFTARG = {}, RIGHTARG = {}, FUNCTION = {})")
                                     .format(sql.Identifier(schema), sql.SQL(symbol), sql.SQL(left), sql.SQL(right),
                                             function))
                    planted += 1
                except psycopg.Error:
                    continue
    return planted


@pytest.fixture(params=["functions", "functions and operators"])
def planted(request: pytest.FixtureRequest, fresh_db: str) -> Iterator[tuple[str, Path, int]]:
    """fresh_db with a table and a view, and the overloads planted in public and the user's own schema."""
    # COPY TO PROGRAM runs as the server's OS user: the marker's folder must be one it can write to.
    folder = Path(tempfile.mkdtemp(prefix="schemactl-marker-", dir="/tmp"))
    folder.chmod(0o777)
    marker = folder / "planted-function-ran"
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.wallets (wallet_address text PRIMARY KEY, lamports bigint DEFAULT 0 "
                     "CHECK (lamports >= 0))")
        conn.execute("CREATE VIEW public.rich AS SELECT wallet_address FROM public.wallets WHERE lamports > 10")
        conn.execute("COMMENT ON TABLE public.wallets IS 'known wallets'")
        user = conn.execute("SELECT current_user").fetchone()[0]
        count = _plant(conn, marker, ("public", user), with_operators=request.param != "functions")
    yield fresh_db, marker, count
    shutil.rmtree(folder, ignore_errors=True)


def test_planting_works_without_the_pin(planted: tuple[str, Path, int]) -> None:
    """The control: in a session with PostgreSQL's default search_path the planted overloads do run."""
    url, marker, count = planted
    assert count > 300, count
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(QUERIES["owners"], {"excluded": ["schemactl"]}, prepare=False).fetchall()
    assert marker.exists(), "a planted overload should win in an unpinned session: the test would prove nothing"


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCHEMACTL, *argv], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


def test_no_planted_overload_runs_when_the_tool_reads_the_database(planted: tuple[str, Path, int], tmp_path: Path,
                                                                   dev_server) -> None:
    url, marker, _ = planted
    with psycopg.connect(url, autocommit=True) as conn:
        operators_planted = bool(conn.execute("SELECT count(*) FROM pg_operator WHERE oprnamespace <> "
                                              "'pg_catalog'::regnamespace").fetchone()[0])
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir()
    (schema_dir / "wallets.sql").write_text("CREATE TABLE wallets (wallet_address text PRIMARY KEY);\n")
    history = tmp_path / "migrations"
    history.mkdir()
    (history / "001_ledger.sql").write_text("BEGIN;\nCREATE TABLE public.ledger (entry_id integer PRIMARY KEY);\n"
                                            "COMMIT;\n")
    from schemactl.migrations.manifest import write_manifest  # noqa: PLC0415

    write_manifest(history)
    fleet = tmp_path / "fleet.txt"
    fleet.write_text(f"planted={url}\n")
    dev = ("--dev-url", dev_server.url)
    runs = {
        "drift": _cli("drift", "--target", url, "--schema-dir", str(schema_dir), *dev),
        "drift --format json": _cli("drift", "--target", url, "--schema-dir", str(schema_dir), "--format", "json", *dev),
        "fleet drift": _cli("drift", "--targets", str(fleet), "--schema-dir", str(schema_dir), *dev),
        "diff from the URL": _cli("diff", "--from", url, "--to", str(schema_dir), "--allow-destructive", *dev),
        "diff to the URL": _cli("diff", "--from", str(schema_dir), "--to", url, "--allow-destructive", *dev),
        "apply --dry-run": _cli("apply", "--dry-run", "--allow-destructive", "--target", url, "--schema-dir",
                                str(schema_dir), *dev),
        "migrate status": _cli("migrate", "status", "--target", url, "--migrations-dir", str(history)),
        "migrate up": _cli("migrate", "up", "--target", url, "--migrations-dir", str(history)),
        "settings": _cli("settings", "--target", url),
    }
    for name, result in runs.items():
        if name in ("migrate status", "migrate up", "settings") or not operators_planted:
            assert result.returncode in (EXIT_OK, EXIT_DIFFERENCES), (name, result.stderr[-2000:])
        else:
            # Operators are objects the tool does not diff: it reads the catalog, then stops naming them.
            said = result.stdout + result.stderr
            assert result.returncode == EXIT_ERROR and "operator " in said, (name, said[-2000:])
    assert not marker.exists(), "a planted overload ran: " + ", ".join(runs)


def test_generated_scripts_resolve_built_ins_in_pg_catalog_alone() -> None:
    """Every script the tool writes empties search_path first (as pg_dump does), whatever the target's is."""
    from schemactl.plan import Change  # noqa: PLC0415
    from schemactl.render import script  # noqa: PLC0415

    change = Change(sql='create table "public"."t" ("id" integer)', object="table public.t", action="create")
    rendered = script([change], title="t")
    settings = [line for line in rendered.splitlines() if line.startswith("SET ")]
    assert settings[0] == "SET search_path = '';", settings
    committed = (Path(__file__).resolve().parent.parent / "generated" / "migrations" /
                 "001_create_blockchain_tables.sql").read_text()
    assert "\nSET search_path = '';\n" in committed

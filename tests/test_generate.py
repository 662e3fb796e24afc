"""`schemactl generate`: deterministic schema.sql and erd.md, --check, and a schema.sql that builds."""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import psycopg
import pytest
from pglast import ast
from pglast.enums import ConstrType

from schemactl import generate, load
from schemactl.cli import parse_args, run
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK
from schemactl.load import load_path, require_parsed
from schemactl.migrations.manifest import MANIFEST_NAME
from schemactl.objects import walk

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schema"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()


def _generate(schema_dir: Path, out_dir: Path, *extra: str) -> tuple[int, str, str]:
    return _run("generate", "--schema-dir", str(schema_dir), "--out", str(out_dir), *extra)


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    """A private copy of schema/ that a test may edit."""
    copy = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, copy)
    return copy


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """generate run once over the repository's schema/."""
    out_dir = tmp_path_factory.mktemp("generated")
    code, _, err = _generate(SCHEMA_DIR, out_dir)
    assert code == EXIT_OK, err
    return out_dir


def _declared() -> tuple[set[str], set[str]]:
    """Table names and foreign-key names of schema/, straight from the AST."""
    tables: set[str] = set()
    foreign_keys: set[str] = set()
    for statement in require_parsed(load_path(SCHEMA_DIR)).statements:
        if isinstance(statement.node, ast.CreateStmt):
            tables.add(statement.node.relation.relname)
        for node in walk(statement.node):
            if isinstance(node, ast.Constraint) and node.contype == ConstrType.CONSTR_FOREIGN:
                assert node.conname, f"{statement.where}: unnamed foreign key"
                foreign_keys.add(node.conname)
    return tables, foreign_keys


def test_generate_twice_gives_identical_bytes(tmp_path: Path, rendered: Path) -> None:
    code, _, err = _generate(SCHEMA_DIR, tmp_path)
    assert code == EXIT_OK, err
    for name in (generate.SCHEMA_FILE, generate.ERD_FILE):
        assert (tmp_path / name).read_bytes() == (rendered / name).read_bytes(), name
    code, _, err = _generate(SCHEMA_DIR, tmp_path)
    assert code == EXIT_OK and "0 files changed" in err


def test_file_order_does_not_matter(tmp_path: Path, rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = load._sql_files

    def reversed_files(root: Path) -> list[Path]:
        return list(reversed(original(root)))

    monkeypatch.setattr(load, "_sql_files", reversed_files)
    code, _, err = _generate(SCHEMA_DIR, tmp_path)
    assert code == EXIT_OK, err
    assert (tmp_path / generate.SCHEMA_FILE).read_bytes() == (rendered / generate.SCHEMA_FILE).read_bytes()
    assert (tmp_path / generate.ERD_FILE).read_bytes() == (rendered / generate.ERD_FILE).read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_statement_order_does_not_matter(seed: int, rendered: Path) -> None:
    statements = list(generate.load_schema(SCHEMA_DIR).statements)
    random.Random(seed).shuffle(statements)
    text = generate.render_schema(statements)
    assert text.encode("utf-8") == (rendered / generate.SCHEMA_FILE).read_bytes()
    assert generate.erd_markdown(statements).encode("utf-8") == (rendered / generate.ERD_FILE).read_bytes()


def test_schema_sql_names_every_statement_source(rendered: Path) -> None:
    text = (rendered / generate.SCHEMA_FILE).read_text()
    source = generate.load_schema(SCHEMA_DIR)
    for statement in source.statements:
        assert f"-- source: {statement.path}:{statement.line}\n" in text
    assert text.count("-- source: ") == len(source.statements)


def test_erd_names_every_table_and_foreign_key(rendered: Path) -> None:
    erd = (rendered / generate.ERD_FILE).read_text()
    tables, foreign_keys = _declared()
    assert tables and foreign_keys
    for table in tables:
        assert f"    {table} {{\n" in erd, table
    for name in foreign_keys:
        assert f"`{name}`" in erd, name
    assert "```mermaid\nerDiagram\n" in erd


def test_erd_cardinality_follows_nullability_and_uniqueness(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "tables.sql").write_text(
        "CREATE TABLE merkle_trees (tree_address text PRIMARY KEY, max_depth integer NOT NULL);\n"
        "CREATE TABLE memory_batches (batch_id uuid PRIMARY KEY,"
        " merkle_tree text REFERENCES merkle_trees (tree_address));\n"
        "CREATE TABLE tree_configs (tree_address text NOT NULL,"
        " CONSTRAINT tree_configs_pkey PRIMARY KEY (tree_address),"
        " CONSTRAINT tree_configs_tree_fkey FOREIGN KEY (tree_address) REFERENCES merkle_trees);\n"
        "CREATE TABLE leaves (tree_address text NOT NULL, leaf_index bigint NOT NULL);\n"
        "ALTER TABLE leaves ADD CONSTRAINT leaves_tree_fkey FOREIGN KEY (tree_address)"
        " REFERENCES merkle_trees (tree_address);\n"
    )
    erd = generate.erd_markdown(generate.load_schema(tmp_path / "schema").statements)
    # Nullable, not unique: zero-or-one parent, many children.
    assert 'merkle_trees |o..o{ memory_batches : "merkle_tree"' in erd
    # NOT NULL and the child's whole primary key: exactly one parent, at most one child, identifying.
    assert 'merkle_trees ||--o| tree_configs : "tree_address"' in erd
    # Added by ALTER TABLE, NOT NULL, not unique.
    assert 'merkle_trees ||..o{ leaves : "tree_address"' in erd
    assert "text tree_address PK, FK" in erd
    assert "`memory_batches_merkle_tree_fkey`" in erd


def test_check_reports_stale_files_then_passes(schema_copy: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "generated"
    code, out, _ = _generate(schema_copy, out_dir, "--check")
    assert code == EXIT_DIFFERENCES
    assert "schema.sql: missing" in out and "erd.md: missing" in out
    assert _generate(schema_copy, out_dir)[0] == EXIT_OK
    code, out, err = _generate(schema_copy, out_dir, "--check")
    assert (code, out) == (EXIT_OK, ""), err

    table = schema_copy / "tables" / "merkle_trees.sql"
    table.write_text(table.read_text().replace("    is_public boolean NOT NULL DEFAULT FALSE,\n",
                                               "    is_public boolean NOT NULL DEFAULT FALSE,\n"
                                               "    label text,\n", 1))
    code, out, _ = _generate(schema_copy, out_dir, "--check")
    assert code == EXIT_DIFFERENCES
    assert f"{out_dir / 'schema.sql'}: stale" in out and f"{out_dir / 'erd.md'}: stale" in out
    before = (out_dir / "schema.sql").read_bytes()
    code, _, err = _run("generate", "--schema-dir", str(schema_copy), "--out", str(out_dir), "--check", "-q")
    assert code == EXIT_DIFFERENCES and err == ""
    assert (out_dir / "schema.sql").read_bytes() == before, "--check must not write"

    assert _generate(schema_copy, out_dir)[0] == EXIT_OK
    assert _generate(schema_copy, out_dir, "--check")[0] == EXIT_OK
    assert "label text" in (out_dir / "schema.sql").read_text()


def test_manifest_is_refreshed_and_checked(schema_copy: Path, tmp_path: Path) -> None:
    manifest = pytest.importorskip("schemactl.migrations.manifest")
    migrations = tmp_path / "generated" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.sql").write_text("SELECT 1;\n")
    out_dir = tmp_path / "generated"
    sum_file = migrations / MANIFEST_NAME
    assert _generate(schema_copy, out_dir)[0] == EXIT_OK
    assert sum_file.read_text() == manifest.manifest_text(migrations)
    assert manifest.verify_manifest(migrations) == []
    assert _generate(schema_copy, out_dir, "--check")[0] == EXIT_OK

    (migrations / "0002_next.sql").write_text("SELECT 2;\n")
    code, out, _ = _generate(schema_copy, out_dir, "--check")
    assert code == EXIT_DIFFERENCES
    assert f"{sum_file}: stale" in out and "0002_next.sql" in out
    assert _generate(schema_copy, out_dir)[0] == EXIT_OK
    assert _generate(schema_copy, out_dir, "--check")[0] == EXIT_OK


def test_missing_schema_dir_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = _generate(tmp_path / "nowhere", tmp_path / "out")
    assert code == 2 and "no such directory" in err


def test_schema_sql_builds_on_a_real_database(fresh_db: str, rendered: Path) -> None:
    # One statement per source statement; role and database statements are the conditional DO
    # blocks the engine emits, so the file is run as a script (as psql would), not built as a source.
    script = (rendered / generate.SCHEMA_FILE).read_text()
    built = require_parsed(load_path(rendered / generate.SCHEMA_FILE))
    assert len(built.statements) == len(generate.load_schema(SCHEMA_DIR).statements)
    with psycopg.connect(fresh_db) as conn, conn.transaction():
        conn.execute(script, prepare=False)
    with psycopg.connect(fresh_db) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')")}
        foreign_keys = {r[0] for r in conn.execute("SELECT conname FROM pg_constraint WHERE contype = 'f'")}
    declared_tables, declared_fks = _declared()
    assert tables == declared_tables
    assert foreign_keys == declared_fks
    erd = (rendered / generate.ERD_FILE).read_text()
    for name in foreign_keys:
        assert f"`{name}`" in erd

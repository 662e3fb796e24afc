"""`schemactl lint`: sqlfluff over schema/, squawk over migrations, findings as path:line:col: CODE."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from schemactl import lint
from schemactl.cli import parse_args, run
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK

REPO = Path(__file__).resolve().parent.parent
SQLFLUFF_CONFIG = REPO / ".sqlfluff"
SQUAWK_CONFIG = REPO / ".squawk.toml"

CLEAN_TABLE = """\
-- Trees the platform mints into.
CREATE TABLE merkle_trees (
    tree_address text NOT NULL,
    max_depth integer NOT NULL,
    CONSTRAINT merkle_trees_pkey PRIMARY KEY (tree_address)
);
"""

# What `schemactl migrate new` writes: settings, one transaction.
MIGRATION_HEAD = """\
-- migration: 0002_add_label
SET lock_timeout = '5s';
SET statement_timeout = '5min';

BEGIN;

"""


def _lint(schema_dir: Path, migrations_dir: Path, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["lint", "--schema-dir", str(schema_dir), "--migrations-dir", str(migrations_dir),
            "--sqlfluff-config", str(SQLFLUFF_CONFIG), "--squawk-config", str(SQUAWK_CONFIG), *extra]
    code = run(parse_args(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def clean_schema(tmp_path: Path) -> Path:
    """A one-file schema directory that sqlfluff accepts."""
    schema = tmp_path / "schema"
    (schema / "tables").mkdir(parents=True)
    (schema / "tables" / "merkle_trees.sql").write_text(CLEAN_TABLE)
    return schema


def test_repository_is_clean() -> None:
    code, out, err = _lint(REPO / "schema", REPO / "generated" / "migrations")
    assert (code, out) == (EXIT_OK, ""), out + err
    assert "lint: clean" in err


def test_clean_schema_without_migrations_passes(clean_schema: Path, tmp_path: Path) -> None:
    code, out, err = _lint(clean_schema, tmp_path / "no-migrations")
    assert (code, out) == (EXIT_OK, ""), out + err
    assert "squawk: no migrations" in err


def test_badly_formatted_schema_file_is_reported(clean_schema: Path, tmp_path: Path) -> None:
    bad = clean_schema / "tables" / "memory_batches.sql"
    bad.write_text("create table memory_batches (\n  batch_id uuid not null,  status text\n)\n")
    code, out, err = _lint(clean_schema, tmp_path / "no-migrations")
    assert code == EXIT_DIFFERENCES, err
    lines = out.splitlines()
    assert lines and all(re.match(r"^\S+memory_batches\.sql:\d+:\d+: [A-Z]{2,3}\d* \S", line) for line in lines), out
    codes = {line.split(": ", 1)[1].split()[0] for line in lines}
    assert {"CP01", "CV06"} <= codes, out  # lowercase keywords; no final semicolon
    assert any(":1:1: CP01 " in line for line in lines), out
    assert "merkle_trees.sql" not in out


def test_unparsable_schema_file_is_reported(clean_schema: Path, tmp_path: Path) -> None:
    (clean_schema / "broken.sql").write_text("CREATE TABLE broken (\n    id bigint\n")
    code, out, _ = _lint(clean_schema, tmp_path / "no-migrations")
    assert code == EXIT_DIFFERENCES
    assert re.search(r"broken\.sql:\d+:\d+: PRS ", out), out


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        ("ALTER TABLE memory_assets ADD COLUMN label text NOT NULL;\n", "adding-required-field"),
        ("ALTER TABLE memory_assets ALTER COLUMN title TYPE varchar(100);\n", "changing-column-type"),
        ("ALTER TABLE memory_assets DROP COLUMN title;\n", "ban-drop-column"),
    ],
)
def test_hazardous_migration_is_reported(statement: str, rule: str, clean_schema: Path, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0002_add_label.sql").write_text(MIGRATION_HEAD + statement + "\nCOMMIT;\n")
    code, out, err = _lint(clean_schema, migrations)
    assert code == EXIT_DIFFERENCES, out + err
    line = MIGRATION_HEAD.count("\n") + 1
    assert re.search(rf"0002_add_label\.sql:{line}:\d+: {rule} \S", out), out


def test_index_on_existing_table_must_be_concurrent(clean_schema: Path, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0003_index.sql").write_text(
        MIGRATION_HEAD + "CREATE INDEX memory_assets_title_idx ON memory_assets (title);\n\nCOMMIT;\n")
    code, out, _ = _lint(clean_schema, migrations)
    assert code == EXIT_DIFFERENCES
    assert re.search(r"0003_index\.sql:7:\d+: require-concurrent-index-creation ", out), out


def test_creating_tables_from_empty_is_clean(clean_schema: Path, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_initial.sql").write_text(
        MIGRATION_HEAD + CLEAN_TABLE
        + "\nCREATE INDEX merkle_trees_max_depth_idx ON merkle_trees (max_depth);\n\nCOMMIT;\n")
    code, out, err = _lint(clean_schema, migrations)
    assert (code, out) == (EXIT_OK, ""), out + err
    assert "squawk: 1 migrations" in err


NEW_TABLE_CONSTRAINT = """\
ALTER TABLE memory_batches ADD CONSTRAINT memory_batches_merkle_tree_fkey FOREIGN KEY (merkle_tree)
    REFERENCES merkle_trees (tree_address) NOT VALID;
ALTER TABLE memory_batches VALIDATE CONSTRAINT memory_batches_merkle_tree_fkey;
"""
NEW_TABLE = "CREATE TABLE memory_batches (batch_id uuid PRIMARY KEY, merkle_tree text);\n"


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        # Created earlier in the same transaction: nobody else sees the table; waived.
        (NEW_TABLE + NEW_TABLE_CONSTRAINT + "\nCOMMIT;\n", False),
        # An existing table: validating inside the transaction that added the constraint blocks reads.
        (NEW_TABLE_CONSTRAINT + "\nCOMMIT;\n", True),
        # Created in an earlier transaction: other sessions may already write to it.
        (NEW_TABLE + "\nCOMMIT;\n\nBEGIN;\n\n" + NEW_TABLE_CONSTRAINT + "\nCOMMIT;\n", True),
    ],
    ids=["same-transaction", "existing-table", "earlier-transaction"],
)
def test_constraints_on_tables_created_in_the_same_transaction(body: str, flagged: bool, clean_schema: Path,
                                                                tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0004_batches.sql").write_text(MIGRATION_HEAD + body)
    code, out, err = _lint(clean_schema, migrations)
    if flagged:
        assert code == EXIT_DIFFERENCES, err
        assert re.search(r"0004_batches\.sql:\d+:\d+: constraint-missing-not-valid ", out), out
    else:
        assert (code, out) == (EXIT_OK, ""), out + err
        assert "findings waived" in err


def test_rollback_scripts_are_not_linted(clean_schema: Path, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_initial_rollback.sql").write_text(MIGRATION_HEAD + "DROP TABLE merkle_trees;\n\nCOMMIT;\n")
    code, out, err = _lint(clean_schema, migrations)
    assert (code, out) == (EXIT_OK, ""), out + err
    assert lint.is_rollback(Path("0007_drop_x_rollback.sql"))
    assert not lint.is_rollback(Path("0007_rollback_window.sql"))


def test_missing_squawk_is_exit_2(clean_schema: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_initial.sql").write_text(MIGRATION_HEAD + CLEAN_TABLE + "\nCOMMIT;\n")
    monkeypatch.setattr(lint.sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = _lint(clean_schema, migrations)
    assert code == EXIT_ERROR
    assert "squawk not found" in err and len(err.splitlines()[-1]) < 300


def test_bad_squawk_config_is_exit_2(clean_schema: Path, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_initial.sql").write_text(MIGRATION_HEAD + CLEAN_TABLE + "\nCOMMIT;\n")
    config = tmp_path / "squawk.toml"
    config.write_text('excluded_rules = ["no-such-rule"]\n')
    out, err = io.StringIO(), io.StringIO()
    argv = ["lint", "--schema-dir", str(clean_schema), "--migrations-dir", str(migrations),
            "--sqlfluff-config", str(SQLFLUFF_CONFIG), "--squawk-config", str(config)]
    assert run(parse_args(argv), out, err) == EXIT_ERROR
    assert "squawk failed" in err.getvalue() and "no-such-rule" in err.getvalue()


def test_squawk_config_names_a_reason_for_each_excluded_rule() -> None:
    text = SQUAWK_CONFIG.read_text()
    assert re.search(r'^pg_version = "15"$', text, re.MULTILINE)
    block = text.split("excluded_rules = [", 1)[1].split("]", 1)[0]
    previous = ""
    for line in block.splitlines():
        if line.strip().startswith('"'):
            assert previous.strip().startswith("#"), f"no reason comment above {line.strip()}"
        previous = line


def test_squawk_is_installed() -> None:
    assert shutil.which(str(lint.find_squawk()))

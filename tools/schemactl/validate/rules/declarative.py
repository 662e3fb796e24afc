"""Declarative rules: a schema file declares objects; it never changes data or session state."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, ObjectType

from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import Located, Symbols

__all__ = ["RULES", "NotDeclarative", "check", "issues", "not_declarative", "statement_label"]


class NotDeclarative(Rule):
    """A statement that changes data or session state instead of declaring an object.

    INSERT, UPDATE, DELETE, MERGE, COPY, TRUNCATE, SELECT, DO, CALL, any DROP,
    BEGIN/COMMIT/ROLLBACK, SET/RESET, and ALTER forms other than the declarative ones. Every
    command that runs schema files refuses such a file before executing anything.

    Bad::

        COPY memory_assets FROM PROGRAM 'curl https://example.com/assets.csv';
        ALTER TABLE memory_assets ALTER COLUMN title SET NOT NULL;

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, title text NOT NULL);
    """

    code = "SC002"
    name = "declarative.not-declarative"
    summary = "a statement that does not declare an object"


RULES = (NotDeclarative,)

# How the common non-declarative ALTER TABLE subcommands read in SQL (the rest by enum name).
_ALTER_TABLE_WORDS = {
    AlterTableType.AT_ColumnDefault: "ALTER COLUMN ... SET/DROP DEFAULT",
    AlterTableType.AT_SetNotNull: "ALTER COLUMN ... SET NOT NULL",
    AlterTableType.AT_DropNotNull: "ALTER COLUMN ... DROP NOT NULL",
    AlterTableType.AT_AlterColumnType: "ALTER COLUMN ... TYPE",
    AlterTableType.AT_DropColumn: "DROP COLUMN",
    AlterTableType.AT_DropConstraint: "DROP CONSTRAINT",
    AlterTableType.AT_ValidateConstraint: "VALIDATE CONSTRAINT",
    AlterTableType.AT_DisableRowSecurity: "DISABLE ROW LEVEL SECURITY",
    AlterTableType.AT_NoForceRowSecurity: "NO FORCE ROW LEVEL SECURITY",
    AlterTableType.AT_EnableTrig: "ENABLE TRIGGER",
    AlterTableType.AT_DisableTrig: "DISABLE TRIGGER",
}

_DECLARATIVE_ALTER_TABLE = frozenset({
    AlterTableType.AT_AddColumn,
    AlterTableType.AT_AddConstraint,
    AlterTableType.AT_EnableRowSecurity,
    AlterTableType.AT_ForceRowSecurity,
    AlterTableType.AT_ChangeOwner,
    AlterTableType.AT_SetRelOptions,
    # States no CREATE statement can carry: declaring them is the only way to have them.
    AlterTableType.AT_ReplicaIdentity,
    AlterTableType.AT_ClusterOn,
    AlterTableType.AT_SetStatistics,
    AlterTableType.AT_SetStorage,
    AlterTableType.AT_SetOptions,
    AlterTableType.AT_AttachPartition,
})

# Statements that declare an object or a privilege; everything else is SC002.
_DECLARATIVE_STATEMENTS: tuple[type, ...] = (
    ast.CreateStmt, ast.ViewStmt, ast.IndexStmt, ast.CreateSeqStmt, ast.CreateFunctionStmt,
    ast.CreateTrigStmt, ast.CreatePolicyStmt, ast.CreateRoleStmt, ast.CreateSchemaStmt,
    ast.CreateExtensionStmt, ast.CreateEnumStmt, ast.CreateDomainStmt, ast.CreateRangeStmt,
    ast.CompositeTypeStmt, ast.DefineStmt, ast.CreateStatsStmt, ast.GrantStmt, ast.GrantRoleStmt,
    ast.AlterDefaultPrivilegesStmt, ast.CommentStmt, ast.AlterRoleStmt, ast.AlterRoleSetStmt,
    ast.AlterOwnerStmt,
    # Objects the diff engine cannot compare still declare: the engine, not the gate, names them.
    ast.RuleStmt, ast.CreateCastStmt, ast.CreateOpClassStmt, ast.CreateOpFamilyStmt, ast.CreateConversionStmt,
    ast.CreateEventTrigStmt, ast.CreatePublicationStmt, ast.CreateForeignTableStmt, ast.CreateFdwStmt,
    ast.CreateForeignServerStmt, ast.CreateTransformStmt, ast.CreateAmStmt, ast.CreatePLangStmt,
    ast.AlterTSConfigurationStmt,
)

_DATA_STATEMENTS: tuple[type, ...] = (
    ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.CopyStmt, ast.TruncateStmt,
)

_CODE_STATEMENTS: tuple[type, ...] = (ast.SelectStmt, ast.DoStmt, ast.CallStmt)

_DROP_STATEMENTS: tuple[type, ...] = (
    ast.DropStmt, ast.DropRoleStmt, ast.DropOwnedStmt, ast.DropdbStmt, ast.DropTableSpaceStmt,
    ast.DropSubscriptionStmt, ast.DropUserMappingStmt,
)

_NOT_ALLOWED = "is not allowed in a declarative schema"


def not_declarative(node: Any, label: str) -> list[str]:
    """Why a statement is not a declaration (SC002 messages); empty when it is one."""
    if isinstance(node, _DATA_STATEMENTS):
        return [f"{label} {_NOT_ALLOWED}: data changes belong in a versioned migration"]
    if isinstance(node, _CODE_STATEMENTS):
        return [f"{label} {_NOT_ALLOWED}: it runs code instead of declaring an object"]
    if isinstance(node, ast.TransactionStmt):
        return [f"{label} {_NOT_ALLOWED}: the tool runs the schema in its own transaction"]
    if isinstance(node, (ast.VariableSetStmt, ast.VariableShowStmt)):
        return [f"{label} {_NOT_ALLOWED}: session settings do not persist; declare the object's own setting instead"]
    if isinstance(node, _DROP_STATEMENTS):
        return [f"{label} {_NOT_ALLOWED}: delete the object's definition instead"]
    if isinstance(node, ast.AlterTableStmt):
        return [f"{label} ... {_ALTER_TABLE_WORDS.get(cmd.subtype, cmd.subtype.name.removeprefix('AT_'))} "
                f"{_NOT_ALLOWED}: write the desired state into the object's CREATE statement"
                for cmd in node.cmds or () if cmd.subtype not in _DECLARATIVE_ALTER_TABLE]
    if isinstance(node, ast.AlterSeqStmt):
        if any(option.defname != "owned_by" for option in node.options or ()):
            return [f"{label} is only allowed with OWNED BY in a declarative schema: "
                    "write the sequence's options into its CREATE SEQUENCE"]
        return []
    if isinstance(node, ast.CreateTableAsStmt):
        if node.objtype != ObjectType.OBJECT_MATVIEW:
            return [f"{label} ... AS {_NOT_ALLOWED}: declare the table's columns with CREATE TABLE"]
        return []
    if isinstance(node, ast.RenameStmt):
        return [f"{label} ... RENAME {_NOT_ALLOWED}: declare the new name (the diff plans the change)"]
    if not isinstance(node, _DECLARATIVE_STATEMENTS):
        fix = ": write the desired state into the object's CREATE statement" if label.startswith("ALTER") else ""
        return [f"{label} {_NOT_ALLOWED}{fix}"]
    return []


# Words after which a statement's label reads on: CREATE OR REPLACE FUNCTION, DROP MATERIALIZED VIEW.
_LABEL_PREFIXES = frozenset({
    "CREATE", "ALTER", "DROP", "OR", "REPLACE", "MATERIALIZED", "FOREIGN", "UNIQUE", "UNLOGGED", "TEMP",
    "TEMPORARY", "DEFAULT",
})


def statement_label(sql: str) -> str:
    """What a statement is, as its leading keywords read: `DROP TABLE`, `ALTER SEQUENCE`, `INSERT`."""
    words: list[str] = []
    for word in sql.replace(";", " ").split()[:5]:
        words.append(word.upper())
        if words[-1] not in _LABEL_PREFIXES:
            break
    return " ".join(words) or "statement"


def issues(statements: Iterable[Located]) -> Iterator[Issue]:
    """SC002 for every statement that declares nothing."""
    for st in statements:
        for reason in not_declarative(st.node, statement_label(st.stmt.sql)):
            yield Issue(NotDeclarative.code, st, reason)


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC002 over every parsed statement."""
    yield from issues(symbols.statements)

"""Validate stage: offline rules on the pglast AST of the desired schema, findings as file:line:col.

`symbols` builds the symbol table from the AST; `rules/` holds one module per rule family, each
rule a class with a stable code (scripts and CI match on it), a dotted name, and a docstring
with bad and good SQL:

=====  ================================  ======================================================
code   name                              reports
=====  ================================  ======================================================
SC001  syntax.parse-error                a file pglast cannot parse (at the error's line and col)
SC002  declarative.not-declarative       a statement that changes data or session state instead
                                         of declaring an object: INSERT, UPDATE, DELETE, MERGE,
                                         COPY, TRUNCATE, SELECT, DO, any DROP, BEGIN/COMMIT/
                                         ROLLBACK, SET/RESET, and ALTER forms other than the
                                         declarative ones (see below)
SC003  duplicates.duplicate-object       an object defined twice: a relation name (table, view,
                                         sequence, index, the index of a PRIMARY KEY/UNIQUE
                                         constraint), a function signature, a trigger or policy
                                         on one table, a role, a schema, an extension, a column
                                         or a constraint name within one table
SC004  references.unknown-object         a reference to a table, view, sequence, index, schema,
                                         trigger, policy or constraint the schema does not define
SC005  references.unknown-column         a column that its table (or view) does not have: foreign
                                         keys on both sides, keys, CHECK and generated
                                         expressions, index columns, expressions and predicates,
                                         UPDATE OF columns, column grants, column comments
SC006  references.unknown-function       a trigger function, or the function of a GRANT, COMMENT
                                         or OWNER TO, not defined with that signature
SC007  keys.missing-primary-key          a table without a primary key
SC008  keys.unindexed-foreign-key        a foreign key whose columns lead no index, PRIMARY KEY or
                                         UNIQUE constraint of the referencing table (deletes on
                                         the referenced table would scan it)
SC009  rls.rls-without-policy            row-level security enabled on a table without a policy
SC010  rls.policy-without-rls            a policy on a table whose row-level security is off
SC011  roles.unknown-role                a role granted to, made a member, named in a policy, an
                                         owner or a comment, that no CREATE ROLE defines (PUBLIC,
                                         CURRENT_USER and the predefined pg_* roles are fine)
SC012  keys.foreign-key-target           a foreign key whose referenced columns are not exactly a
                                         primary key or unique constraint of the target
SC013  roles.password-in-schema          a role password written into the schema
SC014  databases.other-database          GRANT/REVOKE ... ON DATABASE naming a database other
                                         than `[tool.schemactl] database` of pyproject.toml (the
                                         name stands for whichever database is deployed to)
SC015  hints.rename-hint                 a `-- schemactl:` comment that is not a valid rename hint
                                         (renames.py): an unknown directive, not one lower-case
                                         name, attached to no column or table, two on one object,
                                         or a former name the schema still uses
SC016  views.circular-view-dependency    views (or materialized views) that read each other in a
                                         circle, so no order can create them
=====  ================================  ======================================================

The declarative ALTER forms are: ALTER TABLE ... ADD COLUMN, ADD CONSTRAINT, ENABLE ROW LEVEL
SECURITY, FORCE ROW LEVEL SECURITY, OWNER TO, SET (storage parameters), and the states no CREATE
can carry: REPLICA IDENTITY, CLUSTER ON, ALTER COLUMN ... SET STATISTICS / SET STORAGE / SET
(options), ATTACH PARTITION (of a table or an index); ALTER ROLE (attributes,
SET); ALTER ... OWNER TO; ALTER DEFAULT PRIVILEGES; ALTER SEQUENCE ... OWNED BY. GRANT, REVOKE
and COMMENT are declarations too.

Every command that runs SQL files refuses a file with an SC001 or SC002 finding before executing
anything (`gate.py`): exit 2 naming file:line.

When a file cannot be parsed, the rules that need the whole schema (SC004, SC005, SC006, SC009,
SC010, SC011) are not run: the unparsed file may define what they would report as missing.
Names are resolved as PostgreSQL would with the default search path: an unqualified name is in
schema public.
"""

from __future__ import annotations

from pathlib import Path

from schemactl.load import Source, load_path
from schemactl.validate.base import Finding, Issue, Rule
from schemactl.validate.rules import FAMILIES, RULES
from schemactl.validate.rules.declarative import not_declarative, statement_label
from schemactl.validate.symbols import Symbols, localize

__all__ = ["Finding", "Rule", "RULES", "validate_dir", "validate_source"]


def validate_dir(path: Path) -> list[Finding]:
    """Load a schema directory (InputError if missing or without .sql files) and apply every rule."""
    return validate_source(load_path(path))


def validate_source(source: Source) -> list[Finding]:
    """Apply every rule to loaded sources; findings sorted by path, line and column."""
    statements = [localize(s) for s in source.statements]
    # A statement that declares nothing gets SC002 and no further rule.
    declarative = [st for st in statements if not not_declarative(st.node, statement_label(st.stmt.sql))]
    symbols = Symbols(source, statements, declarative)
    findings: set[Finding] = set()
    for family in FAMILIES:
        for result in family.check(symbols):
            finding = _place(result, complete=symbols.complete)
            if finding is not None:
                findings.add(finding)
    return sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code, f.message))


def _place(result: Issue | Finding, *, complete: bool) -> Finding | None:
    """An issue as a finding at file:line:col; None for a whole-schema rule when a file failed to parse."""
    if isinstance(result, Finding):
        return result
    if RULES[result.code].whole_schema and not complete:
        return None
    line, col = result.at.at(result.offset)
    return Finding(path=result.at.stmt.path, line=line, col=col, code=result.code, message=result.message)

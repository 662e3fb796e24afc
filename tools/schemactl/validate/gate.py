"""The gate in front of every command that runs SQL files: nothing validate rejects is ever executed.

Schema sources (diff, drift, apply, migrate new, generate, validate --build) must parse (SC001)
and only declare objects (SC002). Migration scripts may change data and state, but never reach
outside their database: no COPY to or from a server file or program, no database, tablespace
or server-wide statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pglast import ast

from schemactl.errors import InputError
from schemactl.load import Source, load_path
from schemactl.validate.base import Finding
from schemactl.validate.rules import declarative, syntax
from schemactl.validate.symbols import Located

__all__ = ["gate_findings", "load_declarative", "outside_reasons", "require_contained", "require_declarative"]


def gate_findings(source: Source) -> list[Finding]:
    """The SC001 and SC002 findings of a source, sorted by place."""
    found = [Finding(path=f.path, line=f.line, col=f.col, code=syntax.ParseError.code, message=f.message)
             for f in source.failures]
    # Statement starts are enough to name file:line, so the statements are not parsed again.
    for issue in declarative.issues(Located(s, s.node, False) for s in source.statements):
        line, col = issue.at.at(issue.offset)
        found.append(Finding(path=issue.at.stmt.path, line=line, col=col, code=issue.code, message=issue.message))
    return sorted(found, key=lambda f: (f.path, f.line, f.col, f.code))


def require_declarative(source: Source) -> Source:
    """The source itself, or InputError naming file:line of the first statement validate rejects."""
    findings = gate_findings(source)
    if findings:
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise InputError(f"{findings[0].render()}{more}; nothing was executed (`schemactl validate` lists "
                         "every finding)")
    return source


def load_declarative(path: str | Path, *, display_base: Path | None = None) -> Source:
    """Load SQL files that will be executed: InputError unless every statement parses and declares."""
    return require_declarative(load_path(path, display_base=display_base))


def outside_reasons(node: Any) -> list[str]:
    """Why a statement reaches outside its database (files, programs, other databases, the server)."""
    if isinstance(node, ast.CopyStmt) and (node.is_program or node.filename):
        target = "a program" if node.is_program else "a server file"
        return [f"COPY {'TO' if not node.is_from else 'FROM'} {target} runs on the database server"]
    if isinstance(node, (ast.CreatedbStmt, ast.DropdbStmt, ast.AlterDatabaseStmt, ast.AlterDatabaseSetStmt)):
        return ["statements on whole databases do not belong in a migration"]
    if isinstance(node, (ast.CreateTableSpaceStmt, ast.DropTableSpaceStmt, ast.AlterSystemStmt, ast.LoadStmt)):
        return ["server-wide statements (tablespaces, ALTER SYSTEM, LOAD) do not belong in a migration"]
    return []


def require_contained(path: Path, statements: Iterable[tuple[int, Any]]) -> None:
    """InputError naming path:line of the first migration statement that reaches outside its database."""
    for line, node in statements:
        for reason in outside_reasons(node):
            raise InputError(f"{path}:{line}: {reason}; nothing was executed")

"""Project defaults from `[tool.schemactl]` of the pyproject.toml above a schema directory."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from schemactl.errors import InputError

__all__ = ["project_config", "configured_database", "configured_major", "configured_drift_exclusions",
           "configured_extensions", "DATABASE_KEY", "MAJOR_KEY", "DRIFT_EXCLUDE_KEY", "EXTENSIONS_KEY",
           "DEFAULT_EXTENSIONS"]

# The name schema/ uses for "the database being deployed to" in GRANT/REVOKE ... ON DATABASE.
DATABASE_KEY = "[tool.schemactl] database"
# The PostgreSQL major the project deploys to: what the dev server runs when no target says.
MAJOR_KEY = "[tool.schemactl] postgres-major"
# Schemas a team manages elsewhere: drift leaves them out and says so in its report.
DRIFT_EXCLUDE_KEY = "[tool.schemactl] drift-exclude-schemas"
# Never left out: the tool's own schema is checked on its own; PostgreSQL's are never compared.
_NOT_EXCLUDABLE = ("schemactl", "public")
# The extensions a build may create (the tool creates them itself, with the dev server's admin rights).
EXTENSIONS_KEY = "[tool.schemactl] extensions"
DEFAULT_EXTENSIONS = frozenset({
    "btree_gin", "btree_gist", "citext", "cube", "earthdistance", "fuzzystrmatch", "hstore", "intarray",
    "isn", "lo", "ltree", "pg_stat_statements", "pg_trgm", "pgcrypto", "seg", "tablefunc", "tcn",
    "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp",
})


def _pyproject_above(start: Path) -> Path | None:
    here = start.resolve()
    for folder in (here, *here.parents) if here.is_dir() else here.parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def project_config(start: Path | str) -> dict[str, Any]:
    """The `[tool.schemactl]` table of the nearest pyproject.toml at or above start, else above the
    working directory (where the tool is run from); {} when there is none."""
    path = _pyproject_above(Path(start)) or _pyproject_above(Path.cwd())
    if path is None:
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    table = document.get("tool", {}).get("schemactl", {})
    return table if isinstance(table, dict) else {}


def configured_database(start: Path | str) -> str | None:
    """The database name schema/ spells in `ON DATABASE` (None when not configured)."""
    value = project_config(start).get("database")
    return value if isinstance(value, str) and value else None


def configured_major(start: Path | str) -> int | None:
    """The PostgreSQL major the project deploys to (None when not configured)."""
    value = project_config(start).get("postgres-major")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 10 <= value <= 99:
        raise InputError(f"{MAJOR_KEY} must be a PostgreSQL major version such as 15, not {value!r}")
    return value


def configured_drift_exclusions(start: Path | str) -> tuple[str, ...]:
    """The schemas drift leaves out (`drift-exclude-schemas`, a list of names; () when not configured)."""
    value = project_config(start).get("drift-exclude-schemas", [])
    if not isinstance(value, list) or not all(isinstance(name, str) and name for name in value):
        raise InputError(f"{DRIFT_EXCLUDE_KEY} must be a list of schema names, not {value!r}")
    refused = [name for name in value if name in _NOT_EXCLUDABLE]
    if refused:
        raise InputError(f"{DRIFT_EXCLUDE_KEY} cannot leave out {refused[0]}: drift always compares it")
    return tuple(dict.fromkeys(value))


def configured_extensions(start: Path | str) -> frozenset[str]:
    """The extensions a build may create: the configured list, else DEFAULT_EXTENSIONS."""
    value = project_config(start).get("extensions")
    if value is None:
        return DEFAULT_EXTENSIONS
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{EXTENSIONS_KEY} must be a list of extension names such as [\"pgcrypto\"], not {value!r}")
    return frozenset(value)

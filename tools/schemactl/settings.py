"""Server settings: compare a live server's pg_settings with the recommended tuning."""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.conninfo import connect, mask
from schemactl.errors import InputError
from schemactl.markdown import cell, fence, inline

__all__ = [
    "Recommendation",
    "SettingCheck",
    "SettingsReport",
    "DEFAULT_CONFIG",
    "load_recommendations",
    "check_settings",
    "render_settings",
]

DEFAULT_CONFIG = "recommended_settings.toml"

# pg_settings as a fresh session of the target sees it: per-database and per-role
# overrides (ALTER DATABASE/ROLE ... SET) included, which is what the application gets.
_SETTINGS_QUERY = """
SELECT name, setting, unit, vartype, context, source, pending_restart, current_setting(name) AS shown,
       current_database(), current_user
FROM pg_settings
WHERE name = ANY(%s)
"""

# PostgreSQL's units (guc.c): memory in bytes, time in milliseconds. Case matters, as in
# postgresql.conf ('mb' is rejected by the server, so it is rejected here too).
_MEMORY_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_QUANTITY = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_TRUE = {"on", "true", "yes", "1", "t", "y"}
_FALSE = {"off", "false", "no", "0", "f", "n"}

# How a change reaches the running server, by pg_settings.context.
_APPLY = {
    "postmaster": "restart",
    "internal": "rebuild (fixed at initdb or compile time)",
    "backend": "reload + reconnect",
    "superuser-backend": "reload + reconnect",
}
# Overrides that ALTER SYSTEM cannot beat: the fix goes where the value comes from.
_SCOPED_SOURCES = ("database", "user", "database user")


@dataclass(frozen=True)
class Recommendation:
    """One recommended value, as written in the config file."""

    name: str
    value: str


@dataclass(frozen=True)
class SettingCheck:
    """One setting compared: recommended against actual, and how to fix a difference."""

    name: str
    recommended: str
    actual: str
    matches: bool
    context: str
    source: str
    apply: str
    pending_restart: bool
    fix: str

    @property
    def needs_restart(self) -> bool:
        return self.apply == "restart"

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "recommended": self.recommended, "actual": self.actual,
                "matches": self.matches, "context": self.context, "source": self.source,
                "apply": self.apply, "needs_restart": self.needs_restart,
                "pending_restart": self.pending_restart, "fix": self.fix}


@dataclass(frozen=True)
class SettingsReport:
    """The verdict for one server against one config file."""

    target: str
    config: str
    checks: tuple[SettingCheck, ...]

    @property
    def differing(self) -> tuple[SettingCheck, ...]:
        return tuple(c for c in self.checks if not c.matches)

    @property
    def matches(self) -> bool:
        return not self.differing


def _config_text(path: Path | None) -> tuple[str, str]:
    if path is None:
        resource = resources.files("schemactl").joinpath("config", DEFAULT_CONFIG)
        return resource.read_text(encoding="utf-8"), f"schemactl/config/{DEFAULT_CONFIG}"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise InputError(f"cannot read settings config {path}: {exc.strerror}") from None


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def load_recommendations(path: Path | None = None) -> tuple[str, tuple[Recommendation, ...]]:
    """Read the [settings] table of a TOML config (default: the packaged one)."""
    text, label = _config_text(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: not valid TOML: {exc}") from None
    table = document.get("settings")
    if not isinstance(table, Mapping) or not table:
        raise InputError(f"{label}: needs a non-empty [settings] table of name = value")
    recommendations = []
    for name, value in table.items():
        if not isinstance(value, (str, int, float, bool)):
            raise InputError(f"{label}: setting {name} must be a string, number or boolean, "
                             f"not {type(value).__name__}")
        recommendations.append(Recommendation(name=name, value=_as_text(value)))
    return label, tuple(recommendations)


def _unit_table(unit: str | None) -> tuple[dict[str, float], float] | None:
    """The unit family of a setting and the size of its own unit (e.g. '8kB' -> 8192 bytes)."""
    if not unit:
        return None
    match = re.fullmatch(r"(\d*)([A-Za-z]+)", unit)
    if not match:
        return None
    factor = int(match.group(1) or 1)
    for table in (_MEMORY_UNITS, _TIME_UNITS):
        if match.group(2) in table:
            return table, factor * table[match.group(2)]
    return None


def _base_quantity(text: str, unit: str | None, *, name: str, label: str) -> float:
    """A numeric setting in base units (bytes, milliseconds); bare numbers are in the setting's unit."""
    match = _QUANTITY.match(text)
    if not match:
        raise InputError(f"{label}: {name} = {text!r} is not a number (with an optional unit)")
    number, suffix = float(match.group(1)), match.group(2)
    family = _unit_table(unit)
    if not suffix:
        return number * (family[1] if family else 1)
    if family is None or suffix not in family[0]:
        allowed = ", ".join(family[0]) if family else "none (the setting has no unit)"
        raise InputError(f"{label}: {name} = {text!r}: unit {suffix!r} does not fit this setting; "
                         f"allowed units: {allowed}")
    return number * family[0][suffix]


def _bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _same(recommended: str, row: Mapping[str, object], *, label: str) -> bool:
    name, vartype, unit = str(row["name"]), str(row["vartype"]), row["unit"]
    if vartype == "bool":
        wanted = _bool(recommended)
        if wanted is None:
            raise InputError(f"{label}: {name} = {recommended!r} is not a boolean (on/off)")
        return wanted == _bool(str(row["setting"]))
    if vartype in ("integer", "real"):
        wanted = _base_quantity(recommended, unit, name=name, label=label)
        actual = _base_quantity(str(row["setting"]), unit, name=name, label="pg_settings")
        return math.isclose(wanted, actual, rel_tol=1e-9, abs_tol=1e-9)
    return recommended.strip().lower() == str(row["setting"]).strip().lower()


def _fix(name: str, value: str, row: Mapping[str, object]) -> str:
    target = sql.Identifier(*name.split("."))
    literal = sql.Literal(value)
    source = str(row["source"])
    database = sql.Identifier(str(row["current_database"]))
    role = sql.Identifier(str(row["current_user"]))
    if source == "database":
        statement = sql.SQL("ALTER DATABASE {} SET {} = {}").format(database, target, literal)
    elif source == "user":
        statement = sql.SQL("ALTER ROLE {} SET {} = {}").format(role, target, literal)
    elif source == "database user":
        statement = sql.SQL("ALTER ROLE {} IN DATABASE {} SET {} = {}").format(role, database, target, literal)
    else:
        statement = sql.SQL("ALTER SYSTEM SET {} = {}").format(target, literal)
    return statement.as_string() + ";"


def _apply(row: Mapping[str, object]) -> str:
    if str(row["source"]) in _SCOPED_SOURCES and row["context"] != "postmaster":
        return "reconnect"
    return _APPLY.get(str(row["context"]), "reload")


def check_settings(url: str, recommendations: tuple[Recommendation, ...], *, label: str) -> SettingsReport:
    """Compare each recommendation with the target's pg_settings, in base units."""
    names = [r.name for r in recommendations]
    with connect(url) as conn:
        try:
            with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
                rows = {str(r["name"]): r for r in cur.execute(_SETTINGS_QUERY, (names,)).fetchall()}
        except psycopg.Error as exc:
            raise InputError(f"cannot read pg_settings on {mask(url)}: {exc.diag.message_primary or exc}") from None
    unknown = [n for n in names if n not in rows]
    if unknown:
        raise InputError(f"{label}: unknown setting(s) {', '.join(unknown)}: not in pg_settings of {mask(url)}")
    checks = []
    for recommendation in recommendations:
        row = rows[recommendation.name]
        matches = _same(recommendation.value, row, label=label)
        checks.append(SettingCheck(
            name=recommendation.name, recommended=recommendation.value, actual=str(row["shown"]),
            matches=matches, context=str(row["context"]), source=str(row["source"]), apply=_apply(row),
            pending_restart=bool(row["pending_restart"]),
            fix="" if matches else _fix(recommendation.name, recommendation.value, row)))
    return SettingsReport(target=mask(url), config=label, checks=tuple(checks))


def _fix_script(report: SettingsReport) -> str:
    differing = report.differing
    if not differing:
        return ""
    lines = [c.fix for c in differing]
    if any(c.fix.startswith("ALTER SYSTEM") for c in differing):
        lines.append("SELECT pg_reload_conf();")
    restart = [c.name for c in differing if c.needs_restart]
    if restart:
        lines.append(f"-- then restart the server for: {', '.join(restart)}")
    return "\n".join(lines) + "\n"


def _note(check: SettingCheck) -> str:
    note = f"applies after {check.apply}"
    if check.source in _SCOPED_SOURCES:
        note += f"; set per {check.source}, which overrides ALTER SYSTEM"
    if check.pending_restart:
        note += "; a changed value is already waiting for a restart"
    return note


def render_settings(report: SettingsReport, fmt: str) -> str:
    """The report as text, JSON or Markdown (the same shapes as the drift report)."""
    count = len(report.checks)
    differing = report.differing
    if fmt == "json":
        return json.dumps({
            "target": report.target,
            "config": report.config,
            "differs": not report.matches,
            "settings": [c.as_dict() for c in report.checks],
            "fix": _fix_script(report),
        }, indent=2) + "\n"
    if fmt == "markdown":
        if report.matches:
            return f"### Server settings\n\n{inline(report.target)} matches {inline(report.config)} ({count} settings).\n"
        lines = ["### Server settings", "",
                 f"{inline(report.target)} differs from {inline(report.config)} in {len(differing)} of {count} settings.", "",
                 "| setting | recommended | actual | applies after | fix |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {cell(c.name, code=True)} | {cell(c.recommended, code=True)} | {cell(c.actual, code=True)} "
                  f"| {cell(c.apply)} | {cell(c.fix, code=True)} |" for c in differing]
        lines += ["", "To fix, run:", "", fence(_fix_script(report))]
        return "\n".join(lines) + "\n"
    if report.matches:
        return f"settings: {report.target} matches {report.config} ({count} settings)\n"
    lines = [f"settings: {report.target} differs from {report.config} in {len(differing)} of {count} settings"]
    width = max(len(c.name) for c in differing)
    for check in differing:
        lines.append(f"  {check.name:{width}}  recommended {check.recommended}, actual {check.actual} "
                     f"({_note(check)})")
    lines += ["", "fix:", _fix_script(report)]
    return "\n".join(lines)

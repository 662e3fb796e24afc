"""Checksum manifest of the migration history (`schemactl.sum`), in the spirit of Atlas's atlas.sum.

The file's first line is `h1:<base64 sha256 of every following line>`; then one line per
SQL file of the migrations folder, in file-name order: `NNN_name.sql h1:<base64 sha256>`.
A migration edited after it was generated, deleted, added by hand or renamed out of order
no longer matches, and the runner refuses to touch a database until the manifest is
refreshed on purpose.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

__all__ = ["MANIFEST_NAME", "file_checksum", "manifest_text", "write_manifest", "verify_manifest"]

MANIFEST_NAME = "schemactl.sum"
_PREFIX = "h1:"


def _h1(data: bytes) -> str:
    return _PREFIX + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def file_checksum(path: Path | str) -> str:
    """`h1:` and the base64 sha256 of the file's bytes (line endings included)."""
    return _h1(Path(path).read_bytes())


def _sql_files(migrations_dir: Path) -> list[Path]:
    if not migrations_dir.is_dir():
        return []
    return sorted((p for p in migrations_dir.glob("*.sql") if p.is_file()), key=lambda p: p.name)


def manifest_text(migrations_dir: Path | str) -> str:
    """The manifest the folder's SQL files call for, as it would be written."""
    body = "".join(f"{path.name} {file_checksum(path)}\n" for path in _sql_files(Path(migrations_dir)))
    return f"{_h1(body.encode('utf-8'))}\n{body}"


def write_manifest(migrations_dir: Path | str) -> Path:
    """Write (or refresh) the folder's manifest; returns its path."""
    path = Path(migrations_dir) / MANIFEST_NAME
    path.write_text(manifest_text(migrations_dir), encoding="utf-8")
    return path


def verify_manifest(migrations_dir: Path | str) -> list[str]:
    """What does not match between the manifest and the folder; empty when all is well.

    Each problem names the file: `edited file X`, `missing file X`, `unlisted file X`,
    `reordered: X is listed before Y`, or a problem with the manifest itself.
    """
    folder = Path(migrations_dir)
    on_disk = {path.name: path for path in _sql_files(folder)}
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        if on_disk:
            return [f"{MANIFEST_NAME} is missing but {len(on_disk)} migration files exist"]
        return []
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    problems: list[str] = []
    if not lines or not lines[0].startswith(_PREFIX):
        return [f"{MANIFEST_NAME} does not start with its h1: total checksum"]
    body = "".join(lines[1:])
    if lines[0].strip() != _h1(body.encode("utf-8")):
        problems.append(f"{MANIFEST_NAME} was edited by hand (its total checksum does not match its lines)")
    listed: list[tuple[str, str]] = []
    for number, line in enumerate(lines[1:], 2):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[1].startswith(_PREFIX):
            problems.append(f"{MANIFEST_NAME}:{number}: malformed line {line.strip()!r}")
            continue
        listed.append((parts[0], parts[1]))
    names = [name for name, _ in listed]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name} is listed more than once")
    for name, checksum in listed:
        if name not in on_disk:
            problems.append(f"missing file {name} (listed in {MANIFEST_NAME}, not on disk)")
        elif file_checksum(on_disk[name]) != checksum:
            problems.append(f"edited file {name} (its checksum differs from {MANIFEST_NAME})")
    for name in sorted(set(on_disk) - set(names)):
        problems.append(f"unlisted file {name} (on disk, not in {MANIFEST_NAME})")
    present = [n for n in dict.fromkeys(names) if n in on_disk]
    for earlier, later in zip(present, present[1:]):
        if earlier > later:
            problems.append(f"reordered: {earlier} is listed before {later}")
            break
    return problems

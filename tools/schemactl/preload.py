"""Import migra and schemainspect once, cheaply, before any thread needs them.

Two costs of `import schemainspect` that a drift check pays on every run are avoidable:
its query files are located with `pkg_resources` (a large import, used for nothing else) and
with `inspect.stack()` (which reads the source of every frame and scans `sys.modules` for
each, once per query file). While schemainspect loads, both are replaced by what it actually
uses: the frames, and the file beside the module that asks. The stand-ins are removed right
after, so any later `import pkg_resources` gets the real package.

Importing here, in one thread, also keeps threads that read databases concurrently from
importing the same modules half-way at once (a deadlock in SQLAlchemy's lazy dialect import).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["import_diff_modules"]


def _frames(context: int = 1) -> list[tuple[types.FrameType]]:
    # The caller's frame first, as inspect.stack() orders them; only [0] (the frame) is used.
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append((frame,))
        frame = frame.f_back
    return frames


def _resource_stream(module_name: str, subpath: str) -> BinaryIO:
    # pkg_resources resolves a resource of a module relative to the module's directory.
    return open(Path(sys.modules[module_name].__file__ or "").parent / subpath, "rb")  # noqa: SIM115


@contextlib.contextmanager
def _light_resources() -> Iterator[None]:
    stand_in = None
    if "pkg_resources" not in sys.modules:
        stand_in = types.ModuleType("pkg_resources")
        stand_in.resource_stream = _resource_stream  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = stand_in
    original_stack = inspect.stack
    inspect.stack = _frames  # type: ignore[assignment]
    try:
        yield
    finally:
        inspect.stack = original_stack
        if stand_in is not None and sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]


def import_diff_modules() -> None:
    """Import schemainspect, migra and the SQLAlchemy dialect they use; cheap when done already."""
    if "schemainspect.pg.obj" not in sys.modules:
        with _light_resources():
            import schemainspect.pg.obj  # noqa: F401, PLC0415
    import migra  # noqa: F401, PLC0415
    import sqlalchemy.dialects.postgresql.psycopg2  # noqa: F401, PLC0415
    import sqlalchemy.pool  # noqa: F401, PLC0415
    _relations_query_corrected()


# schemainspect joins a table's columns and filters out dropped ones afterwards, so a table whose
# every column was dropped (ALTER TABLE ... DROP COLUMN down to none) vanished from its reading,
# while one created with none stayed: the dropped ones are left out in the join instead.
_RELATIONS_JOIN = "on r.oid = a.attrelid and a.attnum > 0"


# A column's collation is read schema-qualified and quoted, so the statements written from it name
# the collation itself, whatever the search_path of the session that runs them (hardened.Column).
_COLLATION = ("(SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n"
              "     WHERE c.oid = a.attcollation")
_QUALIFIED_COLLATION = ("(SELECT pg_catalog.format('%I.%I', cn.nspname, c.collname)\n"
                        "     FROM pg_catalog.pg_collation c, pg_catalog.pg_namespace cn, pg_catalog.pg_type t\n"
                        "     WHERE cn.oid = c.collnamespace AND c.oid = a.attcollation")


def _relations_query_corrected() -> None:
    obj = sys.modules["schemainspect.pg.obj"]
    query = obj.ALL_RELATIONS_QUERY
    if _RELATIONS_JOIN + "\n" in query:
        query = query.replace(_RELATIONS_JOIN + "\n", _RELATIONS_JOIN + " and not a.attisdropped\n")
    if _COLLATION in query:
        query = query.replace(_COLLATION, _QUALIFIED_COLLATION)
    obj.ALL_RELATIONS_QUERY = query

"""A catalog inspection (and the declared roles) as plain JSON data, read back without running code.

The desired state's reads are cached on disk. A format that names code to run when loaded
(pickle) would make whoever can write the cache able to run code as the tool's user; this one
only re-creates the classes listed here, by setting their attributes: no constructor, no
`__setstate__`, nothing the file names beyond a key into that list. Anything else in a file
is damage. Left out is what the diff never reads: the inspector's connection and queries, its
raw dependency rows, and the Python type schemainspect guesses for each column.

Shapes: JSON scalars and lists as themselves; {"T": [...]} a tuple, {"F": [...]} a frozenset,
{"S": [...]} a set, {"D": [[key, value], ...]} a dict (keys may be tuples), {"O": ...} an
OrderedDict, {"C": class, "A": {attribute: value}} an object, {"R": n} the n-th object again
(objects are shared between the inspector's collections, and numbered in the order written).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any

__all__ = ["Damaged", "from_data", "to_data"]

_SCALARS = (str, int, float, bool, type(None))


class Damaged(ValueError):
    """A stored inspection that is not what to_data writes."""


@functools.cache
def _classes() -> dict[str, type]:
    from schemactl.preload import import_diff_modules  # noqa: PLC0415

    import_diff_modules()  # schemainspect imported the way the diff imports it
    from schemainspect import inspected  # noqa: PLC0415
    from schemainspect.pg import obj  # noqa: PLC0415

    from schemactl import hardened  # noqa: PLC0415
    from schemactl.catalog import Snapshot  # noqa: PLC0415
    from schemactl.diff import Inspection  # noqa: PLC0415
    from schemactl.roles import Role  # noqa: PLC0415

    schemainspect_classes = [value for name, value in vars(obj).items()
                             if name.startswith("Inspected") and isinstance(value, type)]
    found = [Inspection, Snapshot, Role, obj.PostgreSQL, inspected.ColumnInfo, *schemainspect_classes,
             *hardened.HARDENED.values()]
    return {_name(cls): cls for cls in found}


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _left_out(value: object) -> dict[str, object]:
    """The attributes not stored, and what a loaded object has instead (a connection-less inspector)."""
    from schemainspect.inspected import ColumnInfo  # noqa: PLC0415
    from schemainspect.pg.obj import PostgreSQL  # noqa: PLC0415

    if isinstance(value, PostgreSQL):
        queries = {name: None for name in vars(value) if name.endswith("_QUERY")}
        return {"c": None, "engine": None, "deps": [], "dialect": "postgresql", **queries}
    if isinstance(value, ColumnInfo):
        return {"pytype": None}
    return {}


def to_data(value: object) -> Any:
    """value as JSON-ready data; TypeError for a value of a kind the format does not hold."""
    classes = _classes()
    numbers: dict[int, int] = {}

    def encode(item: object) -> Any:
        kind = type(item)
        if kind in _SCALARS:
            return item
        if kind is list:
            return [encode(x) for x in item]  # type: ignore[attr-defined]
        if kind is tuple:
            return {"T": [encode(x) for x in item]}  # type: ignore[attr-defined]
        if kind is frozenset:
            return {"F": [encode(x) for x in item]}  # type: ignore[attr-defined]
        if kind is set:
            return {"S": [encode(x) for x in item]}  # type: ignore[attr-defined]
        if kind is dict or kind is OrderedDict:
            pairs = [[encode(k), encode(v)] for k, v in item.items()]  # type: ignore[attr-defined]
            return {"O" if kind is OrderedDict else "D": pairs}
        name = _name(kind)
        if name not in classes:
            raise TypeError(f"the desired-state cache cannot hold a {name}")
        if id(item) in numbers:
            return {"R": numbers[id(item)]}
        numbers[id(item)] = len(numbers)
        skipped = _left_out(item)
        return {"C": name, "A": {k: encode(v) for k, v in vars(item).items() if k not in skipped}}

    return encode(value)


def from_data(data: Any) -> Any:
    """What to_data wrote, re-created; Damaged for anything else."""
    classes = _classes()
    objects: list[object] = []

    def decode(item: Any) -> Any:
        if type(item) in _SCALARS:
            return item
        if type(item) is list:
            return [decode(x) for x in item]
        if type(item) is not dict:
            raise Damaged(f"unexpected {type(item).__name__}")
        if set(item) == {"C", "A"}:
            return _object(item["C"], item["A"])
        if len(item) != 1:
            raise Damaged(f"unexpected keys {sorted(item)[:3]}")
        (tag, body), = item.items()
        if tag == "R" and type(body) is int and 0 <= body < len(objects):
            return objects[body]
        if type(body) is not list:
            raise Damaged(f"unexpected {tag}")
        if tag == "T":
            return tuple(decode(x) for x in body)
        if tag == "F":
            return frozenset(decode(x) for x in body)
        if tag == "S":
            return {decode(x) for x in body}
        if tag in ("D", "O"):
            pairs = [_pair(x) for x in body]
            return OrderedDict(pairs) if tag == "O" else dict(pairs)
        raise Damaged(f"unexpected {tag}")

    def _pair(entry: Any) -> tuple[Any, Any]:
        if type(entry) is not list or len(entry) != 2:
            raise Damaged("a dict entry is not a pair")
        return decode(entry[0]), decode(entry[1])

    def _object(name: Any, attributes: Any) -> object:
        cls = classes.get(name) if type(name) is str else None
        if cls is None or type(attributes) is not dict:
            raise Damaged(f"not a stored class: {name!r:.80}")
        instance = object.__new__(cls)
        objects.append(instance)  # numbered before its attributes, as written
        state = vars(instance)
        state.update(_left_out(instance))
        for key, value in attributes.items():
            state[key] = decode(value)
        return instance

    try:
        return decode(data)
    except (TypeError, RecursionError) as exc:  # an unhashable key, a nesting too deep
        raise Damaged(str(exc)) from None

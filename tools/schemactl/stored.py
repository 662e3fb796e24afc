"""A catalog inspection (and the declared roles) as plain JSON data, read back without running code.

The desired state's reads are cached on disk. A format that names code to run when loaded
(pickle) would make whoever can write the cache able to run code as the tool's user; this one
only re-creates the classes listed here, by setting their attributes: no constructor, no
`__setstate__`, nothing the file names beyond a key into that list. Anything else in a file
is damage. Left out is what the diff never reads: the inspector's connection and queries, its
raw dependency rows, and the Python type schemainspect guesses for each column.

Layout: {"shapes": [[class, [attribute, ...]], ...], "value": ...}; in the value, JSON scalars
and lists stand for themselves, {"T": [...]} a tuple, {"F": [...]} a frozenset, {"S": [...]} a
set, {"d": {...}} / {"o": {...}} a dict / OrderedDict with text keys, {"D": [[key, value], ...]}
/ {"O": ...} one with other keys (tuples), {"C": n, "V": [...]} an object of the n-th shape with
its attributes' values in the shape's order, {"R": n} the n-th object again (the inspector's
collections share objects; they are numbered in the order written).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any

__all__ = ["Damaged", "from_data", "to_data"]

_SCALARS = frozenset({str, int, float, bool, type(None)})


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


@functools.cache
def _left_out_of(cls: type) -> tuple[tuple[str, object], ...]:
    """The attributes not stored, and what a loaded object has instead (a connection-less inspector)."""
    from schemainspect.inspected import ColumnInfo  # noqa: PLC0415
    from schemainspect.pg.obj import PostgreSQL  # noqa: PLC0415

    if issubclass(cls, PostgreSQL):
        return (("c", None), ("engine", None), ("deps", ()), ("dialect", "postgresql"))
    if issubclass(cls, ColumnInfo):
        return (("pytype", None),)
    return ()


def _stored_attributes(item: object) -> list[tuple[str, object]]:
    skipped = {name for name, _ in _left_out_of(type(item))}
    # The inspector's catalog queries are what it ran, not what it read.
    return [(k, v) for k, v in vars(item).items() if k not in skipped and not k.endswith("_QUERY")]


def to_data(value: object) -> Any:
    """value as JSON-ready data; TypeError for a value of a kind the format does not hold."""
    classes = _classes()
    numbers: dict[int, int] = {}
    shapes: dict[tuple[str, tuple[str, ...]], int] = {}

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
            if all(type(k) is str for k in item):  # type: ignore[attr-defined]
                return {"o" if kind is OrderedDict else "d": {k: encode(v) for k, v in item.items()}}  # type: ignore[attr-defined]
            pairs = [[encode(k), encode(v)] for k, v in item.items()]  # type: ignore[attr-defined]
            return {"O" if kind is OrderedDict else "D": pairs}
        name = _name(kind)
        if name not in classes:
            raise TypeError(f"the desired-state cache cannot hold a {name}")
        if id(item) in numbers:
            return {"R": numbers[id(item)]}
        numbers[id(item)] = len(numbers)
        attributes = _stored_attributes(item)
        shape = shapes.setdefault((name, tuple(k for k, _ in attributes)), len(shapes))
        return {"C": shape, "V": [encode(v) for _, v in attributes]}

    encoded = encode(value)
    return {"shapes": [[name, list(names)] for name, names in shapes], "value": encoded}


def from_data(data: Any) -> Any:
    """What to_data wrote, re-created; Damaged for anything else."""
    classes = _classes()
    objects: list[object] = []
    if type(data) is not dict or set(data) != {"shapes", "value"} or type(data["shapes"]) is not list:
        raise Damaged("not stored data")
    shapes = [_shape(entry, classes) for entry in data["shapes"]]

    def decode(item: Any) -> Any:
        kind = type(item)
        if kind in _SCALARS:
            return item
        if kind is list:
            return [decode(x) for x in item]
        if kind is not dict:
            raise Damaged(f"unexpected {kind.__name__}")
        if len(item) == 2:
            return _object(item.get("C"), item.get("V"))
        if len(item) != 1:
            raise Damaged(f"unexpected keys {sorted(item)[:3]}")
        (tag, body), = item.items()
        if tag == "R" and type(body) is int and 0 <= body < len(objects):
            return objects[body]
        if tag in ("d", "o") and type(body) is dict:
            mapping = {k: decode(v) for k, v in body.items()}
            return OrderedDict(mapping) if tag == "o" else mapping
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

    def _object(shape: Any, values: Any) -> object:
        if type(shape) is not int or not 0 <= shape < len(shapes) or type(values) is not list:
            raise Damaged("not a stored object")
        cls, names, left_out = shapes[shape]
        if len(values) != len(names):
            raise Damaged(f"{cls.__name__}: {len(values)} values for {len(names)} attributes")
        instance = object.__new__(cls)
        objects.append(instance)  # numbered before its attributes, as written
        state = vars(instance)
        state.update(left_out)
        state.update(zip(names, map(decode, values)))
        return instance

    try:
        return decode(data["value"])
    except (TypeError, RecursionError) as exc:  # an unhashable key, a nesting too deep
        raise Damaged(str(exc)) from None


def _shape(entry: Any, classes: dict[str, type]) -> tuple[type, list[str], tuple[tuple[str, object], ...]]:
    """One listed class and the names of its stored attributes, in order."""
    if type(entry) is not list or len(entry) != 2 or type(entry[1]) is not list \
            or not all(type(name) is str for name in entry[1]):
        raise Damaged("not a stored shape")
    cls = classes.get(entry[0]) if type(entry[0]) is str else None
    if cls is None:
        raise Damaged(f"not a stored class: {entry[0]!r:.80}")
    return cls, entry[1], _left_out_of(cls)

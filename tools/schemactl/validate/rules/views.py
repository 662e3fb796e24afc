"""View rules: views must be creatable in some order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import ObjectType

from schemactl.objects import walk
from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import Located, Symbols, loc, rv_name

__all__ = ["RULES", "CircularViewDependency", "check"]


class CircularViewDependency(Rule):
    """Views (or materialized views) that read each other in a circle: no order can create them.

    Bad::

        CREATE VIEW batch_totals AS SELECT batch_id FROM batch_owners;
        CREATE VIEW batch_owners AS SELECT batch_id FROM batch_totals;

    Good::

        CREATE TABLE memory_batches (batch_id uuid PRIMARY KEY);
        CREATE VIEW batch_totals AS SELECT batch_id FROM memory_batches;
        CREATE VIEW batch_owners AS SELECT batch_id FROM batch_totals;
    """

    code = "SC016"
    name = "views.circular-view-dependency"
    summary = "views that depend on each other in a circle"


RULES = (CircularViewDependency,)


def _view_of(node: Any) -> tuple[str, str, Any, Any] | None:
    """(kind, name, name node, query) of a view or materialized view definition."""
    if isinstance(node, ast.ViewStmt):
        return "view", rv_name(node.view), node.view, node.query
    if isinstance(node, ast.CreateTableAsStmt) and node.objtype == ObjectType.OBJECT_MATVIEW:
        return "materialized view", rv_name(node.into.rel), node.into.rel, node.query
    return None


def _reads(query: Any) -> set[str]:
    """The relations a query reads (CTE names excluded)."""
    ctes = {sub.ctename for sub in walk(query) if isinstance(sub, ast.CommonTableExpr)}
    return {rv_name(sub) for sub in walk(query)
            if isinstance(sub, ast.RangeVar) and not (sub.schemaname is None and sub.relname in ctes)}


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC014 once per circle, at its first view in file order."""
    views: dict[str, tuple[Located, str, Any, set[str]]] = {}
    for st in symbols.declarative:
        found = _view_of(st.node)
        if found is not None and found[1] not in views:
            kind, name, name_node, query = found
            views[name] = (st, kind, name_node, _reads(query))
    graph = {name: sorted(reads & views.keys()) for name, (_, _, _, reads) in views.items()}
    for component in _cycles(graph):
        first = min(component, key=lambda n: (views[n][0].stmt.path, views[n][0].stmt.line))
        circle = _circle_from(first, component, graph)
        st, kind, name_node, _ = views[first]
        yield Issue(CircularViewDependency.code, st,
                    f"{kind} {first} depends on itself through {' -> '.join(circle)}: no order can create "
                    "these views; break the circle", loc(name_node))


def _cycles(graph: dict[str, list[str]]) -> list[set[str]]:
    """Strongly connected components that contain a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph[node]
            if child < len(successors):
                work.append((node, child + 1))
                nxt = successors[child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _circle_from(start: str, component: set[str], graph: dict[str, list[str]]) -> list[str]:
    """The shortest circle through start inside its component, as start -> ... -> start."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in graph[node]:
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if nxt in component and nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return [start, start]

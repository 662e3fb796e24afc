"""Order stage: a dependency order computed from the AST, never from file order."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable

from schemactl.errors import InputError
from schemactl.load import Statement
from schemactl.objects import KIND_RANK

__all__ = ["order_statements"]


def _tie_key(index: int, statement: Statement) -> tuple[int, str, str, int, int]:
    # Ties are broken by kind, then name, then location: shuffled files give the same order.
    return (KIND_RANK.get(statement.kind, 99), statement.name, statement.sql, statement.line, index)


def order_statements(statements: Iterable[Statement]) -> list[Statement]:
    """Topologically sort statements so each runs after everything it requires."""
    items = list(statements)
    providers: dict[str, list[int]] = defaultdict(list)
    for index, statement in enumerate(items):
        for key in statement.provides:
            providers[key].append(index)
    edges: dict[int, set[int]] = defaultdict(set)
    indegree = [0] * len(items)
    for index, statement in enumerate(items):
        needed = set(statement.requires)
        # Statements that only decorate an object (comments, grants, ALTERs) come
        # after every statement that creates it.
        for key in needed:
            for provider in providers.get(key, ()):
                if provider != index and index not in edges[provider]:
                    edges[provider].add(index)
                    indegree[index] += 1
    heap = [(_tie_key(i, s), i) for i, s in enumerate(items) if indegree[i] == 0]
    heapq.heapify(heap)
    ordered: list[Statement] = []
    while heap:
        _, index = heapq.heappop(heap)
        ordered.append(items[index])
        for follower in sorted(edges[index]):
            indegree[follower] -= 1
            if indegree[follower] == 0:
                heapq.heappush(heap, (_tie_key(follower, items[follower]), follower))
    if len(ordered) != len(items):
        stuck = [items[i] for i in range(len(items)) if indegree[i] > 0]
        names = ", ".join(f"{s.where} ({s.kind} {s.name})" for s in stuck[:5])
        raise InputError(f"circular dependency between statements: {names}")
    return ordered

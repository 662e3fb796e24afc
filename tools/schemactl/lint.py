"""Lint (placeholder until the linter lands)."""
from __future__ import annotations


def add_parser(commands, add_common) -> None:
    return None

"""Versioned migrations (placeholder until the runner lands)."""
from __future__ import annotations


def add_parser(commands, add_dev_url, add_common) -> None:
    return None

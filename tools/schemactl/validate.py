"""Validate (placeholder until the rules land)."""
from __future__ import annotations

"""Checks drift JSON documents against tools/schemactl/schemas/drift.schema.json (the shipped JSON Schema)."""

from __future__ import annotations

import jsonschema

from schemactl.drift import json_schema

SCHEMA = json_schema()


def assert_valid(document: dict, definition: str) -> None:
    """document is valid under the whole schema and under `#/$defs/<definition>` (target or fleet)."""
    part = {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{definition}"}
    for schema in (part, SCHEMA):
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda e: e.path)
        error = jsonschema.exceptions.best_match(errors) if errors else None
        assert error is None, f"{definition}: {list(error.absolute_path)}: {error.message}"

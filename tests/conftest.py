"""Test configuration: database fixtures live in fixtures_db."""

pytest_plugins = ["fixtures_db"]

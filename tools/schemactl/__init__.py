"""schemactl: declarative PostgreSQL schema-as-code with drift detection."""

__version__ = "0.1.0"

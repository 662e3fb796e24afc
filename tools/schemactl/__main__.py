"""Allow `python -m schemactl`."""

from schemactl.cli import main

main()

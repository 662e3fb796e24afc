"""The package's one convention for commands: parser and handler in schemactl/commands/, no argparse elsewhere."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest

from schemactl import cli, commands

PACKAGE = Path(cli.__file__).resolve().parent
COMMANDS_DIR = PACKAGE / "commands"
# Where argparse may be imported: the command modules and the CLI that gathers them.
ARGPARSE_ALLOWED = {PACKAGE / "cli.py", *COMMANDS_DIR.glob("*.py")}
STAGE_MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p not in ARGPARSE_ALLOWED)


def _argparse_uses(path: Path) -> list[str]:
    """Where a module imports argparse or adds a subcommand (file:line), also under TYPE_CHECKING."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            uses = any(alias.name.split(".")[0] == "argparse" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            uses = (node.module or "").split(".")[0] == "argparse"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            uses = node.func.attr in ("add_parser", "add_subparsers")
        else:
            continue
        if uses:
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


Leaf = tuple[tuple[str, ...], argparse.ArgumentParser]


def _leaf_commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[Leaf]:
    """(command words, parser) of every runnable command, nested ones (`migrate up`) included."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    if not groups:
        return [(words, parser)]
    return [leaf for group in groups for word, sub in group.choices.items()
            for leaf in _leaf_commands(sub, (*words, word))]


def test_the_check_sees_the_whole_package() -> None:
    assert len(STAGE_MODULES) > 30
    assert PACKAGE / "migrations" / "runner.py" in STAGE_MODULES
    assert PACKAGE / "validate" / "rules" / "keys.py" in STAGE_MODULES
    assert _argparse_uses(PACKAGE / "commands" / "migrate.py"), "the detector finds the command module's own import"


@pytest.mark.parametrize("path", STAGE_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stage_modules_hold_no_argparse(path: Path) -> None:
    assert _argparse_uses(path) == []


def test_every_command_module_is_registered() -> None:
    on_disk = {p.stem for p in COMMANDS_DIR.glob("*.py")} - {"__init__"}
    assert on_disk == set(commands.COMMANDS)


def test_every_command_lives_in_its_commands_module() -> None:
    leaves = _leaf_commands(cli._parser())  # noqa: SLF001
    top = {words[0] for words, _ in leaves}
    assert top == {name.replace("_", "-") for name in commands.COMMANDS}
    assert ("migrate", "up") in {words for words, _ in leaves}
    for words, parser in leaves:
        module = f"schemactl.commands.{words[0].replace('-', '_')}"
        handler = parser.get_default("handler")
        assert callable(handler), words
        assert handler.__module__ == module, (words, handler)
        assert (COMMANDS_DIR / f"{module.rsplit('.', 1)[1]}.py").is_file(), words

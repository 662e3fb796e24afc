"""State directories are the running user's alone, and the cache read back from them is data, never code."""

from __future__ import annotations

import ast
import json
import os
import pickle
import pwd
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schemactl import desired, devserver, stored
from schemactl.desired import TEMPLATE_PREFIX, desired_state, source_key
from schemactl.devserver import DevServer
from schemactl.errors import EXIT_ERROR
from schemactl.roles import Role
from schemactl.statedir import UnsafeState, check_dir, ensure_dir, read_state_file

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")
PACKAGE = Path(desired.__file__).resolve().parent
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
OTHER_USER = devserver.UNPRIVILEGED_USER


def _give_away(path: Path) -> None:
    shutil.chown(path, OTHER_USER, devserver.UNPRIVILEGED_GROUP)


def _schemactl(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCHEMACTL, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SCHEMACTL_HOME": str(home), **env})


def _schema(folder: Path) -> Path:
    """A one-table schema with a nonce, so its key is new to every cache."""
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "t.sql").write_text(
        f"CREATE TABLE t (id bigint PRIMARY KEY);\nCOMMENT ON TABLE t IS 'nonce {secrets.token_hex(4)}';\n")
    return folder


class _Payload:
    """What a planted pickle runs when loaded: it creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


# The directory checks, offline.

def test_a_directory_of_ones_own_is_accepted_and_a_missing_one_created_0700(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b"
    assert ensure_dir(home) == home
    assert [oct(p.stat().st_mode & 0o777) for p in (tmp_path / "a", home)] == ["0o700", "0o700"]
    assert check_dir(home) == home
    assert check_dir(tmp_path / "absent") == tmp_path / "absent"


@pytest.mark.parametrize("mode", [0o775, 0o757, 0o777], ids=lambda m: f"{m:04o}")
def test_a_group_or_other_writable_state_dir_is_refused(tmp_path: Path, mode: int) -> None:
    home = ensure_dir(tmp_path / "home")
    home.chmod(mode)
    with pytest.raises(UnsafeState, match=f"{home}: writable by group or others .*mode {mode:04o}.*chmod go-w {home}"):
        check_dir(home)
    done = _schemactl(home, "dev-server", "stop")
    assert done.returncode == EXIT_ERROR, done
    assert f"unsafe state path {home}" in done.stderr and f"`chmod go-w {home}`" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_writable_parent_is_refused_a_root_owned_sticky_one_is_not(tmp_path: Path) -> None:
    parent = ensure_dir(tmp_path / "parent")
    home = ensure_dir(parent / "home")
    parent.chmod(0o777)
    with pytest.raises(UnsafeState, match=f"{parent}: writable by group or others"):
        check_dir(home)
    with pytest.raises(UnsafeState, match=f"{parent}: writable by group or others"):
        ensure_dir(home / "desired")
    if os.geteuid() == 0:
        parent.chmod(0o1777)  # as /tmp: others' entries in it cannot be renamed or removed
        assert check_dir(home) == home


@AS_ROOT
def test_a_state_dir_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    home = ensure_dir(tmp_path / "home")
    _give_away(home)
    with pytest.raises(UnsafeState, match=f"{home}: owned by {OTHER_USER}, not by root"):
        check_dir(home)
    done = _schemactl(home, "dev-server", "stop")
    assert done.returncode == EXIT_ERROR, done
    assert f"unsafe state path {home}: owned by {OTHER_USER}" in done.stderr and "remove it" in done.stderr


@AS_ROOT
def test_a_parent_owned_by_another_user_is_refused_even_when_sticky(tmp_path: Path) -> None:
    parent = ensure_dir(tmp_path / "parent")
    home = ensure_dir(parent / "home")
    parent.chmod(0o1777)
    _give_away(parent)
    with pytest.raises(UnsafeState, match=f"{parent}: owned by {OTHER_USER}"):
        check_dir(home)


@AS_ROOT
def test_a_symlinked_state_dir_is_checked_where_it_points_and_who_owns_the_link(tmp_path: Path) -> None:
    theirs = ensure_dir(tmp_path / "theirs")
    _give_away(theirs)
    link = tmp_path / "home"
    link.symlink_to(theirs)
    with pytest.raises(UnsafeState, match=f"{theirs}: owned by {OTHER_USER}"):
        check_dir(link)
    mine = ensure_dir(tmp_path / "mine")
    other_link = tmp_path / "other-link"
    other_link.symlink_to(mine)
    os.lchown(other_link, pwd.getpwnam(OTHER_USER).pw_uid, -1)
    with pytest.raises(UnsafeState, match=f"{other_link}: a symbolic link owned by {OTHER_USER}"):
        check_dir(other_link)


def test_a_file_read_back_must_be_a_regular_file_not_a_symlink(tmp_path: Path) -> None:
    home = ensure_dir(tmp_path / "home")
    real = home / "real.json"
    real.write_text("{}")
    real.chmod(0o600)
    assert read_state_file(real) == b"{}"
    assert read_state_file(home / "absent.json") is None
    link = home / "binaries.json"
    link.symlink_to(real)
    with pytest.raises(UnsafeState, match=f"{link}: a symbolic link"):
        read_state_file(link)
    real.chmod(0o666)
    with pytest.raises(UnsafeState, match="writable by group or others"):
        read_state_file(real)
    os.mkfifo(home / "fifo")
    with pytest.raises(UnsafeState, match="not a regular file"):
        read_state_file(home / "fifo")


def test_a_symlinked_binaries_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = ensure_dir(tmp_path / "home")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}")
    (home / "binaries.json").symlink_to(elsewhere)
    monkeypatch.setenv("SCHEMACTL_HOME", str(home))
    devserver._known_versions.cache_clear()
    try:
        with pytest.raises(UnsafeState, match=f"{home / 'binaries.json'}: a symbolic link"):
            devserver._known_versions()
    finally:
        devserver._known_versions.cache_clear()


@AS_ROOT
def test_a_file_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    home = ensure_dir(tmp_path / "home")
    planted = home / "binaries.json"
    planted.write_text("{}")
    _give_away(planted)
    with pytest.raises(UnsafeState, match=f"{planted}: owned by {OTHER_USER}"):
        read_state_file(planted)


# The stored format, offline.

def test_stored_data_round_trips_and_names_no_code() -> None:
    roles = {"app": Role(name="app", attributes=(("login", True),), member_of=frozenset({"readers"}),
                         settings=(("search_path", "x"),))}
    data = stored.to_data(roles)
    text = json.dumps(data)
    assert stored.from_data(json.loads(text)) == roles
    assert '"shapes": [["schemactl.roles.Role", ["name", "attributes", "member_of", "comment", "settings"]]]' in text


def _stored(value: object, *shapes: list) -> dict:
    return {"shapes": list(shapes), "value": value}


@pytest.mark.parametrize("planted", [
    _stored({"C": 0, "V": [["touch", "/tmp/x"]]}, ["subprocess.Popen", ["args"]]),
    _stored({"C": 0, "V": []}, ["builtins.eval", []]),
    _stored({"C": 0, "V": []}),
    _stored({"C": 0, "V": []}, ["schemactl.roles.Role", ["name"]]),
    _stored({"C": 0, "A": {}}, ["schemactl.roles.Role", []]),
    _stored({"R": 0}),
    _stored({"T": "not a list"}),
    _stored({"D": [["only a key"]]}),
    _stored({"D": [[[1, 2], "a list is no key"]]}),
    _stored({"X": []}),
    {"value": 1},
    [1, 2],
])
def test_stored_data_refuses_what_it_does_not_write(planted: object) -> None:
    with pytest.raises(stored.Damaged):
        stored.from_data(planted)


def test_stored_data_refuses_to_write_an_unlisted_kind() -> None:
    with pytest.raises(TypeError, match="cannot hold a pathlib"):
        stored.to_data({"where": Path("/")})


# No code-loading serialisation in the package.

_FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "jsonpickle"}
_FORBIDDEN_CALLS = {"eval", "exec"}


def _code_loaders(source: str, name: str) -> list[str]:
    """Where a module imports a serialiser that runs code, names one in a string, or calls eval/exec (file:line)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            hit = any(alias.name.split(".")[0] in _FORBIDDEN_MODULES for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            hit = (node.module or "").split(".")[0] in _FORBIDDEN_MODULES
        elif isinstance(node, ast.Call):
            hit = isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            hit = node.value in _FORBIDDEN_MODULES  # __import__("pickle"), importlib.import_module("marshal")
        else:
            continue
        if hit:
            found.append(f"{name}:{node.lineno}")
    return found


def test_the_code_loader_check_can_fail() -> None:
    for source in ("import pickle", "from marshal import loads", "import shelve as s",
                   "x = eval('1')", "__import__('pickle')", "import importlib\nimportlib.import_module('marshal')"):
        assert _code_loaders(source, "example.py"), source
    assert _code_loaders("import json\nx = json.loads('1')", "example.py") == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_loads_no_code_from_data(path: Path) -> None:
    assert _code_loaders(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent))) == []


# The desired-state cache on a real server.

@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dev_server: DevServer) -> Iterator[Path]:
    """A state directory of the test's own for the desired-state cache; its templates dropped after."""
    home = ensure_dir(tmp_path / "home")
    monkeypatch.setenv("SCHEMACTL_HOME", str(home))
    yield home
    with psycopg.connect(dev_server.url, autocommit=True) as conn:
        for path in (home / "desired").glob("*.json"):
            desired._drop_database(conn, TEMPLATE_PREFIX + path.stem[:40], force=True)


def _key(dev: DevServer, folder: Path) -> str:
    return source_key(folder, major=dev.major, dev_user=desired._dev_user(dev))


def test_a_symlinked_cache_file_is_refused(dev_server: DevServer, tmp_path: Path, cache_home: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = desired_state(dev_server, folder, label="schema")
    cached = cache_home / "desired" / f"{first.key}.json"
    moved = tmp_path / "moved.json"
    cached.rename(moved)
    cached.symlink_to(moved)
    with pytest.raises(UnsafeState, match=f"{cached}: a symbolic link"):
        desired_state(dev_server, folder, label="schema")
    assert moved.is_file() and cached.is_symlink()


def test_a_damaged_or_hostile_json_cache_is_rebuilt(dev_server: DevServer, tmp_path: Path, cache_home: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = desired_state(dev_server, folder, label="schema")
    cached = cache_home / "desired" / f"{first.key}.json"
    good = json.loads(cached.read_bytes())
    hostile = {**good, "inspection": {"shapes": [["subprocess.Popen", ["args"]]], "value": {"C": 0, "V": [["true"]]}}}
    for content in ("{not json", json.dumps(hostile), json.dumps({**good, "dump": "a string"})):
        cached.write_text(content)
        again = desired_state(dev_server, folder, label="schema")
        assert not again.hit and again.dump == first.dump
        assert json.loads(cached.read_bytes())["inspection"] == good["inspection"]
    assert desired_state(dev_server, folder, label="schema").hit


def test_a_planted_pickle_is_never_read(dev_server: DevServer, tmp_path: Path, cache_home: Path,
                                        fresh_db: str) -> None:
    folder = _schema(tmp_path / "schema")
    marker = tmp_path / "marker"
    planted = ensure_dir(cache_home / "desired") / f"{_key(dev_server, folder)}.pickle"
    planted.write_bytes(pickle.dumps(_Payload(marker)))
    pickle.loads(planted.read_bytes())  # the payload works: loading it creates the marker
    assert marker.exists()
    marker.unlink()
    args = ("drift", "--target", fresh_db, "--schema-dir", str(folder))
    for _ in range(2):  # the build, then the cached run
        done = _schemactl(cache_home, *args, SCHEMACTL_DEV_URL=dev_server.url)
        assert done.returncode == 1 and "public.t" in done.stdout, done
    assert "cached template" in done.stderr
    assert not marker.exists()
    assert not planted.exists(), "the build removes a file of the old format instead of reading it"


@pytest.mark.skipif(os.geteuid() != 0, reason="the default state directory as root: /var/tmp/schemactl")
def test_as_root_a_state_dir_another_user_created_first_is_refused(dev_server: DevServer, tmp_path: Path,
                                                                   fresh_db: str) -> None:
    """As /var/tmp/schemactl would be if a local user created it before root's first run."""
    folder = _schema(tmp_path / "schema")
    marker = tmp_path / "marker"
    home = Path(f"/tmp/schemactl-planted-{secrets.token_hex(4)}")
    try:
        home.mkdir(mode=0o755)
        cache = home / "desired"
        cache.mkdir(mode=0o755)
        planted = cache / f"{_key(dev_server, folder)}.pickle"
        planted.write_bytes(pickle.dumps(_Payload(marker)))
        (cache / f"{_key(dev_server, folder)}.json").write_text("{}")
        for path in (home, cache, planted):
            _give_away(path)
        done = _schemactl(home, "drift", "--target", fresh_db, "--schema-dir", str(folder),
                          SCHEMACTL_DEV_URL=dev_server.url)
        assert done.returncode == EXIT_ERROR, done
        assert f"unsafe state path {home}: owned by {OTHER_USER}, not by root" in done.stderr
        assert not marker.exists()
    finally:
        shutil.rmtree(home, ignore_errors=True)

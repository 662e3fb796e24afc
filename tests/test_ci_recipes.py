"""The CI recipes the repository ships: the GitHub Actions workflow and the pre-commit hooks.

The workflow's `run:` blocks are executed here as GitHub Actions executes them
(`bash --noprofile --norc -eo pipefail`), against real databases, so what they promise (exit 1
is drift, exit 2 is "could not check", a missing migration fails the pull request) is tested.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import yaml

from schemactl.devserver import DevServer
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK
from schemactl.project import configured_major

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "schema.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
SCHEMACTL = REPO / ".venv" / "bin" / "schemactl"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as True.
    return workflow.get("on") or workflow.get(True)


def _step(workflow: dict, job: str, name: str) -> dict:
    steps = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    assert len(steps) == 1, f"{job} has no single step named {name!r}"
    return steps[0]


def _run_step(step: dict, cwd: Path, env: dict[str, str], tmp_path: Path) -> tuple[int, str, str]:
    """Run a step's `run:` block as GitHub Actions does; the exit code, stdout and the job summary."""
    script = step["run"]
    assert "${{" not in script, "a step run here must read its inputs from the environment"
    file = tmp_path / f"step-{len(list(tmp_path.glob('step-*')))}.sh"
    file.write_text(script)
    summary = tmp_path / "summary.md"
    summary.write_text("")
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)], cwd=cwd,
                          env={**os.environ, **env, "GITHUB_STEP_SUMMARY": str(summary)},
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr, summary.read_text()


def _checkout(tmp_path: Path) -> Path:
    """A copy of the repository's schema-as-code files, as a runner's checkout has them."""
    work = tmp_path / "checkout"
    work.mkdir()
    for folder in ("schema", "generated"):
        shutil.copytree(REPO / folder, work / folder)
    for file in ("pyproject.toml", ".sqlfluff", ".squawk.toml"):
        shutil.copy(REPO / file, work / file)
    (work / ".venv").symlink_to(REPO / ".venv")
    base = tmp_path / "runner" / "base"
    base.mkdir(parents=True)
    shutil.copytree(REPO / "schema", base / "schema")
    return work


def _env(dev_server: DevServer, tmp_path: Path) -> dict[str, str]:
    return {"SCHEMACTL_DEV_URL": dev_server.url, "RUNNER_TEMP": str(tmp_path / "runner")}


# --- the workflow's shape ------------------------------------------------------------------------


def test_workflow_runs_on_pull_requests_and_on_a_schedule(workflow: dict) -> None:
    triggers = _triggers(workflow)
    assert "pull_request" in triggers
    assert triggers["schedule"] and all("cron" in entry for entry in triggers["schedule"])
    assert workflow["jobs"]["pull-request"]["if"] == "github.event_name == 'pull_request'"
    assert workflow["jobs"]["drift"]["if"] == "github.event_name != 'pull_request'"


def test_every_check_calls_schemactl_not_make(workflow: dict) -> None:
    calls = 0
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            run = step.get("run", "")
            if step.get("name") == "install":
                assert run == "make install"
                continue
            assert not re.search(r"(^|[;&|]\s*)make\b", run, re.M), f"{name}/{step.get('name')} runs make"
            for prefix in re.findall(r"^\s*(\S*)schemactl (?:validate|lint|generate|diff|drift|apply|migrate)\b", run, re.M):
                assert prefix == ".venv/bin/", f"{name}/{step.get('name')}: {prefix}schemactl"
                calls += 1
    assert calls == 6  # validate, lint, generate --check, the plan, the history check, drift


def test_pull_request_job_checks_what_ci_checks(workflow: dict) -> None:
    assert _step(workflow, "pull-request", "validate")["run"] == ".venv/bin/schemactl validate"
    assert _step(workflow, "pull-request", "lint")["run"] == ".venv/bin/schemactl lint"
    assert _step(workflow, "pull-request", "generate-check")["run"] == ".venv/bin/schemactl generate --check"
    plan = _step(workflow, "pull-request", "plan")["run"]
    assert "--format markdown" in plan and "$GITHUB_STEP_SUMMARY" in plan and "pr-comment" in plan
    uploads = [s for s in workflow["jobs"]["pull-request"]["steps"]
               if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert [u["with"]["name"] for u in uploads] == ["pr-comment"]
    assert all(u.get("if") == "always()" for u in uploads)


def test_every_job_caches_pip_downloads_keyed_on_the_pins(workflow: dict) -> None:
    for name, job in workflow["jobs"].items():
        setups = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/setup-python@")]
        assert setups, f"{name}: no setup-python step"
        for step in setups:
            assert step["with"].get("cache") == "pip", (name, step)
            assert step["with"].get("cache-dependency-path") == "pyproject.toml", (name, step)


def test_dev_server_service_is_the_deployed_major(workflow: dict) -> None:
    major = configured_major(REPO)
    for job in workflow["jobs"].values():
        image = job["services"]["dev-server"]["image"]
        assert image == f"postgres:{major}"
    assert workflow["env"]["SCHEMACTL_DEV_URL"].startswith("postgresql://")


def test_drift_reads_staging_from_a_secret(workflow: dict) -> None:
    step = _step(workflow, "drift", "drift")
    assert step["env"]["STAGING_URL"] == "${{ secrets.STAGING_URL }}"
    assert workflow["permissions"] == {"contents": "read"}


# --- the workflow's steps, run -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["validate", "generate-check"])
def test_check_steps_pass_on_the_repository(workflow: dict, name: str, tmp_path: Path) -> None:
    code, output, _ = _run_step(_step(workflow, "pull-request", name), REPO, {}, tmp_path)
    assert code == EXIT_OK, output


def test_drift_step_exit_codes(workflow: dict, dev_server: DevServer, schema_db: str, tmp_path: Path) -> None:
    step = _step(workflow, "drift", "drift")
    env = _env(dev_server, tmp_path)
    work = _checkout(tmp_path)  # the step writes drift.md where it runs

    code, output, summary = _run_step(step, work, {**env, "STAGING_URL": schema_db}, tmp_path)
    assert code == EXIT_OK, output
    assert "staging matches schema/" in output
    assert summary.strip(), "the report goes to the job summary"

    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute("ALTER TABLE memory_assets ADD COLUMN hand_edit text")
    code, output, summary = _run_step(step, work, {**env, "STAGING_URL": schema_db}, tmp_path)
    assert code == EXIT_DIFFERENCES, output
    assert "::error title=drift::" in output
    assert "hand_edit" in summary

    code, output, summary = _run_step(step, work, {**env, "STAGING_URL": "postgresql://postgres@127.0.0.1:1/nothing"},
                                      tmp_path)
    assert code == EXIT_ERROR, output
    assert "::error title=drift not checked::" in output and "not drift" in output

    code, output, _ = _run_step(step, work, {**env, "STAGING_URL": ""}, tmp_path)
    assert code == EXIT_ERROR, output
    assert "STAGING_URL secret is not set" in output


def test_pull_request_steps_on_an_unchanged_schema(workflow: dict, dev_server: DevServer, tmp_path: Path) -> None:
    work = _checkout(tmp_path)
    env = _env(dev_server, tmp_path)
    code, output, summary = _run_step(_step(workflow, "pull-request", "plan"), work, env, tmp_path)
    assert code == EXIT_OK, output
    assert "unchanged" in output
    assert (work / "pr-comment" / "comment.md").read_text() == summary
    code, output, _ = _run_step(_step(workflow, "pull-request", "migration written"), work, env, tmp_path)
    assert code == EXIT_OK, output


def test_pull_request_without_its_migration_fails(workflow: dict, dev_server: DevServer, tmp_path: Path) -> None:
    work = _checkout(tmp_path)
    (work / "schema" / "tables" / "zz_review_notes.sql").write_text(
        "CREATE TABLE public.review_notes (id bigint PRIMARY KEY, note text NOT NULL);\n"
        "COMMENT ON TABLE public.review_notes IS 'Notes left by reviewers.';\n"
        "COMMENT ON COLUMN public.review_notes.id IS 'Key.';\n"
        "COMMENT ON COLUMN public.review_notes.note IS 'The note.';\n")
    env = _env(dev_server, tmp_path)
    code, output, summary = _run_step(_step(workflow, "pull-request", "plan"), work, env, tmp_path)
    assert code == EXIT_OK, output
    assert "schema/ changes" in output and "review_notes" in summary
    code, output, summary = _run_step(_step(workflow, "pull-request", "migration written"), work, env, tmp_path)
    assert code == EXIT_DIFFERENCES, output
    assert "::error title=migration missing::" in output
    assert "review_notes" in summary


def test_pull_request_plan_flags_deleted_data_and_fails_on_bad_input(workflow: dict, dev_server: DevServer,
                                                                     tmp_path: Path) -> None:
    work = _checkout(tmp_path)
    env = _env(dev_server, tmp_path)
    # The base branch had a table this pull request removes.
    (tmp_path / "runner" / "base" / "schema" / "zz_old_notes.sql").write_text(
        "CREATE TABLE public.old_notes (id bigint PRIMARY KEY);\n"
        "COMMENT ON TABLE public.old_notes IS 'Removed by the pull request.';\n"
        "COMMENT ON COLUMN public.old_notes.id IS 'Key.';\n")
    code, output, summary = _run_step(_step(workflow, "pull-request", "plan"), work, env, tmp_path)
    assert code == EXIT_OK, output
    assert "::warning title=deletes data::" in output
    assert "old_notes" in summary

    (work / "schema" / "broken.sql").write_text("CREATE TABLE broken (;\n")
    code, output, _ = _run_step(_step(workflow, "pull-request", "plan"), work, env, tmp_path)
    assert code == EXIT_ERROR, output
    assert "::error title=plan failed::" in output and "broken.sql:1" in output


# --- pre-commit hooks ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks() -> list[dict]:
    return yaml.safe_load(HOOKS.read_text())


def test_hooks_cover_validate_lint_and_generate_check(hooks: list[dict]) -> None:
    assert {h["id"]: h["entry"] for h in hooks} == {
        "schemactl-validate": "schemactl validate",
        "schemactl-lint": "schemactl lint",
        "schemactl-generate-check": "schemactl generate --check",
    }
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert re.search(hook["files"], "schema/tables/memory_assets.sql"), hook["id"]
        assert not re.search(hook["files"], "README.md"), hook["id"]


@pytest.mark.parametrize("hook_id", ["schemactl-validate", "schemactl-generate-check"])
def test_hooks_pass_on_the_repository_and_fail_on_a_bad_file(hooks: list[dict], hook_id: str,
                                                             tmp_path: Path) -> None:
    hook = next(h for h in hooks if h["id"] == hook_id)
    command = [str(SCHEMACTL), *hook["entry"].split()[1:]]
    work = _checkout(tmp_path)
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_OK, done.stderr
    (work / "schema" / "zz_unsafe.sql").write_text("COPY memory_assets FROM PROGRAM 'id';\n")
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300)
    assert done.returncode != EXIT_OK
    assert "zz_unsafe.sql:1" in done.stdout + done.stderr


def _make_diff(tmp_path: Path, before: str, after: str, dev_url: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "a.sql").write_text(before)
    (tmp_path / "b.sql").write_text(after)
    env = {**os.environ, "SCHEMACTL_DEV_URL": dev_url}
    return subprocess.run(["make", "-s", "-C", str(REPO), "diff", f"FROM={tmp_path / 'a.sql'}",
                           f"TO={tmp_path / 'b.sql'}", "FORMAT=sql"], capture_output=True, text=True, env=env,
                          timeout=300, stdin=subprocess.DEVNULL)


def test_make_diff_exits_0_when_it_printed_a_plan_and_fails_on_errors(tmp_path: Path, dev_server: DevServer) -> None:
    table = "CREATE TABLE wallets (wallet_address text PRIMARY KEY);\n"
    changed = _make_diff(tmp_path, table, table + "CREATE INDEX wallets_idx ON wallets (wallet_address);\n",
                         dev_server.url)
    assert changed.returncode == 0, changed.stderr
    assert "create index" in changed.stdout.lower() and "Error" not in changed.stderr
    same = _make_diff(tmp_path, table, table, dev_server.url)
    assert same.returncode == 0 and "no changes" in same.stdout, same.stderr
    broken = _make_diff(tmp_path, table, "CREATE TABLE (;\n", dev_server.url)
    assert broken.returncode != 0 and "b.sql" in broken.stderr, broken.stderr

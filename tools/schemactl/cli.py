"""The command line: a thin shell that turns stage results into output and exit codes."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from schemactl import __version__
from schemactl.conninfo import mask, resolve_target
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, InputError, Refused, SchemactlError
from schemactl.progress import Reporter

__all__ = ["main", "parse_args", "run"]

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

EPILOG = """exit codes: 0 no differences / success, 1 differences (drift, pending changes,
findings), 2 usage, input or connection error, 3 refused (destructive change without
--allow-destructive, checksum mismatch, reset without --yes).

Target connection: --target, else DATABASE_URL, else DB_HOST DB_PORT DB_NAME DB_USER
DB_PASSWORD. Dev server (where SQL files are built): --dev-url, else SCHEMACTL_DEV_URL,
else an embedded PostgreSQL started by the tool (`schemactl dev-server stop` ends it)."""


def _add_dev_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dev-url", metavar="URL",
                        help="server for scratch databases (default: SCHEMACTL_DEV_URL, else embedded)")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from schemactl.validate import validate_dir  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    findings = validate_dir(Path(args.schema_dir))
    for finding in findings:
        print(finding.render(), file=out)
    if findings:
        print(f"{len(findings)} findings in {args.schema_dir}", file=err)
        return EXIT_DIFFERENCES
    if args.build:
        from schemactl.engine import Workspace  # noqa: PLC0415

        with Workspace(dev_url=args.dev_url, progress=report) as ws:
            ws.dev()
            ws.open(args.schema_dir, label="validate")
        report("built on the dev server without errors")
    print(f"{args.schema_dir}: ok", file=err)
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from schemactl import engine  # noqa: PLC0415
    from schemactl.plan import destructive_refusal  # noqa: PLC0415
    from schemactl.render import plan_json, plan_markdown, plan_text, script  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    if not args.source and not args.from_history:
        raise SchemactlError("diff needs --from SRC (or --from-history)")
    with engine.Workspace(dev_url=args.dev_url, progress=report) as ws:
        sources = [s for s in (args.source, args.to) if s]
        for src in sources:
            engine.existing_path(src)
        major = engine.sources_major(ws, *sources)
        if args.from_history:
            from schemactl.migrate import history_side  # noqa: PLC0415

            ws.dev(major)
            target = ws.open(args.to, label="to", want_major=major)
            source = history_side(ws, Path(args.migrations_dir), declared_roles=target.roles)
        else:
            if not engine.is_url(args.source) or not engine.is_url(args.to):
                ws.dev(major)
            target = ws.open(args.to, label="to", want_major=major) if not engine.is_url(args.to) else None
            declared = target.roles if target is not None else {}
            source = ws.open(args.source, label="from", declared_roles=declared, want_major=major)
            if target is None:
                target = ws.open(args.to, label="to", declared_roles=source.roles, want_major=major)
        report("planning")
        plan = engine.make_plan(ws, source, target, verify=not args.no_verify)
    report(f"{len(plan.changes)} changes" + (", verified" if plan.verified else ""))
    if args.rollback_out:
        Path(args.rollback_out).write_text(script(plan.rollback, title=f"rollback: {plan.target} -> {plan.source}"))
        report(f"rollback written to {args.rollback_out}")
    if args.format == "json":
        out.write(plan_json(plan))
    elif args.format == "markdown":
        out.write(plan_markdown(plan))
    else:
        out.write(script(plan.changes, title=f"migration: {plan.source} -> {plan.target}"))
        if not args.quiet and not plan.empty:
            err.write(plan_text(plan))
    if plan.destructive and not args.allow_destructive:
        raise Refused(destructive_refusal(plan))
    return EXIT_DIFFERENCES if not plan.empty else EXIT_OK


def _cmd_drift(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from schemactl.drift import check_drift, render_drift  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    if args.targets:
        return _fleet_drift(args, out, report)
    if args.jobs is not None or args.shard:
        raise InputError("--jobs and --shard go with --targets FILE")
    target = resolve_target(args.target)
    result = check_drift(target, Path(args.schema_dir), dev_url=args.dev_url, progress=report)
    out.write(render_drift(result, args.format))
    return EXIT_OK if result.zero else EXIT_DIFFERENCES


def _fleet_drift(args: argparse.Namespace, out: TextIO, report: Reporter) -> int:
    from schemactl import fleet  # noqa: PLC0415

    if args.target:
        raise InputError("--target and --targets exclude each other")
    targets = fleet.read_targets(args.targets)
    total = len(targets)
    shard = fleet.parse_shard(args.shard) if args.shard else None
    if shard:
        targets = fleet.shard_of(targets, *shard)
        report(f"shard {shard[0]}/{shard[1]}: {len(targets)} of {total} targets")
    results = fleet.check_fleet(targets, Path(args.schema_dir), dev_url=args.dev_url,
                                jobs=args.jobs or 4, progress=report)
    document = fleet.fleet_document(results, total=total, shard=shard)
    out.write(fleet.render_fleet(document, args.format))
    return fleet.fleet_exit_code(results)


def _cmd_drift_merge(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json  # noqa: PLC0415

    from schemactl import fleet  # noqa: PLC0415

    documents = []
    for path in args.files:
        try:
            documents.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a fleet drift JSON document: {exc}") from None
    merged = fleet.merge_documents(documents)
    out.write(fleet.render_fleet(merged, args.format))
    return int(merged["summary"]["exit_code"])


def _cmd_apply(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from schemactl.apply import apply_schema  # noqa: PLC0415
    from schemactl.render import plan_text, script  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    target = resolve_target(args.target)
    outcome = apply_schema(target, Path(args.schema_dir), dev_url=args.dev_url, dry_run=args.dry_run,
                           allow_destructive=args.allow_destructive, progress=report)
    if args.dry_run:
        out.write(script(outcome.plan.changes, title=f"migration: {outcome.plan.source} -> {outcome.plan.target}"))
        return EXIT_DIFFERENCES if not outcome.plan.empty else EXIT_OK
    err.write(plan_text(outcome.plan))
    print(f"applied {len(outcome.plan.changes)} changes to {mask(target)}; zero drift verified", file=out)
    return EXIT_OK


def _cmd_dev_server(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from schemactl.devserver import get_dev_server, stop_embedded  # noqa: PLC0415

    if args.action == "stop":
        if args.clean:
            from schemactl.desired import clean  # noqa: PLC0415

            for name in clean(dev_url=args.dev_url):
                print(f"dropped {name}", file=out)
        stopped = stop_embedded()
        print("\n".join(f"stopped {d}" for d in stopped) or "no embedded server running", file=out)
        return EXIT_OK
    server = get_dev_server(dev_url=args.dev_url, want_major=args.major, progress=Reporter(err, args.quiet))
    print(server.url, file=out)
    return EXIT_OK


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schemactl",
        description="Declarative PostgreSQL schema-as-code: validate, diff, drift, apply, migrate.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"schemactl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser("validate", help="check schema/ offline with pglast; --build also builds it",
                                   description="Parse every file with pglast and apply the schema rules; "
                                   "findings print as path:line:col: CODE message.")
    validate.add_argument("--schema-dir", default="schema", metavar="DIR")
    validate.add_argument("--build", action="store_true", help="also build on the dev server")
    _add_dev_url(validate)
    _add_common(validate)
    validate.set_defaults(handler=_cmd_validate)

    diff = commands.add_parser("diff", help="plan the changes from one schema to another",
                               description="SRC is a postgresql:// URL, a directory of SQL files, or one .sql "
                               "file. The migration SQL goes to stdout; reports and progress to stderr. The plan "
                               "is rehearsed on a scratch copy and must reach zero drift before it is printed.")
    diff.add_argument("--from", dest="source", metavar="SRC", help="the current schema")
    diff.add_argument("--from-history", action="store_true",
                      help="the current schema is the replayed migration history (generated/migrations)")
    diff.add_argument("--migrations-dir", default="generated/migrations", metavar="DIR")
    diff.add_argument("--to", required=True, metavar="SRC", help="the desired schema")
    diff.add_argument("--rollback-out", metavar="FILE", help="write the rollback script here")
    diff.add_argument("--format", choices=("sql", "json", "markdown"), default="sql")
    diff.add_argument("--allow-destructive", action="store_true", help="accept changes that delete data")
    diff.add_argument("--no-verify", action="store_true", help="skip the rehearsal (not recommended)")
    _add_dev_url(diff)
    _add_common(diff)
    diff.set_defaults(handler=_cmd_diff)

    drift = commands.add_parser("drift", help="compare a live database with schema/",
                                description="Exit 0 when the target matches schema/ by both checks (migra "
                                "with the tool's extras, and normalized pg_dump); else exit 1 with a report "
                                "of each drifted object and the SQL that fixes it.")
    drift.add_argument("--target", metavar="URL")
    drift.add_argument("--targets", metavar="FILE",
                       help="check many targets: one `name=URL` or URL a line, # comments, - for stdin; "
                       "exit 1 if any drifted, 2 if any could not be checked")
    drift.add_argument("--jobs", type=_positive, metavar="N", help="targets checked at once (default 4)")
    drift.add_argument("--shard", metavar="I/N", help="check only every N-th target, starting with the I-th")
    drift.add_argument("--schema-dir", default="schema", metavar="DIR")
    drift.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    _add_dev_url(drift)
    _add_common(drift)
    drift.set_defaults(handler=_cmd_drift)

    merge = commands.add_parser("drift-merge", help="merge the JSON results of sharded fleet drift runs",
                                description="Read the JSON documents of `drift --targets FILE --shard I/N "
                                "--format json` (every shard exactly once) and print them as one, with the "
                                "fleet's exit code.")
    merge.add_argument("files", nargs="+", metavar="FILE")
    merge.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    _add_common(merge)
    merge.set_defaults(handler=_cmd_drift_merge)

    apply = commands.add_parser("apply", help="bring a live database to schema/",
                                description="Plan, rehearse, take an advisory lock, apply in one transaction "
                                "(online steps after it), and verify zero drift. A failure leaves the target "
                                "as it was.")
    apply.add_argument("--target", metavar="URL")
    apply.add_argument("--schema-dir", default="schema", metavar="DIR")
    apply.add_argument("--allow-destructive", action="store_true")
    apply.add_argument("--dry-run", action="store_true", help="print the script, change nothing")
    _add_dev_url(apply)
    _add_common(apply)
    apply.set_defaults(handler=_cmd_apply)

    from schemactl import generate, lint, migrate  # noqa: PLC0415

    migrate.add_parser(commands, _add_dev_url, _add_common)
    lint.add_parser(commands, _add_common)
    generate.add_parser(commands, _add_dev_url, _add_common)
    from schemactl import operations, settings  # noqa: PLC0415

    settings.add_parser(commands, _add_common)
    operations.add_parser(commands, _add_common)

    dev = commands.add_parser("dev-server", help="show or stop the embedded dev server")
    dev.add_argument("action", choices=("url", "stop"))
    dev.add_argument("--major", type=int, help="the PostgreSQL major version wanted")
    dev.add_argument("--clean", action="store_true",
                     help="with stop: also drop the cached desired-state templates and their on-disk cache")
    _add_dev_url(dev)
    _add_common(dev)
    dev.set_defaults(handler=_cmd_dev_server)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return _parser().parse_args(argv)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one parsed command; every expected failure becomes a message and an exit code."""
    handler: Handler = args.handler
    try:
        return handler(args, out, err)
    except SchemactlError as exc:
        print(f"schemactl: error: {mask(str(exc))}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("schemactl: interrupted; scratch databases were dropped", file=err)
        return 130


def _terminate(signum: int, frame: object) -> None:
    # Turn SIGTERM into the same unwinding as Ctrl-C, so scratch databases are dropped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _terminate)
    args = parse_args(argv)
    sys.exit(run(args, sys.stdout, sys.stderr))


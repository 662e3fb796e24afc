"""`schemactl diff`: plan the changes from one schema to another, rehearsed before it is printed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_dev_url, add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, Refused, SchemactlError
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `diff` and its options."""
    parser = commands.add_parser("diff", help="plan the changes from one schema to another",
                                 description="SRC is a postgresql:// URL, a directory of SQL files, or one .sql "
                                 "file. The migration SQL goes to stdout; reports and progress to stderr. The "
                                 "plan is rehearsed on a scratch copy and must reach zero drift before it is "
                                 "printed.")
    parser.add_argument("--from", dest="source", metavar="SRC", help="the current schema")
    parser.add_argument("--from-history", action="store_true",
                        help="the current schema is the replayed migration history (generated/migrations)")
    parser.add_argument("--migrations-dir", default="generated/migrations", metavar="DIR")
    parser.add_argument("--to", required=True, metavar="SRC", help="the desired schema")
    parser.add_argument("--rollback-out", metavar="FILE", help="write the rollback script here")
    parser.add_argument("--format", choices=("sql", "json", "markdown"), default="sql")
    parser.add_argument("--allow-destructive", action="store_true", help="accept changes that delete data")
    parser.add_argument("--no-verify", action="store_true", help="skip the rehearsal (not recommended)")
    add_dev_url(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the plan; exit 1 when it has changes, 3 when it deletes data without --allow-destructive."""
    from schemactl import engine  # noqa: PLC0415
    from schemactl.plan import destructive_refusal  # noqa: PLC0415
    from schemactl.render import plan_json, plan_markdown, plan_text, script  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    if not args.source and not args.from_history:
        raise SchemactlError("diff needs --from SRC (or --from-history)")
    project = next((Path(s) for s in (args.to, args.source) if s and not engine.is_url(s)), None)
    with engine.Workspace(dev_url=args.dev_url, progress=report, project=project) as ws:
        sources = [s for s in (args.source, args.to) if s]
        for src in sources:
            engine.existing_path(src)
        major = engine.sources_major(ws, *sources)
        if args.from_history:
            from schemactl.migrations.history import history_side  # noqa: PLC0415

            ws.dev(major)
            target = ws.open(args.to, label="to", want_major=major)
            source = history_side(ws, Path(args.migrations_dir), declared_roles=target.roles)
        else:
            # Rehearsal copies of two live sides go to a dev server of their major too: a dump
            # restores only on the major (and build) it came from.
            ws.dev(major)
            target = ws.open(args.to, label="to", want_major=major) if not engine.is_url(args.to) else None
            declared = target.roles if target is not None else {}
            source = ws.open(args.source, label="from", declared_roles=declared, want_major=major)
            if target is None:
                target = ws.open(args.to, label="to", declared_roles=source.roles, want_major=major)
        report("planning")
        plan = engine.make_plan(ws, source, target, verify=not args.no_verify)
    report(f"{len(plan.changes)} changes" + (", verified" if plan.verified else ""))
    if plan.irreversible:
        if args.rollback_out:
            raise SchemactlError(f"no rollback written to {args.rollback_out}: {plan.irreversible}")
        print(f"schemactl: warning: the forward plan is verified but has no rollback: {plan.irreversible}",
              file=err)
    if args.rollback_out:
        rollback = script(plan.rollback, title=f"rollback: {plan.target} -> {plan.source}", lint_waivers=False)
        Path(args.rollback_out).write_text(rollback)
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

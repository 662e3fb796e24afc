"""Drift reports offline: one canonical name an object, items grouped by object, the JSON Schema itself."""

from __future__ import annotations

import json

import jsonschema
import pytest

from drift_schema import SCHEMA, assert_valid
from schemactl.drift import DriftResult, drift_document, drift_items, existing_replaceable, render_drift
from schemactl.fleet import FleetTarget, TargetResult, fleet_document, merge_documents
from schemactl.identity import KINDS, UnknownObject, identify, quote_name
from schemactl.plan import HAZARDS, Change


@pytest.mark.parametrize("statement, kind, name", [
    ('CREATE OR REPLACE FUNCTION public.f(a integer, OUT b text, c double precision DEFAULT 1)\n RETURNS record\n'
     " LANGUAGE sql\nAS $function$select 1$function$", "function", "public.f(integer,double precision)"),
    ('drop function if exists "public"."f"(a integer, c double precision);', "function",
     "public.f(integer,double precision)"),
    ('COMMENT ON FUNCTION "public"."f"(a integer, c double precision) IS \'x\';', "function",
     "public.f(integer,double precision)"),
    ('ALTER FUNCTION public.f(integer, double precision) OWNER TO "owner";', "function",
     "public.f(integer,double precision)"),
    ('REVOKE EXECUTE ON FUNCTION public.g(v VARIADIC character varying[]) FROM PUBLIC;', "function",
     "public.g(character varying[])"),
    ('ALTER FUNCTION report.scaled(amount numeric, unit text, b bit, i interval, c "char") OWNER TO "o";', "function",
     'report.scaled(numeric,text,bit,interval,"char")'),
    ('CREATE PROCEDURE public."Move"(x timestamp with time zone) LANGUAGE sql AS $$select 1$$', "procedure",
     'public."Move"(timestamp with time zone)'),
    ('create policy "owner_access" on "public"."memory_assets" as permissive for all to "svc" using (true);',
     "policy", "owner_access on public.memory_assets"),
    ('ALTER POLICY "owner_access" ON "public"."memory_assets" TO "svc" USING (false);', "policy",
     "owner_access on public.memory_assets"),
    ('drop policy "owner_access" on "public"."memory_assets";', "policy", "owner_access on public.memory_assets"),
    ('alter table "public"."t" add column "Label" text;', "column", 'public.t."Label"'),
    ('COMMENT ON COLUMN "public"."t"."Label" IS \'x\';', "column", 'public.t."Label"'),
    ('alter table "public"."t" drop constraint "t_pkey";', "constraint", "t_pkey on public.t"),
    ('drop index if exists "public"."t_idx";', "index", "public.t_idx"),
    ('CREATE INDEX t_idx ON public.t USING btree (a);', "index", "public.t_idx"),
    ('DROP TRIGGER "stamp" ON "public"."t";', "trigger", "stamp on public.t"),
    ('GRANT SELECT ON TABLE "public"."select" TO "svc";', "table", 'public."select"'),
    ('ALTER VIEW "public"."v" SET (security_invoker = true);', "view", "public.v"),
    ('alter type "public"."e" rename to "e__old_version_to_be_dropped";', "type", "public.e"),
    ('drop type "public"."e__old_version_to_be_dropped";', "type", "public.e"),
    ('CREATE DOMAIN "public"."Base58" AS text CONSTRAINT "b58" CHECK (VALUE ~ \'^[1-9]+$\');', "domain",
     'public."Base58"'),
    ('ALTER DOMAIN "public"."Base58" DROP CONSTRAINT "b58";', "domain", 'public."Base58"'),
    ('DROP DOMAIN "public"."Base58";\nCREATE DOMAIN "public"."Base58" AS character varying;', "domain",
     'public."Base58"'),
    ('COMMENT ON DOMAIN "public"."Base58" IS NULL;', "domain", 'public."Base58"'),
])
def test_statements_name_their_object_one_way(statement: str, kind: str, name: str) -> None:
    found = identify(statement)
    assert found is not None and (found.kind, found.name) == (kind, name)
    assert found.kind in KINDS


def test_a_session_setting_is_no_object_and_an_unknown_statement_is_an_error() -> None:
    assert identify("set check_function_bodies = off;") is None
    with pytest.raises(UnknownObject, match="cannot tell which object"):
        identify("VACUUM public.t;")


def test_a_few_statements_on_one_object_keep_what_they_do_to_it() -> None:
    created = identify('CREATE DOMAIN public.d AS text;\nCOMMENT ON DOMAIN public.d IS \'x\';')
    recreated = identify('DROP DOMAIN public.d;\nCREATE DOMAIN public.d AS integer;')
    assert (created.effect, recreated.effect) == ("create", "change")


def test_engine_names_of_do_blocks() -> None:
    block = "DO $role$ BEGIN NULL; END $role$;"
    assert identify(block, engine_object="role App").name == '"App"'
    assert identify(block, engine_object="database (current)", database="memory").name == "memory"


@pytest.mark.parametrize("name, major, quoted", [
    ("memory_assets", None, "memory_assets"), ("Assets", None, '"Assets"'), ("select", None, '"select"'),
    ("integer", None, '"integer"'), ("name", None, "name"), ("a b", None, '"a b"'), ('a"b', None, '"a""b"'),
    ("json", 15, "json"), ("json", 16, '"json"'),
])
def test_names_are_quoted_as_quote_ident_quotes_them(name: str, major: int | None, quoted: str) -> None:
    assert quote_name(name, major=major) == quoted


def _change(sql: str, action: str, hazards: tuple[str, ...] = ()) -> Change:
    return Change(sql=sql, object="", action=action, hazards=hazards)


def test_a_function_body_change_is_one_item() -> None:
    changes = [_change("set check_function_bodies = off;", "other"),
               _change("CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer\n LANGUAGE sql\n"
                       "AS $function$select 2$function$\n;", "replace", ("has_untracked_dependencies",)),
               _change('ALTER FUNCTION "public"."f"(a integer) OWNER TO "owner";', "owner", ("authorization",)),
               _change('COMMENT ON FUNCTION "public"."f"(a integer) IS \'doubles\';', "comment")]
    items = drift_items(changes)
    assert [(i.kind, i.name, i.state) for i in items] == [("function", "public.f(integer)", "changed")]
    assert items[0].hazards == ("authorization", "has_untracked_dependencies")
    assert len(items[0].statements) == 3 and not any("check_function_bodies" in s for s in items[0].statements)


def test_role_blocks_are_missing_or_extra_roles() -> None:
    block = "DO $role$ BEGIN NULL; END $role$;"
    changes = [Change(sql=block, object="role app", action="create"), Change(sql=block, object="role old", action="drop"),
               Change(sql=block, object="role kept", action="alter")]
    assert [(i.name, i.state) for i in drift_items(changes)] == [("app", "missing"), ("old", "extra"),
                                                                  ("kept", "changed")]


def test_a_dropped_table_takes_its_constraint_and_index_along() -> None:
    changes = [_change('alter table "public"."t" drop constraint "t_pkey";', "alter", ("access_exclusive_lock",)),
               _change('drop index if exists "public"."t_pkey";', "drop", ("access_exclusive_lock",)),
               _change('drop table "public"."t";', "drop", ("access_exclusive_lock", "deletes_data"))]
    items = drift_items(changes)
    assert [(i.kind, i.name, i.state) for i in items] == [("table", "public.t", "extra")]
    assert items[0].how.startswith("drop: drop table") and len(items[0].statements) == 3


def test_a_recreated_policy_is_changed_not_extra_and_missing() -> None:
    changes = [_change('drop policy "p" on "public"."t";', "drop", ("authorization",)),
               _change('create policy "p" on "public"."t" as restrictive for all to public using (true);', "create",
                       ("authorization",))]
    assert [(i.kind, i.name, i.state) for i in drift_items(changes)] == [("policy", "p on public.t", "changed")]


def test_schema_is_valid_draft_2020_12_and_lists_every_kind_and_hazard() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    item = SCHEMA["$defs"]["item"]["properties"]
    assert tuple(item["kind"]["enum"]) == KINDS
    assert SCHEMA["$defs"]["hazard"]["enum"] == list(HAZARDS)


def _result() -> DriftResult:
    items = drift_items([_change('alter table "public"."t" drop column "c";', "alter",
                                 ("access_exclusive_lock", "deletes_data"))])
    return DriftResult(target="postgresql://u:***@h/db", items=items, plan=None, dump_lines=("-    c text",))


def test_documents_follow_the_schema_and_the_schema_can_fail() -> None:
    document = json.loads(render_drift(_result(), "json"))
    assert_valid(document, "target")
    assert document["items"][0]["hazards"] == ["access_exclusive_lock", "deletes_data"]
    fleet = fleet_document([TargetResult(FleetTarget(0, "a", "postgresql://h/a"), "drift", drift=_result()),
                            TargetResult(FleetTarget(1, "b", "postgresql://h/b"), "error", error="cannot connect")],
                           total=3, shard=(1, 2))
    assert_valid(fleet, "fleet")
    other = fleet_document([TargetResult(FleetTarget(2, "c", "postgresql://h/c"), "clean",
                                         drift=DriftResult(target="postgresql://h/c", items=(), plan=None,
                                                           dump_lines=()))], total=3, shard=(2, 2))
    assert_valid(merge_documents([fleet, other]), "fleet")
    pseudo = json.loads(json.dumps(document))
    pseudo["items"][0].update(kind="VariableSetStmt", name="")
    for broken in (pseudo, {**document, "items": [{k: v for k, v in document["items"][0].items() if k != "hazards"}]},
                   {**document, "surprise": 1}):
        with pytest.raises(AssertionError):
            assert_valid(broken, "target")
    with pytest.raises(AssertionError):
        assert_valid({**fleet, "results": [{**fleet["results"][1], "error": None}]}, "fleet")


def test_fleet_entries_carry_the_single_target_fields() -> None:
    entry = fleet_document([TargetResult(FleetTarget(0, "a", "postgresql://h/a"), "drift", drift=_result())],
                           total=1)["results"][0]
    single = drift_document(_result())
    assert {k: v for k, v in single.items() if k != "format_version"}.items() <= entry.items()


def test_a_new_overload_is_missing_not_changed() -> None:
    existing = existing_replaceable({("FUNCTION", "public.f(a integer)"): "o", ("VIEW", 'public."V"'): "o",
                                     ("TABLE", "public.t"): "o"})
    assert existing == {("function", "public.f(integer)"), ("view", 'public."V"')}
    replace = [_change("CREATE OR REPLACE FUNCTION public.f(a text)\n RETURNS integer\n LANGUAGE sql\n"
                       "AS $function$select 1$function$", "replace", ("has_untracked_dependencies",)),
               _change("CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer\n LANGUAGE sql\n"
                       "AS $function$select 2$function$", "replace", ("has_untracked_dependencies",))]
    assert [(i.name, i.state) for i in drift_items(replace, existing=existing)] == [
        ("public.f(text)", "missing"), ("public.f(integer)", "changed")]

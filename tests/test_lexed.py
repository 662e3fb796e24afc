"""Edits of generated SQL happen between the lexer's tokens: never inside a literal or an identifier."""

from __future__ import annotations

import pytest
from pglast import parse_sql

from schemactl.errors import VerificationFailed
from schemactl.lexed import (
    insert_after_keyword,
    insert_at,
    list_elements,
    replace_last_identifier,
    without_keyword_before,
)

CHILD = ('create table "public"."x" (\n    "a" integer,\n    "b" text default \'a,\n    "a" x\'::text,\n'
         '    "c" integer[] check (c[1] > 0)\n) inherits ("public"."p");')


def test_list_elements_split_at_commas_outside_literals_and_brackets() -> None:
    opening, closing, spans = list_elements(CHILD)
    assert (CHILD[opening], CHILD[closing]) == ("(", ")")
    assert [CHILD[a:b].strip() for a, b in spans] == [
        '"a" integer', '"b" text default \'a,\n    "a" x\'::text', '"c" integer[] check (c[1] > 0)']


def test_insert_at_a_token_boundary_only() -> None:
    text = 'alter table "x add column y" add column "c" integer;'
    at = parse_sql(text)[0].stmt.cmds[0].def_.location
    assert insert_at(text, at, "if not exists ") == 'alter table "x add column y" add column if not exists "c" integer;'
    literal = "select 'a b c';"
    with pytest.raises(VerificationFailed):
        insert_at(literal, literal.index("b"), "x")


def test_keywords_inside_identifiers_are_not_keywords() -> None:
    text = 'alter table "x drop column" drop column "c";'
    assert insert_after_keyword(text, ("DROP", "COLUMN"), " if exists") == \
        'alter table "x drop column" drop column if exists "c";'
    with pytest.raises(VerificationFailed):
        insert_after_keyword('comment on table t is \'drop column\';', ("DROP", "COLUMN"), " if exists")


def test_only_goes_only_when_it_is_the_token_before_the_relation() -> None:
    text = 'create index "on only " on only "public"."t" using btree (a);'
    at = parse_sql(text)[0].stmt.relation.location
    assert without_keyword_before(text, at, "ONLY") == 'create index "on only " on "public"."t" using btree (a);'
    plain = 'create index "i" on "public"."t" using btree (a);'
    with pytest.raises(VerificationFailed):
        without_keyword_before(plain, parse_sql(plain)[0].stmt.relation.location, "ONLY")


def test_only_the_grantee_public_loses_its_quotes() -> None:
    grant = 'grant select on table "public"."t" to "PUBLIC";'
    assert replace_last_identifier(grant, '"PUBLIC"', "PUBLIC", ("TO", "FROM")) == \
        'grant select on table "public"."t" to PUBLIC;'
    role = 'grant select on table "public"."t" to "x to ""PUBLIC";'
    assert replace_last_identifier(role, '"PUBLIC"', "PUBLIC", ("TO", "FROM")) == role

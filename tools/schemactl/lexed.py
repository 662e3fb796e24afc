"""Edits of a SQL statement at token boundaries PostgreSQL's own lexer finds, never inside a literal,
an identifier or a comment."""

from __future__ import annotations

from typing import NamedTuple

from schemactl.errors import VerificationFailed

__all__ = ["insert_at", "insert_after_keyword", "list_elements", "replace_last_identifier",
           "without_keyword_before"]


class _Token(NamedTuple):
    start: int
    end: int  # exclusive
    name: str


def _tokens(text: str) -> list[_Token]:
    from pglast.parser import scan  # noqa: PLC0415

    return [_Token(t.start, t.end + 1, t.name) for t in scan(text)]


def _refuse(text: str, what: str) -> VerificationFailed:
    first = text.strip().splitlines()[0][:120] if text.strip() else "(empty)"
    return VerificationFailed(f"cannot {what} in the statement {first!r}: not at a token boundary")


def insert_at(text: str, position: int, words: str) -> str:
    """text with words inserted where a token starts or ends (position, as the parser reported it)."""
    if not any(position in (t.start, t.end) for t in _tokens(text)):
        raise _refuse(text, f"insert {words.strip()!r}")
    return text[:position] + words + text[position:]


def insert_after_keyword(text: str, keywords: tuple[str, ...], words: str) -> str:
    """text with words inserted after the first run of these keyword tokens (as the lexer names them)."""
    tokens = _tokens(text)
    for i in range(len(tokens) - len(keywords) + 1):
        if tuple(t.name for t in tokens[i:i + len(keywords)]) == keywords:
            end = tokens[i + len(keywords) - 1].end
            return text[:end] + words + text[end:]
    raise _refuse(text, f"insert {words.strip()!r}")


def without_keyword_before(text: str, location: int, keyword: str) -> str:
    """text without the keyword token that directly precedes the token at location."""
    tokens = _tokens(text)
    at = next((i for i, t in enumerate(tokens) if t.start == location), None)
    if at is None or at == 0 or tokens[at - 1].name != keyword:
        raise _refuse(text, f"remove {keyword}")
    return text[:tokens[at - 1].start] + text[location:]


def list_elements(text: str) -> tuple[int, int, list[tuple[int, int]]]:
    """The statement's first parenthesised list: where "(" and ")" are, and each element's span
    between its separating commas (as written, spacing included)."""
    tokens = _tokens(text)
    opening = next((i for i, t in enumerate(tokens) if t.name == "ASCII_40"), None)
    if opening is None:
        raise _refuse(text, "find a list")
    depth, start, spans = 0, tokens[opening].end, []
    for token in tokens[opening + 1:]:
        if token.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        elif token.name in ("ASCII_41", "ASCII_93") and depth > 0:
            depth -= 1
        elif token.name == "ASCII_41":
            if text[start:token.start].strip():
                spans.append((start, token.start))
            return tokens[opening].start, token.start, spans
        elif token.name == "ASCII_44" and depth == 0:
            spans.append((start, token.start))
            start = token.end
    raise _refuse(text, "find the end of a list")


def replace_last_identifier(text: str, written: str, replacement: str, after: tuple[str, ...]) -> str:
    """text with its last token (before a final ";") replaced when it is the identifier written as
    `written` and follows one of the keywords `after`; else text unchanged."""
    tokens = _tokens(text)
    if tokens and tokens[-1].name == "ASCII_59":
        tokens.pop()
    if len(tokens) < 2:
        return text
    last, before = tokens[-1], tokens[-2]
    if last.name != "IDENT" or text[last.start:last.end] != written or before.name not in after:
        return text
    return text[:last.start] + replacement + text[last.end:]

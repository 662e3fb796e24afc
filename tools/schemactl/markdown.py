"""Markdown built by construction: text from SQL, catalogs or servers can end no fence, row or block."""

from __future__ import annotations

import html
import re

__all__ = ["LINE_BREAK", "cell", "fence", "html_text", "inline"]

# What a line break inside a cell, a line of prose or an inline code span becomes: visible, and
# unable to end a table row or start a block (a heading, an HTML block, a fence) on the next line.
LINE_BREAK = " ⏎ "

_BACKTICKS = re.compile(r"`+")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
# Characters CommonMark or GFM give a meaning inline (emphasis, links, code, tables, escapes,
# strikethrough, headings, lists, block quotes); each is written as a backslash escape.
_PUNCTUATION = re.compile(r"([\\`*_\[\]|#~!+\-=])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(LINE_BREAK, text)


def fence(text: str, info: str = "sql") -> str:
    """A fenced code block whose fence is longer than any run of backticks inside `text`."""
    if "`" in info or "\n" in info or "\r" in info:
        raise ValueError(f"a fence's info string holds no backtick or line break: {info!r}")
    marker = "`" * max(3, _longest_backtick_run(text) + 1)
    body = _LINE_BREAKS.sub("\n", text).rstrip()
    return f"{marker}{info}\n{body}\n{marker}" if body else f"{marker}{info}\n{marker}"


def cell(text: str, *, code: bool = False) -> str:
    """A table cell or a line of prose: one line, every character that means something escaped."""
    text = str(text)
    if code and text and not any(c in text for c in "`|\\\r\n") and text.strip() == text:
        return f"`{text}`"
    escaped = "".join(_ENTITIES.get(c, c) for c in _PUNCTUATION.sub(r"\\\1", text))
    return _one_line(escaped)


def inline(text: str) -> str:
    """An inline code span for a name in prose, delimited by more backticks than any run inside."""
    text = _one_line(str(text))
    if not text:
        return "` `"
    marker = "`" * (_longest_backtick_run(text) + 1)
    padded = f" {text} " if text[0] in "` " or text[-1] in "` " else text
    return f"{marker}{padded}{marker}"


def html_text(text: str) -> str:
    """Text inside an HTML element of the report (a `<summary>`): entities escaped, one line."""
    return _one_line(html.escape(str(text), quote=True))

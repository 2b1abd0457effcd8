"""A small SPARQL lexer: enough to find IRIs, prefixed names, keywords and brackets.

It reads the text the engine will run (``gateway.sparql.checks.canonical_text``: no
codepoint escapes left), so its strings, IRIs and comments end where the engine's do.
The remote backend rewrites graph names and dataset clauses with it; the checks measure
how deeply a query nests with it. It decides nothing about safety on its own: what a
query may do is judged by the engine's sandbox and the full check (``checks``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TOKENS = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:(?:[\w:%-]|\\[_~.!$&'()*+,;=/?\#@%-])(?:[\w:%.-]|\\[_~.!$&'()*+,;=/?\#@%-])*)?)
  | (?P<word>[^\W\d][\w-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
OPENING, CLOSING = "{([", "})]"


def tokenize(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) pairs that put together give ``text`` back exactly."""
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind == "pname" and value.endswith("."):  # a local name cannot end with '.'
            yield kind, value.rstrip(".")
            yield "other", value[len(value.rstrip(".")) :]
            continue
        yield kind, value


def nesting_depth(text: str) -> int:
    """How deeply ``{ }``, ``( )`` and ``[ ]`` nest, outside strings, IRIs and comments.

    Unbalanced closing brackets never lower the count below zero, so text cannot hide
    depth behind stray closers.
    """
    depth = deepest = 0
    for kind, value in tokenize(text):
        if kind != "other":
            continue
        if value in OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif value in CLOSING and depth:
            depth -= 1
    return deepest


def declared_prefixes(tokens: list[tuple[str, str]]) -> dict[str, str]:
    """PREFIX declarations of a query: prefix (without ':') → namespace IRI."""
    significant = [t for t in tokens if t[0] not in ("space", "comment")]
    prefixes: dict[str, str] = {}
    for i, (kind, value) in enumerate(significant[:-2]):
        if kind == "word" and value.upper() == "PREFIX":
            name_kind, name = significant[i + 1]
            iri_kind, iri = significant[i + 2]
            if name_kind == "pname" and name.endswith(":") and iri_kind == "iri":
                prefixes[name[:-1]] = iri[1:-1]
    return prefixes


def expand(pname: str, prefixes: dict[str, str]) -> str | None:
    """The IRI a prefixed name stands for, or None when its prefix is not declared."""
    prefix, _, local = pname.partition(":")
    if prefix not in prefixes:
        return None
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)

"""A small accessibility checker for served pages, on the standard library's HTML parser."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageFacts:
    lang: str | None = None
    title: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    unlabelled_th: int = 0
    problems: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._text_for: list[tuple[str, list[str], dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.facts.lang = attributes.get("lang")
        if tag == "img" and not attributes.get("alt"):
            self.facts.problems.append("an image without alt text")
        if tag in ("title", "a", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._text_for.append((tag, [], attributes))

    def handle_data(self, data):
        for _, texts, _ in self._text_for:
            texts.append(data)

    def handle_endtag(self, tag):
        if not self._text_for or self._text_for[-1][0] != tag:
            return
        _, texts, attributes = self._text_for.pop()
        text = " ".join("".join(texts).split())
        if tag == "title":
            self.facts.title = text
        elif tag == "a":
            self.facts.links.append((attributes.get("href", ""), text))
        else:
            self.facts.headings.append((int(tag[1]), text))


def page_facts(html: str) -> PageFacts:
    parser = _Parser()
    parser.feed(html)
    return parser.facts


def accessibility_problems(html: str) -> list[str]:
    """What a reader with assistive technology would trip over on this page."""
    facts = page_facts(html)
    problems = list(facts.problems)
    if not facts.lang:
        problems.append("no lang on <html>")
    if not facts.title:
        problems.append("no <title>")
    levels = [level for level, _ in facts.headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} <h1> elements")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"heading level skips from h{before} to h{after}")
    problems += [f"an empty heading (h{level})" for level, text in facts.headings if not text]
    problems += [f"a link without text to {href}" for href, text in facts.links if not text]
    return problems

"""Example queries for the query page: ``examples/*.rq``, each opening with its title and purpose."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).with_name("examples")


@dataclass(frozen=True)
class Example:
    name: str  # the file's stem
    title: str
    description: str
    query: str


@cache
def examples() -> tuple[Example, ...]:
    found = []
    for path in sorted(DIRECTORY.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        title = lines[0].lstrip("# ").strip()
        description = lines[1].lstrip("# ").strip()
        found.append(Example(path.stem, title, description, "\n".join(lines[2:]).strip() + "\n"))
    return tuple(found)

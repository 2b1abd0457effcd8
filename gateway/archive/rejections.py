"""What an archive import left out, and why: every problem with its file, line and cause.

A problem is described where it is found ("file:line: problem", :mod:`gateway.demo.sources`
and :mod:`gateway.archive.load`); its cause is the kind of problem, a short name by which
a release's rejections are counted (the manifest's ``rejected.by_cause``, the summary
``gateway publish --archive`` prints) and which ``dumps/rejected.csv`` gives for each one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

PROBLEM_AT = re.compile(r"(?P<file>[^:]*)(?::(?P<line>\d+))?: (?P<message>.*)", re.DOTALL)
OTHER = "other"
# The problems the reader and the import describe, by the words that begin them: the
# first pattern a message matches names its cause.
CAUSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cause, re.compile(pattern))
    for cause, pattern in (
        ("not-an-archive-file", r"not a data\.police\.uk archive file name"),
        ("force-not-held", r"force '.*' is not one this records system holds"),
        ("unexpected-header", r"unexpected header"),
        ("not-utf-8", r"not UTF-8 text"),
        ("malformed-csv", r"malformed CSV"),
        ("field-count", r"expected \d+ fields, found \d+"),
        ("bad-month", r"bad month"),
        ("bad-coordinates", r"bad coordinates"),
        ("outside-great-britain", r"coordinates .* are outside Great Britain"),
        ("location-without-coordinates", r"location .* has no coordinates"),
        ("bad-location", r"location .* does not start with"),
        ("unknown-force", r"unknown force"),
        ("unknown-crime-type", r"unknown crime type"),
        ("unknown-outcome", r"unknown outcome"),
        ("unknown-search-type", r"unknown Type"),
        ("unknown-gender", r"unknown Gender"),
        ("unknown-age-range", r"unknown Age range"),
        ("unknown-self-defined-ethnicity", r"unknown Self-defined ethnicity"),
        ("unknown-officer-defined-ethnicity", r"unknown Officer-defined ethnicity"),
        ("unknown-legislation", r"unknown Legislation"),
        ("unknown-object-of-search", r"unknown Object of search"),
        ("unknown-search-outcome", r"unknown Outcome"),
        ("empty-search-type", r"Type is empty"),
        ("bad-date-time", r"bad date-time"),
        ("bad-boolean", r".* must be True, False or empty"),
        ("bad-crime-id", r"bad Crime ID"),
        ("asb-with-crime-id", r"anti-social behaviour rows carry no Crime ID"),
        ("bad-lsoa-code", r"bad LSOA code"),
        ("not-an-lsoa-code", r"LSOA code '.*' is not the code of an LSOA"),
        ("outcome-of-unknown-crime", r"outcome for crime .* which no street file holds"),
        ("outcome-of-rejected-crime", r"outcome for crime .* whose street row was rejected"),
    )
)


@dataclass(frozen=True)
class Rejection:
    """One row (or, without a line, one whole file) left out of a release."""

    file: str  # relative to the archive folder
    line: int | None
    cause: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}{'' if self.line is None else f':{self.line}'}: {self.message}"

    def row(self) -> tuple[str, str, str, str]:
        """Its line of ``rejected.csv``: file, line (empty for a whole file), cause, message."""
        return (self.file, "" if self.line is None else str(self.line), self.cause, self.message)


def cause_of(message: str) -> str:
    """The cause of a problem, by its description; ``other`` for one the list lacks."""
    return next((cause for cause, pattern in CAUSES if pattern.match(message)), OTHER)


def rejection(problem: str) -> Rejection:
    """A problem as the reader and the import describe it ("file:line: problem"), parsed."""
    match = PROBLEM_AT.fullmatch(problem)
    if match is None:
        return Rejection("", None, cause_of(problem), problem)
    line = int(match["line"]) if match["line"] else None
    return Rejection(match["file"], line, cause_of(match["message"]), match["message"])


def by_cause(rejections: list[Rejection]) -> dict[str, int]:
    """How many rejections each cause has, the most frequent first (then by name)."""
    counts = Counter(r.cause for r in rejections)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

"""Round trip: publishing the demo data built from real files gives those files back.

Two exceptions, which the comparison names: the archive has 52 coordinates that carry
two street names (co-located points, or points renamed between months), and 8 LSOAs
named differently in different months (renamed between census vintages). The master
list has one point, with one name, per coordinate and one name per LSOA code, so those
rows come back with that point's and that LSOA's current name.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from gateway.demo.sources import default_sources_dir

SOURCES = default_sources_dir()


def read_rows(path: Path) -> list[tuple[str, ...]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [tuple(r) for r in rows[1:]]


def co_located(sources) -> set[tuple[str, str]]:
    """Published coordinates (longitude, latitude text) that carry more than one name."""
    names = defaultdict(set)
    for row in sources.street:
        if row.point:
            names[(f"{float(row.point.longitude):.6f}", f"{float(row.point.latitude):.6f}")].add(row.street_name)
    return {k for k, v in names.items() if len(v) > 1}


def renamed_lsoas(sources) -> set[str]:
    names = defaultdict(set)
    for row in sources.street:
        if row.lsoa_code:
            names[row.lsoa_code].add(row.lsoa_name)
    return {code for code, v in names.items() if len(v) > 1}


def normalised(rows: list[tuple[str, ...]], ambiguous: set[tuple[str, str]], renamed: set[str]) -> Counter:
    out = Counter()
    for row in rows:
        if row[4] and (f"{float(row[4]):.6f}", f"{float(row[5]):.6f}") in ambiguous:
            row = (*row[:6], "<co-located point>", *row[7:])
        if row[7] in renamed:
            row = (*row[:8], "<renamed LSOA>", *row[9:])
        out[row] += 1
    return out


def published(release, kind: str, ambiguous) -> dict[str, Counter]:
    files = sorted((release.path / "dumps" / "csv").glob(f"*/*-{kind}.csv"))
    return {f.name: normalised(read_rows(f), *ambiguous) for f in files}


def source(kind: str, ambiguous) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for path in sorted(SOURCES.rglob(f"*-{kind}*.csv")):
        month, rest = path.name[:7], path.name[8:]
        force = rest.split(f"-{kind}")[0]
        out.setdefault(f"{month}-{force}-{kind}.csv", Counter()).update(normalised(read_rows(path), *ambiguous))
    return out


@pytest.mark.parametrize("kind", ["street", "stop-and-search"])
def test_published_files_reproduce_the_source_files(release, sources, kind):
    ambiguous = (co_located(sources), renamed_lsoas(sources)) if kind == "street" else (set(), set())
    assert [len(a) for a in ambiguous] == ([52, 8] if kind == "street" else [0, 0])
    theirs, ours = source(kind, ambiguous), published(release, kind, ambiguous)
    for name, rows in theirs.items():
        assert name in ours, f"{name} was not published"
        missing, extra = rows - ours[name], ours[name] - rows
        example = f"e.g. {next(iter(missing), None)} / {next(iter(extra), None)}"
        assert not missing and not extra, f"{name}: {missing.total()} missing, {extra.total()} extra, {example}"


def test_outcome_histories_reproduce_the_outcomes_files(release, sources):
    ambiguous = (co_located(sources), renamed_lsoas(sources))
    theirs, ours = source("outcomes", ambiguous), published(release, "outcomes", ambiguous)
    assert theirs, "the demo sources hold outcomes files"
    for name, rows in theirs.items():
        assert ours.get(name) == rows, name


def test_files_use_the_archive_conventions(release):
    street = next((release.path / "dumps" / "csv").glob("*/*-city-of-london-street.csv"))
    raw = street.read_bytes()
    assert raw.startswith(b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,")
    assert raw.count(b"\r\n") == raw.count(b"\n"), "CRLF line endings"
    outcomes = next((release.path / "dumps" / "csv").glob("2024-01/*-metropolitan-outcomes.csv")).read_bytes()
    assert b",No location," in outcomes and b",No Location," not in outcomes

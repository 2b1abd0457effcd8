"""Importing a folder of data.police.uk archive files into the archive tables.

Files are read leniently (:func:`gateway.demo.sources.read_sources`): a malformed row, a
label the vocabulary does not know (:mod:`gateway.archive.values`) or a file that cannot
be read at all is left out and described ("file:line: problem"), never fatal. Two rules
of a release are checked here as well: an LSOA code must be one of an LSOA (E01 in England,
W01 in Wales: real Met files hold Welsh ones; the vocabulary's ``pol:lsoa`` shape accepts
both), and an outcome needs its crime's street row.

Crime IDs: several street rows may share one (the rows are distinct crimes of the release,
each with its own record id, sharing the persistent id); the outcomes-file rows of an id
belong to the first street row with it, and every row with it takes the month of its own
last outcome from them. A crime without a Crime ID (every Met row from 2010-12 to 2011-11)
is given an id by the gateway (:func:`_made_id`) and has no outcome history.

Map points are every distinct published coordinate, named as for the demo data
(:func:`gateway.demo.mappoints.derive_map_points`); a located row keeps the British
National Grid position of its own map point, and its own location name: one map point
is named once, but rows at it can differ ("DUNOLLIE PLACE", "Dunollie Place", "").
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine

from gateway.demo.mappoints import borough_of_lsoa, derive_map_points
from gateway.demo.sources import Point, SourceError, Sources, StopRow, StreetRow, read_sources
from gateway.internal import lookups
from gateway.publish.dumps import REJECTED_CSV
from gateway.publish.persistent_ids import made_id
from gateway.publish.vocabulary import Vocabulary

from . import schema
from .rejections import Rejection, by_cause, rejection
from .values import VocabularyValues

PUBLISHABLE_LSOA = re.compile(r"[EW]01\d{6}")
ASB = "anti-social-behaviour"
BATCH = 10_000


class ArchiveError(ValueError):
    """Nothing in the folder can be published."""


@dataclass
class Imported:
    """What an import took from the folder, and what it left out."""

    directory: Path
    files: int  # files imported
    skipped: int  # files left out whole
    rejected: list[Rejection]  # every problem, in file and line order
    counts: dict[str, int]  # rows by archive table

    def report(self, listed: int = 100) -> dict:
        """The release manifest's "rejected" section: counts, by cause, and the first
        problems; the file of the release that lists every one."""
        return {
            "files": self.skipped,
            "rows": len(self.rejected) - self.skipped,
            "by_cause": by_cause(self.rejected),
            "file": REJECTED_CSV,
            "problems": [str(r) for r in self.rejected[:listed]],
            "not_listed": max(0, len(self.rejected) - listed),
        }


def import_archive(directory: Path, database: Path, vocabulary: Vocabulary) -> Imported:
    """Read the archive files under ``directory`` into a new SQLite database of archive tables.

    :raise ArchiveError: if not one row of the folder can be published.
    """
    values = VocabularyValues(vocabulary)
    try:
        sources = read_sources(directory, lenient=True, values=values)
    except SourceError as exc:
        raise ArchiveError(str(exc)) from None
    shown = {path.name: str(path.relative_to(directory)) for path in reversed(sources.files)}
    _reject_unpublishable_lsoas(sources, shown)
    _reject_orphan_outcomes(sources, shown)
    if not sources.street and not sources.stops:
        first = f"; first: {sources.rejected[0]}" if sources.rejected else ""
        raise ArchiveError(
            f"{directory}: nothing to publish: {len(sources.skipped)} of {len(sources.files) + len(sources.skipped)} "
            f"files unreadable, {len(sources.rejected) - len(sources.skipped)} rows rejected{first}"
        )
    rows = _rows(sources, values, datetime.now(UTC).replace(microsecond=0), directory)
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            schema.metadata.create_all(conn)
            for table, table_rows in rows.items():
                for start in range(0, len(table_rows), BATCH):
                    conn.execute(table.insert(), table_rows[start : start + BATCH])
    finally:
        engine.dispose()
    return Imported(
        directory=directory,
        files=len(sources.files),
        skipped=len(sources.skipped),
        rejected=sorted((rejection(p) for p in sources.rejected), key=lambda r: (r.file, r.line or 0)),
        counts={table.name: len(table_rows) for table, table_rows in rows.items()},
    )


def _reject_unpublishable_lsoas(sources: Sources, shown: dict[str, str]) -> None:
    kept = []
    for row in sources.street:
        if row.lsoa_code is None or PUBLISHABLE_LSOA.fullmatch(row.lsoa_code):
            kept.append(row)
        else:
            sources.rejected.append(
                f"{shown[row.source]}:{row.line}: LSOA code {row.lsoa_code!r} is not the code of an LSOA "
                "(E01... in England, W01... in Wales)"
            )
    sources.street = kept


def _reject_orphan_outcomes(sources: Sources, shown: dict[str, str]) -> None:
    crimes = {row.crime_id for row in sources.street if row.category != ASB}
    kept = []
    for outcome in sources.outcomes:
        if outcome.crime_id in crimes:
            kept.append(outcome)
        else:
            sources.rejected.append(
                f"{shown[outcome.source]}:{outcome.line}: outcome for crime {outcome.crime_id[:12]}... "
                "whose street row was rejected"
            )
    sources.outcomes = kept


class _Keys:
    """Row keys from content: "<kind>:<identity>#<n>", n counting rows of equal identity."""

    def __init__(self) -> None:
        self.seen: Counter = Counter()

    def __call__(self, kind: str, identity: str) -> str:
        n = self.seen[(kind, identity)]
        self.seen[(kind, identity)] += 1
        return f"{kind}:{identity}#{n}"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _rows(sources: Sources, values: VocabularyValues, now: datetime, directory: Path) -> dict:
    """Every archive table's rows."""
    points = derive_map_points(sources)
    point_rows = points.rows()

    def place(point: Point | None) -> dict:
        if point is None:
            return {"easting": None, "northing": None}
        row = point_rows[points.index[point.key]]
        return {"easting": row["easting"], "northing": row["northing"]}

    keys, made = _Keys(), _Keys()
    crimes, asb, first_key = [], [], {}
    outcomes_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for o in sources.outcomes:
        outcomes_of[o.crime_id].append((o.month, o.outcome))
    for row in sources.street:
        record = {
            "month": _first_day(row.month),
            "force": lookups.FORCE_NAMES[row.force],
            **place(row.point),
            "lsoa_code": row.lsoa_code,
            "borough_code": borough_of_lsoa(row.lsoa_name) if row.lsoa_name else None,
            "crime_type": row.crime_type,
            "street_name": row.street_name,
        }
        if row.category == ASB:
            asb.append({"row_key": keys("asb", _street_identity(row)), **record})
            continue
        persistent_id = row.crime_id or _made_id(row, made)
        key = keys("crime", persistent_id)
        first_key.setdefault(persistent_id, key)
        crimes.append(
            {
                "row_key": key,
                **record,
                "persistent_id": persistent_id,
                "last_outcome": row.last_outcome_label or None,
                "last_outcome_month": _last_outcome_month(row, outcomes_of[row.crime_id]),
            }
        )
    outcomes = [
        {
            "row_key": keys("outcome", f"{o.crime_id}:{o.month}:{o.outcome}"),
            "crime_key": first_key[o.crime_id],
            "month": _first_day(o.month),
            "outcome_type": o.outcome_type,
            "street_name": o.street_name,
            "seq": seq,
        }
        for seq, o in enumerate(sources.outcomes)
    ]
    stops = [
        {
            "row_key": keys("stop", _stop_identity(s)),
            "searched_at": s.searched_at,
            "force": lookups.FORCE_NAMES[s.force],
            "search_type": s.search_type,
            "part_of_operation": s.part_of_operation,
            **place(s.point),
            "gender": s.gender,
            "age_range": s.age_range,
            "self_defined_ethnicity": s.self_defined_ethnicity,
            "officer_defined_ethnicity": s.officer_defined_ethnicity,
            "legislation": s.legislation,
            "object_of_search": s.object_of_search,
            "outcome": s.outcome,
            "outcome_linked_to_object": s.outcome_linked_to_object,
            "outer_clothing_removed": s.outer_clothing_removed,
        }
        for s in sources.stops
    ]
    forces = {r.force for r in sources.street} | {s.force for s in sources.stops}
    found = {schema.metadata.tables[table]: labels for table, labels in values.found.items()}
    info = {
        "extracted_at": now.isoformat(),
        "source": "data.police.uk archive files",
        "archive": str(directory),
        "files": str(len(sources.files)),
    }
    return {
        schema.force: [{"code": lookups.FORCE_NAMES[f], "published": f} for f in sorted(forces)],
        **{table: [{"code": c, "published": p} for c, p in sorted(labels.items())] for table, labels in found.items()},
        schema.lsoa: points.lsoa_rows(),
        schema.map_point: point_rows,
        schema.extract_info: [{"key": k, "value": v} for k, v in info.items()],
        schema.archive_crime: crimes,
        schema.archive_asb: asb,
        schema.archive_outcome: outcomes,
        schema.archive_stop: stops,
    }


def _made_id(row: StreetRow, keys: _Keys) -> str:
    """The id of a crime its file gives no Crime ID: a hash of what the row says and which
    of the rows saying the same it is (``gateway.publish.persistent_ids``).

    Made of content, not of the file's name and line, so that it stays the same when the
    same files are published again, and when a later archive re-issues the month: that may
    name its files differently (a filtered copy) and add, drop or reorder other rows, and
    it updates last outcomes, so the last outcome is left out. Rows that say the same
    (month, force, place, LSOA, crime type) are told apart by their order only.
    """
    return made_id(keys("crime-without-id", _street_identity(row)))


def _last_outcome_month(row: StreetRow, outcomes: list[tuple[str, str]]) -> date | None:
    """The month of a street row's last outcome, which the street file does not give: the
    latest outcomes-file month of that outcome; else the latest of any outcome of the crime
    (the last outcome came no earlier); else the crime's own month (no outcomes file of the
    folder speaks of it; an outcome is never earlier than its crime). None without one."""
    if row.last_outcome is None:
        return None
    same = [month for month, code in outcomes if code == row.last_outcome]
    any_outcome = [month for month, _code in outcomes]
    return _first_day(max(same or any_outcome or [row.month]))


def _street_identity(row: StreetRow) -> str:
    point = (row.point.latitude, row.point.longitude) if row.point else (None, None)
    return _digest(row.month, row.force, *point, row.street_name, row.lsoa_code, row.lsoa_name, row.crime_type)


def _stop_identity(s: StopRow) -> str:
    point = (s.point.latitude, s.point.longitude) if s.point else (None, None)
    return _digest(
        s.force, s.searched_at.isoformat(), s.search_type, s.part_of_operation, *point, s.gender, s.age_range,
        s.self_defined_ethnicity, s.officer_defined_ethnicity, s.legislation, s.object_of_search, s.outcome,
        s.outcome_linked_to_object, s.outer_clothing_removed,
    )  # fmt: skip

"""Bulk downloads: per-month CSVs in the data.police.uk archive formats, and N-Quads.

The CSVs follow the archive byte for byte in their conventions: the exact headers, CRLF
line endings, no quoting unless a value needs it, six decimal places in street and
stop-and-search files but trailing zeros dropped in outcomes files, "No Location" in
street files and "No location" in outcomes files, title-cased street names in street files
only ("Alderman'S Walk", "Vauxhall Bus Station"), ``YYYY-MM-<force>-<kind>.csv`` names,
an empty Crime ID where data.police.uk gave none (``persistent_ids``).

A record that carries what its source said (archive files: its own location name, its
Crime type, Last outcome category or Outcome type label) is written with that, verbatim,
so that the dump and the API say the same as the source row.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from sqlalchemy import Connection, func, select

from gateway.internal import lookups

from . import tables
from .background import PieceWorker
from .persistent_ids import as_police_uk

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")  # fmt: skip
OUTCOMES_HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"
REJECTED_HEADER = "file,line,cause,message"
REJECTED_CSV = "dumps/rejected.csv"  # in the release folder
STOPS_HEADER = ("Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
                "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
                "Outcome linked to object of search,Removal of more than just outer clothing")  # fmt: skip

CATEGORY_LABEL = {slug: label for label, slug in lookups.CATEGORY_LABELS.items()}
CATEGORY_LABEL["public-disorder-weapons"] = "Public disorder and weapons"  # until 2013, in archive files
# The archive's own spellings where the API's differ ("Offender given penalty notice").
OUTCOME_LABEL = {code: label for label, code in reversed(list(lookups.OUTCOME_LABELS.items()))}
OUTCOME_LABEL["penalty-notice-issued"] = "Offender given penalty notice"


def _six(value: float) -> str:
    return f"{value:.6f}"


def _trimmed(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _boolean(value: bool | None) -> str:
    return "" if value is None else ("True" if value else "False")


def _csv_lines(rows: Iterable[Iterable[str]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _write(path: Path, header: str, rows: Iterable[Iterable[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\r\n")
        for line in _csv_lines(rows):
            handle.write(line)


def street_file_name(name: str) -> str:
    """A street name as the archive's street files write it, title-cased: "Alderman'S Walk"."""
    return name.title()


def _location(
    point,
    lsoa_code: str | None,
    lsoa_names: dict[str, str],
    no_location: str,
    number,
    name=lambda n: n,
    own_name: str | None = None,
) -> list[str]:
    """Longitude, Latitude, Location, LSOA code and name; ``own_name``, the record's own
    location name, verbatim, else its map point's through ``name``."""
    if point is None:
        return ["", "", no_location, "", ""]
    return [
        number(point.longitude),
        number(point.latitude),
        f"On or near {own_name if own_name is not None else name(point.street_name)}",
        lsoa_code or "",
        lsoa_names.get(lsoa_code, "") if lsoa_code else "",
    ]


def _points(conn: Connection) -> dict:
    return {p.id: p for p in conn.execute(select(tables.map_point))}


def write_csv_dumps(conn: Connection, directory: Path, months: Collection[str] | None = None) -> list[Path]:
    """Every month's street, outcomes and stop-and-search files (``months``: those months'
    only); the paths written."""
    points = _points(conn)
    names = dict(conn.execute(select(tables.lsoa.c.code, tables.lsoa.c.name)).all())
    only = None if months is None else sorted(months)
    written: list[Path] = []
    written += _street_files(conn, directory, points, names, only)
    written += _outcome_files(conn, directory, points, names, only)
    written += _stop_files(conn, directory, points, only)
    return sorted(written)


def _of_months(statement, column, months: list[str] | None):
    return statement if months is None else statement.where(column.in_(months))


def _by_file(conn: Connection, statement, key) -> Iterator[tuple[tuple, list]]:
    current, rows = None, []
    for row in conn.execute(statement):
        k = key(row)
        if k != current and rows:
            yield current, rows
            rows = []
        current = k
        rows.append(row)
    if rows:
        yield current, rows


def _street_files(conn, directory, points, names, months) -> list[Path]:
    s, ls = tables.street, tables.lsoa
    statement = (
        select(s)
        .outerjoin(ls, ls.c.code == s.c.lsoa_code)
        .order_by(s.c.month, s.c.force, s.c.map_point.is_(None), ls.c.name, s.c.category, s.c.id)
    )
    statement = _of_months(statement, s.c.month, months)
    paths = []
    for (month, force), rows in _by_file(conn, statement, lambda r: (r.month, r.force)):
        name = lookups.FORCE_NAMES[force]
        path = directory / month / f"{month}-{force}-street.csv"
        _write(
            path,
            STREET_HEADER,
            (
                [
                    as_police_uk(r.persistent_id),
                    r.month,
                    name,
                    name,
                    *_location(
                        points.get(r.map_point),
                        r.lsoa_code,
                        names,
                        "No Location",
                        _six,
                        street_file_name,
                        own_name=r.street_name,
                    ),
                    r.category_label or CATEGORY_LABEL[r.category],
                    r.last_outcome_label or OUTCOME_LABEL.get(r.last_outcome, ""),
                    "",
                ]
                for r in rows
            ),
        )
        paths.append(path)
    return paths


def _outcome_files(conn, directory, points, names, months) -> list[Path]:
    o, s, ls = tables.crime_outcome, tables.street, tables.lsoa
    statement = (
        select(
            o.c.month,
            o.c.category,
            o.c.category_label,
            func.coalesce(o.c.street_name, s.c.street_name).label("street_name"),
            s.c.persistent_id,
            s.c.force,
            s.c.map_point,
            s.c.lsoa_code,
        )
        .join(s, s.c.id == o.c.crime_id)
        .outerjoin(ls, ls.c.code == s.c.lsoa_code)
        .order_by(o.c.month, s.c.force, s.c.map_point.is_(None), ls.c.name, o.c.crime_id, o.c.seq)
    )
    statement = _of_months(statement, o.c.month, months)
    paths = []
    for (month, force), rows in _by_file(conn, statement, lambda r: (r.month, r.force)):
        name = lookups.FORCE_NAMES[force]
        path = directory / month / f"{month}-{force}-outcomes.csv"
        _write(
            path,
            OUTCOMES_HEADER,
            (
                [
                    as_police_uk(r.persistent_id),
                    r.month,
                    name,
                    name,
                    *_location(
                        points.get(r.map_point), r.lsoa_code, names, "No location", _trimmed, own_name=r.street_name
                    ),
                    r.category_label or OUTCOME_LABEL[r.category],
                ]
                for r in rows
            ),
        )
        paths.append(path)
    return paths


def _stop_files(conn, directory, points, months) -> list[Path]:
    st = tables.stop_search
    statement = _of_months(select(st).order_by(st.c.month, st.c.force, st.c.datetime, st.c.id), st.c.month, months)
    paths = []
    for (month, force), rows in _by_file(conn, statement, lambda r: (r.month, r.force)):
        path = directory / month / f"{month}-{force}-stop-and-search.csv"

        def line(r):
            point = points.get(r.map_point)
            lat, lon = (_six(point.latitude), _six(point.longitude)) if point else ("", "")
            return [
                r.type,
                r.datetime,
                _boolean(r.operation),
                "",
                lat,
                lon,
                r.gender or "",
                r.age_range or "",
                r.self_defined_ethnicity or "",
                r.officer_defined_ethnicity or "",
                r.legislation or "",
                r.object_of_search or "",
                r.outcome or "",
                _boolean(r.outcome_linked_to_object_of_search),
                _boolean(r.removal_of_more_than_outer_clothing),
            ]

        _write(path, STOPS_HEADER, (line(r) for r in rows))
        paths.append(path)
    return paths


def write_rejected(rows: Iterable[Iterable[str]], path: Path) -> Path:
    """What an archive publish left out: file, line, cause, message, one row per problem."""
    _write(path, REJECTED_HEADER, rows)
    return path


def write_nquads(
    lines: Iterable[str],
    path: Path,
    sink: Callable[[bytes], None] | None = None,
    piece: int = 500_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Gzip N-Quads (reproducible: no timestamp in the gzip header); the statements written.

    ``sink``, when given, also receives the statements in pieces of about ``piece`` lines,
    each a complete N-Quads document: pieces are cut only between two lines that name no
    blank node, so that every blank node's statements stay in one piece. ``progress``
    receives the number of statements in each piece as it is written.

    Compression runs in a thread of its own (zlib releases the GIL), beside the thread
    that makes the statements: it took a tenth of that thread's time.
    """
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with _Compressor(path) as gz:
        buffer: list[str] = []
        previous_blank = False
        for line in lines:
            blank = "_:" in line
            if len(buffer) >= piece and not blank and not previous_blank:
                _flush(buffer, gz, sink, progress)
                buffer = []
            buffer.append(line)
            previous_blank = blank
            count += 1
        _flush(buffer, gz, sink, progress)
    return count


def pieces(path: Path, piece: int = 500_000) -> Iterator[bytes]:
    """A gzip N-Quads file again in pieces of about ``piece`` lines, cut as
    :func:`write_nquads` cuts them (never inside a blank node's statements)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as lines:
        buffer: list[str] = []
        previous_blank = False
        for line in lines:
            blank = "_:" in line
            if len(buffer) >= piece and not blank and not previous_blank:
                yield "".join(buffer).encode()
                buffer = []
            buffer.append(line)
            previous_blank = blank
        if buffer:
            yield "".join(buffer).encode()


def _flush(
    buffer: list[str], gz: _Compressor, sink: Callable[[bytes], None] | None, progress: Callable[[int], None] | None
) -> None:
    data = "".join(buffer).encode()
    gz.write(data)
    if sink is not None and data:
        sink(data)
    if progress is not None:
        progress(len(buffer))


class _Compressor:
    """A gzip file written by a thread of its own, a few pieces behind the writer."""

    def __init__(self, path: Path, level: int = 6) -> None:
        self.raw = open(path, "wb")  # noqa: SIM115 (closed by __exit__)
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", mtime=0, filename="", compresslevel=level)
        self.worker = PieceWorker(self.gz.write, name="nquads-gzip")

    def write(self, data: bytes) -> None:
        self.worker.put(data)

    def __enter__(self) -> _Compressor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.worker.given_all()
            self.worker.close()
            self.gz.close()
        finally:
            self.raw.close()

"""Working examples for the home page, taken from the release being served."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import func, select

from gateway.current import Release
from gateway.publish import tables

from .figures import record_path

# Short lines: the query is shown on the home page as it is written.
SPARQL_EXAMPLE = """PREFIX pol: <{base}def/policing/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?category (COUNT(*) AS ?crimes) WHERE {{
  ?crime a pol:RecordedCrime ;
         pol:month "{month}"^^xsd:gYearMonth ;
         pol:category ?category .
}} GROUP BY ?category ORDER BY DESC(?crimes)"""


@dataclass
class Examples:
    """Paths of real resources of the release, for the examples on the home page."""

    month: str | None
    crime: str | None
    stop: str | None
    use_of_force: str | None
    snap_point: str | None
    latitude: float | None
    longitude: float | None
    borough: str | None
    sparql_query: str
    sparql_path: str


def home_examples(release: Release) -> Examples:
    street, stops, force, points = tables.street, tables.stop_search, tables.use_of_force, tables.map_point
    with release.engine.connect() as conn:
        crime = conn.execute(
            select(street.c.id, street.c.month, street.c.map_point, street.c.borough_code)
            .where(street.c.record == "RecordedCrime", street.c.map_point.is_not(None))
            .order_by(street.c.month.desc(), street.c.id)
            .limit(1)
        ).first()
        stop = conn.execute(select(stops.c.id).order_by(stops.c.month.desc(), stops.c.id).limit(1)).scalar()
        uof = conn.execute(select(force.c.id).order_by(force.c.month.desc(), force.c.id).limit(1)).scalar()
        point = None
        if crime is not None:
            point = conn.execute(select(points).where(points.c.id == crime.map_point)).first()
        if point is None:
            point = conn.execute(select(points).order_by(func.random()).limit(1)).first()
    base = release.base
    month = crime.month if crime is not None else (release.months[0] if release.months else None)
    query = SPARQL_EXAMPLE.format(base=base, month=month or "2024-01")
    return Examples(
        month=month,
        crime=record_path(base, "RecordedCrime", crime.id) if crime is not None else None,
        stop=record_path(base, "StopAndSearch", stop) if stop is not None else None,
        use_of_force=record_path(base, "UseOfForce", uof) if uof is not None else None,
        snap_point=f"snap-point/{point.id}" if point is not None else None,
        latitude=point.latitude if point is not None else None,
        longitude=point.longitude if point is not None else None,
        borough=(crime.borough_code if crime is not None and crime.borough_code else None),
        sparql_query=query,
        sparql_path="/sparql?query=" + quote(query, safe=""),
    )

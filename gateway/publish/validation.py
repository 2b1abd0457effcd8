"""SHACL validation of a release: a sample of every record type against the shapes.

pySHACL is thorough but not fast enough for millions of statements, so each publish
validates a coherent sample: the first records of every type with everything they link
to (outcomes, tactics, map points, organisations, the vocabulary). An incremental publish
takes its sample from the partitions it publishes (the others were validated before).
"""

from __future__ import annotations

from rdflib import Graph
from sqlalchemy import Connection, or_, select, true

import vocab

from . import tables
from .partitions import UNDATED
from .rdf import RdfBuilder
from .vocabulary import Vocabulary

SAMPLE = 40


def sample_quads(
    conn: Connection, builder: RdfBuilder, months: dict[str, frozenset[str]] | None = None
) -> tuple[list[str], int]:
    """N-Quads of a coherent sample of the release (``months``: of these months of each
    dataset only), and how many records it holds."""
    s, st, u = tables.street, tables.stop_search, tables.use_of_force

    def within(table, record: str):
        if months is None:
            return true()
        wanted = months.get(builder.by_record[record].dataset, frozenset())
        dated = table.c.month.in_(sorted(m for m in wanted if m != UNDATED))
        return or_(dated, table.c.month.is_(None)) if UNDATED in wanted else dated

    lines: list[str] = []
    records = 0
    street_rows = []
    for record in builder.by_record:
        if record in ("RecordedCrime", "AntiSocialBehaviourIncident"):
            rows = select(s).where(s.c.record == record, within(s, record)).order_by(s.c.id).limit(SAMPLE)
            street_rows += conn.execute(rows).all()
    for row in street_rows:
        lines += builder.street_row(row)
    crimes = [r.id for r in street_rows if r.record == "RecordedCrime"]
    if "CrimeOutcome" in builder.by_record:
        for row in conn.execute(builder.outcome_statement().where(tables.crime_outcome.c.crime_id.in_(crimes))):
            lines += builder.outcome_row(row)
            records += 1
    stops = (
        conn.execute(select(st).where(within(st, "StopAndSearch")).order_by(st.c.id).limit(SAMPLE)).all()
        if "StopAndSearch" in builder.by_record
        else []
    )
    for row in stops:
        lines += builder.simple_row("StopAndSearch", row)
    uses = (
        conn.execute(select(u).where(within(u, "UseOfForce")).order_by(u.c.id).limit(SAMPLE)).all()
        if "UseOfForce" in builder.by_record
        else []
    )
    for row in uses:
        lines += builder.simple_row("UseOfForce", row)
    if "TacticUse" in builder.by_record:
        statement = builder.tactic_statement().where(tables.use_of_force_tactic.c.uof_id.in_([r.id for r in uses]))
        for row in conn.execute(statement):
            lines += builder.tactic_row(row)
            records += 1
    points = {r.map_point for r in [*street_rows, *stops] if r.map_point is not None}
    for row in conn.execute(select(tables.map_point).where(tables.map_point.c.id.in_(points))):
        lines += builder.map_point_row(row)
    lines += builder.organisations()
    records += len(street_rows) + len(stops) + len(uses) + len(points)
    return lines, records


def as_graph(lines: list[str], vocabulary: Vocabulary) -> Graph:
    """One graph of the sample's statements (graph names dropped) and the vocabulary."""
    triples = "".join(line[: line.rstrip().rfind(" <")] + " .\n" for line in lines)
    graph = Graph()
    graph.parse(data=triples, format="nt")
    graph += vocabulary.graph  # concepts, so that scheme membership can be checked
    return graph


def validate_sample(
    conn: Connection, builder: RdfBuilder, vocabulary: Vocabulary, months: dict[str, frozenset[str]] | None = None
) -> dict:
    """Validate a sample of the release (``months``: of these months of each dataset); a
    summary with pySHACL's report."""
    lines, records = sample_quads(conn, builder, months)
    result = vocab.validate(as_graph(lines, vocabulary), vocabulary.base, shapes=("records",))
    return {
        "conforms": result.conforms,
        "records_checked": records,
        "statements_checked": len(lines),
        "report": result.text,
    }

"""The release as RDF: N-Quads built from the published tables and the mappings.

Each record becomes a resource under ``{base}id/``; each field with a vocabulary
property becomes a statement. Named graphs: one per dataset and month
(``{base}graph/{dataset}/{month}``), plus map points, organisations and the vocabulary.
Built from the published tables only, so nothing a mapping does not publish can appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from gateway.internal import lookups
from mappings import Field, Mapping, MappingSet

from . import tables
from .nquads import RDF_TYPE, XSD, iri, literal, quad, typed
from .partitions import UNDATED
from .vocabulary import Vocabulary

CHUNK = 10_000


class RdfBuilder:
    def __init__(self, vocabulary: Vocabulary, mappings: MappingSet) -> None:
        self.vocabulary = vocabulary
        self.base = vocabulary.base
        self.mappings = mappings
        self.by_record = {m.record: m for m in mappings.mappings}
        self._concepts: dict[tuple[str, str], str] = {}
        self._pol: dict[str, str] = {}
        self._plans: dict[str, list[tuple[str, str, Callable[[Any], str | None], bool]]] = {}
        self._graphs: dict[tuple[str, str | None], str] = {}
        self._derived: dict[tuple[str, str], str] = {}
        self._id_base = str(vocabulary.ns.ID)
        self.type = iri(RDF_TYPE)

    # --- terms -------------------------------------------------------------------------

    def pol(self, term: str) -> str:
        if term not in self._pol:
            self._pol[term] = iri(self.vocabulary.expand(f"pol:{term}"))
        return self._pol[term]

    def prop(self, curie: str) -> str:
        if curie not in self._pol:
            self._pol[curie] = iri(self.vocabulary.expand(curie))
        return self._pol[curie]

    def id_iri(self, path: str) -> str:
        return self._id_base + path

    def graph(self, dataset: str, month: str | None = None) -> str:
        """A named graph: ``{base}graph/{dataset}/{month}`` (one per dataset and month)."""
        key = (dataset, month)
        if key not in self._graphs:
            self._graphs[key] = iri(f"{self.base}graph/{dataset}" + (f"/{month}" if month else ""))
        return self._graphs[key]

    def derived_from(self, dataset: str, month: str) -> str:
        """The dataset of one month a record belongs to (``prov:wasDerivedFrom``)."""
        key = (dataset, month)
        if key not in self._derived:
            self._derived[key] = iri(str(self.vocabulary.ns.DATA[f"{dataset}/{month}"]))
        return self._derived[key]

    def concept(self, scheme: str, value: str) -> str:
        key = (scheme, value)
        if key not in self._concepts:
            self._concepts[key] = iri(self.vocabulary.concept(scheme, value))
        return self._concepts[key]

    def _converter(self, f: Field) -> Callable[[Any], str | None]:
        """How a field's values (never None) become terms, decided once per field."""
        if f.transform == "flag":
            concept = self.concept(f.scheme, f.concept)
            return lambda value: concept if value else None
        if f.scheme:
            scheme = f.scheme
            return lambda value: self.concept(scheme, str(value))
        if f.transform == "snap-to-map-point":
            return lambda value: iri(f"{self._id_base}snap-point/{value}")
        if f.lookup == "force":
            return lambda value: iri(f"{self._id_base}organisation/{value}")
        if f.transform == "month":
            return lambda value: literal(value, XSD + "gYearMonth")
        if f.transform == "utc-datetime":
            return lambda value: literal(value, XSD + "dateTime")
        return typed

    # --- records -----------------------------------------------------------------------

    def _plan(self, mapping: Mapping) -> list[tuple[str, str, Callable[[Any], str | None], bool]]:
        """(field, property IRI, converter, about the subject) for each field with a property
        that records carry (not ``records: false``); subject fields last, so that every
        statement about a blank node is contiguous."""
        if mapping.name not in self._plans:
            ordered = sorted((f for f in mapping.fields if f.property and f.on_records), key=lambda f: f.on_subject)
            plan = [(f.name, self.prop(f.property), self._converter(f), f.on_subject) for f in ordered]
            self._plans[mapping.name] = plan
        return self._plans[mapping.name]

    def record(self, mapping: Mapping, values: dict[str, Any], graph: str, parent: str | None = None) -> list[str]:
        """One record's statements. (Lists, not generators, from here down to the rows: a
        generator layer per statement cost more than making the statement.)"""
        subject = iri(self.id_iri(mapping.uri.format(**values)))
        out = [quad(subject, self.type, self.pol(mapping.record), graph)]
        if parent is not None and mapping.parent:
            out.append(quad(parent, self.prop(mapping.parent.property), subject, graph))
        description = None
        for name, prop, convert, on_subject in self._plan(mapping):
            value = values.get(name)
            if value is None or (obj := convert(value)) is None:
                continue
            on = subject
            if on_subject:
                if description is None:
                    # A blank node: a banded description of a subject is never given a URI.
                    description = f"_:{mapping.name}_{values[mapping.key]}"
                    out.append(quad(subject, self.pol("subject"), description, graph))
                    out.append(quad(description, self.type, self.pol("SubjectDescription"), graph))
                on = description
            out.append(quad(on, prop, obj, graph))
        mapped = {f.name for f in mapping.fields}
        for area in ("lsoa_code", "borough_code"):
            if area not in mapped and values.get(area):
                prop = "lsoa" if area == "lsoa_code" else "borough"
                out.append(quad(subject, self.pol(prop), self.concept("statistical-geography", values[area]), graph))
        if values.get("month") and not mapping.parent:
            derived = self.derived_from(mapping.dataset, values["month"])
            out.append(quad(subject, self.prop("prov:wasDerivedFrom"), derived, graph))
        return out

    def street_row(self, row) -> list[str]:
        mapping = self.by_record[row.record]
        values = dict(row._mapping)
        values[mapping.key] = row.id
        graph = self.graph(mapping.dataset, row.month)
        out = self.record(mapping, values, graph)
        subject = out[0][: out[0].index(" ")]  # the record's IRI, as the record wrote it
        if row.last_outcome:
            out.append(quad(subject, self.pol("lastOutcome"), self.concept("crime-outcome", row.last_outcome), graph))
        if row.street_name is not None and row.map_point is not None:
            # The record's own location text, where it has one (archive rows at one point differ).
            name = literal(f"On or near {row.street_name}", language="en")
            out.append(quad(subject, self.pol("locationName"), name, graph))
        return out

    def outcome_statement(self):
        o, s = tables.crime_outcome, tables.street
        return select(o, s.c.month.label("crime_month")).join(s, s.c.id == o.c.crime_id).order_by(o.c.crime_id, o.c.seq)

    def outcome_row(self, row) -> list[str]:
        mapping, parent = self.by_record["CrimeOutcome"], self.by_record["RecordedCrime"]
        values = dict(row._mapping)
        values["outcome_id"] = row.id
        crime = iri(self.id_iri(parent.uri.format(crime_id=row.crime_id)))
        return self.record(mapping, values, self.graph(parent.dataset, row.crime_month), parent=crime)

    def simple_row(self, record: str, row) -> list[str]:
        mapping = self.by_record[record]
        values = dict(row._mapping)
        values[mapping.key] = row.id
        return self.record(mapping, values, self.graph(mapping.dataset, row.month))

    def tactic_statement(self):
        t, u = tables.use_of_force_tactic, tables.use_of_force
        return select(t, u.c.month).join(u, u.c.id == t.c.uof_id).order_by(t.c.uof_id, t.c.order)

    def tactic_row(self, row) -> list[str]:
        mapping, parent = self.by_record["TacticUse"], self.by_record["UseOfForce"]
        subject = iri(self.id_iri(parent.uri.format(uof_id=row.uof_id)))
        return self.record(mapping, dict(row._mapping), self.graph(parent.dataset, row.month), parent=subject)

    # --- places and organisations ------------------------------------------------------

    def map_points(self, conn: Connection) -> Iterator[str]:
        for row in conn.execute(select(tables.map_point).order_by(tables.map_point.c.id)):
            yield from self.map_point_row(row)

    def map_point_row(self, row) -> Iterator[str]:
        graph = self.graph("map-points")
        expand = self.vocabulary.expand
        point = iri(self.id_iri(f"snap-point/{row.id}"))
        geometry = iri(self.id_iri(f"snap-point/{row.id}/geometry"))
        lat, lon = f"{row.latitude:.6f}", f"{row.longitude:.6f}"
        yield quad(point, self.type, self.pol("SnapPoint"), graph)
        yield quad(point, self.type, iri(self.vocabulary.geo("Feature")), graph)
        yield quad(point, iri(expand("rdfs:label")), literal(f"On or near {row.street_name}", language="en"), graph)
        yield quad(point, self.pol("streetId"), literal(str(row.id)), graph)
        yield quad(point, iri(self.vocabulary.wgs("lat")), literal(lat, XSD + "decimal"), graph)
        yield quad(point, iri(self.vocabulary.wgs("long")), literal(lon, XSD + "decimal"), graph)
        yield quad(point, iri(self.vocabulary.geo("hasGeometry")), geometry, graph)
        yield quad(geometry, self.type, iri(self.vocabulary.geo("Geometry")), graph)
        wkt = literal(f"POINT({lon} {lat})", self.vocabulary.geo("wktLiteral"))
        yield quad(geometry, iri(self.vocabulary.geo("asWKT")), wkt, graph)
        if row.lsoa_code:
            yield quad(point, self.pol("lsoa"), self.concept("statistical-geography", row.lsoa_code), graph)
        if row.borough_code:
            yield quad(point, self.pol("borough"), self.concept("statistical-geography", row.borough_code), graph)

    def organisations(self) -> Iterator[str]:
        graph = self.graph("organisations")
        for force_id, name in lookups.FORCE_NAMES.items():
            subject = iri(self.id_iri(f"organisation/{force_id}"))
            yield quad(subject, self.type, iri(self.vocabulary.org("Organization")), graph)
            yield quad(subject, iri(self.vocabulary.expand("rdfs:label")), literal(name, language="en"), graph)
            yield quad(subject, iri(self.vocabulary.expand("dcterms:identifier")), literal(force_id), graph)

    def vocabulary_quads(self) -> Iterator[str]:
        """The vocabulary's statements, sorted: rdflib writes a graph in the order of its
        hash tables, which differs from one process to the next (PYTHONHASHSEED)."""
        graph = self.graph("vocabulary")
        lines = self.vocabulary.graph.serialize(format="nt").splitlines()
        for line in sorted(line for line in lines if line.strip()):
            yield line[: line.rstrip().rfind(".")].rstrip() + f" {graph} .\n"

    # --- partitions --------------------------------------------------------------------

    def partition(self, conn: Connection, dataset: str, month: str) -> Iterator[str]:
        """Every statement of one partition (``gateway.publish.partitions``): its named
        graph, the records of the dataset and month with their outcomes or tactics."""
        crimes = [m for m in ("RecordedCrime", "AntiSocialBehaviourIncident") if m in self.by_record]
        if any(self.by_record[m].dataset == dataset for m in crimes):
            s = tables.street
            records = [m for m in crimes if self.by_record[m].dataset == dataset]
            statement = select(s).where(_in_month(s, month), s.c.record.in_(records)).order_by(s.c.id)
            yield from self._rows(conn, statement, self.street_row)
            if "CrimeOutcome" in self.by_record and "RecordedCrime" in records:
                outcomes = self.outcome_statement().where(_in_month(s, month))
                yield from self._rows(conn, outcomes, self.outcome_row)
        for record, table in (("StopAndSearch", tables.stop_search), ("UseOfForce", tables.use_of_force)):
            if record in self.by_record and self.by_record[record].dataset == dataset:
                statement = select(table).where(_in_month(table, month)).order_by(table.c.id)
                yield from self._rows(conn, statement, lambda row, record=record: self.simple_row(record, row))
                if record == "UseOfForce" and "TacticUse" in self.by_record:
                    tactics = self.tactic_statement().where(_in_month(table, month))
                    yield from self._rows(conn, tactics, self.tactic_row)

    def common(self, conn: Connection) -> Iterator[str]:
        """The statements no partition holds: organisations, map points, the vocabulary."""
        yield from self.organisations()
        yield from self.map_points(conn)
        yield from self.vocabulary_quads()

    @staticmethod
    def _rows(conn: Connection, statement, make: Callable[[Any], list[str]]) -> Iterator[str]:
        for chunk in conn.execute(statement).partitions(CHUNK):
            for row in chunk:
                yield from make(row)


def _in_month(table, month: str):
    """A published table's rows of one partition month (``-``: of no month)."""
    return table.c.month.is_(None) if month == UNDATED else table.c.month == month

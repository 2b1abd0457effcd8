"""Statistics as RDF Data Cubes, built at publish time from the published tables.

Four cubes, in the statistics.gov.scot pattern: ``sdmx-dimension:refArea`` is an ONS
statistical-geography URI (a London borough, E09, or an LSOA, E01), ``sdmx-dimension:refPeriod``
a reference.data.gov.uk month or quarter, the other dimensions are concepts of the policing
concept schemes, and the measure is ``pol:count``:

- ``crime-counts-borough``: recorded crimes by borough × month × crime category;
- ``crime-counts-lsoa``: recorded crimes by LSOA × month;
- ``stop-and-search-borough``: stops by borough × month × ethnic group × outcome × legislation;
- ``use-of-force-borough``: use-of-force records by borough × quarter × tactic × perceived ethnicity.

Cells count at least one record (an absent cell counted none). What is withheld follows
the JSON aggregates' rule (``gateway.suppression``): a count over fields the published
records carry is public (anyone can count the records), so a cube of such dimensions only
(the crime and stop-and-search cubes) withholds nothing; a cube with a dimension no record
carries (the perceived ethnicity of the use-of-force cube) has its cells below the
release's suppression threshold withheld, with the same complementary suppression as the
API, every count over the public dimensions taken as known. A withheld cell's
``pol:count`` is ``"NaN"^^xsd:double`` (the Data Cube integrity constraints require every
observation to carry its measure, and NaN cannot be summed by mistake) and
``sdmx-attribute:obsStatus`` is ``sdmx-code:obsStatus-M``; a withheld cell may count no
record (a zero shown withheld, so that a line of small cells cannot be solved). Records
without an area (no location) or without a value for a dimension are left out of a cube
(but counted in the table that is protected, as the API counts them) and counted in the
manifest.

Counting is SQL ``GROUP BY`` on the release tables; Python only maps the grouped values
to concepts (and self-defined ethnicities to their five groups, months to quarters) and
merges the few groups that then coincide. The data structure definitions are
``vocab/cubes/structures.ttl``, written into the graph ``{base}graph/cube/structure``; each
cube's ``qb:DataSet`` goes into ``{base}graph/cube/{name}``, its observations into one graph
per period, ``{base}graph/cube/{name}/{period}`` (a month, or a quarter: ``2024-Q1``): a
cube partition, built from the records of its months only, and published again only when
one of their partitions is (``gateway.publish.partitions``). Nothing a cube withholds
depends on another period: no public count spans two.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from vocab.cubes import load_structures
from vocab.namespaces import DCTERMS, QB, RDF, RDFS, REF_MONTH, SDMX_ATTR, SDMX_CODE, SDMX_DIM, SKOS, STATID, XSD

from ..suppression import suppress, withhold_everything
from . import tables
from .nquads import iri, literal, quad
from .partitions import UNDATED, partition_name
from .vocabulary import Vocabulary

DEFAULT_THRESHOLD = 5
# The longest the protection of one cube may take; past it, every cell is withheld.
AUDIT_SECONDS = 120.0
REF_QUARTER = "http://reference.data.gov.uk/id/quarter/"
NOT_STATED = "Other ethnic group - Not stated"

# A cube's cells: the dimension values (concept IRIs, areas and periods; None where a
# record has no value, left out of the cube) and their counts.
Cells = dict[tuple[str | None, ...], int]


@dataclass(frozen=True)
class CubeSpec:
    name: str
    title: str
    description: str
    dimensions: tuple[str, ...]  # the dimension properties, in the order of the cells' keys
    # The cells of some months, and the records of those months left out.
    cells: Callable[[CubeBuilder, Connection, list[str]], tuple[Cells, int]]
    source: str  # the dataset whose records it counts
    protected: frozenset[int] = frozenset()  # dimensions no record carries (by position)
    quarterly: bool = False  # one period is a quarter, not a month

    def period(self, month: str) -> str:
        """The period of a month: itself, or its quarter (``2024-Q1``)."""
        if not self.quarterly:
            return month
        year, number = month.split("-")
        return f"{year}-Q{(int(number) + 2) // 3}"


@dataclass
class CubeReport:
    observations: int = 0
    suppressed: int = 0
    records: int = 0  # records counted in published (not suppressed) cells
    withheld_records: int = 0  # records in suppressed cells
    left_out: int = 0  # records without an area or a dimension value
    statements: int = 0


@dataclass
class CubeBuilder:
    """Writes the cubes' statements and remembers what it wrote, for the manifest."""

    vocabulary: Vocabulary
    threshold: int = DEFAULT_THRESHOLD
    partition_reports: dict[str, CubeReport] = field(default_factory=dict)  # of the partitions built

    def __post_init__(self) -> None:
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int) or self.threshold < 1:
            raise ValueError(f"the suppression threshold must be a whole number of at least 1, not {self.threshold!r}")
        self.base = self.vocabulary.base
        self.ns = self.vocabulary.ns
        self._groups: dict[str, str] | None = None

    # --- IRIs ----------------------------------------------------------------------------

    def graph(self, name: str) -> str:
        return f"{self.base}graph/cube/{name}"

    def dataset(self, name: str) -> str:
        return str(self.ns.DATA[name])

    def dsd(self, name: str) -> str:
        return f"{self.base}def/dsd/{name}"

    def concept(self, scheme: str, value: str) -> str:
        return self.vocabulary.concept(scheme, value)

    def dimension(self, name: str) -> str:
        """A dimension property: ``refArea`` and ``refPeriod`` of SDMX-RDF, else a policing term."""
        return str(SDMX_DIM[name]) if name in ("refArea", "refPeriod") else str(self.ns.POL[name])

    def ethnic_group(self, value: str | None) -> str:
        """The five-group concept of a self-defined ethnicity; Not stated when there is none."""
        if self._groups is None:
            graph, groups = self.vocabulary.graph, {}
            group_scheme = self.ns.scheme_iri("ethnic-group")
            for sde in graph.subjects(SKOS.inScheme, self.ns.scheme_iri("self-defined-ethnicity")):
                broader = [g for g in graph.objects(sde, SKOS.broadMatch) if (g, SKOS.inScheme, group_scheme) in graph]
                groups[str(sde)] = str(broader[0]) if broader else str(sde)
            self._groups = groups
        return self._groups[self.concept("self-defined-ethnicity", value or NOT_STATED)]

    # --- statements ----------------------------------------------------------------------

    def structure_statements(self) -> Iterator[str]:
        graph = iri(self.graph("structure"))
        lines = load_structures(self.base).serialize(format="nt").splitlines()
        for line in sorted(line for line in lines if line.strip()):
            yield line[: line.rstrip().rfind(".")].rstrip() + f" {graph} .\n"

    def statements(self, conn: Connection, months: dict[str, Iterable[str]] | None = None) -> Iterator[str]:
        """Every statement of the cubes, in a stable order, for the months of each dataset
        (by default, every month the tables hold)."""
        months = release_months(conn) if months is None else months
        yield from self.common_statements()
        for name in sorted(self.partitions(months)):
            yield from self.partition_statements(conn, name, months)

    def common_statements(self) -> Iterator[str]:
        """The structures and each cube's ``qb:DataSet`` (no observation)."""
        yield from self.structure_statements()
        for spec in CUBES:
            yield from self.description(spec)

    def partitions(self, months: dict[str, Iterable[str]]) -> dict[str, tuple[CubeSpec, str]]:
        """The cube partitions (``cube/{name}/{period}``) of a release whose datasets have
        records in ``months`` (dataset -> months), with their cube and period."""
        out = {}
        for spec in CUBES:
            for month in months.get(spec.source, ()):
                if month != UNDATED:
                    out[f"cube/{spec.name}/{spec.period(month)}"] = (spec, spec.period(month))
        return out

    def sources(self, name: str, months: dict[str, Iterable[str]]) -> set[str]:
        """The partitions a cube partition counts the records of."""
        spec, period = self.partitions(months)[name]
        return {partition_name(spec.source, m) for m in months.get(spec.source, ()) if m != UNDATED and
                spec.period(m) == period}  # fmt: skip

    def partition_statements(self, conn: Connection, name: str, months: dict[str, Iterable[str]]) -> Iterator[str]:
        """The observations of one cube partition; what it withheld goes to ``partition_reports``."""
        spec, period = self.partitions(months)[name]
        of_period = sorted(m for m in months.get(spec.source, ()) if m != UNDATED and spec.period(m) == period)
        cells, left_out = spec.cells(self, conn, of_period)
        report = self.partition_reports[name] = CubeReport(left_out=left_out)
        for line in self.cube(spec, cells, report, f"{self.graph(spec.name)}/{period}"):
            report.statements += 1
            yield line

    def description(self, spec: CubeSpec) -> Iterator[str]:
        g, dataset = iri(self.graph(spec.name)), iri(self.dataset(spec.name))
        a = iri(str(RDF.type))
        yield quad(dataset, a, iri(str(QB.DataSet)), g)
        yield quad(dataset, iri(str(QB.structure)), iri(self.dsd(spec.name)), g)
        yield quad(dataset, iri(str(RDFS.label)), literal(spec.title, language="en"), g)
        yield quad(dataset, iri(str(DCTERMS.title)), literal(spec.title, language="en"), g)
        description = f"{spec.description} Cells of fewer than {self.threshold} records are withheld."
        yield quad(dataset, iri(str(DCTERMS.description)), literal(description, language="en"), g)
        yield quad(dataset, iri(str(DCTERMS.license)), iri(str(self.ns.OGL_V3)), g)
        yield quad(dataset, iri(str(DCTERMS.publisher)), iri(str(self.ns.ID["organisation/metropolitan"])), g)

    def cube(self, spec: CubeSpec, cells: Cells, report: CubeReport, graph: str) -> Iterator[str]:
        """A cube partition's observations, in ``graph``."""
        g, dataset = iri(graph), iri(self.dataset(spec.name))
        a, count = iri(str(RDF.type)), iri(str(self.ns.POL["count"]))
        properties = [iri(self.dimension(name)) for name in spec.dimensions]
        status = iri(str(SDMX_ATTR.obsStatus))
        counts = protect(cells, self.threshold, spec.protected)
        for key in sorted(k for k in counts if None not in k):
            n = counts[key]
            obs = iri(f"{self.dataset(spec.name)}/" + "/".join(_segment(value) for value in key))
            yield quad(obs, a, iri(str(QB.Observation)), g)
            yield quad(obs, iri(str(QB.dataSet)), dataset, g)
            for prop, value in zip(properties, key, strict=True):
                yield quad(obs, prop, iri(value), g)
            report.observations += 1
            if n is None:
                report.suppressed += 1
                report.withheld_records += cells.get(key, 0)
                yield quad(obs, count, literal("NaN", str(XSD.double)), g)
                yield quad(obs, status, iri(str(SDMX_CODE["obsStatus-M"])), g)
            else:
                report.records += n
                yield quad(obs, count, literal(str(n), str(XSD.integer)), g)

    def report(self, partitions: dict[str, dict] | None = None) -> dict:
        """The manifest's ``cubes`` section, from every cube partition's report (by name;
        by default, of the partitions this builder built)."""
        if partitions is None:
            partitions = {name: vars(report) for name, report in self.partition_reports.items()}
        # A cube's statements: its dataset's (in the shared graph) and its observations'.
        totals = {spec.name: CubeReport(statements=sum(1 for _ in self.description(spec))) for spec in CUBES}
        for name, report in partitions.items():
            total = totals[name.split("/")[1]]
            for key, value in report.items():
                setattr(total, key, getattr(total, key) + value)
        return {
            "suppression_threshold": self.threshold,
            "datasets": {
                name: {"dataset": self.dataset(name), "graph": self.graph(name), **vars(report)}
                for name, report in totals.items()
            },
        }


def release_months(conn: Connection) -> dict[str, list[str]]:
    """The months of each dataset the cubes count, as the published tables hold them."""
    out = {}
    for spec in CUBES:
        table = {"street-crime": tables.street, "stop-and-search": tables.stop_search}.get(
            spec.source, tables.use_of_force
        )
        out[spec.source] = sorted(m for m in conn.execute(select(table.c.month).distinct()).scalars() if m)
    return out


def protect(cells: Cells, threshold: int, protected: frozenset[int]) -> dict[tuple[str | None, ...], int | None]:
    """The cube's counts as published: None where withheld (zero cells shown withheld too).

    The same procedure as the JSON aggregates, over the same table (cells without a value
    included, as the API counts them): a cube with no protected dimension withholds
    nothing; otherwise every count over the public dimensions is known to the audit. No
    query publishes a cube's coarser tables that keep a protected dimension (the API counts
    records, a cube may count a record in several cells), so they are not known.
    """
    if not cells or not protected:
        return dict(cells)
    k = len(next(iter(cells)))
    public = frozenset(range(k)) - protected
    try:
        return dict(suppress(cells, threshold, time.monotonic() + AUDIT_SECONDS, public, coarser=False).counts)
    except TimeoutError:
        withheld: set[tuple[str | None, ...]] = set()
        withhold_everything(withheld, cells, [sorted({key[d] for key in cells}, key=str) for d in range(k)])
        return dict.fromkeys(withheld)


def _segment(value: str) -> str:
    """An observation IRI's path segment for a dimension value: the last segment of its IRI."""
    return value.rstrip("/").rsplit("/", 1)[-1]


def _area(code: str) -> str:
    return str(STATID[code])


def _month(month: str) -> str:
    return str(REF_MONTH[month])


def _quarter(month: str) -> str:
    year, number = month.split("-")
    return f"{REF_QUARTER}{year}-Q{(int(number) + 2) // 3}"


def _merge(rows: Iterable[tuple[tuple[str, ...], int]]) -> Cells:
    cells: Counter[tuple[str, ...]] = Counter()
    for key, n in rows:
        cells[key] += n
    return dict(cells)


def _left_out(conn: Connection, table, months: list[str], *conditions) -> int:
    statement = select(func.count()).select_from(table).where(table.c.month.in_(months), *conditions)
    return conn.execute(statement).scalar_one()


# --- the cubes -------------------------------------------------------------------------


def _crime_by_borough(builder: CubeBuilder, conn: Connection, months: list[str]) -> tuple[Cells, int]:
    s = tables.street
    crimes = (s.c.record == "RecordedCrime") & s.c.month.in_(months)
    query = (
        select(s.c.borough_code, s.c.month, s.c.category, func.count())
        .where(crimes, s.c.borough_code.is_not(None))
        .group_by(s.c.borough_code, s.c.month, s.c.category)
    )
    rows = conn.execute(query).all()
    cells = {(_area(b), _month(m), builder.concept("crime-category", c)): n for b, m, c, n in rows}
    return cells, _left_out(conn, s, months, crimes, s.c.borough_code.is_(None))


def _crime_by_lsoa(builder: CubeBuilder, conn: Connection, months: list[str]) -> tuple[Cells, int]:
    s = tables.street
    crimes = (s.c.record == "RecordedCrime") & s.c.month.in_(months)
    query = (
        select(s.c.lsoa_code, s.c.month, func.count())
        .where(crimes, s.c.lsoa_code.is_not(None))
        .group_by(s.c.lsoa_code, s.c.month)
    )
    cells = {(_area(lsoa), _month(m)): n for lsoa, m, n in conn.execute(query)}
    return cells, _left_out(conn, s, months, crimes, s.c.lsoa_code.is_(None))


def _stops_by_borough(builder: CubeBuilder, conn: Connection, months: list[str]) -> tuple[Cells, int]:
    s = tables.stop_search
    columns = (s.c.borough_code, s.c.month, s.c.self_defined_ethnicity, s.c.outcome, s.c.legislation)
    complete = (
        s.c.month.in_(months),
        s.c.borough_code.is_not(None),
        s.c.outcome.is_not(None),
        s.c.legislation.is_not(None),
    )
    query = select(*columns, func.count()).where(*complete).group_by(*columns)
    cells = _merge(
        (
            (
                _area(b),
                _month(m),
                builder.ethnic_group(eth),
                builder.concept("search-outcome", outcome),
                builder.concept("search-power", legislation),
            ),
            n,
        )
        for b, m, eth, outcome, legislation, n in conn.execute(query)
    )
    total = _left_out(conn, s, months)
    return cells, total - sum(cells.values())


def _force_by_borough(builder: CubeBuilder, conn: Connection, months: list[str]) -> tuple[Cells, int]:
    """Records without a borough or a perceived ethnicity are cells with None there: the
    perceived ethnicity is protected, and the public counts by borough, quarter and tactic
    include them, so the protection must count them too (they are not published)."""
    u, t = tables.use_of_force, tables.use_of_force_tactic
    columns = (u.c.borough, u.c.month, t.c.tactic, u.c.perceived_ethnicity)
    query = (
        select(*columns, func.count(u.c.id.distinct()))
        .select_from(u.join(t, t.c.uof_id == u.c.id))
        .where(u.c.month.in_(months))
        .group_by(*columns)
    )
    cells = _merge(
        (
            (
                _area(b) if b is not None else None,
                _quarter(m),
                builder.concept("use-of-force-tactic", tactic),
                builder.concept("perceived-ethnicity", eth) if eth is not None else None,
            ),
            n,
        )
        for b, m, tactic, eth, n in conn.execute(query)
    )
    return cells, _left_out(conn, u, months, (u.c.borough.is_(None)) | (u.c.perceived_ethnicity.is_(None)))


def _dims(*names: str) -> tuple[str, ...]:
    """refArea and refPeriod (SDMX-RDF), then the named policing dimensions."""
    return ("refArea", "refPeriod", *names)


CUBES: tuple[CubeSpec, ...] = (
    CubeSpec(
        "crime-counts-borough",
        "Recorded crime by borough, month and category",
        "Counts of recorded crimes (not anti-social behaviour) by London borough, month and crime category.",
        _dims("crimeCategory"),
        _crime_by_borough,
        "street-crime",
    ),
    CubeSpec(
        "crime-counts-lsoa",
        "Recorded crime by LSOA and month",
        "Counts of recorded crimes (not anti-social behaviour) by lower layer super output area and month.",
        _dims(),
        _crime_by_lsoa,
        "street-crime",
    ),
    CubeSpec(
        "stop-and-search-borough",
        "Stop and search by borough, month, ethnic group, outcome and legislation",
        "Counts of stops and searches by London borough, month, the high-level group of the self-defined "
        "ethnicity of the person searched, outcome and legislation.",
        _dims("ethnicGroupDim", "searchOutcomeDim", "searchPower"),
        _stops_by_borough,
        "stop-and-search",
    ),
    CubeSpec(
        "use-of-force-borough",
        "Use of force by borough, quarter, tactic and perceived ethnicity",
        "Counts of use-of-force records (an officer's use of force on a subject) by London borough, calendar "
        "quarter, tactic used and the subject's perceived ethnic group.",
        _dims("tacticDim", "perceivedEthnicityDim"),
        _force_by_borough,
        "use-of-force",
        protected=frozenset({3}),  # the subject's perceived ethnicity: on no record
        quarterly=True,
    ),
)

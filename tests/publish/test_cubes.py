"""The statistical cubes of a release: integrity constraints IC-1..IC-21, counts, suppression."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pyoxigraph
import pytest
from sqlalchemy import create_engine

from gateway.publish.cubes import CUBES, CubeBuilder, _quarter, release_months
from gateway.publish.pipeline import PublishError, publish
from gateway.publish.vocabulary import load as load_vocabulary
from tests.lp_attack import Attack
from tests.publish.integrity import HERE, NAMES, PREFIXES, normalize, violated, violations
from vocab.namespaces import STATID

BASE = "https://data.met.police.uk/"
GOOD = HERE / "good-cube.ttl"
POL = f"{BASE}def/policing/"


@pytest.fixture(scope="module")
def release_dir(published_dir) -> Path:
    return (published_dir / "releases" / "current").resolve()


@pytest.fixture(scope="module")
def store(release_dir) -> pyoxigraph.Store:
    return pyoxigraph.Store.read_only(str(release_dir / "store"))


@pytest.fixture(scope="module")
def manifest(release_dir) -> dict:
    return json.loads((release_dir / "manifest.json").read_text())


def select(store: pyoxigraph.Store, query: str) -> list[tuple]:
    return [tuple(row) for row in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def good_store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(GOOD), format=pyoxigraph.RdfFormat.TURTLE)
    return store


# --- the published cubes pass every constraint --------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_published_cubes_pass_the_integrity_constraint(store, name):
    assert not violated(store, name)


def test_every_cube_is_published_with_its_structure(store, manifest):
    datasets = {row[0].value for row in select(store, "SELECT ?ds { ?ds a qb:DataSet ; qb:structure ?dsd }")}
    assert datasets == {f"{BASE}data/{spec.name}" for spec in CUBES}
    assert set(manifest["cubes"]["datasets"]) == {spec.name for spec in CUBES}
    for spec in CUBES:
        # Its dataset in a graph of its own, its observations in one graph per period.
        graph = f"{BASE}graph/cube/{spec.name}"
        data_set = pyoxigraph.NamedNode("http://purl.org/linked-data/cube#dataSet")
        found = store.quads_for_pattern(None, data_set, None)
        observations = [q for q in found if q.graph_name.value.startswith(graph)]
        assert len(observations) == manifest["cubes"]["datasets"][spec.name]["observations"] > 0
        periods = {q.graph_name.value.removeprefix(graph + "/") for q in observations}
        assert periods == {name.rsplit("/", 1)[1] for name in manifest["cube_partitions"] if spec.name in name}
        assert all(re.fullmatch(r"\d{4}-(\d\d|Q[1-4])", p) for p in periods)
        described = list(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)))
        assert described and all(q.subject.value == f"{BASE}data/{spec.name}" for q in described)


# --- the deliberately broken cubes fail them ----------------------------------------------

EG = "PREFIX eg: <http://example.org/cube/>\n"
BREAKS = {
    "ic-01": "INSERT DATA { eg:o1 qb:dataSet eg:mds }",
    "ic-02": "DELETE DATA { eg:ds qb:structure eg:dsd }",
    "ic-03": "INSERT DATA { eg:empty a qb:DataStructureDefinition ; qb:component eg:c-area }",
    "ic-04": "DELETE DATA { eg:area rdfs:range rdfs:Resource }",
    "ic-05": "DELETE DATA { eg:sex qb:codeList eg:sexes }",
    "ic-06": "INSERT DATA { eg:c-sex qb:componentRequired false }",
    "ic-07": "INSERT DATA { eg:stray a qb:SliceKey ; qb:componentProperty eg:area }",
    "ic-08": "INSERT DATA { eg:by-area qb:componentProperty eg:rate }",
    "ic-09": "INSERT DATA { eg:slice-b a qb:Slice }",
    "ic-10": "DELETE DATA { eg:slice-a eg:area eg:a }",
    "ic-11": "DELETE DATA { eg:o1 eg:sex eg:female }",
    "ic-12": "INSERT DATA { eg:o3 a qb:Observation ; qb:dataSet eg:ds ; eg:area eg:a ; eg:sex eg:female ; "
    "eg:group eg:g1 ; eg:region eg:london ; eg:district eg:d-child ; eg:count 5 ; eg:unit eg:people }",
    "ic-13": "DELETE DATA { eg:o1 eg:unit eg:people }",
    "ic-14": "DELETE DATA { eg:o1 eg:count 3 }",
    "ic-15": "DELETE DATA { eg:m1 eg:count 3 }",
    "ic-16": "INSERT DATA { eg:m1 eg:rate 0.7 }",
    "ic-17": "DELETE WHERE { eg:m2 ?p ?o }",
    "ic-18": "INSERT DATA { eg:slice-a qb:observation eg:m1 }",
    "ic-19a": "DELETE DATA { eg:male skos:inScheme eg:sexes }",
    "ic-19b": "DELETE DATA { eg:nested skos:member eg:g2 }",
    "ic-20": "DELETE DATA { eg:england skos:narrower eg:london }",
    "ic-21": "DELETE DATA { eg:d-child skos:broader eg:d-root }",
}


def test_every_constraint_has_a_breaking_fixture():
    assert set(BREAKS) == set(NAMES) and len(NAMES) == 22  # IC-1..IC-21, IC-19 in two parts


@pytest.mark.parametrize("scalable", [True, False], ids=["scalable", "normative"])
def test_the_good_fixture_passes_every_constraint(scalable):
    assert violations(good_store(), scalable) == []


@pytest.mark.parametrize("name", NAMES)
def test_a_cube_broken_for_a_constraint_fails_it(name):
    store = good_store()
    store.update(PREFIXES + EG + BREAKS[name])
    assert violated(store, name)
    if name == "ic-12":
        assert violated(store, name, scalable=False)


@pytest.fixture
def published_copy(store) -> pyoxigraph.Store:
    """The borough crime cube (its dataset and every period's observations), its structure
    and the vocabulary, copied into memory (default graph)."""
    copy = pyoxigraph.Store()
    wanted = (f"{BASE}graph/cube/crime-counts-borough", f"{BASE}graph/cube/structure", f"{BASE}graph/vocabulary")
    for g in store.named_graphs():
        if g.value in wanted or g.value.startswith(wanted[0] + "/"):
            found = store.quads_for_pattern(None, None, None, g)
            copy.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in found)
    return copy


def test_published_cubes_are_already_normalized(published_copy):
    """The constraints hold of normalized cubes: normalizing a published one adds nothing."""
    before = len(published_copy)
    normalize(published_copy)
    assert len(published_copy) == before


def test_normalization_completes_an_abbreviated_cube():
    store = good_store()
    store.update(
        PREFIXES + EG + "DELETE WHERE { eg:o1 a qb:Observation } ; DELETE WHERE { eg:c-sex qb:componentProperty ?p }"
    )
    normalize(store)
    assert violations(store) == []
    assert len(list(store.quads_for_pattern(None, None, None))) == len(good_store())


def test_a_broken_copy_of_a_published_cube_fails_the_constraints(published_copy):
    assert violations(published_copy) == []
    obs = select(published_copy, f"SELECT ?o {{ ?o <{POL}crimeCategory> ?c }} LIMIT 1")[0][0].value
    published_copy.update(PREFIXES + f"INSERT {{ <{obs}/copy> ?p ?v }} WHERE {{ <{obs}> ?p ?v }}")
    assert violations(published_copy) == ["ic-12"]  # a duplicate observation
    published_copy.update(PREFIXES + f"DELETE WHERE {{ <{obs}/copy> <{POL}crimeCategory> ?c }}")
    assert violations(published_copy) == ["ic-11"]  # an observation without a category
    published_copy.update(
        PREFIXES + f"INSERT {{ <{obs}> <{POL}crimeCategory> <{BASE}def/crime-category/no-such-thing> }} WHERE {{}}"
    )
    assert "ic-19a" in violations(published_copy)


# --- counts and suppression ---------------------------------------------------------------


def test_published_counts_add_up_to_the_records(store, manifest, release_dir):
    tables = sqlite3.connect(release_dir / "release.sqlite")
    crimes = tables.execute("SELECT count(*) FROM street WHERE record = 'RecordedCrime'").fetchone()[0]
    stops = tables.execute("SELECT count(*) FROM stop_search").fetchone()[0]
    reports = manifest["cubes"]["datasets"]
    for name, total in (
        ("crime-counts-borough", crimes),
        ("crime-counts-lsoa", crimes),
        ("stop-and-search-borough", stops),
    ):
        report = reports[name]
        assert report["records"] + report["withheld_records"] + report["left_out"] == total, name
        published = select(
            store,
            f"SELECT (SUM(?n) AS ?total) {{ ?o qb:dataSet <{BASE}data/{name}> ; <{POL}count> ?n . "
            f"FILTER(datatype(?n) = xsd:integer) }}",
        )[0][0]
        assert int(published.value) == report["records"]


def test_small_cells_are_withheld_and_flagged(store, manifest):
    threshold = manifest["cubes"]["suppression_threshold"]
    assert threshold == 5
    small = select(
        store,
        f"SELECT ?o {{ ?o qb:dataSet <{BASE}data/use-of-force-borough> ; <{POL}count> ?n . "
        f"FILTER(datatype(?n) = xsd:integer && ?n < {threshold}) }}",
    )
    assert small == []
    rows = select(
        store,
        f"SELECT ?o ?status {{ ?o <{POL}count> ?n . FILTER(str(?n) = 'NaN') "
        "OPTIONAL { ?o <http://purl.org/linked-data/sdmx/2009/attribute#obsStatus> ?status } }",
    )
    assert len(rows) == sum(r["suppressed"] for r in manifest["cubes"]["datasets"].values()) > 0
    assert {row[1].value for row in rows} == {"http://purl.org/linked-data/sdmx/2009/code#obsStatus-M"}


@pytest.mark.parametrize("name", ["crime-counts-borough", "crime-counts-lsoa", "stop-and-search-borough"])
def test_cubes_of_published_records_withhold_nothing(store, manifest, name):
    """Item 5b: these cubes count what the records carry, which anyone can count (the
    record listings' totals, SPARQL): a cell withheld there was given back by the API's
    totals or a listing. Every cell is published, small or not."""
    report = manifest["cubes"]["datasets"][name]
    assert report["suppressed"] == report["withheld_records"] == 0
    withheld = select(
        store, f"SELECT ?o {{ ?o qb:dataSet <{BASE}data/{name}> ; <{POL}count> ?n . FILTER(str(?n) = 'NaN') }}"
    )
    assert withheld == []


def cube_cells(store, name: str) -> dict[tuple[str, ...], float | None]:
    """A cube's observations by their dimension values: the count, None when withheld."""
    rows = select(
        store,
        f"SELECT ?area ?period ?tactic ?eth ?n {{ ?o qb:dataSet <{BASE}data/{name}> ; "
        "<http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?area ; "
        "<http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?period ; "
        f"<{POL}tacticDim> ?tactic ; <{POL}perceivedEthnicityDim> ?eth ; <{POL}count> ?n }}",
    )
    return {
        tuple(term.value for term in row[:4]): None if row[4].value == "NaN" else float(row[4].value) for row in rows
    }


def test_no_withheld_use_of_force_cell_is_recoverable(store, release_client, release_engine):
    """Item 5b: the use-of-force cube's withheld cells, attacked with everything else.

    Known: the cube's published cells; what the records give (the uses of force of each
    borough and quarter that used each tactic, counted by SPARQL in the store); and the
    API's counts of uses of force by borough and perceived ethnicity for each quarter (its
    cells, margins and totals), which bound the cube's: a record counts in the cell of
    each tactic it used, and uses at least one.
    """
    every = cube_cells(store, "use-of-force-borough")
    public = select(
        store,
        f"SELECT ?borough ?month ?tactic (COUNT(DISTINCT ?u) AS ?n) {{ ?u a <{POL}UseOfForce> ; "
        f"<{POL}borough> ?borough ; <{POL}month> ?month ; <{POL}tacticUse>/<{POL}tactic> ?tactic }} "
        "GROUP BY ?borough ?month ?tactic",
    )
    by_line: dict[tuple[str, str, str], int] = {}
    for borough, month, tactic, n in public:
        line = (borough.value, _quarter(month.value), tactic.value)
        by_line[line] = by_line.get(line, 0) + int(n.value)
    spec = next(spec for spec in CUBES if spec.name == "use-of-force-borough")
    with release_engine.connect() as conn:
        truth, _ = spec.cells(CubeBuilder(load_vocabulary(BASE)), conn, release_months(conn)["use-of-force"])
    concept = CubeBuilder(load_vocabulary(BASE)).concept
    exposed, attacked = [], 0
    for quarter in sorted({key[1] for key in every}):  # nothing known spans two quarters
        cells = {key: n for key, n in every.items() if key[1] == quarter}
        withheld = sorted(key for key, n in cells.items() if n is None)
        lp = Attack({key: n for key, n in cells.items() if n is not None}, withheld)
        for line, n in by_line.items():
            if line[1] == quarter:
                lp.total([key for key in cells if key[:3] == line], n)
        year, q = quarter.rsplit("/", 1)[-1].split("-Q")
        first, last = f"{year}-{3 * int(q) - 2:02d}", f"{year}-{3 * int(q):02d}"
        answer = release_client.get(
            f"/api/v1/aggregates/use-of-force?group=borough,perceived_ethnicity&from={first}&to={last}"
        ).get_json()
        known = [((c["borough"], c["perceived_ethnicity"]), c["count"]) for c in answer["cells"]]
        known += [((None, m["value"]), m["count"]) for m in answer["margins"]["perceived_ethnicity"]]
        for (borough, eth), n in known:
            if n is None or eth is None:
                continue
            eth = concept("perceived-ethnicity", eth)
            area = f"{STATID}{borough}" if borough else None
            members = [k for k in cells if k[3] == eth and area in (None, k[0])]
            lp.at_least(members, n)
            for tactic in {k[2] for k in members}:
                lp.at_most([k for k in members if k[2] == tactic], n)
        small = [key for key in withheld if 0 < truth.get(key, 0) < 5]
        attacked += len(small)
        exposed += lp.exposed(small)
    assert attacked, "the demo release has small cells here"
    assert exposed == []


def test_the_use_of_force_cube_shows_withheld_zeros(manifest, store):
    """A line of small cells gets a zero cell shown withheld: a withheld cell may count none."""
    report = manifest["cubes"]["datasets"]["use-of-force-borough"]
    assert report["suppressed"] > 0 and report["records"] > 0
    cells = cube_cells(store, "use-of-force-borough")
    assert sum(1 for n in cells.values() if n is None) == report["suppressed"]


def test_areas_are_ons_geographies_and_periods_reference_intervals(store):
    rows = select(
        store,
        "SELECT DISTINCT ?ds ?area ?period { ?o qb:dataSet ?ds ; "
        "<http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?area ; "
        "<http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?period }",
    )
    for dataset, area, period in rows:
        kind = "E01" if dataset.value.endswith("lsoa") else "E09"
        assert area.value.startswith(f"http://statistics.data.gov.uk/id/statistical-geography/{kind}")
        unit = "quarter" if "use-of-force" in dataset.value else "month"
        assert period.value.startswith(f"http://reference.data.gov.uk/id/{unit}/")


# --- the builder --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release_engine(release_dir):
    engine = create_engine(f"sqlite:///{release_dir / 'release.sqlite'}")
    yield engine
    engine.dispose()


def test_cube_statements_are_stable_and_carry_nothing_private(release_engine):
    vocabulary = load_vocabulary(BASE)
    with release_engine.connect() as conn:
        first = list(CubeBuilder(vocabulary).statements(conn))
        second = list(CubeBuilder(vocabulary).statements(conn))
    assert first == second
    assert not any("CANARY" in line for line in first)


def test_the_threshold_decides_what_is_withheld(release_engine):
    with release_engine.connect() as conn:
        builder = CubeBuilder(load_vocabulary(BASE), threshold=1)
        lines = list(builder.statements(conn))
    assert not any('"NaN"' in line for line in lines)
    assert all(r["suppressed"] == 0 for r in builder.report()["datasets"].values())


@pytest.mark.parametrize("threshold", [0, -3, 2.5, "5", True])
def test_a_bad_threshold_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        CubeBuilder(load_vocabulary(BASE), threshold=threshold)


def test_publish_refuses_a_bad_threshold_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEWAY_SUPPRESSION_THRESHOLD", "lots")
    with pytest.raises(PublishError, match="SUPPRESSION_THRESHOLD"):
        publish(f"sqlite:///{tmp_path / 'none.sqlite'}", tmp_path / "releases", key=b"k")
    assert not (tmp_path / "releases").exists()


def test_every_backend_publishes_the_same_cubes(release, manifest):
    """The cubes' SQL runs on SQLite and PostgreSQL alike (``release`` is published on each)."""
    assert release.manifest["cubes"] == manifest["cubes"]

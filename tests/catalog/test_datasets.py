"""/data/...: every dataset IRI of the catalogue and of the records dereferences, negotiated."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF

from gateway.catalog import datasets
from gateway.catalog.terms import DCAT
from gateway.negotiation import TURTLE
from tests.catalog.conftest import fetch
from tests.linked_data.rdf import parse_rdf

BASE = "https://data.met.police.uk/"
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}
MARKER = "CANARY"


@pytest.fixture(scope="module")
def client(published_dir):
    from gateway import create_app
    from tests.conftest import RELEASE_KEY, UNLIMITED

    config = {"TESTING": True, "DATA_DIR": str(published_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED}
    return create_app(config).test_client()


@pytest.fixture(scope="module")
def catalogue(client) -> Graph:
    return Graph().parse(data=fetch(client, "/catalog.nt").get_data(as_text=True), format="nt")


@pytest.fixture(scope="module")
def dataset_iris(catalogue) -> list[str]:
    return sorted(str(s) for s in catalogue.subjects(RDF.type, DCAT.Dataset))


@pytest.fixture(scope="module")
def derived_from(published_release) -> list[str]:
    """Every dataset a record of the release names with prov:wasDerivedFrom (read from the store)."""
    store = pyoxigraph.Store.read_only(str(published_release.store_path))
    query = f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?r <{PROV.wasDerivedFrom}> ?d }} }}"
    return sorted(solution["d"].value for solution in store.query(query))


def local(iri: str) -> str:
    assert iri.startswith(f"{BASE}data/"), iri
    return "/" + iri[len(BASE) :]


def expected_description(catalogue: Graph, iri: str) -> Graph:
    """The dataset's statements and its distributions', blank nodes followed (written here anew)."""
    found = Graph()
    pending = [URIRef(iri), *catalogue.objects(URIRef(iri), DCAT.distribution)]
    while pending:
        node = pending.pop()
        for p, o in catalogue.predicate_objects(node):
            found.add((node, p, o))
            if isinstance(o, BNode):
                pending.append(o)
    return found


def served(client, path: str, **kwargs):
    response = fetch(client, path, **kwargs)
    text = response.get_data(as_text=True)
    assert MARKER not in text and MARKER not in str(response.headers), path
    return response, text


def test_the_catalogue_names_every_kind_of_dataset(dataset_iris, derived_from, published_release):
    names = {iri[len(f"{BASE}data/") :] for iri in dataset_iris}
    assert "release" in names and "street-crime" in names and "street-crime/2024-01" in names
    assert any(name.startswith("crime-") or "cube" in name for name in names - {"release"}) or len(names) > 100
    series = {iri.rsplit("/", 1)[0] for iri in derived_from}
    assert series >= {f"{BASE}data/{name}" for name in ("street-crime", "stop-and-search", "use-of-force")}
    assert set(derived_from) <= set(dataset_iris)  # every record's dataset is in the catalogue


def test_every_dataset_dereferences_in_every_rdf_format(client, catalogue, dataset_iris):
    for iri in dataset_iris:
        expected = expected_description(catalogue, iri)
        assert (URIRef(iri), RDF.type, DCAT.Dataset) in expected and len(expected) > 15
        for extension, (media_type, rdflib_format) in FORMATS.items():
            for path, headers in ((f"{local(iri)}.{extension}", {}), (local(iri), {"Accept": media_type})):
                response, text = served(client, path, headers=headers)
                assert response.status_code == 200, path
                assert response.mimetype == media_type
                assert isomorphic(parse_rdf(text, rdflib_format), expected), (path, media_type)
                assert "Accept" in response.headers["Vary"]
                assert f'<{local(iri)}.html>; rel="alternate"; type="text/html"' in response.headers["Link"]


def test_every_dataset_has_an_html_page(client, catalogue, dataset_iris):
    for iri in dataset_iris:
        for path, headers in ((local(iri), {}), (f"{local(iri)}.html", {"Accept": "text/turtle"})):
            response, page = served(client, path, headers=headers)
            assert response.status_code == 200 and response.mimetype == "text/html", path
            assert '<nav aria-label="Site">' in page
            title = str(catalogue.value(URIRef(iri), DCTERMS.title))
            assert f"<h1>{title}</h1>" in page and f"<code>{iri}</code>" in page
            for distribution in catalogue.objects(URIRef(iri), DCAT.distribution):
                download = catalogue.value(distribution, DCAT.downloadURL)
                if download is not None:
                    assert f'href="/{str(download)[len(BASE) :]}"' in page
            for parent in catalogue.objects(URIRef(iri), DCAT.inSeries):
                assert f'href="{local(str(parent))}"' in page
            assert 'href="/catalog"' in page
            assert f'<{local(iri)}.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]


def test_a_month_page_shows_coverage_count_and_distributions(client, manifest):
    _, page = served(client, "/data/street-crime/2024-01")
    assert "2024-01-01 to 2024-01-31" in page
    assert f"{manifest['counts']['street-crime']['2024-01']:,}" in page
    assert 'href="/downloads/dumps/csv/2024-01/2024-01-metropolitan-street.csv"' in page
    assert 'href="/api/v1/street-crime?from=2024-01&amp;to=2024-01"' in page
    assert 'href="/sparql?query=SELECT' in page and 'href="/data/street-crime"' in page
    # The links it gives answer.
    assert fetch(client, "/api/v1/street-crime?from=2024-01&to=2024-01").status_code == 200
    _, page = served(client, "/data/street-crime")
    total = sum(manifest["counts"]["street-crime"].values())
    assert f"{total:,}" in page and 'href="/data/street-crime/2024-01"' in page and 'href="/data/release"' in page


def test_every_derived_from_dereferences(client, derived_from):
    for iri in derived_from:
        for extension, (media_type, rdflib_format) in FORMATS.items():
            response, text = served(client, f"{local(iri)}.{extension}")
            assert response.status_code == 200 and response.mimetype == media_type, iri
            graph = parse_rdf(text, rdflib_format)
            assert (URIRef(iri), RDF.type, DCAT.Dataset) in graph


def test_record_pages_link_to_their_dataset(client, published_release):
    store = pyoxigraph.Store.read_only(str(published_release.store_path))
    query = f"SELECT ?r ?d WHERE {{ GRAPH ?g {{ ?r <{PROV.wasDerivedFrom}> ?d }} }} LIMIT 3"
    for solution in store.query(query):
        record, dataset = solution["r"].value, solution["d"].value
        page = fetch(client, "/doc/" + record[len(f"{BASE}id/") :]).get_data(as_text=True)
        assert f'<a href="{local(dataset)}"><code>{dataset}</code></a>' in page
        assert fetch(client, local(dataset)).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/data/nothing", "/data/street-crime/2099-01", "/data/street-crime/2024-01/extra", "/data/catalog", "/data/x%00y"],
)
def test_unknown_datasets_are_404_in_the_format_asked_for(client, path):
    response, page = served(client, path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "/catalog" in page
    for extension, (media_type, rdflib_format) in FORMATS.items():
        for url, headers in ((f"{path}.{extension}", {}), (path, {"Accept": media_type})):
            response, text = served(client, url, headers=headers)
            assert response.status_code == 404 and response.mimetype == media_type, url
            assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
            if extension != "jsonld":  # JSON-LD errors carry the gateway's JSON error envelope
                assert len(parse_rdf(text, rdflib_format)) == 0


def test_the_catalogue_graph_is_built_once_per_release(published_release):
    first = datasets.catalogue_graph(published_release, "a@example.org")
    assert datasets.catalogue_graph(published_release, "a@example.org") is first
    assert datasets.catalogue_graph(published_release, "b@example.org") is not first
    text = datasets.catalogue_text(published_release, "a@example.org", TURTLE)
    assert datasets.catalogue_text(published_release, "a@example.org", TURTLE) is text
    assert isomorphic(Graph().parse(data=text, format="turtle"), first)
    datasets.forget(published_release)
    assert datasets.catalogue_graph(published_release, "a@example.org") is not first
    assert datasets.catalogue_text(published_release, "a@example.org", TURTLE) is not text
    datasets.forget(published_release)

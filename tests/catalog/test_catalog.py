"""/catalog: a DCAT 3 catalogue of the current release in HTML, Turtle, JSON-LD and more."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

import vocab
from gateway.catalog.terms import DCAT, SPDX
from tests.catalog.conftest import fetch
from tests.linked_data.rdf import parse_rdf

BASE = "https://data.met.police.uk/"
RDFLIB = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
          "application/rdf+xml": "xml"}  # fmt: skip


@pytest.fixture(scope="module")
def catalogue(published_dir) -> Graph:
    from gateway import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(published_dir)})
    response = fetch(app.test_client(), "/catalog.ttl")
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_the_html_page_lists_datasets_services_and_cubes(release_client, manifest):
    response = fetch(release_client, "/catalog", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<nav aria-label="Site">' in page and "<h1>Datasets</h1>" in page
    assert "Street-level crime and anti-social behaviour" in page and "Stop and search" in page
    assert "Recorded crime by borough, month and category" in page
    assert "/downloads/dumps/csv/2024-01/2024-01-metropolitan-street.csv" in page
    assert "Accept" in response.headers["Vary"]
    assert '</catalog.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("text/html;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("application/rdf+xml, text/turtle;q=0.8", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("text/*;q=0.9, text/html;q=0.1", "text/turtle"),
    ],
)
def test_negotiation(release_client, accept, expected):
    response = fetch(release_client, "/catalog", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == expected


OVERRIDES = [
    ("/catalog.ttl", "text/turtle"),
    ("/catalog.jsonld", "application/ld+json"),
    ("/catalog.nt", "application/n-triples"),
    ("/catalog.rdf", "application/rdf+xml"),
    ("/catalog?_format=jsonld", "application/ld+json"),
    ("/catalog.html", "text/html"),
]


@pytest.mark.parametrize(("url", "expected"), OVERRIDES)
def test_extensions_and_format_override_win_over_accept(release_client, url, expected):
    response = fetch(release_client, url, headers={"Accept": "text/html"})
    assert response.mimetype == expected


def test_unsupported_formats_are_406_and_unknown_extensions_404(release_client):
    response = fetch(release_client, "/catalog", headers={"Accept": "image/png"})
    assert response.status_code == 406 and "text/turtle" in response.get_json()["error"]["message"]
    response = fetch(release_client, "/catalog.xlsx")
    assert response.status_code == 404 and ".ttl" in response.get_json()["error"]["message"]


def test_every_serialisation_parses_to_the_same_graph(release_client, catalogue):
    for media_type, rdflib_format in RDFLIB.items():
        response = fetch(release_client, "/catalog", headers={"Accept": media_type})
        graph = parse_rdf(response.get_data(as_text=True), rdflib_format)
        assert isomorphic(graph, catalogue), media_type


def test_the_catalogue_conforms_to_the_dcat_shapes(catalogue):
    result = vocab.validate(catalogue, shapes=("dcat",))
    assert result.conforms, result.text


@pytest.mark.parametrize(
    "remove",
    [
        (None, DCTERMS.publisher, None),
        (None, DCAT.contactPoint, None),
        (None, DCAT.endpointURL, None),
        (None, SPDX.checksumValue, None),
        (None, DCTERMS.license, None),
    ],
    ids=["publisher", "contact", "endpoint", "checksum", "licence"],
)
def test_a_catalogue_missing_a_required_property_does_not_conform(catalogue, remove):
    broken = Graph()
    broken += catalogue
    broken.remove(remove)
    assert not vocab.validate(broken, shapes=("dcat",)).conforms


def test_publisher_licence_coverage_frequency_and_contact(catalogue, manifest):
    catalog = URIRef(f"{BASE}catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in catalogue
    assert catalogue.value(catalog, DCTERMS.license) == vocab.namespaces().OGL_V3
    release = URIRef(f"{BASE}data/release")
    assert catalogue.value(release, DCAT.version) == Literal(manifest["release"])
    assert catalogue.value(release, DCTERMS.accrualPeriodicity) == URIRef("http://purl.org/cld/freq/monthly")
    period = catalogue.value(release, DCTERMS.temporal)
    months = sorted({m for months in manifest["counts"].values() for m in months})
    assert str(catalogue.value(period, DCAT.startDate)) == f"{months[0]}-01"
    assert str(catalogue.value(period, DCAT.endDate)).startswith(months[-1])
    spatial = set(catalogue.objects(release, DCTERMS.spatial))
    assert URIRef("http://statistics.data.gov.uk/id/statistical-geography/E12000007") in spatial
    email = catalogue.value(
        catalogue.value(release, DCAT.contactPoint), URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")
    )
    assert str(email) == "mailto:opendata@met.police.uk"


def test_one_distribution_per_interface(catalogue):
    services = set(catalogue.subjects(RDF.type, DCAT.DataService))
    assert services == {URIRef(f"{BASE}sparql"), URIRef(f"{BASE}api/v1/"), URIRef(f"{BASE}api/")}
    series = URIRef(f"{BASE}data/stop-and-search")
    access = {catalogue.value(d, DCAT.accessService) for d in catalogue.objects(series, DCAT.distribution)}
    assert access == services
    dump = [d for d in catalogue.objects(URIRef(f"{BASE}data/release"), DCAT.distribution)
            if catalogue.value(d, DCAT.downloadURL)]  # fmt: skip
    assert [str(catalogue.value(d, DCAT.downloadURL)) for d in dump] == [f"{BASE}downloads/dumps/release.nq.gz"]
    cube = URIRef(f"{BASE}data/crime-counts-borough")
    assert (URIRef(f"{BASE}sparql"), DCAT.servesDataset, cube) in catalogue


def test_a_dataset_per_month_with_its_csv_files(catalogue, manifest):
    for name, months in manifest["counts"].items():
        for month in months:
            dataset = URIRef(f"{BASE}data/{name}/{month}")
            assert (dataset, DCAT.inSeries, URIRef(f"{BASE}data/{name}")) in catalogue
    csvs = {f["path"] for f in manifest["files"] if f["path"].endswith(".csv")}
    listed = {str(catalogue.value(d, DCTERMS.identifier)) for d in catalogue.subjects(DCAT.downloadURL, None)}
    assert csvs <= listed


def test_every_download_url_serves_its_checksummed_file(release_client, catalogue):
    urls = list(catalogue.subject_objects(DCAT.downloadURL))
    assert len(urls) > 50
    for distribution, url in urls:
        response = fetch(release_client, str(url)[len(BASE) - 1 :])
        assert response.status_code == 200, url
        checksum = catalogue.value(catalogue.value(distribution, SPDX.checksum), SPDX.checksumValue)
        assert hashlib.sha256(response.get_data()).hexdigest() == str(checksum)
        assert int(catalogue.value(distribution, DCAT.byteSize)) == len(response.get_data())

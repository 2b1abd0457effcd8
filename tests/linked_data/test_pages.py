"""The HTML pages: accessible, and showing what each kind of resource should show."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from gateway.publish import tables

from .html_checks import accessibility_problems, page_facts

PAGES = [
    "/",
    "/def",
    "/def/policing",
    "/def/policing/RecordedCrime",
    "/def/crime-category",
    "/def/crime-category/burglary",
    "/def/search-power/misuse-of-drugs-act-1971-s23",
    "/doc/borough",
    "/doc/organisation",
    "/doc/crime/1",  # a 404 page is a page too
]


def _pages(sample) -> list[str]:
    return PAGES + [f"/doc/{path}" for path in sample.all()]


def test_pages_are_accessible(release_client, sample):
    for local in _pages(sample):
        response = release_client.get(local)
        assert response.mimetype == "text/html", local
        html = response.get_data(as_text=True)
        assert accessibility_problems(html) == [], local
        assert page_facts(html).lang == "en-GB"


def test_every_local_link_of_the_pages_works(release_client, sample):
    seen: set[str] = set()
    for local in _pages(sample)[:-1]:
        for href, _ in page_facts(release_client.get(local).get_data(as_text=True)).links:
            if href.startswith(("/doc/", "/def", "/id/")) and href not in seen:
                seen.add(href)
                response = release_client.get(href)
                assert response.status_code in (200, 303), (local, href)
    assert len(seen) > 50


def test_a_record_page_links_to_its_concepts_dataset_and_provenance(release_client, sample):
    path = sample.records["crime"][0]
    html = release_client.get(f"/doc/{path}").get_data(as_text=True)
    assert re.search(r'href="/def/crime-category/[a-z-]+"', html)
    assert 'href="/def/policing/RecordedCrime"' in html
    assert re.search(r'href="/doc/snap-point/\d+"', html)
    assert "Dataset and provenance" in html
    assert re.search(r"<code>https://data.met.police.uk/data/street-crime/\d{4}-\d{2}</code>", html)
    assert "https://data.met.police.uk/graph/street-crime/" in html


def test_a_borough_page_links_to_ons_and_shows_the_release_figures(release_client, published_release, sample):
    code = sample.borough
    html = release_client.get(f"/doc/borough/{code}").get_data(as_text=True)
    assert f'href="http://statistics.data.gov.uk/id/statistical-geography/{code}"' in html
    street = tables.street
    with published_release.engine.connect() as conn:
        crimes = conn.execute(
            select(func.count()).where(street.c.borough_code == code, street.c.record == "RecordedCrime")
        ).scalar()
        month, in_month = conn.execute(
            select(street.c.month, func.count())
            .where(street.c.borough_code == code, street.c.record == "RecordedCrime")
            .group_by(street.c.month)
            .order_by(street.c.month.desc())
            .limit(1)
        ).one()
    assert crimes > 0
    footer = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert f'<td class="num">{crimes:,}</td>' in footer
    row = html[html.index(f'<th scope="row" class="nowrap">{month}</th>') :]
    assert row.split("</tr>")[0].count(f'<td class="num">{in_month:,}</td>') >= 1


STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/def/statistical-geography#Statistical-Geography"


def _type_in_lede(html: str) -> tuple[str, str, str]:
    """The lede's "A <a href=...>kind</a> published by ...": (article, link, text)."""
    lede = html.split('<p class="lede">', 1)[1].split("</p>", 1)[0]
    found = re.match(r'\s*(A|An) <a href="([^"]+)"[^>]*>([^<]+)</a>', lede)
    assert found, lede
    return found.group(1), found.group(2), found.group(3)


def _type_values(html: str) -> list[tuple[str, str]]:
    """The (link, text) values of the page's first rdf:type row."""
    row = html.split(">rdf:type</a></dt>", 1)[1].split("</dd>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', row)


def test_an_area_page_names_its_type_with_a_label_linked_to_the_type(release_client, sample):
    for path, name in ((f"borough/{sample.borough}", "London borough"), (f"lsoa/{sample.lsoa}", "lower layer")):
        html = release_client.get(f"/doc/{path}").get_data(as_text=True)
        article, link, text = _type_in_lede(html)
        assert (article, link) == ("A", STATISTICAL_GEOGRAPHY) and text.startswith(name), (path, text)
        assert _type_values(html) == [(STATISTICAL_GEOGRAPHY, "Statistical Geography")]
        assert f">{STATISTICAL_GEOGRAPHY}<" not in html and f"A {STATISTICAL_GEOGRAPHY}" not in html


def test_every_page_names_its_type_in_words(release_client, sample):
    names = {}
    for path in sample.all():
        html = release_client.get(f"/doc/{path}").get_data(as_text=True)
        article, link, text = _type_in_lede(html)
        assert ":" not in text and link, (path, text)  # neither an IRI nor a prefixed name
        assert article == ("An" if text[0] in "aeio" else "A"), (path, article, text)
        assert all(":" not in label for _, label in _type_values(html)), path
        names["/".join(path.split("/")[0::2])] = text  # by kind: crime, crime/outcome, ...
    assert names["crime"] == "recorded crime" and names["anti-social-behaviour"] == "anti-social behaviour incident"
    assert names["organisation"] == "police force" and names["snap-point"] == "snap point"


def test_a_snap_point_page_lists_its_records_by_month(release_client, published_release, sample):
    point = sample.snap_point_with_records
    html = release_client.get(f"/doc/snap-point/{point}").get_data(as_text=True)
    street, stops = tables.street, tables.stop_search
    with published_release.engine.connect() as conn:
        records = conn.execute(select(func.count()).where(street.c.map_point == point)).scalar()
        records += conn.execute(select(func.count()).where(stops.c.map_point == point)).scalar()
        months = conn.execute(select(street.c.month).where(street.c.map_point == point).distinct()).scalars().all()
    linked = re.findall(r'<li><a href="/doc/(?:crime|anti-social-behaviour|stop-and-search)/\d+">', html)
    assert len(linked) == records > 0
    for month in months:
        assert re.search(rf"<h3>{month} \(\d+\)</h3>", html)


def test_the_home_page_examples_work(release_client):
    html = release_client.get("/").get_data(as_text=True)
    # Every example of every interface, the JSON APIs and the SPARQL query included.
    links = [href for href, _ in page_facts(html).links if href.startswith("/")]
    assert any(href.startswith("/sparql?query=") for href in links)
    assert any(href.startswith("/api/crimes-street/") for href in links)
    assert any(href.startswith("/id/crime/") for href in links)
    assert any(href.startswith("/id/borough/") for href in links)
    # The SPARQL example runs in test_browser, on gunicorn: the endpoint starts worker processes.
    for href in (link for link in links if not link.startswith("/sparql")):
        response = release_client.get(href)
        assert response.status_code in (200, 303), href
        if response.status_code == 303:
            assert release_client.get(response.headers["Location"]).status_code == 200, href
    assert "curl -sL -H 'Accept: text/turtle' http://localhost/id/crime/" in html


def test_list_documents_link_every_borough_and_force(release_client):
    boroughs = [href for href, _ in page_facts(release_client.get("/doc/borough").get_data(as_text=True)).links]
    assert len([href for href in boroughs if href.startswith("/doc/borough/E09")]) == 33
    forces = [href for href, _ in page_facts(release_client.get("/doc/organisation").get_data(as_text=True)).links]
    assert "/doc/organisation/metropolitan" in forces
    assert release_client.get("/id/borough").status_code == 404  # a list is a document, not a thing

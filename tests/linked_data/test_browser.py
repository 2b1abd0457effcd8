"""Key pages rendered in headless Chromium (Debian's chromium and chromium-driver) from gunicorn.

Each page must load, have its title and main heading, and log nothing at error level in
the browser console (script errors, failed loads of stylesheets or scripts, CSP refusals).
"""

from __future__ import annotations

import html
import re

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import chromium

# Pages of the other interfaces, rendered when the running gateway has them.
OTHER_PAGES = ("/catalog", "/sparql", "/api/v1/docs", "/downloads")


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def _html_pages(live_server, sample) -> list[str]:
    pages = [
        "/",
        f"/id/{sample.records['crime'][0]}",
        f"/id/{sample.records['stop-and-search'][0]}",
        f"/id/borough/{sample.borough}",
        f"/id/snap-point/{sample.snap_point_with_records}",
        "/def/policing",
        "/def/policing/RecordedCrime",
        "/def/crime-category",
    ]
    for page in OTHER_PAGES:
        response = live_server.get(page, headers={"Accept": "text/html"})
        if response.status_code == 200 and response.headers.get("Content-Type", "").startswith("text/html"):
            pages.append(page)
    return pages


def test_key_pages_render_without_console_errors(browser, live_server, sample):
    pages = _html_pages(live_server, sample)
    print("rendered in Chromium:", ", ".join(pages))
    problems = {}
    for page in pages:
        browser.get(live_server.url + page)
        errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        if not browser.title or not browser.find_elements(By.TAG_NAME, "h1"):
            errors.append("no title or no <h1>")
        if errors:
            problems[page] = errors
    assert problems == {}


def test_a_record_page_is_reached_through_the_303(browser, live_server, sample):
    path = sample.records["crime"][0]
    browser.get(f"{live_server.url}/id/{path}")
    assert browser.current_url == f"{live_server.url}/doc/{path}"
    assert "Crime" in browser.find_element(By.TAG_NAME, "h1").text
    assert requests.get(f"{live_server.url}/id/{path}", allow_redirects=False, timeout=30).status_code == 303


def test_the_home_pages_sparql_example_answers(live_server):
    home = live_server.get("/").text
    query = re.search(r'href="(/sparql\?query=[^"]+)"', home)
    assert query, "the home page links a SPARQL example"
    answer = live_server.get(html.unescape(query.group(1)), headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"], "the example finds crimes by category"


def test_the_home_pages_run_this_query_link_opens_the_editor_and_runs_the_query(browser, live_server):
    browser.get(live_server.url + "/")
    shown = browser.find_element(By.CSS_SELECTOR, "main pre").text  # the query as the home page shows it
    browser.find_element(By.LINK_TEXT, "Run this query").click()
    wait = WebDriverWait(browser, 60)
    # Without the page, a browser downloads the SPARQL results and stays on the home page.
    wait.until(lambda driver: "/sparql?query=" in driver.current_url, "the link opened no page")
    assert browser.execute_script("return document.contentType") == "text/html"  # not SPARQL results
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#yasgui .CodeMirror")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "SPARQL query"
    editor = browser.execute_script("return document.querySelector('#yasgui .CodeMirror').CodeMirror.getValue()")
    assert editor.strip() == shown.strip()
    cells = wait.until(
        lambda driver: [
            c.text for c in driver.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr table tbody td") if c.text
        ]
    )
    assert any("/def/crime-category/" in text for text in cells), cells[:6]
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

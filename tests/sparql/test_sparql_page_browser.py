"""The query page in headless Chromium: YASGUI loads from the package and runs an example."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import chromium


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def test_an_example_query_runs_in_the_editor(browser, live_server):
    browser.get(live_server.url + "/sparql")
    wait = WebDriverWait(browser, 60)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#yasgui .CodeMirror")))
    editor_text = browser.execute_script("return document.querySelector('#yasgui .CodeMirror').CodeMirror.getValue()")
    assert "PREFIX pol: <https://data.met.police.uk/def/policing/>" in editor_text
    button = browser.find_element(By.XPATH, "//button[contains(., 'Outcomes of burglaries')]")
    button.click()
    cells = wait.until(
        lambda driver: [
            c for c in driver.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr table tbody td") if c.text.strip()
        ]
    )
    text = " ".join(c.text for c in cells)
    assert "no-further-action" in text or "Investigation complete" in text
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_a_query_link_runs_on_this_endpoint_only(browser, live_server):
    """A link's query opens in the editor and runs here, whatever endpoint the link names."""
    query = "SELECT ?category WHERE { ?c a pol:RecordedCrime ; pol:category ?category } LIMIT 3"
    elsewhere = "http://127.0.0.1:9/sparql"
    browser.get(f"{live_server.url}/sparql?{urlencode({'query': query, 'endpoint': elsewhere, '_format': 'html'})}")
    wait = WebDriverWait(browser, 60)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#yasgui .CodeMirror")))
    editor = browser.execute_script("return document.querySelector('#yasgui .CodeMirror').CodeMirror.getValue()")
    assert editor == query
    endpoint = browser.find_element(By.CSS_SELECTOR, ".tabPanel.active input.autocomplete").get_attribute("value")
    assert endpoint == f"{live_server.url}/sparql"
    cells = wait.until(
        lambda driver: [
            c.text for c in driver.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr table tbody td") if c.text
        ]
    )
    assert any("/def/crime-category/" in text for text in cells), cells

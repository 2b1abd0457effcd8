"""The key pages at a desktop width (1280 px) and a phone width (390 px), in headless Chromium.

Each page is screenshotted (into the test's tmp_path, for a person to look at) and must fit its
viewport: nothing scrolls the page sideways, and nothing spills out of a box the page draws
(a card, a table cell, a code block). Closed ``<details>`` are opened first, and script-built
pages (the SPARQL editor, Swagger UI) are measured once their scripts have drawn them.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import chromium, layout_problems, save_full_page, set_viewport

WIDTHS = (1280, 390)
# What a script-built page shows once it is drawn.
DRAWN = {
    "/sparql": "#yasgui .CodeMirror",
    "/api/v1/docs": ".swagger-ui .info .title",
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def key_pages(sample) -> list[str]:
    return [
        "/",
        "/sparql",
        "/api/v1/docs",
        f"/doc/borough/{sample.borough}",
        f"/doc/lsoa/{sample.lsoa}",
        f"/doc/{sample.records['crime'][0]}",
        f"/doc/{sample.records['crime/outcome'][0]}",
        f"/doc/{sample.records['stop-and-search'][0]}",
        f"/doc/snap-point/{sample.snap_point_with_records}",
        "/doc/organisation/metropolitan",
        "/catalog",
        "/downloads",
        "/def/policing",
        "/def/policing/RecordedCrime",
        "/def/crime-category",
    ]


def open_page(browser, url: str, path: str) -> None:
    browser.get(url + path)
    if path in DRAWN:
        WebDriverWait(browser, 60).until(ready.presence_of_element_located((By.CSS_SELECTOR, DRAWN[path])))
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("width", WIDTHS)
def test_key_pages_fit_the_width(browser, live_server, sample, width, tmp_path):
    set_viewport(browser, width)
    problems = {}
    for number, path in enumerate(key_pages(sample)):
        open_page(browser, live_server.url, path)
        assert browser.find_elements(By.TAG_NAME, "h1"), path
        found = layout_problems(browser)
        save_full_page(browser, str(tmp_path / f"{number:02d}-{width}.png"))
        if found:
            problems[path] = found[:10]
    print(f"screenshots at {width} px: {tmp_path}")
    assert problems == {}


def test_the_check_sees_a_page_wider_than_the_viewport(browser, live_server):
    """The measurement itself: a long unbreakable word in a bordered box is caught."""
    set_viewport(browser, 390)
    open_page(browser, live_server.url, "/")
    browser.execute_script(
        "const p = document.createElement('p');"
        "p.style.border = '1px solid black'; p.style.overflowWrap = 'normal';"
        "p.textContent = 'x'.repeat(200);"
        "document.querySelector('main').append(p);"
    )
    problems = layout_problems(browser)
    assert any("px viewport" in p for p in problems)
    assert any("the page is" in p for p in problems)
    assert any("out of p" in p for p in problems)

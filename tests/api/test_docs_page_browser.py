"""The API documentation page (Swagger UI, vendored) in headless Chromium."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import chromium, contrast_ratio, text_contrast

WCAG_AA = 4.5  # normal text, WCAG 2 success criterion 1.4.3
BADGES = ".swagger-ui .info .title small pre"  # the version and the "OAS 3.0" badges


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def test_the_version_badges_are_readable(browser, live_server):
    browser.get(live_server.url + "/api/v1/docs")
    badges = WebDriverWait(browser, 60).until(ready.presence_of_all_elements_located((By.CSS_SELECTOR, BADGES)))
    texts = [badge.text for badge in badges]
    assert any(text.startswith("OAS") for text in texts) and len(texts) == 2, texts
    ratios = {badge.text: round(text_contrast(browser, badge), 2) for badge in badges}
    print("badge contrast:", ratios)
    assert all(ratio >= WCAG_AA for ratio in ratios.values()), ratios


def test_the_contrast_measure():
    assert contrast_ratio("rgb(255, 255, 255)", "rgb(0, 0, 0)") == pytest.approx(21)
    assert contrast_ratio("rgb(119, 119, 119)", "rgb(255, 255, 255)") == pytest.approx(4.48, abs=0.01)
    # Swagger UI's own badge colours: white on its green and on its grey fail AA.
    assert contrast_ratio("rgb(255, 255, 255)", "rgb(137, 191, 4)") < WCAG_AA
    assert contrast_ratio("rgb(255, 255, 255)", "rgb(125, 132, 146)") < WCAG_AA
    # Translucent text is blended with what lies under it.
    assert contrast_ratio("rgba(0, 0, 0, 0.5)", "rgb(255, 255, 255)") == pytest.approx(3.98, abs=0.01)

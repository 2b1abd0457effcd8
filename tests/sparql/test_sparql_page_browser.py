"""The query page in headless Chromium: YASGUI loads from the package and runs an example."""

from __future__ import annotations

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking")


@pytest.fixture(scope="module")
def browser():
    assert shutil.which(CHROMEDRIVER) and shutil.which(CHROMIUM), "install the chromium and chromium-driver packages"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


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

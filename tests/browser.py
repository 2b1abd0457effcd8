"""Headless Chromium (Debian's chromium and chromium-driver) driven by selenium, for page tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
# Headless, as root in a container, and quiet: this machine's network is closed, so
# Chromium's own background connections would only fail.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """A browser whose console log (``driver.get_log("browser")``) keeps every level."""
    assert shutil.which(CHROMEDRIVER) and shutil.which(CHROMIUM), "install the chromium and chromium-driver packages"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# --- Layout and contrast, measured in the browser ---------------------------------------------

# What sticks out sideways: past the viewport (the page scrolls sideways), or out of the box an
# ancestor draws (a border or background: a card, a table cell, a code block). Elements and text
# are measured after clipping by ancestors that clip or scroll their overflow (a <pre> or a
# table's scroll box holds its content). Off-screen-left elements (skip links) are meant to be.
_STICKING_OUT = """
const view = document.documentElement.clientWidth;
const EPS = 1;
const style = (el) => getComputedStyle(el);
const transparent = (color) => !color || color === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(color);
const visible = (el) => style(el).display !== "none" && style(el).visibility !== "hidden";
const clips = (el) => style(el).overflowX !== "visible";
function drawsBox(el) {
  const s = style(el);
  const side = (name) => parseFloat(s[`border${name}Width`]) > 0 && s[`border${name}Style`] !== "none"
    && !transparent(s[`border${name}Color`]);
  return !transparent(s.backgroundColor) || side("Left") || side("Right");
}
function describe(el) {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  const classes = typeof el.className === "string" ? el.className.trim() : "";
  if (classes) name += "." + classes.split(/\\s+/).join(".");
  return name;
}
const problems = [];
function check(rect, el, what, ownText) {
  if (rect.width === 0 || rect.height === 0) return;
  let left = rect.left, right = rect.right;
  for (let a = ownText ? el : el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    if (clips(a)) {
      const r = a.getBoundingClientRect();
      left = Math.max(left, r.left); right = Math.min(right, r.right);
    }
  }
  if (right - left <= 0 || right <= 0) return;
  const span = `${what} spans ${Math.round(left)}..${Math.round(right)} px`;
  if (left < -EPS || right > view + EPS) problems.push(`${span}, past the ${view} px viewport`);
  for (let a = ownText ? el : el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (clips(a)) break;
    if (drawsBox(a)) {
      const box = a.getBoundingClientRect();
      if (left < box.left - EPS || right > box.right + EPS)
        problems.push(`${span}, out of ${describe(a)} (${Math.round(box.left)}..${Math.round(box.right)} px)`);
      break;
    }
  }
}
for (const el of document.body.querySelectorAll("*")) {
  if (visible(el)) check(el.getBoundingClientRect(), el, describe(el), false);
}
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.textContent.trim() || !visible(node.parentElement)) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const text = node.textContent.trim().slice(0, 40);
  check(range.getBoundingClientRect(), node.parentElement, `text "${text}" in ${describe(node.parentElement)}`, true);
}
const width = document.documentElement.scrollWidth;
if (width > view) problems.unshift(`the page is ${width} px wide in a ${view} px viewport`);
return [...new Set(problems)];
"""


def layout_problems(driver: webdriver.Chrome) -> list[str]:
    """What makes the page scroll sideways or spill out of its boxes; empty when it fits."""
    return driver.execute_script(_STICKING_OUT)


def set_viewport(driver: webdriver.Chrome, width: int, height: int = 900) -> None:
    """Make the page's viewport (``window.innerWidth``) ``width`` CSS pixels wide."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return window.innerWidth")
    if inner != width:  # a window's frame, if any, takes its share
        driver.set_window_size(2 * width - inner, height)
    assert driver.execute_script("return window.innerWidth") == width


def save_full_page(driver: webdriver.Chrome, path: str, max_height: int = 12_000) -> None:
    """A screenshot of the whole page (up to ``max_height`` pixels), for a person to look at."""
    width = driver.execute_script("return window.innerWidth")
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), max_height)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        driver.save_screenshot(path)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# The colours an element's text is drawn in and drawn on: its own colour, and the background
# of the nearest ancestor (or itself) that paints one (white if none does).
_COLOURS = """
const el = arguments[0];
let bg = "rgb(255, 255, 255)";
for (let a = el; a; a = a.parentElement) {
  const c = getComputedStyle(a).backgroundColor;
  if (c && c !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(c)) { bg = c; break; }
}
return [getComputedStyle(el).color, bg];
"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    """The channels of a computed colour: ``rgb(r, g, b)`` or ``rgba(r, g, b, a)``."""
    numbers = [float(n) for n in css[css.index("(") + 1 : css.index(")")].replace("/", " ").replace(",", " ").split()]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)  # type: ignore[return-value]


def _over(top: str, bottom: tuple[float, float, float]) -> tuple[float, float, float]:
    """``top`` painted over the opaque colour ``bottom`` (alpha compositing)."""
    r, g, b, a = _rgba(top)
    return (r * a + bottom[0] * (1 - a), g * a + bottom[1] * (1 - a), b * a + bottom[2] * (1 - a))


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an opaque colour (channels 0 to 255)."""

    def linear(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of text in ``foreground`` on ``background`` (computed CSS colours).

    1 to 21; AA wants 4.5 for normal text. A translucent background lies on white, translucent
    text on its background.
    """
    ground = _over(background, (255.0, 255.0, 255.0))
    light, dark = sorted((relative_luminance(_over(foreground, ground)), relative_luminance(ground)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_contrast(driver: webdriver.Chrome, element) -> float:
    """The contrast ratio of ``element``'s text against the background it is drawn on."""
    foreground, background = driver.execute_script(_COLOURS, element)
    return contrast_ratio(foreground, background)

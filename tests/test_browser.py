"""Maps and the report in headless Chromium with every non-file request blocked.

Skips cleanly where Chromium (Debian's /usr/bin/chromium) or the playwright package is missing; the
package drives the system browser over the DevTools protocol and never downloads one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from maparchive import EVIL, EVIL_NAME, fill

from chatgraph import maps

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no chromium on this machine")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


class Opened:
    """A page opened offline, with what it tried to fetch and what went wrong in it."""

    def __init__(self, browser, path: Path):
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(path.resolve().as_uri())

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            return route.continue_()
        self.outside.append(url)
        return route.abort()

    def clean(self) -> None:
        assert self.outside == []
        assert self.errors == []
        assert self.page.evaluate("window.__pwned") is None


def wait_drawn(frame) -> None:
    frame.wait_for_function("window.chatgraphDrawnAt !== undefined", timeout=20_000)


def hover_tip(page, frame, x: float, y: float) -> str:
    """Hover the map's canvas point (x, y) and return the tooltip's text as shown."""
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y)
    frame.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility !== 'hidden' && t.innerText.length > 0; }",
        timeout=5_000,
    )
    return frame.evaluate("document.querySelector('div.vis-tooltip').innerText")


def screen_point(frame, js_canvas_point: str) -> tuple[float, float]:
    return tuple(
        frame.evaluate(
            f"""() => {{
                const net = window.network;
                const p = net.canvasToDOM({js_canvas_point});
                const r = document.querySelector('#map canvas').getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }}"""
        )
    )


@pytest.fixture
def archive(db):
    return fill(db)


def test_map_offline_counts_and_no_injected_script(browser, archive, tmp_path):
    path = tmp_path / "map.html"
    maps.write_map(archive, path, year=2020)
    opened = Opened(browser, path)
    page = opened.page
    wait_drawn(page)
    assert page.evaluate("window.network.body.data.nodes.length") == 4
    assert page.evaluate("window.network.body.data.edges.length") == 3
    assert page.inner_text("#stats") == "4 accounts · 3 pairs · 2 new connections in 2020"
    tips = {}
    for node in ["alice", "bob", "dave", EVIL.lower()]:
        x, y = screen_point(page, f"net.getPositions([{node!r}])[{node!r}]")
        tips[node] = hover_tip(page, page, x, y)
    assert tips["alice"].splitlines()[:3] == ["@Alice", "Alice Adams", "posts in 2020: 2"]
    assert tips[EVIL.lower()].splitlines()[:2] == [f"@{EVIL}", EVIL_NAME]
    # the hostile names were shown as text: no element was made from them
    assert (
        page.evaluate("document.querySelectorAll('img, b, script:not([id]):not(:empty)').length")
        == 2
    )
    # an edge's tooltip, hovered on the line halfway between the two nodes' rims
    mid = (
        "(() => { const p = net.getPositions(['alice', 'dave']);"
        " const ra = net.body.nodes.alice.options.size, rd = net.body.nodes.dave.options.size;"
        " const dx = p.dave.x - p.alice.x, dy = p.dave.y - p.alice.y, d = Math.hypot(dx, dy);"
        " const t = (ra + (d - ra - rd) / 2) / d;"
        " return {x: p.alice.x + t * dx, y: p.alice.y + t * dy}; })()"
    )
    x, y = screen_point(page, mid)
    assert (
        hover_tip(page, page, x, y)
        == "@Alice – @Dave\n1 interactions: 1 reply\nnew connection in 2020"
    )
    opened.clean()


def test_map_year_control_shows_the_network_growing(browser, archive, tmp_path):
    path = tmp_path / "growth.html"
    maps.write_map(archive, path)  # all years: 2019-2021
    opened = Opened(browser, path)
    page = opened.page
    wait_drawn(page)
    count = "window.network.body.data.nodes.length"
    assert page.evaluate(count) == 5
    page.click("#frame-buttons button:has-text('2019')")
    assert page.evaluate(count) == 3
    assert (
        page.inner_text("#stats")
        == "3 accounts (1 never posted, only mentioned) · 2 pairs · 2 new connections in 2019"
    )
    page.click("#frame-buttons button:has-text('2020')")
    assert page.evaluate(count) == 5
    # carol was only mentioned: on the map (connected) but not a participant
    assert page.inner_text("#stats") == (
        "5 accounts (1 never posted, only mentioned) · 4 pairs · 2 new connections in 2020"
    )
    # kinds and minimum weight filter the drawn pairs in the page
    page.fill("#min-weight", "2")
    page.dispatch_event("#min-weight", "change")
    assert page.evaluate(count) == 2
    page.fill("#min-weight", "1")
    page.dispatch_event("#min-weight", "change")
    page.uncheck("#kinds label:has-text('reply') input")
    # without replies: alice-bob (a mention) and bob-carol are left, neither new in 2020
    assert (
        page.inner_text("#stats")
        == "3 accounts (1 never posted, only mentioned) · 2 pairs · 0 new connections in 2020"
    )
    opened.clean()


def test_report_offline_with_its_map(browser, archive, tmp_path):
    from chatgraph import report

    result = report.write_report(archive, tmp_path / "report.html")
    opened = Opened(browser, result.path)
    page = opened.page
    plots = page.evaluate(
        "[...document.querySelectorAll('svg.plot')].map(s => s.getBoundingClientRect().width > 300)"
    )
    assert plots == [True, True, True, True]
    # the hostile handle is shown as text in the tables, and made no element
    cells = page.evaluate("[...document.querySelectorAll('span.who')].map(s => s.textContent)")
    assert f"@{EVIL}" in cells
    assert page.evaluate("document.querySelectorAll('main img, main b').length") == 0
    page.locator("iframe").scroll_into_view_if_needed()  # offscreen frames are not drawn
    frame = next(f for f in page.frames if f.url.endswith("report_files/map-2021.html"))
    wait_drawn(frame)
    assert frame.evaluate("window.network.body.data.nodes.length") == 4
    assert frame.evaluate("window.__pwned") is None
    # a transcript link opens offline too
    page.click("a:has-text('hcldr-2020-04-07')")
    page.wait_for_url("**/report_files/transcripts/hcldr-2020-04-07.html")
    assert "window.__pwned=3" in page.inner_text("body")  # shown as text
    opened.clean()


def test_busy_map_paints_its_edges(browser, archive, tmp_path, monkeypatch):
    # above maps.PAINT_EDGES pairs the page strokes the edges itself; same counts, same controls
    monkeypatch.setattr(maps, "PAINT_EDGES", 0)
    path = tmp_path / "busy.html"
    maps.write_map(archive, path)
    opened = Opened(browser, path)
    page = opened.page
    wait_drawn(page)
    assert page.evaluate("window.chatgraphMap.painted") is True
    assert page.evaluate("window.network.body.data.edges.length") == 0
    assert page.evaluate("window.chatgraphMap.pairs()") == 5
    assert page.evaluate("window.network.body.data.nodes.length") == 5
    page.click("#frame-buttons button:has-text('2019')")
    assert (
        page.inner_text("#stats")
        == "3 accounts (1 never posted, only mentioned) · 2 pairs · 2 new connections in 2019"
    )
    x, y = screen_point(page, "net.getPositions(['bob']).bob")
    assert hover_tip(page, page, x, y).splitlines()[0] == "@Bob"
    opened.clean()

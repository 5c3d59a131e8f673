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


VIEW = """() => {
    const net = window.network;
    const box = (el) => { const r = el.getBoundingClientRect();
                          return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const canvas = box(document.querySelector('#map canvas'));
    const scale = net.getScale();
    const nodes = net.body.nodeIndices.map((id) => {
        const n = net.body.nodes[id];
        const p = net.canvasToDOM({x: n.x, y: n.y});
        return {id: id, x: canvas.left + p.x, y: canvas.top + p.y, r: n.options.size * scale};
    });
    const labels = window.chatgraphMap.labels().map((b) => ({id: b.id, text: b.text,
        left: canvas.left + b.left, top: canvas.top + b.top,
        right: canvas.left + b.right, bottom: canvas.top + b.bottom}));
    return {panel: box(document.getElementById('panel')), canvas: canvas, nodes: nodes,
            labels: labels};
}"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and (a["top"] < b["bottom"] and b["top"] < a["bottom"])
    )


def covers(box: dict, node: dict) -> bool:
    x = max(box["left"], min(node["x"], box["right"]))
    y = max(box["top"], min(node["y"], box["bottom"]))
    return (x - node["x"]) ** 2 + (y - node["y"]) ** 2 < node["r"] ** 2


def check_initial_view(view: dict) -> None:
    """Every node inside the map's canvas and clear of the side panel; labels that overlap no
    other label, cover no node big enough to be labelled, and stay inside the canvas."""
    panel, canvas = view["panel"], view["canvas"]
    assert panel["right"] <= canvas["left"]  # the panel does not reach over the map
    for n in view["nodes"]:
        circle = {"left": n["x"] - n["r"], "right": n["x"] + n["r"],
                  "top": n["y"] - n["r"], "bottom": n["y"] + n["r"]}  # fmt: skip
        assert not overlap(circle, panel), n
        assert canvas["left"] <= circle["left"] and circle["right"] <= canvas["right"], n
        assert canvas["top"] <= circle["top"] and circle["bottom"] <= canvas["bottom"], n
    labels = view["labels"]
    for i, a in enumerate(labels):
        assert canvas["left"] <= a["left"] and a["right"] <= canvas["right"], a
        assert canvas["top"] <= a["top"] and a["bottom"] <= canvas["bottom"], a
        for b in labels[i + 1 :]:
            assert not overlap(a, b), (a, b)
        for n in view["nodes"]:
            if n["id"] != a["id"] and n["r"] >= 4:
                assert not covers(a, n), (a, n)


def dense_map(path: Path) -> Path:
    """90 accounts with long handles, packed as tightly as the layout packs them, a hub linked
    to all, a few smaller hubs and a chain: at zoom 1 their labels would cover one another."""
    import numpy as np

    ids = [f"a{i:02d}" for i in range(90)]
    pairs = [(0, i) for i in range(1, 90)] + [(i, i + 1) for i in range(1, 89)]
    pairs += [(h, j) for h in range(1, 6) for j in range(h + 10, 90, 7)]
    degree = np.zeros(90)
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    grid = np.array([((i % 10) * 34.0, (i // 10) * 34.0) for i in range(90)], dtype=np.float32)
    pos = maps.spread(grid, maps.node_radii(degree))
    nodes = [
        {"id": h, "label": f"someone_with_a_long_handle_{i}@mastodon.social",
         "x": float(pos[i, 0]), "y": float(pos[i, 1]), "value": int(degree[i]),
         "color": maps.PALETTE[i % 3], "t": f"@{h}"}
        for i, h in enumerate(ids)
    ]  # fmt: skip
    edges = [
        {"id": k, "from": ids[a], "to": ids[b], "k": [1, 0, 0], "w": 1, "f": 0, "n": 0}
        for k, (a, b) in enumerate(pairs)
    ]
    data = maps.MapData(
        chat="dense", title="#dense connections, 2024", subtitle="reply/mention/quote",
        frames=["2024"], kinds=["reply", "mention", "quote"], color="community", min_weight=1,
        nodes=nodes, edges=edges, legend=[{"color": maps.PALETTE[0], "label": "1: 90 accounts"}],
    )  # fmt: skip
    path.write_text(maps.render(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("viewport", [(1400, 1000), (1024, 700), (800, 600)])
def test_dense_map_labels_do_not_overlap_and_no_node_is_under_the_panel(
    browser, tmp_path, viewport
):
    path = dense_map(tmp_path / "dense.html")
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(path.resolve().as_uri())
    wait_drawn(page)
    view = page.evaluate(VIEW)
    assert len(view["nodes"]) == 90
    check_initial_view(view)
    # labels go to the biggest nodes first, where they fit: not all 90 do
    assert 5 <= len(view["labels"]) < 90
    # zooming in makes room for more labels, still without overlaps
    page.evaluate("window.network.moveTo({scale: window.network.getScale() * 3})")
    page.wait_for_timeout(100)
    closer = page.evaluate(VIEW)
    assert len(closer["labels"]) > 0
    for i, a in enumerate(closer["labels"]):
        for b in closer["labels"][i + 1 :]:
            assert not overlap(a, b), (a, b)
    page.close()


def test_report_map_initial_view(browser, archive, tmp_path):
    from chatgraph import report

    result = report.write_report(archive, tmp_path / "report.html")
    opened = Opened(browser, result.path)
    page = opened.page
    page.locator("iframe").scroll_into_view_if_needed()
    frame = next(f for f in page.frames if f.url.endswith("report_files/map-2021.html"))
    wait_drawn(frame)
    view = frame.evaluate(VIEW)
    check_initial_view(view)
    # a small map: every account is labelled
    assert sorted(b["text"] for b in view["labels"]) == ["Alice", "Bob", "Carol", "Dave"]
    opened.clean()

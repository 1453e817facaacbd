"""The HTML views in a real browser: Debian's headless Chromium, driven by Playwright, network off.

Each test loads a page offline, waits for ``window.kgReady``, and fails on
any console error, page error or dialog. Screenshots go to ``$KG_SCREENSHOTS``
or, by default, ``kg-screenshots`` in the system's temporary folder (never into the
repository: the suite is hermetic). Needs ``/usr/bin/chromium`` (``apt-get
install chromium fonts-noto-cjk``) and the ``playwright`` Python package; no
browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("KG_SCREENSHOTS") or Path(tempfile.gettempdir()) / "kg-screenshots")
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
# No GPU here: WebGL pages (sigma.js) draw with Chromium's software GL (SwiftShader).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader"]
ID = "https://kg.example.org/id/"
XSS = "<img src=x onerror=alert(1)>"
VIEWS = ["kg.html", "xiaomi.html", "lei-jun-tesla.html"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="the playwright Python package is not installed"),
    pytest.mark.skipif(not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"),
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A loaded view, with every console error, page error and dialog recorded."""

    def __init__(self, browser, path: Path, timeout_ms: int = 60_000, touch: bool = False):
        self.ctx = browser.new_context(offline=True, viewport={"width": 1400, "height": 900}, has_touch=touch)
        self.page = self.ctx.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri(), timeout=timeout_ms)
        self.page.wait_for_function("window.kgReady === true", timeout=timeout_ms)

    def _console(self, m) -> None:
        # Software GL reports its own slow paths as warnings ("GPU stall due to ReadPixels"): not the page's.
        if m.type in ("error", "warning") and "GL Driver Message" not in m.text:
            self.problems.append(f"console.{m.type}: {m.text}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expr, arg=None):
        return self.page.evaluate(expr, arg)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / name))

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems
        assert self.dialogs == [], self.dialogs
        # Only the page itself is ever fetched: nothing from a CDN or the web.
        assert [u for u in self.requests if not u.startswith("file://")] == []

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def opener(path: Path, **kw) -> Page:
        p = Page(browser, path, **kw)
        pages.append(p)
        return p

    yield opener
    for p in pages:
        p.close()


def _edge_id(page: Page, relation: str, a: str, b: str) -> str:
    return page.js("([rel, a, b]) => kgView.edgeId(rel, a, b)", [relation, a, b])


@pytest.fixture(scope="module")
def map_views(article_store, tmp_path_factory):
    """The article's whole view and path view drawn by each map renderer (2D canvas, WebGL), to run
    the same checks on: ``{renderer: folder}``."""
    from kg.drawing import path_view, whole_view, write_html
    from kg.stores import open_store

    folders = {}
    with open_store(article_store, read_only=True) as store:
        for renderer in ("canvas", "sigma"):
            out = folders[renderer] = tmp_path_factory.mktemp(renderer)
            write_html(whole_view(store), out / "kg.html", renderer=renderer)
            write_html(path_view(store, "Lei Jun", "Tesla"), out / "lei-jun-tesla.html", renderer=renderer)
    return folders


@pytest.fixture(params=["vis", "canvas", "sigma"])
def views(request):
    """The folder of the article's views, drawn by each renderer in turn."""
    return ROOT / "graphs" if request.param == "vis" else request.getfixturevalue("map_views")[request.param]


@pytest.mark.parametrize("name", VIEWS)
def test_standard_view_draws_everything_offline(open_page, name):
    page = open_page(ROOT / "graphs" / name)
    data = page.js("kgView.data")
    assert data["nodes"] and data["edges"]
    assert page.js("kgView.drawnNodes()") == len(data["nodes"])
    assert page.js("kgView.drawnEdges()") == len(data["edges"]["from"])
    # Legend and filters are there, built from the data.
    legend = page.js("[...document.querySelectorAll('#kg-legend-list li')].map(li => li.textContent)")
    assert any(item.startswith("Company") for item in legend) and any(item.startswith("Person") for item in legend)
    relations = page.js("[...document.querySelectorAll('#kg-relations label')].map(l => l.textContent)")
    assert len(relations) == len(data["relations"])
    page.shot(name.replace(".html", ".png"))
    page.assert_clean()


def test_whole_view_counts(open_page, views):
    page = open_page(views / "kg.html")
    labels = page.js("kgView.data.nodes.map(n => n.label)")
    assert {"Xiaomi", "Lei Jun", "Elon Musk", "Tesla", "Xpeng Motors", "Apple"} <= set(labels)
    assert page.js("kgView.drawnNodes()") == len(labels)
    page.assert_clean()


@pytest.mark.parametrize("query, iri", [
    ("Lei Jun", ID + "person/lei-jun"),
    ("lee jun", ID + "person/lei-jun"),
    ("雷军", ID + "person/lei-jun"),
    ("小米", ID + "company/xiaomi"),
])
def test_search_selects_the_node(open_page, views, query, iri):
    page = open_page(views / "kg.html")
    page.page.fill("#kg-search-input", query)
    page.page.press("#kg-search-input", "Enter")
    page.page.wait_for_function("(iri) => kgView.selected().includes(iri)", arg=iri, timeout=5000)
    heading = page.js("document.querySelector('#kg-info-body h3').textContent")
    assert heading == page.js("(iri) => kgView.data.nodes.find(n => n.id === iri).label", iri)
    if query == "Lei Jun":
        page.page.wait_for_timeout(400)  # the focus animation
        page.shot(f"search-lei-jun-{page.js('kgView.renderer')}.png")
    page.assert_clean()


def test_hover_edge_shows_its_quote(open_page, views):
    page = open_page(views / "kg.html")
    eid = _edge_id(page, "metWith", ID + "person/lei-jun", ID + "person/elon-musk")
    quote = page.js("(id) => kgView.edgeFacts(id).find(f => f[0] === 'quote')[1]", eid)
    assert "2013" in quote
    point = page.js("(id) => kgView.edgePoint(id)", eid)
    page.page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.page.mouse.move(point["x"], point["y"], steps=5)
    page.page.wait_for_function("(id) => document.querySelector('#kg-info-body').dataset.id === id", arg=eid,
                                timeout=5000)
    assert page.js("document.querySelector('#kg-info-body blockquote').textContent") == quote
    facts = page.js("[...document.querySelectorAll('#kg-info-body dt')].map(d => d.textContent)")
    assert {"relation", "date", "status", "source"} <= set(facts)
    page.shot(f"hover-edge-{page.js('kgView.renderer')}.png")
    page.assert_clean()


def test_hide_rumours_relation_filters_and_time_slider(open_page, views):
    page = open_page(views / "kg.html")
    data = page.js("kgView.data")
    E, total = data["edges"], len(data["edges"]["from"])
    rumours = sum(1 for s in E["status"] if s >= 0 and data["statuses"][s] == "rumored")
    assert rumours > 0
    page.page.check("#kg-hide-rumours")
    assert page.js("kgView.drawnEdges()") == total - rumours
    page.page.uncheck("#kg-hide-rumours")
    assert page.js("kgView.drawnEdges()") == total
    industry = sum(1 for r in E["rel"] if data["relations"][r]["name"] == "industry")
    page.page.locator("#kg-relations label", has_text="industry").locator("input").uncheck()
    assert page.js("kgView.drawnEdges()") == total - industry
    page.page.locator("#kg-relations label", has_text="industry").locator("input").check()
    # The slider hides facts dated after the chosen year; undated ones stay.
    first = data["years"][0]
    page.page.locator("#kg-time").fill(str(first))
    later = sum(1 for y in E["year"] if y > first)
    assert later > 0 and page.js("kgView.drawnEdges()") == total - later
    assert page.js("document.querySelector('#kg-time-value').textContent") == str(first)
    page.assert_clean()


def test_click_highlights_the_neighbourhood(open_page):
    page = open_page(ROOT / "graphs" / "kg.html")
    xiaomi = ID + "company/xiaomi"
    point = page.js("(id) => kgView.nodePoint(id)", xiaomi)
    page.page.mouse.click(point["x"], point["y"])
    page.page.wait_for_function("(id) => kgNetwork.getSelectedNodes().includes(id)", arg=xiaomi, timeout=5000)
    opacity = page.js("""() => Object.fromEntries(kgView.data.nodes.map(n =>
                           [n.label, kgNetwork.body.nodes[n.id].options.opacity ?? 1]))""")
    assert opacity["Lei Jun"] == 1 and opacity["Xpeng Motors"] == 1
    assert opacity["Elon Musk"] < 0.5 and opacity["Volkswagen"] < 0.5
    page.shot("neighbourhood-xiaomi.png")
    page.assert_clean()


def test_path_view_highlights_the_path(open_page, views):
    page = open_page(views / "lei-jun-tesla.html")
    hl = page.js("kgView.data.nodes.filter(n => n.hl).map(n => n.label)")
    assert sorted(hl) == ["Elon Musk", "Lei Jun", "Tesla"]
    assert len(page.js("kgView.data.edges.hl")) == 2
    assert page.js("kgView.selected()") == [ID + "person/lei-jun"]
    page.shot(f"path-{page.js('kgView.renderer')}.png")
    page.assert_clean()


@pytest.mark.parametrize("renderer", ["vis", "canvas", "sigma"])
def test_xss_probe_does_not_run(open_page, tmp_path, renderer):
    from kg.drawing import write_html

    G = nx.MultiDiGraph()
    G.add_node("urn:x:evil", label=XSS, type="Company", aliases=["<script>alert(2)</script>", "小米"])
    G.add_node("urn:x:ok", label="Plain", type="Person", aliases=[])
    G.add_edge("urn:x:ok", "urn:x:evil", key="d|investedIn", relation="investedIn",
               status="<b>rumored</b>", quote="</script><script>alert(3)</script>" + XSS,
               source_label='"><svg onload=alert(4)>')
    path = write_html(G, tmp_path / "xss.html", title=XSS, renderer=renderer)
    page = open_page(path)
    page.js("(id) => kgView.select(id)", "urn:x:evil")
    page.page.fill("#kg-search-input", "<script>")
    page.page.press("#kg-search-input", "Enter")
    page.page.wait_for_timeout(500)  # the camera moves to the match
    eid = "e0"
    point = page.js("(id) => kgView.edgePoint(id)", eid)
    page.page.mouse.move(point["x"], point["y"], steps=3)
    page.page.wait_for_function("(id) => document.querySelector('#kg-info-body').dataset.id === id", arg=eid,
                                timeout=5000)
    page.page.wait_for_timeout(300)
    # Shown as text, never as markup.
    assert page.js("document.querySelector('#kg-info-body blockquote').textContent").endswith(XSS)
    assert page.js("document.title") == XSS
    assert page.js("document.querySelectorAll('img, svg:not(#kg-legend-list svg, #kg-communities-list svg), iframe').length") == 0
    # The data and the facts, the libraries (vis-network; none; or graphology and sigma.js), the renderer and
    # the controls.
    assert page.js("document.querySelectorAll('script').length") == {"vis": 5, "canvas": 4, "sigma": 6}[renderer]
    page.js("(id) => kgView.select(id)", "urn:x:evil")
    assert page.js("document.querySelector('#kg-info-body h3').textContent") == XSS
    page.shot(f"xss-probe-{renderer}.png")
    page.assert_clean()


def _synthetic(n: int):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from bench_viz import synthetic_graph
    finally:
        sys.path.pop(0)
    return synthetic_graph(n)


def _map_page(open_page, tmp_path, n: int, timeout_ms: int = 120_000, renderer: str = "auto", **kw) -> Page:
    from kg.drawing import write_html

    path = write_html(_synthetic(n), tmp_path / f"map-{n}.html", title=f"synthetic: {n:,} nodes", renderer=renderer)
    return open_page(path, timeout_ms=timeout_ms, **kw)


def _check_map(page: Page, shot: str) -> dict:
    """The issue's checks: the drawing fills the view and the 20 most central nodes are labelled."""
    box = page.js("kgView.drawnBox()")
    covered = (box["x1"] - box["x0"]) * (box["y1"] - box["y0"]) / (box["width"] * box["height"])
    assert covered > 0.5, box
    central = page.js("kgView.data.labels.map(i => kgView.data.nodes[i].id)")
    assert len(central) == 20
    assert set(central) <= set(page.js("kgView.labelled()"))
    # No label is drawn over another.
    boxes = page.js("kgView.labelBoxes()")
    assert len(boxes) >= 20
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    page.shot(shot)
    page.assert_clean()
    return box


@pytest.mark.parametrize("n, renderer", [(500, "canvas"), (5_000, "canvas"), (5_000, "sigma")])
def test_map_fills_the_view_and_labels_the_centre(open_page, tmp_path, n, renderer):
    """1k and 10k edges (about 2 edges a node): the canvas map (the renderer these sizes get), and
    the WebGL one at 10k."""
    page = _map_page(open_page, tmp_path, n, renderer="auto" if renderer == "canvas" else renderer)
    assert page.js("kgView.renderer") == renderer
    assert 1.95 * n < page.js("kgView.data.edges.from.length") <= 2 * n
    _check_map(page, f"map-{2 * n // 1000}k-edges{'' if renderer == 'canvas' else '-' + renderer}.png")
    # More labels appear as the camera zooms in (on the middle of the map).
    central = set(page.js("kgView.data.labels.map(i => kgView.data.nodes[i].id)"))
    page.js("kgView.zoom(0.15)")
    page.page.wait_for_timeout(300)
    zoomed = set(page.js("kgView.labelled()"))
    assert len(zoomed - central) >= 10, len(zoomed - central)
    page.page.fill("#kg-search-input", "Entity 17")
    page.page.press("#kg-search-input", "Enter")
    page.page.wait_for_function("(id) => kgView.selected().includes(id)", arg=ID + "n/17", timeout=5000)
    # The node's facts list its ties; a tie opens the edge's facts with its quote (large maps draw
    # edges as lines too thin to hover).
    ties = page.page.locator("#kg-info-body .kg-ties button")
    assert ties.count() >= 2 and "Entity" in ties.first.text_content()
    ties.first.click()
    assert page.js("document.querySelector('#kg-info-body').dataset.kind") == "edge"
    assert page.js("document.querySelector('#kg-info-body blockquote').textContent").startswith("Quote number")
    # The filters reach the edges, whichever way they are drawn.
    total = page.js("kgView.drawnEdges()")
    page.page.check("#kg-hide-rumours")
    assert page.js("kgView.drawnEdges()") < total
    page.assert_clean()


def test_canvas_map_drags_zooms_and_clicks(open_page, tmp_path):
    """The 2D-canvas map answers the mouse and the fingers: drag pans, the wheel and a pinch zoom,
    a click on a node selects it."""
    page = _map_page(open_page, tmp_path, 500, touch=True)
    assert page.js("kgView.renderer") == "canvas"
    cam = "() => ({ ...kgCanvas.view.cam })"
    start = page.js(cam)
    page.page.mouse.move(400, 400)
    page.page.mouse.down()
    page.page.mouse.move(500, 450, steps=5)
    page.page.mouse.up()
    moved = page.js(cam)
    assert moved["x"] == pytest.approx(start["x"] - 100 / start["scale"], abs=0.5)
    assert moved["y"] == pytest.approx(start["y"] - 50 / start["scale"], abs=0.5)
    page.page.mouse.wheel(0, -300)
    page.page.wait_for_timeout(400)  # the full frame after the wheel stops
    assert page.js(cam)["scale"] > 1.5 * moved["scale"]
    # Two fingers 100 pixels apart, then 300: three times closer.
    before = page.js(cam)["scale"]
    cdp = page.ctx.new_cdp_session(page.page)
    for kind, spread in (("touchStart", 50), *(("touchMove", 50 + 20 * k) for k in range(1, 6)), ("touchEnd", 0)):
        points = [] if kind == "touchEnd" else [{"x": 400 - spread, "y": 400, "id": 0}, {"x": 400 + spread, "y": 400, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    page.page.wait_for_timeout(400)
    assert page.js(cam)["scale"] == pytest.approx(3 * before, rel=0.01)
    # A click on a node (the largest labelled one in view) selects it and shows its facts.
    node = page.js("kgView.labelled()[0]")
    point = page.js("(id) => kgView.nodePoint(id)", node)
    page.page.mouse.click(point["x"], point["y"])
    page.page.wait_for_function("(id) => kgView.selected().includes(id)", arg=node, timeout=5000)
    label = page.js("(id) => kgView.data.nodes.find(n => n.id === id).label", node)
    assert page.js("document.querySelector('#kg-info-body h3').textContent") == label
    page.assert_clean()


@pytest.mark.slow
def test_map_of_100k_edges(open_page, tmp_path):
    page = _map_page(open_page, tmp_path, 50_000, timeout_ms=300_000)
    assert page.js("kgView.renderer") == "sigma"
    _check_map(page, "map-100k-edges.png")
    # The facts of the last edge: in the last block of facts, parsed when asked for.
    assert page.js("document.querySelectorAll('script.kg-facts').length") == 5
    facts = dict(page.js("kgView.edgeFacts('e' + (kgView.data.edges.from.length - 1))"))
    assert facts["quote"].startswith("Quote number") and facts["relation"]
    page.js("(id) => kgView.select(id)", ID + "n/49990")
    page.page.locator("#kg-info-body .kg-ties button").first.click()
    assert page.js("document.querySelector('#kg-info-body blockquote').textContent").startswith("Quote number")
    page.assert_clean()

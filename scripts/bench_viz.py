"""Time to interactive of kg's HTML graph pages in headless Chromium.

Builds synthetic entity graphs (Barabási–Albert groups of 250 with 8% of the
edges rewired between groups, so there are communities; ``m`` edges per node,
with kg's node classes, relations, statuses and quotes), renders each with
:func:`kg.drawing.render_html`, then opens the page offline in Debian's Chromium
several times. For each load it reads:

- **interactive** (the time to interactive, TTI): milliseconds from navigation
  start until the page answers input after its first frame. The harness waits
  for ``window.kgReady`` (set after the renderer's first frame) and then runs
  one script in the page; the page's clock when that script starts is the TTI.
  It includes the compositor showing the frame: with software WebGL that is a
  read-back of each canvas that waits for the rasteriser, often the largest part;
- **first frame**: ``window.kgReadyAt``, when the renderer finished drawing;
- the page's own marks: ``kg-start`` (the page's script starts: HTML and
  libraries parsed), ``kg-parsed`` (data parsed), ``kg-graph`` (graphology
  built; sigma only), ``kg-sigma`` (renderer made; sigma only), ``kg-frame``
  (first frame drawn);
- a search-and-select round trip; and the Python side (communities, layout,
  centrality and HTML).

Usage::

    python scripts/bench_viz.py                          # 5k nodes/10k edges and 50k/100k, 5 runs each
    python scripts/bench_viz.py --sizes 100000 --m 5 --runs 3   # 500k edges
    python scripts/bench_viz.py --sizes 500 --renderer vis      # the threshold: vis-network at 1k edges
    python scripts/bench_viz.py --sizes 5000 --renderer sigma   # the same map on WebGL instead of the canvas
    python scripts/bench_viz.py --json                   # one JSON object per size

``auto`` draws 5k nodes with kg's 2D-canvas map and 50k with sigma.js on WebGL
(:func:`kg.drawing.page.choose_renderer`). Needs ``/usr/bin/chromium`` and the
``playwright`` Python package (no browser download). Without a GPU, WebGL runs
on Chromium's software renderer (SwiftShader, through ANGLE's Vulkan back end:
the flags are :data:`ARGS`, and each WebGL row names the renderer the page
got), so a machine with a GPU draws faster than measured here. ``--flags``
takes other Chromium flags to compare.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: No GPU: ANGLE on SwiftShader for WebGL, and software compositing (``--disable-gpu``). Measured on
#: a 5,000-node page: these flags gave the earliest first frame of five sets (the default,
#: ``--use-gl=angle --use-angle=swiftshader-webgl``, and without ``--disable-gpu`` all draw with
#: SwiftShader too, 0.2-4.3 s later).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader"]
MARKS = ("kg-start", "kg-parsed", "kg-graph", "kg-sigma", "kg-frame")
GL_RENDERER = """() => { const gl = document.createElement("canvas").getContext("webgl");
  if (!gl) return "none"; const d = gl.getExtension("WEBGL_debug_renderer_info");
  return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); }"""
TYPES = ("Company", "Company", "Company", "Person", "Person", "Organization", "Project", "Concept")
RELATIONS = ("investedIn", "acquired", "partnerOf", "metWith", "ceoOf", "founderOf", "seeksPartner")
STATUSES = ("completed", "reported", "rumored", "planned", None)


def clustered_graph(n: int, m: int = 2, seed: int = 1, group: int = 250, bridges: float = 0.08):
    """An undirected graph with communities, as business graphs have: Barabási–Albert
    groups of about ``group`` nodes, then a share ``bridges`` of edges rewired between groups.

    >>> G = clustered_graph(600)
    >>> G.number_of_nodes(), G.number_of_edges() > 1000
    (600, True)
    """
    import random

    import networkx as nx

    rng = random.Random(seed)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    starts = list(range(0, n, group))
    for i, start in enumerate(starts):
        size = min(group, n - start)
        if size <= m:
            continue
        part = nx.barabasi_albert_graph(size, m, seed=seed + i)
        G.add_edges_from((start + u, start + v) for u, v in part.edges())
    for u, v in sorted(G.edges()):
        if len(starts) > 1 and rng.random() < bridges:
            w = rng.randrange(n)
            if w // group != u // group and not G.has_edge(u, w):
                G.remove_edge(u, v)
                G.add_edge(u, w)
    return G


def synthetic_graph(n: int, seed: int = 1, m: int = 2):
    """An entity-view-shaped MultiDiGraph of ``n`` nodes and about ``m·n`` edges, with communities.

    >>> G = synthetic_graph(50)
    >>> G.number_of_nodes(), G.nodes["https://kg.example.org/id/n/0"]["type"]
    (50, 'Company')
    """
    import random

    import networkx as nx

    rng = random.Random(seed)
    base = clustered_graph(n, m, seed=seed)
    G = nx.MultiDiGraph()
    iri = "https://kg.example.org/id/n/{}".format
    for v in base:
        G.add_node(iri(v), label=f"Entity {v}", type=TYPES[v % len(TYPES)], aliases=[f"E{v}"])
    for i, (u, v) in enumerate(sorted(base.edges())):
        rel = RELATIONS[rng.randrange(len(RELATIONS))]
        deal = f"https://kg.example.org/id/deal/{i}"
        G.add_edge(iri(u), iri(v), key=f"{deal}|{rel}", relation=rel, deal=deal, deal_type="Deal",
                   date=str(2000 + i % 24), status=STATUSES[i % len(STATUSES)],
                   amount=float(rng.randrange(1, 1000)) * 1e6 if rel == "investedIn" else None,
                   currency="USD", approximate=False, quote=f"Quote number {i}.",
                   source="https://kg.example.org/id/source/synthetic", source_label="synthetic",
                   confidence=0.9, symmetric=rel in ("partnerOf", "metWith"))
    return G


def measure(path: Path, runs: int, probe: str, picture: Path | None = None, args=None) -> dict:
    """Open ``path`` ``runs`` times; return the interactive, first-frame, mark and search times in ms.

    With ``picture``, the drawing of the first load is also saved as a PNG.
    """
    from playwright.sync_api import sync_playwright

    out: dict = {"ready_ms": [], "answers_ms": [], "search_ms": [], "marks": {m: [] for m in MARKS}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args or ARGS)
        try:
            for _ in range(runs):
                ctx = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
                page = ctx.new_page()
                errors = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto(path.as_uri(), timeout=600_000)
                page.wait_for_function("window.kgReady === true", timeout=600_000)
                # The first script that runs after the first frame: when the page answers input.
                out["answers_ms"].append(page.evaluate("performance.now()"))
                out["ready_ms"].append(page.evaluate("window.kgReadyAt"))
                marks = page.evaluate("Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))")
                for m in MARKS:
                    if m in marks:
                        out["marks"][m].append(marks[m])
                # Asked after the measure, and only of WebGL pages (the others make no context).
                out["gl"] = page.evaluate(GL_RENDERER) if page.evaluate("kgView.renderer") == "sigma" else None
                if picture is not None and len(out["ready_ms"]) == 1:
                    page.wait_for_timeout(500)
                    page.locator("#kg-network").screenshot(path=str(picture))
                out["search_ms"].append(page.evaluate(
                    """(q) => { const t = performance.now(); const ids = kgView.search(q);
                                kgView.select(ids[0]); return performance.now() - t; }""", probe))
                if errors:
                    raise SystemExit(f"page errors: {errors}")
                ctx.close()
        finally:
            browser.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000], help="node counts")
    ap.add_argument("--m", type=int, default=2, help="edges per node")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--flags", nargs="+", help="Chromium flags instead of ARGS (e.g. --flags=--use-angle=swiftshader)")
    ap.add_argument("--renderer", default="auto", choices=["auto", "vis", "canvas", "sigma"])
    ap.add_argument("--json", action="store_true", help="print one JSON object per size")
    ap.add_argument("--picture", type=Path, help="save the first size's page as this PNG (the README's picture)")
    args = ap.parse_args(argv)

    from kg.drawing import render_html
    from kg.drawing.page import choose_renderer

    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            G = synthetic_graph(n, m=args.m)
            t = time.perf_counter()
            text = render_html(G, title=f"synthetic {n}", renderer=args.renderer)
            render_s = time.perf_counter() - t
            path = Path(tmp) / f"bench-{n}.html"
            path.write_text(text, encoding="utf-8")
            m = measure(path, args.runs, f"Entity {n // 2}", args.picture if n == args.sizes[0] else None,
                        args.flags)
            med = statistics.median
            row = {
                "nodes": G.number_of_nodes(),
                "edges": G.number_of_edges(),
                "renderer": choose_renderer(G, args.renderer),
                "html_mb": round(len(text.encode()) / 1e6, 2),
                "render_s": round(render_s, 2),
                "runs": args.runs,
                "interactive_ms_median": round(med(m["answers_ms"]), 1),
                "interactive_ms": [round(x, 1) for x in m["answers_ms"]],
                "first_frame_ms_median": round(med(m["ready_ms"]), 1),
                "marks_ms_median": {k: round(med(v), 1) for k, v in m["marks"].items() if v},
                "search_select_ms_median": round(med(m["search_ms"]), 1),
                "webgl": m.get("gl"),
                "flags": args.flags or ARGS,
            }
            if args.json:
                print(json.dumps(row, ensure_ascii=False))
            else:
                print(f"{row['nodes']:>6} nodes {row['edges']:>6} edges  renderer={row['renderer']:<6} "
                      f"html={row['html_mb']} MB  python render={row['render_s']} s  "
                      f"interactive median={row['interactive_ms_median']} ms {row['interactive_ms']}  "
                      f"first frame median={row['first_frame_ms_median']} ms  "
                      f"marks={row['marks_ms_median']}  "
                      f"search+select median={row['search_select_ms_median']} ms  webgl={row['webgl']}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

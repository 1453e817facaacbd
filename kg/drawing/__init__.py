"""Interactive HTML views of the knowledge graph: one self-contained, offline file each.

:mod:`kg.drawing.page` turns a graph into a page (vis-network for small graphs,
a map on the 2D canvas for mid-sized ones, sigma.js on WebGL for large ones; the
libraries vendored in ``kg/templates/lib``);
:mod:`kg.drawing.views` chooses what to draw from a store (the whole graph, a
neighbourhood, a path, a query, the communities) and writes the standard views
of ``kg build``. Layouts and communities come from :mod:`kg.layout`.

The output is deterministic: the same graph gives byte-identical HTML (sorted
nodes and edges, seeded layouts, rounded numbers, no timestamps), so the
committed views in ``graphs/`` can be checked for freshness.

>>> import networkx as nx
>>> page = render_html(nx.MultiDiGraph([("a", "b")]), title="demo")
>>> page.startswith("<!DOCTYPE html>")
True
"""

from kg.drawing.page import (
    EDGE_CAP,
    LAYOUT_THRESHOLD,
    MAP_THRESHOLD,
    NODE_CAP,
    NODE_STYLES,
    RELATION_COLORS,
    SIZE_MEASURES,
    WEBGL_EDGES,
    check_size,
    format_amount,
    json_for_script,
    node_scores,
    render_html,
    view_data,
    vis_network_js,
    write_html,
)
from kg.drawing.views import (
    as_of_view,
    communities_view,
    data_views,
    focus_view,
    path_view,
    sparql_view,
    whole_view,
    write_standard_views,
    write_view,
)
from kg.layout import SEED


def spread_layout(G, *, seed: int = SEED, **_ignored) -> dict:
    """The page layout of ``G`` in pixels (:func:`kg.layout.map_layout`), for exports that want positions.

    >>> import networkx as nx
    >>> sorted(spread_layout(nx.path_graph(3)))
    [0, 1, 2]
    """
    from kg.layout import map_layout

    return map_layout(G, seed=seed)


__all__ = [
    "EDGE_CAP", "LAYOUT_THRESHOLD", "MAP_THRESHOLD", "NODE_CAP", "NODE_STYLES", "RELATION_COLORS", "SEED", "SIZE_MEASURES",
    "WEBGL_EDGES", "as_of_view", "check_size", "communities_view", "data_views", "focus_view",
    "format_amount", "json_for_script", "node_scores", "path_view", "render_html", "sparql_view",
    "spread_layout", "view_data", "vis_network_js", "whole_view", "write_html", "write_standard_views",
    "write_view",
]

"""Seeded map layouts and communities for the graph pages, computed with igraph.

A page of thousands of entities is readable when it looks like a map: each
densely tied group (a community, found by Leiden) is a region with its own
colour, the largest connected component sits in the middle, and the small
components are packed beside it instead of being scattered to the edges.

:func:`map_layout` does that in three steps:

1. each connected component is laid out on its own with igraph's
   Fruchterman–Reingold (grid variant, O(n) per step); a component of more
   than :data:`SEEDED_LAYOUT_MIN` nodes is first seeded community by community
   (the graph of communities is laid out, then each member starts near its
   community's place), so communities come out as regions; above
   :data:`SEEDED_LAYOUT_MAX` nodes each community is laid out alone and placed
   as a region of the map (:func:`_community_map`), since no affordable force
   layout of the whole untangles the colours;
2. each component is scaled so its median edge is :data:`SPACING` pixels long,
   and a long one is stretched a little towards a screen's shape;
3. the components are packed in rows, largest first, so the largest one is the
   top-left block and the rest fill the space beside and below it.

The communities are kg's own (:func:`kg.analytics.partition`, Leiden): the
colours of a page are the groups ``kg communities`` lists.

Everything is seeded (:data:`SEED`), so the same graph gives the same picture.
igraph replaced a hand-written force layout that was 34 times slower on 6,012
nodes (issue 15).

>>> import networkx as nx
>>> G = nx.Graph([(0, 1), (1, 2), (5, 6)])
>>> G.add_node(9)
>>> pos = map_layout(G)
>>> sorted(pos) == [0, 1, 2, 5, 6, 9] and pos == map_layout(G)
True
>>> detect_communities(nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4)]))
{0: 0, 1: 0, 2: 0, 3: 1, 4: 1}
"""

from __future__ import annotations

import math
from contextlib import contextmanager

#: The seed of every layout and community detection, so pages are reproducible.
SEED = 7
#: The median edge length of a laid-out component, in pixels.
SPACING = 60.0
#: Components between these sizes are seeded by community. Above the upper bound
#: seeding costs more than it saves (a compact start makes igraph's grid slower).
SEEDED_LAYOUT_MIN = 300
SEEDED_LAYOUT_MAX = 20_000
#: The height / width a component is stretched towards (a screen's), and the most it is stretched.
SCREEN_ASPECT = 0.75
MAX_STRETCH = 1.5
#: Empty space between packed components, in pixels.
GAP = 40.0


@contextmanager
def _seeded_igraph(seed: int):
    """igraph draws random numbers from one global generator: seed it, then give the default back."""
    import random

    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    try:
        yield ig
    finally:
        ig.set_random_number_generator(random)


def to_igraph(G):
    """An undirected simple igraph graph of ``G`` (parallel edges and loops dropped).

    Returns:
        ``(graph, order)``: vertex ``i`` is node ``order[i]``; nodes are sorted
        by ``str`` so the result does not depend on insertion order
        (:func:`kg.analytics.undirected_igraph`).

    >>> import networkx as nx
    >>> g, order = to_igraph(nx.MultiDiGraph([("b", "a"), ("a", "b"), ("a", "a")]))
    >>> order, g.ecount()
    (['a', 'b'], 1)
    """
    from kg.analytics import undirected_igraph

    return undirected_igraph(G)


def detect_communities(G, *, seed: int | None = None) -> dict:
    """The communities of :func:`kg.analytics.partition` (Leiden), as ``{node: rank}``.

    The same communities ``kg communities`` lists. Rank 0 is the largest
    community (ties by first member), so colours stay stable; each isolated
    node is a community of one.

    Args:
        G: any NetworkX graph.
        seed: the random seed; default :data:`kg.analytics.COMMUNITY_SEED`.

    Returns:
        ``{node: community number}``.
    """
    from kg.analytics import COMMUNITY_SEED, partition

    parts, _q = partition(G, seed=COMMUNITY_SEED if seed is None else seed)
    return {v: rank for rank, members in enumerate(parts) for v in members}


def map_layout(G, *, seed: int = SEED, communities: dict | None = None, spacing: float = SPACING) -> dict:
    """Positions for a readable map of ``G``: components laid out apart, then packed, largest first.

    Args:
        G: any NetworkX graph (direction and parallel edges are ignored).
        seed: the random seed.
        communities: ``{node: community}`` to seed large components with;
            default :func:`detect_communities`.
        spacing: the median edge length in pixels.

    Returns:
        ``{node: (x, y)}`` with integer pixel coordinates (y grows downwards).
    """
    g, order = to_igraph(G)
    if not order:
        return {}
    if communities is None and g.vcount() > SEEDED_LAYOUT_MIN:
        communities = detect_communities(G)
    member = [communities.get(v, -1) for v in order] if communities else None
    blocks = []
    with _seeded_igraph(seed):
        for comp in sorted(g.connected_components(), key=lambda c: (-len(c), c[0])):
            blocks.append((comp, _component_coords(g, comp, member, spacing)))
    pos = {}
    for (comp, xy), (dx, dy) in zip(blocks, _pack([_extent(xy) for _c, xy in blocks]), strict=True):
        for i, (x, y) in zip(comp, xy, strict=True):
            pos[order[i]] = (int(round(x + dx)), int(round(y + dy)))
    return pos


def _component_coords(g, comp: list[int], member: list | None, spacing: float) -> list[tuple[float, float]]:
    """One component's coordinates, scaled to ``spacing``, with the top-left corner at 0, 0."""
    n = len(comp)
    if n == 1:
        return [(0.0, 0.0)]
    if n == 2:
        return [(0.0, 0.0), (spacing, 0.0)]
    sub = g.induced_subgraph(comp)
    sub_member = [member[i] for i in comp] if member and n > SEEDED_LAYOUT_MIN else None
    if sub_member and n > SEEDED_LAYOUT_MAX:
        coords = _community_map(sub, sub_member, spacing)
    else:
        start = _community_seed(sub, sub_member) if sub_member else None
        niter = 500 if n <= 2_000 else 300
        coords = _scaled(sub, sub.layout_fruchterman_reingold(seed=start, niter=niter, grid=n > 1_000).coords, spacing)
    coords = _fit_screen(coords)
    x0 = min(x for x, _y in coords)
    y0 = min(y for _x, y in coords)
    return [(x - x0, y - y0) for x, y in coords]


def _fit_screen(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stretch a long layout across (at most :data:`MAX_STRETCH` times) towards a screen's shape.

    A component made of two dense halves comes out twice as wide as high, and
    framed on a screen it would fill half of it; stretched, its regions keep
    their places and get room.

    >>> _fit_screen([(0, 0), (100, 0), (50, 10)])
    [(0, 0.0), (100, 0.0), (50, 15.0)]
    """
    w = max(x for x, _y in coords) - min(x for x, _y in coords)
    h = max(y for _x, y in coords) - min(y for _x, y in coords)
    if w <= 0 or h <= 0:
        return coords
    if h < SCREEN_ASPECT * w:
        k = min(SCREEN_ASPECT * w / h, MAX_STRETCH)
        return [(x, y * k) for x, y in coords]
    if w < h / SCREEN_ASPECT:
        k = min(h / SCREEN_ASPECT / w, MAX_STRETCH)
        return [(x * k, y) for x, y in coords]
    return coords


def _scaled(sub, coords, spacing: float) -> list[tuple[float, float]]:
    """``coords`` scaled so the median edge of ``sub`` is ``spacing`` long."""
    lengths = sorted(math.dist(coords[a], coords[b]) for a, b in sub.get_edgelist())
    scale = spacing / max(lengths[len(lengths) // 2], 1e-9) if lengths else spacing
    return [(x * scale, y * scale) for x, y in coords]


def _community_map(sub, member: list, spacing: float) -> list[tuple[float, float]]:
    """A large component as a map of communities: each laid out on its own, then placed as a region.

    The graph of communities (weighted by the edges between them) is laid out
    first; each community is then laid out alone, scaled to ``spacing``, and
    centred on its place, with places spread so that neighbouring regions
    just touch. Each step is a small layout, so this stays near-linear where
    one force layout of the whole component would mix the colours (igraph's
    grid layout, started anywhere, does not untangle 50,000 nodes in the
    iterations it can afford).
    """
    import igraph as ig

    ids = sorted(set(member))
    index = {c: i for i, c in enumerate(ids)}
    groups: list[list[int]] = [[] for _ in ids]
    for v, c in enumerate(member):
        groups[index[c]].append(v)
    weights = _community_ties(sub, member, index)
    regions = [_region(sub, vs, spacing) for vs in groups]
    radius = [max((math.hypot(x, y) for x, y in xy), default=0.0) + spacing / 2 for xy in regions]
    cg = ig.Graph(n=len(ids), edges=list(weights))
    centres = cg.layout_fruchterman_reingold(weights=list(weights.values()) or None, niter=1000,
                                             grid=len(ids) > 1_000).coords
    # Spread the places so tied regions touch rather than overlap: nine ties in ten are at
    # least as long as the two radii.
    ratios = sorted(math.dist(centres[a], centres[b]) / (radius[a] + radius[b]) for a, b in weights)
    unit = 1.0 / max(ratios[len(ratios) // 10], 1e-9) if ratios else 2 * max(radius)
    coords: list[tuple[float, float]] = [(0.0, 0.0)] * sub.vcount()
    for c, (vs, xy) in enumerate(zip(groups, regions, strict=True)):
        cx, cy = centres[c][0] * unit, centres[c][1] * unit
        for v, (x, y) in zip(vs, xy, strict=True):
            coords[v] = (cx + x, cy + y)
    return coords


def _community_ties(sub, member: list, index: dict) -> dict[tuple[int, int], int]:
    """How many edges join each pair of communities (by their positions in ``index``)."""
    weights: dict[tuple[int, int], int] = {}
    for a, b in sub.get_edgelist():
        ca, cb = index[member[a]], index[member[b]]
        if ca != cb:
            key = (min(ca, cb), max(ca, cb))
            weights[key] = weights.get(key, 0) + 1
    return weights


def _region(sub, vs: list[int], spacing: float) -> list[tuple[float, float]]:
    """One community's own layout, scaled to ``spacing`` and centred on 0, 0."""
    if len(vs) == 1:
        return [(0.0, 0.0)]
    part = sub.induced_subgraph(vs)
    n = len(vs)
    # The grid variant even for small parts: 3 times faster at 250 nodes, and as readable.
    xy = part.layout_fruchterman_reingold(niter=150 if n <= 2_000 else 100, grid=True).coords
    xy = _scaled(part, xy, spacing) if part.ecount() else [(x * spacing, y * spacing) for x, y in xy]
    mx = sum(x for x, _y in xy) / n
    my = sum(y for _x, y in xy) / n
    return [(x - mx, y - my) for x, y in xy]


def _community_seed(sub, member: list) -> list[list[float]]:
    """Start positions: lay out the graph of communities, then put each node near its community's place.

    A community's place is spread by the square root of its size, so big
    communities get room; the jitter inside a community comes from igraph's
    seeded generator via a tiny random layout.
    """
    import igraph as ig

    ids = sorted(set(member))
    index = {c: i for i, c in enumerate(ids)}
    sizes = [0] * len(ids)
    for c in member:
        sizes[index[c]] += 1
    weights = _community_ties(sub, member, index)
    cg = ig.Graph(n=len(ids), edges=list(weights))
    centres = cg.layout_fruchterman_reingold(weights=list(weights.values()) or None, niter=500).coords
    unit = math.sqrt(sub.vcount()) / max(1.0, math.sqrt(len(ids)))
    jitter = ig.Graph(n=sub.vcount()).layout_random().coords
    return [[centres[index[c]][0] * unit + (jx - 0.5) * math.sqrt(sizes[index[c]]),
             centres[index[c]][1] * unit + (jy - 0.5) * math.sqrt(sizes[index[c]])]
            for c, (jx, jy) in zip(member, jitter, strict=True)]


def _extent(xy: list[tuple[float, float]]) -> tuple[float, float]:
    return max(x for x, _y in xy), max(y for _x, y in xy)


def _pack(sizes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Top-left offsets that pack boxes of ``(width, height)`` in rows, in the given order.

    The rows are as wide as the first (largest) box or the square root of the
    total area, whichever is more, so the small components sit beside and
    under the main one.

    >>> _pack([(100, 100), (10, 10), (10, 10)])
    [(0.0, 0.0), (140.0, 0.0), (0.0, 140.0)]
    """
    if not sizes:
        return []
    area = sum((w + GAP) * (h + GAP) for w, h in sizes)
    width = max(sizes[0][0] + GAP, math.sqrt(area))
    out, x, y, row_h = [], 0.0, 0.0, 0.0
    for w, h in sizes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h + GAP, 0.0
        out.append((x, y))
        x += w + GAP
        row_h = max(row_h, h)
    return out


def bounding_box(pos: dict, nodes=None) -> list[int]:
    """``[min_x, min_y, max_x, max_y]`` of the given nodes (default: all).

    >>> bounding_box({"a": (0, 5), "b": (10, -5), "c": (99, 99)}, ["a", "b"])
    [0, -5, 10, 5]
    """
    pts = [pos[n] for n in (pos if nodes is None else nodes) if n in pos]
    if not pts:
        return [0, 0, 0, 0]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs), max(ys)]

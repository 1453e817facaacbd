"""Jupyter display: views and entities that draw themselves, and HTML tables of rows.

In a notebook, the last value of a cell is shown through its ``_repr_html_``:

- :func:`view` returns a :class:`View`, which shows kg's interactive HTML
  view (:func:`kg.drawing.render_html`) in a sandboxed ``<iframe>``: it works
  offline, and its scripts cannot reach the notebook.
- :func:`entity` returns an :class:`Entity`, which shows the entity's
  label, class, aliases and facts with their sources.
- :class:`kg.query.QueryResult` shows its rows with :func:`html_table`,
  and converts to plain values (``to_python``) and to pandas (``to_pandas``).

Nothing here imports IPython: Jupyter looks the method up by name.

>>> print(html_table([{"name": "小米 <Xiaomi>", "deals": 3}]))
<table class="kg-table"><thead><tr><th>name</th><th>deals</th></tr></thead><tbody><tr><td>小米 &lt;Xiaomi&gt;</td><td>3</td></tr></tbody></table>
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

#: Rows shown by :func:`html_table` before it says how many more there are.
MAX_ROWS = 50


def html_table(rows: Sequence[dict], columns: Sequence[str] | None = None, *, max_rows: int = MAX_ROWS,
               max_width: int = 120) -> str:
    """Rows as an escaped HTML table, with kg's short names for IRIs (as in ``--format table``).

    Args:
        rows: dicts of column → value (pyoxigraph terms or plain values).
        columns: the column order; default: the keys in order of appearance.
        max_rows: show at most this many rows, then say how many are left out.
        max_width: cut longer cells with "…".

    Returns:
        The HTML text.
    """
    from kg.formats import to_text

    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r))

    def cell(value) -> str:
        text = to_text(value)
        return html.escape(text if len(text) <= max_width else text[: max_width - 1] + "…")

    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{cell(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows[:max_rows])
    more = f"<p>… {len(rows) - max_rows:,} more rows</p>" if len(rows) > max_rows else ""
    return f'<table class="kg-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


class View:
    """A view of the graph (a :mod:`kg.drawing` graph) that draws itself in Jupyter.

    Attributes:
        graph: the ``networkx.MultiDiGraph`` (``title``, ``focus``, ``highlight`` in ``graph.graph``).
        size_by: the centrality that sizes nodes.
        height: the frame's height in pixels.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(title="demo"); G.add_node("urn:a", label="Xiaomi", type="Company")
    >>> View(G)._repr_html_().startswith('<iframe sandbox="allow-scripts"')
    True
    """

    def __init__(self, graph, *, size_by: str = "degree", height: int = 600):
        self.graph = graph
        self.size_by = size_by
        self.height = height

    def __repr__(self) -> str:
        title = self.graph.graph.get("title") or "kg graph"
        return f"<View {title!r}: {self.graph.number_of_nodes()} nodes, {self.graph.number_of_edges()} edges>"

    def html(self) -> str:
        """The standalone page (:func:`kg.drawing.render_html`)."""
        from kg.drawing import render_html

        return render_html(self.graph, size_by=self.size_by)

    def save(self, path) -> Path:
        """Write the page to ``path``; returns the path."""
        from kg.drawing import write_html

        return write_html(self.graph, path, size_by=self.size_by)

    def _repr_html_(self) -> str:
        # srcdoc keeps the page self-contained; the sandbox gives it an opaque
        # origin, so its scripts run but cannot touch the notebook.
        return (f'<iframe sandbox="allow-scripts" style="width: 100%; height: {int(self.height)}px; border: 0" '
                f'srcdoc="{html.escape(self.html(), quote=True)}"></iframe>')


def view(store, *, focus: str | None = None, depth: int = 1, path: tuple[str, str] | None = None,
         sparql: str | None = None, name: str | None = None, params: dict | None = None,
         size_by: str = "degree", **filters) -> View:
    """A :class:`View` of the store: the whole graph, an ego network, a path or a query.

    Args: as :func:`kg.drawing.write_view` (at most one of ``focus``, ``path``,
    ``sparql``/``name``; ``filters`` go to :func:`kg.network.entity_graph`).

    Returns:
        A :class:`View`.

    Raises:
        VizError: more than one view asked for.
        UnknownEntityError: a name matches no entity.

    >>> from kg.stores import open_store
    >>> view(open_store("memory:"))
    <View 'kg: the whole graph': 0 nodes, 0 edges>
    """
    from kg.drawing import focus_view, path_view, sparql_view, whole_view
    from kg.errors import VizError

    chosen = [k for k, v in (("focus", focus), ("path", path), ("sparql", sparql), ("name", name)) if v]
    if len(chosen) > 1:
        raise VizError(f"choose one of focus, path, sparql and name, not {' and '.join(chosen)}")
    if focus:
        G = focus_view(store, focus, depth, **filters)
    elif path:
        G = path_view(store, path[0], path[1], **filters)
    elif sparql or name:
        G = sparql_view(store, sparql, params, name=name)
    else:
        G = whole_view(store, **filters)
    return View(G, size_by=size_by)


class Entity:
    """One entity with its facts (:func:`kg.entities.describe`) that shows itself in Jupyter.

    Attributes:
        description: the dict :func:`kg.entities.describe` returns (``iri``,
            ``label``, ``type``, ``aliases``, ``facts`` …).
    """

    def __init__(self, description: dict):
        self.description = description

    def __getitem__(self, key: str):
        return self.description[key]

    def __repr__(self) -> str:
        d = self.description
        return f"<Entity {d['label']!r} ({d['type']}): {len(d['facts'])} facts>"

    def rows(self) -> list[dict]:
        """The facts as table rows (:func:`kg.entities.fact_rows`)."""
        from kg.entities import fact_rows

        return fact_rows(self.description)

    def to_pandas(self):
        """The facts as a pandas DataFrame.

        Raises:
            KgError: pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError:
            from kg.errors import KgError

            raise KgError('to_pandas needs pandas: pip install "kg[notebook]"') from None
        return pd.DataFrame(self.rows())

    def _repr_html_(self) -> str:
        d = self.description
        aliases = ", ".join(d["aliases"])
        return (f"<h4>{html.escape(d['label'])} <small>({html.escape(str(d['type']))})</small></h4>"
                f"<p><code>{html.escape(d['iri'])}</code>"
                + (f"<br>aliases: {html.escape(aliases)}" if aliases else "") + "</p>"
                + html_table(self.rows(), ["relation", "with", "date", "status", "amount", "source", "quote"]))


def entity(store, name: str) -> Entity:
    """The :class:`Entity` called ``name`` (label, alias or IRI, any case).

    Raises:
        UnknownEntityError: nothing matches; the message suggests near names.
    """
    from kg.entities import describe_entity

    return Entity(describe_entity(store, name))

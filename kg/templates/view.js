/* kg graph page. Every text that comes from the data is written with
 * textContent or as a canvas label, never parsed as HTML. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  performance.mark("kg-parsed");
  var FONT = 'system-ui, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif';
  var large = !data.physics;
  var uncertain = new Set(data.uncertain);
  var styles = {};
  data.legend.forEach(function (l) { styles[l.type] = l; });
  var relColor = {};
  data.relations.forEach(function (r) { relColor[r.name] = r.color; });
  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var edgeById = new Map();
  data.edges.forEach(function (e) { edgeById.set(e.id, e); });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  /* ---- vis items ---------------------------------------------------- */

  /* Class styles live in vis groups, so each node item stays small. */
  var groups = {};
  data.legend.forEach(function (l) {
    groups[l.type] = {
      shape: l.shape,
      color: { background: l.color, border: l.color,
               highlight: { background: l.color, border: "#1a202c" },
               hover: { background: l.color, border: "#1a202c" } }
    };
  });

  function visNode(n) {
    var item = { id: n.id, label: n.label, group: n.type, size: n.size };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    if (data.highlight) {
      if (n.hl) {
        item.borderWidth = 4;
        item.color = { border: "#e53e3e" };
        item.font = { bold: true, size: 16 };
      } else {
        item.opacity = 0.35;
      }
    }
    return item;
  }

  /* Large graphs draw no dashes and no edge labels up front: both cost
   * seconds on thousands of edges and are unreadable zoomed out. Uncertain
   * edges are paler instead, and a selected node's edges get their labels. */
  function visEdge(e) {
    var c = relColor[e.relation] || "#718096";
    var doubt = e.status ? uncertain.has(e.status) : false;
    var item = {
      id: e.id, from: e.from, to: e.to,
      relation: e.relation, status: e.status, arrows: e.arrows,
      color: { color: c, highlight: c, hover: c, opacity: large && doubt ? 0.45 : 1 }
    };
    if (!large) {
      item.label = e.relation;
      item.dashes = doubt;
    }
    if (e.smooth) item.smooth = e.smooth;
    if (data.highlight) {
      if (e.hl) { item.width = 4; item.color = { color: "#e53e3e", highlight: "#e53e3e", hover: "#e53e3e", opacity: 1 }; }
      else { item.color.opacity = 0.3; }
    }
    return item;
  }

  var baseNodes = data.nodes.map(visNode);
  var baseEdges = data.edges.map(visEdge);
  var nodes = new vis.DataSet(baseNodes);
  var edges = new vis.DataSet(baseEdges);

  /* ---- filters ------------------------------------------------------ */

  var shownRel = new Set(data.relations.map(function (r) { return r.name; }));
  var shownStatus = new Set(data.statuses);
  performance.mark("kg-datasets");
  var edgesView = new vis.DataView(edges, {
    filter: function (e) {
      return shownRel.has(e.relation) && (!e.status || shownStatus.has(e.status));
    }
  });

  function checkbox(parent, label, checked, onChange, swatch, count) {
    var lab = el("label", null, "kg-check");
    var box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", function () { onChange(box.checked); });
    lab.appendChild(box);
    if (swatch) {
      var sw = el("span", null, "kg-swatch");
      sw.style.borderTopColor = swatch;
      lab.appendChild(sw);
    }
    lab.appendChild(el("span", label));
    if (count !== undefined) lab.appendChild(el("span", "(" + count + ")", "kg-count"));
    parent.appendChild(lab);
    return box;
  }

  var relBox = document.getElementById("kg-relations");
  data.relations.forEach(function (r) {
    checkbox(relBox, r.name, true, function (on) {
      if (on) shownRel.add(r.name); else shownRel.delete(r.name);
      edgesView.refresh();
    }, r.color, r.count);
  });
  var statusBoxes = {};
  var statBox = document.getElementById("kg-statuses");
  var hideRumours = document.getElementById("kg-hide-rumours");
  function setStatus(s, on) {
    if (on) shownStatus.add(s); else shownStatus.delete(s);
    if (statusBoxes[s]) statusBoxes[s].checked = on;
    if (s === "rumored") hideRumours.checked = !on;
    edgesView.refresh();
  }
  data.statuses.forEach(function (s) {
    statusBoxes[s] = checkbox(statBox, s, true, function (on) { setStatus(s, on); });
  });
  hideRumours.disabled = data.statuses.indexOf("rumored") < 0;
  hideRumours.addEventListener("change", function () { setStatus("rumored", !hideRumours.checked); });

  /* ---- legend ------------------------------------------------------- */

  var SVG = "http://www.w3.org/2000/svg";
  function shapeIcon(shape, color) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("viewBox", "0 0 18 18");
    var pts = {
      diamond: "9,1 17,9 9,17 1,9",
      triangle: "9,1 17,16 1,16",
      hexagon: "5,2 13,2 17,9 13,16 5,16 1,9",
      star: "9,1 11,7 17,7 12,11 14,17 9,13 4,17 6,11 1,7 7,7"
    }[shape];
    var s;
    if (pts) { s = document.createElementNS(SVG, "polygon"); s.setAttribute("points", pts); }
    else if (shape === "square") {
      s = document.createElementNS(SVG, "rect");
      s.setAttribute("x", "2"); s.setAttribute("y", "2"); s.setAttribute("width", "14"); s.setAttribute("height", "14");
    } else {
      s = document.createElementNS(SVG, "circle");
      s.setAttribute("cx", "9"); s.setAttribute("cy", "9"); s.setAttribute("r", "7");
    }
    s.setAttribute("fill", color);
    svg.appendChild(s);
    return svg;
  }
  var legendList = document.getElementById("kg-legend-list");
  data.legend.forEach(function (l) {
    var li = el("li");
    li.appendChild(shapeIcon(l.shape, l.color));
    li.appendChild(el("span", l.type));
    li.appendChild(el("span", "(" + l.count + ")", "kg-count"));
    legendList.appendChild(li);
  });
  document.getElementById("kg-size-by").textContent = data.sizeBy === "none" ? "fixed" : data.sizeBy;

  /* ---- facts panel -------------------------------------------------- */

  var info = document.getElementById("kg-info-body");
  var pinned = null;

  function showFacts(kind, id) {
    info.replaceChildren();
    if (!id) {
      info.appendChild(el("p", "Hover or click a node or an edge to see its facts.", "kg-hint"));
      return;
    }
    var item, heading;
    if (kind === "node") {
      item = byId.get(id);
      if (!item) return;
      heading = item.label;
    } else {
      item = edgeById.get(id);
      if (!item) return;
      heading = byId.get(item.from).label + " " + item.relation + " " + byId.get(item.to).label;
    }
    info.dataset.kind = kind;
    info.dataset.id = id;
    info.appendChild(el("h3", heading));
    var dl = el("dl");
    var quote = null;
    item.facts.forEach(function (f) {
      if (f[0] === "quote") { quote = f[1]; return; }
      dl.appendChild(el("dt", f[0]));
      dl.appendChild(el("dd", f[1]));
    });
    info.appendChild(dl);
    if (quote) info.appendChild(el("blockquote", quote, "kg-quote"));
  }

  function showPinned() {
    if (pinned) showFacts(pinned.kind, pinned.id); else showFacts(null, null);
  }

  /* ---- network ------------------------------------------------------ */

  var options = {
    autoResize: true,
    layout: { randomSeed: 7, improvedLayout: data.nodes.length <= 150 },
    physics: data.physics ? {
      enabled: true,
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -90, centralGravity: 0.01, springLength: 150, springConstant: 0.06, avoidOverlap: 0.6 },
      stabilization: { enabled: true, iterations: 400, updateInterval: 100, fit: true }
    } : { enabled: false },
    interaction: {
      hover: true, tooltipDelay: 200, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
      multiselect: false, navigationButtons: false, keyboard: false
    },
    groups: groups,
    nodes: {
      font: { face: FONT, size: 14, color: "#1a202c", strokeWidth: 3, strokeColor: "#ffffff" },
      borderWidth: 1.5,
      // Large graphs: labels too small to read are not drawn at all.
      scaling: { label: { enabled: large, min: 14, max: 14, drawThreshold: 6 } }
    },
    edges: {
      font: { face: FONT, size: 11, color: "#4a5568", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
      smooth: { enabled: false },
      arrows: { to: { scaleFactor: 0.6 } },
      arrowStrikethrough: false,
      width: 1.5,
      selectionWidth: 1.5,
      hoverWidth: 1
    }
  };

  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {}, options);
  window.kgNetwork = network;
  window.kgReady = false;

  var dimmed = false;
  var labelled = [];
  function neighbourhood(id) {
    if (large) {
      // Restyling thousands of items takes seconds: select the neighbourhood
      // instead, and label only its edges.
      var around = network.getConnectedEdges(id);
      if (labelled.length) edges.update(labelled.map(function (e) { return { id: e, label: null }; }));
      labelled = around.slice(0, 500);
      edges.update(labelled.map(function (e) { return { id: e, label: edgeById.get(e).relation }; }));
      network.setSelection({ nodes: [id].concat(network.getConnectedNodes(id)), edges: around },
                           { unselectAll: true, highlightEdges: false });
      return;
    }
    var keep = new Set(network.getConnectedNodes(id));
    keep.add(id);
    var keepEdges = new Set(network.getConnectedEdges(id));
    nodes.update(baseNodes.map(function (n) {
      return keep.has(n.id) ? n : { id: n.id, opacity: 0.12 };
    }));
    edges.update(baseEdges.map(function (e) {
      if (keepEdges.has(e.id)) return e;
      return { id: e.id, color: { color: e.color.color, highlight: e.color.highlight, hover: e.color.hover, opacity: 0.06 },
               font: { color: "rgba(0,0,0,0)", strokeWidth: 0 } };
    }));
    dimmed = true;
  }
  function undim() {
    if (!dimmed) return;
    nodes.update(baseNodes.map(function (n) { return Object.assign({ opacity: 1 }, n); }));
    edges.update(baseEdges.map(function (e) {
      return Object.assign({}, e, { font: { color: "#4a5568", strokeWidth: 3 } });
    }));
    dimmed = false;
  }

  function selectNode(id, zoom) {
    if (!byId.has(id)) return false;
    if (!large) network.selectNodes([id]);
    pinned = { kind: "node", id: id };
    showFacts("node", id);
    neighbourhood(id);
    if (zoom !== false) {
      network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: large ? false : { duration: 300, easingFunction: "easeInOutQuad" } });
    }
    return true;
  }

  network.on("hoverNode", function (p) { showFacts("node", p.node); });
  network.on("hoverEdge", function (p) { showFacts("edge", p.edge); });
  network.on("blurNode", showPinned);
  network.on("blurEdge", showPinned);
  network.on("click", function (p) {
    if (p.nodes.length) {
      selectNode(p.nodes[0], false);
    } else if (p.edges.length) {
      undim();
      pinned = { kind: "edge", id: p.edges[0] };
      showFacts("edge", p.edges[0]);
    } else {
      undim();
      pinned = null;
      showFacts(null, null);
    }
  });

  /* ---- search ------------------------------------------------------- */

  function norm(s) {
    return String(s).normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, " ").trim();
  }
  var index = data.nodes.map(function (n) {
    return { id: n.id, label: n.label, keys: [n.label].concat(n.aliases).map(norm) };
  });

  /* Node ids whose name or alias matches, best first: exact, prefix, word prefix, substring. */
  function search(q) {
    var k = norm(q);
    if (!k) return [];
    var hits = [];
    index.forEach(function (e) {
      var best = 9;
      e.keys.forEach(function (key) {
        var r = key === k ? 0 : key.indexOf(k) === 0 ? 1 : (" " + key).indexOf(" " + k) >= 0 ? 2 : key.indexOf(k) >= 0 ? 3 : 9;
        if (r < best) best = r;
      });
      if (best < 9) hits.push([best, e.label, e.id]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return hits.map(function (h) { return h[2]; });
  }

  var names = document.getElementById("kg-names");
  var seen = new Set();
  index.forEach(function (e) {
    [e.label].concat(byId.get(e.id).aliases).forEach(function (name) {
      if (seen.has(name) || seen.size >= 2000) return;
      seen.add(name);
      var opt = el("option");
      opt.value = name;
      names.appendChild(opt);
    });
  });

  var statusLine = document.getElementById("kg-status");
  var resultsBox = document.getElementById("kg-results");
  var resultsList = document.getElementById("kg-results-list");
  document.getElementById("kg-search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("kg-search-input").value;
    var ids = search(q);
    resultsList.replaceChildren();
    resultsBox.hidden = ids.length < 2;
    ids.slice(0, 30).forEach(function (id) {
      var n = byId.get(id);
      var b = el("button", n.label);
      b.type = "button";
      b.appendChild(el("small", n.type));
      b.addEventListener("click", function () { selectNode(id); });
      var li = el("li");
      li.appendChild(b);
      resultsList.appendChild(li);
    });
    if (ids.length) {
      selectNode(ids[0]);
      statusLine.textContent = ids.length === 1 ? "1 match" : ids.length + " matches";
    } else {
      statusLine.textContent = "no match for “" + q + "”";
    }
  });

  /* ---- ready -------------------------------------------------------- */

  function ready() {
    if (window.kgReady) return;
    window.kgReadyAt = performance.now();
    window.kgReady = true;
    document.body.dataset.ready = "true";
    statusLine.textContent = data.nodes.length + " nodes, " + data.edges.length + " edges";
  }
  function start() {
    if (data.focus && byId.has(data.focus)) {
      network.selectNodes([data.focus]);
      pinned = { kind: "node", id: data.focus };
      showFacts("node", data.focus);
    }
    network.once("afterDrawing", ready);
    network.redraw();
  }
  if (data.physics && data.nodes.length > 1) {
    network.once("stabilizationIterationsDone", function () {
      // Freeze the layout: nodes stay where they are put, and hovering is steady.
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      start();
    });
  }
  performance.mark("kg-controls");
  network.setData({ nodes: nodes, edges: edgesView });
  performance.mark("kg-setdata");
  if (!(data.physics && data.nodes.length > 1)) {
    network.fit({ animation: false });
    start();
  }

  /* For scripts and tests: the page's own search and geometry. */
  window.kgView = {
    data: data,
    search: search,
    select: selectNode,
    drawnNodes: function () { return network.body.nodeIndices.length; },
    drawnEdges: function () { return network.body.edgeIndices.length; },
    edgePoint: function (id) {
      var edge = network.body.edges[id];
      var p = edge.edgeType.getPoint(0.5);
      var d = network.canvasToDOM(p);
      var r = container.getBoundingClientRect();
      return { x: d.x + r.left, y: d.y + r.top };
    },
    nodePoint: function (id) {
      var p = network.getPositions([id])[id];
      var d = network.canvasToDOM(p);
      var r = container.getBoundingClientRect();
      return { x: d.x + r.left, y: d.y + r.top };
    }
  };
})();

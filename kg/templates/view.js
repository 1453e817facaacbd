/* kg graph page: the controls every renderer shares (facts panel, search,
 * filters, time slider, legend). The drawing is done by one of the renderers
 * registered in window.kgRenderers (render-vis.js for small graphs,
 * render-canvas.js for mid-sized maps, render-sigma.js with WebGL for large
 * ones). Every text that comes from the data is written with textContent or
 * as a canvas label, never parsed as HTML. */
(function () {
  "use strict";

  performance.mark("kg-start");
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  performance.mark("kg-parsed");
  var E = data.edges;
  var nEdges = E.from.length;
  var byId = new Map();
  data.nodes.forEach(function (n, i) { byId.set(n.id, i); });
  var uncertain = new Set(data.uncertain);
  var hlEdges = new Set(E.hl);

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function str(v) { return typeof v === "number" ? data.strings[v] : v; }
  /* Edge i's fact values (in data.factKeys order), from blocks of data.factsChunk edges after the
   * scripts (the page draws before the browser has even read them), each parsed at the first of its
   * facts shown; null while its block is still loading. */
  var parsedFacts = [];
  function factsOf(i) {
    var b = Math.floor(i / data.factsChunk);
    if (!parsedFacts[b]) {
      var blocks = document.querySelectorAll("script.kg-facts");
      // While the browser is still reading the page, the last block found may be incomplete.
      if (!blocks[b] || (document.readyState === "loading" && b === blocks.length - 1)) return null;
      var block = blocks[b];
      parsedFacts[b] = JSON.parse(block.textContent);
    }
    return parsedFacts[b][i - b * data.factsChunk] || [];
  }

  /* ---- the model the renderers draw ----------------------------------- */

  var shownRel = new Set(data.relations.map(function (r, i) { return i; }));
  var shownStatus = new Set(data.statuses.map(function (s, i) { return i; }));
  var asOf = data.years ? data.years[1] : 0;

  var model = {
    data: data,
    nodeIndex: byId,
    edgeCount: nEdges,
    relation: function (i) { return data.relations[E.rel[i]]; },
    status: function (i) { return E.status[i] < 0 ? null : data.statuses[E.status[i]]; },
    uncertain: function (i) { return E.status[i] >= 0 && uncertain.has(data.statuses[E.status[i]]); },
    highlighted: function (i) { return hlEdges.has(i); },
    /* Whether edge i passes the relation, status and time filters. */
    edgeShown: function (i) {
      return shownRel.has(E.rel[i]) && (E.status[i] < 0 || shownStatus.has(E.status[i])) &&
        (!E.year[i] || !asOf || E.year[i] <= asOf);
    }
  };

  function nodeFacts(i) {
    var n = data.nodes[i];
    var facts = [["type", n.type]];
    if (n.aliases.length) facts.push(["aliases", n.aliases.join(", ")]);
    if (data.communities.length && n.c >= 0) facts.push(["community", data.communities[n.c] ? data.communities[n.c].label : String(n.c + 1)]);
    if (data.sizeBy !== "none") facts.push([data.sizeBy, String(n.score)]);
    facts.push(["IRI", n.id]);
    return facts;
  }
  function edgeFacts(i) {
    var facts = [["relation", model.relation(i).name]];
    var s = model.status(i);
    if (s) facts.push(["status", s]);
    // An edge's facts are values in data.factKeys order, null where missing.
    var values = factsOf(i);
    if (values === null) facts.push(["facts", "still loading"]);
    else values.forEach(function (v, j) { if (v !== null) facts.push([data.factKeys[j], str(v)]); });
    return facts;
  }

  /* ---- facts panel ---------------------------------------------------- */

  var info = document.getElementById("kg-info-body");
  var TIES_LISTED = 25;
  var pinned = null;

  function showFacts(kind, id) {
    info.replaceChildren();
    delete info.dataset.kind;
    delete info.dataset.id;
    if (!kind) {
      info.appendChild(el("p", "Hover or click a node or an edge to see its facts.", "kg-hint"));
      return;
    }
    var heading, facts;
    if (kind === "node") {
      var i = byId.get(id);
      if (i === undefined) return;
      heading = data.nodes[i].label;
      facts = nodeFacts(i);
    } else {
      var k = Number(String(id).slice(1));
      heading = data.nodes[E.from[k]].label + " " + model.relation(k).name + " " + data.nodes[E.to[k]].label;
      facts = edgeFacts(k);
    }
    info.dataset.kind = kind;
    info.dataset.id = id;
    info.appendChild(el("h3", heading));
    var dl = el("dl");
    var quote = null;
    facts.forEach(function (f) {
      if (f[0] === "quote") { quote = f[1]; return; }
      dl.appendChild(el("dt", f[0]));
      dl.appendChild(el("dd", f[1]));
    });
    info.appendChild(dl);
    if (quote) info.appendChild(el("blockquote", quote, "kg-quote"));
    if (kind === "node") showTies(i);
  }

  /* A node's shown edges, each a button to its facts: on a large map the lines are too thin to hover. */
  function showTies(i) {
    var list = [], total = 0;
    for (var k = 0; k < nEdges; k++) {
      if ((E.from[k] === i || E.to[k] === i) && model.edgeShown(k)) {
        total++;
        if (list.length < TIES_LISTED) list.push(k);
      }
    }
    if (!total) return;
    info.appendChild(el("h4", total === 1 ? "1 tie" : total + " ties" + (total > list.length ? " (first " + list.length + ")" : "")));
    var ul = el("ul", null, "kg-ties");
    list.forEach(function (k) {
      var out = E.from[k] === i;
      var b = el("button", model.relation(k).name + (out ? " → " : " ← ") + data.nodes[out ? E.to[k] : E.from[k]].label);
      b.type = "button";
      b.addEventListener("click", function () { ui.click("edge", "e" + k); });
      var li = el("li");
      li.appendChild(b);
      ul.appendChild(li);
    });
    info.appendChild(ul);
  }
  function showPinned() {
    if (pinned) showFacts(pinned.kind, pinned.id); else showFacts(null, null);
  }

  /* What the renderers call back. */
  var ui = {
    hover: function (kind, id) { showFacts(kind, id); },
    blur: showPinned,
    click: function (kind, id) {
      if (kind === "node") {
        var href = data.nodes[byId.get(id)].href;
        // Only a page kg wrote beside this one (communities view): a plain file name.
        if (href && /^[A-Za-z0-9._-]+\.html$/.test(href)) { window.location.assign(href); return; }
        selectNode(id, false);
        return;
      }
      renderer.clearSelection();
      pinned = kind ? { kind: kind, id: id } : null;
      showPinned();
    }
  };

  /* ---- the renderer --------------------------------------------------- */

  var container = document.getElementById("kg-network");
  var renderer = window.kgRenderers[data.renderer](container, model, ui);
  performance.mark("kg-drawn");

  function selectNode(id, zoom) {
    if (!byId.has(id)) return false;
    pinned = { kind: "node", id: id };
    showFacts("node", id);
    renderer.select(id, zoom !== false);
    return true;
  }

  /* ---- filters -------------------------------------------------------- */

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
  data.relations.forEach(function (r, i) {
    checkbox(relBox, r.name, true, function (on) {
      if (on) shownRel.add(i); else shownRel.delete(i);
      renderer.refresh();
    }, r.color, r.count);
  });
  var statusBoxes = {};
  var statBox = document.getElementById("kg-statuses");
  var hideRumours = document.getElementById("kg-hide-rumours");
  var rumoured = data.statuses.indexOf("rumored");
  function setStatus(i, on) {
    if (on) shownStatus.add(i); else shownStatus.delete(i);
    statusBoxes[i].checked = on;
    if (i === rumoured) hideRumours.checked = !on;
    renderer.refresh();
  }
  data.statuses.forEach(function (s, i) {
    statusBoxes[i] = checkbox(statBox, s, true, function (on) { setStatus(i, on); });
  });
  hideRumours.disabled = rumoured < 0;
  hideRumours.addEventListener("change", function () { setStatus(rumoured, !hideRumours.checked); });

  /* The time slider: facts dated after the chosen year are hidden; undated facts stay. */
  var slider = document.getElementById("kg-time");
  var sliderLabel = document.getElementById("kg-time-value");
  if (data.years) {
    slider.min = String(data.years[0]);
    slider.max = String(data.years[1]);
    slider.value = String(asOf);
    sliderLabel.textContent = String(asOf);
    slider.addEventListener("input", function () {
      asOf = Number(slider.value);
      sliderLabel.textContent = String(asOf);
      renderer.refresh();
    });
  } else {
    document.getElementById("kg-timebox").hidden = true;
  }

  /* ---- legend --------------------------------------------------------- */

  var SVG = "http://www.w3.org/2000/svg";
  function shapeIcon(shape, fill, outline) {
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
    s.setAttribute("fill", fill);
    if (outline) { s.setAttribute("stroke", outline); s.setAttribute("stroke-width", "3"); }
    svg.appendChild(s);
    return svg;
  }
  var legendList = document.getElementById("kg-legend-list");
  var outlines = data.renderer !== "vis";
  data.legend.forEach(function (l) {
    var li = el("li");
    // The entity type is the outline colour (and the shape, with vis); the fill is the community.
    li.appendChild(shapeIcon(outlines ? "dot" : l.shape, "#ffffff", l.color));
    li.appendChild(el("span", l.type));
    li.appendChild(el("span", "(" + l.count + ")", "kg-count"));
    legendList.appendChild(li);
  });
  var commList = document.getElementById("kg-communities-list");
  data.communities.forEach(function (c) {
    var li = el("li");
    li.appendChild(shapeIcon("dot", c.color));
    li.appendChild(el("span", c.label));
    li.appendChild(el("span", "(" + c.size + ")", "kg-count"));
    commList.appendChild(li);
  });
  document.getElementById("kg-communities").hidden = !data.communities.length;
  document.getElementById("kg-size-by").textContent = data.sizeBy === "none" ? "fixed" : data.sizeBy;

  /* ---- search --------------------------------------------------------- */

  function norm(s) {
    return String(s).normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, " ").trim();
  }
  /* The search index, built in idle time after the first frame (or at the first search). */
  var index = [];
  function indexUpTo(end) {
    for (var i = index.length; i < end; i++) {
      var n = data.nodes[i];
      index.push({ id: n.id, label: n.label, keys: [n.label].concat(n.aliases).map(norm) });
    }
  }

  /* Node ids whose name or alias matches, best first: exact, prefix, word prefix, substring. */
  function search(q) {
    var k = norm(q);
    if (!k) return [];
    indexUpTo(data.nodes.length);
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

  /* The names the search box suggests (the first 2,000), 250 more at each call; true when done. */
  var named = new Set(), namedUpTo = 0;
  function fillNames() {
    var frag = document.createDocumentFragment(), stop = named.size + 250;
    for (; namedUpTo < data.nodes.length && named.size < stop; namedUpTo++) {
      [data.nodes[namedUpTo].label].concat(data.nodes[namedUpTo].aliases).forEach(function (name) {
        if (named.has(name) || named.size >= 2000) return;
        named.add(name);
        var opt = el("option");
        opt.value = name;
        frag.appendChild(opt);
      });
    }
    document.getElementById("kg-names").appendChild(frag);
    return named.size >= 2000 || namedUpTo >= data.nodes.length;
  }

  /* Work the first frame does not need, in slices while the page is idle, so input is never kept waiting. */
  function whenIdle(step) {
    var later = window.requestIdleCallback || function (cb) {
      return setTimeout(function () { cb({ timeRemaining: function () { return 8; } }); }, 1);
    };
    later(function run(deadline) {
      while (deadline.timeRemaining() > 1) { if (step()) return; }
      later(run);
    });
  }

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
      var n = data.nodes[byId.get(id)];
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

  /* ---- ready ---------------------------------------------------------- */

  window.kgReady = false;
  renderer.whenDrawn(function () {
    if (data.focus && byId.has(data.focus)) {
      pinned = { kind: "node", id: data.focus };
      showFacts("node", data.focus);
      renderer.mark(data.focus);
    }
    window.kgReadyAt = performance.now();
    window.kgReady = true;
    document.body.dataset.ready = "true";
    statusLine.textContent = data.nodes.length + " nodes, " + nEdges + " edges";
    var namesDone = false;
    whenIdle(function () {
      if (!namesDone) { namesDone = fillNames(); return false; }
      indexUpTo(Math.min(index.length + 2000, data.nodes.length));
      return index.length === data.nodes.length;
    });
  });

  /* For scripts and tests: the page's own search, state and geometry. */
  window.kgView = {
    data: data,
    renderer: data.renderer,
    search: search,
    select: selectNode,
    edgeId: function (relation, a, b) {
      var ia = byId.get(a), ib = byId.get(b);
      for (var k = 0; k < nEdges; k++) {
        if (model.relation(k).name === relation &&
            ((E.from[k] === ia && E.to[k] === ib) || (E.from[k] === ib && E.to[k] === ia))) return "e" + k;
      }
      return null;
    },
    edgeFacts: function (id) { return edgeFacts(Number(String(id).slice(1))); },
    drawnNodes: function () { return renderer.drawnNodes(); },
    drawnEdges: function () { return renderer.drawnEdges(); },
    selected: function () { return renderer.selected(); },
    nodePoint: function (id) { return renderer.nodePoint(id); },
    edgePoint: function (id) { return renderer.edgePoint(id); },
    labelled: function () { return renderer.labelled(); },
    labelBoxes: function () { return renderer.labelBoxes ? renderer.labelBoxes() : []; },
    /* Zoom to a ratio of the first view (0.5: twice as close). */
    zoom: function (ratio) { renderer.zoom(ratio); },
    drawnBox: function () { return renderer.drawnBox(); }
  };
})();

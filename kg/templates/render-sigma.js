/* kg graph page, large graphs: sigma.js draws a graphology graph with WebGL.
 * Positions come precomputed from kg.layout; fill = community, outline =
 * entity type. The most central nodes always carry their label; sigma's label
 * grid adds more as the camera zooms in. The first view fits the largest
 * connected component (data.box). */
(function () {
  "use strict";
  window.kgRenderers = window.kgRenderers || {};

  var FONT = 'system-ui, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif';
  var HL = "#e53e3e";
  var FADED = "#e2e8f0";
  /* Above this many edges, edges are not hoverable (picking them costs a frame per move). */
  var EDGE_EVENTS_MAX = 200000;

  window.kgRenderers.sigma = function (container, model, ui) {
    var data = model.data;
    var E = data.edges;
    var outline = {};
    data.legend.forEach(function (l) { outline[l.type] = l.color; });
    var forced = new Set(data.labels);

    var graph = new graphology.MultiGraph();
    data.nodes.forEach(function (n, i) {
      graph.addNode(n.id, {
        x: n.x, y: -n.y, label: n.label, k: i,
        // vis sizes are 8..38 pixels; on a map of thousands, 3..15 keeps regions visible.
        size: 3 + (n.size - 8) * 0.4,
        color: n.c >= 0 ? data.palette[n.c % data.palette.length] : data.otherColor,
        borderColor: outline[n.type] || "#a0aec0",
        forceLabel: forced.has(i)
      });
    });
    // Thin lines keep a dense map readable; thicker ones on small maps are easier to hover.
    var edgeSize = model.edgeCount > 20000 ? 0.6 : model.edgeCount > 2000 ? 1 : 2;
    for (var i = 0; i < model.edgeCount; i++) {
      var rel = model.relation(i);
      graph.addEdgeWithKey("e" + i, data.nodes[E.from[i]].id, data.nodes[E.to[i]].id, {
        k: i, color: model.uncertain(i) ? rel.color + "66" : rel.color + "b0", size: edgeSize
      });
    }

    performance.mark("kg-graph");
    var selected = null;  // the clicked or found node: its neighbourhood stands out
    var marked = null;    // the view's focus: shown as selected, without hiding the rest
    var around = new Set();
    function nodeReducer(node, attrs) {
      var out = Object.assign({}, attrs);
      if (selected !== null) {
        if (node === selected || around.has(node)) { out.forceLabel = true; out.zIndex = 1; }
        else { out.color = FADED; out.borderColor = FADED; out.label = ""; out.forceLabel = false; }
      } else if (data.highlight) {
        if (data.nodes[attrs.k].hl) { out.borderColor = HL; out.forceLabel = true; out.size = attrs.size + 3; }
        else { out.color = FADED; out.forceLabel = false; }
      }
      if (node === selected || node === marked) { out.highlighted = true; out.forceLabel = true; }
      return out;
    }
    function edgeReducer(edge, attrs) {
      var k = attrs.k;
      if (!model.edgeShown(k)) return Object.assign({}, attrs, { hidden: true });
      var out = Object.assign({}, attrs);
      if (selected !== null) {
        var src = graph.source(edge), dst = graph.target(edge);
        if (src !== selected && dst !== selected) return Object.assign(out, { hidden: true });
        out.size = 1.5;
      } else if (data.highlight) {
        if (model.highlighted(k)) { out.color = HL; out.size = 3; }
        else out.color = FADED;
      }
      return out;
    }

    var BorderProgram = Sigma.rendering.createNodeBorderProgram({
      borders: [
        { size: { value: 0.25 }, color: { attribute: "borderColor" } },
        { size: { fill: true }, color: { attribute: "color" } }
      ]
    });
    var renderer = new Sigma(graph, container, {
      defaultNodeType: "bordered",
      nodeProgramClasses: { bordered: BorderProgram },
      nodeReducer: nodeReducer,
      edgeReducer: edgeReducer,
      enableEdgeEvents: model.edgeCount <= EDGE_EVENTS_MAX,
      hideEdgesOnMove: model.edgeCount > 100000,
      labelFont: FONT,
      labelSize: 13,
      labelWeight: "600",
      labelRenderedSizeThreshold: 7,
      labelDensity: 0.4,
      labelGridCellSize: 110,
      zIndex: true,
      minCameraRatio: 0.005,
      maxCameraRatio: 20
    });
    window.kgSigma = renderer;
    performance.mark("kg-sigma");
    // Frame the largest component: the camera's default state shows this box.
    // A margin of 6% keeps the labels of nodes on the border inside the canvas.
    if (data.box) {
      var b = data.box, mx = (b[2] - b[0]) * 0.06 + 1, my = (b[3] - b[1]) * 0.06 + 1;
      renderer.setCustomBBox({ x: [b[0] - mx, b[2] + mx], y: [-b[3] - my, -b[1] + my] });
    }

    function setSelection(id) {
      selected = id;
      around = new Set(id === null ? [] : graph.neighbors(id));
      renderer.refresh({ skipIndexation: true });
    }

    renderer.on("enterNode", function (e) { ui.hover("node", e.node); });
    renderer.on("leaveNode", ui.blur);
    renderer.on("enterEdge", function (e) { ui.hover("edge", e.edge); });
    renderer.on("leaveEdge", ui.blur);
    renderer.on("clickNode", function (e) { ui.click("node", e.node); });
    renderer.on("clickEdge", function (e) { ui.click("edge", e.edge); });
    renderer.on("clickStage", function () { ui.click(null, null); });

    function viewport(id) {
      var a = graph.getNodeAttributes(id);
      return renderer.graphToViewport({ x: a.x, y: a.y });
    }
    function page(p) {
      var r = container.getBoundingClientRect();
      return { x: p.x + r.left, y: p.y + r.top };
    }

    var drawnCallbacks = [];
    var drawn = false;
    renderer.once("afterRender", function () {
      drawn = true;
      drawnCallbacks.splice(0).forEach(function (cb) { cb(); });
    });
    // The frame that shows the framed box (setCustomBBox does not draw by itself).
    renderer.scheduleRender();

    return {
      refresh: function () { renderer.refresh({ skipIndexation: true }); },
      select: function (id, zoom) {
        setSelection(id);
        if (zoom) {
          var d = renderer.getNodeDisplayData(id);
          var cam = renderer.getCamera();
          cam.animate({ x: d.x, y: d.y, ratio: Math.min(cam.ratio, 0.25) }, { duration: 300 });
        }
      },
      mark: function (id) { marked = id; renderer.refresh({ skipIndexation: true }); },
      clearSelection: function () { marked = null; if (selected !== null) setSelection(null); },
      whenDrawn: function (cb) { if (drawn) cb(); else drawnCallbacks.push(cb); },
      drawnNodes: function () { return graph.order; },
      drawnEdges: function () {
        var count = 0;
        for (var k = 0; k < model.edgeCount; k++) if (model.edgeShown(k)) count++;
        return count;
      },
      selected: function () { return selected !== null ? [selected] : marked !== null ? [marked] : []; },
      nodePoint: function (id) { return page(viewport(id)); },
      /* The middle of the part of the edge that is inside the canvas (where it can be hovered). */
      edgePoint: function (id) {
        var a = viewport(graph.source(id)), b = viewport(graph.target(id));
        var dims = renderer.getDimensions();
        var lo = 0, hi = 1;
        [[a.x, b.x - a.x, dims.width], [a.y, b.y - a.y, dims.height]].forEach(function (c) {
          if (c[1] === 0) return;
          var t0 = (0 - c[0]) / c[1], t1 = (c[2] - c[0]) / c[1];
          lo = Math.max(lo, Math.min(t0, t1));
          hi = Math.min(hi, Math.max(t0, t1));
        });
        var t = (lo + hi) / 2;
        return page({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
      },
      /* The nodes whose labels sigma drew in the last frame. */
      labelled: function () { return Array.from(renderer.displayedNodeLabels || []); },
      /* The box of the drawn nodes inside the canvas, in CSS pixels. */
      drawnBox: function () {
        var dims = renderer.getDimensions();
        var box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, width: dims.width, height: dims.height };
        graph.forEachNode(function (id) {
          var p = viewport(id);
          if (p.x < 0 || p.y < 0 || p.x > dims.width || p.y > dims.height) return;
          box.x0 = Math.min(box.x0, p.x); box.y0 = Math.min(box.y0, p.y);
          box.x1 = Math.max(box.x1, p.x); box.y1 = Math.max(box.y1, p.y);
        });
        return box;
      }
    };
  };
})();

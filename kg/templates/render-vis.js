/* kg graph page, small graphs: vis-network on a 2D canvas, laid out in the
 * browser with seeded physics, then frozen. Shape = entity type, fill =
 * community, edge labels and dashes for uncertain facts. */
(function () {
  "use strict";
  window.kgRenderers = window.kgRenderers || {};

  var FONT = 'system-ui, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif';
  var HL = "#e53e3e";

  window.kgRenderers.vis = function (container, model, ui) {
    var data = model.data;
    var E = data.edges;
    var shapes = {};
    data.legend.forEach(function (l) { shapes[l.type] = l; });

    function fill(n) {
      return n.c >= 0 ? data.palette[data.slots ? data.slots[n.c] : n.c % data.palette.length] : data.otherColor;
    }
    function visNode(n) {
      var color = fill(n);
      var item = {
        id: n.id, label: n.label, size: n.size, shape: (shapes[n.type] || {}).shape || "dot",
        color: { background: color, border: (shapes[n.type] || {}).color || color,
                 highlight: { background: color, border: "#1a202c" }, hover: { background: color, border: "#1a202c" } }
      };
      if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
      if (data.highlight) {
        if (n.hl) { item.borderWidth = 4; item.color.border = HL; item.font = { bold: true, size: 16 }; }
        else item.opacity = 0.35;
      }
      return item;
    }
    function visEdge(i) {
      var rel = model.relation(i);
      var item = {
        id: "e" + i, from: data.nodes[E.from[i]].id, to: data.nodes[E.to[i]].id, k: i,
        label: rel.name, dashes: model.uncertain(i), arrows: rel.symmetric ? "" : "to",
        color: { color: rel.color, highlight: rel.color, hover: rel.color, opacity: 1 }
      };
      var curve = E.curves[String(i)];
      if (curve) item.smooth = curve;
      if (data.highlight) {
        if (model.highlighted(i)) { item.width = 4; item.color = { color: HL, highlight: HL, hover: HL, opacity: 1 }; }
        else item.color.opacity = 0.3;
      }
      return item;
    }

    var baseNodes = data.nodes.map(visNode);
    var baseEdges = [];
    for (var i = 0; i < model.edgeCount; i++) baseEdges.push(visEdge(i));
    var nodes = new vis.DataSet(baseNodes);
    var edges = new vis.DataSet(baseEdges);
    var edgesView = new vis.DataView(edges, { filter: function (e) { return model.edgeShown(e.k); } });

    var options = {
      autoResize: true,
      layout: { randomSeed: 7, improvedLayout: data.nodes.length <= 150 },
      physics: data.physics ? {
        enabled: true,
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -90, centralGravity: 0.01, springLength: 150, springConstant: 0.06, avoidOverlap: 0.6 },
        stabilization: { enabled: true, iterations: 400, updateInterval: 100, fit: true }
      } : { enabled: false },
      interaction: { hover: true, tooltipDelay: 200, multiselect: false, navigationButtons: false, keyboard: false },
      nodes: {
        font: { face: FONT, size: 14, color: "#1a202c", strokeWidth: 3, strokeColor: "#ffffff" },
        borderWidth: 2.5
      },
      edges: {
        font: { face: FONT, size: 11, color: "#4a5568", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
        smooth: { enabled: false },
        arrows: { to: { scaleFactor: 0.6 } },
        arrowStrikethrough: false,
        width: 1.5, selectionWidth: 1.5, hoverWidth: 1
      }
    };
    var network = new vis.Network(container, {}, options);
    window.kgNetwork = network;

    var dimmed = false;
    function neighbourhood(id) {
      var keep = new Set(network.getConnectedNodes(id));
      keep.add(id);
      var keepEdges = new Set(network.getConnectedEdges(id));
      nodes.update(baseNodes.map(function (n) { return keep.has(n.id) ? n : { id: n.id, opacity: 0.12 }; }));
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
      edges.update(baseEdges.map(function (e) { return Object.assign({}, e, { font: { color: "#4a5568", strokeWidth: 3 } }); }));
      dimmed = false;
    }

    network.on("hoverNode", function (p) { ui.hover("node", p.node); });
    network.on("hoverEdge", function (p) { ui.hover("edge", p.edge); });
    network.on("blurNode", ui.blur);
    network.on("blurEdge", ui.blur);
    network.on("click", function (p) {
      if (p.nodes.length) ui.click("node", p.nodes[0]);
      else if (p.edges.length) ui.click("edge", p.edges[0]);
      else ui.click(null, null);
    });

    var drawnCallbacks = [];
    var drawn = false;
    var firstScale = 1;  // the scale of the first view
    function fire() {
      drawn = true;
      firstScale = network.getScale();
      drawnCallbacks.splice(0).forEach(function (cb) { cb(); });
    }
    function start() {
      network.once("afterDrawing", fire);
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
    network.setData({ nodes: nodes, edges: edgesView });
    if (!(data.physics && data.nodes.length > 1)) {
      network.fit({ animation: false });
      start();
    }

    function domPoint(p) {
      var d = network.canvasToDOM(p);
      var r = container.getBoundingClientRect();
      return { x: d.x + r.left, y: d.y + r.top };
    }

    return {
      refresh: function () { edgesView.refresh(); },
      select: function (id, zoom) {
        network.selectNodes([id]);
        neighbourhood(id);
        if (zoom) network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
      },
      mark: function (id) { network.selectNodes([id]); },
      zoom: function (ratio) { network.moveTo({ scale: firstScale / ratio }); },
      clearSelection: undim,
      whenDrawn: function (cb) { if (drawn) cb(); else drawnCallbacks.push(cb); },
      drawnNodes: function () { return network.body.nodeIndices.length; },
      drawnEdges: function () { return network.body.edgeIndices.length; },
      selected: function () { return network.getSelectedNodes(); },
      nodePoint: function (id) { return domPoint(network.getPositions([id])[id]); },
      edgePoint: function (id) { return domPoint(network.body.edges[id].edgeType.getPoint(0.5)); },
      /* Every label is drawn unless it is under vis's 5-pixel draw threshold. */
      labelled: function () {
        return network.getScale() * 14 >= 5 ? data.nodes.map(function (n) { return n.id; }) : [];
      },
      drawnBox: function () {
        var pos = network.getPositions();
        var r = container.getBoundingClientRect();
        var box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, width: r.width, height: r.height };
        Object.keys(pos).forEach(function (id) {
          var d = network.canvasToDOM(pos[id]);
          box.x0 = Math.min(box.x0, d.x); box.y0 = Math.min(box.y0, d.y);
          box.x1 = Math.max(box.x1, d.x); box.y1 = Math.max(box.y1, d.y);
        });
        return box;
      }
    };
  };
})();

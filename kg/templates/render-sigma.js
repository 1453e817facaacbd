/* kg graph page, large graphs: sigma.js draws a graphology graph with WebGL.
 * Positions come precomputed from kg.layout; fill = community, outline =
 * entity type. The most central nodes always carry their label; sigma's label
 * grid adds more as the camera zooms in. The first view fits the largest
 * connected component (data.box).
 *
 * Nodes are drawn as GL points and, on large graphs, edges as GL lines: one
 * vertex (two for a line) per item, no instancing. Software WebGL
 * (SwiftShader, what a machine without a GPU gets) pays per instance: sigma's
 * instanced circle and rectangle programs took 1.7 s a frame at 5,000 nodes
 * and 10,000 edges there, these 0.1 s. */
(function () {
  "use strict";
  window.kgRenderers = window.kgRenderers || {};

  var FONT = 'system-ui, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif';
  var HL = "#e53e3e";
  var FADED = "#e2e8f0";
  /* Above this many edges, kg draws the edges itself as 1-pixel lines (lineLayer) instead of
   * adding them to graphology and sigma: 10,000 edges cost sigma about 0.5 s to index, the
   * lines a few milliseconds. Such lines are too thin to hover; a node's facts list its edges. */
  var OWN_EDGES_MIN = 2000;

  var POINT_VERTEX = [
    "attribute vec2 a_position;",
    "attribute float a_size;",
    "attribute vec4 a_color;",
    "attribute vec4 a_border;",
    "attribute vec4 a_id;",
    "uniform float u_sizeRatio;",
    "uniform float u_pixelRatio;",
    "uniform mat3 u_matrix;",
    "varying vec4 v_color;",
    "varying vec4 v_border;",
    "varying float v_pixel;",
    "varying float v_edge;",
    "const float bias = 255.0 / 254.0;",
    "void main() {",
    "  gl_Position = vec4((u_matrix * vec3(a_position, 1.0)).xy, 0.0, 1.0);",
    "  float diameter = a_size / u_sizeRatio * u_pixelRatio * 2.0;",
    "  gl_PointSize = diameter;",
    "  v_pixel = 1.0 / max(diameter, 1.0);",
    // The outline is a quarter of the radius, at least one pixel.
    "  v_edge = max(0.125, v_pixel);",
    "  #ifdef PICKING_MODE",
    "  v_color = a_id;",
    "  #else",
    "  v_color = a_color;",
    "  v_border = a_border;",
    "  #endif",
    "  v_color.a *= bias;",
    "}"
  ].join("\n");
  var POINT_FRAGMENT = [
    "precision mediump float;",
    "varying vec4 v_color;",
    "varying vec4 v_border;",
    "varying float v_pixel;",
    "varying float v_edge;",
    "void main(void) {",
    "  float inside = 0.5 - length(gl_PointCoord - vec2(0.5, 0.5));",
    "  if (inside <= 0.0) discard;",
    "  #ifdef PICKING_MODE",
    "  gl_FragColor = v_color;",
    "  #else",
    "  vec4 c = inside < v_edge ? v_border : v_color;",
    "  gl_FragColor = mix(vec4(0.0), c, clamp(inside / v_pixel, 0.0, 1.0));",
    "  #endif",
    "}"
  ].join("\n");

  var LINE_VERTEX = [
    "attribute vec2 a_position;",
    "attribute vec4 a_color;",
    "uniform mat3 u_matrix;",
    "varying vec4 v_color;",
    "void main() {",
    "  gl_Position = vec4((u_matrix * vec3(a_position, 1.0)).xy, 0.0, 1.0);",
    // sigma blends premultiplied colours.
    "  v_color = vec4(a_color.rgb * a_color.a, a_color.a);",
    "}"
  ].join("\n");
  var LINE_FRAGMENT = "precision mediump float;\nvarying vec4 v_color;\nvoid main(void) { gl_FragColor = v_color; }";

  /* A node as one GL point: a disc of the community colour with an outline of the entity type. */
  function pointProgram() {
    var floatColor = Sigma.utils.floatColor;
    var UB = WebGLRenderingContext.UNSIGNED_BYTE, F = WebGLRenderingContext.FLOAT;
    return class KgPointProgram extends Sigma.rendering.NodeProgram {
      getDefinition() {
        return {
          VERTICES: 1, METHOD: WebGLRenderingContext.POINTS,
          VERTEX_SHADER_SOURCE: POINT_VERTEX, FRAGMENT_SHADER_SOURCE: POINT_FRAGMENT,
          UNIFORMS: ["u_sizeRatio", "u_pixelRatio", "u_matrix"],
          ATTRIBUTES: [
            { name: "a_position", size: 2, type: F },
            { name: "a_size", size: 1, type: F },
            { name: "a_color", size: 4, type: UB, normalized: true },
            { name: "a_border", size: 4, type: UB, normalized: true },
            { name: "a_id", size: 4, type: UB, normalized: true }
          ]
        };
      }
      processVisibleItem(id, offset, d) {
        var a = this.array;
        a[offset++] = d.x;
        a[offset++] = d.y;
        a[offset++] = d.size;
        a[offset++] = floatColor(d.color);
        a[offset++] = floatColor(d.borderColor || d.color);
        a[offset] = id;
      }
      setUniforms(p, gl) {
        var u = gl.uniformLocations;
        gl.gl.uniform1f(u.u_sizeRatio, p.sizeRatio);
        gl.gl.uniform1f(u.u_pixelRatio, p.pixelRatio);
        gl.gl.uniformMatrix3fv(u.u_matrix, false, p.matrix);
      }
    };
  }

  /* The edges of a large graph as GL lines in sigma's edge layer, from the page's columns:
   * no graphology edge and no sigma edge item, so 100,000 edges cost one buffer upload.
   * colourOf(k) gives edge k's [r, g, b, a] bytes, or null when it is hidden. */
  function lineLayer(renderer, model, colourOf) {
    var gl = renderer.webGLContexts.edges;
    var E = model.data.edges, n = model.edgeCount, nodes = model.data.nodes;
    var program = gl.createProgram();
    [[gl.VERTEX_SHADER, LINE_VERTEX], [gl.FRAGMENT_SHADER, LINE_FRAGMENT]].forEach(function (src) {
      var sh = gl.createShader(src[0]);
      gl.shaderSource(sh, src[1]);
      gl.compileShader(sh);
      gl.attachShader(program, sh);
    });
    gl.linkProgram(program);
    var aPos = gl.getAttribLocation(program, "a_position"), aCol = gl.getAttribLocation(program, "a_color");
    var uMatrix = gl.getUniformLocation(program, "u_matrix");
    var posBuf = gl.createBuffer(), colBuf = gl.createBuffer();
    var xs = new Float32Array(nodes.length), ys = new Float32Array(nodes.length);
    var pos = new Float32Array(4 * n), col = new Uint8Array(8 * n);
    var count = 0, dirty = true;

    renderer.on("afterProcess", function () {
      // sigma draws in its framed coordinates (the box set by setCustomBBox mapped to 0..1).
      var norm = renderer.normalizationFunction, p = { x: 0, y: 0 };
      for (var i = 0; i < nodes.length; i++) {
        p.x = nodes[i].x; p.y = -nodes[i].y;
        var q = norm(p);
        xs[i] = q.x; ys[i] = q.y;
      }
      dirty = true;
    });
    function upload() {
      var v = 0;
      for (var k = 0; k < n; k++) {
        var c = colourOf(k);
        if (c === null) continue;
        var a = E.from[k], b = E.to[k];
        pos[2 * v] = xs[a]; pos[2 * v + 1] = ys[a]; pos[2 * v + 2] = xs[b]; pos[2 * v + 3] = ys[b];
        col.set(c, 4 * v); col.set(c, 4 * v + 4);
        v += 2;
      }
      count = v;
      gl.bindBuffer(gl.ARRAY_BUFFER, posBuf);
      gl.bufferData(gl.ARRAY_BUFFER, pos.subarray(0, 2 * v), gl.STATIC_DRAW);
      gl.bindBuffer(gl.ARRAY_BUFFER, colBuf);
      gl.bufferData(gl.ARRAY_BUFFER, col.subarray(0, 4 * v), gl.STATIC_DRAW);
      dirty = false;
    }
    function draw(matrix) {
      gl.useProgram(program);
      gl.uniformMatrix3fv(uMatrix, false, matrix);
      gl.bindBuffer(gl.ARRAY_BUFFER, posBuf);
      gl.enableVertexAttribArray(aPos);
      gl.vertexAttribPointer(aPos, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, colBuf);
      gl.enableVertexAttribArray(aCol);
      gl.vertexAttribPointer(aCol, 4, gl.UNSIGNED_BYTE, true, 0, 0);
      gl.drawArrays(gl.LINES, 0, count);
      // sigma binds its own attributes for each program it draws: leave none of ours enabled.
      gl.disableVertexAttribArray(aPos);
      gl.disableVertexAttribArray(aCol);
    }
    renderer.on("afterRender", function () {
      var mouse = renderer.getMouseCaptor();
      var moving = renderer.getCamera().isAnimated() || mouse.isMoving || mouse.draggedEvents || mouse.currentWheelDirection;
      if (renderer.getSetting("hideEdgesOnMove") && moving) return;
      if (dirty) upload();
      if (count) draw(renderer.matrix);
    });
    // One invisible line now, so that the GPU compiles this program while the page is still being
    // built (the next frame clears it).
    gl.bindBuffer(gl.ARRAY_BUFFER, posBuf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(4), gl.STATIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, colBuf);
    gl.bufferData(gl.ARRAY_BUFFER, new Uint8Array(8), gl.STATIC_DRAW);
    count = 2;
    draw([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    count = 0;
    return { invalidate: function () { dirty = true; } };
  }

  /* Labels that do not overlap. sigma's grid spaces the labels it picks, but the always-shown
   * ones (the most central names, a selection) are drawn wherever they fall. Here the forced
   * labels are reserved first in each frame and may move to the left, above or below their node;
   * any other label that would touch one already placed is left out. Text gets a white halo. */
  function labeller(renderer) {
    var placed = [], fresh = true;
    renderer.on("beforeRender", function () { fresh = true; });

    /* Where a label may go, in order: right of the node, left, above, below, then right and left
     * shifted up or down by a line. */
    var PLACES = 8;
    function box(x, y, size, width, font, where) {
      var gap = size + 3, h = font + 2, dy = where >= 4 ? (where % 2 ? h : -h) : 0;
      if (where === 0 || where === 4 || where === 5) return [x + gap, y - h / 2 + dy, x + gap + width, y + h / 2 + dy];
      if (where === 1 || where === 6 || where === 7) return [x - gap - width, y - h / 2 + dy, x - gap, y + h / 2 + dy];
      if (where === 2) return [x - width / 2, y - gap - h, x + width / 2, y - gap];
      return [x - width / 2, y + gap, x + width / 2, y + gap + h];
    }
    /* The area of box b that labels already placed cover. */
    function covered(b) {
      var area = 0;
      for (var i = 0; i < placed.length; i++) {
        var o = placed[i].b;
        var w = Math.min(b[2], o[2]) - Math.max(b[0], o[0]), h = Math.min(b[3], o[3]) - Math.max(b[1], o[1]);
        if (w > 0 && h > 0) area += w * h;
      }
      return area;
    }
    function free(b) { return covered(b) === 0; }
    /* Place every always-shown label first, largest node first, each where it touches none placed before. */
    function reserve(ctx, settings) {
      placed = [];
      fresh = false;
      var forced = [];
      (renderer.nodesWithForcedLabels || new Set()).forEach(function (key) {
        var d = renderer.getNodeDisplayData(key);
        if (d && !d.hidden && d.label) forced.push({ key: key, d: d });
      });
      forced.sort(function (a, b) { return b.d.size - a.d.size; });
      forced.forEach(function (f) {
        var p = renderer.framedGraphToViewport(f.d);
        var size = renderer.scaleSize(f.d.size), width = ctx.measureText(f.d.label).width;
        // The first free place, else the least covered one.
        var b = null, least = Infinity;
        for (var w = 0; w < PLACES; w++) {
          var c = box(p.x, p.y, size, width, settings.labelSize, w), area = covered(c);
          if (area < least) { b = c; least = area; }
          if (area === 0) break;
        }
        placed.push({ key: f.key, b: b, reserved: true });
      });
    }

    function drawLabel(ctx, d, settings) {
      if (!d.label) return;
      var font = settings.labelSize;
      ctx.font = settings.labelWeight + " " + font + "px " + settings.labelFont;
      if (fresh) reserve(ctx, settings);
      var b = null;
      if (d.forceLabel) {
        for (var i = 0; i < placed.length; i++) {
          if (placed[i].key === d.key && placed[i].reserved) { b = placed[i].b; placed[i].drawn = true; }
        }
      }
      if (b === null) {
        b = box(d.x, d.y, d.size, ctx.measureText(d.label).width, font, 0);
        if (!d.forceLabel && !free(b)) return;
        placed.push({ key: d.key, b: b });
      }
      var tx = b[0], ty = b[3] - 3;
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
      ctx.strokeText(d.label, tx, ty);
      ctx.fillStyle = "#1a202c";
      ctx.fillText(d.label, tx, ty);
    }
    return {
      draw: drawLabel,
      /* The boxes of the labels drawn in the last frame, in CSS pixels: [x0, y0, x1, y1]. */
      boxes: function () { return placed.filter(function (o) { return !o.reserved || o.drawn; }).map(function (o) { return o.b; }); }
    };
  }

  /* "#rrggbb" and an alpha byte as [r, g, b, a]. */
  function bytes(hex, alpha) {
    return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), alpha];
  }

  /* The graphology graph sigma draws: every node, with its place, size, colours and label;
   * the edges too unless lineLayer draws them. Returns { graph, ids } (ids[i]: node i's key). */
  function buildGraph(model, withEdges) {
    var data = model.data, E = data.edges;
    var outline = {};
    data.legend.forEach(function (l) { outline[l.type] = l.color; });
    var forced = new Set(data.labels);
    // Dense maps get smaller discs, so the edges between them still show (half size from 80,000 nodes).
    var shrink = Math.max(0.5, Math.min(1, Math.sqrt(20000 / Math.max(1, data.nodes.length))));
    var graph = new graphology.Graph({ multi: true, type: "directed" });
    var ids = new Array(data.nodes.length);
    data.nodes.forEach(function (n, i) {
      ids[i] = n.id;
      graph.addNode(n.id, {
        x: n.x, y: -n.y, label: n.label, k: i,
        // vis sizes are 8..38 pixels; on a map of thousands, 3..15 keeps regions visible.
        size: (3 + (n.size - 8) * 0.4) * shrink,
        color: n.c >= 0 ? data.palette[data.slots ? data.slots[n.c] : n.c % data.palette.length] : data.otherColor,
        borderColor: outline[n.type] || "#a0aec0",
        forceLabel: forced.has(i),
        // sigma's defaults, set here so it never adds a key to 50,000 objects (a slow shape change).
        type: "circle", hidden: false, highlighted: false, zIndex: 0
      });
    });
    // Thin lines keep a dense map readable; thicker ones on small maps are easier to hover.
    var edgeSize = model.edgeCount > 500 ? 1 : 2;
    for (var i = 0; withEdges && i < model.edgeCount; i++) {
      var rel = model.relation(i);
      graph.addEdgeWithKey("e" + i, ids[E.from[i]], ids[E.to[i]], {
        k: i, color: model.uncertain(i) ? rel.color + "66" : rel.color + "b0", size: edgeSize,
        label: "", type: "line", hidden: false, forceLabel: false, zIndex: 0
      });
    }
    return { graph: graph, ids: ids };
  }

  /* Two nodes (and an edge) that make sigma compile and run every program it will draw with. */
  function warmGraph(withEdge) {
    var g = new graphology.Graph({ multi: true, type: "directed" });
    var node = { x: 0, y: 0, size: 1, color: "#ffffff", borderColor: "#ffffff", label: "", k: 0,
                 type: "circle", hidden: false, highlighted: false, zIndex: 0, forceLabel: false };
    g.addNode("a", node);
    g.addNode("b", Object.assign({}, node, { x: 1, y: 1 }));
    if (withEdge) {
      g.addEdge("a", "b", { k: 0, color: "#ffffff", size: 1, label: "", type: "line", hidden: false, forceLabel: false, zIndex: 0 });
    }
    return g;
  }

  window.kgRenderers.sigma = function (container, model, ui) {
    var data = model.data;
    var E = data.edges;
    // Large graphs: edges drawn by lineLayer, not hoverable (a 1-pixel line among thousands cannot be aimed at).
    var ownEdges = model.edgeCount > OWN_EDGES_MIN;
    var graph, ids;  // built below, while the GPU compiles sigma's programs

    var selected = null;  // the clicked or found node: its neighbourhood stands out
    var marked = null;    // the view's focus: shown as selected, without hiding the rest
    var around = new Set();
    function nodeReducer(node, attrs) {
      // The common case (nothing selected or highlighted) copies nothing: a refresh stays cheap.
      if (selected === null && marked === null && !data.highlight) return attrs;
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
      if (selected === null && !data.highlight) return attrs;
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
    // The same choices for lineLayer's edges, as bytes.
    var relBytes = data.relations.map(function (r) { return [bytes(r.color, 0xb0), bytes(r.color, 0x66)]; });
    var hlBytes = bytes(HL, 0xff), fadedBytes = bytes(FADED, 0xff);
    function lineColour(k) {
      if (!model.edgeShown(k)) return null;
      if (selected !== null) {
        if (ids[E.from[k]] !== selected && ids[E.to[k]] !== selected) return null;
      } else if (data.highlight) {
        return model.highlighted(k) ? hlBytes : fadedBytes;
      }
      return relBytes[E.rel[k]][model.uncertain(k) ? 1 : 0];
    }

    // sigma compiles a program for each edge type even with no edges: the simplest one then.
    var Edges = ownEdges ? Sigma.rendering.EdgeLineProgram : Sigma.rendering.EdgeRectangleProgram;
    var drawLabel = null;  // set below, once the renderer exists
    // Made on a two-node graph, so its first frame compiles every program; framed; then given the
    // nodes: the first frame of the graph is the final one.
    var renderer = new Sigma(warmGraph(!ownEdges), container, {
      // The same keys as sigma's defaults, so its own programs are not compiled as well.
      defaultNodeType: "circle",
      nodeProgramClasses: { circle: pointProgram() },
      defaultEdgeType: "line",
      edgeProgramClasses: { line: Edges, arrow: Edges },
      nodeReducer: nodeReducer,
      edgeReducer: edgeReducer,
      enableEdgeEvents: !ownEdges,
      hideEdgesOnMove: model.edgeCount > 100000,
      labelFont: FONT,
      labelSize: 13,
      labelWeight: "600",
      labelRenderedSizeThreshold: 7,
      labelDensity: 0.4,
      labelGridCellSize: 110,
      defaultDrawNodeLabel: function (ctx, d, settings) { if (drawLabel) drawLabel(ctx, d, settings); },
      // The selected neighbourhood is drawn on top (sigma sorts only when z values differ).
      zIndex: true,
      minCameraRatio: 0.005,
      maxCameraRatio: 20
    });
    var labels = labeller(renderer);
    drawLabel = labels.draw;
    var lines = ownEdges ? lineLayer(renderer, model, lineColour) : null;
    window.kgSigma = renderer;
    // Send the warm-up frame now: the GPU process compiles the shaders (slow in software GL)
    // while this thread builds the graph.
    Object.keys(renderer.webGLContexts).forEach(function (k) { renderer.webGLContexts[k].flush(); });
    performance.mark("kg-sigma");
    var built = buildGraph(model, !ownEdges);
    graph = built.graph;
    ids = built.ids;
    performance.mark("kg-graph");
    // Frame the largest component: the camera's default state shows this box.
    // A margin of 6% keeps the labels of nodes on the border inside the canvas.
    if (data.box) {
      var b = data.box, mx = (b[2] - b[0]) * 0.06 + 1, my = (b[3] - b[1]) * 0.06 + 1;
      renderer.setCustomBBox({ x: [b[0] - mx, b[2] + mx], y: [-b[3] - my, -b[1] + my] });
    }

    function neighbours(id) {
      if (!ownEdges) return graph.neighbors(id);
      var i = model.nodeIndex ? model.nodeIndex.get(id) : ids.indexOf(id), out = [];
      for (var k = 0; k < model.edgeCount; k++) {
        if (E.from[k] === i) out.push(ids[E.to[k]]);
        else if (E.to[k] === i) out.push(ids[E.from[k]]);
      }
      return out;
    }
    /* After a filter: with lineLayer the nodes are unchanged, so only the lines are rebuilt. */
    function refresh() {
      if (lines) { lines.invalidate(); renderer.scheduleRender(); }
      else renderer.refresh({ skipIndexation: true });
    }
    /* After a selection: every node and edge goes through the reducers again. */
    function restyle() {
      if (lines) lines.invalidate();
      renderer.refresh({ skipIndexation: true });
    }

    function setSelection(id) {
      selected = id;
      around = new Set(id === null ? [] : neighbours(id));
      restyle();
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
    renderer.setGraph(graph);
    performance.mark("kg-frame");

    return {
      refresh: refresh,
      select: function (id, zoom) {
        setSelection(id);
        if (zoom) {
          var d = renderer.getNodeDisplayData(id);
          var cam = renderer.getCamera();
          cam.animate({ x: d.x, y: d.y, ratio: Math.min(cam.ratio, 0.25) }, { duration: 300 });
        }
      },
      mark: function (id) { marked = id; restyle(); },
      zoom: function (ratio) { renderer.getCamera().setState({ ratio: ratio }); },
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
        var k = Number(String(id).slice(1));
        var a = viewport(ids[E.from[k]]), b = viewport(ids[E.to[k]]);
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
      /* The boxes of the labels drawn in the last frame (none overlaps another where there is room). */
      labelBoxes: function () { return labels.boxes(); },
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

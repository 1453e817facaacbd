/* kg graph page, mid-sized graphs: the map drawn with the 2D canvas, no library.
 * The same map as render-sigma.js (positions precomputed by kg.layout, fill =
 * community, outline = entity type, the most central names always labelled,
 * more labels as you zoom, the first view fitted to the largest component),
 * without WebGL: a machine without a GPU runs WebGL in software, where making
 * the contexts and compiling the shaders alone takes about a second before the
 * first frame, whatever the size. The lines of one style make one path; each
 * disc is a small path. Drawing the pixels in JavaScript instead (an ImageData)
 * was measured too: as fast once compiled, but its first frame, run before the
 * JIT has optimised the loops, took over twice as long. */
(function () {
  "use strict";
  window.kgRenderers = window.kgRenderers || {};

  var FONT = 'system-ui, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif';
  var LABEL_FONT = "600 13px " + FONT;
  var LABEL_SIZE = 13;
  var HL = "#e53e3e";
  var FADED = "#e2e8f0";
  var INK = "#1a202c";
  /* Labels besides the forced ones: at most one per cell of this many pixels, for nodes drawn at
   * least LABEL_MIN_RADIUS pixels wide; zooming in spreads the nodes over more cells. */
  var LABEL_CELL = 110;
  var LABEL_MIN_RADIUS = 7;
  var HIT_SLACK = 3;  // pixels around a disc or a line that still hover it
  var MIN_RATIO = 0.005, MAX_RATIO = 20;

  /* "#rrggbb" and an alpha in 0..1 as a CSS colour. */
  function rgba(hex, alpha) {
    return "rgba(" + parseInt(hex.slice(1, 3), 16) + "," + parseInt(hex.slice(3, 5), 16) + "," +
      parseInt(hex.slice(5, 7), 16) + "," + alpha + ")";
  }

  /* One canvas filling the container, sized for the device's pixels. */
  function layer(container, top) {
    var c = document.createElement("canvas");
    c.style.position = "absolute";
    c.style.left = "0";
    c.style.top = "0";
    if (top) c.style.touchAction = "none";
    container.appendChild(c);
    return c;
  }

  /* The distance from (px, py) to the segment (ax, ay)-(bx, by). */
  function segmentDistance(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
    var t = len ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
    var x = ax + t * dx - px, y = ay + t * dy - py;
    return Math.sqrt(x * x + y * y);
  }

  /* Where a label may go, in order: right of the node, left, above, below, then right and left
   * shifted up or down by a line. Returns [x0, y0, x1, y1]. */
  var PLACES = 8;
  function labelBox(x, y, r, width, where) {
    var gap = r + 3, h = LABEL_SIZE + 2, dy = where >= 4 ? (where % 2 ? h : -h) : 0;
    if (where === 0 || where === 4 || where === 5) return [x + gap, y - h / 2 + dy, x + gap + width, y + h / 2 + dy];
    if (where === 1 || where === 6 || where === 7) return [x - gap - width, y - h / 2 + dy, x - gap, y + h / 2 + dy];
    if (where === 2) return [x - width / 2, y - gap - h, x + width / 2, y - gap];
    return [x - width / 2, y + gap, x + width / 2, y + gap + h];
  }
  /* The area of box b outside a canvas of width × height. */
  function outside(b, width, height) {
    var inside = Math.max(0, Math.min(b[2], width) - Math.max(b[0], 0)) * Math.max(0, Math.min(b[3], height) - Math.max(b[1], 0));
    return (b[2] - b[0]) * (b[3] - b[1]) - inside;
  }
  /* The area of box b that the boxes in placed cover. */
  function covered(b, placed) {
    var area = 0;
    for (var i = 0; i < placed.length; i++) {
      var o = placed[i];
      var w = Math.min(b[2], o[2]) - Math.max(b[0], o[0]), h = Math.min(b[3], o[3]) - Math.max(b[1], o[1]);
      if (w > 0 && h > 0) area += w * h;
    }
    return area;
  }

  /* What does not change: the nodes and edges as columns, their colours and the edge styles. */
  function scene(model) {
    var data = model.data, N = data.nodes.length, M = model.edgeCount, E = data.edges;
    var S = {
      model: model, data: data, E: E, N: N, M: M, ids: new Array(N),
      X: new Float64Array(N), Y: new Float64Array(N), R: new Float64Array(N),
      FILL: new Int32Array(N), BORDER: new Int32Array(N), colours: [],
      lo: [Infinity, Infinity], hi: [-Infinity, -Infinity], forced: new Set(data.labels),
      hl: data.highlight ? new Set() : null
    };
    var colourNo = new Map();
    function colour(css) {
      if (!colourNo.has(css)) { colourNo.set(css, S.colours.length); S.colours.push(css); }
      return colourNo.get(css);
    }
    var outline = {};
    data.legend.forEach(function (l) { outline[l.type] = l.color; });
    // Dense maps get smaller discs, so the edges between them still show (as render-sigma.js).
    var shrink = Math.max(0.5, Math.min(1, Math.sqrt(20000 / Math.max(1, N))));
    data.nodes.forEach(function (n, i) {
      S.ids[i] = n.id;
      S.X[i] = n.x || 0; S.Y[i] = n.y || 0;
      S.R[i] = (3 + (n.size - 8) * 0.4) * shrink;
      S.FILL[i] = colour(n.c >= 0 ? data.palette[data.slots ? data.slots[n.c] : n.c % data.palette.length] : data.otherColor);
      S.BORDER[i] = colour(outline[n.type] || "#a0aec0");
      S.lo[0] = Math.min(S.lo[0], S.X[i]); S.lo[1] = Math.min(S.lo[1], S.Y[i]);
      S.hi[0] = Math.max(S.hi[0], S.X[i]); S.hi[1] = Math.max(S.hi[1], S.Y[i]);
      if (n.hl && S.hl) S.hl.add(i);
    });
    S.FADED = colour(FADED);
    S.HL = colour(HL);
    /* Edge styles, as the other map renderer: relation × (certain, uncertain) at the map's width,
     * the same at the selection's width, then pale and highlighted lines. */
    var edgeWidth = M > 500 ? 1 : 2;
    S.styles = [];
    [edgeWidth, 1.5].forEach(function (w) {
      data.relations.forEach(function (r) {
        [0.69, 0.4].forEach(function (a) { S.styles.push({ css: rgba(r.color, a), width: w }); });
      });
    });
    S.SEL = 2 * data.relations.length;
    S.PALE = S.styles.length;
    S.BRIGHT = S.PALE + 1;
    S.styles.push({ css: FADED, width: 1 }, { css: HL, width: 3 });
    var adjacency = null;  // node → its edges, built at the first selection
    S.edgesOf = function (i) {
      if (!adjacency) {
        adjacency = Array.from({ length: N }, function () { return []; });
        for (var k = 0; k < M; k++) { adjacency[E.from[k]].push(k); if (E.to[k] !== E.from[k]) adjacency[E.to[k]].push(k); }
      }
      return adjacency[i];
    };
    return S;
  }

  /* What the reader changes: the camera (the graph point at the centre, pixels per graph unit),
   * the selection, and where each node is on screen (SX, SY, radius SR, in CSS pixels). */
  function view(S) {
    var V = {
      width: 1, height: 1, dpr: 1, cam: { x: 0, y: 0, scale: 1 }, home: { x: 0, y: 0, scale: 1 },
      selected: -1, marked: -1, around: new Set(),
      SX: new Float64Array(S.N), SY: new Float64Array(S.N), SR: new Float64Array(S.N)
    };
    /* The first view: the largest component's box with a margin of 6% (labels on its border stay inside). */
    V.fit = function () {
      var b = S.data.box || (S.N ? [S.lo[0], S.lo[1], S.hi[0], S.hi[1]] : [0, 0, 1, 1]);
      var mx = (b[2] - b[0]) * 0.06 + 1, my = (b[3] - b[1]) * 0.06 + 1;
      V.home = { x: (b[0] + b[2]) / 2, y: (b[1] + b[3]) / 2,
                 scale: Math.min(V.width / (b[2] - b[0] + 2 * mx), V.height / (b[3] - b[1] + 2 * my)) };
      V.cam = { x: V.home.x, y: V.home.y, scale: V.home.scale };
    };
    V.ratio = function () { return V.home.scale / V.cam.scale; };
    V.clampScale = function (s) { return Math.min(V.home.scale / MIN_RATIO, Math.max(V.home.scale / MAX_RATIO, s)); };
    V.toScreen = function (x, y) {
      return { x: (x - V.cam.x) * V.cam.scale + V.width / 2, y: (y - V.cam.y) * V.cam.scale + V.height / 2 };
    };
    V.toGraph = function (px, py) {
      return { x: (px - V.width / 2) / V.cam.scale + V.cam.x, y: (py - V.height / 2) / V.cam.scale + V.cam.y };
    };
    V.project = function () {
      var grow = Math.sqrt(1 / V.ratio()), cam = V.cam;  // discs grow slower than the map as you zoom in
      for (var i = 0; i < S.N; i++) {
        V.SX[i] = (S.X[i] - cam.x) * cam.scale + V.width / 2;
        V.SY[i] = (S.Y[i] - cam.y) * cam.scale + V.height / 2;
        V.SR[i] = S.R[i] * grow + (S.hl !== null && S.hl.has(i) && V.selected < 0 ? 3 : 0);
      }
    };
    V.onScreen = function (i, pad) {
      return V.SX[i] >= -pad && V.SY[i] >= -pad && V.SX[i] <= V.width + pad && V.SY[i] <= V.height + pad;
    };
    /* Whether node i is drawn pale (outside the selection or the highlighted path). */
    V.faded = function (i) {
      if (V.selected >= 0) return i !== V.selected && !V.around.has(i);
      return S.hl !== null && !S.hl.has(i);
    };
    /* Edge k's style (a number into S.styles), or -1 when it is not drawn. */
    V.edgeStyle = function (k) {
      var model = S.model, E = S.E;
      if (!model.edgeShown(k)) return -1;
      var base = 2 * E.rel[k] + (model.uncertain(k) ? 1 : 0);
      if (V.selected >= 0) return E.from[k] === V.selected || E.to[k] === V.selected ? S.SEL + base : -1;
      if (S.hl !== null) return model.highlighted(k) ? S.BRIGHT : S.PALE;
      return base;
    };
    /* Node i's [outline, fill] colour numbers: a quarter of the radius (at least one pixel) of the
     * entity type's colour around the community's. Outside a selection a node is all pale; off the
     * highlighted path, its fill only. */
    V.nodeColours = function (i) {
      if (V.selected >= 0) return V.faded(i) ? [S.FADED, S.FADED] : [S.BORDER[i], S.FILL[i]];
      if (S.hl !== null) return S.hl.has(i) ? [S.HL, S.FILL[i]] : [S.BORDER[i], S.FADED];
      return [S.BORDER[i], S.FILL[i]];
    };
    V.select = function (i) {
      V.selected = i;
      V.around = new Set();
      if (i >= 0) S.edgesOf(i).forEach(function (k) { V.around.add(S.E.from[k] === i ? S.E.to[k] : S.E.from[k]); });
    };
    return V;
  }

  /* A frame on white: the edges, one path per style (a few dozen paths, whatever the size), then
   * the pale nodes and the others, each a small path (Skia fills many small paths faster than a
   * large one of many discs), then the rings of the selected and marked nodes. */
  function drawMap(ctx, S, V) {
    var E = S.E, SX = V.SX, SY = V.SY, SR = V.SR, width = V.width, height = V.height;
    ctx.setTransform(V.dpr, 0, 0, V.dpr, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    var groups = [];
    for (var k = 0; k < S.M; k++) {
      var a = E.from[k], b = E.to[k];
      // Both ends beyond the same side of the canvas: nothing of it shows.
      if ((SX[a] < 0 && SX[b] < 0) || (SY[a] < 0 && SY[b] < 0) ||
          (SX[a] > width && SX[b] > width) || (SY[a] > height && SY[b] > height)) continue;
      var st = V.edgeStyle(k);
      if (st >= 0) (groups[st] || (groups[st] = [])).push(k);
    }
    // In style order: the highlighted path's lines over the pale ones.
    groups.forEach(function (list, st) {
      ctx.strokeStyle = S.styles[st].css;
      ctx.lineWidth = S.styles[st].width;
      ctx.beginPath();
      for (var j = 0; j < list.length; j++) {
        ctx.moveTo(SX[E.from[list[j]]], SY[E.from[list[j]]]);
        ctx.lineTo(SX[E.to[list[j]]], SY[E.to[list[j]]]);
      }
      ctx.stroke();
    });
    var back = [], front = [], last = -1;
    for (var i = 0; i < S.N; i++) {
      if (V.onScreen(i, SR[i])) (V.faded(i) ? back : front).push(i);
    }
    function disc(i, c, r) {
      if (c !== last) { ctx.fillStyle = S.colours[c]; last = c; }
      ctx.beginPath();
      ctx.arc(SX[i], SY[i], Math.max(0.5, r), 0, 2 * Math.PI);
      ctx.fill();
    }
    back.concat(front).forEach(function (i) {
      var c = V.nodeColours(i);
      disc(i, c[0], SR[i]);
      disc(i, c[1], SR[i] - Math.max(1, SR[i] / 4));
    });
    [V.selected, V.marked].forEach(function (i) {
      if (i < 0) return;
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(SX[i], SY[i], SR[i] + 2, 0, 2 * Math.PI);
      ctx.stroke();
    });
  }

  /* The labels of a frame, none over another: the forced ones first (the most central names, a
   * selection, the highlighted path; largest node first, each in the first of PLACES where it
   * touches none placed before and stays inside), then at most one per LABEL_CELL for nodes drawn
   * LABEL_MIN_RADIUS wide, right of the node where it touches none. width(i): label i's width.
   * Returns { nodes, boxes }. */
  function placeLabels(S, V, width) {
    var SX = V.SX, SY = V.SY, SR = V.SR, must = [];
    for (var i = 0; i < S.N; i++) {
      if (!V.onScreen(i, 0)) continue;
      var sel = V.selected >= 0 && (i === V.selected || V.around.has(i));
      var hl = V.selected < 0 && S.hl !== null && S.hl.has(i);
      if (sel || hl || i === V.marked || (S.forced.has(i) && !V.faded(i))) must.push(i);
    }
    must.sort(function (a, b) { return SR[b] - SR[a] || a - b; });
    var placed = [], nodes = [];
    must.forEach(function (i) {
      // Clear of the ring of a selected or marked node; a box partly outside the canvas counts as covered.
      var r = SR[i] + (i === V.selected || i === V.marked ? 3 : 0), best = null, least = Infinity;
      for (var p = 0; p < PLACES; p++) {
        var c = labelBox(SX[i], SY[i], r, width(i), p), area = covered(c, placed) + outside(c, V.width, V.height);
        if (area < least) { best = c; least = area; }
        if (area === 0) break;
      }
      placed.push(best);
      nodes.push(i);
    });
    var cells = new Map(), taken = new Set(must);
    for (var j = 0; j < S.N; j++) {
      if (taken.has(j) || SR[j] < LABEL_MIN_RADIUS || (V.selected >= 0 && V.faded(j)) || !V.onScreen(j, 0)) continue;
      var cell = Math.floor(SX[j] / LABEL_CELL) + "," + Math.floor(SY[j] / LABEL_CELL);
      var had = cells.get(cell);
      if (had === undefined || SR[j] > SR[had]) cells.set(cell, j);
    }
    Array.from(cells.values()).sort(function (a, b) { return SR[b] - SR[a] || a - b; }).forEach(function (i) {
      var b = labelBox(SX[i], SY[i], SR[i], width(i), 0);
      if (covered(b, placed) > 0 || outside(b, V.width, V.height) > 0) return;
      placed.push(b);
      nodes.push(i);
    });
    return { nodes: nodes, boxes: placed };
  }
  /* Labels as placed, dark text with a white halo. */
  function drawLabels(ctx, S, labels) {
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillStyle = INK;
    labels.nodes.forEach(function (i, n) {
      var b = labels.boxes[n], text = S.data.nodes[i].label;
      ctx.strokeText(text, b[0], b[3] - 3);
      ctx.fillText(text, b[0], b[3] - 3);
    });
  }

  /* The hovered node or edge on the top layer: a ring and the label on a white box, or the line in ink. */
  function drawHover(octx, S, V, hovered) {
    var SX = V.SX, SY = V.SY, SR = V.SR;
    octx.setTransform(V.dpr, 0, 0, V.dpr, 0, 0);
    octx.clearRect(0, 0, V.width, V.height);
    if (hovered === null) return;
    if (hovered.kind === "edge") {
      var k = hovered.k;
      octx.strokeStyle = INK;
      octx.lineWidth = 2.5;
      octx.beginPath();
      octx.moveTo(SX[S.E.from[k]], SY[S.E.from[k]]);
      octx.lineTo(SX[S.E.to[k]], SY[S.E.to[k]]);
      octx.stroke();
      return;
    }
    var i = hovered.i, text = S.data.nodes[i].label;
    octx.font = LABEL_FONT;
    var w = octx.measureText(text).width;
    octx.fillStyle = "#ffffff";
    octx.shadowColor = "rgba(0, 0, 0, 0.35)";
    octx.shadowBlur = 6;
    octx.fillRect(SX[i] + SR[i] + 2, SY[i] - 10, w + 10, 20);
    octx.beginPath();
    octx.arc(SX[i], SY[i], SR[i] + 3, 0, 2 * Math.PI);
    octx.fill();
    octx.shadowBlur = 0;
    octx.strokeStyle = INK;
    octx.lineWidth = 2;
    octx.stroke();
    octx.fillStyle = INK;
    octx.fillText(text, SX[i] + SR[i] + 7, SY[i] + 4);
  }

  /* The node under (px, py), else the nearest drawn edge within HIT_SLACK pixels, else null. */
  function hit(S, V, px, py) {
    var SX = V.SX, SY = V.SY, best = -1, bestD = Infinity;
    for (var i = 0; i < S.N; i++) {
      if (V.selected >= 0 && V.faded(i)) continue;
      var dx = SX[i] - px, dy = SY[i] - py, d = Math.sqrt(dx * dx + dy * dy) - V.SR[i];
      if (d <= HIT_SLACK && d < bestD) { best = i; bestD = d; }
    }
    if (best >= 0) return { kind: "node", i: best, id: S.ids[best] };
    var edge = -1;
    bestD = HIT_SLACK;
    for (var k = 0; k < S.M; k++) {
      var a = S.E.from[k], b = S.E.to[k];
      if (Math.min(SX[a], SX[b]) > px + bestD || Math.max(SX[a], SX[b]) < px - bestD ||
          Math.min(SY[a], SY[b]) > py + bestD || Math.max(SY[a], SY[b]) < py - bestD) continue;
      if (V.edgeStyle(k) < 0) continue;
      var e = segmentDistance(px, py, SX[a], SY[a], SX[b], SY[b]);
      if (e <= bestD) { edge = k; bestD = e; }
    }
    return edge >= 0 ? { kind: "edge", k: edge, id: "e" + edge } : null;
  }

  /* Frames while a large map is dragged or zoomed with the wheel: the last full frame, moved and
   * scaled (one image copy, whatever the size), then a full frame (draw) once it has been still
   * for SETTLE_MS or settle() is called. A small map (a full frame under SLOW_MS) is redrawn. */
  var SETTLE_MS = 150, SLOW_MS = 30;
  function mover(canvas, ctx, V, draw) {
    var still = null, settling = null, copy = null, frame = null;
    function drawMoved() {
      frame = null;
      if (still === null) return;
      // A graph point drawn at s0 in the copy is now at k·s0 + shift (device pixels).
      var k = V.cam.scale / still.scale;
      var sx = V.dpr * (V.width / 2 * (1 - k) + (still.x - V.cam.x) * V.cam.scale);
      var sy = V.dpr * (V.height / 2 * (1 - k) + (still.y - V.cam.y) * V.cam.scale);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.setTransform(k, 0, 0, k, sx, sy);
      ctx.drawImage(copy, 0, 0);
    }
    function settle() {
      clearTimeout(settling);
      if (frame !== null) cancelAnimationFrame(frame);
      frame = null;
      if (still !== null) { still = null; draw(); }
    }
    return {
      /* The camera moved: returns false when the caller should draw a full frame itself. */
      moved: function (drawMs) {
        if (drawMs < SLOW_MS && still === null) return false;
        if (still === null) {
          if (!copy || copy.width !== canvas.width || copy.height !== canvas.height) {
            copy = document.createElement("canvas");
            copy.width = canvas.width;
            copy.height = canvas.height;
          }
          copy.getContext("2d").drawImage(canvas, 0, 0);
          still = { x: V.cam.x, y: V.cam.y, scale: V.cam.scale };
        }
        if (frame === null) frame = requestAnimationFrame(drawMoved);
        clearTimeout(settling);
        settling = setTimeout(settle, SETTLE_MS);
        return true;
      },
      settle: settle,
      /* Whether the canvas shows a moved copy (the nodes' screen places are out of date). */
      moving: function () { return still !== null; }
    };
  }

  /* Drag to pan, wheel or two fingers to zoom, hover and click: on the top canvas, calling
   * on.pan(dx, dy), on.zoom(px, py, factor), on.release(), on.hover(px, py), on.leave() and
   * on.click(px, py). */
  function pointer(over, on) {
    var press = null;  // the pointer held down: where, and whether it has dragged the map
    var touches = new Map(), spread = 0;  // the pointers down (two: a pinch) and their distance
    function local(x, y) { var r = over.getBoundingClientRect(); return [x - r.left, y - r.top]; }
    function pinch() {
      var p = Array.from(touches.values());
      return { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y), x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2 };
    }
    over.addEventListener("pointerdown", function (ev) {
      touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
      over.setPointerCapture(ev.pointerId);
      if (touches.size === 2) { spread = pinch().d; press = { x: 0, y: 0, dragged: true }; return; }
      press = { x: ev.clientX, y: ev.clientY, dragged: false };
    });
    over.addEventListener("pointermove", function (ev) {
      if (touches.has(ev.pointerId)) touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
      if (touches.size === 2) {
        var p = pinch(), q = local(p.x, p.y);
        if (spread > 0 && p.d > 0) on.zoom(q[0], q[1], p.d / spread);
        spread = p.d;
        return;
      }
      if (!press) { on.hover.apply(null, local(ev.clientX, ev.clientY)); return; }
      var dx = ev.clientX - press.x, dy = ev.clientY - press.y;
      if (!press.dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
      press.dragged = true;
      press.x = ev.clientX; press.y = ev.clientY;
      over.style.cursor = "grabbing";
      on.pan(dx, dy);
    });
    function up(ev) {
      var was = press, pinched = touches.size > 1;
      touches.delete(ev.pointerId);
      if (touches.size === 1) {  // one finger left after a pinch: it drags from here
        var t = touches.values().next().value;
        press = { x: t.x, y: t.y, dragged: true };
        return;
      }
      press = null;
      if (!was || was.dragged || pinched || ev.type === "pointercancel") { over.style.cursor = "grab"; on.release(); return; }
      on.click.apply(null, local(ev.clientX, ev.clientY));
    }
    over.addEventListener("pointerup", up);
    over.addEventListener("pointercancel", up);
    over.addEventListener("pointerleave", function () { if (!press) on.leave(); });
    over.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = local(ev.clientX, ev.clientY);
      on.zoom(p[0], p[1], Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015)));
    }, { passive: false });
  }

  window.kgRenderers.canvas = function (container, model, ui) {
    container.style.position = "relative";
    container.style.overflow = "hidden";
    var canvas = layer(container, false), over = layer(container, true);
    var ctx = canvas.getContext("2d", { alpha: false }), octx = over.getContext("2d");
    var S = scene(model), V = view(S), E = S.E;
    var labels = { nodes: [], boxes: [] }, widths = new Float64Array(S.N).fill(-1);
    var hovered = null, frame = null, drawMs = 0, anim = null;

    function labelWidth(i) {
      if (widths[i] < 0) widths[i] = ctx.measureText(S.data.nodes[i].label).width;
      return widths[i];
    }
    function draw() {
      var t = performance.now();
      if (frame !== null) cancelAnimationFrame(frame);
      frame = null;
      V.project();
      drawMap(ctx, S, V);
      ctx.font = LABEL_FONT;
      labels = placeLabels(S, V, labelWidth);
      drawLabels(ctx, S, labels);
      if (hovered !== null) drawHover(octx, S, V, hovered);
      drawMs = performance.now() - t;
    }
    function schedule() { if (frame === null) frame = requestAnimationFrame(draw); }
    var moves = mover(canvas, ctx, V, draw);
    function moved() {
      if (hovered !== null) setHover(null);
      if (!moves.moved(drawMs)) schedule();
    }
    function setHover(h) {
      var was = hovered;
      if ((was && was.id) === (h && h.id)) return;
      hovered = h;
      over.style.cursor = h ? "pointer" : "grab";
      drawHover(octx, S, V, h);
      if (h) ui.hover(h.kind, h.id);
      else if (was) ui.blur();
    }
    function resize() {
      V.width = Math.max(1, container.clientWidth);
      V.height = Math.max(1, container.clientHeight);
      V.dpr = window.devicePixelRatio || 1;
      [canvas, over].forEach(function (c) {
        c.width = Math.round(V.width * V.dpr);
        c.height = Math.round(V.height * V.dpr);
        c.style.width = V.width + "px";
        c.style.height = V.height + "px";
      });
    }
    function animate(to, ms) {
      var from = { x: V.cam.x, y: V.cam.y, scale: V.cam.scale }, start = performance.now();
      anim = function (now) {
        var t = Math.min(1, (now - start) / ms), e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
        V.cam.x = from.x + (to.x - from.x) * e;
        V.cam.y = from.y + (to.y - from.y) * e;
        V.cam.scale = from.scale * Math.pow(to.scale / from.scale, e);
        draw();
        if (t < 1 && anim) requestAnimationFrame(anim); else anim = null;
      };
      requestAnimationFrame(anim);
    }

    pointer(over, {
      pan: function (dx, dy) {
        anim = null;
        V.cam.x -= dx / V.cam.scale;
        V.cam.y -= dy / V.cam.scale;
        moved();
      },
      zoom: function (px, py, factor) {
        anim = null;
        var g = V.toGraph(px, py);
        V.cam.scale = V.clampScale(V.cam.scale * factor);
        V.cam.x = g.x - (px - V.width / 2) / V.cam.scale;
        V.cam.y = g.y - (py - V.height / 2) / V.cam.scale;
        moved();
      },
      release: moves.settle,
      hover: function (px, py) { if (!moves.moving()) setHover(hit(S, V, px, py)); },
      leave: function () { setHover(null); },
      click: function (px, py) {
        var h = moves.moving() ? null : hit(S, V, px, py);
        if (h) ui.click(h.kind, h.id); else ui.click(null, null);
      }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (container.clientWidth === V.width && container.clientHeight === V.height) return;
        var r = V.ratio(), x = V.cam.x, y = V.cam.y;
        resize();
        V.fit();
        V.cam = { x: x, y: y, scale: V.home.scale / r };
        draw();
      }).observe(container);
    }
    function index(id) { return model.nodeIndex.has(id) ? model.nodeIndex.get(id) : -1; }

    resize();
    V.fit();
    over.style.cursor = "grab";
    draw();
    performance.mark("kg-frame");
    window.kgCanvas = { view: V, draw: draw };

    return {
      refresh: schedule,
      select: function (id, zoom) {
        var i = index(id);
        V.select(i);
        schedule();
        if (zoom && i >= 0) animate({ x: S.X[i], y: S.Y[i], scale: Math.max(V.cam.scale, V.home.scale / 0.25) }, 300);
      },
      mark: function (id) { V.marked = index(id); schedule(); },
      clearSelection: function () {
        V.marked = -1;
        if (V.selected >= 0) { V.select(-1); schedule(); }
      },
      whenDrawn: function (cb) { cb(); },
      /* Zoom to a ratio of the first view (0.5: twice as close), around the centre. */
      zoom: function (r) { V.cam.scale = V.clampScale(V.home.scale / r); draw(); },
      drawnNodes: function () { return S.N; },
      drawnEdges: function () {
        var count = 0;
        for (var k = 0; k < S.M; k++) if (model.edgeShown(k)) count++;
        return count;
      },
      selected: function () {
        return V.selected >= 0 ? [S.ids[V.selected]] : V.marked >= 0 ? [S.ids[V.marked]] : [];
      },
      nodePoint: function (id) {
        var i = index(id), p = V.toScreen(S.X[i], S.Y[i]), r = container.getBoundingClientRect();
        return { x: p.x + r.left, y: p.y + r.top };
      },
      /* The middle of the part of the edge that is inside the canvas (where it can be hovered). */
      edgePoint: function (id) {
        var k = Number(String(id).slice(1));
        var a = V.toScreen(S.X[E.from[k]], S.Y[E.from[k]]), b = V.toScreen(S.X[E.to[k]], S.Y[E.to[k]]);
        var lo = 0, hi = 1;
        [[a.x, b.x - a.x, V.width], [a.y, b.y - a.y, V.height]].forEach(function (c) {
          if (c[1] === 0) return;
          var t0 = -c[0] / c[1], t1 = (c[2] - c[0]) / c[1];
          lo = Math.max(lo, Math.min(t0, t1));
          hi = Math.min(hi, Math.max(t0, t1));
        });
        var t = (lo + hi) / 2, r = container.getBoundingClientRect();
        return { x: a.x + (b.x - a.x) * t + r.left, y: a.y + (b.y - a.y) * t + r.top };
      },
      /* The boxes of the labels drawn in the last frame, in CSS pixels: [x0, y0, x1, y1]. */
      labelBoxes: function () { return labels.boxes.slice(); },
      /* The nodes whose labels were drawn in the last frame. */
      labelled: function () { return labels.nodes.map(function (i) { return S.ids[i]; }); },
      /* The box of the drawn nodes inside the canvas, in CSS pixels. */
      drawnBox: function () {
        var box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, width: V.width, height: V.height };
        for (var i = 0; i < S.N; i++) {
          if (!V.onScreen(i, 0)) continue;
          box.x0 = Math.min(box.x0, V.SX[i]); box.y0 = Math.min(box.y0, V.SY[i]);
          box.x1 = Math.max(box.x1, V.SX[i]); box.y1 = Math.max(box.y1, V.SY[i]);
        }
        return box;
      }
    };
  };
})();

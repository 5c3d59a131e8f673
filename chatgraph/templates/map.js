// chatgraph map: builds the vis-network view from the JSON block; all user text goes in as text nodes.
(function () {
  "use strict";
  performance.mark("chatgraph:start");
  var D = JSON.parse(document.getElementById("map-data").textContent);
  performance.mark("chatgraph:parsed");
  // Busy maps draw edges fainter so the new connections and the nodes stay visible.
  // Painted edges are one stroke per style, so overlaps do not darken: fainter still.
  var many = D.edges.length > 1500;
  var NEW = D.paintEdges ? "rgba(232,89,12,0.30)" : many ? "rgba(232,89,12,0.55)" : "#e8590c";
  var OLD = D.paintEdges ? "rgba(110,110,110,0.10)" : many ? "rgba(110,110,110,0.13)" : "rgba(110,110,110,0.30)";
  var last = D.frames.length - 1;
  var state = { frame: last, kinds: D.kinds.map(function () { return true; }), minWeight: D.minWeight };
  var degree = {};
  var byId = {};

  function text(id, value) { document.getElementById(id).textContent = value; }

  function tip(value) {
    var lines = String(value).split("\n");
    var box = document.createElement("div");
    var head = document.createElement("div");
    head.className = "tip-head";
    head.textContent = lines[0];
    box.appendChild(head);
    if (lines.length > 1) {
      var rest = document.createElement("div");
      rest.textContent = lines.slice(1).join("\n");
      box.appendChild(rest);
    }
    return box;
  }

  function weightOf(e) {
    var s = 0;
    for (var i = 0; i < e.k.length; i++) if (state.kinds[i]) s += e.k[i];
    return s;
  }

  function shown(e) { return e.f <= state.frame && weightOf(e) >= state.minWeight; }

  var BASE = many ? 0.6 : 1;
  function edgeLook(e, explicit) {
    // Only what differs from the edge defaults below, so building 20,000 edges stays cheap.
    var isNew = e.n === state.frame;
    var width = BASE + Math.min(5, Math.log(e.w) / Math.LN2) + (isNew ? (many ? 0.6 : 1.5) : 0);
    var look = { id: e.id };
    if (width !== BASE || explicit) look.width = width;
    if (isNew) look.color = { color: NEW, highlight: NEW, hover: NEW };
    else if (explicit) look.color = { color: OLD, highlight: "#333", hover: "#333" };
    return look;
  }

  function label(id) { return "@" + byId[id].label; }

  function edgeTip(e) {
    var parts = [];
    D.kinds.forEach(function (kind, i) { if (e.k[i]) parts.push(e.k[i] + " " + kind); });
    var lines = [label(e.from) + " \u2013 " + label(e.to), e.w + " interactions: " + parts.join(", ")];
    if (e.n >= 0) lines.push("new connection in " + D.frames[e.n]);
    return lines.join("\n");
  }

  function countDegrees() {
    degree = {};
    var pairs = 0, fresh = 0;
    D.edges.forEach(function (e) {
      if (!shown(e)) return;
      pairs++;
      if (e.n === state.frame) fresh++;
      degree[e.from] = (degree[e.from] || 0) + 1;
      degree[e.to] = (degree[e.to] || 0) + 1;
    });
    return { pairs: pairs, fresh: fresh };
  }

  var counts = countDegrees();
  var nodes = new vis.DataSet(D.nodes.map(function (n) {
    byId[n.id] = n;
    // No vis-network label: the page places the labels itself (see placeLabels).
    return { id: n.id, x: n.x, y: n.y, value: degree[n.id] || 0, color: n.color };
  }));
  // Busy maps (see maps.PAINT_EDGES) paint their edges straight onto the canvas, a few strokes in
  // all: vis-network's per-edge objects cost seconds at tens of thousands of edges.
  var painted = D.paintEdges;
  var edges = new vis.DataSet(painted ? [] : D.edges.map(function (e) {
    var look = edgeLook(e, false);
    look.from = e.from;
    look.to = e.to;
    e.look = e.n === state.frame;
    return look;
  }));
  performance.mark("chatgraph:datasets");
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return (degree[n.id] || 0) > 0; } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return shown(D.edges[e.id]); } });

  var big = !painted && D.edges.length > 3000;
  var network = new vis.Network(document.getElementById("map"), { nodes: nodeView, edges: edgeView }, {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 100, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: true },
    nodes: {
      shape: "dot",
      borderWidth: 1,
      color: { border: "rgba(0,0,0,0.35)" },
      scaling: { min: 5, max: 32 }
    },
    edges: {
      smooth: false, selectionWidth: 1.5, hoverWidth: 1, width: BASE,
      color: { color: OLD, highlight: "#333", hover: "#333", inherit: false }
    }
  });
  // Tooltips become DOM text when first hovered (vis-network shows them a moment later), so no
  // handle or name is ever parsed as markup and 20,000 edges cost nothing until looked at.
  network.on("hoverNode", function (p) {
    var n = byId[p.node];
    if (n && !n.tipped) { n.tipped = true; nodes.update({ id: n.id, title: tip(n.t) }); }
  });
  network.on("hoverEdge", function (p) {
    var e = D.edges[p.edge];
    if (e && !e.tipped) { e.tipped = true; edges.update({ id: e.id, title: tip(edgeTip(e)) }); }
  });
  var focus = null;
  function paintEdges(ctx) {
    var at = network.body.nodes;
    var minWidth = 0.5 / network.getScale();
    var groups = {}, order = [], close = [];
    D.edges.forEach(function (e) {
      if (!shown(e)) return;
      var a = at[e.from], b = at[e.to];
      if (!a || !b) return;
      if (focus !== null && (e.from === focus || e.to === focus)) { close.push(a, b); return; }
      var isNew = e.n === state.frame;
      var width = BASE + Math.min(5, Math.round(Math.log(e.w) / Math.LN2)) + (isNew ? 0.6 : 0);
      var key = (isNew ? "1:" : "0:") + width;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(a, b);
    });
    function stroke(list, colour, width) {
      ctx.beginPath();
      for (var i = 0; i < list.length; i += 2) {
        ctx.moveTo(list[i].x, list[i].y);
        ctx.lineTo(list[i + 1].x, list[i + 1].y);
      }
      ctx.strokeStyle = colour;
      ctx.lineWidth = Math.max(width, minWidth);
      ctx.stroke();
    }
    order.sort();  // earlier connections first, the new ones over them
    order.forEach(function (key) {
      var isNew = key.charAt(0) === "1";
      stroke(groups[key], isNew ? NEW : OLD, parseFloat(key.slice(2)));
    });
    if (close.length) stroke(close, "#333", BASE + 0.6);
  }
  if (painted) {
    network.on("beforeDrawing", paintEdges);
    network.on("hoverNode", function (p) { focus = p.node; network.redraw(); });
    network.on("blurNode", function () { focus = null; network.redraw(); });
    text("hint", "Node size: number of partners. Hover a node for details and its connections; scroll to zoom.");
  }
  // Labels: vis-network draws every label it can, on top of each other in a dense map. The page
  // instead places them after each frame, biggest nodes first, each below, above, right, left or
  // at a corner of its node where it overlaps no other label, covers no node (the biggest nodes'
  // labels may cover dots too small to be labelled themselves) and stays inside the view; the rest
  // go without (their handle is in the tooltip, and zooming in makes room). The hovered node's
  // label always shows.
  var FONT = "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif";
  var LABEL_MIN = 11, LABEL_MAX = 18;  // on-screen font sizes in pixels
  var LABELLED_ANYWAY = 20;  // the biggest nodes are candidates at any zoom; others from radius 4 px
  var DOT = 4;  // on-screen radius below which a node is a dot
  var widths = {};  // label -> width at 100px
  var placed = [];  // the labels drawn in the last frame, in canvas units
  var hovered = null;

  function labelText(id) { return byId[id].label; }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function coversCircle(box, c) {
    var x = Math.max(box.left, Math.min(c.x, box.right));
    var y = Math.max(box.top, Math.min(c.y, box.bottom));
    return (x - c.x) * (x - c.x) + (y - c.y) * (y - c.y) < c.r * c.r;
  }

  function placeLabels(ctx) {
    var scale = network.getScale();
    var w = network.canvas.frame.canvas.clientWidth, h = network.canvas.frame.canvas.clientHeight;
    var tl = network.DOMtoCanvas({ x: 0, y: 0 }), br = network.DOMtoCanvas({ x: w, y: h });
    var ids = network.body.nodeIndices;
    var cell = 80 / scale;
    var grid = {};
    function key(i, j) { return i + ":" + j; }
    function cells(box, fn) {
      for (var i = Math.floor(box.left / cell); i <= Math.floor(box.right / cell); i++)
        for (var j = Math.floor(box.top / cell); j <= Math.floor(box.bottom / cell); j++) fn(key(i, j));
    }
    var circles = [];
    ids.forEach(function (id) {
      var n = network.body.nodes[id];
      var c = { id: id, x: n.x, y: n.y, r: n.options.size };
      circles.push(c);
      cells({ left: c.x - c.r, right: c.x + c.r, top: c.y - c.r, bottom: c.y + c.r }, function (k) {
        (grid[k] = grid[k] || { nodes: [], labels: [] }).nodes.push(c);
      });
    });
    circles.sort(function (a, b) { return b.r - a.r || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    if (hovered !== null && network.body.nodes[hovered]) {
      circles = circles.filter(function (c) { return c.id !== hovered; });
      var n = network.body.nodes[hovered];
      circles.unshift({ id: hovered, x: n.x, y: n.y, r: n.options.size, always: true });
    }
    var rMin = Math.min.apply(null, circles.map(function (c) { return c.r; }).concat([5]));
    var rMax = Math.max.apply(null, circles.map(function (c) { return c.r; }).concat([32]));
    ctx.font = "100px " + FONT;
    placed = [];
    circles.forEach(function (c, rank) {
      var top = rank < LABELLED_ANYWAY;
      if (!c.always && !top && c.r * scale < DOT) return;
      var text = labelText(c.id);
      if (widths[text] === undefined) widths[text] = ctx.measureText(text).width;
      var t = rMax > rMin ? (c.r - rMin) / (rMax - rMin) : 0.5;
      var px = Math.min(LABEL_MAX, Math.max(LABEL_MIN, (9 + 11 * t) * scale));
      var size = px / scale, width = widths[text] * px / 100 / scale, height = 1.25 * size;
      var gap = 2 / scale, pad = 6 / scale;  // pad: the least space between two labels in a row
      var options = [
        { left: c.x - width / 2, top: c.y + c.r + gap },  // below
        { left: c.x - width / 2, top: c.y - c.r - gap - height },  // above
        { left: c.x + c.r + gap * 2, top: c.y - height / 2 },  // right
        { left: c.x - c.r - gap * 2 - width, top: c.y - height / 2 },  // left
        { left: c.x + c.r * 0.7, top: c.y + c.r * 0.7 },  // the corners
        { left: c.x + c.r * 0.7, top: c.y - c.r * 0.7 - height },
        { left: c.x - c.r * 0.7 - width, top: c.y + c.r * 0.7 },
        { left: c.x - c.r * 0.7 - width, top: c.y - c.r * 0.7 - height }
      ];
      for (var o = 0; o < options.length; o++) {
        var box = { left: options[o].left, top: options[o].top, right: options[o].left + width,
                    bottom: options[o].top + height, id: c.id, text: text, size: size };
        if (!c.always && (box.left < tl.x || box.top < tl.y || box.right > br.x || box.bottom > br.y)) continue;
        var free = true;
        var room = { left: box.left - pad, right: box.right + pad, top: box.top, bottom: box.bottom };
        cells(room, function (k) {
          if (!free || !grid[k]) return;
          grid[k].labels.forEach(function (b) { if (free && overlaps(room, b)) free = false; });
          grid[k].nodes.forEach(function (n) {
            if (!free || n.id === c.id || (top && n.r * scale < DOT)) return;
            if (coversCircle(box, n)) free = false;
          });
        });
        if (!free && !c.always) continue;
        placed.push(box);
        cells(box, function (k) { (grid[k] = grid[k] || { nodes: [], labels: [] }).labels.push(box); });
        return;
      }
    });
    ctx.save();
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    placed.forEach(function (b) {
      ctx.font = b.size + "px " + FONT;
      ctx.lineWidth = 3 / scale;
      ctx.strokeStyle = "#ffffff";
      ctx.strokeText(b.text, b.left, (b.top + b.bottom) / 2);
      ctx.fillStyle = "#111";
      ctx.fillText(b.text, b.left, (b.top + b.bottom) / 2);
    });
    ctx.restore();
  }
  network.on("afterDrawing", placeLabels);
  network.on("hoverNode", function (p) { hovered = p.node; network.redraw(); });
  network.on("blurNode", function () { hovered = null; network.redraw(); });

  // Fit the whole network (circles, with room for the labels below the lowest ones) inside the
  // map's own area, right of the panel, with a margin, before the first frame.
  function fitView() {
    var w = network.canvas.frame.canvas.clientWidth, h = network.canvas.frame.canvas.clientHeight;
    var ids = network.body.nodeIndices;
    if (!ids.length || !w || !h) { network.fit({ animation: false }); return; }
    var box = { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity };
    ids.forEach(function (id) {
      var n = network.body.nodes[id], r = n.options.size;
      box.left = Math.min(box.left, n.x - r); box.right = Math.max(box.right, n.x + r);
      box.top = Math.min(box.top, n.y - r); box.bottom = Math.max(box.bottom, n.y + r);
    });
    var margin = 16, below = 2 * LABEL_MIN;
    var scale = Math.min(1.5, (w - 2 * margin) / Math.max(1, box.right - box.left),
                         (h - 2 * margin - below) / Math.max(1, box.bottom - box.top));
    network.moveTo({
      position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 + below / 2 / scale },
      scale: scale, animation: false
    });
  }
  network.fit({ animation: false });  // sizes the nodes for the current view
  fitView();
  performance.mark("chatgraph:network");
  network.once("afterDrawing", function () {
    window.chatgraphDrawnAt = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });

  function describe() {
    var accounts = nodeView.length;
    var never = nodeView.get({ filter: function (n) { return byId[n.id].np === 1; } }).length;
    var label = D.frames[state.frame];
    // Accounts on the map are the connected ones; those that never posted were only mentioned or
    // replied to, which is why the map shows more accounts than the chat has participants.
    var s = accounts + " accounts" + (never ? " (" + never + " never posted, only mentioned)" : "") +
      " · " + counts.pairs + " pairs · " + counts.fresh + " new connections";
    text("stats", s + (D.frames.length > 1 || label ? " in " + label : ""));
    text("new-label", "new connection in " + label);
    text("frame-label", label);
    document.getElementById("frame").value = String(state.frame);
    var buttons = document.querySelectorAll("#frame-buttons button");
    for (var i = 0; i < buttons.length; i++) buttons[i].className = i === state.frame ? "on" : "";
  }

  function apply() {
    counts = countDegrees();
    var nodeChanges = [];
    D.nodes.forEach(function (n) {
      var v = degree[n.id] || 0;
      if (v !== n.v) { n.v = v; nodeChanges.push({ id: n.id, value: v || 1 }); }
    });
    var edgeChanges = [];
    D.edges.forEach(function (e) {
      var isNew = e.n === state.frame;
      if (isNew !== e.look) { e.look = isNew; edgeChanges.push(edgeLook(e, true)); }
    });
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length && !painted) edges.update(edgeChanges);
    nodeView.refresh();
    edgeView.refresh();
    describe();
    if (painted) network.redraw();
  }

  D.nodes.forEach(function (n) { n.v = degree[n.id] || 0; });

  // Panel: title, legend, kinds, minimum weight, year control.
  text("title", D.title);
  text("subtitle", D.subtitle);
  text("colour-head", D.color === "community" ? "Colour: community" : "Colour: first post");
  var legend = document.getElementById("legend");
  D.legend.forEach(function (item) {
    var li = document.createElement("li");
    var dot = document.createElement("span");
    dot.className = "dot";
    dot.style.background = item.color;
    li.appendChild(dot);
    li.appendChild(document.createTextNode(item.label));
    legend.appendChild(li);
  });
  var kinds = document.getElementById("kinds");
  D.kinds.forEach(function (kind, i) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () { state.kinds[i] = box.checked; apply(); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(kind));
    kinds.appendChild(label);
  });
  var minWeight = document.getElementById("min-weight");
  minWeight.min = String(D.minWeight);
  minWeight.value = String(D.minWeight);
  minWeight.addEventListener("change", function () {
    var v = parseInt(minWeight.value, 10);
    state.minWeight = isNaN(v) ? D.minWeight : Math.max(D.minWeight, v);
    apply();
  });

  var slider = document.getElementById("frame");
  var timer = null;
  function setFrame(i) { state.frame = Math.max(0, Math.min(last, i)); apply(); }
  if (D.frames.length > 1) {
    document.getElementById("frames").hidden = false;
    slider.max = String(last);
    slider.addEventListener("input", function () { setFrame(parseInt(slider.value, 10)); });
    var row = document.getElementById("frame-buttons");
    if (D.frames.length <= 24) {
      D.frames.forEach(function (label, i) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        b.addEventListener("click", function () { setFrame(i); });
        row.appendChild(b);
      });
    }
    var play = document.getElementById("play");
    play.addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; play.textContent = "\u25B6"; return; }
      play.textContent = "\u275A\u275A";
      setFrame(state.frame === last ? 0 : state.frame + 1);
      timer = setInterval(function () {
        if (state.frame >= last) { clearInterval(timer); timer = null; play.textContent = "\u25B6"; return; }
        setFrame(state.frame + 1);
      }, 1200);
    });
  }
  describe();

  window.chatgraphMap = {
    network: network, nodes: nodeView, edges: edgeView, setFrame: setFrame, frames: D.frames,
    painted: painted, pairs: function () { return counts.pairs; },
    // The labels drawn in the last frame, in pixels from the map canvas's top left corner.
    labels: function () {
      return placed.map(function (b) {
        var a = network.canvasToDOM({ x: b.left, y: b.top });
        var z = network.canvasToDOM({ x: b.right, y: b.bottom });
        return { id: b.id, text: b.text, left: a.x, top: a.y, right: z.x, bottom: z.y };
      });
    }
  };
  window.network = network;
})();

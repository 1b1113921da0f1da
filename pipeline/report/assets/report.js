"use strict";
// steplens report charts: plain SVG from the JSON embedded in the page. No network, no
// libraries; every piece of text goes in through textContent, never as markup.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const steps = data.steps;

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    const node = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }
  function tip(node, content) {
    el("title", {}, node).textContent = content;
  }
  function pct(value) {
    return value === null || value === undefined ? "n/a" : Math.round(value * 100) + "%";
  }
  function svgIn(id, width, height) {
    const plot = document.querySelector("#" + id + " .plot");
    const svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    plot.appendChild(svg);
    return svg;
  }
  function empty(id, message) {
    const plot = document.querySelector("#" + id + " .plot");
    const note = document.createElement("p");
    note.className = "empty";
    note.textContent = message;
    plot.appendChild(note);
  }
  function clip(label, n) {
    return label.length > n ? label.slice(0, n - 1) + "\u2026" : label;
  }

  const LABEL = 130, ROW = 22;

  function sentimentChart() {
    const width = 560, room = 34, half = (width - LABEL - 2 * room) / 2, mid = LABEL + room + half;
    const svg = svgIn("chart-sentiment", width, steps.length * ROW + 30);
    el("line", { x1: mid, x2: mid, y1: 4, y2: steps.length * ROW + 8, class: "axis" }, svg);
    steps.forEach(function (row, i) {
      const y = 8 + i * ROW;
      text(svg, LABEL - 6, y + 13, clip(row.name, 20), { "text-anchor": "end" });
      if (!row.mentions) {
        text(svg, mid + 6, y + 13, "no mentions", { class: "dim" });
        return;
      }
      const neg = row.negative_share || 0, pos = row.positive_share || 0;
      const left = el("rect", { x: mid - neg * half, y: y + 3, width: neg * half, height: ROW - 8, class: "neg" }, svg);
      tip(left, row.name + ": " + pct(neg) + " negative of " + row.mentions + " mentions");
      const right = el("rect", { x: mid, y: y + 3, width: pos * half, height: ROW - 8, class: "pos" }, svg);
      tip(right, row.name + ": " + pct(pos) + " positive of " + row.mentions + " mentions");
      text(svg, mid - neg * half - 4, y + 13, pct(neg), { "text-anchor": "end" });
      text(svg, mid + pos * half + 4, y + 13, pct(pos));
    });
    text(svg, mid - 6, steps.length * ROW + 24, "\u2190 negative", { "text-anchor": "end" });
    text(svg, mid + 6, steps.length * ROW + 24, "positive \u2192");
  }

  function effortChart() {
    const width = 560, span = width - LABEL - 70;
    const svg = svgIn("chart-effort", width, steps.length * ROW + 30);
    el("line", { x1: LABEL, x2: LABEL, y1: 4, y2: steps.length * ROW + 8, class: "axis" }, svg);
    steps.forEach(function (row, i) {
      const y = 8 + i * ROW;
      text(svg, LABEL - 6, y + 13, clip(row.name, 20), { "text-anchor": "end" });
      if (!row.mentions) {
        text(svg, LABEL + 6, y + 13, "no mentions");
        return;
      }
      const share = row.high_effort_share || 0;
      const bar = el("rect", { x: LABEL, y: y + 3, width: share * span, height: ROW - 8, class: "neg" }, svg);
      tip(bar, row.name + ": " + pct(share) + " high effort (" + pct(row.high_effort_share_low) + "\u2013" + pct(row.high_effort_share_high) + ")");
      const lo = LABEL + (row.high_effort_share_low || 0) * span;
      const hi = LABEL + (row.high_effort_share_high || 0) * span;
      el("line", { x1: lo, x2: hi, y1: y + ROW / 2 - 1, y2: y + ROW / 2 - 1, class: "whisker" }, svg);
      const mean = row.effort_mean === null ? "" : " \u00b7 mean " + row.effort_mean.toFixed(1);
      text(svg, Math.max(hi, LABEL + share * span) + 5, y + 13, pct(share) + mean);
    });
    text(svg, LABEL, steps.length * ROW + 24, "share of mentions with high effort \u2192");
  }

  function funnelChart() {
    if (!data.has_metrics) return empty("chart-funnel", "Pass a metrics file (--metrics) to see the funnel.");
    const rows = steps.filter(function (row) { return row.entered !== null && row.entered !== undefined; });
    if (!rows.length) return empty("chart-funnel", "The metrics file has no rows for these steps.");
    const width = 560, span = width - LABEL - 100;
    const top = Math.max.apply(null, rows.map(function (row) { return row.entered; })) || 1;
    const svg = svgIn("chart-funnel", width, rows.length * ROW + 14);
    rows.forEach(function (row, i) {
      const y = 8 + i * ROW, w = (row.entered / top) * span, done = (row.completed / top) * span;
      text(svg, LABEL - 6, y + 13, clip(row.name, 20), { "text-anchor": "end" });
      const kept = el("rect", { x: LABEL, y: y + 3, width: done, height: ROW - 8, class: "donebar" }, svg);
      tip(kept, row.name + ": " + row.completed.toLocaleString() + " of " + row.entered.toLocaleString() + " completed");
      const lost = el("rect", { x: LABEL + done, y: y + 3, width: w - done, height: ROW - 8, class: "lostbar" }, svg);
      tip(lost, row.name + ": " + (row.entered - row.completed).toLocaleString() + " lost (" + pct(row.drop_off_rate) + ")");
      text(svg, LABEL + w + 5, y + 13, pct(row.drop_off_rate) + " drop-off");
    });
  }

  function matrixChart() {
    if (!data.has_metrics) return empty("chart-matrix", "Pass a metrics file (--metrics) to place steps on observed friction.");
    const width = 560, height = 380, pad = 46;
    const svg = svgIn("chart-matrix", width, height);
    const x = function (v) { return pad + v * (width - 2 * pad); };
    const y = function (v) { return height - pad - v * (height - 2 * pad); };
    el("line", { x1: pad, x2: width - pad, y1: y(0), y2: y(0), class: "axis" }, svg);
    el("line", { x1: pad, x2: pad, y1: y(0), y2: y(1), class: "axis" }, svg);
    el("line", { x1: x(0.5), x2: x(0.5), y1: y(0), y2: y(1), class: "axis", "stroke-dasharray": "3 3" }, svg);
    el("line", { x1: pad, x2: width - pad, y1: y(0.5), y2: y(0.5), class: "axis", "stroke-dasharray": "3 3" }, svg);
    text(svg, width / 2, height - 10, "observed friction (funnel) \u2192", { "text-anchor": "middle" });
    text(svg, 12, height / 2, "stated friction (comments) \u2192", { transform: "rotate(-90 12 " + height / 2 + ")", "text-anchor": "middle" });
    const traffic = Math.max.apply(null, steps.map(function (row) { return row.entered || 0; })) || 1;
    const ordered = steps.slice().sort(function (a, b) { return (b.entered || 0) - (a.entered || 0); });
    const placed = [];  // label boxes already drawn: [left, right, baseline]
    function labelY(left, right, y) {
      let moved = y;
      while (placed.some(function (b) { return left < b[1] && right > b[0] && Math.abs(moved - b[2]) < 12; })) moved += 12;
      placed.push([left, right, moved]);
      return moved;
    }
    ordered.forEach(function (row) {
      const cx = x(row.observed_friction || 0), cy = y(row.stated_friction || 0);
      const r = 4 + 26 * Math.sqrt((row.entered || 0) / traffic);
      const dot = el("circle", { cx: cx, cy: cy, r: r, class: "bubble" + (row.priority_rank === 1 ? " top" : "") }, svg);
      tip(dot, row.name + ": priority " + Math.round(row.priority_score) + " (rank " + row.priority_rank + "), observed " + (row.observed_friction || 0).toFixed(2) + ", stated " + row.stated_friction.toFixed(2) + ", entered " + (row.entered || 0).toLocaleString());
      const label = clip(row.name, 18);
      text(svg, cx + r + 2, labelY(cx + r + 2, cx + r + 2 + 6.5 * label.length, cy + 4), label);
    });
  }

  function trendsChart() {
    const rows = data.by_period || [];
    if (!rows.length) return empty("chart-trends", "Pass --period-column (the comments' date column) to see trends.");
    const periods = Array.from(new Set(rows.map(function (row) { return row.period; })));
    const cols = 4, cellW = 270, cellH = 120, pad = 30;
    const svg = svgIn("chart-trends", cols * cellW, Math.ceil(steps.length / cols) * cellH + 20);
    steps.forEach(function (step, i) {
      const ox = (i % cols) * cellW, oy = Math.floor(i / cols) * cellH;
      const g = el("g", { transform: "translate(" + ox + "," + oy + ")", class: "trend", "data-step": step.step }, svg);
      text(g, pad, 14, clip(step.name, 30), { "font-weight": "600" });
      const px = function (k) { return pad + (periods.length > 1 ? k / (periods.length - 1) : 0.5) * (cellW - 2 * pad); };
      const py = function (v) { return cellH - pad - v * (cellH - 2 * pad - 8); };
      el("line", { x1: pad, x2: cellW - pad, y1: py(0), y2: py(0), class: "axis" }, g);
      el("line", { x1: pad, x2: cellW - pad, y1: py(1), y2: py(1), class: "axis", "stroke-dasharray": "2 3" }, g);
      text(g, pad - 3, py(1) + 4, "100%", { "text-anchor": "end", "font-size": "9" });
      const mine = rows.filter(function (row) { return row.step === step.step; });
      const series = [["negative_share", "line-neg", "neg"], ["drop_off_rate", "line-drop", "acc"]];
      series.forEach(function (spec) {
        const points = [];
        mine.forEach(function (row) {
          const value = row[spec[0]];
          if (value === null || value === undefined) return;
          const k = periods.indexOf(row.period);
          points.push([px(k), py(value), row, value]);
        });
        if (points.length > 1) el("polyline", { points: points.map(function (p) { return p[0] + "," + p[1]; }).join(" "), class: spec[1] }, g);
        points.forEach(function (p) {
          const few = spec[0] === "negative_share" && !p[2].enough;
          const attrs = { cx: p[0], cy: p[1], r: 2.6 };
          if (few) Object.assign(attrs, { fill: "#fff", stroke: "#c0392b" });
          else attrs.class = spec[2];
          const dot = el("circle", attrs, g);
          tip(dot, step.name + " " + p[2].period + ": " + (spec[0] === "negative_share" ? "negative share " + pct(p[3]) + " of " + p[2].mentions + " mentions" : "drop-off " + pct(p[3])));
        });
      });
      text(g, pad, cellH - 6, periods[0], { "font-size": "9" });
      text(g, cellW - pad, cellH - 6, periods[periods.length - 1], { "font-size": "9", "text-anchor": "end" });
    });
  }

  [matrixChart, sentimentChart, effortChart, funnelChart, trendsChart].forEach(function (draw) {
    draw();
  });
  document.documentElement.setAttribute("data-charts", "drawn");
})();

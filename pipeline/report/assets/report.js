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
    const width = 620, height = 420, left = 58, right = 24, top = 16, bottom = 52;
    const svg = svgIn("chart-matrix", width, height);
    const x = function (v) { return left + v * (width - left - right); };
    const y = function (v) { return height - bottom - v * (height - top - bottom); };
    el("line", { x1: x(0), x2: x(1), y1: y(0), y2: y(0), class: "axis" }, svg);
    el("line", { x1: x(0), x2: x(0), y1: y(0), y2: y(1), class: "axis" }, svg);
    el("line", { x1: x(0.5), x2: x(0.5), y1: y(0), y2: y(1), class: "axis", "stroke-dasharray": "3 3" }, svg);
    el("line", { x1: x(0), x2: x(1), y1: y(0.5), y2: y(0.5), class: "axis", "stroke-dasharray": "3 3" }, svg);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      el("line", { x1: x(v), x2: x(v), y1: y(0), y2: y(0) + 4, class: "axis" }, svg);
      text(svg, x(v), y(0) + 15, v.toFixed(2), { "text-anchor": "middle", class: "tick" });
      el("line", { x1: x(0) - 4, x2: x(0), y1: y(v), y2: y(v), class: "axis" }, svg);
      text(svg, x(0) - 6, y(v) + 4, v.toFixed(2), { "text-anchor": "end", class: "tick" });
    });
    text(svg, (x(0) + x(1)) / 2, height - 12, "observed friction (funnel: drop-off, time, contacts; 0\u20131) \u2192", { "text-anchor": "middle" });
    const mid = (y(0) + y(1)) / 2;
    text(svg, 14, mid, "stated friction (comments; 0\u20131) \u2192", { transform: "rotate(-90 14 " + mid + ")", "text-anchor": "middle" });
    const traffic = Math.max.apply(null, steps.map(function (row) { return row.entered || 0; })) || 1;
    const ordered = steps.slice().sort(function (a, b) { return (b.entered || 0) - (a.entered || 0); });
    const placed = [];  // label boxes already drawn: [left, top, right, bottom]
    function free(box) {
      return box[0] >= x(0) + 2 && box[2] <= width - 2 && box[1] >= 0 && box[3] <= y(0) - 1 &&
        !placed.some(function (b) { return box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]; });
    }
    ordered.forEach(function (row) {
      const cx = x(row.observed_friction || 0), cy = y(row.stated_friction || 0);
      const r = 4 + 26 * Math.sqrt((row.entered || 0) / traffic);
      const dot = el("circle", { cx: cx, cy: cy, r: r, class: "bubble" + (row.priority_rank === 1 ? " top" : "") }, svg);
      tip(dot, row.name + ": priority " + Math.round(row.priority_score) + " (rank " + row.priority_rank + "), observed " + (row.observed_friction || 0).toFixed(2) + ", stated " + row.stated_friction.toFixed(2) + ", entered " + (row.entered || 0).toLocaleString());
      const label = row.name, w = 6.2 * label.length, h = 12;
      // right of the bubble, left of it, above, below; then further down until free
      const candidates = [[cx + r + 3, cy - h / 2], [cx - r - 3 - w, cy - h / 2], [cx - w / 2, cy - r - 3 - h], [cx - w / 2, cy + r + 3]];
      for (let step = 1; step < 30; step++) candidates.push([cx + r + 3, cy - h / 2 + step * h], [cx + r + 3, cy - h / 2 - step * h]);
      let chosen = candidates[0];
      for (const c of candidates) {
        if (free([c[0], c[1], c[0] + w, c[1] + h])) { chosen = c; break; }
      }
      placed.push([chosen[0], chosen[1], chosen[0] + w, chosen[1] + h]);
      const node = text(svg, chosen[0], chosen[1] + h - 2, label, { class: "bubble-label" });
      if (Math.abs(chosen[1] + h / 2 - cy) > r + h) {
        el("line", { x1: cx, y1: cy, x2: chosen[0], y2: chosen[1] + h / 2, class: "leader" }, svg);
      }
      tip(node, row.name);
    });
  }

  function trendsChart() {
    const rows = data.by_period || [];
    if (!rows.length) return empty("chart-trends", "Pass --period-column (the comments' date column) to see trends.");
    const periods = Array.from(new Set(rows.map(function (row) { return row.period; })));
    const cols = 4, cellW = 270, cellH = 126, pad = 30, left = 40, legend = 26;
    const svg = svgIn("chart-trends", cols * cellW, Math.ceil(steps.length / cols) * cellH + legend + 8);
    const key = el("g", { class: "legend" }, svg);
    el("line", { x1: left, x2: left + 24, y1: 12, y2: 12, class: "line-neg" }, key);
    text(key, left + 30, 16, "negative share of the step's mentions");
    el("line", { x1: left + 270, x2: left + 294, y1: 12, y2: 12, class: "line-drop" }, key);
    text(key, left + 300, 16, "drop-off rate (metrics)");
    el("circle", { cx: left + 470, cy: 12, r: 2.6, fill: "#fff", stroke: "#c0392b" }, key);
    text(key, left + 478, 16, "fewer than 30 mentions that " + (data.period_kind || "period"));
    steps.forEach(function (step, i) {
      const ox = (i % cols) * cellW, oy = legend + Math.floor(i / cols) * cellH;
      const g = el("g", { transform: "translate(" + ox + "," + oy + ")", class: "trend", "data-step": step.step }, svg);
      text(g, left, 14, clip(step.name, 34), { "font-weight": "600" });
      const px = function (k) { return left + (periods.length > 1 ? k / (periods.length - 1) : 0.5) * (cellW - left - pad); };
      const py = function (v) { return cellH - pad - v * (cellH - 2 * pad - 8); };
      [0, 0.5, 1].forEach(function (v) {
        el("line", { x1: left, x2: cellW - pad, y1: py(v), y2: py(v), class: "axis", "stroke-dasharray": v ? "2 3" : "" }, g);
        text(g, left - 4, py(v) + 3, Math.round(v * 100) + "%", { "text-anchor": "end", class: "tick" });
      });
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
      text(g, left, cellH - 8, periods[0], { class: "tick" });
      text(g, cellW - pad, cellH - 8, periods[periods.length - 1], { class: "tick", "text-anchor": "end" });
    });
  }

  [matrixChart, sentimentChart, effortChart, funnelChart, trendsChart].forEach(function (draw) {
    draw();
  });
  document.documentElement.setAttribute("data-charts", "drawn");
})();

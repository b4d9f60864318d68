// report.html's script: sorting and filtering the ranked table, a trial's
// parameters on hover, highlighting and detail on click, and under
// `sweep serve` the live update. The page is complete without it.
(function () {
  "use strict";
  var doc = document, body = doc.body;
  var ui = { sort: null, picked: null };
  var data, byN;
  body.classList.add("js");

  function load() {
    data = JSON.parse(doc.getElementById("trial-data").textContent);
    byN = new Map();
    data.trials.forEach(function (t) { byN.set(t.n, t); });
  }

  function fmt(v) {
    if (v === null) return ""; // a parameter whose when: did not hold
    if (typeof v !== "number") return String(v);
    if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4)) return v.toPrecision(3);
    return String(+v.toPrecision(6));
  }

  function summary(t) {
    var lines = ["Trial " + t.n + " · " + t.state + (t.stage ? " · " + t.stage : "")];
    if (t.value !== undefined) lines.push(data.metric + " " + fmt(t.value));
    (data.more || []).forEach(function (name, i) { if (t.more) lines.push(name + " " + fmt(t.more[i])); });
    data.params.forEach(function (name, i) { lines.push(name + " = " + fmt(t.params[i])); });
    return lines.join("\n");
  }

  // Hover: any mark standing for a trial shows it.
  var tip = doc.getElementById("tip");
  doc.addEventListener("mouseover", function (e) {
    var el = e.target.closest && e.target.closest("svg [data-trial]");
    var t = el && byN.get(+el.getAttribute("data-trial"));
    if (!t) { tip.hidden = true; return; }
    tip.textContent = summary(t);
    tip.setAttribute("data-trial", t.n);
    tip.hidden = false;
    place(e);
  });
  doc.addEventListener("mousemove", function (e) { if (!tip.hidden) place(e); });
  function place(e) {
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 300) + "px";
    tip.style.top = (e.clientY + 14) + "px";
  }

  // Click: a mark or a row picks its trial; again, or Escape, lets go.
  doc.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    if (e.target.closest("#detail .close")) { pick(null); return; }
    if (e.target.closest("#detail, #controls")) return;
    if (e.target.closest("th")) return;
    var el = e.target.closest("[data-trial], [data-final], [data-failed], [data-front]");
    if (!el || el.id === "tip") return;
    var n = +(el.getAttribute("data-trial") || el.getAttribute("data-final") || el.getAttribute("data-failed") || el.getAttribute("data-front"));
    pick(ui.picked === n ? null : n);
  });
  doc.addEventListener("keydown", function (e) { if (e.key === "Escape") pick(null); });

  function pick(n) {
    ui.picked = n;
    showPicked();
  }

  function showPicked() {
    var n = ui.picked;
    doc.querySelectorAll(".sel").forEach(function (el) { el.classList.remove("sel"); });
    body.classList.toggle("picked", n !== null);
    var detail = doc.getElementById("detail");
    var t = n === null ? null : byN.get(n);
    if (!t) { detail.hidden = true; body.classList.remove("picked"); return; }
    doc.querySelectorAll('[data-trial="' + n + '"], [data-final="' + n + '"], [data-failed="' + n + '"], [data-front="' + n + '"]').forEach(function (el) {
      if (el.id !== "tip") el.classList.add("sel");
    });
    renderDetail(detail, t);
    detail.hidden = false;
  }

  function el(tag, text, attrs) {
    var e = doc.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function renderDetail(detail, t) {
    detail.textContent = "";
    detail.setAttribute("data-trial-detail", t.n);
    detail.appendChild(el("button", "close", { "class": "close", type: "button" }));
    detail.appendChild(el("h3", "Trial " + t.n));
    var rows = [["state", t.state + (t.stage ? " (" + t.stage + " stage)" : "")]];
    if (t.value !== undefined) rows.push([data.metric, fmt(t.value)]);
    if (t.test !== undefined) rows.push(["test accuracy", fmt(t.test)]);
    data.params.forEach(function (name, i) { rows.push([name, fmt(t.params[i])]); });
    rows.push(["seeds", (t.seeds || []).join(", ")]);
    rows.push(["epochs", String(t.metric.length)]);
    rows.push(["seconds", fmt(t.secs)]);
    var table = el("table");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", r[0]));
      tr.appendChild(el("td", r[1]));
      table.appendChild(tr);
    });
    detail.appendChild(table);
    if (t.reason) detail.appendChild(el("p", "Failed: " + t.reason, { "class": "reason" }));
    if (t.metric.length > 0) {
      detail.appendChild(curve(data.metric + " per epoch", [[t.metric, "#0072B2"]]));
      detail.appendChild(curve("loss per epoch (solid: validation, dashed: training)", [[t.val_loss, "#D55E00"], [t.train_loss, "#D55E00", "4 3"]]));
    }
    if (t.log) {
      detail.appendChild(el("h4", "Log (end)"));
      detail.appendChild(el("pre", t.log, { "class": "log" }));
    }
  }

  // curve draws a small line chart of per-epoch series.
  function curve(title, series) {
    var NS = "http://www.w3.org/2000/svg", W = 360, H = 150, L = 44, B = 20, T = 8;
    var svg = doc.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", W);
    svg.setAttribute("font-size", "10");
    var all = [];
    series.forEach(function (s) { s[0].forEach(function (v) { if (v !== null) all.push(v); }); });
    var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
    if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
    var n = Math.max.apply(null, series.map(function (s) { return s[0].length; }));
    function x(i) { return L + (n > 1 ? i / (n - 1) : 0.5) * (W - L - 8); }
    function y(v) { return T + (1 - (v - lo) / (hi - lo)) * (H - T - B); }
    function add(tag, attrs, text) {
      var e = doc.createElementNS(NS, tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text) e.textContent = text;
      svg.appendChild(e);
    }
    add("rect", { x: L, y: T, width: W - L - 8, height: H - T - B, fill: "none", stroke: "#bbb" });
    add("text", { x: L - 4, y: y(hi) + 4, "text-anchor": "end" }, fmt(+hi.toPrecision(3)));
    add("text", { x: L - 4, y: y(lo), "text-anchor": "end" }, fmt(+lo.toPrecision(3)));
    add("text", { x: L, y: H - 6 }, "1");
    add("text", { x: W - 8, y: H - 6, "text-anchor": "end" }, "epoch " + n);
    series.forEach(function (s) {
      var pts = [];
      s[0].forEach(function (v, i) { if (v !== null) pts.push(x(i).toFixed(1) + "," + y(v).toFixed(1)); });
      add("polyline", { points: pts.join(" "), fill: "none", stroke: s[1], "stroke-width": 1.6, "stroke-dasharray": s[2] || "none" });
    });
    var fig = el("figure");
    fig.appendChild(el("figcaption", title));
    fig.appendChild(svg);
    return fig;
  }

  // Sorting: a header click sorts its table by that column, again reverses.
  doc.addEventListener("click", function (e) {
    var th = e.target.closest && e.target.closest("table.trials th");
    if (!th) return;
    var table = th.closest("table");
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var dir = ui.sort && ui.sort.table === table.id && ui.sort.col === col && ui.sort.dir === 1 ? -1 : 1;
    ui.sort = { table: table.id, col: col, dir: dir };
    applySort();
  });

  function key(td) {
    var s = td ? td.textContent.trim() : "";
    var m = /^[-+]?(\d|\.\d)/.test(s) ? parseFloat(s) : NaN;
    return { s: s, n: m };
  }

  function applySort() {
    if (!ui.sort) return;
    var table = doc.getElementById(ui.sort.table);
    if (!table) return;
    var col = ui.sort.col, dir = ui.sort.dir;
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (x.s === "" || y.s === "") return (x.s === "") - (y.s === "");
      var c = !isNaN(x.n) && !isNaN(y.n) ? x.n - y.n : x.s.localeCompare(y.s);
      return c * dir;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    table.querySelectorAll("th").forEach(function (h, i) {
      if (i === col) h.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      else h.removeAttribute("aria-sort");
    });
  }

  // Filters: by state and by each parameter's range or value.
  var form = doc.getElementById("controls");
  function buildControls() {
    var states = form.elements.state, have = {};
    Array.prototype.forEach.call(states.options, function (o) { have[o.value] = true; });
    data.trials.forEach(function (t) {
      if (!have[t.state]) { have[t.state] = true; states.appendChild(el("option", t.state, { value: t.state })); }
    });
    var box = doc.getElementById("param-filters");
    data.params.forEach(function (name, i) {
      var values = data.trials.map(function (t) { return t.params[i]; });
      var present = values.filter(function (v) { return v !== null; }); // null: not in that trial
      var numeric = present.length > 0 && present.every(function (v) { return typeof v === "number"; });
      if (numeric) {
        ["min", "max"].forEach(function (end) {
          if (form.elements["p" + i + end]) return;
          var lab = el("label", name + " " + end + " ");
          lab.appendChild(el("input", null, { name: "p" + i + end, type: "number", step: "any" }));
          box.appendChild(lab);
        });
        return;
      }
      var sel = form.elements["p" + i];
      if (!sel) {
        var lab = el("label", name + " ");
        sel = el("select", null, { name: "p" + i });
        sel.appendChild(el("option", "any", { value: "" }));
        lab.appendChild(sel);
        box.appendChild(lab);
      }
      var seen = {};
      Array.prototype.forEach.call(sel.options, function (o) { seen[o.value] = true; });
      present.forEach(function (v) {
        var s = String(v);
        if (!seen[s]) { seen[s] = true; sel.appendChild(el("option", s, { value: s })); }
      });
    });
    form.hidden = false;
  }

  function passes(t) {
    var f = form.elements;
    if (f.state.value && t.state !== f.state.value) return false;
    for (var i = 0; i < data.params.length; i++) {
      var v = t.params[i];
      if (f["p" + i] && f["p" + i].value !== "" && String(v) !== f["p" + i].value) return false;
      var lo = f["p" + i + "min"], hi = f["p" + i + "max"];
      if (v === null && (lo && lo.value !== "" || hi && hi.value !== "")) return false;
      if (lo && lo.value !== "" && v < +lo.value) return false;
      if (hi && hi.value !== "" && v > +hi.value) return false;
    }
    return true;
  }

  function applyFilter() {
    var shown = 0, total = 0;
    doc.querySelectorAll("[data-trial]").forEach(function (e) {
      if (e.id === "tip") return;
      var t = byN.get(+e.getAttribute("data-trial"));
      var ok = !t || passes(t);
      e.classList.toggle("out", !ok);
      if (e.tagName === "TR") { total++; if (ok) shown++; }
    });
    doc.getElementById("shown").textContent = shown + " of " + total + " ranked trials shown";
  }
  form.addEventListener("input", applyFilter);
  form.addEventListener("change", applyFilter);
  form.addEventListener("reset", function () { setTimeout(applyFilter, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  // Live: poll the server's version of the study; on a change, fetch the
  // page again and swap in its main part, keeping sort, filter and pick.
  function live() {
    var token = new URLSearchParams(location.search).get("token");
    var q = token ? "?token=" + encodeURIComponent(token) : "";
    var main = doc.getElementById("main"), status = doc.getElementById("live-state");
    function poll() {
      fetch("version" + q, { cache: "no-store" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      }).then(function (v) {
        if (v === main.getAttribute("data-version")) { schedule(); return; }
        return fetch(location.pathname + q, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
          if (next) {
            main.innerHTML = next.innerHTML;
            main.setAttribute("data-version", next.getAttribute("data-version"));
            refresh();
          }
          status.textContent = "updated " + new Date().toLocaleTimeString() + " · " + data.trials.length + " trials";
          schedule();
        });
      }).catch(function (err) {
        status.textContent = "server unreachable (" + err.message + "); retrying";
        schedule();
      });
    }
    function schedule() { setTimeout(poll, 1000); }
    schedule();
  }

  function refresh() {
    load();
    buildControls();
    applySort();
    applyFilter();
    showPicked();
  }

  refresh();
  if (body.getAttribute("data-live")) live();
})();

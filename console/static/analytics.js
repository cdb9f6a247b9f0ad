/*
 * The analysts' figures: draws one Figures JSON (analytics/figures.py) into the part
 * _analytics_figures.html, with Chart.js charts and a table of the same numbers beside each.
 *
 * Used twice, unchanged: on the console page (fetches /api/analytics/summary for the period
 * in #analytics-form) and inlined into the offline report (reads #analytics-data).
 * Every value goes into the page with textContent, never innerHTML: cluster examples are
 * (masked) customer text. Texts come from the part's #analytics-texts block.
 */
(function () {
  "use strict";

  var COLORS = ["#1f5fa8", "#e07b1a", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d"];
  var textsEl = document.getElementById("analytics-texts");
  var TEXTS = textsEl ? JSON.parse(textsEl.textContent) : {};
  var charts = [];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o === null || o === undefined ? o : o[k]; }, obj);
  }

  function number(n) {
    return n === null || n === undefined ? TEXTS.not_available : Number(n).toLocaleString("ja-JP");
  }

  function percent(x) {
    return x === null || x === undefined ? TEXTS.not_available : (x * 100).toFixed(1) + "%";
  }

  function figureText(key, d) {
    if (key === "period") { return d.period.first + " 〜 " + d.period.last; }
    if (key === "generated_at") { return d.generated_at.replace("T", " ").slice(0, 16); }
    if (key === "containment" || key === "handoff_rate") { return percent(d[key]); }
    if (key === "tickets.median_days_to_close") {
      var days = d.tickets.median_days_to_close;
      return days === null ? TEXTS.not_available : days + " " + TEXTS.days;
    }
    return number(get(d, key));
  }

  /* What one chart shows: its labels, datasets and the same numbers as table rows. */
  function series(key, d) {
    if (key === "per_day") {
      return {
        labels: d.per_day.map(function (p) { return p.day; }),
        datasets: [
          { label: TEXTS.conversations, data: d.per_day.map(function (p) { return p.conversations; }) },
          { label: TEXTS.messages, data: d.per_day.map(function (p) { return p.messages; }) }
        ],
        headers: [TEXTS.day, TEXTS.conversations, TEXTS.messages],
        rows: d.per_day.map(function (p) { return [p.day, number(p.conversations), number(p.messages)]; }),
        empty: !d.per_day.some(function (p) { return p.conversations || p.messages; })
      };
    }
    var items = get(d, key) || [];
    return {
      labels: items.map(function (i) { return i.label; }),
      datasets: [{ label: TEXTS.value, data: items.map(function (i) { return i.count; }) }],
      headers: [TEXTS.label, TEXTS.value],
      rows: items.map(function (i) { return [i.label, number(i.count)]; }),
      empty: !items.some(function (i) { return i.count; })
    };
  }

  /* A long label (a policy section's title) is shortened on the axis; the table has it whole. */
  function shortLabel(value) {
    var label = String(this.getLabelForValue(value));
    return label.length > 12 ? label.slice(0, 11) + "…" : label;
  }

  function table(headers, rows) {
    var t = el("table", "list");
    var head = el("tr");
    headers.forEach(function (h) { var th = el("th", null, h); th.scope = "col"; head.appendChild(th); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (c) { tr.appendChild(el("td", null, c)); });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function drawChart(section, d) {
    var key = section.getAttribute("data-chart");
    var old = section.querySelector(".chart-body");
    if (old) { section.removeChild(old); }
    var s = series(key, d);
    var body = el("div", "chart-body");
    section.appendChild(body);
    if (s.empty) { body.appendChild(el("p", "hint", TEXTS.none)); return; }
    var title = section.querySelector("h2").textContent;
    var box = el("div", "chart-box");
    var canvas = el("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", title + TEXTS.chart_of);
    box.appendChild(canvas);
    body.appendChild(box);
    var details = el("details");
    details.appendChild(el("summary", null, TEXTS.table_of));
    details.appendChild(table(s.headers, s.rows));
    body.appendChild(details);
    if (!window.Chart) { details.open = true; return; }
    var line = section.getAttribute("data-chart-type") === "line";
    s.datasets.forEach(function (ds, i) {
      ds.backgroundColor = COLORS[i % COLORS.length];
      ds.borderColor = COLORS[i % COLORS.length];
    });
    charts.push(new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: s.labels, datasets: s.datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: line || key === "confidence" ? "x" : "y",
        plugins: { legend: { display: s.datasets.length > 1 } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0, callback: line || key === "confidence" ? undefined : shortLabel } }
        }
      }
    }));
  }

  function drawClusters(tbody, d) {
    tbody.textContent = "";
    if (!d.clusters.length) {
      var tr = el("tr"); var td = el("td", null, TEXTS.none); td.colSpan = 5; tr.appendChild(td); tbody.appendChild(tr);
      return;
    }
    d.clusters.forEach(function (c) {
      var tr = el("tr");
      var examples = el("td");
      var list = el("ul", "examples");
      c.examples.forEach(function (text) { list.appendChild(el("li", null, text)); });
      examples.appendChild(list);
      tr.appendChild(examples);
      tr.appendChild(el("td", null, number(c.conversations)));
      tr.appendChild(el("td", null, number(c.messages)));
      tr.appendChild(el("td", null, c.intents.map(function (i) { return i.label; }).join("・")));
      tr.appendChild(el("td", null, c.suggestion_label));
      tbody.appendChild(tr);
    });
  }

  /* The one entry (window.SobuAnalytics.render): draws figures JSON into `root` (the part's
   * #analytics) and fetches nothing, so the offline report can call it with embedded data. */
  function render(root, d) {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    Array.prototype.forEach.call(root.querySelectorAll("[data-figure]"), function (node) {
      node.textContent = figureText(node.getAttribute("data-figure"), d);
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-chart]"), function (section) { drawChart(section, d); });
    var clusters = root.querySelector("[data-clusters]");
    if (clusters) { drawClusters(clusters, d); }
    root.setAttribute("data-rendered", "true");
  }

  window.SobuAnalytics = { render: render };

  /* The offline report: the figures are in the page. */
  var embedded = document.getElementById("analytics-data");
  if (embedded) {
    render(document.getElementById("analytics"), JSON.parse(embedded.textContent));
    return;
  }

  /* The console page: the figures of the chosen period, from the API. */
  var form = document.getElementById("analytics-form");
  if (!form) { return; }
  var errorEl = document.getElementById("analytics-error");
  var query = function () {
    var first = form.elements.from.value, last = form.elements.to.value;
    if (first || last) { return "from=" + encodeURIComponent(first || last) + "&to=" + encodeURIComponent(last || first); }
    return "days=" + encodeURIComponent(form.elements.days.value);
  };
  var load = function () {
    return fetch("/api/analytics/summary?" + query(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) {
        if (resp.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname); throw new Error("401"); }
        return resp.json().then(function (body) {
          if (!resp.ok) { throw new Error(body.error || String(resp.status)); }
          return body;
        });
      })
      .then(function (d) { errorEl.hidden = true; render(document.getElementById("analytics"), d); })
      .catch(function (error) {
        // The API's own Japanese message (e.g. a bad period), else the general one.
        errorEl.textContent = /^\d+$/.test(error.message) || !/[^\x00-\x7f]/.test(error.message) ? TEXTS.load_error : error.message;
        errorEl.hidden = false;
      });
  };
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  form.elements.days.addEventListener("change", function () { form.elements.from.value = ""; form.elements.to.value = ""; load(); });
  load();
})();

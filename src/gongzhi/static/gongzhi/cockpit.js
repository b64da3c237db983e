// The cockpit's charts and map, drawn from the figures the page carries (json_script "cockpit-data").
// A child area on a ranking or on the map opens that area's cockpit for the same period. In big-screen
// mode (body.ck-big) the figures are fetched again every data-seconds and everything is redrawn.
(function () {
  "use strict";
  var big = document.body.classList.contains("ck-big");
  var charts = [];
  var query = window.location.search.replace(/^\?/, "");

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function num(v, fmt) {
    if (v === null || v === undefined) { return "—"; }
    if (fmt === "rate") { return pct(v); }
    if (fmt === "hours" || fmt === "number" || fmt === "money" || fmt === "percent") { return Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 1 }); }
    return Math.round(v).toLocaleString("zh-CN");
  }
  function drill(url) { window.location.href = url + (query ? "?" + query : ""); }

  function base() {
    var size = big ? 18 : 13;
    return {
      backgroundColor: "transparent",
      textStyle: { fontSize: size },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", textStyle: { fontSize: size } },
      legend: { top: 0, textStyle: { fontSize: size } },
      animation: !big
    };
  }

  function chart(el, option) {
    if (!el || typeof echarts === "undefined") { return null; }
    var c = echarts.getInstanceByDom(el) || echarts.init(el, big ? "dark" : null, { renderer: "canvas" });
    var o = Object.assign(base(), option);
    if (el.clientWidth < 500 && o.legend && o.legend.show !== false) { o.grid = Object.assign({}, o.grid, { top: 64 }); }
    c.setOption(o, true);
    charts.push(c);
    return c;
  }

  function isRate(panel, key) {
    var t = panel.tiles.filter(function (x) { return x.key === key; })[0];
    return t && t.fmt === "rate";
  }

  function series(el, panel) {
    var lines = panel.series.lines;
    var rates = lines.length && lines.every(function (l) { return isRate(panel, l.key); });
    chart(el, {
      xAxis: { type: "category", data: panel.series.labels, axisLabel: { fontSize: big ? 16 : 12 } },
      yAxis: { type: "value", axisLabel: { formatter: rates ? function (v) { return Math.round(v * 100) + "%"; } : null } },
      tooltip: { trigger: "axis", valueFormatter: rates ? pct : null },
      series: lines.map(function (l) {
        return { name: l.label, type: panel.chart === "bar" ? "bar" : "line", smooth: true, data: l.values, connectNulls: true };
      })
    });
  }

  function ranking(el, panel) {
    var rows = panel.ranking.rows.slice(0, big ? 10 : 15).reverse();
    el.style.height = Math.max(160, rows.length * (big ? 34 : 28) + 40) + "px";
    var c = chart(el, {
      legend: { show: false },
      tooltip: { trigger: "item" },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { fontSize: big ? 16 : 12 } },
      series: [{ type: "bar", name: panel.ranking.label, data: rows.map(function (r) { return r.value; }), cursor: "pointer", itemStyle: { color: "#b3261e" } }]
    });
    if (c) {
      c.off("click");
      c.on("click", function (p) { drill(rows[p.dataIndex].url); });
    }
  }

  function categories(el, panel) {
    chart(el, {
      tooltip: { trigger: "item" },
      legend: { show: false },
      series: [{ type: "pie", radius: ["35%", "65%"], data: panel.categories, label: { fontSize: big ? 16 : 12 } }]
    });
  }

  function containment(el, panel) {
    chart(el, {
      legend: { show: false },
      tooltip: { trigger: "axis", valueFormatter: pct },
      xAxis: { type: "category", data: panel.containment.map(function (r) { return r.label; }) },
      yAxis: { type: "value", max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } },
      series: [{ type: "bar", data: panel.containment.map(function (r) { return r.value; }), itemStyle: { color: "#1b6e3a" } }]
    });
  }

  // Labels drawn when the base map cannot load (the shared helper's plain map): the places with the most
  // open appeals and their count, or, with none open, the areas one level down (when few enough to read).
  var PLAIN_LABELS = 8;
  var shownMap = null;  // the appeals panel's map: made once, its circles drawn again at every refresh

  function drawMap(el, panel, children) {
    if (typeof L === "undefined" || typeof gongzhiMap === "undefined") { return; }
    var located = function (p) { return p.lat !== null && p.lat !== undefined && p.lng !== null && p.lng !== undefined; };
    var points = (panel.map || []).filter(located);
    var placed = children.filter(located);
    var labels = points.length
      ? points.slice(0, PLAIN_LABELS).map(function (p) { return { name: p.name + " · " + p.open, lat: p.lat, lng: p.lng }; })
      : placed.slice(0, 4 * PLAIN_LABELS);
    var first = shownMap === null;
    if (first) {
      var map = gongzhiMap(el, { places: labels, zoomControl: !big, map: { zoomSnap: 0.25, scrollWheelZoom: false } });
      shownMap = { map: map, circles: L.layerGroup().addTo(map) };
    } else {
      shownMap.circles.clearLayers();
      shownMap.map.gongzhiPlaces(labels);
    }
    var bounds = [];
    placed.forEach(function (c) {
      bounds.push([c.lat, c.lng]);
      L.circleMarker([c.lat, c.lng], { radius: 6, color: "#5f5a57", weight: 1, fillOpacity: 0.3 })
        .bindTooltip(gongzhiMap.text(c.name)).on("click", function () { drill(c.url); }).addTo(shownMap.circles);
    });
    points.forEach(function (p) {
      bounds.push([p.lat, p.lng]);
      var r = Math.min(30, 6 + Math.sqrt(p.open) * 3);
      L.circleMarker([p.lat, p.lng], { radius: r, color: p.late ? "#b3261e" : "#d08a00", weight: 2, fillOpacity: 0.45 })
        .bindTooltip(gongzhiMap.text(p.name + " · " + el.dataset.openLabel + " " + p.open + " · " + el.dataset.lateLabel + " " + p.late))
        .addTo(shownMap.circles);
    });
    if (!first) { return; }  // a refresh keeps the view where it is
    if (bounds.length) { shownMap.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 }); } else { shownMap.map.setView([30.3, 120.15], 11); }
  }

  function draw(data) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    data.panels.forEach(function (panel) {
      var box = document.getElementById("panel-" + panel.app);
      if (!box) { return; }
      box.querySelectorAll("[data-chart]").forEach(function (el) {
        var kind = el.dataset.chart;
        if (kind === "series") { series(el, panel); }
        if (kind === "ranking" && panel.ranking && panel.ranking.shown) { ranking(el, panel); }
        if (kind === "categories" && panel.categories) { categories(el, panel); }
        if (kind === "containment" && panel.containment) { containment(el, panel); }
      });
      panel.tiles.forEach(function (t) {
        var dd = box.querySelector('[data-key="' + t.key + '"] dd');
        if (dd) { dd.textContent = num(t.value, t.fmt); }
      });
      var m = box.querySelector(".ck-map");
      if (m) { drawMap(m, panel, data.children); }
    });
  }

  // The big screen shows itself: one screenful after another every 15 seconds, then from the top again.
  function tour() {
    window.setInterval(function () {
      var bottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 4;
      window.scrollTo({ top: bottom ? 0 : window.scrollY + window.innerHeight - 120, behavior: "smooth" });
    }, 15000);
  }

  // Hot issues come after the page shows (they take a clustering of the period's appeals).
  function hot() {
    document.querySelectorAll(".ck-hot-box[data-url]").forEach(function (box) {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.hot.length) { return; }
          var list = box.querySelector(".ck-hot");
          list.textContent = "";
          data.hot.forEach(function (h) {
            var li = document.createElement("li");
            var title = document.createElement("strong");
            title.textContent = h.title;
            var meta = document.createElement("span");
            meta.className = "muted small";
            meta.textContent = " " + [h.place, h.category, h.size_text].filter(Boolean).join(" · ");
            li.appendChild(title);
            li.appendChild(meta);
            list.appendChild(li);
          });
          box.hidden = false;
        })
        .catch(function () { /* the rest of the cockpit stands without them */ });
    });
  }

  function start() {
    var node = document.getElementById("cockpit-data");
    if (!node) { return; }
    draw(JSON.parse(node.textContent));
    hot();
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    var url = document.body.dataset.refresh;
    if (big) { tour(); }
    if (big && url) {
      window.setInterval(function () {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (!data) { return; }
            draw(data);
            var fresh = document.querySelector(".ck-fresh");
            if (fresh && data.refreshed_at) { fresh.textContent = data.refreshed_at.slice(0, 16).replace("T", " "); }
          })
          .catch(function () { /* keep the figures shown; try again next time */ });
      }, 1000 * Number(document.body.dataset.seconds || 60));
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

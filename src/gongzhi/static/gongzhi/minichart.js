/* Small charts beside lists (mall stock, hours by month, wish states): each element
 * <div class="minichart" data-chart="ID" role="img" aria-label="…"> is drawn with ECharts from the JSON
 * that {{ figures|json_script:"ID" }} put in the page: {kind: "bar"|"pie", labels: [...], series: [{name, values}]}. */
"use strict";
(function () {
  const COLOURS = ["#b3261e", "#1b6e3a", "#d99a1e", "#3b6ea5", "#8c1d18", "#5f5a57", "#9bb7d4"];

  function option(spec) {
    if (spec.kind === "pie") {
      const s = spec.series[0];
      return {
        color: COLOURS,
        tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "42%"], label: { formatter: "{b} {c}" },
          data: spec.labels.map((label, i) => ({ name: label, value: s.values[i] })) }],
      };
    }
    return {
      color: COLOURS,
      tooltip: { trigger: "axis" },
      legend: { show: spec.series.length > 1, bottom: 0 },
      grid: { left: 40, right: 12, top: 16, bottom: spec.series.length > 1 ? 56 : 32, containLabel: true },
      xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map((s) => ({ type: "bar", name: s.name, data: s.values, barMaxWidth: 28 })),
    };
  }

  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll(".minichart[data-chart]").forEach((el) => {
      const source = document.getElementById(el.dataset.chart);
      if (!source) return;
      const chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(JSON.parse(source.textContent)));
      window.addEventListener("resize", () => chart.resize());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

// The alliance project board's chart: projects per category, one stacked bar per state (ECharts).
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("alliance-board-chart");
    var data = document.getElementById("alliance-board-chart-data");
    if (!box || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var colours = ["#e0884a", "#8a6d3b", "#c8161d", "#3b7a57", "#5470c6"];
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 48, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: d.categories, axisLabel: { interval: 0, rotate: d.categories.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: d.series.map(function (s, i) {
        return { name: s.name, type: "bar", stack: "state", data: s.data, itemStyle: { color: colours[i % colours.length] } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();

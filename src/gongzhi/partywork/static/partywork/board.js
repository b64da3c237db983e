// The star rating board's chart: branches by stars, this year beside last year (ECharts).
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("pw-chart");
    var data = document.getElementById("pw-chart-data");
    if (!box || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [d.last_label, d.this_label], top: 0 },
      grid: { left: 36, right: 12, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.last_label, type: "bar", data: d.last_year, itemStyle: { color: "#c9c9c9" } },
        {
          name: d.this_label, type: "bar", data: d.this_year,
          label: { show: true, position: "top" },
          itemStyle: { color: function (p) { return p.dataIndex === 5 ? "#c8161d" : (p.dataIndex === 0 ? "#8a6d3b" : "#e0884a"); } }
        }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();

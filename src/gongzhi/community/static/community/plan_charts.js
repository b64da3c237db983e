// The plan's timeline (planned dates against progress, late tasks in red) and the portfolio heatmap.
(function () {
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var DAY = 86400000;

  function gantt() {
    var box = document.getElementById("gantt");
    var data = read("gantt-data");
    if (!box || !data || !window.echarts) return;
    var tasks = data.tasks;
    box.style.height = Math.max(220, tasks.length * 26 + 60) + "px";
    var chart = echarts.init(box);
    var rows = tasks.map(function (t, i) {
      var start = Date.parse(t.start), due = Date.parse(t.due) + DAY;
      return [i, start, due, t.progress, t.late ? 1 : 0];
    });
    var narrow = box.clientWidth < 600;
    chart.setOption({
      animation: false,
      grid: { left: narrow ? 8 : 230, right: 16, top: 24, bottom: 30, containLabel: narrow ? false : false },
      tooltip: {
        formatter: function (p) {
          var t = tasks[p.value[0]];
          return t.name + "<br>" + t.start + " – " + t.due + "<br>" + t.progress + "%" + (t.late ? " · " + box.dataset.labelLate : "");
        }
      },
      xAxis: { type: "time", position: "top", splitLine: { show: true } },
      yAxis: {
        type: "category", inverse: true, data: tasks.map(function (t) { return t.name; }),
        axisLabel: { show: !narrow, width: 220, overflow: "truncate" }, axisTick: { show: false }
      },
      series: [{
        type: "custom",
        encode: { x: [1, 2], y: 0 },
        data: rows,
        renderItem: function (params, api) {
          var y = api.value(0), start = api.coord([api.value(1), y]), end = api.coord([api.value(2), y]);
          var h = api.size([0, 1])[1] * 0.6, width = Math.max(2, end[0] - start[0]);
          var done = width * api.value(3) / 100, late = api.value(4) === 1;
          var children = [
            { type: "rect", shape: { x: start[0], y: start[1] - h / 2, width: width, height: h }, style: { fill: late ? "#f6c9c5" : "#e8dfdc" } },
            { type: "rect", shape: { x: start[0], y: start[1] - h / 2, width: done, height: h }, style: { fill: late ? "#b3261e" : "#1b6e3a" } }
          ];
          if (narrow) {
            children.push({ type: "text", style: { x: start[0] + 2, y: start[1] - h / 2 - 1, text: tasks[y].name, fontSize: 10, fill: "#1d1b1a", textVerticalAlign: "bottom" } });
          }
          return { type: "group", children: children };
        },
        markLine: {
          symbol: "none", silent: true, lineStyle: { color: "#b3261e", type: "dashed" },
          label: { formatter: box.dataset.labelToday }, data: [{ xAxis: Date.parse(data.today) }]
        }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function portfolio() {
    var box = document.getElementById("portfolio");
    var data = read("portfolio-data");
    if (!box || !data || !window.echarts) return;
    var cells = [];
    data.cells.forEach(function (row, y) {
      row.forEach(function (v, x) { cells.push([x, y, v === null ? "-" : v]); });
    });
    var chart = echarts.init(box);
    chart.setOption({
      animation: false,
      tooltip: { formatter: function (p) { return data.types[p.value[1]] + " · " + data.actions[p.value[0]] + "：" + p.value[2] + "%"; } },
      grid: { left: 90, right: 10, top: 10, bottom: 90 },
      xAxis: { type: "category", data: data.actions, axisLabel: { interval: 0, rotate: 40 } },
      yAxis: { type: "category", data: data.types, inverse: true },
      visualMap: { min: 0, max: 100, show: false, inRange: { color: ["#fbe3df", "#e07a6f", "#8c1d18"] } },
      series: [{ type: "heatmap", data: cells, label: { show: true, formatter: function (p) { return p.value[2] === "-" ? "" : Math.round(p.value[2]); } } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  gantt();
  portfolio();
})();

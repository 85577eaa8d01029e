// 数字驾驶舱 charts: ECharts (served from npm's package, no CDN) over the data the page put in #cockpit-data.
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("cockpit-data");
    if (!holder || typeof echarts === "undefined") { return; }
    var data = JSON.parse(holder.textContent);
    var drawn = [];

    (data.charts || []).forEach(function (chart) {
      var node = document.getElementById(chart.id);
      if (!node) { return; }
      var instance = echarts.init(node, null, { renderer: "svg" });
      var series = [{ name: chart.name, type: "line", data: chart.values, connectNulls: false, smooth: false }];
      if (chart.target !== null) {
        series[0].markLine = { symbol: "none", label: { formatter: "目标 {c}" }, data: [{ yAxis: chart.target }] };
      }
      instance.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 50, right: 20, top: 20, bottom: 30 },
        xAxis: { type: "category", data: chart.months },
        yAxis: { type: "value", name: chart.unit },
        series: series
      });
      drawn.push(instance);
    });

    var ranking = data.ranking;
    if (ranking && document.getElementById(ranking.id) && ranking.areas.length) {
      var bars = echarts.init(document.getElementById(ranking.id), null, { renderer: "svg" });
      bars.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 110, right: 30, top: 10, bottom: 30 },
        xAxis: { type: "value", name: ranking.unit },
        yAxis: { type: "category", data: ranking.areas.slice().reverse() },
        series: [{ name: ranking.name, type: "bar", data: ranking.values.slice().reverse() }]
      });
      drawn.push(bars);
    }

    (data.bars || []).forEach(function (bar) {
      var node = document.getElementById(bar.id);
      if (!node || !bar.labels.length) { return; }
      var chart = echarts.init(node, null, { renderer: "svg" });
      chart.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 150, right: 30, top: 10, bottom: 30 },
        xAxis: { type: "value", name: bar.unit },
        yAxis: { type: "category", data: bar.labels.slice().reverse() },
        series: [{ name: bar.name, type: "bar", data: bar.values.slice().reverse() }]
      });
      drawn.push(chart);
    });

    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

// The two lines of 两线合一, drawn with Apache ECharts from the table's data.
(function () {
  var el = document.getElementById("two-lines");
  var data = JSON.parse(document.getElementById("two-lines-data").textContent);
  if (!el || !window.echarts || !data.length) return;
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["防返贫监测线", "农村低保边缘线", "差距"] },
    xAxis: { type: "category", data: data.map(function (r) { return String(r.year); }) },
    yAxis: { type: "value", name: "元/人/年" },
    series: [
      { name: "防返贫监测线", type: "line", data: data.map(function (r) { return r.monitoring_line; }) },
      { name: "农村低保边缘线", type: "line", data: data.map(function (r) { return r.edge_line; }) },
      { name: "差距", type: "bar", data: data.map(function (r) { return r.gap; }) },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

// 领导小组驾驶舱: the charts, drawn with Apache ECharts from the page's JSON (json_script, so the
// Content-Security-Policy keeps forbidding inline scripts). Clicking a bar or a point opens the
// list behind that number, as the links in the tables do.
(function () {
  var dataEl = document.getElementById("dashboard-data");
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  var charts = [];

  function draw(id, option, urlOf) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    if (urlOf) {
      chart.on("click", function (p) {
        var url = urlOf(p);
        if (url) window.location.href = url;
      });
    }
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  }

  function num(v) { return Number(v); }
  var months = function (rows) { return rows.map(function (r) { return r.month; }); };

  // Stock: households on the roll per township, stacked by category.
  var towns = data.stock.townships;
  var cats = Object.keys(labels).filter(function (c) { return c !== "none"; });
  draw("chart-stock", {
    tooltip: { trigger: "axis" },
    legend: { data: cats.map(function (c) { return labels[c]; }) },
    xAxis: { type: "category", data: towns.map(function (t) { return t.name; }) },
    yAxis: { type: "value", name: "户" },
    series: cats.map(function (c) {
      return {
        name: labels[c], type: "bar", stack: "households",
        data: towns.map(function (t) { return (t.categories[c] || {}).households || 0; }),
      };
    }),
  }, function (p) {
    var cell = towns[p.dataIndex].categories[cats[p.seriesIndex]];
    return cell && cell.url;
  });

  draw("chart-flows", {
    tooltip: { trigger: "axis" },
    legend: { data: ["纳入", "退出"] },
    xAxis: { type: "category", data: months(data.flows) },
    yAxis: { type: "value", name: "户" },
    series: [
      { name: "纳入", type: "bar", data: data.flows.map(function (m) { return m.inflow; }) },
      { name: "退出", type: "bar", data: data.flows.map(function (m) { return m.outflow; }) },
    ],
  }, function (p) {
    var m = data.flows[p.dataIndex];
    return p.seriesIndex === 0 ? m.inflow_url : m.outflow_url;
  });

  draw("chart-money", {
    tooltip: { trigger: "axis" },
    legend: { data: ["应发", "已发放到账"] },
    xAxis: { type: "category", data: months(data.money) },
    yAxis: { type: "value", name: "元" },
    series: [
      { name: "应发", type: "bar", data: data.money.map(function (m) { return num(m.due); }) },
      { name: "已发放到账", type: "bar", data: data.money.map(function (m) { return num(m.paid); }) },
    ],
  }, function (p) {
    var m = data.money[p.dataIndex];
    return p.seriesIndex === 0 ? m.due_url : m.paid_url;
  });

  var leadKeys = ["raised", "handled", "confirmed"];
  draw("chart-leads", {
    tooltip: { trigger: "axis" },
    legend: { data: ["新增", "已处理", "核实属实"] },
    xAxis: { type: "category", data: months(data.leads.months) },
    yAxis: { type: "value", name: "条" },
    series: ["新增", "已处理", "核实属实"].map(function (name, i) {
      return { name: name, type: "line", data: data.leads.months.map(function (m) { return m[leadKeys[i]]; }) };
    }),
  }, function (p) {
    return data.leads.months[p.dataIndex][leadKeys[p.seriesIndex] + "_url"];
  });

  draw("chart-lines", {
    tooltip: { trigger: "axis" },
    legend: { data: ["城市低保标准", "农村低保标准", "防返贫监测线"] },
    xAxis: { type: "category", data: data.lines.map(function (r) { return String(r.year); }) },
    yAxis: { type: "value", name: "元/人/年" },
    series: [
      { name: "城市低保标准", type: "line", data: data.lines.map(function (r) { return num(r.dibao_urban); }) },
      { name: "农村低保标准", type: "line", data: data.lines.map(function (r) { return num(r.dibao_rural); }) },
      { name: "防返贫监测线", type: "line", data: data.lines.map(function (r) { return num(r.monitoring_line); }) },
    ],
  }, function () { return data.lines_url; });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();

// Draws the dashboard's charts (ECharts, served from this package) from the figures the
// page carries as JSON. The tables beside them hold the same numbers for every reader.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var colours = { hazards: "#0b4f9c", verified: "#13622f", overdue: "#a11919" };
  var drawn = [];

  function bars(chart) {
    var rows = chart.labels.length;
    return {
      height: Math.max(200, rows * 34 + 70),
      option: {
        animation: false,
        color: [colours.hazards, colours.verified, colours.overdue],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category", inverse: true, data: chart.labels,
          axisLabel: { width: 110, overflow: "truncate" }
        },
        series: ["hazards", "verified", "overdue"].map(function (key) {
          return { name: names[key], type: "bar", data: chart[key], barMaxWidth: 14 };
        })
      }
    };
  }

  function pie(chart, width) {
    // On a phone the labels around the ring would be cut: the legend below says which
    // colour is which (with the count), the table below it the rest.
    var narrow = width < 560;
    var count = {};
    chart.labels.forEach(function (label, i) { count[label] = chart.hazards[i]; });
    return {
      height: narrow ? 260 + Math.ceil(chart.labels.length / 2) * 26 : 340,
      option: {
        animation: false,
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: {
          type: "plain", bottom: 0, left: "center", itemGap: 12,
          formatter: function (label) { return label + " " + count[label]; }
        },
        series: [{
          name: names.hazards, type: "pie",
          radius: narrow ? ["30%", "58%"] : ["35%", "62%"],
          center: ["50%", narrow ? 120 : "42%"],
          label: { show: !narrow, formatter: "{b} {c}" },
          data: chart.labels.map(function (label, i) { return { name: label, value: chart.hazards[i] }; })
        }]
      }
    };
  }

  data.charts.forEach(function (chart) {
    var box = document.querySelector('[data-chart="' + chart.by + '"]');
    if (!box) { return; }
    var made = chart.kind === "pie" ? pie(chart, box.clientWidth) : bars(chart);
    box.style.height = made.height + "px";
    var drawing = echarts.init(box, null, { renderer: "canvas" });
    drawing.setOption(made.option);
    box.setAttribute("data-drawn", "true");
    drawn.push(drawing);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (d) { d.resize(); });
  });
})();

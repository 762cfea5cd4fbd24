// Draws the daily call trend of the statistics pages with plotly.js. The numbers come from
// the JSON the page embeds with json_script, because the Content-Security-Policy allows no
// inline script; the same numbers are in the table under the chart.
(() => {
  const source = document.getElementById("trend-data");
  const target = document.getElementById("trend-chart");
  if (!source || !target || typeof window.Plotly === "undefined") {
    return;
  }
  const trend = JSON.parse(source.textContent);
  if (!trend.days.length) {
    return;
  }
  const colours = ["#1f5fbf", "#067647", "#b54708"];
  const traces = trend.series.map((series, index) => ({
    x: trend.days,
    y: series.values,
    name: series.name,
    type: "scatter",
    mode: trend.days.length > 62 ? "lines" : "lines+markers",
    line: { color: colours[index % colours.length], width: 2 },
    marker: { size: 5 },
  }));
  // Counts are whole numbers: small ones get a tick per call rather than 0.5 steps.
  const highest = Math.max(0, ...trend.series.flatMap((series) => series.values));
  const layout = {
    margin: { l: 44, r: 12, t: 12, b: 40 },
    legend: { orientation: "h", x: 0, y: -0.18 },
    xaxis: { type: "date", tickformat: "%m-%d", fixedrange: true },
    yaxis: {
      rangemode: "tozero",
      title: { text: trend.yTitle },
      fixedrange: true,
      tickformat: ",d",
      dtick: highest <= 6 ? 1 : undefined,
    },
    hovermode: "x unified",
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: getComputedStyle(document.body).fontFamily },
  };
  window.Plotly.newPlot(target, traces, layout, { displayModeBar: false, responsive: true });
})();

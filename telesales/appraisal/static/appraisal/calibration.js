// Draws the calibration page's grade distribution with plotly.js. The numbers come from the
// JSON the page embeds with json_script (the Content-Security-Policy allows no inline script);
// the same numbers are in the table under the chart.
(() => {
  const source = document.getElementById("calibration-data");
  const target = document.getElementById("calibration-chart");
  if (!source || !target || typeof window.Plotly === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const highest = Math.max(0, ...data.counts);
  const layout = {
    margin: { l: 44, r: 12, t: 12, b: 40 },
    xaxis: { type: "category", fixedrange: true },
    yaxis: {
      rangemode: "tozero",
      title: { text: data.yTitle },
      fixedrange: true,
      tickformat: ",d",
      dtick: highest <= 6 ? 1 : undefined,
    },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: getComputedStyle(document.body).fontFamily },
  };
  const trace = { x: data.grades, y: data.counts, type: "bar", marker: { color: "#1f5fbf" } };
  window.Plotly.newPlot(target, [trace], layout, { displayModeBar: false, responsive: true });
})();

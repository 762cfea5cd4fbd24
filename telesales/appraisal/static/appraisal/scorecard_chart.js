// Draws the scorecard's category scores of this period beside the previous period's with
// plotly.js. The numbers come from the JSON the page embeds with json_script, because the
// Content-Security-Policy allows no inline script; the same numbers are in the table below.
(() => {
  const source = document.getElementById("category-data");
  const target = document.getElementById("category-chart");
  if (!source || !target || typeof window.Plotly === "undefined") {
    return;
  }
  const chart = JSON.parse(source.textContent);
  if (!chart.categories.length) {
    target.hidden = true;
    return;
  }
  const colours = ["#1f5fbf", "#98a2b3"];
  const traces = chart.series.map((series, index) => ({
    x: chart.categories,
    y: series.values,
    name: series.name,
    type: "bar",
    marker: { color: colours[index % colours.length] },
    hovertemplate: "%{y:.2f}<extra>" + series.name + "</extra>",
  }));
  const layout = {
    barmode: "group",
    margin: { l: 44, r: 12, t: 12, b: 60 },
    legend: { orientation: "h", x: 0, y: -0.25 },
    xaxis: { type: "category", fixedrange: true },
    yaxis: { rangemode: "tozero", title: { text: chart.yTitle }, fixedrange: true },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: getComputedStyle(document.body).fontFamily },
  };
  window.Plotly.newPlot(target, traces, layout, { displayModeBar: false, responsive: true });
})();

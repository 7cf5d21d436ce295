// Draws every Plotly figure placed on the page as <script type="application/json" data-chart="ID">.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (node) {
      var target = document.getElementById(node.dataset.chart);
      if (!target) { return; }
      var figure = JSON.parse(node.textContent);
      var layout = figure.layout || {};
      layout.autosize = true;
      delete layout.width;
      Plotly.newPlot(target, figure.data || [], layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"]
      });
      target.dataset.drawn = "true";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // On paper the text equivalents of the charts are shown too, and charts fit the A4 width.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-text:not([open])").forEach(function (node) {
      node.open = true;
      opened.push(node);
    });
    document.querySelectorAll("[data-drawn]").forEach(function (node) { Plotly.Plots.resize(node); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (node) { node.open = false; });
    opened = [];
    document.querySelectorAll("[data-drawn]").forEach(function (node) { Plotly.Plots.resize(node); });
  });
})();

// Draws every Plotly figure placed on the page as <script type="application/json" data-chart="ID">.
(function () {
  "use strict";

  // The numbers a trace plots: its y values, or its x values when y holds names (horizontal bars).
  function numbers(values) {
    return Array.isArray(values) ? values.filter(function (n) { return typeof n === "number"; }) : [];
  }
  function plotted(trace) {
    var y = numbers(trace.y);
    return y.length ? y : numbers(trace.x);
  }

  // A figure whose every value is zero would draw as an empty frame: say so in words instead.
  function isEmpty(figure) {
    return (figure.data || []).every(function (trace) {
      return plotted(trace).every(function (n) { return n === 0; });
    });
  }

  // Whole-number axes over a small range (0 to 4 unions) would repeat labels such as "0 0 1 1": step by one.
  function wholeNumberTicks(figure, layout) {
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = layout[name];
      if (!axis || axis.tickformat !== ",d" || axis.dtick) { return; }
      var top = axis.range ? axis.range[1] : Math.max.apply(null, [0].concat.apply([], (figure.data || []).map(function (trace) {
        return numbers(name === "xaxis" ? trace.x : trace.y);
      })));
      if (top < 5) { axis.tick0 = 0; axis.dtick = 1; }
    });
  }

  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (node) {
      var target = document.getElementById(node.dataset.chart);
      if (!target) { return; }
      var figure = JSON.parse(node.textContent);
      if (isEmpty(figure) && target.dataset.emptyText) {
        target.textContent = target.dataset.emptyText;
        target.classList.add("chart-empty");
        target.dataset.drawn = "empty";
        return;
      }
      var layout = figure.layout || {};
      layout.autosize = true;
      delete layout.width;
      wholeNumberTicks(figure, layout);
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
    document.querySelectorAll('[data-drawn="true"]').forEach(function (node) { Plotly.Plots.resize(node); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (node) { node.open = false; });
    opened = [];
    document.querySelectorAll('[data-drawn="true"]').forEach(function (node) { Plotly.Plots.resize(node); });
  });
})();

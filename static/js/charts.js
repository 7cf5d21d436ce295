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

  // Long category names broken over at most two lines of about `width` characters (Plotly reads <br>).
  function wrap(name, width) {
    var words = String(name).split(" "), lines = [""];
    words.forEach(function (word) {
      var line = lines[lines.length - 1];
      if (line && (line + " " + word).length > width) { lines.push(word); } else { lines[lines.length - 1] = line ? line + " " + word : word; }
    });
    if (lines.length > 2) { lines = [lines[0], lines.slice(1).join(" ").slice(0, width - 1) + "…"]; }
    return lines.join("<br>");
  }
  function wrapAxis(axis, categories, width) {
    if (!categories.some(function (name) { return String(name).length > width; })) { return false; }
    axis.tickmode = "array";
    axis.tickvals = categories;
    axis.ticktext = categories.map(function (name) { return wrap(name, width); });
    return true;
  }
  function categoriesOf(figure, key, horizontal) {
    var seen = [];
    (figure.data || []).forEach(function (trace) {
      if (trace.type !== "bar" || (trace.orientation === "h") !== horizontal) { return; }
      (trace[key] || []).forEach(function (name) { if (seen.indexOf(name) < 0) { seen.push(name); } });
    });
    return seen;
  }

  // Category labels that fit the width at hand: column labels wrap, and on a phone the
  // federation names beside horizontal bars take two short lines instead of the whole width.
  function fitLabels(target, figure, layout) {
    var narrow = target.clientWidth < 576;
    var columns = categoriesOf(figure, "x", false);
    if (columns.length) { layout.xaxis = layout.xaxis || {}; wrapAxis(layout.xaxis, columns, 14); }
    if (!narrow) { return; }
    layout.font = Object.assign({}, layout.font, { size: 11 });
    // Month axes ("Tháng 1" … "Tháng 12"): the shared first word goes, the numbers stay upright.
    var points = [];
    (figure.data || []).forEach(function (trace) {
      if (trace.type === "bar") { return; }
      (trace.x || []).forEach(function (name) { if (points.indexOf(name) < 0) { points.push(name); } });
    });
    var first = points.length > 1 && String(points[0]).split(" ")[0];
    if (first && points.every(function (name) { return String(name).split(" ").length === 2 && String(name).split(" ")[0] === first; })) {
      layout.xaxis = Object.assign(layout.xaxis || {}, {
        tickmode: "array", tickvals: points, tickangle: 0,
        ticktext: points.map(function (name) { return String(name).split(" ")[1]; })
      });
    }
    layout.margin = Object.assign({}, layout.margin, { r: Math.max(48, (layout.margin || {}).r || 0) });
    var rows = (layout.yaxis && layout.yaxis.categoryarray) || categoriesOf(figure, "y", true);
    if (rows.length && wrapAxis(layout.yaxis = layout.yaxis || {}, rows, 20)) {
      layout.height = Math.max(layout.height || 0, rows.length * 34 + 140);
    }
    if (rows.length) {
      // Attainment runs along x: four upright ticks (0%, 50%, 100%, 150%) rather than slanted ones.
      layout.xaxis = Object.assign(layout.xaxis || {}, { tickangle: 0, nticks: 5 });
    }
    // The figures beside the bars a size up from the axis labels: they are what is read.
    (figure.data || []).forEach(function (trace) {
      if (trace.type === "bar" && trace.text) { trace.textfont = Object.assign({}, trace.textfont, { size: 12 }); }
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
      fitLabels(target, figure, layout);
      // The toolbar (zoom, pan) is for a mouse: a phone gets none, and on a larger screen it
      // sits in a band of its own above the figure (CSS), never over the legend.
      var toolbar = target.clientWidth >= 576;
      target.classList.toggle("chart-toolbar", toolbar);
      Plotly.newPlot(target, figure.data || [], layout, {
        responsive: true,
        displaylogo: false,
        displayModeBar: toolbar ? "hover" : false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"]
      });
      target.dataset.drawn = "true";
      target.dataset.height = layout.height || target.clientHeight;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // On paper the text equivalents of the charts are shown too, and each chart is drawn again
  // at the size the print style sheet gives it (--paper-chart-width and -height, absolute
  // lengths, measured here before the page switches to print), in a smaller type; after
  // printing, as it was. Done before printing: the browser paginates what it has then.
  var PAPER_FONT_SIZE = 10;
  var opened = [];
  function paperSize() {
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;width:var(--paper-chart-width);height:var(--paper-chart-height)";
    document.body.appendChild(probe);
    var size = { width: probe.offsetWidth, height: probe.offsetHeight };
    probe.remove();
    return size;
  }
  function drawnCharts() { return document.querySelectorAll('.chart[data-drawn="true"]'); }
  function toPaper() {
    var paper = paperSize();
    if (!paper.width || !paper.height) { return; }
    drawnCharts().forEach(function (node) {
      var layout = node.layout || {};
      node.screenLayout = { font: layout.font && layout.font.size, dtick: layout.yaxis && layout.yaxis.dtick };
      var update = {
        width: paper.width, height: Math.min(Number(node.dataset.height), paper.height), "font.size": PAPER_FONT_SIZE
      };
      // Every federation keeps its name beside its bar, however tight the page.
      if (layout.yaxis && layout.yaxis.categoryarray && layout.yaxis.tickmode !== "array") { update["yaxis.dtick"] = 1; }
      Plotly.relayout(node, update);
    });
  }
  function toScreen() {
    drawnCharts().forEach(function (node) {
      var screen = node.screenLayout;
      if (!screen) { return; }
      delete node.screenLayout;
      Plotly.relayout(node, {
        width: null, autosize: true, height: Number(node.dataset.height), "font.size": screen.font, "yaxis.dtick": screen.dtick
      });
    });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-text:not([open])").forEach(function (node) {
      node.open = true;
      opened.push(node);
    });
    if (typeof Plotly !== "undefined") { toPaper(); }
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (node) { node.open = false; });
    opened = [];
    if (typeof Plotly !== "undefined") { toScreen(); }
  });
})();

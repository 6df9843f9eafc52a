// hypecheck dashboard: draws each <figure class="vl"> from the Vega-Lite spec beside it, with the
// vega-embed served by this dashboard (/static/vega.js). ast: true evaluates expressions with
// vega's interpreter, so the page needs no 'unsafe-eval'; actions: false shows no links elsewhere.
(function () {
  "use strict";
  // a slider over an index (the rotation graph's "week") shows the date it stands for, not the
  // index: spec.usermeta.slider_labels maps the parameter to one label per step
  function labelSliders(fig, spec, view) {
    var labels = (spec.usermeta && spec.usermeta.slider_labels) || {};
    Object.keys(labels).forEach(function (name) {
      var input = fig.querySelector('input[type=range][name="' + name + '"]');
      if (!input) return;
      var shown = input.nextElementSibling; // vega's <span> showing the value
      if (!shown || shown.tagName !== "SPAN") return;
      shown.className = "vl-slider-label";
      var show = function (v) {
        var i = Math.round(Number(v));
        shown.textContent = labels[name][i] !== undefined ? labels[name][i] : String(v);
      };
      show(view.signal(name));
      view.addSignalListener(name, function (_n, v) { show(v); });
      input.addEventListener("input", function () { show(input.value); });
    });
  }
  var figures = document.querySelectorAll("figure.vl");
  Array.prototype.forEach.call(figures, function (fig) {
    var view = fig.querySelector(".vl-view");
    var spec;
    try {
      spec = JSON.parse(fig.querySelector("script.vl-spec").textContent);
    } catch (e) {
      view.textContent = "could not read this chart's spec: " + e;
      fig.setAttribute("data-state", "error");
      return;
    }
    if (typeof window.vegaEmbed !== "function") {
      view.textContent = "the chart library did not load (/static/vega.js)";
      fig.setAttribute("data-state", "error");
      return;
    }
    window.vegaEmbed(view, spec, { mode: "vega-lite", renderer: "svg", actions: false, ast: true })
      .then(function (result) {
        labelSliders(fig, spec, result.view);
        fig.setAttribute("data-state", "ready");
      })
      .catch(function (e) {
        view.textContent = "could not draw this chart: " + e;
        fig.setAttribute("data-state", "error");
      });
  });
})();

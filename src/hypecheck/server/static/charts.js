// hypecheck dashboard: draws each <figure class="vl"> from the Vega-Lite spec beside it, with the
// vega-embed served by this dashboard (/static/vega.js). ast: true evaluates expressions with
// vega's interpreter, so the page needs no 'unsafe-eval'; actions: false shows no links elsewhere.
(function () {
  "use strict";
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
      .then(function () { fig.setAttribute("data-state", "ready"); })
      .catch(function (e) {
        view.textContent = "could not draw this chart: " + e;
        fig.setAttribute("data-state", "error");
      });
  });
})();

// hypecheck dashboard: theme switcher and the re-run button (same-origin JSON API only).
(function () {
  "use strict";
  var sel = document.getElementById("theme-select");
  var form = document.getElementById("switch");
  if (sel && form) {
    sel.addEventListener("change", function () {
      var asOf = document.getElementById("as-of");
      window.location.href = "/themes/" + encodeURIComponent(sel.value);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var asOf = document.getElementById("as-of").value;
      window.location.href = "/themes/" + encodeURIComponent(sel.value) + (asOf ? "?as_of=" + encodeURIComponent(asOf) : "");
    });
  }
  var btn = document.getElementById("rerun");
  if (!btn) return;
  var bar = document.getElementById("run-progress");
  var stage = document.getElementById("run-stage");
  btn.addEventListener("click", function () {
    var asOf = document.getElementById("as-of").value || btn.dataset.asOf;
    btn.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    stage.textContent = "starting";
    fetch("/api/runs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ theme: btn.dataset.theme, as_of: asOf || null, calibrate: true })
    }).then(function (r) {
      // refused (busy: 429 with Retry-After; or 403/413): say why instead of polling nothing
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (e) {
          var why = typeof e.detail === "string" ? e.detail : "HTTP " + r.status;
          throw why + (e.hint ? " (" + e.hint + ")" : "");
        });
      }
      return r.json();
    }).then(function (run) {
      var poll = function () {
        fetch("/api/runs/" + encodeURIComponent(run.run_id)).then(function (r) { return r.json(); }).then(function (s) {
          bar.value = s.progress;
          stage.textContent = s.stage;
          if (s.status === "done") { window.location.href = s.result_url; }
          else if (s.status === "failed") { stage.textContent = "failed: " + s.error; btn.disabled = false; }
          else if (!s.status) { stage.textContent = "failed: " + (s.detail || "unknown run"); btn.disabled = false; }
          else { setTimeout(poll, 250); }
        });
      };
      poll();
    }).catch(function (e) { stage.textContent = "failed: " + e; btn.disabled = false; });
  });
})();

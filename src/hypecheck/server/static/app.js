// hypecheck dashboard: theme switcher, the re-run button (same-origin JSON API only) and the scan
// table (sort by a header, open a row's theme).
(function () {
  "use strict";
  var table = document.getElementById("scan-table");
  if (table) {
    var heads = table.querySelectorAll("thead th");
    var cellValue = function (row, i, type) {
      var v = row.cells[i].getAttribute("data-v");
      if (type === "number") { var x = parseFloat(v); return isNaN(x) ? null : x; }
      return v === null ? "" : v;
    };
    heads.forEach(function (th, i) {
      var type = th.getAttribute("data-type");
      if (type === "none") return;
      th.tabIndex = 0;
      var sort = function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, i, type), y = cellValue(b, i, type);
          if (x === null || y === null) { return x === y ? 0 : x === null ? 1 : -1; } // n/a last
          var c = type === "number" ? x - y : String(x).localeCompare(String(y));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sort(); } });
    });
    table.tBodies[0].addEventListener("click", function (ev) {
      if (ev.target.closest("a")) return; // the link itself navigates
      var tr = ev.target.closest("tr[data-href]");
      if (tr) { window.location.href = tr.getAttribute("data-href"); }
    });
  }
  // the lab page: follow the background job, reload when it is done; "run again" starts a new one
  var lab = document.getElementById("lab-job");
  if (lab) {
    var horizon = lab.getAttribute("data-horizon");
    var labStage = document.getElementById("lab-stage");
    var follow = function () {
      fetch("/api/lab?horizon=" + encodeURIComponent(horizon)).then(function (r) { return r.json(); }).then(function (j) {
        var bar = document.getElementById("lab-progress");
        if (bar) { bar.value = j.progress; }
        if (labStage) { labStage.textContent = j.stage; }
        if (j.status === "done" || j.status === "failed") { window.location.reload(); }
        else { setTimeout(follow, 500); }
      }).catch(function (e) { if (labStage) { labStage.textContent = "failed: " + e; } });
    };
    var status = lab.getAttribute("data-status");
    if (status === "queued" || status === "running") { setTimeout(follow, 500); }
    var again = document.getElementById("lab-run");
    if (again) {
      again.addEventListener("click", function () {
        again.disabled = true;
        fetch("/api/lab/runs", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ horizon: horizon, again: true })
        }).then(function (r) {
          if (!r.ok) {
            return r.json().catch(function () { return {}; }).then(function (e) {
              throw (typeof e.detail === "string" ? e.detail : "HTTP " + r.status) + (e.hint ? " (" + e.hint + ")" : "");
            });
          }
          window.location.reload();
        }).catch(function (e) { if (labStage) { labStage.textContent = "failed: " + e; } again.disabled = false; });
      });
    }
  }
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

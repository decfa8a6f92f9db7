/* torc report: filtering without a server.  The page is complete without
 * this script (everything is static HTML and inline SVG); the script only
 * hides and shows rows.  URL fragment: #req=RCV-109&verdict=FAIL,CRASH sets
 * the filters; #click=ID,ID clicks those elements once the page is ready
 * (used by the headless browser test, harmless otherwise). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("torc-data").textContent);
  var boxes = Array.prototype.slice.call(
    document.querySelectorAll("#filters input.fv"));
  var uncov = document.getElementById("f-UNCOVERED");
  var reqInput = document.getElementById("req-filter");
  var vectorItems = Array.prototype.slice.call(
    document.querySelectorAll("#vectors tbody tr, article.failure"));
  var reqRows = Array.prototype.slice.call(
    document.querySelectorAll("#matrix tbody tr.req"));
  var shown = document.getElementById("shown");

  function wanted() {
    var w = {};
    boxes.forEach(function (b) { w[b.getAttribute("data-verdict")] = b.checked; });
    return w;
  }

  function reqMatch(reqs, q) {
    if (!q) return true;
    return (" " + reqs + " ").indexOf(" " + q) >= 0;
  }

  function apply() {
    var w = wanted();
    var q = (reqInput.value || "").trim().toUpperCase();
    var nv = 0, nr = 0, nvTotal = 0;
    vectorItems.forEach(function (el) {
      var ok = w[el.getAttribute("data-verdict")] !== false &&
        reqMatch(el.getAttribute("data-reqs") || "", q);
      el.classList.toggle("hidden", !ok);
      if (el.tagName === "TR") { nvTotal++; if (ok) nv++; }
    });
    reqRows.forEach(function (tr) {
      var vs = (tr.getAttribute("data-verdicts") || "").split(" ")
        .filter(function (x) { return x; });
      var ok;
      var st = tr.getAttribute("data-status") || "-";
      if (vs.length === 0 && st === "-") ok = uncov ? uncov.checked : true;
      else ok = vs.some(function (v) { return w[v] !== false; }) ||
        (st !== "-" && w[st] === true);
      if (ok && q) {
        var id = tr.getAttribute("data-req") || "";
        ok = id.indexOf(q) === 0 ||
          tr.textContent.toUpperCase().indexOf(q) >= 0;
      }
      tr.classList.toggle("hidden", !ok);
      if (ok) nr++;
    });
    if (shown) {
      shown.textContent = nv + " of " + nvTotal + " vectors, " + nr + " of " +
        reqRows.length + " requirements shown";
    }
    document.body.setAttribute("data-shown-vectors", String(nv));
    document.body.setAttribute("data-shown-requirements", String(nr));
  }

  function setVerdicts(list) {
    boxes.forEach(function (b) {
      b.checked = list.indexOf(b.getAttribute("data-verdict")) >= 0;
    });
  }

  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  if (uncov) uncov.addEventListener("change", apply);
  reqInput.addEventListener("input", apply);
  document.getElementById("only-failing").addEventListener("click", function () {
    setVerdicts(["FAIL", "CRASH", "TIMEOUT", "ERROR"]);
    if (uncov) uncov.checked = false;
    apply();
  });
  document.getElementById("show-all").addEventListener("click", function () {
    setVerdicts(boxes.map(function (b) { return b.getAttribute("data-verdict"); }));
    if (uncov) uncov.checked = true;
    reqInput.value = "";
    apply();
  });
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.req[data-req]") : null;
    if (!a) return;
    ev.preventDefault();
    reqInput.value = a.getAttribute("data-req");
    apply();
  });

  function fromFragment() {
    var h = (window.location.hash || "").replace(/^#/, "");
    var clicks = [];
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = i < 0 ? kv : kv.slice(0, i);
      var v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
      if (k === "req") reqInput.value = v;
      else if (k === "verdict") setVerdicts(v.split(","));
      else if (k === "click") clicks = v.split(",");
    });
    apply();
    clicks.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.click();
    });
    document.body.setAttribute("data-ready", data.results_digest ? "1" : "0");
  }
  window.addEventListener("hashchange", fromFragment);
  fromFragment();
})();

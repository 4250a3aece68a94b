// Progressive enhancement of the home page: shows the filter form, applies the filters named
// in the URL query (?path=joint&status=incomplete&year=2024&gaps=1) and keeps the query in
// step with the form, so a filtered view can be linked. Without JavaScript the form stays
// hidden and the whole table shows.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("projects");
  var count = document.getElementById("filter-count");
  if (!form || !table || !table.tBodies[0]) return;
  var NAMES = ["path", "status", "ruleset", "year", "gaps"];
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);

  function wanted() {
    var values = {};
    NAMES.forEach(function (name) {
      var control = form.elements[name];
      if (!control) return;
      var value = control.type === "checkbox" ? (control.checked ? "1" : "") : control.value;
      if (value) values[name] = value;
    });
    return values;
  }

  function apply() {
    var values = wanted();
    var shown = 0;
    rows.forEach(function (row) {
      var match = NAMES.every(function (name) {
        return !values[name] || row.getAttribute("data-" + name) === values[name];
      });
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " projects";
    var query = new URLSearchParams(values).toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", url);
  }

  // Only values the form offers are taken from the query: a stale link shows all rows
  // rather than none.
  var query = new URLSearchParams(window.location.search);
  NAMES.forEach(function (name) {
    var control = form.elements[name];
    var value = query.get(name);
    if (!control || value === null) return;
    if (control.type === "checkbox") {
      control.checked = value === "1";
    } else if (Array.prototype.some.call(control.options, function (o) { return o.value === value; })) {
      control.value = value;
    }
  });
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();

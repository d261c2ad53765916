// Glue only: sortable tables. Charts are Plotly's; nothing here draws.
(function () {
  "use strict";
  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    var number = Number(text.replace(/[,%]/g, ""));
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(key(r1.cells[column]), key(r2.cells[column]));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
})();
// Printed, every data note shows: the ones folded under "more data notes" open first.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.more-notes").forEach(function (d) { d.open = true; });
});
// The searchable customer table: rows built from the embedded JSON, 50 at a time.
(function () {
  "use strict";
  var blob = document.getElementById("customer-data");
  if (!blob) return;
  var directory = JSON.parse(blob.textContent);
  var query = document.getElementById("customer-query");
  var body = document.querySelector("#customer-table tbody");
  var count = document.getElementById("customer-count");
  var shownAtOnce = 50;
  function cell(row, text, className) {
    var td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }
  function open(customer) {
    document.getElementById("customer-timeline-title").textContent =
      customer.id + ": " + customer.months.length + " months";
    var months = document.querySelector("#customer-months tbody");
    months.textContent = "";
    customer.months.forEach(function (m) {
      var row = months.insertRow();
      cell(row, m[0]); cell(row, m[1], "num"); cell(row, m[2]); cell(row, m[3], "num");
    });
    var panel = document.getElementById("customer-timeline");
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }
  function show() {
    var words = query.value.trim().toLowerCase();
    var found = directory.customers.filter(function (c) {
      return !words || (c.id + " " + c.attrs.join(" ")).toLowerCase().indexOf(words) !== -1;
    });
    body.textContent = "";
    found.slice(0, shownAtOnce).forEach(function (c) {
      var row = body.insertRow();
      row.tabIndex = 0;
      row.className = "customer-row";
      row.setAttribute("data-customer", c.id);
      cell(row, c.id); cell(row, c.mrr, "num"); cell(row, c.first);
      cell(row, c.move ? c.move + " " + c.moved : "");
      c.attrs.forEach(function (a) { cell(row, a); });
      row.addEventListener("click", function () { open(c); });
      row.addEventListener("keydown", function (e) { if (e.key === "Enter") open(c); });
    });
    count.textContent = found.length.toLocaleString("en-US") + " customer" +
      (found.length === 1 ? "" : "s") + " found" +
      (found.length > shownAtOnce ? ", the first " + shownAtOnce + " shown" : "");
  }
  query.addEventListener("input", show);
  show();
})();

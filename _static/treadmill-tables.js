/* Sortable, filterable tables for the book's appendices, offline: DataTables (from the itables
 * package, loaded as _static/datatables.js) does the sorting and the filtering.
 *
 * Every <table class="treadmill-interactive"> (see analysis/book/tables.py) becomes a DataTable,
 * when it first comes near the viewport (see "Loading" below),
 * with every row on one page (so every row's anchor, e.g. #claim-C006, is always there), sorted
 * as written until a header is clicked, a "Filter rows" box, and a line saying how many rows
 * are shown. A table with data-filter-column="N" also gets a menu of column N's values (the
 * claims register's verdicts), with "everything that does not hold". A cell's data-search and
 * data-order (the verdict's word) are what DataTables searches and sorts.
 */
(function () {
  "use strict";

  function escapeRegex(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function verdictMenu(table, api, column) {
    var id = table.id;
    var values = [];
    api.column(column).nodes().each(function (cell) {
      var value = cell.getAttribute("data-search") || cell.textContent.trim();
      if (values.indexOf(value) < 0) values.push(value);
    });
    var label = document.createElement("label");
    label.className = "treadmill-table-menu-label";
    label.textContent = table.tHead.rows[0].cells[column].textContent.trim() + " ";
    var menu = document.createElement("select");
    menu.className = "treadmill-table-menu";
    menu.id = id + "-menu";
    menu.setAttribute("aria-controls", id);
    var options = [["", "all"]];
    values.forEach(function (value) { options.push([value, value]); });
    if (values.indexOf("holds") >= 0) options.push(["!holds", "everything that does not hold"]);
    options.forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      menu.appendChild(option);
    });
    label.appendChild(menu);
    menu.addEventListener("change", function () {
      var chosen = menu.value;
      var pattern = "";
      if (chosen.charAt(0) === "!") pattern = "^(?!" + escapeRegex(chosen.slice(1)) + "$)";
      else if (chosen) pattern = "^" + escapeRegex(chosen) + "$";
      api.column(column).search(pattern, true, false).draw();
    });
    return label;
  }

  function enhance(table) {
    var DataTable = window.treadmillDataTable;
    if (typeof DataTable !== "function" || table.getAttribute("data-enhanced")) return;
    table.setAttribute("data-enhanced", "true");
    var api = new DataTable(table, {
      paging: false,
      order: [],
      autoWidth: false,
      layout: { topStart: "search", topEnd: null, bottomStart: "info", bottomEnd: null },
      language: {
        search: "Filter rows",
        info: "_TOTAL_ of _MAX_ rows shown",
        infoFiltered: "",
        infoEmpty: "0 of _MAX_ rows shown",
        zeroRecords: "No row matches the filter.",
      },
    });
    var box = table.closest(".dt-container").querySelector(".dt-search input");
    if (box) {
      var label = box.id ? document.querySelector('label[for="' + box.id + '"]') : null;
      box.id = table.id + "-filter";
      if (label) label.htmlFor = box.id; // the box keeps its label
      box.setAttribute("aria-controls", table.id);
    }
    var column = table.getAttribute("data-filter-column");
    if (column !== null) {
      var search = table.closest(".dt-container").querySelector(".dt-search");
      search.parentNode.insertBefore(verdictMenu(table, api, parseInt(column, 10)), search.nextSibling);
    }
  }

  /* Loading: the text never waits for DataTables. Its script and styles (datatables.js and
   * datatables.css, beside this script) are fetched the first time an interactive table comes near
   * the viewport, and each table is enhanced when it does; until then it is the plain, complete
   * table (every row and anchor there). A table in a closed <details> waits until it is opened.
   * Printing never needs DataTables: the printed table is the plain one.
   */
  var HERE = (document.currentScript && document.currentScript.src) || "_static/treadmill-tables.js";
  function beside(name) {
    return HERE.replace(/treadmill-tables\.js(\?.*)?$/, name);
  }
  var library = null; // Promise of DataTables' script and styles, loaded once

  function loadLibrary() {
    if (typeof window.treadmillDataTable === "function") return Promise.resolve();
    if (!library) {
      var styles = new Promise(function (resolve) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = beside("datatables.css");
        link.onload = resolve;
        link.onerror = resolve;
        document.head.appendChild(link);
      });
      var script = new Promise(function (resolve) {
        var tag = document.createElement("script");
        tag.src = beside("datatables.js");
        tag.async = true;
        tag.onload = resolve;
        tag.onerror = resolve; // enhance() then leaves the plain table as it is
        document.head.appendChild(tag);
      });
      library = Promise.all([styles, script]);
    }
    return library;
  }

  // The row a link points to stays in view when the table above it changes height.
  function keepTarget(table) {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (target && table.contains(target)) target.scrollIntoView();
  }

  function load(table) {
    return loadLibrary().then(function () {
      enhance(table);
      keepTarget(table);
    });
  }

  // For scripts and tests that need every table enhanced now.
  window.treadmillEnhanceTables = function () {
    return Promise.all(Array.prototype.map.call(document.querySelectorAll("table.treadmill-interactive"), load));
  };

  function start() {
    var tables = document.querySelectorAll("table.treadmill-interactive");
    if (!tables.length) return;
    if (!("IntersectionObserver" in window)) {
      window.treadmillEnhanceTables();
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          load(entry.target);
        });
      },
      { rootMargin: "300px 0px" }
    );
    Array.prototype.forEach.call(tables, function (table) { observer.observe(table); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

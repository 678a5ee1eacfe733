/* Sortable, filterable tables for the book's appendices, offline (no library, no network).
 *
 * Every <table class="treadmill-interactive"> gets, above it:
 *   - a text box that keeps only the rows containing the typed text;
 *   - if the table has data-filter-column="N", a menu of the values of column N
 *     (e.g. the claims register's verdicts), with "everything that does not hold";
 *   - a line saying how many rows are shown.
 * Each column header becomes a button that sorts by that column (again: reverse);
 * numbers sort as numbers. A cell's data-value, when present, is what is compared.
 * Written by hand for this book: see analysis/tables.py for the HTML it expects.
 */
(function () {
  "use strict";

  function cellValue(cell) {
    if (!cell) return "";
    var given = cell.getAttribute("data-value");
    return (given !== null ? given : cell.textContent).trim();
  }

  function asNumber(text) {
    var cleaned = text.replace(/,/g, "").replace(/%$/, "");
    return /^-?\d+(\.\d+)?$/.test(cleaned) ? parseFloat(cleaned) : null;
  }

  function enhance(table, index) {
    var tbody = table.tBodies[0];
    if (!tbody || table.getAttribute("data-enhanced")) return;
    table.setAttribute("data-enhanced", "true");
    var rows = Array.prototype.slice.call(tbody.rows);
    var id = table.id || "treadmill-table-" + index;

    var controls = document.createElement("div");
    controls.className = "treadmill-table-controls";

    var label = document.createElement("label");
    label.textContent = "Filter rows ";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "treadmill-table-filter";
    box.id = id + "-filter";
    box.setAttribute("aria-controls", id);
    label.appendChild(box);
    controls.appendChild(label);

    var column = table.getAttribute("data-filter-column");
    var menu = null;
    if (column !== null) {
      column = parseInt(column, 10);
      var header = table.tHead.rows[0].cells[column];
      var menuLabel = document.createElement("label");
      menuLabel.textContent = " " + header.textContent.trim() + " ";
      menu = document.createElement("select");
      menu.className = "treadmill-table-menu";
      menu.id = id + "-menu";
      menu.setAttribute("aria-controls", id);
      var values = [];
      rows.forEach(function (row) {
        var v = cellValue(row.cells[column]);
        if (values.indexOf(v) < 0) values.push(v);
      });
      var options = [["", "all"]];
      values.forEach(function (v) { options.push([v, v]); });
      if (values.indexOf("holds") >= 0) options.push(["!holds", "everything that does not hold"]);
      options.forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        menu.appendChild(option);
      });
      menuLabel.appendChild(menu);
      controls.appendChild(menuLabel);
    }

    var status = document.createElement("span");
    status.className = "treadmill-table-status";
    status.setAttribute("role", "status");
    controls.appendChild(status);
    table.parentNode.insertBefore(controls, table);

    function apply() {
      var text = box.value.trim().toLowerCase();
      var chosen = menu ? menu.value : "";
      var shown = 0;
      rows.forEach(function (row) {
        var ok = !text || row.textContent.toLowerCase().indexOf(text) >= 0;
        if (ok && chosen) {
          var v = cellValue(row.cells[column]);
          ok = chosen.charAt(0) === "!" ? v !== chosen.slice(1) : v === chosen;
        }
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = " " + shown + " of " + rows.length + " rows shown";
    }
    box.addEventListener("input", apply);
    if (menu) menu.addEventListener("change", apply);

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "treadmill-sort";
      button.textContent = th.textContent;
      button.setAttribute("aria-label", "Sort by " + th.textContent.trim());
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var sorted = rows.slice().sort(function (a, b) {
          var x = cellValue(a.cells[i]), y = cellValue(b.cells[i]);
          var nx = asNumber(x), ny = asNumber(y);
          var order = nx !== null && ny !== null ? nx - ny : x.localeCompare(y);
          return ascending ? order : -order;
        });
        sorted.forEach(function (row) { tbody.appendChild(row); });
      });
    });
    apply();
  }

  function enhanceAll() {
    Array.prototype.forEach.call(document.querySelectorAll("table.treadmill-interactive"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();

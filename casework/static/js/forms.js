// A page sent back with mistakes: focus moves to its error summary, which screen readers
// announce (it is also role=alert); each entry links to its field. No inline scripts (CSP).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});

// Repeated rows of a form (identity documents, events; decision 0112). Without JavaScript,
// "Add another" sends the form back with one more row and nothing typed lost. Here it adds the
// row in the page: a copy of the last row, emptied and renumbered, and the focus moves to its
// first field. drafts.js asks for the rows a draft holds before filling it in
// (window.cwRows.ensure), so a draft of three events comes back as three events.
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var RENAMED = ["id", "name", "for", "aria-describedby"];

  function rowsOf(container) { return container.querySelectorAll("[data-row]"); }

  function emptied(row, name, from, to) {
    var before = name + "-" + from + "-";
    var after = name + "-" + to + "-";
    row.id = name + "-" + to;
    var legend = row.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(String(from + 1), String(to + 1)); }
    each(row.querySelectorAll(".invalid-feedback, .alert"), function (el) { el.parentNode.removeChild(el); });
    each(row.querySelectorAll("*"), function (el) {
      RENAMED.forEach(function (attribute) {
        var value = el.getAttribute(attribute);
        if (value === null) { return; }
        if (attribute === "aria-describedby") {
          value = value.split(" ").filter(function (id) { return !/-(error|again)$/.test(id); }).join(" ");
          if (!value) { el.removeAttribute(attribute); return; }
        }
        el.setAttribute(attribute, value.split(before).join(after));
      });
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      var tag = el.tagName;
      if (tag === "SELECT") {
        each(el.options, function (option) { option.removeAttribute("selected"); });
        el.selectedIndex = 0;
      } else if (tag === "TEXTAREA") {
        el.textContent = "";
        el.value = "";
      } else if (tag === "INPUT") {
        el.setAttribute("value", "");
        el.value = "";
      }
    });
    return row;
  }

  function addRow(container) {
    var rows = rowsOf(container);
    var max = parseInt(container.getAttribute("data-max"), 10) || 0;
    if (!rows.length || rows.length >= max) { return null; }
    var last = rows[rows.length - 1];
    var name = container.getAttribute("data-rows");
    var row = emptied(last.cloneNode(true), name, rows.length - 1, rows.length);
    last.parentNode.insertBefore(row, last.nextSibling);
    var form = container.closest("form");
    var button = form && form.querySelector('[data-add-row="' + name + '"]');
    if (button) {
      var count = rows.length + 1;
      button.setAttribute("formaction", button.getAttribute("formaction").replace(/#.*$/, "#" + name + "-" + count));
      if (count >= max) { button.parentNode.hidden = true; }
    }
    return row;
  }

  function ensure(form, values) {
    Object.keys(values).forEach(function (key) {
      var found = /^([a-z_]+)-(\d+)-/.exec(key);
      if (!found) { return; }
      var container = form.querySelector('[data-rows="' + found[1] + '"]');
      var wanted = parseInt(found[2], 10) + 1;
      while (container && rowsOf(container).length < wanted && addRow(container)) { /* next */ }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-row]") : null;
    if (!button || !button.form) { return; }
    var container = button.form.querySelector('[data-rows="' + button.getAttribute("data-add-row") + '"]');
    if (!container) { return; }
    var row = addRow(container);
    if (!row) { return; }
    event.preventDefault();
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  });

  window.cwRows = { ensure: ensure, add: addRow };
}());

// Country suggestions (decision 0111): the names in the reader's language come from a static
// file, cached for a year, not with every page; they become the <datalist> the country fields
// point at, which browsers offer as a combobox. Without them the fields still take a name or
// a two-letter code, resolved on the server.
(function () {
  "use strict";
  var source = document.querySelector("[data-country-names]");
  if (!source || !window.fetch) { return; }
  var id = source.getAttribute("data-list");
  fetch(source.getAttribute("data-country-names"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (names) {
      if (!names || document.getElementById(id)) { return; }
      var list = document.createElement("datalist");
      list.id = id;
      names.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
      source.parentNode.insertBefore(list, source);
    })
    .catch(function () {});
}());

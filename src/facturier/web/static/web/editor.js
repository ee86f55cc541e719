/* The document editor: add/remove rows, prefill from the product, and live totals.
 * Totals are never computed here: the form is posted to the server, which runs the same
 * calculation as saving, and the figures it returns are displayed as they are. */
(function () {
  "use strict";
  const form = document.getElementById("document-form");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let sequence = 0;

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function addRow(prefix) {
    const total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const index = parseInt(total.value, 10);
    const html = document.getElementById(prefix + "-template").innerHTML.replace(/__prefix__/g, String(index));
    const body = form.querySelector("tbody[data-formset='" + prefix + "']");
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    const first = row.querySelector("select, input:not([type=hidden]):not([type=checkbox])");
    if (first) first.focus();
    return row;
  }

  function removeRow(row) {
    const del = row.querySelector("input[name$='-DELETE']");
    if (del) del.checked = true;
    row.hidden = true;
    schedule();
  }

  function prefill(select) {
    const option = select.options[select.selectedIndex];
    if (!option || !option.dataset.price) return;
    const row = select.closest("tr");
    field(row, "description").value = option.dataset.description;
    field(row, "unit_price").value = option.dataset.price;
    field(row, "unit").value = option.dataset.unit;
    field(row, "vat_rate").value = option.dataset.vat;
  }

  function show(data) {
    const error = document.getElementById("totals-error");
    if (!data.ok) {
      error.textContent = (data.errors || []).join(" ");
      error.hidden = false;
      return;
    }
    error.hidden = true;
    form.querySelectorAll("[data-total]").forEach(function (cell) {
      cell.textContent = data.display[cell.dataset.total];
    });
    form.querySelectorAll("tr[data-prefix^='lines-']").forEach(function (row) {
      const net = row.querySelector("[data-line-net]");
      if (net) net.textContent = data.lines[row.dataset.prefix] || "—";
    });
    const vat = document.querySelector("#live-vat tbody");
    vat.replaceChildren();
    data.vat_breakdown.forEach(function (entry) {
      const tr = document.createElement("tr");
      [entry.label, entry.taxable, entry.tax].forEach(function (text, i) {
        const td = document.createElement("td");
        td.textContent = text;
        if (i) td.className = "num";
        tr.appendChild(td);
      });
      vat.appendChild(tr);
    });
  }

  function refresh() {
    const mine = ++sequence;
    fetch(form.dataset.totalsUrl, {
      method: "POST",
      body: new FormData(form),
      headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"},
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (mine === sequence) show(data); })
      .catch(function () { /* the next edit retries */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  form.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add]");
    if (add) { addRow(add.dataset.add); schedule(); }
    const remove = event.target.closest(".remove-row");
    if (remove) removeRow(remove.closest("tr"));
  });
  form.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-product']")) prefill(event.target);
    schedule();
  });
  form.addEventListener("input", schedule);
  refresh();
})();

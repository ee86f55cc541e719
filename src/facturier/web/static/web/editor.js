/* The document editor: add/remove rows, fill in what comes with a chosen customer or product
 * (picker.js finds them), and live totals. Totals, due dates and numbers are never computed or
 * parsed here: the form is posted to the server, which runs the same code as saving, and what it
 * returns is displayed as it is. */
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

  function setValue(input, value, label) {
    if (!input || value === undefined || value === null) return;
    if (input.tagName === "SELECT" && value &&
        !Array.from(input.options).some(function (o) { return o.value === value; })) {
      input.add(new Option(label || value, value));  // terms agreed with this customer only
    }
    input.value = value;
  }

  function fill(picker, item) {
    const row = picker.closest("tr[data-row]");
    const choices = item.choices || {};
    Object.keys(item.fill || {}).forEach(function (name) {
      const input = row ? field(row, name) : form.querySelector("[name='" + name + "']");
      const choice = choices[name];
      setValue(input, item.fill[name], choice ? choice[1] : null);
    });
  }

  function show(data) {
    const error = document.getElementById("totals-error");
    if (!data.ok) {
      error.textContent = (data.errors || []).join(" ");
      error.hidden = false;
      return;
    }
    error.hidden = true;
    const due = document.getElementById("live-due-date");
    if (due) {
      due.textContent = data.due_date || "—";
      document.getElementById("live-terms").textContent = data.payment_terms || "";
    }
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
  form.addEventListener("picker:chosen", function (event) {
    fill(event.target, event.detail);
    schedule();
  });
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
  refresh();
})();

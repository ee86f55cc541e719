/* The document editor: add/remove rows, fill in what comes with a chosen customer or product
 * (picker.js finds them), and live totals. Totals, due dates and numbers are never computed or
 * parsed here: the form is posted to the server, which runs the same code as saving, and what it
 * returns is displayed as it is.
 * For keyboard and screen-reader users (issue 12): a removed row hands the focus to the next row or
 * to the "add" button and says so; the total incl. VAT is announced once typing pauses, not every
 * figure on every keystroke; the error summary's links focus their field; the focused field is
 * never left under the sticky save bar; tables that scroll sideways can be focused and scrolled. */
(function () {
  "use strict";
  const form = document.getElementById("document-form");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const announcer = document.getElementById("editor-announcer");
  const saveBar = form.querySelector(".form-actions");
  let timer = null;
  let sequence = 0;
  let announceTimer = null;
  let announced = null;

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

  function firstField(row) {
    return row.querySelector("select, input:not([type=hidden]):not([type=checkbox]), textarea");
  }

  function announce(text) {
    // cleared first, so that the same words said twice are said again
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function removeRow(row) {
    const del = row.querySelector("input[name$='-DELETE']");
    if (del) del.checked = true;
    row.hidden = true;
    const prefix = row.closest("tbody[data-formset]").dataset.formset;
    // the focus goes on to the next row still shown, else to the "add" button below the table
    let next = row.nextElementSibling;
    while (next && next.hidden) next = next.nextElementSibling;
    const target = next ? firstField(next) : form.querySelector("[data-add='" + prefix + "']");
    if (target) target.focus();
    announce(form.dataset[prefix === "lines" ? "lineRemoved" : "acRemoved"] || "");
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

  function announceLater(text) {
    // once typing pauses, and only what changed: the grand total or the reason there is none
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () {
      if (text !== announced) { announced = text; announce(text); }
    }, 1500);
  }

  function show(data, initial) {
    const error = document.getElementById("totals-error");
    if (!data.ok) {
      error.textContent = (data.errors || []).join(" ");
      error.hidden = false;
      if (!initial) announceLater(error.textContent);
      return;
    }
    const total = form.dataset.totalLabel + " " + data.display.tax_inclusive;
    if (initial) announced = total; else announceLater(total);
    error.hidden = true;
    const due = document.getElementById("live-due-date");
    if (due) {
      due.textContent = data.due_date || "—";
      document.getElementById("live-terms").textContent = data.payment_terms || "";
    }
    form.querySelectorAll("[data-total]").forEach(function (cell) {
      cell.textContent = data.display[cell.dataset.total];
    });
    // the VAT in the company's currency, at the document's exchange rate, as the issued invoice shows it
    form.querySelectorAll("[data-accounting]").forEach(function (cell) {
      cell.hidden = data.tax_total_accounting === null;
    });
    form.querySelectorAll("tr[data-prefix^='lines-']").forEach(function (row) {
      const net = row.querySelector("[data-line-net]");
      if (net) net.textContent = data.lines[row.dataset.prefix] || "—";
      // which pricing rule priced the line (price list, discount, promotion), as the document page shows it
      const rule = row.querySelector("[data-line-rule]");
      if (rule) rule.textContent = (data.rules || {})[row.dataset.prefix] || "";
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

  function refresh(initial) {
    const mine = ++sequence;
    fetch(form.dataset.totalsUrl, {
      method: "POST",
      body: new FormData(form),
      headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"},
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (mine === sequence) show(data, initial === true); })
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

  // the error summary's links focus their field: app.js, on every page

  // a field focused under the sticky save bar is scrolled above it
  form.addEventListener("focusin", function (event) {
    if (!saveBar || saveBar.contains(event.target)) return;
    const bar = saveBar.getBoundingClientRect();
    const box = event.target.getBoundingClientRect();
    if (box.bottom > bar.top - 8) window.scrollBy(0, box.bottom - bar.top + 16);
  });

  // a table wider than its box scrolls sideways: it is then a tab stop, so the keyboard can scroll it;
  // one that fits does not scroll at all, so a picker's suggestions are not cut off at its edge
  function scrollRegions() {
    form.querySelectorAll("[data-scroll-region]").forEach(function (region) {
      region.classList.remove("scrolls");
      const scrolls = region.scrollWidth > region.clientWidth + 1;
      region.classList.toggle("scrolls", scrolls);
      if (scrolls) region.setAttribute("tabindex", "0"); else region.removeAttribute("tabindex");
    });
  }
  window.addEventListener("resize", scrollRegions);
  form.addEventListener("click", function () { window.setTimeout(scrollRegions, 0); });
  scrollRegions();
  refresh(true);
})();

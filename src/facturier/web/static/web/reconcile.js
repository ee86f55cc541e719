/* The reconciliation screen's keyboard (web/bank/reconcile.html, listed in its "Keyboard shortcuts"):
 * j / k move the focus to the next / previous bank line, a / r / u / m press the focused line's button
 * of that key (accept, reject, unrelated, match by hand). Keys typed in a field, or with Ctrl, Alt or Meta,
 * are left alone; every action is also a plain button, so nothing needs the keyboard. */
(function () {
  "use strict";
  function lines() { return Array.prototype.slice.call(document.querySelectorAll("[data-line]")); }
  function current() {
    const active = document.activeElement;
    return active && active.closest ? active.closest("[data-line]") : null;
  }
  function focusLine(line) {
    if (!line) return;
    line.focus();
    line.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const all = lines();
    if (!all.length) return;
    const line = current();
    const at = line ? all.indexOf(line) : -1;
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      const next = event.key === "j" ? Math.min(at + 1, all.length - 1) : Math.max(at - 1, 0);
      focusLine(all[next]);
      return;
    }
    if (!line) return;
    const button = line.querySelector("[data-shortcut='" + event.key + "']");
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    const all = lines();
    const wanted = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    focusLine(wanted && wanted.hasAttribute("data-line") ? wanted : all[0]);
  });
})();

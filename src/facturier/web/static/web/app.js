/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can forbid inline
 * scripts and handlers: a <select data-autosubmit> posts its form when changed, a <form data-confirm="…">
 * asks before it is posted, an error summary's link focuses its field, the menu button folds the main menu on small screens, and a region that scrolls
 * sideways can be reached and scrolled with the keyboard. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const select = event.target.closest ? event.target.closest("select[data-autosubmit]") : null;
    if (select && select.form) select.form.submit();
  });
  /* A <button data-print> prints the page (the statement of account), without an inline handler. */
  document.addEventListener("click", function (event) {
    const button = event.target.closest ? event.target.closest("button[data-print]") : null;
    if (button) window.print();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  /* The error summary's links (web/includes/error_summary.html) focus their field: a link to an id only
   * scrolls to it. A field folded in a <details> is unfolded first. */
  document.addEventListener("click", function (event) {
    const link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) return;
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    const folded = target.closest("details");
    if (folded) folded.open = true;
    target.focus();
  });

  /* The menu button (base.html): a real button that says whether the menu is open (aria-expanded) and which
   * element it opens (aria-controls). CSS shows it only on small screens; Escape closes the menu and gives
   * the focus back to the button. */
  function menu() {
    const button = document.getElementById("nav-toggle");
    const nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    const setOpen = function (open) { button.setAttribute("aria-expanded", open ? "true" : "false"); };
    setOpen(false);
    button.hidden = false;
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      if (!nav.contains(document.activeElement) && document.activeElement !== button) return;
      setOpen(false);
      button.focus();
    });
  }

  /* A table or card wider than the screen scrolls sideways: it gets a tab stop (and a name, from its heading or
   * caption) only while it does, so keyboard users can scroll it (WCAG 2.1.1), without an extra tab stop on
   * a desktop where it fits. Elements the templates made focusable themselves are left alone. */
  const SCROLLERS = ".table-wrap, .card";
  function scrollRegions() {
    document.querySelectorAll(SCROLLERS).forEach(function (element) {
      const ours = element.hasAttribute("data-scroll-region");
      if (!ours && element.hasAttribute("tabindex")) return;
      const scrolls = element.scrollWidth > element.clientWidth + 1;
      if (scrolls && !ours) {
        const heading = element.querySelector("h2, caption, h3");
        element.setAttribute("data-scroll-region", "");
        element.setAttribute("tabindex", "0");
        if (!element.hasAttribute("role")) {
          element.setAttribute("role", "region");
          element.setAttribute("data-scroll-role", "");
        }
        if (!element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
          const name = heading ? heading.textContent.trim() : document.title.split("·")[0].trim();
          element.setAttribute("aria-label", name);
          element.setAttribute("data-scroll-label", "");
        }
      } else if (!scrolls && ours) {
        element.removeAttribute("data-scroll-region");
        element.removeAttribute("tabindex");
        if (element.hasAttribute("data-scroll-role")) element.removeAttribute("role");
        if (element.hasAttribute("data-scroll-label")) element.removeAttribute("aria-label");
        element.removeAttribute("data-scroll-role");
        element.removeAttribute("data-scroll-label");
      }
    });
  }

  function start() {
    menu();
    scrollRegions();
    let pending = null;
    const later = function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(scrollRegions, 100);
    };
    window.addEventListener("resize", later);
    if (window.ResizeObserver) {
      const observer = new ResizeObserver(later);
      document.querySelectorAll(SCROLLERS + ", .table").forEach(function (element) { observer.observe(element); });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

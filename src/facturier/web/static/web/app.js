/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can forbid inline
 * scripts and handlers: a <select data-autosubmit> posts its form when changed, a <form data-confirm="…">
 * asks before it is posted. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const select = event.target.closest ? event.target.closest("select[data-autosubmit]") : null;
    if (select && select.form) select.form.submit();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();

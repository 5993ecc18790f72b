/* Accord's only script. Everything works without it; it adds:
   - the CSRF header on every htmx request (read from <meta name="csrf-token">);
   - a confirmation dialog for destructive forms marked data-confirm, replacing the
     "Yes, ..." checkbox that confirms them when JavaScript is off;
   - the browser's time zone in a time zone field marked data-browser-zone (the account
     page, while the saved zone is still the default UTC): the person still saves it.
   No inline handlers anywhere: the page's Content-Security-Policy forbids them. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  /* With JavaScript on, the dialog confirms; the checkbox is ticked and hidden. */
  function enhanceConfirmations(root) {
    root.querySelectorAll("form[data-confirm] .confirm-box").forEach(function (box) {
      var checkbox = box.querySelector('input[name="confirm"]');
      if (checkbox) {
        checkbox.checked = true;
        box.hidden = true;
      }
    });
  }

  /* Capture phase: runs before htmx's own submit listener on the form. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }, true);

  /* Only a zone the server lists (the field's datalist) is offered. */
  function suggestTimeZone(root) {
    var zone = window.Intl ? Intl.DateTimeFormat().resolvedOptions().timeZone : "";
    root.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
      var known = input.list && zone &&
        Array.prototype.some.call(input.list.options, function (option) {
          return option.value === zone;
        });
      if (known) {
        input.value = zone;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceConfirmations(document);
    suggestTimeZone(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    enhanceConfirmations(document);
  });
})();

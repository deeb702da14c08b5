// Every POST form of the dashboard is sent once: its button is disabled while the page loads.
// A form with data-confirm="question" is sent only if the user says yes (no inline handlers:
// the Content-Security-Policy runs no script written into a page).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && form.dataset.sent !== "1" &&
        !window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      if (button.textContent.trim() === "Sync now") button.textContent = "Syncing…";
    });
  });
  // Back to a page kept in the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      delete form.dataset.sent;
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
    });
  });
})();

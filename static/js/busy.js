/* Work that takes a while (printing a batch of letters): show it, and do not send twice.
   A form with data-busy="message" gets the message in its status line on submit; the
   pressed button shows it too. Served from /static/ (the CSP allows no inline script). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy")) { return; }
    if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    var button = event.submitter;
    var message = button && button.getAttribute("data-busy-label") || form.getAttribute("data-busy");
    form.setAttribute("aria-busy", "true");
    var status = form.querySelector("[data-busy-status]");
    if (status) { status.textContent = message; status.hidden = false; }
    if (button) { button.classList.add("is-busy"); }
    /* A PDF opens in place of the page or beside it; let the form be used again. */
    window.setTimeout(function () {
      form.removeAttribute("aria-busy");
      if (button) { button.classList.remove("is-busy"); }
      if (status) { status.hidden = true; }
    }, 15000);
  });
}());

/* A counter under every text field with data-maxlength (caseworks.forms.limit_text): "123 / 4000",
   marked when the text is too long. Only a help: the server refuses a longer text, with the
   same count (a line break counts once, characters beyond the BMP once). Served from /static/
   (the CSP allows no inline script). */
(function () {
  "use strict";

  function length(text) {
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function attach(field, index) {
    var max = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!max) { return; }
    var counter = document.createElement("p");
    counter.className = "help char-counter";
    counter.id = (field.id || "text-" + index) + "_counter";
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);

    function update() {
      var n = length(field.value);
      counter.textContent = n + " / " + max;
      counter.classList.toggle("overdue", n > max);
    }
    field.addEventListener("input", update);
    update();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-maxlength]"), attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

// Document upload: drop files onto the file field's area (desk), and the BAMF fields only
// for a BAMF decision. Without JavaScript both fields work as they are.
(function () {
  "use strict";
  document.querySelectorAll("[data-dropzone-for]").forEach(function (zone) {
    var input = document.getElementById(zone.getAttribute("data-dropzone-for"));
    if (!input || typeof DataTransfer === "undefined") return;
    var hint = zone.querySelector(".dropzone-hint");
    if (hint) hint.hidden = false;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone-active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dropzone-active"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { files.items.add(f); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (f) { files.items.add(f); });
      input.files = files.files;
    });
  });
  var kind = document.getElementById("id_kind");
  var bamf = document.querySelector(".bamf-fields");
  if (kind && bamf) {
    var toggle = function () { bamf.hidden = kind.value !== "bamf_decision"; };
    kind.addEventListener("change", toggle);
    toggle();
  }
})();

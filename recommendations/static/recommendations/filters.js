// Keeps the URL of a filtered list short and shareable: fields left empty are not
// sent. Without JavaScript the form sends them empty, which means the same.
(function () {
  "use strict";
  function tidy(event) {
    var form = event.target;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) { return; }
      if ((field.tagName === "INPUT" && field.type !== "checkbox" && field.type !== "radio" && field.value === "") ||
          (field.tagName === "SELECT" && field.value === "")) {
        field.disabled = true;
      }
    });
    // Re-enable after the browser has collected the data (for back/forward caches).
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
    }, 0);
  }
  document.querySelectorAll("form.filter-form").forEach(function (form) {
    form.addEventListener("submit", tidy);
  });
})();

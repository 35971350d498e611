// Conditional display on a survey page: a question with data-show-field shows only while that
// field has one of data-show-values. A hidden question's inputs are disabled, so the browser
// does not send them (the server refuses answers to hidden questions anyway).
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) return;
  var dependents = Array.prototype.slice.call(form.querySelectorAll("[data-show-field]"));
  if (!dependents.length) return;

  function valuesOf(name) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value.trim() !== "") out.push(el.value.trim().replace(",", "."));
    });
    return out;
  }

  function matches(given, wanted) {
    return given.some(function (v) {
      return wanted.some(function (w) {
        return v === w || (v !== "" && !isNaN(Number(v)) && Number(v) === Number(w));
      });
    });
  }

  function update() {
    // In page order: a question hidden here hides the questions that depend on it.
    dependents.forEach(function (fieldset) {
      var wanted = JSON.parse(fieldset.getAttribute("data-show-values") || "[]");
      var show = matches(valuesOf(fieldset.getAttribute("data-show-field")), wanted);
      fieldset.hidden = !show;
      Array.prototype.forEach.call(fieldset.querySelectorAll("input, select, textarea"), function (el) {
        el.disabled = !show;
      });
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();

/* The player page's own controls, for SCORM and cmi5 alike: the contents panel that a phone
 * opens from the bar above the course, and the confirmation before a new attempt. */
(function () {
  "use strict";

  var player = document.querySelector(".scorm-player");
  var toggle = document.querySelector(".scorm-menu-toggle");
  if (player && toggle) {
    toggle.addEventListener("click", function () {
      var open = !player.classList.contains("menu-open");
      player.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.querySelectorAll("[data-opens]").forEach(function (button) {
    var dialog = document.getElementById(button.dataset.opens);
    if (!dialog || typeof dialog.showModal !== "function") return;
    button.addEventListener("click", function () { dialog.showModal(); });
    dialog.querySelectorAll("[data-closes-dialog]").forEach(function (cancel) {
      cancel.addEventListener("click", function () { dialog.close(); });
    });
  });
})();

/* The cmi5 player page: the table of contents links open each AU in the frame (or, for
 * launchMethod OwnWindow, a new window) through the tool's launch URL; this script only keeps
 * the current item and the frame title in step and shows the frame when an AU opens in it. */
(function () {
  "use strict";

  var frame = document.getElementById("sco-frame");
  document.querySelectorAll("a.scorm-toc-item").forEach(function (link) {
    link.addEventListener("click", function () {
      if (link.target !== "sco-frame") return;
      document.querySelectorAll("a.scorm-toc-item").forEach(function (other) {
        if (other === link) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      });
      var notice = document.querySelector("[data-testid=own-window]");
      if (notice) notice.hidden = true;
      frame.hidden = false;
      frame.title = link.querySelector("span").textContent;
    });
  });
})();

/* The cmi5 player page: the table of contents links open each AU in the frame (or, for
 * launchMethod OwnWindow, a new window) through the tool's launch URL; this script keeps the
 * current item and the frame title in step, shows the frame when an AU opens in it, and keeps
 * the AU statuses current while an AU runs: it polls the small status endpoint every few
 * seconds (only while the page is visible), and at once when the frame loads a new page or the
 * learner comes back from an AU's own window. Changes are announced in the page's status region.
 *
 * Opening another part while an AU runs in the frame first lets the running AU end: the frame
 * goes to the "part finished" page (the AU's unload handler sends "terminated" and may itself go
 * to its returnURL, the same page), and only once that page has loaded is the next part launched.
 * Launched at once, the running AU's own late navigation to its returnURL would cancel the new
 * launch: its session was left to be abandoned and the learner saw "part finished". */
(function () {
  "use strict";

  var POLL_MS = 5000;
  var config = JSON.parse(document.getElementById("scorm-player-config").textContent);
  var frame = document.getElementById("sco-frame");
  var live = document.querySelector("[data-testid=save-status]");
  var auOpen = Boolean(frame && frame.getAttribute("src") && frame.getAttribute("src") !== "about:blank");
  var timer = null;
  var busy = false;

  function titleOf(scoId) {
    var link = document.querySelector("a.scorm-toc-item[data-sco='" + scoId + "'] span");
    return link ? link.textContent.trim() : "";
  }

  var pendingLaunch = null;

  // Whether an AU's page is in the frame: the AU runs on another origin, whose location this
  // page may not read; the "part finished" page and about:blank are readable.
  function auInFrame() {
    if (!frame) return false;
    try {
      var href = frame.contentWindow.location.href;
      return href !== "about:blank" && href.indexOf(config.returnedUrl.split("?")[0]) === -1;
    } catch (error) {
      return true;
    }
  }

  document.querySelectorAll("a[data-sco]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (link.target === "sco-frame" && auInFrame()) {
        event.preventDefault();
        pendingLaunch = link.href;
        frame.src = config.returnedUrl;
      }
      auOpen = true;
      schedule();
      if (link.target !== "sco-frame") return;
      var scoId = link.getAttribute("data-sco");
      document.querySelectorAll("a.scorm-toc-item").forEach(function (item) {
        if (item.getAttribute("data-sco") === scoId) item.setAttribute("aria-current", "true");
        else item.removeAttribute("aria-current");
      });
      var notice = document.querySelector("[data-testid=own-window]");
      if (notice) notice.hidden = true;
      frame.hidden = false;
      frame.title = titleOf(scoId);
    });
  });

  function apply(aus) {
    var changes = [];
    aus.forEach(function (au) {
      var status = document.querySelector("[data-status-for='" + au.id + "']");
      if (status && status.textContent.trim() !== au.status) {
        status.textContent = au.status;
        changes.push(config.messages.statusChanged
          .replace("%(title)s", titleOf(au.id))
          .replace("%(status)s", au.status));
      }
      var again = document.querySelector("[data-review-for='" + au.id + "']");
      if (again) again.hidden = !au.reviewable;
    });
    if (changes.length && live) live.textContent = changes.join(" ");
  }

  // The course's result: shown (and announced) once every part's moveOn is met.
  function applyCourse(done) {
    var notice = document.querySelector("[data-course-done]");
    if (!notice || !done || !notice.hidden) return;
    notice.hidden = false;
    if (live) live.textContent = (live.textContent + " " + config.messages.courseDone).trim();
  }

  function refresh() {
    if (busy || !config.statusUrl) return;
    busy = true;
    fetch(config.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        // The launch expired or the link is not this learner's: asking again will not help.
        if (response.status === 401 || response.status === 403) stop();
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        apply(data.aus);
        applyCourse(data.courseDone);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { busy = false; });
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    auOpen = false;
  }

  function schedule() {
    if (timer !== null || !auOpen) return;
    timer = window.setInterval(function () {
      if (document.visibilityState === "visible") refresh();
    }, POLL_MS);
  }

  if (frame) {
    frame.addEventListener("load", function () {
      if (pendingLaunch && !auInFrame()) {
        var next = pendingLaunch;
        pendingLaunch = null;
        frame.src = next;
      }
      if (auOpen) refresh();
    });
  }
  window.addEventListener("focus", function () { if (auOpen) refresh(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && auOpen) refresh();
  });
  schedule();
})();

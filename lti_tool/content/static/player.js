/* The SCORM player page, on the tool's origin: the table of contents, the Previous / Next
 * buttons and the notices, beside the run-time frame. The run-time (scorm-again, the commits)
 * and the SCO run in that frame, on the content origin, so a package's scripts never run with
 * this page's session (docs/security.md).
 *
 * The two talk by postMessage only: this page sends navigation requests to the frame's window,
 * naming the content origin as the target, and takes messages only from that window and that
 * origin. The SCO shares the frame's origin and could send the same messages, so they name
 * texts of this page and statuses, never markup, and change nothing but what the page shows.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-player-config").textContent);
  var frame = document.getElementById("runtime-frame");
  var saveStatus = document.querySelector("[data-testid=save-status]");
  var overflowNotice = document.querySelector("[data-testid=overflow]");
  var messages = config.messages;
  var currentSco = Number(config.current);
  var engineHides = [];

  function say(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }

  function send(message) {
    frame.contentWindow.postMessage(message, config.contentOrigin);
  }

  function showNotice(text) {
    if (!overflowNotice) return;
    overflowNotice.textContent = text;
    overflowNotice.hidden = false;
  }

  function showLmsControls() {
    /* Previous / Next exist only when the course gives flow navigation to the LMS (the page
       renders them then); a part that hides them (adlnav hideLMSUI: "previous", "continue"),
       by its manifest or as the sequencing engine says for the current activity, hides them. */
    var hides = ((config.hideLmsUi || {})[String(currentSco)] || []).concat(engineHides);
    document.querySelectorAll("[data-nav]").forEach(function (button) {
      button.hidden = hides.indexOf(button.dataset.nav) >= 0;
    });
  }

  function markCurrent(scoId) {
    currentSco = scoId;
    showLmsControls();
    document.querySelectorAll(".scorm-toc-item").forEach(function (button) {
      if (Number(button.dataset.sco) === scoId) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
  }

  function showValidity(data) {
    (Array.isArray(data.items) ? data.items : []).forEach(function (item) {
      var button = document.querySelector('.scorm-toc-item[data-sco="' + Number(item.sco) + '"]');
      if (!button) return;
      var hidden = item.hidden === true;
      var allowed = !hidden && item.allowed === true;
      var entry = button.closest("li");
      if (entry) entry.hidden = hidden;
      button.disabled = !allowed;
      button.dataset.allowed = allowed ? "true" : "false";
      var reason = document.querySelector('[data-reason-for="' + Number(item.sco) + '"]');
      /* With choice="false" the page already says the course sets the order. */
      if (reason) reason.textContent = allowed || !config.navigation.choice ? "" : messages.notAvailable;
    });
    /* A group whose parts are all hidden goes too. */
    document.querySelectorAll(".scorm-toc-group").forEach(function (group) {
      var entry = group.closest("li");
      if (!entry) return;
      var items = Array.prototype.slice.call(entry.querySelectorAll(".scorm-toc-item"));
      entry.hidden = items.length > 0 && items.every(function (item) { return item.closest("li").hidden; });
    });
    document.querySelectorAll("[data-nav]").forEach(function (button) {
      button.disabled = !(button.dataset.nav === "continue" ? data.continue === true : data.previous === true);
    });
    engineHides = (Array.isArray(data.hideLmsUi) ? data.hideLmsUi : []).map(String);
    showLmsControls();
  }

  function showConflict() {
    /* Another window or device saved newer state: the frame stopped; offer a reload. */
    if (!overflowNotice) return;
    overflowNotice.textContent = messages.stateConflict + " ";
    var reload = document.createElement("button");
    reload.type = "button";
    reload.dataset.testid = "reload";
    reload.textContent = messages.reload;
    reload.addEventListener("click", function () { window.location.reload(); });
    overflowNotice.appendChild(reload);
    overflowNotice.hidden = false;
  }

  function values(data) {
    var found = {};
    var given = data.values && typeof data.values === "object" ? data.values : {};
    Object.keys(given).forEach(function (key) { found[key] = String(given[key]); });
    return found;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== config.contentOrigin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    var text = typeof data.key === "string" && Object.prototype.hasOwnProperty.call(messages, data.key)
      ? messages[data.key] : null;
    if (data.type === "status" && typeof text === "string") {
      if (saveStatus) saveStatus.textContent = text;
    } else if (data.type === "notice") {
      if (data.key === "serverSaid") showNotice(values(data).text || "");
      else if (typeof text === "string") showNotice(say(text, values(data)));
    } else if (data.type === "scoStatus") {
      var target = document.querySelector('[data-status-for="' + Number(data.sco) + '"]');
      var label = messages.statuses[String(data.label)];
      if (target && label) target.textContent = label;
    } else if (data.type === "current") {
      markCurrent(Number(data.sco));
    } else if (data.type === "validity") {
      showValidity(data);
    } else if (data.type === "conflict") {
      showConflict();
    }
  });

  document.querySelectorAll("[data-nav]").forEach(function (button) {
    button.addEventListener("click", function () {
      send({ type: "navigate", request: button.dataset.nav === "continue" ? "continue" : "previous" });
    });
  });

  document.querySelectorAll(".scorm-toc-item").forEach(function (button) {
    button.addEventListener("click", function () {
      send({ type: "navigate", request: "choice", sco: Number(button.dataset.sco) });
    });
  });

  showLmsControls();
  /* The frame may have told the contents what to show before this script listened: it tells
     again on this (sent now, and once the frame has loaded in case it was not there yet). */
  send({ type: "listening" });
  frame.addEventListener("load", function () { send({ type: "listening" }); });
})();

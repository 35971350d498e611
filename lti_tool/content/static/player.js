/* The SCORM player page: scorm-again provides window.API (1.2) or window.API_1484_11 (2004);
 * this script loads the saved CMI data into it, and sends every commit to the server.
 *
 * Commits are queued, sent in order and retried with back-off until the server answers 2xx; the
 * queue is also kept in localStorage, so a commit that could not be sent before the page closed
 * is sent on the next visit. On pagehide the newest state goes out with fetch keepalive.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-player-config").textContent);
  var is12 = config.api === "API";
  var frame = document.getElementById("sco-frame");
  var saveStatus = document.querySelector("[data-testid=save-status]");
  var overflowNotice = document.querySelector("[data-testid=overflow]");
  var pageSession = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var storageKey = "learnpass-scorm-outbox:" + config.commitUrl;
  var seq = 0;
  var api = null;
  var currentSco = null;
  var queue = loadQueue();
  var sending = false;
  var retryDelay = 1000;
  var retryTimer = null;
  var overflow = [];
  var messages = config.messages;

  function say(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }

  function loadQueue() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function saveQueue() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(queue));
    } catch (e) {
      /* storage full or disabled: the in-memory queue still retries while the page is open */
    }
  }

  function showStatus(text) {
    if (saveStatus) saveStatus.textContent = text;
  }

  function commitUrl(scoId) {
    return config.commitUrl.replace("{sco}", String(scoId));
  }

  function snapshot(trigger) {
    var rendered = api.renderCommitCMI(true);
    return {
      sco: currentSco.id,
      body: {
        cmi: rendered.cmi || rendered,
        session: pageSession,
        seq: ++seq,
        trigger: trigger,
        overflow: overflow.slice(0, 5),
      },
    };
  }

  function enqueue(trigger) {
    if (!api || !currentSco) return;
    queue.push(snapshot(trigger));
    saveQueue();
    flush();
  }

  function flush() {
    if (sending || queue.length === 0) return;
    sending = true;
    var entry = queue[0];
    showStatus(messages.saving);
    fetch(commitUrl(entry.sco), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Attempt-Token": config.attemptToken },
      body: JSON.stringify(entry.body),
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.status >= 500 || response.status === 429) throw new Error("HTTP " + response.status);
        return response.json().then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      })
      .then(function (answer) {
        queue.shift();
        saveQueue();
        sending = false;
        retryDelay = 1000;
        if (!answer.ok) {
          /* 4xx: the server will never accept this one; say so instead of dropping it silently */
          showOverflow(say(messages.refused, { reason: answer.data.message || answer.status }));
        } else {
          if (answer.data.overflow && answer.data.overflow.length) showOverflow(answer.data.overflow.join("; "));
          showStatus(messages.saved);
        }
        flush();
      })
      .catch(function () {
        sending = false;
        showStatus(messages.retrying);
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      });
  }

  function showOverflow(text) {
    if (!overflowNotice) return;
    overflowNotice.textContent = text;
    overflowNotice.hidden = false;
  }

  function guardLimits(instance) {
    /* SCORM 1.2 suspend_data is at most 4,096 characters, 2004 at most 64,000: refuse the SetValue
       (so the SCO sees an error) and tell the learner, instead of storing a truncated value. */
    var limit = config.suspendDataLimit;
    var name = is12 ? "LMSSetValue" : "SetValue";
    var original = instance[name].bind(instance);
    instance[name] = function (element, value) {
      if (element === "cmi.suspend_data" && limit && String(value).length > limit) {
        var message = say(messages.overflow, { length: String(value).length, edition: config.edition, limit: limit });
        overflow.push("cmi.suspend_data: " + String(value).length + " > " + limit);
        showOverflow(message);
        instance.throwSCORMError("cmi.suspend_data", is12 ? 405 : 406, message);
        return "false";
      }
      return original(element, value);
    };
  }

  function idAndTypeFirst(collection) {
    /* The server's JSON has sorted keys; the run-time checks a response against the interaction's
       type, so id and type must be loaded before everything else. */
    if (!collection || typeof collection !== "object") return collection;
    Object.keys(collection).forEach(function (index) {
      var entry = collection[index];
      if (!entry || typeof entry !== "object") return;
      var ordered = {};
      ["id", "type"].forEach(function (key) { if (key in entry) ordered[key] = entry[key]; });
      Object.keys(entry).forEach(function (key) { if (!(key in ordered)) ordered[key] = entry[key]; });
      collection[index] = ordered;
    });
    return collection;
  }

  function createApi(cmi) {
    idAndTypeFirst(cmi.interactions);
    idAndTypeFirst(cmi.objectives);
    var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5, autoProgress: false };
    var instance = is12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    instance.loadFromJSON(cmi);
    guardLimits(instance);
    var prefix = is12 ? "LMS" : "";
    instance.on(prefix + "Initialize", function () { enqueue("initialize"); });
    instance.on(prefix + "Commit", function () { enqueue("commit"); });
    instance.on(is12 ? "LMSFinish" : "Terminate", function () {
      enqueue("terminate");
      markStatus();
      if (is12) return;
      /* Read now: the run-time resets adl.nav.request once Terminate returns. */
      var request = instance.adl && instance.adl.nav ? String(instance.adl.nav.request || "") : "";
      window.setTimeout(function () { followNavRequest(request); }, 0);
    });
    instance.on(is12 ? "LMSSetValue.cmi.core.lesson_status" : "SetValue.cmi.completion_status", markStatus);
    instance.on(is12 ? "LMSSetValue.cmi.core.lesson_status" : "SetValue.cmi.success_status", markStatus);
    return instance;
  }

  function markStatus() {
    if (!api || !currentSco) return;
    var label = is12
      ? api.cmi.core.lesson_status
      : (api.cmi.success_status !== "unknown" ? api.cmi.success_status : api.cmi.completion_status);
    var target = document.querySelector('[data-status-for="' + currentSco.id + '"]');
    if (target && label) target.textContent = messages.statuses[label] || label;
  }

  function launch(sco, cmi) {
    currentSco = sco;
    api = createApi(cmi);
    window[config.api] = api;
    document.querySelectorAll(".scorm-toc-item").forEach(function (button) {
      if (Number(button.dataset.sco) === sco.id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
    frame.title = sco.title;
    frame.src = sco.url;
  }

  function finishCurrent() {
    /* A SCO that is swapped out without calling Finish/Terminate still gets its data saved. */
    if (api && api.isInitialized() && !api.isTerminated()) enqueue("commit");
  }

  function switchTo(scoId) {
    var sco = config.scos.find(function (s) { return s.id === scoId; });
    if (!sco || (currentSco && sco.id === currentSco.id)) return;
    frame.src = "about:blank";
    window.setTimeout(function () {
      finishCurrent();
      fetch(config.stateUrl.replace("{sco}", String(sco.id)), {
        headers: { "X-Attempt-Token": config.attemptToken },
        credentials: "same-origin",
      })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) { launch(sco, data.cmi); })
        .catch(function () { showStatus(messages.openFailed); });
    }, 50);
  }

  function step(offset) {
    var index = config.scos.findIndex(function (s) { return currentSco && s.id === currentSco.id; });
    var next = config.scos[index + offset];
    if (next) switchTo(next.id);
    else showStatus(offset > 0 ? messages.last : messages.first);
  }

  function followNavRequest(request) {
    /* SCORM 2004: a SCO asks for the next step by setting adl.nav.request before Terminate. */
    var choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
    if (request === "continue") step(1);
    else if (request === "previous") step(-1);
    else if (choice) {
      var target = config.scos.find(function (s) { return s.identifier === choice[1]; });
      if (target) switchTo(target.id);
    } else if (request === "exitAll" || request === "suspendAll" || request === "exit") {
      frame.src = "about:blank";
      showStatus(request === "suspendAll" ? messages.suspended : messages.closed);
    }
  }

  document.querySelectorAll("[data-nav]").forEach(function (button) {
    button.addEventListener("click", function () { step(button.dataset.nav === "continue" ? 1 : -1); });
  });

  document.querySelectorAll(".scorm-toc-item").forEach(function (button) {
    button.addEventListener("click", function () { switchTo(Number(button.dataset.sco)); });
  });

  window.addEventListener("pagehide", function () {
    if (!api || !currentSco) return;
    if (api.isInitialized() && !api.isTerminated()) queue.push(snapshot("pagehide"));
    saveQueue();
    /* keepalive requests may outlive the page (each body at most 64 kB); what does not fit stays
       in localStorage and is sent on the next visit. */
    queue.slice(0, 4).forEach(function (entry) {
      var body = JSON.stringify(entry.body);
      if (body.length > 60000) return;
      try {
        fetch(commitUrl(entry.sco), {
          method: "POST",
          keepalive: true,
          headers: { "Content-Type": "application/json", "X-Attempt-Token": config.attemptToken },
          body: body,
          credentials: "same-origin",
        });
      } catch (e) {
        /* the next visit sends it from localStorage */
      }
    });
  });

  window.addEventListener("online", flush);

  var first = config.scos.find(function (s) { return s.id === config.current; }) || config.scos[0];
  launch(first, config.cmi);
  flush();
})();

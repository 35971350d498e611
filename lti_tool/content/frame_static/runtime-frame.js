/* The SCORM run-time frame, on the content origin: scorm-again provides window.API (1.2) or
 * window.API_1484_11 (2004) to the SCO's frame inside this one; this script loads the saved CMI
 * data into it, and sends every commit to the tool's origin with the attempt token (CORS, no
 * cookie: none of the tool's reaches this origin).
 *
 * The player page around this frame (the tool's origin) shows the table of contents and the
 * notices: this frame tells it what to show by postMessage, naming the tool's origin as the
 * target, and takes navigation requests only from the parent window and only from that origin.
 * The SCO runs on this origin too (SCORM finds the API in window.parent), so it could send the
 * player the same messages: the player shows them only as its own texts and statuses.
 *
 * Commits are queued, sent in order and retried with back-off until the server answers 2xx; the
 * queue is kept in localStorage before the SCO's Commit returns "true", so a commit that could
 * not be sent before the page closed (or the tab died without unload events) is sent on the next
 * visit with its page session and sequence number, which the server applies once. That visit
 * sends what was left before it loads any SCO, and loads the SCO from what the server then
 * holds. On pagehide the newest state goes out with fetch keepalive. "Progress saved" is shown
 * only once the server has answered.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-runtime-config").textContent);
  var is12 = config.api === "API";
  var frame = document.getElementById("sco-frame");
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
  var drainWaiters = [];

  function tell(message) {
    /* Only the tool's origin may read what this frame says (the player page around it). */
    if (window.parent !== window) window.parent.postMessage(message, config.toolOrigin);
  }

  function toolUrl(path) {
    return config.toolBase + path;
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

  function showStatus(key) {
    tell({ type: "status", key: key });
  }

  function commitUrl(scoId) {
    return toolUrl(config.commitUrl.replace("{sco}", String(scoId)));
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

  function drained(scoId) {
    /* Resolves once the queue holds nothing for the SCO (nothing at all without scoId): every
       commit before now reached the server (or was refused for good). No time limit: while the
       connection is down the page says it is retrying. */
    return new Promise(function (resolve) {
      drainWaiters.push({ sco: scoId, resolve: resolve });
      checkDrained();
    });
  }

  function checkDrained() {
    drainWaiters = drainWaiters.filter(function (waiter) {
      var waiting = queue.some(function (entry) {
        return waiter.sco === undefined || entry.sco === waiter.sco;
      });
      if (!waiting) waiter.resolve();
      return waiting;
    });
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
    showStatus("saving");
    postToTool(commitUrl(entry.sco), JSON.stringify(entry.body))
      .then(function (answer) {
        queue.shift();
        saveQueue();
        sending = false;
        retryDelay = 1000;
        checkDrained();
        if (!answer.ok) {
          /* 4xx: the server will never accept this one; say so instead of dropping it silently */
          showOverflow("refused", { reason: String(answer.data.message || answer.status) });
        } else {
          if (answer.data.overflow && answer.data.overflow.length) {
            showOverflow("serverSaid", { text: answer.data.overflow.join("; ") });
          }
          showStatus("saved");
        }
        flush();
      })
      .catch(function () {
        sending = false;
        showStatus("retrying");
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      });
  }

  function showOverflow(key, values) {
    tell({ type: "notice", key: key, values: values || {} });
  }

  function guardLimits(instance) {
    /* SCORM 1.2 suspend_data is at most 4,096 characters, 2004 at most 64,000: refuse the SetValue
       (so the SCO sees an error) and tell the learner, instead of storing a truncated value. */
    var limit = config.suspendDataLimit;
    var name = is12 ? "LMSSetValue" : "SetValue";
    var original = instance[name].bind(instance);
    instance[name] = function (element, value) {
      if (element === "cmi.suspend_data" && limit && String(value).length > limit) {
        var message = "cmi.suspend_data: " + String(value).length + " > " + limit;
        overflow.push(message);
        showOverflow("overflow", { length: String(value).length, edition: config.edition, limit: limit });
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
    if (label) tell({ type: "scoStatus", sco: currentSco.id, label: String(label) });
  }

  function launch(sco, cmi) {
    currentSco = sco;
    api = createApi(cmi);
    window[config.api] = api;
    tell({ type: "current", sco: sco.id });
    markStatus(); /* what the server holds now, which may be newer than the page was given */
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
      fetchState(sco)
        .then(function (data) { launch(sco, data.cmi); })
        .catch(function () { showStatus("openFailed"); });
    }, 50);
  }

  function step(offset) {
    var index = config.scos.findIndex(function (s) { return currentSco && s.id === currentSco.id; });
    var next = config.scos[index + offset];
    if (next) switchTo(next.id);
    else showStatus(offset > 0 ? "last" : "first");
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
      showWhenSaved(request === "suspendAll" ? "suspended" : "closed");
    }
  }

  window.addEventListener("pagehide", function () {
    if (config.sequencing) leaveSequencing();
    if (!api || !currentSco) return;
    if (api.isInitialized() && !api.isTerminated()) queue.push(snapshot("pagehide"));
    saveQueue();
    queue.slice(0, 4).forEach(function (entry) {
      sendWithPage(commitUrl(entry.sco), JSON.stringify(entry.body));
    });
  });

  function showWhenSaved(key) {
    /* "Progress saved. You can close this page." only once the server has what there was. */
    showStatus("saving");
    drained().then(sequencingSaved).then(function () { showStatus(key); });
  }

  function toolPost(body, keepalive) {
    /* The run-time API takes the attempt token, never a cookie. */
    return {
      method: "POST",
      keepalive: keepalive,
      headers: { "Content-Type": "application/json", "X-Attempt-Token": config.attemptToken },
      body: body,
      credentials: "omit",
    };
  }

  function fetchState(sco) {
    /* The SCO's starting CMI data from the tool, as {cmi}. */
    return fetch(toolUrl(config.stateUrl.replace("{sco}", String(sco.id))), {
      headers: { "X-Attempt-Token": config.attemptToken },
      credentials: "omit",
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function postToTool(url, body) {
    /* The answer as {ok, status, data}; a server error or 429 rejects, so the caller retries. */
    return fetch(url, toolPost(body, false)).then(function (response) {
      if (response.status >= 500 || response.status === 429) throw new Error("HTTP " + response.status);
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function sendWithPage(url, body) {
    /* A POST that may outlive the page (keepalive bodies are at most 64 kB); what does not fit
       or fails stays in localStorage, and the next visit sends it. */
    if (body.length > 60000) return;
    try {
      fetch(url, toolPost(body, true));
    } catch (e) {
      /* the next visit sends it from localStorage */
    }
  }

  window.addEventListener("online", function () {
    flush();
    if (config.sequencing) flushSequencing();
  });

  /* ------------------------------------------------------------ SCORM 2004 sequencing
   * A package with imsss:sequencing gets one Scorm2004API for the whole course, built with the
   * manifest's sequencing settings: scorm-again's engine evaluates the rules and rollup and says
   * which activity to deliver (onActivityDelivery); this page only loads that SCO's CMI data (its
   * saved data, or empty data for a new attempt), shows what the engine allows (hiding what it
   * hides from choice), and saves the engine's state (and its rollup of the course).
   *
   * Each save carries a revision: one more than the last the server acknowledged to this page
   * (at first, the one it loaded). The server stores it only on top of the revision before it
   * (else 409), so a page left open on another device never overwrites newer state: that page
   * then stops saving and asks for a reload. Saves go one at a time, a newer snapshot replacing
   * one not yet sent; a failed save is retried with back-off and kept in localStorage for the
   * next visit. */
  var deliveredBefore = false;
  var resumeNext = null;
  var deliveries = 0;
  var restoredCurrent = null;
  var sequencingKey = "learnpass-scorm-sequencing:" + config.sequencingUrl;
  var sequencingAcknowledged = config.sequencingRevision || 0;
  var sequencingPending = null;
  var sequencingInFlight = null;
  var sequencingUnsure = null;
  var sequencingRetryDelay = 1000;
  var sequencingRetryTimer = null;
  var sequencingConflict = false;
  var sessionOver = false;
  var pendingNavigation = null;
  var lastSaved = null;
  var sequencingWaiters = [];
  /* What the contents show comes only from a validity the engine computed once the start-up
     (the restore of its state and global objectives, the first delivery) is over: the ones it
     reports on the way are kept, not shown. The newest is sent again when the player page says
     it is listening (its script may start after this frame has sent it). */
  var startupDone = false;
  var validityMessage = null;
  var validityCount = 0;

  function sequencingSaved() {
    /* Resolves once no sequencing save is waiting or in flight (at once without sequencing). */
    return new Promise(function (resolve) {
      sequencingWaiters.push(resolve);
      checkSequencingSaved();
    });
  }

  function checkSequencingSaved() {
    if (config.sequencing && !sequencingConflict && (sequencingPending || sequencingInFlight || sequencingUnsure)) return;
    var waiting = sequencingWaiters;
    sequencingWaiters = [];
    waiting.forEach(function (resolve) { resolve(); });
  }

  function scoByIdentifier(identifier) {
    return config.scos.find(function (s) { return s.identifier === identifier; });
  }

  function deliver(activity) {
    var sco = scoByIdentifier(activity.id);
    if (!sco) return;
    /* A suspended activity resumes with its saved data, and so does the one the learner was in
       when the page was last closed; any other delivery is a new attempt on the activity (a
       retry, remediation), which starts from empty data (cmi.entry ab-initio). */
    var resume =
      activity.deliveryWasResumed ||
      (!deliveredBefore && activity.id === restoredCurrent) ||
      activity.id === resumeNext;
    resumeNext = null;
    deliveries += 1;
    /* Delivery happens inside Terminate: reset and load once the SCO's Terminate has returned. */
    window.setTimeout(function () {
      if (deliveredBefore) api.reset(undefined, { preserveListeners: true });
      deliveredBefore = true;
      frame.src = "about:blank";
      var loaded = resume
        /* The SCO's last commits reach the server before its data is read back (a suspended
           SCO can be resumed right after it was left, or after the tab died). */
        ? drained(sco.id).then(function () { return fetchState(sco); })
        : Promise.resolve({ cmi: JSON.parse(JSON.stringify(config.freshCmi[sco.id])) });
      loaded
        .then(function (data) {
          idAndTypeFirst(data.cmi.interactions);
          idAndTypeFirst(data.cmi.objectives);
          api.loadFromJSON(data.cmi);
          currentSco = sco;
          tell({ type: "current", sco: sco.id });
          markStatus();
          frame.title = sco.title;
          frame.src = sco.url;
          saveSequencing();
        })
        .catch(function () { showStatus("openFailed"); });
    }, 0);
  }

  function activitiesById() {
    var found = {};
    var state = api.getSequencingState();
    (function walk(activity) {
      if (!activity) return;
      found[activity.id] = activity;
      (activity.children || []).forEach(walk);
    })(state && state.rootActivity);
    return found;
  }

  function hiddenFromChoice(activity) {
    /* Hidden by the engine (selection, a hiddenFromChoice flag) or by a precondition rule that
       holds now, on the activity or a cluster above it: such an item is left out of the table of
       contents, not just disabled, until the rule stops holding. */
    for (var node = activity; node; node = node.parent) {
      if (node.isHiddenFromChoice) return true;
      var rules = node.sequencingRules;
      if (rules && rules.preConditionRules && rules.preConditionRules.length &&
          rules.evaluatePreConditionRules(node) === "hiddenFromChoice") return true;
    }
    return false;
  }

  function hideToken(item) {
    /* scorm-again gives hideLmsUi items as strings (or {value: ...} in some builds). */
    return String(item && typeof item === "object" ? item.value || "" : item);
  }

  function showValidity(validity) {
    /* The player page hides, disables and explains the table of contents' items from this. */
    var choice = validity.choice || {};
    var activities = activitiesById();
    validityCount += 1;
    validityMessage = {
      type: "validity",
      items: config.scos.map(function (sco) {
        var hidden = hiddenFromChoice(activities[sco.identifier]);
        return { sco: sco.id, hidden: hidden, allowed: !hidden && choice[sco.identifier] !== "false" };
      }),
      continue: Boolean(validity.continue),
      previous: Boolean(validity.previous),
      hideLmsUi: Array.isArray(validity.hideLmsUi) ? validity.hideLmsUi.map(hideToken) : [],
    };
    if (startupDone) tell(validityMessage);
  }

  function showValidityAfterStartup() {
    /* The engine recomputes what is allowed from its state as it is now, look-ahead cache
       cleared (scorm-again's deserializeSequencingState restores the activity tree before the
       global objectives, so a validity from the middle of the start-up can be stale). Without a
       current activity (nothing delivered) it computes none: the newest one is shown, if any. */
    startupDone = true;
    var service = api.getSequencingService && api.getSequencingService();
    var process = service && service.getOverallSequencingProcess && service.getOverallSequencingProcess();
    var before = validityCount;
    if (process && typeof process.updateNavigationValidity === "function") process.updateNavigationValidity();
    if (validityCount === before && validityMessage) tell(validityMessage);
  }

  function tellAgain() {
    /* The player page has just started listening: what it may have missed. */
    if (currentSco) tell({ type: "current", sco: currentSco.id });
    if (startupDone && validityMessage) tell(validityMessage);
  }

  function rollup() {
    var root = config.sequencing.activityTree.id;
    var data = api.getActivityTrackingData(root) || {};
    var success = data.successStatus === "passed" || data.successStatus === "failed" ? data.successStatus : "";
    return {
      completed: data.completionStatus === "completed",
      success: success,
      score_scaled: typeof data.score === "number" ? data.score : null,
    };
  }

  function sequencingSnapshot() {
    return { state: api.serializeSequencingState(), rollup: rollup(), sco: currentSco ? currentSco.id : null };
  }

  function persistSequencing() {
    /* What the server may not have yet: the newest snapshot, with the revision it builds on and
       the save in flight (whose answer may be lost), so the next visit knows whether it is still
       the newest state (takeOverLeftState). */
    var newest = sequencingPending || sequencingInFlight || sequencingUnsure;
    try {
      if (!newest) {
        window.localStorage.removeItem(sequencingKey);
        return;
      }
      var inFlight = sequencingPending && (sequencingInFlight || sequencingUnsure);
      window.localStorage.setItem(sequencingKey, JSON.stringify({
        state: newest.state,
        rollup: newest.rollup,
        sco: newest.sco,
        base: sequencingAcknowledged,
        sent: inFlight ? { revision: inFlight.revision, state: inFlight.state } : null,
      }));
    } catch (e) {
      /* storage full or disabled: the page still retries while it is open */
    }
  }

  function saveSequencing() {
    if (sequencingConflict || !api) return;
    /* Only the newest snapshot matters: it replaces one not sent yet. */
    sequencingPending = sequencingSnapshot();
    lastSaved = sequencingPending.state + JSON.stringify(sequencingPending.rollup);
    persistSequencing();
    flushSequencing();
  }

  var checkScheduled = false;

  function saveIfChanged() {
    /* After anything that may change the engine's state or its rollup of the course (a SCO's
       SetValue, Commit or Terminate, the end of an activity's attempt, a rollup): once the
       engine's current work is done, save if the state or rollup differ from the last save. The
       server settles the course result from each save, once, whenever the rollup arrives. */
    if (checkScheduled) return;
    checkScheduled = true;
    Promise.resolve().then(function () {
      checkScheduled = false;
      if (!api || sequencingConflict || !deliveredBefore) return;
      if (api.serializeSequencingState() + JSON.stringify(rollup()) !== lastSaved) saveSequencing();
    });
  }

  function flushSequencing() {
    if (sequencingConflict || sequencingInFlight || !(sequencingUnsure || sequencingPending)) {
      checkSequencingSaved();
      return;
    }
    /* A save whose answer was lost goes again exactly as it was (the server takes the same save
       twice), before anything newer, which builds on it. */
    var entry = sequencingUnsure || Object.assign({}, sequencingPending, { revision: sequencingAcknowledged + 1 });
    if (!sequencingUnsure) sequencingPending = null;
    sequencingUnsure = null;
    sequencingInFlight = entry;
    persistSequencing();
    postToTool(toolUrl(config.sequencingUrl), JSON.stringify(entry))
      .then(function (answer) {
        sequencingInFlight = null;
        sequencingRetryDelay = 1000;
        if (answer.status === 409) {
          showConflict();
          return;
        }
        if (answer.ok) sequencingAcknowledged = entry.revision;
        /* 4xx: the server will never accept this one; say so instead of dropping it silently */
        else showOverflow("refused", { reason: String(answer.data.message || answer.status) });
        persistSequencing();
        flushSequencing();
      })
      .catch(function () {
        sequencingInFlight = null;
        sequencingUnsure = entry;
        persistSequencing();
        showStatus("retrying");
        clearTimeout(sequencingRetryTimer);
        sequencingRetryTimer = setTimeout(flushSequencing, sequencingRetryDelay);
        sequencingRetryDelay = Math.min(sequencingRetryDelay * 2, 30000);
      });
  }

  function showConflict() {
    /* Another window or device saved newer state: this page must not save over it, nor let the
       learner go on working on the older one unawares. */
    sequencingConflict = true;
    sequencingPending = null;
    sequencingUnsure = null;
    clearTimeout(sequencingRetryTimer);
    checkSequencingSaved();
    try {
      window.localStorage.removeItem(sequencingKey);
    } catch (e) {
      /* nothing stored */
    }
    frame.src = "about:blank";
    tell({ type: "conflict" });
  }

  function leaveSequencing() {
    /* The newest state goes out with the page (keepalive, at most 64 kB), built on the save in
       flight if there is one; it also stays in localStorage, and the next visit sends it if the
       server has nothing newer. */
    if (sequencingConflict || !api || !deliveredBefore) return;
    sequencingPending = sequencingSnapshot();
    persistSequencing();
    var sent = sequencingInFlight || sequencingUnsure;
    var base = sent ? sent.revision : sequencingAcknowledged;
    sendWithPage(
      toolUrl(config.sequencingUrl),
      JSON.stringify(Object.assign({}, sequencingPending, { revision: base + 1 }))
    );
  }

  function takeOverLeftState() {
    /* A snapshot a previous visit could not send is the newest state if the server still holds
       the revision it builds on, or the save that visit had in flight; it is then loaded and
       sent. Otherwise it is already stored, or another window saved since: it is dropped. */
    var left = null;
    try {
      left = JSON.parse(window.localStorage.getItem(sequencingKey) || "null");
      window.localStorage.removeItem(sequencingKey);
    } catch (e) {
      left = null;
    }
    if (!left || typeof left.state !== "string" || left.state === config.sequencingState) return;
    var builtOnServer =
      left.base === sequencingAcknowledged ||
      (left.sent && left.sent.revision === sequencingAcknowledged && left.sent.state === config.sequencingState);
    if (!builtOnServer) return;
    config.sequencingState = left.state;
    sequencingPending = { state: left.state, rollup: left.rollup, sco: left.sco };
    persistSequencing();
  }

  function sessionEnded(data) {
    sessionOver = true;
    frame.src = "about:blank";
    saveSequencing();
    /* scorm-again names a suspendAll's end "suspend_all". */
    var suspended = data && (data.reason === "suspend_all" || data.reason === "suspend");
    showWhenSaved(suspended ? "suspended" : "closed");
  }

  function startSequenced() {
    var settings = {
      autocommit: false,
      lmsCommitUrl: false,
      logLevel: 5,
      autoProgress: false,
      sequencing: Object.assign({}, config.sequencing, {
        eventListeners: {
          onActivityDelivery: deliver,
          onNavigationValidityUpdate: showValidity,
          onSequencingSessionEnd: sessionEnded,
          onRollupComplete: saveIfChanged,
          onActivityAttemptEnd: saveIfChanged,
        },
      }),
    };
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
    guardLimits(api);
    api.on("Initialize", function () { enqueue("initialize"); });
    api.on("Commit", function () {
      enqueue("commit");
      saveIfChanged();
    });
    api.on("Terminate", function () {
      enqueue("terminate");
      markStatus();
      /* The engine has rolled up by the time Terminate returns: save what changed, then
         follow a navigation the learner asked for. */
      window.setTimeout(function () {
        saveIfChanged();
        afterNavigation();
      }, 0);
    });
    api.on("SetValue.cmi.completion_status", markStatus);
    api.on("SetValue.cmi.success_status", markStatus);

    startDelivery();
    showValidityAfterStartup();
  }

  function startDelivery() {
    /* Resume where the learner was, else start the course. */
    var resumed = false;
    takeOverLeftState();
    if (config.sequencingState && api.deserializeSequencingState(config.sequencingState)) {
      /* Back where the learner was: the engine's current activity, else the last one opened. */
      var state = api.getSequencingService() && api.getSequencingService().getSequencingState();
      var current = state && state.currentActivity ? state.currentActivity.id : null;

      var last = config.scos.find(function (s) { return s.id === config.current; });
      restoredCurrent = current || (last ? last.identifier : null);
      resumed =
        delivers("resumeAll") ||
        (current && choose(current)) ||
        (last && choose(last.identifier)) ||
        /* Without choice (the course sets the order), on from where the learner was. */
        (current && delivers("continue"));
    }
    if (!resumed && !delivers("start") && !openAnyAvailable()) showBlocked();
  }

  function delivers(request) {
    /* Whether the request delivered an activity (the engine may accept one and deliver none). */
    var before = deliveries;
    return api.processNavigationRequest(request) && deliveries !== before;
  }

  function choose(identifier) {
    /* A part left suspended (cmi.exit "suspend") takes two choices in scorm-again: the first
       ends the suspension and reports success without a delivery. */
    var before = deliveries;
    for (var tries = 0; tries < 2 && deliveries === before; tries++) {
      if (!api.processNavigationRequest("choice", identifier)) break;
    }
    return deliveries !== before;
  }

  function openAnyAvailable() {
    /* The first part, in the course's order, that the engine lets the learner choose. */
    return config.scos.some(function (sco) { return choose(sco.identifier); });
  }

  function showBlocked() {
    /* True only now: the engine delivers nothing, neither where the learner was nor any part. */
    frame.src = "about:blank";
    showStatus("sequencingBlocked");
    showOverflow("sequencingBlocked");
  }

  function afterNavigation() {
    /* A Previous / Next / choice of this page's that the engine refused once the SCO had ended
       delivers nothing: the learner is brought back to the part they were in (its saved data)
       instead of a blank frame, and told why. */
    var asked = pendingNavigation;
    pendingNavigation = null;
    if (!asked || sessionOver || sequencingConflict || deliveries !== asked.deliveries) return;
    showOverflow("notAvailable");
    resumeNext = asked.sco;
    if (choose(asked.sco)) return;
    resumeNext = null;
    if (!delivers("continue") && !openAnyAvailable()) showBlocked();
  }

  function navigate(request, target) {
    /* While a SCO runs, the request goes the way the SCO's own would: it is set in
       adl.nav.request and processed when the SCO terminates (most do on unload; if it does not,
       the page terminates it). Between SCOs the engine takes the request directly. */
    if (api.isInitialized() && !api.isTerminated()) {
      /* Only the SCO that was running: by then the next one may be delivered and running (the
         delivery may even happen at once, in the unload that blanking the frame runs). */
      var running = deliveries;
      if (currentSco) pendingNavigation = { deliveries: running, sco: currentSco.identifier };
      api.SetValue("adl.nav.request", target ? "{target=" + target + "}" + request : request);
      frame.src = "about:blank";
      window.setTimeout(function () {
        if (deliveries === running && api.isInitialized() && !api.isTerminated()) api.Terminate("");
      }, 500);
    } else if (!api.processNavigationRequest(request, target)) {
      showStatus("notAvailable");
    }
  }

  function scoById(id) {
    return config.scos.find(function (s) { return s.id === id; });
  }

  window.addEventListener("message", function (event) {
    /* Navigation from the player page: the parent window, on the tool's origin, only. */
    if (event.origin !== config.toolOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.type === "listening") {
      tellAgain();
      return;
    }
    if (data.type !== "navigate") return;
    var sco = scoById(Number(data.sco));
    if (config.sequencing) {
      if (data.request === "continue" || data.request === "previous") navigate(data.request);
      else if (data.request === "choice" && sco && !(currentSco && sco.id === currentSco.id)) {
        navigate("choice", sco.identifier);
      }
    } else if (data.request === "continue" || data.request === "previous") {
      step(data.request === "continue" ? 1 : -1);
    } else if (data.request === "choice" && sco) {
      switchTo(sco.id);
    }
  });

  if (config.sequencing) {
    startSequenced();
    flush();
    flushSequencing();
    return;
  }

  var first = config.scos.find(function (s) { return s.id === config.current; }) || config.scos[0];
  if (queue.length === 0) {
    launch(first, config.cmi);
    return;
  }
  /* Commits a previous visit could not send (the tab died, the network was down) go first; the
     SCO then starts from what the server holds with them. */
  flush();
  drained()
    .then(function () { return fetchState(first); })
    .then(function (data) { launch(first, data.cmi); })
    .catch(function () { showStatus("openFailed"); });
})();

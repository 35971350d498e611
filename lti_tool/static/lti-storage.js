/* LTI platform storage (IMS "Client Side postMessages"): lti.put_data.
   At login the state is also put into the platform's window, as platforms that send
   lti_storage_target expect. It is never read back to let a launch in: a script's answer cannot
   be proven to the server, so the launch is bound to the browser by its state cookie alone. */
(function () {
  "use strict";

  function targetWindow(name) {
    var parentWin = window.parent || window.opener;
    if (!parentWin) { return null; }
    try {
      if (name && name !== "_parent" && parentWin.frames[name]) { return parentWin.frames[name]; }
    } catch (e) { /* cross-origin frame lookup may throw; fall back to the parent */ }
    return parentWin;
  }

  function ask(message, origin, timeoutMs) {
    return new Promise(function (resolve) {
      var win = targetWindow(message.target);
      var done = false;
      if (!win || win === window) { resolve(null); return; }
      function onMessage(event) {
        var data = event.data || {};
        if (data.message_id !== message.message_id) { return; }
        if (origin && origin !== "*" && event.origin !== origin) { return; }
        done = true;
        window.removeEventListener("message", onMessage);
        resolve(data);
      }
      window.addEventListener("message", onMessage);
      var payload = Object.assign({}, message);
      delete payload.target;
      win.postMessage(payload, origin || "*");
      setTimeout(function () { if (!done) { window.removeEventListener("message", onMessage); resolve(null); } }, timeoutMs);
    });
  }

  function messageId() { return "lp-" + Math.random().toString(36).slice(2) + Date.now().toString(36); }

  window.LearnpassLtiStorage = {
    putState: function (cfg) {
      ask({ subject: "lti.put_data", message_id: messageId(), key: "state_" + cfg.state, value: cfg.state, target: cfg.target },
          cfg.origin, 2000)
        .then(function () { window.location.href = cfg.auth_url; });
    }
  };
})();

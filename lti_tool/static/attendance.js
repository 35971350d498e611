// Attendance pages, improved: the plain forms work without this file.
// - The sheet: each tap gets a client-generated id and the device's clock time, is kept in
//   localStorage and sent until the server answers (a network failure keeps it queued; the
//   same id sent twice is applied once by the server; the later tap wins by device time).
// - The check-in screen: the QR code, the typed code and the count refresh every few seconds.
(function () {
  "use strict";

  var QUEUE = "learnpass-attendance-queue";

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(QUEUE) || "[]");
    } catch (e) {
      return [];
    }
  }

  function save(queue) {
    window.localStorage.setItem(QUEUE, JSON.stringify(queue));
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID().replace(/-/g, "");
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function show(text) {
    var box = document.getElementById("sheet-queue");
    if (box) {
      box.textContent = text;
    }
  }

  function describe(sheet) {
    var waiting = load().length;
    show(waiting ? sheet.getAttribute("data-waiting").replace("{n}", String(waiting)) : "");
  }

  var sending = false;

  function flush(sheet) {
    if (sending) {
      return;
    }
    var queue = load();
    if (!queue.length) {
      describe(sheet);
      return;
    }
    sending = true;
    var tap = queue[0];
    var body = new URLSearchParams(tap.fields);
    fetch(tap.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        // Answered (saved or refused): the tap leaves the queue either way.
        save(load().filter(function (t) { return t.fields.client_key !== tap.fields.client_key; }));
        if (!answer.ok) {
          show(answer.message);
          sending = false;
          return;
        }
        var row = sheet.querySelector('form.sheet-row[data-learner="' + tap.fields.learner_id + '"]');
        var state = row && row.querySelector("[data-testid=sheet-state]");
        if (state && answer.state && tap.action === row.action) {
          state.textContent = answer.state;
        }
        sending = false;
        flush(sheet);
      });
    }).catch(function () {
      sending = false;
      describe(sheet);
    });
  }

  function setupSheet(sheet) {
    var forms = sheet.querySelectorAll("form.sheet-row");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        if (!button || button.name !== "status") {
          return;
        }
        event.preventDefault();
        var fields = {};
        new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
        fields.status = button.value;
        fields.client_key = newKey();
        fields.client_at = String(Date.now());
        var queue = load();
        queue.push({ action: form.action, fields: fields });
        save(queue);
        Array.prototype.forEach.call(form.querySelectorAll("button[name=status]"), function (b) {
          var on = b === button;
          b.setAttribute("aria-pressed", on ? "true" : "false");
          b.className = on ? "" : "secondary";
        });
        describe(sheet);
        flush(sheet);
      });
    });
    window.addEventListener("online", function () { flush(sheet); });
    window.setInterval(function () { flush(sheet); }, 3000);
    flush(sheet);
  }

  function setupScreen(screen) {
    var url = screen.getAttribute("data-state-url");
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          var img = document.getElementById("checkin-qr");
          if (img.getAttribute("src") !== state.qr) {
            img.setAttribute("src", state.qr);
          }
          document.getElementById("checkin-typed").textContent = state.typed;
          var link = document.getElementById("checkin-link");
          link.setAttribute("href", state.url);
          document.getElementById("checkin-count").textContent = String(state.count);
        })
        .catch(function () { /* the next round tries again */ });
    }
    window.setInterval(refresh, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var sheet = document.querySelector("[data-attendance-sheet]");
    if (sheet) {
      setupSheet(sheet);
    }
    var screen = document.querySelector(".checkin-screen");
    if (screen) {
      setupScreen(screen);
    }
  });
})();

// An invitation link carries its code in the fragment (#CODE), which the browser never sends
// to a server: take it from there, drop it from the address bar, and post it in the form.
(function () {
  "use strict";
  var form = document.getElementById("invite-form");
  var code = location.hash.replace(/^#/, "");
  if (!form || !code || form.querySelector("[role=alert]")) return;
  history.replaceState(null, "", location.pathname);
  form.elements.code.value = decodeURIComponent(code);
  if (!document.querySelector("[data-testid=invite-error]")) form.submit();
})();

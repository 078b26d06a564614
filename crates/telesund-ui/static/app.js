// Telesund portal script: sends the session's CSRF token with every htmx request that
// changes something. Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["x-csrf-token"] = token;
    }
  });
})();

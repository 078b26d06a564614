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

// Equipment pages: a "scan with camera" button beside a scan field, shown only where the
// browser has the BarcodeDetector API and a camera. It reads the unit's QR, Data Matrix or
// Code 128 label into the field (and submits the form when the button names one). Without
// it, typing or a handheld scanner (which types) works as before.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var WANTED = ["qr_code", "data_matrix", "code_128"];

  function setUp(formats) {
    var buttons = document.querySelectorAll("button[data-scan-camera]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (button.scanStop) {
          button.scanStop();
        } else {
          start(button, formats);
        }
      });
    });
  }

  function start(button, formats) {
    var field = document.getElementById(button.getAttribute("data-scan-camera"));
    if (!field) {
      return;
    }
    var startLabel = button.textContent;
    var video = document.createElement("video");
    video.className = "scan-video";
    video.setAttribute("playsinline", "");
    video.muted = true;
    var detector = new window.BarcodeDetector({ formats: formats });
    var stream = null;
    var timer = null;
    var stopped = false;
    function stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
      }
      if (stream) {
        stream.getTracks().forEach(function (t) { t.stop(); });
      }
      if (video.parentNode) {
        video.parentNode.removeChild(video);
      }
      button.textContent = startLabel;
      button.setAttribute("aria-pressed", "false");
      button.scanStop = null;
    }
    function tick() {
      if (stopped) {
        return;
      }
      detector.detect(video).then(function (codes) {
        if (stopped) {
          return;
        }
        if (codes.length > 0 && codes[0].rawValue) {
          field.value = codes[0].rawValue;
          stop();
          field.focus();
          var formId = button.getAttribute("data-scan-submit");
          var form = formId ? document.getElementById(formId) : null;
          if (form) {
            if (form.requestSubmit) {
              form.requestSubmit();
            } else {
              form.submit();
            }
          }
        } else {
          timer = setTimeout(tick, 250);
        }
      }).catch(function () {
        timer = setTimeout(tick, 500);
      });
    }
    button.scanStop = stop;
    button.textContent = button.getAttribute("data-scan-stop") || startLabel;
    button.setAttribute("aria-pressed", "true");
    var form = button.closest("form");
    (form || button).insertAdjacentElement("afterend", video);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        if (stopped) {
          s.getTracks().forEach(function (t) { t.stop(); });
          return;
        }
        stream = s;
        video.srcObject = s;
        return video.play().then(tick);
      })
      .catch(function () {
        stop();
      });
  }

  function ready() {
    var supported = window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats()
      : Promise.resolve(WANTED);
    supported.then(function (all) {
      var formats = WANTED.filter(function (f) { return all.indexOf(f) >= 0; });
      if (formats.length > 0) {
        setUp(formats);
      }
    }).catch(function () {});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

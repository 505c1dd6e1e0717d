/* A kiosk forgets: the page starts over for the next person after the survey's idle time.
   Someone using the page (typing, touching) tells the server now and then, so it keeps the answers;
   shortly before the end a warning asks "Are you still there?" and one press gives the whole time
   again. At the end the "Start over (new person)" form is sent. The thank-you page returns to the
   start by itself. Without this script the server still forgets after the idle time. */
(function () {
  "use strict";

  var bar = document.querySelector("[data-kiosk-idle]");
  var back = document.querySelector("[data-kiosk-return]");

  if (back) {
    var to = back.getAttribute("data-kiosk-to");
    window.setTimeout(function () { window.location.assign(to); }, Number(back.getAttribute("data-kiosk-return")) * 1000);
  }
  if (!bar) { return; }

  var idle = Number(bar.getAttribute("data-kiosk-idle")) * 1000;
  var warnFor = Number(bar.getAttribute("data-kiosk-warn")) * 1000;
  var alive = bar.getAttribute("data-kiosk-alive");
  var form = document.getElementById("kiosk-new-person");
  var warning = document.getElementById("kiosk-warning");
  var countdown = warning.querySelector("[data-kiosk-countdown]");
  var stay = warning.querySelector("[data-kiosk-stay]");
  var lastTold = Date.now();  // the server counts the idle time from its last request: this page's
  var TELL_EVERY = 10000;  // someone using the page tells it at most this often

  function tellServer() {
    lastTold = Date.now();
    var body = new FormData(form);  // the form token
    if (window.fetch) {
      window.fetch(alive, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
    }
  }

  function used() {
    if (!warning.hidden) { warning.hidden = true; }
    if (Date.now() - lastTold > TELL_EVERY) { tellServer(); }
  }

  // Not "change": it also fires when the warning takes the focus from a field just typed in.
  ["keydown", "pointerdown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, used, { passive: true, capture: true });
  });
  stay.addEventListener("click", function () { used(); tellServer(); });

  var ticking = window.setInterval(function () {
    var left = idle - (Date.now() - lastTold);
    if (left <= 1000) {
      window.clearInterval(ticking);  // one submission: a second would cancel the first
      form.submit();
      return;
    }
    if (left <= warnFor) {
      if (warning.hidden) {
        warning.hidden = false;
        stay.focus();
      }
      countdown.textContent = countdown.getAttribute("data-left").replace("{s}", String(Math.ceil(left / 1000)));
    }
  }, 1000);
}());

/* The warning before a session ends for lack of requests (caseworks.middleware.
   SessionLifetimeMiddleware): data-lead seconds before the end of data-idle seconds, a banner
   with a countdown and "Stay signed in", which sends one harmless request (data-alive) — any
   request extends the session. Typing alone does not: the server sees nothing of it.
   Other tabs of the same browser count (localStorage holds when the last page was loaded).
   Once ended, the banner says that what was typed comes back after signing in again
   (caseworks.web.stash). Texts come from the server, in the user's language, as data
   attributes of this script's tag (templatetags/session_warning.py); served from /static/,
   as the CSP allows no inline script. Screen readers hear the warning once, not each second. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) { return; }
  var config = script.dataset;
  var idle = parseInt(config.idle, 10) * 1000;
  var lead = parseInt(config.lead, 10) * 1000;
  var STORE = "caseworks-session-seen";
  var seen = Date.now();
  var banner, text, countdown, button, announcer, timer, lastFocus;

  function remember(time) {
    seen = time;
    try { window.localStorage.setItem(STORE, String(time)); } catch (e) { /* private mode */ }
  }

  function latest() {
    var stored = 0;
    try { stored = parseInt(window.localStorage.getItem(STORE), 10) || 0; } catch (e) { /* none */ }
    return Math.max(seen, stored);
  }

  function clock(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function build() {
    banner = document.createElement("section");
    banner.className = "session-warning alert alert-warning";
    banner.setAttribute("aria-label", config.label);
    banner.hidden = true;
    text = document.createElement("p");
    countdown = document.createElement("p");
    countdown.className = "session-countdown";
    countdown.setAttribute("aria-hidden", "true");
    button = document.createElement("button");
    button.type = "button";
    button.className = "button primary";
    button.textContent = config.button;
    button.addEventListener("click", extend);
    announcer = document.createElement("p");
    announcer.className = "visually-hidden";
    announcer.setAttribute("role", "status");
    banner.append(text, countdown, button);
    document.body.append(banner, announcer);
    document.addEventListener("focusin", function (event) {
      if (!banner.contains(event.target)) { lastFocus = event.target; }
    });
  }

  function show() {
    if (!banner.hidden) { return; }
    text.textContent = config.warning;
    button.hidden = false;
    banner.hidden = false;
    document.body.classList.add("session-warning-shown");
    announcer.textContent = config.warning;
  }

  function hide() {
    var hadFocus = banner.contains(document.activeElement);
    banner.hidden = true;
    document.body.classList.remove("session-warning-shown");
    if (hadFocus && lastFocus && document.contains(lastFocus)) { lastFocus.focus(); }
  }

  function end() {
    window.clearInterval(timer);
    text.textContent = config.ended;
    countdown.textContent = "";
    button.hidden = true;
    banner.hidden = false;
    document.body.classList.add("session-warning-shown");
    announcer.textContent = config.ended;
  }

  function tick() {
    var left = latest() + idle - Date.now();
    if (left <= 0) {
      end();
    } else if (left <= lead) {
      show();
      countdown.textContent = config.remaining.replace("%(time)s", clock(left));
    } else if (!banner.hidden) {
      hide();  // another tab was used meanwhile
    }
  }

  function extend() {
    button.disabled = true;
    window.fetch(config.alive, {credentials: "same-origin", redirect: "manual"})
      .then(function (response) {
        if (response.status === 204) {
          remember(Date.now());
          hide();
          announcer.textContent = config.extended;
        } else {
          end();  // already over: the answer was the way to the sign-in page
        }
      })
      .catch(function () { /* offline: the countdown goes on */ })
      .then(function () { button.disabled = false; });
  }

  function init() {
    build();
    remember(seen);
    timer = window.setInterval(tick, 1000);
    tick();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

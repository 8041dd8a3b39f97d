// Plume activity timer: measures the time a learner actually spends on an open activity.
// A second counts only when the tab is visible and the person used the page in the last
// minute (pointer, keys, scroll, touch) or a video in the panel is playing. The panel holds a
// marker <div data-activity-timer="<activity id>">; the seconds go to the server through the
// hidden form #activity-timer-form every 30 s, when the panel closes and when the tab is
// hidden. The server caps each report by the time elapsed since the previous one.
(function () {
  "use strict";
  var IDLE_MS = 60000;
  var REPORT_EVERY = 30;
  var lastInput = Date.now();
  var seconds = 0;
  var current = null; // the open activity's id

  function markActive() {
    lastInput = Date.now();
  }
  ["pointerdown", "pointermove", "keydown", "wheel", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, markActive, { passive: true, capture: true });
  });

  function marker() {
    return document.querySelector("[data-activity-timer]");
  }

  function playing(element) {
    var root = element && element.closest('[role="dialog"]');
    var videos = root ? root.querySelectorAll("video") : [];
    for (var i = 0; i < videos.length; i++) {
      if (!videos[i].paused && !videos[i].ended) return true;
    }
    return false;
  }

  function report(activityId) {
    var form = document.getElementById("activity-timer-form");
    if (!activityId || seconds <= 0 || !form) {
      seconds = 0;
      return;
    }
    form.querySelector('input[name="activity_id"]').value = activityId;
    form.querySelector('input[name="seconds"]').value = String(seconds);
    seconds = 0;
    if (form.requestSubmit) form.requestSubmit();
  }

  setInterval(function () {
    var element = marker();
    var id = element ? element.getAttribute("data-activity-timer") : null;
    if (id !== current) {
      report(current); // the panel closed or another one opened
      current = id;
      lastInput = Date.now();
      return;
    }
    if (!id) return;
    if (document.visibilityState === "visible" && (Date.now() - lastInput < IDLE_MS || playing(element))) {
      seconds += 1;
    }
    if (seconds >= REPORT_EVERY) report(current);
  }, 1000);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") report(current);
  });
  window.addEventListener("pagehide", function () {
    report(current);
  });
})();

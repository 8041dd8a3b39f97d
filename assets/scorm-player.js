// Plume SCORM player: builds the SCORM run-time API (scorm-again, bundled by components/scorm.py) for the
// attempt a frame carries, then opens the SCO in the frame. The frame says what to build:
//   <iframe data-scorm-launch="/api/scorm/12/content/index.html" data-scorm-version="1.2"
//           data-scorm-commit="/api/scorm/attempts/7/commit" data-scorm-cmi='{"cmi": {...}}'
//           data-scorm-key="<run>">
// Each opening of the player is a run with its own key, started once: a frame still showing an earlier run
// (the page's previous data, shown for a moment when the learner comes back) is never started, so an old
// SCO never runs on old data (the server refuses an earlier run's commits too).
// A SCO looks for `API` (1.2) or `API_1484_11` (2004) on its parent window: this window. Commits go to the
// commit URL as JSON (every 10 s while the learner works, and when the SCO finishes); the server validates
// them and answers with the SCORM error code of a fault. No commit URL (staff trying a package): nothing is
// sent anywhere.
(function () {
  "use strict";
  var started = "";
  var seen = {};

  function settings(commitUrl) {
    var base = {
      autocommit: Boolean(commitUrl),
      autocommitSeconds: 10,
      dataCommitFormat: "json",
      commitRequestDataType: "application/json;charset=UTF-8",
      logLevel: 4,
      // The package reports its session time; one that never does is timed by the server (the run's clock).
      selfReportSessionTime: false,
      alwaysSendTotalTime: false,
    };
    if (commitUrl) {
      base.lmsCommitUrl = commitUrl;
    }
    return base;
  }

  function start(frame) {
    var apis = window.PlumeScormApis;
    var key = frame.getAttribute("data-scorm-key") || "";
    if (!apis || !key || key === started || seen[key]) {
      return;
    }
    seen[key] = true;
    var version = frame.getAttribute("data-scorm-version");
    var commitUrl = frame.getAttribute("data-scorm-commit") || "";
    var data = {};
    try {
      data = JSON.parse(frame.getAttribute("data-scorm-cmi") || "{}");
    } catch (error) {
      data = {};
    }
    var Api = version === "2004" ? apis.Scorm2004API : apis.Scorm12API;
    var api = new Api(settings(commitUrl));
    if (data.cmi) {
      api.loadFromJSON(data.cmi);
    }
    delete window.API;
    delete window.API_1484_11;
    if (version === "2004") {
      window.API_1484_11 = api;
    } else {
      window.API = api;
    }
    started = key;
    frame.setAttribute("data-scorm-started", key);
    frame.src = frame.getAttribute("data-scorm-launch") || "about:blank";
  }

  function scan() {
    var frame = document.querySelector("iframe[data-scorm-launch]");
    if (frame) {
      start(frame);
    } else {
      started = "";
    }
  }

  window.addEventListener("plume-scorm-ready", scan);
  new MutationObserver(scan).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-scorm-key"],
  });
})();

// Plume evaluation countdown: a timed questionnaire shows <span data-countdown="<seconds left>"
// data-countdown-key="<attempt>">. The seconds come from the server at each load, so a reload or a
// reconnection starts again from the server's figure, never from the browser's clock. At zero the
// hidden button #evaluation-time-up tells the server, which sends the answers saved in time.
(function () {
  "use strict";
  var seen = null; // "<key>|<seconds>" of the figure the current end was computed from
  var end = 0;
  var fired = false;

  function label(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (h > 0 && m < 10 ? "0" : "") + m;
    return (h > 0 ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var element = document.querySelector("[data-countdown]");
    if (!element) {
      seen = null;
      return;
    }
    var figure = element.getAttribute("data-countdown-key") + "|" + element.getAttribute("data-countdown");
    if (figure !== seen) {
      seen = figure;
      end = Date.now() + 1000 * parseInt(element.getAttribute("data-countdown") || "0", 10);
      fired = false;
    }
    var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    var text = label(left);
    if (element.textContent !== text) element.textContent = text;
    if (left === 0 && !fired) {
      fired = true;
      var button = document.getElementById("evaluation-time-up");
      if (button) button.click();
    }
  }

  setInterval(tick, 250);
})();

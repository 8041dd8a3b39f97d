// Plume signature pad: draw with a finger, a mouse or a stylus on <canvas data-signature-pad>.
// The drawing goes into the enclosing form's hidden input `strokes` as "x,y x,y|x,y ..." in a
// 1000 x 400 box; the server validates it and builds the stored SVG itself. The hidden input
// `key` carries an idempotency key, made once per pad, so a retry keeps the first signature.
(function () {
  "use strict";
  var WIDTH = 1000;
  var HEIGHT = 400;
  var pads = new WeakMap();

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID().replace(/-/g, "");
    }
    return String(Date.now()) + Math.random().toString(36).slice(2, 12);
  }

  function padOf(canvas) {
    var pad = pads.get(canvas);
    if (!pad) {
      pad = { strokes: [], current: null, key: newKey() };
      pads.set(canvas, pad);
    }
    return pad;
  }

  function fit(canvas) {
    var rect = canvas.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    var w = Math.max(1, Math.round(rect.width * ratio));
    var h = Math.max(1, Math.round(rect.height * ratio));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      redraw(canvas);
    }
  }

  function point(canvas, event) {
    var rect = canvas.getBoundingClientRect();
    var x = Math.round(((event.clientX - rect.left) / rect.width) * WIDTH);
    var y = Math.round(((event.clientY - rect.top) / rect.height) * HEIGHT);
    return [Math.min(WIDTH, Math.max(0, x)), Math.min(HEIGHT, Math.max(0, y))];
  }

  function line(canvas, a, b) {
    var ctx = canvas.getContext("2d");
    var sx = canvas.width / WIDTH;
    var sy = canvas.height / HEIGHT;
    ctx.strokeStyle = "#1e293b";
    ctx.lineWidth = Math.max(2, 5 * sx);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a[0] * sx, a[1] * sy);
    ctx.lineTo(b[0] * sx, b[1] * sy);
    ctx.stroke();
  }

  function redraw(canvas) {
    var ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    padOf(canvas).strokes.forEach(function (stroke) {
      for (var i = 0; i < stroke.length; i++) {
        line(canvas, stroke[Math.max(0, i - 1)], stroke[i]);
      }
    });
  }

  function publish(canvas) {
    var pad = padOf(canvas);
    var form = canvas.closest("form");
    if (!form) return;
    var text = pad.strokes
      .map(function (s) {
        return s.map(function (p) { return p[0] + "," + p[1]; }).join(" ");
      })
      .join("|");
    var strokes = form.querySelector('input[name="strokes"]');
    var key = form.querySelector('input[name="key"]');
    if (strokes) strokes.value = text;
    if (key) key.value = pad.key;
    canvas.setAttribute("data-empty", pad.strokes.length ? "false" : "true");
  }

  // The pad's error (next to it, from the server) hides once the person draws, and shows again
  // at the next submit, when the server answers anew.
  function showErrors(form, shown) {
    if (!form) return;
    form.querySelectorAll("[data-pad-error]").forEach(function (el) { el.hidden = !shown; });
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form instanceof HTMLFormElement && form.querySelector("canvas[data-signature-pad]")) showErrors(form, true);
    },
    true
  );

  document.addEventListener("pointerdown", function (event) {
    var canvas = event.target;
    if (!(canvas instanceof HTMLCanvasElement) || !canvas.hasAttribute("data-signature-pad")) return;
    event.preventDefault();
    fit(canvas);
    var pad = padOf(canvas);
    var p = point(canvas, event);
    showErrors(canvas.closest("form"), false); // "Dessinez votre signature" no longer applies once drawing starts
    pad.current = [p];
    pad.strokes.push(pad.current);
    line(canvas, p, p);
    if (canvas.setPointerCapture) {
      try { canvas.setPointerCapture(event.pointerId); } catch (e) { /* already released */ }
    }
  });

  document.addEventListener("pointermove", function (event) {
    var canvas = event.target;
    if (!(canvas instanceof HTMLCanvasElement) || !canvas.hasAttribute("data-signature-pad")) return;
    var pad = padOf(canvas);
    if (!pad.current) return;
    event.preventDefault();
    var p = point(canvas, event);
    var last = pad.current[pad.current.length - 1];
    if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 3) return;
    pad.current.push(p);
    line(canvas, last, p);
  });

  function finish(event) {
    var canvas = event.target;
    if (!(canvas instanceof HTMLCanvasElement) || !canvas.hasAttribute("data-signature-pad")) return;
    var pad = padOf(canvas);
    if (!pad.current) return;
    pad.current = null;
    publish(canvas);
  }
  document.addEventListener("pointerup", finish);
  document.addEventListener("pointercancel", finish);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-signature-clear]");
    if (!button) return;
    var form = button.closest("form");
    var canvas = form && form.querySelector("canvas[data-signature-pad]");
    if (!canvas) return;
    padOf(canvas).strokes = [];
    fit(canvas);
    redraw(canvas);
    publish(canvas);
  });

  window.addEventListener("resize", function () {
    document.querySelectorAll("canvas[data-signature-pad]").forEach(fit);
  });
})();

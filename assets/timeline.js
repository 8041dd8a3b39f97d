// Plume timeline: moving around a session's modules (components/timeline.py `timeline_strip`).
// - A module in the left list ([data-module-target="<id>"]) scrolls its column (#module-<id>) into view
//   and highlights it (data-focused on the column, aria-current on the row), by click or Enter / Space.
// - The horizontal strip (.plume-timeline inside .plume-timeline-wrap) says that it scrolls: the wrap gets
//   data-can-left / data-can-right, which plume.css turns into an edge fade and arrows
//   ([data-timeline-scroll="-1|1"]) that move it by most of its width.
// Nothing here talks to the server; the page's data stays Reflex's.
(function () {
  "use strict";

  function refresh() {
    var wraps = document.querySelectorAll(".plume-timeline-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var strip = wrap.querySelector(".plume-timeline");
      if (!strip) continue;
      var max = strip.scrollWidth - strip.clientWidth;
      toggle(wrap, "data-can-left", max > 2 && strip.scrollLeft > 2);
      toggle(wrap, "data-can-right", max > 2 && strip.scrollLeft < max - 2);
    }
  }

  function toggle(element, name, on) {
    if (on && !element.hasAttribute(name)) element.setAttribute(name, "");
    if (!on && element.hasAttribute(name)) element.removeAttribute(name);
  }

  function focusModule(id) {
    var column = document.getElementById("module-" + id);
    if (!column) return;
    var focused = document.querySelectorAll("[data-focused]");
    for (var i = 0; i < focused.length; i++) focused[i].removeAttribute("data-focused");
    var rows = document.querySelectorAll("[data-module-target]");
    for (var j = 0; j < rows.length; j++) {
      if (rows[j].getAttribute("data-module-target") === id) rows[j].setAttribute("aria-current", "true");
      else rows[j].removeAttribute("aria-current");
    }
    column.setAttribute("data-focused", "");
    var strip = column.closest(".plume-timeline");
    var stacked = strip && getComputedStyle(strip).flexDirection === "column";
    // Side by side: bring the column to the strip's left edge (and the strip into view);
    // stacked on a phone: bring the column's top under the header.
    column.scrollIntoView({ behavior: "smooth", block: stacked ? "start" : "nearest", inline: "start" });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var arrow = target.closest("[data-timeline-scroll]");
    if (arrow) {
      var strip = arrow.closest(".plume-timeline-wrap").querySelector(".plume-timeline");
      var step = Number(arrow.getAttribute("data-timeline-scroll")) || 1;
      if (strip) strip.scrollBy({ left: step * Math.max(200, strip.clientWidth * 0.8), behavior: "smooth" });
      return;
    }
    var row = target.closest("[data-module-target]");
    // The row's own controls (move up / down, the drag handle) keep their meaning.
    if (row && !target.closest("button, [data-testid=drag-handle]")) {
      focusModule(row.getAttribute("data-module-target"));
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || (event.key !== "Enter" && event.key !== " ")) return;
    if (target.hasAttribute("data-module-target")) {
      event.preventDefault();
      focusModule(target.getAttribute("data-module-target"));
    }
  });

  document.addEventListener("scroll", refresh, { capture: true, passive: true });
  window.addEventListener("resize", refresh);
  // Modules arrive (and change) after hydration and live updates: look again now and then.
  setInterval(refresh, 500);
})();

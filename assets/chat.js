// Plume chat composer: Enter sends (Shift+Enter for a new line), each message gets a client id
// (so a double click or a resend after a reconnect posts it once), a message not confirmed by
// the server shows as "envoi…" then "non envoyé" with a retry button, and the log follows the
// newest message and loads older ones when scrolled to the top. In a message's editor, Enter saves
// (Shift+Enter for a new line) and Escape cancels. When the chat tab opens, the room is brought into
// view so its composer sits at the bottom of the screen (on a phone it starts below the session's header).
(function () {
  "use strict";
  var PENDING_MS = 8000;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(36).slice(2, 12);
  }

  function confirmed(clientId) {
    var log = document.getElementById("chat-log");
    return !!(log && log.querySelector('[data-client-id="' + clientId + '"]'));
  }

  function pendingBubble(clientId, text) {
    var box = document.getElementById("chat-pending");
    if (!box || confirmed(clientId) || box.querySelector('[data-pending="' + clientId + '"]')) return;
    var bubble = document.createElement("div");
    bubble.setAttribute("data-pending", clientId);
    bubble.className = "plume-chat-pending";
    var body = document.createElement("div");
    body.textContent = text;
    var status = document.createElement("div");
    status.className = "plume-chat-pending-status";
    status.textContent = "Envoi…";
    bubble.appendChild(body);
    bubble.appendChild(status);
    box.appendChild(bubble);
    scrollDown(true);
    setTimeout(function () {
      if (!bubble.isConnected) return;
      status.textContent = "Non envoyé. ";
      var retry = document.createElement("button");
      retry.type = "button";
      retry.textContent = "Réessayer";
      retry.setAttribute("data-chat-retry", clientId);
      retry.addEventListener("click", function () {
        var form = document.getElementById("chat-composer");
        if (!form) return;
        form.querySelector('textarea[name="body"]').value = text;
        form.querySelector('input[name="client_id"]').value = clientId;
        status.textContent = "Envoi…";
        form.requestSubmit();
      });
      status.appendChild(retry);
      bubble.classList.add("plume-chat-failed");
    }, PENDING_MS);
  }

  function scrollDown(force) {
    var log = document.getElementById("chat-log");
    if (!log) return;
    var near = log.scrollHeight - log.scrollTop - log.clientHeight < 160;
    if (force || near) log.scrollTop = log.scrollHeight;
  }

  // Before React's own handler reads the form: give the message its client id, show it pending.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form || form.id !== "chat-composer") return;
      var text = form.querySelector('textarea[name="body"]');
      var id = form.querySelector('input[name="client_id"]');
      if (!text || !id || !text.value.trim()) return;
      if (!id.value) id.value = newId();
      pendingBubble(id.value, text.value);
    },
    true
  );

  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!area || !area.hasAttribute) return;
    var composer = area.hasAttribute("data-chat-composer");
    var editor = area.hasAttribute("data-chat-editor");
    if (!composer && !editor) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      var form = area.closest("form");
      if (form) form.requestSubmit();
    } else if (editor && event.key === "Escape" && !event.isComposing) {
      event.preventDefault();
      var cancel = area.closest("form") && area.closest("form").querySelector("[data-chat-edit-cancel]");
      if (cancel) cancel.click();
    }
  });

  function bringIntoView() {
    var card = document.getElementById("chat-card");
    if (!card) return;
    var box = card.getBoundingClientRect();
    if (box.bottom > window.innerHeight || box.top < 0) card.scrollIntoView({ block: "end", behavior: "instant" });
  }

  // Confirmed messages replace their pending bubbles; new messages keep the log at the bottom.
  var observer = new MutationObserver(function () {
    var box = document.getElementById("chat-pending");
    var sent = false;
    if (box) {
      box.querySelectorAll("[data-pending]").forEach(function (bubble) {
        if (confirmed(bubble.getAttribute("data-pending"))) {
          bubble.remove();
          sent = true;
        }
      });
    }
    scrollDown(sent); // one's own message just sent always shows; others' while reading the newest
  });
  function watch() {
    var log = document.getElementById("chat-log");
    if (log && !log.hasAttribute("data-watched")) {
      log.setAttribute("data-watched", "true");
      observer.observe(log, { childList: true, subtree: true });
      log.scrollTop = log.scrollHeight;
      bringIntoView();
      log.addEventListener("scroll", function () {
        if (log.scrollTop < 8) {
          var older = document.getElementById("chat-older");
          if (older && !older.disabled) older.click();
        }
      });
    }
  }
  new MutationObserver(watch).observe(document.documentElement, { childList: true, subtree: true });
})();

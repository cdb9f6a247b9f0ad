/*
 * Chat widget for the demo site: talks to Rasa's socket.io channel.
 *
 * Why it looks the way it does:
 * - websocket transport only: no long-polling, so no CORS preflight and no sticky
 *   sessions are needed when several Rasa servers sit behind a load balancer.
 * - the Rasa session id lives in sessionStorage and is sent in every `session_request`
 *   (Rasa runs with session_persistence: true), so a reload continues the conversation;
 *   the messages already shown are kept there too and redrawn.
 * - everything shown comes from the network or from the customer: it is only ever put
 *   into the page with textContent / createElement, never innerHTML.
 * - a message typed while the connection is down is never dropped: it is shown marked
 *   未送信, kept (with the session, so a reload keeps it too) and sent, in order, as soon
 *   as Rasa confirms the session again.
 * - while the chat waits for a person ({handoff: "waiting"} from the assistant) the status
 *   line says so and the assistant's typing indicator is not shown; the next message from
 *   the assistant itself (the hand-back) ends that.
 * - the texts live in index.html (#chat-texts), not here.
 */
(function () {
  "use strict";

  var root = document.getElementById("chat-widget");
  if (!root) { return; }

  var TEXTS = JSON.parse(document.getElementById("chat-texts").textContent);
  var STORE_KEY = "sobu-chat-v1";
  var MAX_STORED = 200;
  var TYPING_TIMEOUT_MS = 20000;
  var MAX_PENDING = 20;

  var launcher = document.getElementById("chat-launcher");
  var panel = document.getElementById("chat-panel");
  var closeBtn = document.getElementById("chat-close");
  var endBtn = document.getElementById("chat-end");
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var statusEl = document.getElementById("chat-status");
  var typing = document.getElementById("chat-typing");
  var typingSr = document.getElementById("chat-typing-sr");

  var state = loadState();
  var socket = null;
  var typingTimer = null;

  function loadState() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      var parsed = raw ? JSON.parse(raw) : null;
      if (parsed && Array.isArray(parsed.messages)) { return parsed; }
    } catch (e) { /* corrupted or unavailable storage: start afresh */ }
    return { sessionId: null, open: false, messages: [] };
  }

  function saveState() {
    try {
      if (state.messages.length > MAX_STORED) {
        state.messages = state.messages.slice(-MAX_STORED);
      }
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* storage full or disabled: the chat still works, only without restore */ }
  }

  /* The status line when nothing is wrong with the connection. */
  function normalStatus() {
    if (state.handoff === "waiting") { return TEXTS.handoff_waiting; }
    if (state.handoff === "live") { return TEXTS.handoff_live; }
    return TEXTS.connected;
  }

  function setStatus(text) {
    statusEl.textContent = text || "";
    statusEl.hidden = !text;
  }

  function showTyping(on) {
    typing.hidden = !on;
    typingSr.textContent = on ? TEXTS.typing : "";
    if (typingTimer) { clearTimeout(typingTimer); typingTimer = null; }
    if (on) { typingTimer = setTimeout(function () { showTyping(false); }, TYPING_TIMEOUT_MS); }
  }

  function disableOldChoices() {
    var groups = log.querySelectorAll(".chat-choices");
    for (var i = 0; i < groups.length; i++) {
      var btns = groups[i].querySelectorAll("button");
      for (var j = 0; j < btns.length; j++) { btns[j].disabled = true; }
    }
  }

  /* Draws one message. msg: {from: "user"|"bot"|"staff", text, staffName?, choices?: [{title, payload}]} */
  function render(msg, isLatest) {
    var li = document.createElement("li");
    li.className = "chat-msg chat-msg-" + msg.from;
    var who = document.createElement("span");
    who.className = "chat-who";
    if (msg.from === "staff") {
      who.textContent = TEXTS.staff_label + (msg.staffName ? "（" + msg.staffName + "）" : "");
    } else {
      who.textContent = msg.from === "user" ? TEXTS.user_label : TEXTS.bot_label;
      who.classList.add("sr-only");
    }
    li.appendChild(who);
    var bubble = document.createElement("p");
    bubble.className = "chat-bubble";
    bubble.textContent = msg.text;
    li.appendChild(bubble);
    if (msg.pending) {
      li.classList.add("chat-msg-pending");
      var note = document.createElement("span");
      note.className = "chat-pending-note";
      note.textContent = TEXTS.pending;
      li.appendChild(note);
    }
    if (msg.choices && msg.choices.length) {
      var group = document.createElement("div");
      group.className = "chat-choices";
      group.setAttribute("role", "group");
      msg.choices.forEach(function (choice) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "chat-choice";
        b.textContent = choice.title;
        b.disabled = !isLatest;
        b.addEventListener("click", function () { send(choice.payload, choice.title); });
        group.appendChild(b);
      });
      li.appendChild(group);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(msg) {
    disableOldChoices();
    state.messages.push(msg);
    saveState();
    render(msg, true);
  }

  function restore() {
    log.textContent = "";
    var n = state.messages.length;
    state.messages.forEach(function (m, i) { render(m, i === n - 1); });
  }

  function canSend() { return !!(socket && socket.connected && state.sessionId); }

  /* The customer's messages not sent yet: marked pending, with what to send as payload. */
  function pendingMessages() { return state.messages.filter(function (m) { return m.pending; }); }

  /* Sends what was typed while the connection was down, oldest first. */
  function flushPending() {
    var waiting = pendingMessages();
    if (!waiting.length || !canSend()) { return; }
    waiting.forEach(function (m) {
      socket.emit("user_uttered", { message: m.payload, session_id: state.sessionId });
      delete m.pending;
      delete m.payload;
    });
    saveState();
    restore();
    showTyping(!state.handoff);
  }

  function asString(v) { return typeof v === "string" ? v : (v == null ? "" : String(v)); }

  function choicesOf(data) {
    var list = Array.isArray(data.quick_replies) && data.quick_replies.length ? data.quick_replies
      : (Array.isArray(data.buttons) ? data.buttons : []);
    return list.filter(function (c) { return c && (c.title || c.payload); }).map(function (c) {
      return { title: asString(c.title || c.payload), payload: asString(c.payload || c.title) };
    });
  }

  /* Turns whatever Rasa's socket.io output emits into a message to show (or null). */
  function toMessage(data) {
    if (!data || typeof data !== "object") { return null; }
    if (data.handoff === "waiting") { return { handoff: "waiting" }; }
    var custom = data.staff_reply !== undefined ? data : (data.custom && data.custom.staff_reply !== undefined ? data.custom : null);
    if (custom) {
      return { from: "staff", text: asString(custom.staff_reply), staffName: asString(custom.staff_name) };
    }
    var choices = choicesOf(data);
    if (typeof data.text === "string" && data.text) {
      return { from: "bot", text: data.text, choices: choices };
    }
    if (data.attachment && data.attachment.payload && data.attachment.payload.src) {
      return { from: "bot", text: TEXTS.link_label + ": " + asString(data.attachment.payload.src) };
    }
    if (choices.length) { return { from: "bot", text: "", choices: choices }; }
    return { from: "bot", text: TEXTS.unsupported };
  }

  function connect() {
    if (socket || typeof window.io !== "function") {
      if (typeof window.io !== "function") { setStatus(TEXTS.connect_error); }
      return;
    }
    setStatus(TEXTS.connecting);
    socket = window.io(root.getAttribute("data-socket-url") || "http://127.0.0.1:5005", {
      path: root.getAttribute("data-socket-path") || "/socket.io",
      transports: ["websocket"],
      reconnectionDelayMax: 10000
    });
    socket.on("connect", function () {
      // Rasa only joins the session room on session_request; repeat it on every
      // (re)connect so staff replies reach this page again after a reload or drop.
      // The secret proves this browser started the conversation (bot/channels.py); without
      // it the server starts a new conversation instead of joining the stored one.
      socket.emit("session_request", { session_id: state.sessionId, session_secret: state.sessionSecret });
    });
    socket.on("session_confirm", function (sessionId) {
      var id = typeof sessionId === "string" ? sessionId : (sessionId && sessionId.session_id);
      if (id) {
        state.sessionId = id;
        state.sessionSecret = (sessionId && sessionId.session_secret) || null;
      }
      saveState();
      setStatus(normalStatus());
      flushPending();
    });
    socket.on("bot_uttered", function (data) {
      var msg = toMessage(data);
      showTyping(false);
      if (!msg) { return; }
      if (msg.handoff) {
        state.handoff = msg.handoff;
        saveState();
      } else {
        // a person answering, or the assistant itself again after the hand-back
        state.handoff = msg.from === "staff" ? "live" : null;
        addMessage(msg);
      }
      setStatus(normalStatus());
    });
    socket.on("disconnect", function () { showTyping(false); setStatus(TEXTS.disconnected); });
    socket.on("connect_error", function () { setStatus(TEXTS.connect_error); });
  }

  /* True when the message was sent or kept to be sent; false leaves it in the input. */
  function send(text, shown) {
    text = asString(text).trim();
    if (!text) { return false; }
    if (canSend()) {
      addMessage({ from: "user", text: shown || text });
      socket.emit("user_uttered", { message: text, session_id: state.sessionId });
      showTyping(!state.handoff);
      return true;
    }
    if (pendingMessages().length >= MAX_PENDING) {
      setStatus(TEXTS.pending_full);
      return false;
    }
    addMessage({ from: "user", text: shown || text, pending: true, payload: text });
    setStatus(TEXTS.disconnected);
    return true;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    state.open = true;
    if (!state.messages.length) { addMessage({ from: "bot", text: TEXTS.welcome }); } else { saveState(); }
    connect();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    launcher.focus();
  }

  /* 「チャットを終了」: ends the conversation for the assistant (/restart) and forgets it in
     this browser (sessionStorage and the page), e.g. on a shared computer. */
  function endChat() {
    if (!window.confirm(TEXTS.end_confirm)) { return; }
    if (canSend()) { socket.emit("user_uttered", { message: "/restart", session_id: state.sessionId }); }
    try { window.sessionStorage.removeItem(STORE_KEY); } catch (e) { /* nothing stored */ }
    state = { sessionId: null, sessionSecret: null, open: true, messages: [] };
    log.textContent = "";
    showTyping(false);
    if (socket && socket.connected) { socket.emit("session_request", {}); }  // a new conversation
    addMessage({ from: "bot", text: TEXTS.ended });
    setStatus(normalStatus());
    input.focus();
  }

  launcher.addEventListener("click", open);
  endBtn.addEventListener("click", endChat);
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { ev.preventDefault(); close(); }
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (send(input.value)) { input.value = ""; }
    input.focus();
  });

  restore();
  if (state.open) { open(); }

  // A small hook for tests and for the page embedding the widget.
  window.SobuChat = { open: open, close: close };
})();

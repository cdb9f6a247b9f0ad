/*
 * Staff console: keeps the queue and an open conversation fresh by polling GET endpoints
 * (~2 s). The analytics page has its own script (analytics.js).
 * Every value from the server goes into the page with textContent, never innerHTML:
 * transcripts and notes hold what customers and staff typed.
 * Texts come from the page's #console-texts block.
 */
(function () {
  "use strict";

  var textsEl = document.getElementById("console-texts");
  var TEXTS = textsEl ? JSON.parse(textsEl.textContent) : {};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) {
        if (resp.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname); throw new Error("401"); }
        if (!resp.ok) { throw new Error(String(resp.status)); }
        return resp.json();
      });
  }

  function poll(fn, ms) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) { return; }
      busy = true;
      fn().catch(function () {}).then(function () { busy = false; });
    }, ms);
  }

  /* --- conversation view --- */
  var conv = document.getElementById("conversation");
  if (conv) {
    var cid = conv.getAttribute("data-cid");
    var list = document.getElementById("transcript");
    var lastSignature = "";
    var drawTranscript = function (items) {
      var signature = JSON.stringify(items);
      if (signature === lastSignature) { return; }
      lastSignature = signature;
      list.textContent = "";
      if (!items.length) { list.appendChild(el("li", "tr tr-empty", TEXTS.empty)); return; }
      items.forEach(function (item) {
        var li = el("li", "tr tr-" + item.kind);
        var who = TEXTS[item.kind] || TEXTS.event;
        if (item.kind === "staff") { who += "（" + item.staff + "）"; }
        li.appendChild(el("span", "tr-who", who));
        if (item.kind === "user" && item.intent) { li.appendChild(el("span", "tr-intent", item.intent)); }
        li.appendChild(el("span", "tr-text", item.text));
        if (item.buttons && item.buttons.length) { li.appendChild(el("span", "tr-buttons", "[" + item.buttons.join(" / ") + "]")); }
        list.appendChild(li);
      });
      list.scrollTop = list.scrollHeight;
    };
    var notesList = document.getElementById("notes-list");
    var drawNotes = function (notes) {
      notesList.textContent = "";
      if (!notes.length) { notesList.appendChild(el("li", "empty", TEXTS.no_notes)); return; }
      notes.forEach(function (n) {
        var li = el("li");
        li.appendChild(el("span", "note-meta", n.author + " " + String(n.created_at || "").slice(0, 16).replace("T", " ")));
        li.appendChild(el("span", "note-text", n.text));
        notesList.appendChild(li);
      });
    };
    // Seed the signature from the server-rendered transcript to avoid a redraw flash.
    poll(function () {
      return getJson("/api/conversations/" + encodeURIComponent(cid)).then(function (data) {
        if (!data.transcript_error) { drawTranscript(data.transcript || []); }
        drawNotes(data.notes || []);
      });
    }, parseInt(conv.getAttribute("data-poll"), 10) || 2000);
  }

  /* --- queue --- */
  var queue = document.getElementById("queue");
  if (queue) {
    var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
    var waitLabel = function (s) { return Math.floor(s / 60) + TEXTS.minutes + (s % 60) + TEXTS.seconds; };
    var convLink = function (h) {
      var a = el("a", null, h.conversation_id.slice(0, 12));
      a.href = "/console/conversations/" + encodeURIComponent(h.conversation_id);
      return a;
    };
    var drawQueue = function (data) {
      var wBody = document.querySelector("#waiting-table tbody");
      var cBody = document.querySelector("#claimed-table tbody");
      wBody.textContent = "";
      cBody.textContent = "";
      (data.waiting || []).forEach(function (h) {
        var tr = el("tr");
        tr.appendChild(el("td", null, waitLabel(h.waiting_seconds)));
        tr.appendChild(el("td", null, h.kind_label || ""));
        tr.appendChild(el("td", null, h.question || ""));
        var tdLink = el("td"); tdLink.appendChild(convLink(h)); tr.appendChild(tdLink);
        var form = el("form");
        form.method = "post";
        form.action = "/console/conversations/" + encodeURIComponent(h.conversation_id) + "/claim";
        var hidden = el("input"); hidden.type = "hidden"; hidden.name = "csrf_token"; hidden.value = csrf;
        form.appendChild(hidden);
        var btn = el("button", null, TEXTS.claim); btn.type = "submit";
        form.appendChild(btn);
        var tdForm = el("td"); tdForm.appendChild(form); tr.appendChild(tdForm);
        wBody.appendChild(tr);
      });
      if (!(data.waiting || []).length) { var e1 = el("tr"); var c1 = el("td", null, TEXTS.none_waiting); c1.colSpan = 5; e1.appendChild(c1); wBody.appendChild(e1); }
      (data.claimed || []).forEach(function (h) {
        var tr = el("tr");
        tr.appendChild(el("td", null, h.claimed_by));
        tr.appendChild(el("td", null, h.kind_label || ""));
        tr.appendChild(el("td", null, h.question || ""));
        var td = el("td"); td.appendChild(convLink(h)); tr.appendChild(td);
        cBody.appendChild(tr);
      });
      if (!(data.claimed || []).length) { var e2 = el("tr"); var c2 = el("td", null, TEXTS.none_claimed); c2.colSpan = 4; e2.appendChild(c2); cBody.appendChild(e2); }
    };
    poll(function () { return getJson("/api/conversations").then(drawQueue); }, parseInt(queue.getAttribute("data-poll"), 10) || 4000);
  }

})();

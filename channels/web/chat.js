// The web chat: one WebSocket to /ws, an identity from /api/sessions kept in localStorage.
// Everything the user or the bot wrote is inserted with textContent, never as HTML.
"use strict";

(() => {
  const TOKEN_KEY = "parley.token";
  const UNAUTHORIZED = 4401;
  const FIRST_DELAY = 500;
  const MAX_DELAY = 15000;

  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const notice = document.getElementById("notice");
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");

  let socket = null;
  let attempt = 0;
  let sent = 0;
  let noticeTimer = 0;
  // While the history asked for on connecting has not arrived: the user's messages sent since
  // asking. The server answers frames in order, so these are not in that history and are
  // kept when it replaces the log. null when no history is awaited.
  let sentSinceAsked = null;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice.hidden = true; }, 6000);
  }

  // A bubble not yet in the log: the caller adds buttons, a link or cards, then `post`s it.
  function bubble(who, text) {
    const item = document.createElement("li");
    item.className = `bubble ${who}`;
    if (text) {
      const p = document.createElement("p");
      p.textContent = text;
      item.append(p);
    }
    return item;
  }

  // Brings a finished message into view. Scrolling only once the message is complete is what
  // keeps its buttons or link from ending up below the fold, under the composer. A message
  // taller than the log shows its top, where reading starts.
  function reveal(item, smooth) {
    const tall = item.offsetHeight > log.clientHeight;
    item.scrollIntoView({
      block: tall ? "start" : "end",
      behavior: smooth && !calm.matches ? "smooth" : "auto",
    });
  }

  function post(item) {
    log.append(item);
    reveal(item, true);
    return item;
  }

  // Quick replies answer the bot's latest turn only: once the user says something, earlier
  // ones would answer a question that is no longer asked, so they are disabled.
  function retireQuickReplies() {
    for (const chip of log.querySelectorAll("button.chip")) chip.disabled = true;
  }

  function isWebAddress(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:";
    } catch {
      return false;
    }
  }

  // A button with a `url` opens it in a new tab (only a web address; anything else, such as
  // javascript:, is left out) instead of sending a value.
  function linkChip(button) {
    const link = document.createElement("a");
    link.className = "chip link";
    link.href = button.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = String(button.label ?? "");
    return link;
  }

  // A quick reply: clicking it sends its value, shown in the chat as its label (a card's
  // button also names its card: "Delete: Pat O'Brien", not a bare "Delete").
  function valueChip(button, about) {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.textContent = String(button.label ?? "");
    const shown = about ? `${chip.textContent}: ${about}` : chip.textContent;
    if (about) chip.setAttribute("aria-label", shown);  // three "Delete"s say which is which
    chip.addEventListener("click", (event) => {
      if (!send(String(button.value ?? ""), shown)) return;
      chip.classList.add("picked");
      // Activated from the keyboard (a click without a pointer has detail 0): the chip is
      // now disabled and would drop focus to the page, so hand it to the input. A tap
      // leaves focus alone, so a phone does not open its keyboard unasked.
      if (event.detail === 0) input.focus();
    });
    return chip;
  }

  // A row of buttons, or null when none of them can be drawn.
  function chips(buttons, about) {
    if (!Array.isArray(buttons)) return null;
    const row = document.createElement("div");
    row.className = "chips";
    for (const button of buttons) {
      if (!button || typeof button !== "object") continue;
      if (button.url !== undefined) {
        if (isWebAddress(button.url)) row.append(linkChip(button));
      } else {
        row.append(valueChip(button, about));
      }
    }
    return row.childElementCount ? row : null;
  }

  function connectLink(message) {
    if (!isWebAddress(message.url)) return null;
    const link = document.createElement("a");
    link.className = "connect";
    link.href = message.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = `Connect ${message.provider || "your account"}`;
    return link;
  }

  function card(data) {
    const item = document.createElement("li");
    item.className = "card";
    if (data.title) {
      const title = document.createElement("h2");
      title.className = "card-title";
      title.textContent = String(data.title);
      item.append(title);
    }
    if (data.subtitle) {
      const subtitle = document.createElement("p");
      subtitle.className = "card-subtitle";
      subtitle.textContent = String(data.subtitle);
      item.append(subtitle);
    }
    const fields = Array.isArray(data.fields) ? data.fields : [];
    if (fields.length) {
      const list = document.createElement("dl");
      for (const field of fields) {
        // A div per pair keeps label and value on one grid row and is valid in a <dl>.
        const pair = document.createElement("div");
        const label = document.createElement("dt");
        label.textContent = String(field?.label ?? "");
        const value = document.createElement("dd");
        value.textContent = String(field?.value ?? "");
        pair.append(label, value);
        list.append(pair);
      }
      item.append(list);
    }
    const row = chips(data.buttons, data.title ? String(data.title) : "");
    if (row) item.append(row);
    return item;
  }

  // A list of records: the node's own text as the bubble's text, then one card per record.
  // `text` is the plain rendering for text-only channels, shown only when there is nothing
  // better to show.
  function cardsBubble(message) {
    const list = (Array.isArray(message.cards) ? message.cards : []).filter(
      (data) => data && typeof data === "object",
    );
    const heading = typeof message.heading === "string" ? message.heading : message.text;
    const item = bubble("bot", heading || (list.length ? "" : message.text || ""));
    item.classList.add("has-cards");
    if (list.length) {
      const cards = document.createElement("ul");
      cards.className = "cards";
      for (const data of list) cards.append(card(data));
      item.append(cards);
    }
    return item;
  }

  // The bubble for a message from the bot, or null for a type this page does not draw.
  function botBubble(message) {
    let item;
    if (message.type === "message") {
      item = bubble("bot", message.text || "");
    } else if (message.type === "cards") {
      item = cardsBubble(message);
    } else if (message.type === "auth_link") {
      item = bubble("bot", message.text || "");
      const link = connectLink(message);
      if (link) item.append(link);
      return item;
    } else {
      return null;
    }
    const row = chips(message.buttons);
    if (row) item.append(row);
    return item;
  }

  // Shows a message sent by the user (typed, a quick reply, or from the history).
  function userBubble(text) {
    retireQuickReplies();
    return bubble("user", text);
  }

  // The history replaces the whole log: it holds everything said so far, including the
  // greeting and whatever arrived on this socket before it. Only the user's messages sent
  // since asking for it are kept, after it.
  function showHistory(messages) {
    const kept = sentSinceAsked || [];
    historyDone();
    log.replaceChildren();
    for (const entry of Array.isArray(messages) ? messages : []) {
      if (!entry || typeof entry !== "object") continue;
      const item = entry.from === "user" ? userBubble(String(entry.text ?? "")) : botBubble(entry);
      if (item) log.append(item);
    }
    for (const item of kept) {
      retireQuickReplies();
      log.append(item);
    }
    if (log.lastElementChild) reveal(log.lastElementChild, false);
  }

  // Until the history arrives the log is busy: what it shows is about to be replaced, so a
  // screen reader waits instead of reading it out twice.
  function historyAsked() {
    sentSinceAsked = [];
    log.setAttribute("aria-busy", "true");
  }

  function historyDone() {
    sentSinceAsked = null;
    log.removeAttribute("aria-busy");
  }

  function show(message) {
    if (message.type === "history") {
      showHistory(message.messages);
    } else if (message.type === "error") {
      // A server that cannot answer the history says so with an error: stop waiting for it.
      if (sentSinceAsked && !message.reply_to) historyDone();
      showNotice(message.message || "Something went wrong.");
    } else {
      const item = botBubble(message);
      if (item) post(item);
    }
  }

  function send(text, shown) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      showNotice("Not connected yet; trying again…");
      return false;
    }
    sent += 1;
    const id = `c-${Date.now().toString(36)}-${sent}`;
    socket.send(JSON.stringify({ type: "message", id, text }));
    const item = post(userBubble(shown || text));
    if (sentSinceAsked) sentSinceAsked.push(item);
    return true;
  }

  async function identity() {
    const stored = localStorage.getItem(TOKEN_KEY);
    const response = await fetch("/api/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(stored ? { token: stored } : {}),
    });
    if (!response.ok) throw new Error(`identity refused: ${response.status}`);
    const data = await response.json();
    localStorage.setItem(TOKEN_KEY, data.token);
    return data.token;
  }

  function retryLater() {
    const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt += 1;
    setStatus("offline", "Reconnecting…");
    setTimeout(connect, delay);
  }

  async function connect() {
    let token;
    try {
      token = await identity();
    } catch {
      retryLater();
      return;
    }
    const url = new URL("/ws", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", token);
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener("open", () => {
      attempt = 0;
      setStatus("online", "Online");
      // Every (re)connect asks for the conversation so far: after a reload, or after being
      // offline, the page shows what was said and the question the bot is waiting for.
      historyAsked();
      ws.send(JSON.stringify({ type: "history" }));
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        showNotice("An unreadable message arrived.");
        return;
      }
      if (message && typeof message === "object") show(message);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      historyDone();
      if (event.code === UNAUTHORIZED) localStorage.removeItem(TOKEN_KEY);
      retryLater();
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text && send(text)) input.value = "";
    input.focus();
  });

  connect();
})();

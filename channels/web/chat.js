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

  let socket = null;
  let attempt = 0;
  let sent = 0;
  let noticeTimer = 0;

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

  function bubble(who, text) {
    const item = document.createElement("li");
    item.className = `bubble ${who}`;
    const p = document.createElement("p");
    p.textContent = text;
    item.append(p);
    log.append(item);
    item.scrollIntoView({ block: "end", behavior: "smooth" });
    return item;
  }

  // A button with a `url` opens it in a new tab (only a web address; anything else, such as
  // javascript:, is left out) instead of sending a value.
  function linkChip(button) {
    const link = document.createElement("a");
    link.className = "chip link";
    link.href = button.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = button.label;
    return link;
  }

  function chips(item, buttons) {
    const row = document.createElement("div");
    row.className = "chips";
    for (const button of buttons) {
      if (button.url !== undefined) {
        if (isWebAddress(button.url)) row.append(linkChip(button));
        continue;
      }
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = button.label;
      chip.addEventListener("click", () => {
        if (send(String(button.value), button.label)) {
          for (const other of row.querySelectorAll("button")) other.disabled = true;
        }
      });
      row.append(chip);
    }
    if (row.childElementCount) item.append(row);
  }

  function isWebAddress(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:";
    } catch {
      return false;
    }
  }

  function show(message) {
    if (message.type === "message") {
      const item = bubble("bot", message.text || "");
      if (Array.isArray(message.buttons) && message.buttons.length) chips(item, message.buttons);
    } else if (message.type === "auth_link") {
      const item = bubble("bot", message.text || "");
      if (isWebAddress(message.url)) {
        const link = document.createElement("a");
        link.className = "connect";
        link.href = message.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = `Connect ${message.provider || "your account"}`;
        item.append(link);
      }
    } else if (message.type === "error") {
      showNotice(message.message || "Something went wrong.");
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
    bubble("user", shown || text);
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
    });
    ws.addEventListener("message", (event) => {
      try {
        show(JSON.parse(event.data));
      } catch {
        showNotice("An unreadable message arrived.");
      }
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
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

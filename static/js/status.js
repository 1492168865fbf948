/* Live processing status: pushed over the teacher's websocket, with polling as a fallback. */
(function () {
  "use strict";
  // A finished session whose recording is being converted for the browser: reload once it is playable.
  const note = document.getElementById("replay-note");
  if (note && note.dataset.statusUrl) {
    const wait = setInterval(() => {
      fetch(note.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((s) => { if (s && s.playback !== "converting") { clearInterval(wait); window.location.reload(); } })
        .catch(() => {});
    }, 3000);
  }
  const box = document.getElementById("session-status");
  if (!box) return;
  const id = Number(box.dataset.session);
  const bar = box.querySelector(".bar"), label = document.getElementById("progress-label");
  const text = document.getElementById("status-text");
  const remaining = document.getElementById("remaining");

  function show(status) {
    if (status.id !== id) return;
    if (status.status === "done" || status.status === "failed") { window.location.reload(); return; }
    const pct = Math.round((status.progress || 0) * 100);
    if (bar) bar.style.width = pct + "%";
    if (label) label.textContent = pct + "%";
    if (remaining) remaining.textContent = status.remaining_text || "";
    text.textContent = status.status.charAt(0).toUpperCase() + status.status.slice(1) + (status.status === "processing" ? ` (${pct}%)` : "");
    text.className = "status status-" + status.status;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null)).then((s) => s && show(s)).catch(() => {});
  }

  // Workers push progress through a shared channel layer (Redis); without one the socket only says
  // hello, so the page polls every second. With pushes it still polls now and then, in case one is lost.
  let pushes = false;
  try {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/updates/");
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.type === "hello") pushes = Boolean(data.pushes);
      else if (data.type === "session.status") show(data);
    };
    ws.onclose = () => { pushes = false; };
  } catch (e) { /* polling covers it */ }
  let ticks = 0;
  poll();
  setInterval(() => { ticks += 1; if (!pushes || ticks % 10 === 0) poll(); }, 1000);
})();

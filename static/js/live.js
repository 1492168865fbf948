/* Live classroom: camera -> downscaled JPEG frames over an authenticated websocket -> live charts. */
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) return;
  const LABELS = JSON.parse(document.getElementById("labels-data").textContent);
  const COLORS = { angry: "#d92d20", disgust: "#7a5af8", fear: "#475467", happy: "#fdb022", sad: "#2e90fa", surprise: "#ee46bc", neutral: "#98a2b3" };
  // frames as sharp as an upload's: a smaller or coarser JPEG lowers the eye band's change against its
  // noise, and weak expressions an upload finds were missed live (tests/web/test_live_upload_parity.py)
  const MAX_WIDTH = 640, JPEG_QUALITY = 0.85, GRACE_MS = 25000;
  const video = document.getElementById("live-video"), overlay = document.getElementById("live-overlay");
  const stateText = document.getElementById("live-state"), fpsSelect = document.getElementById("live-fps");
  const grab = document.createElement("canvas");
  const sentAt = new Map(), latencies = [];
  const live = (window.EyeClassLive = { sent: 0, results: 0, stats: {}, lastResult: null, stopped: false });
  let ws = null, seq = 0, timer = null, lostAt = null;

  const set = (id, value) => { document.getElementById(id).textContent = value; };
  const say = (text) => { stateText.textContent = text; };

  // whole seconds only: m:ss labels of half-second ticks repeat ("0:01 0:01")
  const axis = { type: "linear", ticks: { precision: 0, callback: (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}` } };
  const engagement = new Chart(document.getElementById("live-engagement"), {
    type: "line", data: { datasets: [{ label: "engagement", data: [], borderColor: "#3366cc", backgroundColor: "#3366cc33", fill: true, pointRadius: 0 }] },
    options: { animation: false, maintainAspectRatio: false, scales: { x: axis, y: { min: 0, max: 1 } } },
  });
  // no emotion chart (and no class names) when emotions are off in this deployment
  const emotionCanvas = document.getElementById("live-emotions");
  const emotions = emotionCanvas && new Chart(emotionCanvas, {
    type: "line", data: { datasets: LABELS.map((l) => ({ label: l, data: [], fill: true, pointRadius: 0, borderWidth: 1, backgroundColor: COLORS[l] + "cc", borderColor: COLORS[l] })) },
    options: { animation: false, maintainAspectRatio: false, scales: { x: axis, y: { stacked: true, min: 0, max: 1 } } },
  });
  live.charts = { engagement, emotions };

  // a second with nothing recorded (frames dropped, the connection lost) breaks the lines, as on the session page
  let lastSecond = null;
  function addSeconds(seconds) {
    for (const s of seconds) {
      if (lastSecond !== null && s.second <= lastSecond) continue;  // already drawn (from the page's recorded seconds)
      if (lastSecond !== null && s.second > lastSecond + 1) {
        engagement.data.datasets[0].data.push({ x: lastSecond + 1, y: null });
        if (emotions) emotions.data.datasets.forEach((d) => d.data.push({ x: lastSecond + 1, y: null }));
      }
      lastSecond = s.second;
      engagement.data.datasets[0].data.push({ x: s.second, y: s.engagement });
      if (emotions) LABELS.forEach((l, i) => emotions.data.datasets[i].data.push({ x: s.second, y: s.emotion_mix ? s.emotion_mix[l] : null }));
    }
    if (seconds.length) { engagement.update("none"); if (emotions) emotions.update("none"); }
  }
  // a page reopened (or resumed) starts with the seconds already recorded, then goes on live
  addSeconds(JSON.parse(document.getElementById("recorded-data").textContent));

  function drawFaces(result) {
    const ctx = overlay.getContext("2d");
    overlay.width = result.width; overlay.height = result.height;
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    ctx.lineWidth = 2; ctx.font = "14px system-ui";
    for (const f of result.faces) {
      const unreadable = f.flags.includes("eyes_unreadable");
      const turned = f.flags.includes("head_turned");  // readable, but too turned for the eye model
      ctx.strokeStyle = unreadable || turned ? "#98a2b3" : "#32d583";
      ctx.strokeRect(f.box.x, f.box.y, f.box.w, f.box.h);
      ctx.fillStyle = ctx.strokeStyle;
      const note = unreadable ? "eyes unreadable" : turned ? "head turned" : "";
      ctx.fillText(`#${f.track} ${f.top || note}`, f.box.x, Math.max(14, f.box.y - 4));
      ctx.strokeStyle = "#fdb022"; ctx.lineWidth = 1;
      for (const e of f.eye_boxes || []) ctx.strokeRect(e.x, e.y, e.w, e.h);
      ctx.lineWidth = 2;
    }
    set("stat-faces", result.faces.length);
  }

  function showStats(stats) {
    if (!stats) return;
    live.stats = stats;
    set("stat-sent", live.sent); set("stat-analysed", stats.analysed); set("stat-dropped", stats.dropped); set("stat-rejected", stats.rejected);
  }

  function onMessage(event) {
    const msg = JSON.parse(event.data);
    showStats(msg.stats);
    if (msg.type === "hello") { say("Live: streaming to EyeClass."); lostAt = null; }
    else if (msg.type === "result") {
      live.results += 1; live.lastResult = msg;
      if (sentAt.has(msg.seq)) {
        latencies.push(performance.now() - sentAt.get(msg.seq)); sentAt.delete(msg.seq);
        if (latencies.length > 200) latencies.shift();
        const sorted = [...latencies].sort((a, b) => a - b);
        set("stat-p50", `${Math.round(sorted[Math.floor(sorted.length / 2)])} ms`);
      }
      drawFaces(msg); addSeconds(msg.seconds || []);
    } else if (msg.type === "dropped") { sentAt.delete(msg.seq); }
    else if (msg.type === "stopped") { live.stopped = true; say("Saved. Opening the session…"); window.location.href = msg.url; }
    else if (msg.type === "error") { say("Error: " + msg.error); }
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.socket);
    ws.binaryType = "arraybuffer";
    ws.onmessage = onMessage;
    ws.onclose = (event) => {
      if (live.stopped) return;
      if (event.code === 4404 || event.code === 4401) { say("This live session has ended."); stopCamera(); return; }
      lostAt = lostAt || Date.now();
      if (Date.now() - lostAt > GRACE_MS) { say("Connection lost. The session was saved with what arrived."); stopCamera(); return; }
      say("Connection lost — reconnecting…"); setTimeout(connect, 2000);
    };
  }

  function sendFrame() {
    if (!ws || ws.readyState !== WebSocket.OPEN || !video.videoWidth) return;
    if (ws.bufferedAmount > 2 * 1024 * 1024) return; // the network is behind: skip at the source
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    grab.width = Math.round(video.videoWidth * scale); grab.height = Math.round(video.videoHeight * scale);
    grab.getContext("2d").drawImage(video, 0, 0, grab.width, grab.height);
    grab.toBlob((blob) => {
      if (!blob) return;
      blob.arrayBuffer().then((jpeg) => {
        const message = new Uint8Array(4 + jpeg.byteLength);
        new DataView(message.buffer).setUint32(0, seq);
        message.set(new Uint8Array(jpeg), 4);
        sentAt.set(seq, performance.now()); seq += 1; live.sent += 1;
        if (ws.readyState === WebSocket.OPEN) ws.send(message.buffer);
      });
    }, "image/jpeg", JPEG_QUALITY);
  }

  function schedule() {
    clearInterval(timer);
    timer = setInterval(sendFrame, 1000 / Number(fpsSelect.value));
  }

  function stopCamera() {
    clearInterval(timer);
    if (video.srcObject) video.srcObject.getTracks().forEach((t) => t.stop());
  }

  document.getElementById("live-stop").addEventListener("click", () => {
    clearInterval(timer); say("Stopping and saving…");
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
    stopCamera();
  });
  fpsSelect.addEventListener("change", schedule);

  const elapsed = document.getElementById("live-elapsed");
  const started = Date.parse(elapsed.dataset.started);
  const tick = () => {
    const s = Math.max(0, Math.floor((Date.now() - started) / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), pad = (n) => String(n).padStart(2, "0");
    elapsed.textContent = h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  };
  tick(); setInterval(tick, 1000);

  navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } }, audio: false })
    .then((stream) => { video.srcObject = stream; connect(); schedule(); })
    .catch((err) => say("The camera could not be opened: " + err.message));
})();

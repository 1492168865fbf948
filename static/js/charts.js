/* EyeClass charts (Chart.js, vendored). Exposes EyeClassCharts.session(series) and .trend(points). */
(function () {
  "use strict";
  const COLORS = {
    angry: "#d92d20", disgust: "#7a5af8", fear: "#475467", happy: "#fdb022",
    sad: "#2e90fa", surprise: "#ee46bc", neutral: "#98a2b3",
  };
  const fmtTime = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  const drawn = (window.EyeClassDrawn = window.EyeClassDrawn || {}); // for tests and debugging

  function timeAxis() {
    return { type: "linear", title: { display: true, text: "time (m:ss)" }, ticks: { callback: fmtTime } };
  }

  function emotions(series) {
    const datasets = series.labels.map((label) => ({
      label, fill: true, pointRadius: 0, borderWidth: 1, tension: 0.2,
      backgroundColor: COLORS[label] + "cc", borderColor: COLORS[label],
      data: series.seconds.map((s, i) => ({ x: s, y: series.emotions[label][i] })),
    }));
    drawn.emotion = new Chart(document.getElementById("emotion-chart"), {
      type: "line", data: { datasets },
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: { x: timeAxis(), y: { stacked: true, min: 0, max: 1, title: { display: true, text: "share of readable faces" } } },
        plugins: { tooltip: { callbacks: { title: (items) => fmtTime(items[0].parsed.x) } } },
      },
    });
  }

  function engagement(series) {
    const micro = series.events.filter((e) => e.kind === "micro");
    const at = (t) => {
      const i = series.seconds.indexOf(Math.floor(t));
      return i >= 0 && series.engagement[i] !== null ? series.engagement[i] : 0;
    };
    drawn.engagement = new Chart(document.getElementById("engagement-chart"), {
      type: "line",
      data: {
        datasets: [
          { label: "engagement", data: series.seconds.map((s, i) => ({ x: s, y: series.engagement[i] })),
            borderColor: "#3366cc", backgroundColor: "#3366cc33", fill: true, pointRadius: 0, tension: 0.2, spanGaps: false },
          { label: "micro-expressions", type: "scatter", data: micro.map((e) => ({ x: e.apex, y: at(e.apex), event: e })),
            pointStyle: "triangle", pointRadius: 6, backgroundColor: "#d92d20", borderColor: "#d92d20" },
        ],
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: { x: timeAxis(), y: { min: 0, max: 1, title: { display: true, text: "engagement (0–1)" } } },
        plugins: { tooltip: { callbacks: {
          title: (items) => fmtTime(items[0].parsed.x),
          label: (item) => item.raw.event ? `track ${item.raw.event.track}: ${item.raw.event.cue === "wink" ? "wink" : item.raw.event.label || "change"} (${item.raw.event.duration.toFixed(2)} s)` : `engagement ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(2)}`,
        } } },
      },
    });
  }

  function heatmap(series) {
    const canvas = document.getElementById("heatmap");
    const step0 = series.bin_seconds || 1;
    const tracks = series.tracks.filter((t) => t.timeline.length * step0 >= 2); // seen for 2 s or more
    drawn.heatmap = { rows: tracks.length };
    if (!canvas || !tracks.length) return;
    const start = series.seconds[0], end = series.seconds[series.seconds.length - 1] + (series.bin_seconds || 1);
    const width = canvas.parentElement.clientWidth || 800, rowH = 14, labelW = 70;
    canvas.width = width; canvas.height = tracks.length * rowH + 20;
    const ctx = canvas.getContext("2d");
    const step = series.bin_seconds || 1;
    const x = (s) => labelW + ((s - start) / Math.max(1, end - start)) * (width - labelW);
    ctx.font = "11px system-ui"; ctx.fillStyle = "#667085";
    tracks.forEach((t, row) => {
      ctx.fillStyle = "#667085"; ctx.fillText(`student ${t.track}`, 2, row * rowH + 11);
      for (const [second, value] of t.timeline) {
        if (value === null) continue;
        ctx.fillStyle = `rgba(51, 102, 204, ${0.1 + 0.9 * value})`;
        ctx.fillRect(x(second), row * rowH + 1, Math.max(1, x(second + step) - x(second)), rowH - 2);
      }
    });
    ctx.fillStyle = "#667085";
    for (let i = 0; i <= 5; i++) {
      const s = start + ((end - start) * i) / 5;
      ctx.fillText(fmtTime(s), Math.min(x(s), width - 30), tracks.length * rowH + 14);
    }
  }

  function session(series) {
    emotions(series);
    engagement(series);
    heatmap(series);
  }

  function trend(canvasId, points) {
    const labels = points.map((p) => `${p.date} ${p.title}`.slice(0, 40));
    const emotionSets = Object.keys(COLORS).map((label) => ({
      label, type: "bar", stack: "emotions", yAxisID: "mix", backgroundColor: COLORS[label] + "aa",
      data: points.map((p) => (p.emotions || {})[label] ?? null),
    }));
    drawn.trend = new Chart(document.getElementById(canvasId), {
      data: { labels, datasets: [
        { label: "average engagement", type: "line", yAxisID: "eng", borderColor: "#101828", backgroundColor: "#101828",
          data: points.map((p) => p.engagement), tension: 0.2 },
        ...emotionSets,
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: {
        eng: { position: "left", min: 0, max: 1, title: { display: true, text: "engagement" } },
        mix: { position: "right", min: 0, max: 1, stacked: true, grid: { drawOnChartArea: false }, title: { display: true, text: "emotion mix" } },
        x: { stacked: true },
      } },
    });
  }

  window.EyeClassCharts = { session, trend };
})();

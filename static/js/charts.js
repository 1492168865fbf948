/* EyeClass charts (Chart.js, vendored): EyeClassCharts.session(series, options), .student(series), .trend(points).
   Every time chart of a session shares one time axis (same range, same plot area), so a moment lines up
   across them; with a kept recording, a playhead follows the video and a click seeks it. */
(function () {
  "use strict";
  const COLORS = {
    angry: "#d92d20", disgust: "#7a5af8", fear: "#475467", happy: "#fdb022",
    sad: "#2e90fa", surprise: "#ee46bc", neutral: "#98a2b3", uncertain: "#e4e7ec",
  };
  const Y_AXIS_WIDTH = 64; // px: fixed, so that the plot areas of stacked charts line up
  const HEATMAP_ROWS = 30; // the most present students drawn first; "show all" draws the rest
  const pad = (n) => String(n).padStart(2, "0");
  const fmtTime = (s) => {
    s = Math.max(0, Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  };
  const pct = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`);
  const drawn = (window.EyeClassDrawn = window.EyeClassDrawn || {}); // for tests and debugging
  const state = { playhead: null, seek: null, charts: [], notes: [] };
  const NOTE_COLOR = "#067647";

  function niceStep(span, most = 8) {
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
    return steps.find((s) => span / s <= most) || 3600;
  }

  function timeAxis(range) {
    return {
      type: "linear", min: range.start, max: range.end,
      title: { display: true, text: "time (m:ss)" },
      // includeBounds off: an end that is not on a step ("0:13" after "0:12") would print over its neighbour
      ticks: { stepSize: niceStep(range.end - range.start), callback: fmtTime, maxRotation: 0, includeBounds: false },
    };
  }

  function fixedY(extra) {
    return { ...extra, afterFit: (axis) => { axis.width = Y_AXIS_WIDTH; } };
  }

  const playheadPlugin = {
    id: "playhead",
    afterDatasetsDraw(chart) {
      if (state.playhead === null || !chart.scales.x) return;
      const x = chart.scales.x.getPixelForValue(state.playhead);
      if (x < chart.chartArea.left || x > chart.chartArea.right) return;
      const ctx = chart.ctx;
      ctx.save(); ctx.strokeStyle = "#101828"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, chart.chartArea.top); ctx.lineTo(x, chart.chartArea.bottom); ctx.stroke();
      ctx.restore();
    },
  };

  // the teacher's notes: a dashed line at each, its words at the top where they do not run into the last
  function drawNotes(ctx, x, top, bottom, left, right) {
    let free = -Infinity;
    ctx.save(); ctx.strokeStyle = NOTE_COLOR; ctx.fillStyle = NOTE_COLOR; ctx.setLineDash([4, 3]); ctx.lineWidth = 1.5;
    ctx.font = "11px system-ui"; ctx.textBaseline = "top";
    const placed = [];
    for (const note of state.notes) {
      const at = x(note.at);
      if (at < left || at > right) continue;
      ctx.beginPath(); ctx.moveTo(at, top); ctx.lineTo(at, bottom); ctx.stroke();
      const label = note.text.length > 24 ? note.text.slice(0, 23) + "…" : note.text;
      const w = ctx.measureText(label).width, start = Math.min(at + 3, right - w);
      if (start < free) continue;
      ctx.fillStyle = "#ffffffdd"; ctx.fillRect(start - 2, top + 1, w + 4, 13); // readable over a filled chart
      ctx.fillStyle = NOTE_COLOR; ctx.fillText(label, start, top + 2);
      free = start + w + 6; placed.push(label);
    }
    ctx.restore();
    return placed;
  }

  const notesPlugin = {
    id: "notes",
    afterDatasetsDraw(chart) {
      if (!state.notes.length || !chart.scales.x) return;
      const a = chart.chartArea, scale = chart.scales.x;
      drawn.noteLabels = drawNotes(chart.ctx, (t) => scale.getPixelForValue(t), a.top, a.bottom, a.left, a.right);
    },
  };

  function onChartClick(event, elements, chart) {
    if (state.seek) state.seek(chart.scales.x.getValueForPixel(event.x));
  }

  function emotions(series, range) {
    const datasets = series.labels.map((label) => ({
      label, fill: true, pointRadius: 0, borderWidth: 1, tension: 0.2,
      backgroundColor: COLORS[label] + "cc", borderColor: COLORS[label],
      data: series.seconds.map((s, i) => ({ x: s, y: series.emotions[label][i] })),
    }));
    return (drawn.emotion = new Chart(document.getElementById("emotion-chart"), {
      type: "line", data: { datasets }, plugins: [playheadPlugin, notesPlugin],
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        onClick: onChartClick,
        scales: { x: timeAxis(range), y: fixedY({ stacked: true, min: 0, max: 1, ticks: { callback: (v) => pct(v) }, title: { display: true, text: "share of readable faces" } }) },
        plugins: { tooltip: { callbacks: {
          title: (items) => fmtTime(items[0].parsed.x),
          label: (item) => `${item.dataset.label}: ${pct(item.parsed.y)}`,
        } } },
      },
    }));
  }

  // every event a mark at its apex, at height at(apex): filled when brief (micro), hollow when longer
  function eventMarks(events, at) {
    const style = { type: "scatter", pointStyle: "triangle", pointRadius: 6, borderColor: "#d92d20", clip: false };
    const marks = (kind) => events.filter((e) => e.kind === kind).map((e) => ({ x: e.apex, y: at(e.apex), event: e }));
    return [
      { ...style, label: "brief expressions", data: marks("micro"), backgroundColor: "#d92d20" },
      { ...style, label: "longer expressions", data: marks("macro"), backgroundColor: "#ffffff", borderWidth: 2 },
    ];
  }

  function engagement(series, range) {
    const at = (t) => {
      const i = series.seconds.indexOf(Math.floor(t / (series.bin_seconds || 1)) * (series.bin_seconds || 1));
      return i >= 0 && series.engagement[i] !== null ? series.engagement[i] : 0;
    };
    return (drawn.engagement = new Chart(document.getElementById("engagement-chart"), {
      type: "line", plugins: [playheadPlugin, notesPlugin],
      data: {
        datasets: [
          { label: "engagement", data: series.seconds.map((s, i) => ({ x: s, y: series.engagement[i] })),
            borderColor: "#3366cc", backgroundColor: "#3366cc33", fill: true, pointRadius: 0, pointHitRadius: 4, tension: 0.2, spanGaps: false },
          ...eventMarks(series.events, at),
        ],
      },
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: "nearest", axis: "x", intersect: false },
        onClick: onChartClick,
        scales: { x: timeAxis(range), y: fixedY({ min: 0, max: 1, title: { display: true, text: "engagement (0–1)" } }) },
        plugins: { tooltip: { callbacks: {
          title: (items) => fmtTime(items[0].parsed.x),
          label: (item) => item.raw.event
            ? `student ${item.raw.event.track}: ${item.raw.event.cue === "wink" ? "wink" : item.raw.event.label || "change"} (${item.raw.event.duration.toFixed(2)} s)`
            : `engagement ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(2)}`,
        } } },
      },
    }));
  }

  function heatmap(series, range, studentUrl, reference) {
    const canvas = document.getElementById("heatmap");
    if (!canvas) return;
    const step = series.bin_seconds || 1;
    const everyone = series.tracks
      .map((t) => ({ ...t, present: t.seen ?? t.timeline.length * step }))
      .filter((t) => t.present >= 2) // seen for 2 s or more, as the Students card counts
      .sort((a, b) => b.present - a.present || a.track - b.track);
    const note = document.getElementById("heatmap-note"), more = document.getElementById("heatmap-all");
    const tip = document.getElementById("heatmap-tip");
    let showAll = false, rows = [];
    const rowH = 16, axisH = 22;

    function draw() {
      rows = showAll ? everyone : everyone.slice(0, HEATMAP_ROWS);
      drawn.heatmap = { rows: rows.length, students: everyone.length };
      if (note) note.textContent = everyone.length > rows.length
        ? `the ${rows.length} most present of ${everyone.length} students, most present first`
        : `${everyone.length} student${everyone.length === 1 ? "" : "s"}, most present first`;
      if (more) { more.hidden = everyone.length <= HEATMAP_ROWS; more.textContent = showAll ? "Show the most present only" : `Show all ${everyone.length} students`; }
      const width = canvas.parentElement.clientWidth || 800;
      const area = reference && reference.chartArea ? reference.chartArea : { left: Y_AXIS_WIDTH + 8, right: width - 10 };
      canvas.width = width; canvas.height = rows.length * rowH + axisH;
      canvas.style.height = canvas.height + "px";
      const x = (s) => area.left + ((s - range.start) / Math.max(1, range.end - range.start)) * (area.right - area.left);
      const ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.font = "11px system-ui"; ctx.textBaseline = "middle";
      rows.forEach((t, row) => {
        const y = row * rowH;
        ctx.fillStyle = row % 2 ? "#f9fafb" : "#ffffff"; ctx.fillRect(area.left, y, area.right - area.left, rowH);
        ctx.fillStyle = "#3366cc"; ctx.fillText(`student ${t.track}`, 2, y + rowH / 2);
        for (const [second, value] of t.timeline) {
          if (value === null) continue;
          ctx.fillStyle = `rgba(51, 102, 204, ${0.08 + 0.92 * value})`;
          ctx.fillRect(x(second), y + 1, Math.max(1, x(second + step) - x(second)), rowH - 2);
        }
      });
      ctx.fillStyle = "#667085"; ctx.textBaseline = "alphabetic";
      // as many time labels as fit a phone's width too, and never one over the last
      const tick = niceStep(range.end - range.start, Math.max(2, Math.floor((area.right - area.left) / 56)));
      let free = -Infinity;
      drawn.heatmapTicks = [];
      for (let s = Math.ceil(range.start / tick) * tick; s <= range.end; s += tick) {
        const label = fmtTime(s), w = ctx.measureText(label).width;
        const left = Math.min(Math.max(x(s) - w / 2, area.left), width - w);
        if (left < free) continue;
        ctx.fillText(label, left, rows.length * rowH + 15);
        drawn.heatmapTicks.push({ label, left, right: left + w });
        free = left + w + 6;
      }
      if (state.notes.length) drawNotes(ctx, x, 0, rows.length * rowH, area.left, area.right);
      if (state.playhead !== null && state.playhead >= range.start && state.playhead <= range.end) {
        ctx.strokeStyle = "#101828"; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.moveTo(x(state.playhead), 0); ctx.lineTo(x(state.playhead), rows.length * rowH); ctx.stroke();
      }
      canvas._x = x; canvas._area = area;
    }

    function hit(event) {
      const box = canvas.getBoundingClientRect();
      const px = event.clientX - box.left, py = event.clientY - box.top;
      const t = rows[Math.floor(py / rowH)];
      if (!t) return null;
      const area = canvas._area;
      const second = range.start + ((px - area.left) / (area.right - area.left)) * (range.end - range.start);
      const cell = t.timeline.find(([s]) => second >= s && second < s + step);
      return { track: t, px, py, second, onLabel: px < area.left, value: cell ? cell[1] : null };
    }

    canvas.addEventListener("mousemove", (event) => {
      const h = hit(event);
      canvas.style.cursor = h ? "pointer" : "default";
      if (!tip) return;
      if (!h) { tip.hidden = true; return; }
      tip.hidden = false;
      tip.textContent = h.onLabel
        ? `student ${h.track.track}: engagement ${h.track.engagement === null ? "—" : h.track.engagement.toFixed(2)} — open the student's page`
        : `student ${h.track.track} at ${fmtTime(h.second)}: ${h.value === null ? "not seen" : "engagement " + h.value.toFixed(2)}`;
      tip.style.left = Math.max(0, Math.min(h.px + 12, canvas.clientWidth - tip.offsetWidth)) + "px"; tip.style.top = h.py + 14 + "px";
    });
    canvas.addEventListener("mouseleave", () => { if (tip) tip.hidden = true; });
    canvas.addEventListener("click", (event) => {
      const h = hit(event);
      if (!h) return;
      if (h.onLabel || !state.seek) { if (studentUrl) window.location.href = `${studentUrl}${h.track.track}/`; }
      else state.seek(h.second);
    });
    if (more) more.addEventListener("click", () => { showAll = !showAll; draw(); });
    window.addEventListener("resize", draw);
    draw();
    return { draw };
  }

  function connectVideo(charts, map) {
    const video = document.getElementById("replay");
    document.querySelectorAll("[data-seek]").forEach((link) => link.addEventListener("click", (event) => {
      event.preventDefault();
      if (state.seek) state.seek(Number(link.dataset.seek));
    }));
    if (!video) return;
    state.seek = (seconds) => {
      video.currentTime = Math.max(0, seconds);
      video.scrollIntoView({ block: "nearest", behavior: "smooth" });
    };
    const redraw = () => {
      state.playhead = video.currentTime;
      drawn.playhead = state.playhead;
      charts.forEach((c) => c.draw());
      if (map) map.draw();
    };
    video.addEventListener("timeupdate", redraw);
    video.addEventListener("seeked", redraw);
    // a link such as a student's event (#t=63.5) opens the session at that moment of the recording
    const at = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (at) state.seek(Number(at[1]));
  }

  function session(series, options) {
    state.notes = (options || {}).notes || [];
    drawn.notes = state.notes.length;
    const step = series.bin_seconds || 1;
    const last = series.seconds.length ? series.seconds[series.seconds.length - 1] + step : 1;
    const range = { start: series.seconds.length ? series.seconds[0] : 0, end: last };
    const engagementChart = engagement(series, range);
    // no emotion series when emotions are off in this deployment: the page has no emotion chart either
    const withEmotions = series.emotions && document.getElementById("emotion-chart");  // none when no eyes were read
    const charts = withEmotions ? [emotions(series, range), engagementChart] : [engagementChart];
    const map = heatmap(series, range, (options || {}).studentUrl, engagementChart);
    connectVideo(charts, map);
    drawn.range = range;
  }

  function student(series) {
    const times = series.timeline.map(([s]) => s);
    const range = { start: 0, end: Math.ceil(Math.max(series.duration || 0, times.length ? times[times.length - 1] + 1 : 1)) };
    const byTime = new Map(series.timeline);
    drawn.student = new Chart(document.getElementById("student-engagement"), {
      type: "line",
      data: { datasets: [
        { label: "engagement", data: series.timeline.map(([s, v]) => ({ x: s, y: v })), borderColor: "#3366cc",
          backgroundColor: "#3366cc33", fill: true, pointRadius: 0, pointHitRadius: 4, spanGaps: false },
        ...eventMarks(series.events, (t) => byTime.get(Math.floor(t)) ?? 0),
      ] },
      options: { animation: false, maintainAspectRatio: false, interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: { x: timeAxis(range), y: fixedY({ min: 0, max: 1 }) },
        plugins: { tooltip: { callbacks: { title: (items) => fmtTime(items[0].parsed.x),
          label: (item) => item.raw.event ? `${item.raw.event.cue === "wink" ? "wink" : item.raw.event.label || "change"}${(item.raw.event.actions || []).length ? " " + item.raw.event.actions.join("+") : ""}` : `engagement ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(2)}` } } } },
    });
    actionUnits(series, range);
    const mixCanvas = document.getElementById("student-mix");
    if (!mixCanvas) return; // no emotion was read for this student: the page says why
    drawn.studentMix = new Chart(mixCanvas, {
      type: "bar",
      data: { labels: series.mix.map((m) => m.label), datasets: [{ label: "share", data: series.mix.map((m) => m.value),
        backgroundColor: series.mix.map((m) => COLORS[m.label]) }] },
      options: { animation: false, maintainAspectRatio: false, indexAxis: "y", plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (item) => pct(item.parsed.x) } } },
        scales: { x: { min: 0, max: 1, ticks: { callback: (v) => pct(v) } } } },
    });
  }

  // the eye-region action units, one line each, in % of the inter-ocular distance from the calm face
  const UNIT_COLORS = { AU1: "#2e90fa", AU2: "#7a5af8", AU4: "#d92d20", AU5: "#12b76a", AU6: "#fdb022", AU7: "#ee46bc" };
  function actionUnits(series, range) {
    const canvas = document.getElementById("student-units");
    if (!canvas) return; // none read for this student: the page says why
    const datasets = Object.entries(series.units).map(([name, points]) => ({
      label: name, data: points.map(([s, v]) => ({ x: s, y: v })), borderColor: UNIT_COLORS[name],
      backgroundColor: UNIT_COLORS[name], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 4, tension: 0.2, spanGaps: false,
    }));
    drawn.studentUnits = new Chart(canvas, {
      type: "line", data: { datasets },
      options: { animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: { x: timeAxis(range), y: fixedY({ title: { display: true, text: "% of eye distance" } }) },
        plugins: { legend: { labels: { boxWidth: 12 } }, tooltip: { callbacks: { title: (items) => fmtTime(items[0].parsed.x),
          label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(1) + "%"}` } } } },
    });
  }

  function trend(points) {
    const labels = points.map((p) => [p.date.slice(5).replace("-", "/"), p.title.length > 16 ? p.title.slice(0, 15) + "…" : p.title]);
    const titles = points.map((p) => `${p.date} · ${p.title}`);
    const title = (items) => titles[items[0].dataIndex];
    drawn.trend = new Chart(document.getElementById("trend-chart"), {
      type: "line",
      data: { labels, datasets: [{ label: "average engagement", data: points.map((p) => p.engagement), borderColor: "#3366cc",
        backgroundColor: "#3366cc", tension: 0.2, pointRadius: 4 }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false },
        tooltip: { callbacks: { title, label: (item) => points[item.dataIndex].withheld ? "not enough readable eyes"
          : `engagement ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(2)}` } } },
        scales: { y: { min: 0, max: 1, title: { display: true, text: "engagement" } }, x: { ticks: { maxRotation: 0, autoSkip: true } } },
        onClick: (event, elements) => { if (elements.length) window.location.href = `/sessions/${points[elements[0].index].id}/`; } },
    });
    const mixCanvas = document.getElementById("mix-chart");
    if (!mixCanvas) return; // emotions are off in this deployment
    drawn.mix = new Chart(mixCanvas, {
      type: "bar",
      data: { labels, datasets: Object.keys(COLORS).map((label) => ({ label, backgroundColor: COLORS[label],
        data: points.map((p) => {
          const mix = p.emotions || {}, total = Object.values(mix).reduce((a, v) => a + (v || 0), 0);
          return total ? (mix[label] || 0) / total : null;
        }) })) },
      options: { animation: false, maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { title, label: (item) => `${item.dataset.label}: ${pct(item.parsed.y)}` } } },
        scales: { x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } }, y: { stacked: true, min: 0, max: 1, ticks: { callback: (v) => pct(v) } } } },
    });
  }

  window.EyeClassCharts = { session, student, trend, fmtTime };
})();

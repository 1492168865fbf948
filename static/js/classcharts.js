/* Class charts (Chart.js, vendored): EyeClassClass.weeks(weeks) on the class page, the weekly mean of its
   sessions' engagement; EyeClassClass.overlay(curves) on the comparison, two sessions' engagement by
   minute on one time axis. A null value is a gap: the line breaks there (spanGaps off). */
(function () {
  "use strict";
  const drawn = (window.EyeClassDrawn = window.EyeClassDrawn || {}); // for tests and debugging
  const CURVE_COLORS = ["#3366cc", "#e8590c"];
  const engagementAxis = { min: 0, max: 1, title: { display: true, text: "engagement" } };
  const short = (text) => (text.length > 24 ? text.slice(0, 23) + "…" : text);

  function weeks(rows) {
    const labels = rows.map((w) => w.week.slice(5).replace("-", "/"));
    drawn.weeks = new Chart(document.getElementById("weeks-chart"), {
      type: "line",
      data: { labels, datasets: [{ label: "weekly mean", data: rows.map((w) => w.engagement), borderColor: "#3366cc",
        backgroundColor: "#3366cc", pointRadius: 4, spanGaps: false }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false },
        tooltip: { callbacks: {
          title: (items) => `week of ${rows[items[0].dataIndex].week}`,
          label: (item) => {
            const w = rows[item.dataIndex];
            const sessions = `${w.counted} of ${w.sessions} session${w.sessions === 1 ? "" : "s"} counted`;
            return item.parsed.y === null ? sessions : `engagement ${item.parsed.y.toFixed(2)} · ${sessions}`;
          } } } },
        scales: { y: engagementAxis, x: { title: { display: true, text: "week of (Monday)" }, ticks: { maxRotation: 0, autoSkip: true } } } },
    });
  }

  function overlay(curves) {
    const drawnCurves = curves.filter((c) => c.minutes);
    const longest = Math.max(1, ...drawnCurves.map((c) => c.minutes.length));
    drawn.overlay = new Chart(document.getElementById("overlay-chart"), {
      type: "line",
      data: { datasets: curves.map((c, i) => ({
        label: `${c.date} · ${short(c.title)}`, borderColor: CURVE_COLORS[i], backgroundColor: CURVE_COLORS[i],
        pointRadius: 2, tension: 0.2, spanGaps: false, hidden: !c.minutes,
        data: (c.minutes || []).map((y, m) => ({ x: m, y })) })) },
      options: { animation: false, maintainAspectRatio: false, interaction: { mode: "nearest", axis: "x", intersect: false },
        plugins: { legend: { labels: { boxWidth: 12 } }, tooltip: { callbacks: {
          title: (items) => `minute ${items[0].parsed.x + 1}`,
          label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(2)}` } } },
        scales: { y: engagementAxis,
          x: { type: "linear", min: 0, max: Math.max(1, longest - 1), title: { display: true, text: "minutes from the start" },
            ticks: { stepSize: longest > 60 ? 10 : longest > 20 ? 5 : 1, precision: 0 } } } },
    });
  }

  window.EyeClassClass = { weeks, overlay };
})();

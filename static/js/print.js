/* "Print / PDF": the browser's print dialog, where "Save as PDF" makes the report (static/css/print.css
   lays the page out for paper). Charts are redrawn at the paper's width before printing and after. */
(function () {
  "use strict";
  const redraw = () => {
    if (window.Chart) Object.values(window.Chart.instances || {}).forEach((chart) => chart.resize());
    window.dispatchEvent(new Event("resize")); // the heatmap redraws on resize
  };
  window.addEventListener("beforeprint", redraw);
  window.addEventListener("afterprint", redraw);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
})();

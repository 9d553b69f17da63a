// Draws the dashboard charts from the numbers the page already shows in tables
// (read from the json_script block). Without JavaScript the tables stand alone.
(function () {
  "use strict";
  var COLOURS = {
    not_reported: "#f8fafc",
    not_started: "#94a3b8",
    planned: "#2563eb",
    in_progress: "#d97706",
    completed: "#15803d",
    not_applicable: "#e2e8f0"
  };

  function hideChart(id) {
    var canvas = document.getElementById(id);
    if (canvas && canvas.parentElement) { canvas.parentElement.hidden = true; }
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    var ids = ["chart-totals", "chart-themes", "chart-delegations"];
    if (!source || typeof window.Chart === "undefined") { ids.forEach(hideChart); return; }
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var animation = reduceMotion ? false : { duration: 400 };
    var statuses = data.statuses;
    // Right to left (Arabic): legends, tooltips and the bars' axis mirrored.
    var rtl = document.documentElement.dir === "rtl";
    var text = { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" };

    var totals = document.getElementById("chart-totals");
    if (totals) {
      new window.Chart(totals, {
        type: "doughnut",
        data: {
          labels: statuses.map(function (s) { return s.label; }),
          datasets: [{
            data: data.totals,
            backgroundColor: statuses.map(function (s) { return COLOURS[s.value]; }),
            borderColor: "#ffffff"
          }]
        },
        options: { animation: animation, maintainAspectRatio: false, plugins: {
          legend: Object.assign({ position: rtl ? "left" : "right" }, text),
          tooltip: text
        } }
      });
    }

    function stacked(id, block) {
      var canvas = document.getElementById(id);
      if (!canvas) { return; }
      if (!block.labels.length) { hideChart(id); return; }
      // One bar per row; give each enough height to stay legible.
      canvas.parentElement.style.height = Math.max(200, 60 + block.labels.length * 28) + "px";
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: block.labels,
          datasets: statuses.map(function (s, i) {
            return {
              label: s.label,
              data: block.series[i],
              backgroundColor: COLOURS[s.value],
              borderColor: "#475569",
              borderWidth: s.value === "not_applicable" ? 1 : 0
            };
          })
        },
        options: {
          indexAxis: "y",
          animation: animation,
          maintainAspectRatio: false,
          scales: {
            x: { stacked: true, reverse: rtl, ticks: { precision: 0 } },
            y: { stacked: true, position: rtl ? "right" : "left" }
          },
          plugins: { legend: Object.assign({ position: "bottom" }, text), tooltip: text }
        }
      });
    }
    stacked("chart-themes", data.themes);
    stacked("chart-delegations", data.delegations);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

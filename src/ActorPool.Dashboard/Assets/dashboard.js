// Live figures for the ActorPool dashboard: polls {base}/api/stats once a second while the page is
// visible, updates every [data-figure] cell and draws tasks/s and queue depth. The history lives
// here, in the page, so the server keeps nothing while no page is open.
"use strict";
(() => {
  const base = document.body.dataset.base;
  const samples = 300; // five minutes at one a second
  const width = 600;
  const height = 160;
  const history = new Map();

  function figures(pool) {
    for (const table of document.querySelectorAll("table.figures")) {
      if (table.dataset.pool !== pool.name) continue;
      for (const [name, text] of Object.entries(pool.figures)) {
        const cell = table.querySelector(`[data-figure="${name}"]`);
        if (cell && cell.textContent !== text) cell.textContent = text;
      }
    }
  }

  function chart(pool, points) {
    for (const svg of document.querySelectorAll("svg[data-chart]")) {
      if (svg.dataset.chart !== pool.name) continue;
      const rates = [];
      for (let i = 1; i < points.length; i++) {
        const seconds = (points[i].at - points[i - 1].at) / 1000;
        rates.push(seconds > 0 ? Math.max(0, points[i].completed - points[i - 1].completed) / seconds : 0);
      }
      const queues = points.slice(1).map(p => p.queued);
      const top = Math.max(1, ...rates, ...queues);
      // The first minute fills the chart from the left; after that the newest point stays at the right edge.
      const span = Math.min(samples, Math.max(60, rates.length));
      const line = values => values
        .map((v, i) => `${(width * (span - values.length + i) / span).toFixed(1)},${(height - 5 - (height - 10) * v / top).toFixed(1)}`)
        .join(" ");
      svg.querySelector("polyline.rate").setAttribute("points", line(rates));
      svg.querySelector("polyline.queue").setAttribute("points", line(queues));
      const figure = svg.closest("figure");
      const rate = figure.querySelector('[data-live="rate"]');
      const queue = figure.querySelector('[data-live="queue"]');
      if (rates.length > 0) rate.textContent = rates[rates.length - 1].toFixed(0);
      queue.textContent = String(pool.queued);
    }
  }

  async function poll() {
    if (document.visibilityState === "visible") {
      try {
        const response = await fetch(`${base}/api/stats`, { cache: "no-store", credentials: "same-origin" });
        if (response.ok) {
          const snapshot = await response.json();
          for (const pool of snapshot.pools) {
            let points = history.get(pool.name);
            if (!points) history.set(pool.name, points = []);
            points.push({ at: snapshot.at, completed: pool.completed, queued: pool.queued });
            if (points.length > samples + 1) points.shift();
            figures(pool);
            chart(pool, points);
          }
          document.body.dataset.polled = String(snapshot.at);
        }
      } catch {
        // The next poll tries again; a restarting server is not an error worth a dialog.
      }
    }
    setTimeout(poll, 1000);
  }

  poll();
})();

// The Queues page: per queue its weight, cordon state, the latest cycle's
// shares per pool (fair, adjusted fair, actual, decayed usage) and its
// unfinished jobs per priority class, with a small chart of the actual share
// over the time this page has been open.

import { api } from "./api.js";
import { el, formatShare, formatTime } from "./dom.js";
import { defaultJobsView, jobsHash } from "./url_state.js";

const kHistory = 60; // samples kept per queue and pool
const kSvg = "http://www.w3.org/2000/svg";

export class QueuesPage {
  constructor(root) {
    this.root = root;
    this.history = new Map(); // "queue\0pool" -> [actual share, ...]
    this.sequence = 0;
    this.status = el("span", { class: "status" });
    this.table = el("table", { class: "queues", id: "queues-table" });
    this.root.replaceChildren(el("div", { class: "toolbar" }, this.status),
      el("div", { class: "table-wrap" }, this.table));
  }

  show() {
    return this.refresh();
  }

  async refresh() {
    const sequence = ++this.sequence;
    try {
      const queues = (await api.queueStats()).queues || [];
      if (sequence !== this.sequence) return;
      for (const queue of queues) {
        for (const pool of queue.pools || []) {
          const key = `${queue.name}\0${pool.pool}`;
          const samples = this.history.get(key) || [];
          samples.push(pool.actualShare || 0);
          if (samples.length > kHistory) samples.shift();
          this.history.set(key, samples);
        }
      }
      this.render(queues);
      this.status.textContent = `updated ${formatTime(new Date().toISOString())}`;
      this.status.classList.remove("error");
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.status.textContent = `error: ${error.message}`;
      this.status.classList.add("error");
    }
  }

  render(queues) {
    const header = el("tr", {}, ["Queue", "Weight", "Cordoned", "Pool", "Fair share",
      "Adjusted fair share", "Actual share", "Decayed usage", "Share over time",
      "Queued / leased / pending / running per priority class"].map((h) => el("th", {}, h)));
    const rows = [];
    for (const queue of [...queues].sort((a, b) => a.name.localeCompare(b.name))) {
      const pools = queue.pools && queue.pools.length ? queue.pools : [{ pool: "" }];
      const view = { ...defaultJobsView(), filters: [
        { field: "queue", match: "exact", value: queue.name, isAnnotation: false }] };
      const classes = (queue.priorityClasses || []).map((c) => el("div", { class: "pc" },
        `${c.priorityClass || "(default)"}: ${c.queued || 0} / ${c.leased || 0} / ${c.pending || 0} / ${c.running || 0}`));
      pools.forEach((pool, i) => {
        const first = i === 0;
        const span = { rowspan: String(pools.length) };
        rows.push(el("tr", { class: "queue", dataset: { queue: queue.name, pool: pool.pool } },
          first ? [
            el("td", span, el("a", { href: jobsHash(view) }, queue.name)),
            el("td", { ...span, class: "num", dataset: { column: "weight" } }, String(Number(queue.weight || 0).toFixed(2))),
            el("td", { ...span, dataset: { column: "cordoned" } }, queue.cordoned ? "cordoned" : ""),
          ] : [],
          el("td", {}, pool.pool || "(no cycle yet)"),
          el("td", { class: "num", dataset: { column: "fairShare" } }, formatShare(pool.fairShare)),
          el("td", { class: "num", dataset: { column: "adjustedFairShare" } }, formatShare(pool.adjustedFairShare)),
          el("td", { class: "num", dataset: { column: "actualShare" } }, formatShare(pool.actualShare)),
          el("td", { class: "num", dataset: { column: "decayedUsage" } }, formatShare(pool.decayedUsage)),
          el("td", {}, sparkline(this.history.get(`${queue.name}\0${pool.pool}`) || [])),
          first ? el("td", span, classes.length ? classes : "no unfinished jobs") : []));
      });
    }
    this.table.replaceChildren(el("thead", {}, header), el("tbody", {}, rows.length ? rows
      : el("tr", {}, el("td", { colspan: 10, class: "empty" }, "No queues yet."))));
  }
}

// A 120x24 line of `samples` (shares in [0, 1]).
function sparkline(samples) {
  const svg = document.createElementNS(kSvg, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", "120");
  svg.setAttribute("height", "24");
  svg.setAttribute("viewBox", "0 0 120 24");
  if (samples.length > 1) {
    const step = 120 / (kHistory - 1);
    const offset = 120 - step * (samples.length - 1);
    const points = samples.map((v, i) =>
      `${(offset + i * step).toFixed(1)},${(23 - Math.min(1, Math.max(0, v)) * 22).toFixed(1)}`);
    const line = document.createElementNS(kSvg, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "currentColor");
    svg.appendChild(line);
  }
  const title = document.createElementNS(kSvg, "title");
  title.textContent = samples.length ? `actual share now ${formatShare(samples[samples.length - 1])}` : "";
  svg.appendChild(title);
  return svg;
}

// The jobs table: one row per job, the chosen columns, sortable headers,
// a checkbox per row for the selection. Pure rendering: the page (jobs_page.js)
// owns the data, the view and the selection.

import { el, formatBytes, formatCpu, formatDuration, formatTime, stateBadge } from "./dom.js";

// id -> {label, sort: the API field to order by (absent: not sortable), cell(job)}.
export const kColumns = {
  jobId: { label: "Job id", sort: "jobId", cell: (j) => el("span", { class: "mono" }, j.jobId) },
  queue: { label: "Queue", sort: "queue", cell: (j) => j.queue },
  jobSet: { label: "Job set", sort: "jobSet", cell: (j) => j.jobSet },
  state: { label: "State", sort: "state", cell: (j) => stateBadge(j.state) },
  owner: { label: "Owner", sort: "owner", cell: (j) => j.owner },
  namespace: { label: "Namespace", sort: "namespace", cell: (j) => j.namespace },
  priorityClass: { label: "Priority class", sort: "priorityClass", cell: (j) => j.priorityClass },
  priority: { label: "Priority", sort: "priority", cell: (j) => String(j.priority || 0) },
  cpu: { label: "CPU", sort: "cpu", cell: (j) => formatCpu(j.cpu) },
  memory: { label: "Memory", sort: "memory", cell: (j) => formatBytes(j.memory) },
  gpu: { label: "GPU", sort: "gpu", cell: (j) => String(j.gpu || 0) },
  submitted: { label: "Submitted", sort: "submitted", cell: (j) => formatTime(j.submitted) },
  lastTransitionTime: {
    label: "Last transition", sort: "lastTransitionTime",
    cell: (j) => formatTime(j.lastTransitionTime),
  },
  runtime: { label: "Runtime", cell: (j) => (j.runs && j.runs.length ? formatDuration(j.runtimeSeconds || 0) : "") },
  node: { label: "Node", cell: (j) => j.node },
  cluster: { label: "Cluster", cell: (j) => j.cluster },
  exitCode: { label: "Exit code", cell: (j) => (j.exitCode === undefined ? "" : String(j.exitCode)) },
  pool: { label: "Pool", cell: (j) => j.pool },
};

// Renders `jobs` into `table` (a <table>). `options`: {columns, sort,
// selected: Set of ids, onSort(field), onToggle(job, on), onToggleAll(on), onOpen(job), openId}.
export function renderJobsTable(table, jobs, options) {
  const columns = options.columns.filter((c) => kColumns[c]);
  const allSelected = jobs.length > 0 && jobs.every((j) => options.selected.has(j.jobId));
  const header = el("tr", {},
    el("th", { class: "select" }, el("input", {
      type: "checkbox", title: "select every job on this page", checked: allSelected,
      "aria-label": "select all", onchange: (e) => options.onToggleAll(e.target.checked),
    })),
    columns.map((id) => {
      const column = kColumns[id];
      const sorted = options.sort.field === column.sort;
      const arrow = sorted ? (options.sort.direction === "ASC" ? " ▲" : " ▼") : "";
      return el("th", {
        dataset: { column: id },
        class: column.sort ? "sortable" : "",
        "aria-sort": sorted ? (options.sort.direction === "ASC" ? "ascending" : "descending") : false,
        onclick: column.sort ? () => options.onSort(column.sort) : undefined,
      }, column.label, arrow);
    }));
  const rows = jobs.map((job) => el("tr", {
    class: job.jobId === options.openId ? "job open" : "job",
    dataset: { jobId: job.jobId, state: job.state || "" },
  },
  el("td", { class: "select" }, el("input", {
    type: "checkbox", checked: options.selected.has(job.jobId), "aria-label": `select ${job.jobId}`,
    onchange: (e) => options.onToggle(job, e.target.checked),
  })),
  columns.map((id) => el("td", {
    dataset: { column: id },
    onclick: () => options.onOpen(job),
  }, kColumns[id].cell(job)))));
  table.replaceChildren(el("thead", {}, header),
    el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", {
      colspan: columns.length + 1, class: "empty",
    }, "No jobs match."))));
}

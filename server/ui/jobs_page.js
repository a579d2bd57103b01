// The Jobs page: filters, grouping, column chooser, paging and the table.
// The view (url_state.js) is the single source of truth: every control
// writes it to the URL, and the page renders from the URL.

import { api } from "./api.js";
import { cancelJobs, notify, preemptJobs, reprioritizeJobs } from "./actions.js";
import { el, formatTime, replace, stateBadge } from "./dom.js";
import { kColumns, renderJobsTable } from "./jobs_table.js";
import { jobsHash } from "./url_state.js";

export const kStates = ["QUEUED", "LEASED", "PENDING", "RUNNING", "SUCCEEDED", "FAILED",
  "CANCELLED", "PREEMPTED", "REJECTED"];
const kTextFilters = [["jobId", "Job id"], ["queue", "Queue"], ["jobSet", "Job set"],
  ["owner", "Owner"]];
const kMatches = ["startsWith", "exact", "contains"];

export class JobsPage {
  constructor(root, details) {
    this.root = root;
    this.details = details; // the side panel (details_panel.js)
    this.view = null;
    this.selected = new Map(); // jobId -> job
    this.sequence = 0; // answers to older requests are dropped
    this.build();
  }

  navigate(view) {
    location.hash = jobsHash(view);
  }

  build() {
    this.inputs = {};
    const textFilters = kTextFilters.map(([field, label]) => {
      const match = el("select", { name: `match-${field}`, "aria-label": `${label} match` },
        kMatches.map((m) => el("option", { value: m }, m)));
      const input = el("input", { name: `filter-${field}`, placeholder: label, size: 14 });
      this.inputs[field] = { input, match };
      return el("label", { class: "filter" }, `${label} `, match, input);
    });
    this.stateBoxes = kStates.map((s) => el("label", { class: "state-choice" },
      el("input", { type: "checkbox", name: "state", value: s }), stateBadge(s)));
    this.annotationKey = el("input", { name: "annotation-key", placeholder: "annotation key", size: 14 });
    this.annotationMatch = el("select", { name: "annotation-match", "aria-label": "annotation match" },
      kMatches.map((m) => el("option", { value: m }, m)));
    this.annotationValue = el("input", { name: "annotation-value", placeholder: "value (empty: has key)", size: 14 });
    this.submittedFrom = el("input", { name: "submitted-from", placeholder: "2026-01-01T00:00:00Z", size: 20 });
    this.submittedTo = el("input", { name: "submitted-to", placeholder: "RFC 3339", size: 20 });
    const form = el("form", { class: "filters", id: "filters" },
      textFilters,
      el("span", { class: "filter states" }, "State ", this.stateBoxes),
      el("label", { class: "filter" }, "Annotation ", this.annotationKey, this.annotationMatch,
        this.annotationValue),
      el("label", { class: "filter" }, "Submitted from ", this.submittedFrom),
      el("label", { class: "filter" }, "to ", this.submittedTo),
      el("button", { type: "submit" }, "Apply"),
      el("button", { type: "button", class: "secondary", onclick: () => this.clearFilters() }, "Clear"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.applyFilters();
    });
    for (const box of this.stateBoxes) box.querySelector("input").addEventListener("change", () => this.applyFilters());

    this.groupSelect = el("select", { name: "group", "aria-label": "group by",
      onchange: () => this.navigate({ ...this.view, group: this.groupSelect.value, page: 0 }) },
    el("option", { value: "" }, "no grouping"),
    el("option", { value: "queue" }, "queue"),
    el("option", { value: "jobSet" }, "job set"),
    el("option", { value: "state" }, "state"));
    this.columnChooser = el("details", { class: "columns" }, el("summary", {}, "Columns"),
      Object.entries(kColumns).map(([id, c]) => el("label", {},
        el("input", { type: "checkbox", name: "column", value: id,
          onchange: () => this.applyColumns() }), c.label)));
    this.sizeSelect = el("select", { name: "size", "aria-label": "page size",
      onchange: () => this.navigate({ ...this.view, size: Number(this.sizeSelect.value), page: 0 }) },
    [25, 50, 100, 200, 500].map((n) => el("option", { value: String(n) }, `${n} per page`)));
    this.selectionBar = el("span", { class: "selection" });
    this.pager = el("span", { class: "pager" });
    this.status = el("span", { class: "status", id: "jobs-status" });
    this.table = el("table", { class: "jobs", id: "jobs-table" });
    this.root.replaceChildren(form,
      el("div", { class: "toolbar" }, el("label", {}, "Group by ", this.groupSelect),
        this.columnChooser, this.sizeSelect, this.selectionBar, this.pager, this.status),
      el("div", { class: "table-wrap" }, this.table));
  }

  // Sets the controls from the view, then loads.
  show(view) {
    this.view = view;
    const byField = new Map(view.filters.filter((f) => !f.isAnnotation).map((f) => [f.field, f]));
    for (const [field, { input, match }] of Object.entries(this.inputs)) {
      const f = byField.get(field);
      input.value = f ? f.value : "";
      match.value = f && kMatches.includes(f.match) ? f.match : "startsWith";
    }
    const states = byField.get("state");
    const chosen = states ? (Array.isArray(states.value) ? states.value : [states.value]) : [];
    for (const box of this.stateBoxes) {
      const input = box.querySelector("input");
      input.checked = chosen.includes(input.value);
    }
    const annotation = view.filters.find((f) => f.isAnnotation);
    this.annotationKey.value = annotation ? annotation.field : "";
    this.annotationMatch.value = annotation && kMatches.includes(annotation.match) ? annotation.match : "exact";
    this.annotationValue.value = annotation && annotation.match !== "exists" ? annotation.value : "";
    const from = view.filters.find((f) => f.field === "submitted" && f.match === "greaterThanOrEqualTo");
    const to = view.filters.find((f) => f.field === "submitted" && f.match === "lessThanOrEqualTo");
    this.submittedFrom.value = from ? from.value : "";
    this.submittedTo.value = to ? to.value : "";
    this.groupSelect.value = view.group;
    this.sizeSelect.value = String(view.size);
    for (const box of this.columnChooser.querySelectorAll("input")) {
      box.checked = view.columns.includes(box.value);
    }
    this.details.show(view.job);
    return this.refresh();
  }

  filtersFromControls() {
    const filters = [];
    for (const [field, { input, match }] of Object.entries(this.inputs)) {
      if (input.value.trim()) filters.push({ field, match: match.value, value: input.value.trim(), isAnnotation: false });
    }
    const states = this.stateBoxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    if (states.length) filters.push({ field: "state", match: "anyOf", value: states, isAnnotation: false });
    const key = this.annotationKey.value.trim();
    if (key) {
      const value = this.annotationValue.value;
      filters.push(value
        ? { field: key, match: this.annotationMatch.value, value, isAnnotation: true }
        : { field: key, match: "exists", value: "", isAnnotation: true });
    }
    if (this.submittedFrom.value.trim()) {
      filters.push({ field: "submitted", match: "greaterThanOrEqualTo", value: this.submittedFrom.value.trim(), isAnnotation: false });
    }
    if (this.submittedTo.value.trim()) {
      filters.push({ field: "submitted", match: "lessThanOrEqualTo", value: this.submittedTo.value.trim(), isAnnotation: false });
    }
    return filters;
  }

  applyFilters() {
    this.navigate({ ...this.view, filters: this.filtersFromControls(), page: 0 });
  }

  clearFilters() {
    this.navigate({ ...this.view, filters: [], page: 0 });
  }

  applyColumns() {
    const columns = [...this.columnChooser.querySelectorAll("input:checked")].map((i) => i.value);
    this.navigate({ ...this.view, columns });
  }

  apiFilters() {
    return this.view.filters.map((f) => ({
      field: f.field, match: f.match, value: f.value, isAnnotation: !!f.isAnnotation,
    }));
  }

  async refresh() {
    if (!this.view) return;
    const sequence = ++this.sequence;
    const view = this.view;
    try {
      if (view.group) {
        const answer = await api.jobGroups({
          filters: this.apiFilters(),
          order: { field: "count", direction: "DESC" },
          groupedField: { field: view.group, isAnnotation: false },
          aggregates: view.group === "state" ? [] : ["state"],
          skip: view.page * view.size,
          take: view.size + 1,
        });
        if (sequence !== this.sequence) return;
        this.renderGroups(answer.groups || []);
      } else {
        const answer = await api.jobs({
          filters: this.apiFilters(),
          order: view.sort,
          skip: view.page * view.size,
          take: view.size + 1,
        });
        if (sequence !== this.sequence) return;
        this.renderJobs(answer.jobs || []);
      }
      this.status.textContent = `updated ${formatTime(new Date().toISOString())}`;
      this.status.classList.remove("error");
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.status.textContent = `error: ${error.message}`;
      this.status.classList.add("error");
    }
    this.details.refresh();
  }

  renderPager(count) {
    const view = this.view;
    const hasNext = count > view.size;
    const shown = Math.min(count, view.size);
    const first = shown ? view.page * view.size + 1 : 0;
    replace(this.pager,
      el("button", { class: "secondary", name: "previous", disabled: view.page === 0,
        onclick: () => this.navigate({ ...view, page: view.page - 1 }) }, "‹ Previous"),
      el("span", { class: "range", id: "page-range" }, `${first}–${view.page * view.size + shown}`, hasNext ? "+" : ""),
      el("button", { class: "secondary", name: "next", disabled: !hasNext,
        onclick: () => this.navigate({ ...view, page: view.page + 1 }) }, "Next ›"));
  }

  renderJobs(jobs) {
    this.renderPager(jobs.length);
    const page = jobs.slice(0, this.view.size);
    for (const job of page) if (this.selected.has(job.jobId)) this.selected.set(job.jobId, job);
    renderJobsTable(this.table, page, {
      columns: this.view.columns,
      sort: this.view.sort,
      selected: this.selected,
      openId: this.view.job,
      onSort: (field) => {
        const same = this.view.sort.field === field;
        const direction = same && this.view.sort.direction === "DESC" ? "ASC" : "DESC";
        this.navigate({ ...this.view, sort: { field, direction }, page: 0 });
      },
      onToggle: (job, on) => {
        if (on) this.selected.set(job.jobId, job);
        else this.selected.delete(job.jobId);
        this.renderJobs(jobs);
      },
      onToggleAll: (on) => {
        for (const job of page) {
          if (on) this.selected.set(job.jobId, job);
          else this.selected.delete(job.jobId);
        }
        this.renderJobs(jobs);
      },
      onOpen: (job) => this.navigate({ ...this.view, job: job.jobId }),
    });
    this.renderSelection();
  }

  renderSelection() {
    const jobs = [...this.selected.values()];
    const after = async (done) => {
      if (done) this.selected.clear();
      await this.refresh();
    };
    if (!jobs.length) {
      replace(this.selectionBar);
      return;
    }
    replace(this.selectionBar, el("span", { id: "selected-count" }, `${jobs.length} selected`),
      el("button", { class: "danger", name: "cancel-selected", onclick: async () => after(await cancelJobs(jobs)) }, "Cancel"),
      el("button", { name: "reprioritize-selected", onclick: async () => after(await reprioritizeJobs(jobs)) }, "Reprioritise"),
      el("button", { name: "preempt-selected", onclick: async () => after(await preemptJobs(jobs)) }, "Preempt"),
      el("button", { class: "secondary", name: "clear-selection", onclick: () => {
        this.selected.clear();
        this.refresh();
      } }, "Clear"));
  }

  renderGroups(groups) {
    this.renderPager(groups.length);
    const view = this.view;
    const page = groups.slice(0, view.size);
    const byState = view.group !== "state";
    const open = (name) => {
      const filters = view.filters.filter((f) => f.isAnnotation || f.field !== view.group);
      filters.push(view.group === "state"
        ? { field: "state", match: "anyOf", value: [name], isAnnotation: false }
        : { field: view.group, match: "exact", value: name, isAnnotation: false });
      this.navigate({ ...view, filters, group: "", page: 0 });
    };
    const header = el("tr", {}, el("th", {}, { queue: "Queue", jobSet: "Job set", state: "State" }[view.group] || view.group),
      el("th", {}, "Jobs"), byState ? kStates.map((s) => el("th", {}, s)) : []);
    const rows = page.map((g) => {
      const counts = (g.aggregates && g.aggregates.state) || {};
      return el("tr", { class: "group", dataset: { group: g.name } },
        el("td", {}, el("a", { href: "#", onclick: (e) => { e.preventDefault(); open(g.name); } },
          view.group === "state" ? stateBadge(g.name) : g.name || "(none)")),
        el("td", { class: "count", dataset: { column: "count" } }, String(g.count || 0)),
        byState ? kStates.map((s) => el("td", { class: "count", dataset: { state: s } }, String(counts[s] || 0))) : []);
    });
    this.table.replaceChildren(el("thead", {}, header), el("tbody", {}, rows.length ? rows
      : el("tr", {}, el("td", { colspan: 2, class: "empty" }, "No jobs match."))));
    replace(this.selectionBar);
  }
}

export function reportError(error) {
  notify(error.message, true);
}

// The Job sets page: for one queue, its job sets (newest first) with counts
// per state, and actions on a whole set. Grouping is done by the server
// (GroupJobs), so a queue with millions of jobs costs one page of groups.

import { api } from "./api.js";
import { cancelJobSet, kActiveStates, reprioritizeJobSet } from "./actions.js";
import { el, formatTime, replace } from "./dom.js";
import { kStates } from "./jobs_page.js";
import { defaultJobsView, jobSetsHash, jobsHash } from "./url_state.js";

const kPageSize = 50;

export class JobSetsPage {
  constructor(root) {
    this.root = root;
    this.queue = "";
    this.page = 0;
    this.activeOnly = false;
    this.sequence = 0;
    this.queueSelect = el("select", { name: "queue", "aria-label": "queue",
      onchange: () => { location.hash = jobSetsHash(this.queueSelect.value); } });
    this.activeBox = el("input", { type: "checkbox", name: "active-only",
      onchange: () => { this.activeOnly = this.activeBox.checked; this.page = 0; this.refresh(); } });
    this.pager = el("span", { class: "pager" });
    this.status = el("span", { class: "status" });
    this.table = el("table", { class: "jobsets", id: "jobsets-table" });
    this.root.replaceChildren(
      el("div", { class: "toolbar" }, el("label", {}, "Queue ", this.queueSelect),
        el("label", {}, this.activeBox, " only job sets with unfinished jobs"), this.pager, this.status),
      el("div", { class: "table-wrap" }, this.table));
  }

  async show(queue) {
    if (queue !== this.queue) this.page = 0;
    this.queue = queue;
    await this.loadQueues();
    return this.refresh();
  }

  async loadQueues() {
    const queues = ((await api.queueStats()).queues || []).map((q) => q.name).sort();
    if (!this.queue && queues.length) this.queue = queues[0];
    replace(this.queueSelect, queues.map((name) => el("option", { value: name, selected: name === this.queue }, name)));
    this.queueSelect.value = this.queue;
  }

  async refresh() {
    const sequence = ++this.sequence;
    if (!this.queue) {
      this.table.replaceChildren(el("tbody", {}, el("tr", {}, el("td", { class: "empty" }, "No queues yet."))));
      return;
    }
    try {
      const answer = await api.jobGroups({
        filters: [{ field: "queue", match: "exact", value: this.queue, isAnnotation: false }],
        activeJobSets: this.activeOnly,
        order: { field: "submitted", direction: "DESC" },
        groupedField: { field: "jobSet", isAnnotation: false },
        aggregates: ["state", "submitted"],
        skip: this.page * kPageSize,
        take: kPageSize + 1,
      });
      if (sequence !== this.sequence) return;
      this.render(answer.groups || []);
      this.status.textContent = `updated ${formatTime(new Date().toISOString())}`;
      this.status.classList.remove("error");
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.status.textContent = `error: ${error.message}`;
      this.status.classList.add("error");
    }
  }

  render(groups) {
    const page = groups.slice(0, kPageSize);
    replace(this.pager,
      el("button", { class: "secondary", name: "previous", disabled: this.page === 0,
        onclick: () => { this.page -= 1; this.refresh(); } }, "‹ Previous"),
      el("button", { class: "secondary", name: "next", disabled: groups.length <= kPageSize,
        onclick: () => { this.page += 1; this.refresh(); } }, "Next ›"));
    const header = el("tr", {}, el("th", {}, "Job set"), el("th", {}, "Submitted"),
      el("th", {}, "Jobs"), kStates.map((s) => el("th", {}, s)), el("th", {}, "Actions"));
    const rows = page.map((group) => {
      const counts = (group.aggregates && group.aggregates.state) || {};
      const unfinished = kActiveStates.some((s) => counts[s]);
      const view = { ...defaultJobsView(), filters: [
        { field: "queue", match: "exact", value: this.queue, isAnnotation: false },
        { field: "jobSet", match: "exact", value: group.name, isAnnotation: false }] };
      const after = (done) => { if (done) this.refresh(); };
      return el("tr", { class: "jobset", dataset: { jobSet: group.name } },
        el("td", {}, el("a", { href: jobsHash(view) }, group.name)),
        el("td", {}, formatTime(group.aggregates && group.aggregates.submitted)),
        el("td", { class: "count" }, String(group.count || 0)),
        kStates.map((s) => el("td", { class: "count", dataset: { state: s } }, String(counts[s] || 0))),
        el("td", { class: "actions" },
          el("button", { class: "danger", name: "cancel-jobset", disabled: !unfinished,
            onclick: async () => after(await cancelJobSet(this.queue, group.name, counts)) }, "Cancel"),
          el("button", { name: "reprioritize-jobset", disabled: !unfinished,
            onclick: async () => after(await reprioritizeJobSet(this.queue, group.name, counts)) }, "Reprioritise")));
    });
    this.table.replaceChildren(el("thead", {}, header), el("tbody", {}, rows.length ? rows
      : el("tr", {}, el("td", { colspan: kStates.length + 4, class: "empty" }, "No job sets in this queue."))));
  }
}

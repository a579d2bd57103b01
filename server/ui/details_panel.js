// The job details side panel: the job's fields, every run, the scheduling
// report ("why is it not scheduled"), the submitted spec as YAML, its events
// and its logs, with actions on this one job. It shows the job named in the
// view (url_state.js: job=<id>) and reloads on refresh().

import { api } from "./api.js";
import { cancelJobs, preemptJobs, reprioritizeJobs } from "./actions.js";
import { el, formatBytes, formatCpu, formatDuration, formatTime, replace, stateBadge } from "./dom.js";
import { toYaml } from "./yaml.js";

const kTabs = [["details", "Details"], ["runs", "Runs"], ["scheduling", "Scheduling"],
  ["spec", "Spec"], ["events", "Events"], ["logs", "Logs"]];
const kFinished = ["SUCCEEDED", "FAILED", "CANCELLED", "PREEMPTED", "REJECTED"];

export class DetailsPanel {
  // `onClose()` is called when the user closes the panel; `onChanged()` after an action.
  constructor(root, { onClose, onChanged }) {
    this.root = root;
    this.onClose = onClose;
    this.onChanged = onChanged;
    this.jobId = "";
    this.job = null;
    this.tab = "details";
    this.sequence = 0;
  }

  show(jobId) {
    if (jobId === this.jobId) return;
    this.jobId = jobId;
    this.job = null;
    this.root.hidden = !jobId;
    if (!jobId) {
      replace(this.root);
      return;
    }
    replace(this.root, el("p", { class: "muted" }, `loading ${jobId}…`));
    this.refresh();
  }

  async refresh() {
    if (!this.jobId) return;
    const sequence = ++this.sequence;
    const jobId = this.jobId;
    try {
      const answer = await api.jobs({
        filters: [{ field: "jobId", match: "exact", value: jobId, isAnnotation: false }],
        order: { field: "jobId", direction: "ASC" }, skip: 0, take: 1,
      });
      if (sequence !== this.sequence) return;
      const job = (answer.jobs || [])[0];
      if (!job) {
        this.render(null, `No job ${jobId}, or it is in a queue you may not watch.`);
        return;
      }
      this.job = job;
      this.render(job, "");
      await this.loadTab(sequence);
    } catch (error) {
      if (sequence === this.sequence) this.render(null, `error: ${error.message}`);
    }
  }

  render(job, message) {
    const close = el("button", { class: "link close", name: "close-details", title: "close",
      onclick: () => this.onClose() }, "×");
    if (!job) {
      replace(this.root, el("div", { class: "panel-head" }, el("h2", {}, this.jobId), close),
        el("p", { class: "error" }, message));
      return;
    }
    const finished = kFinished.includes(job.state);
    const act = (action) => async () => {
      if (await action([job])) this.onChanged();
    };
    const tabs = el("div", { class: "tabs", role: "tablist" }, kTabs.map(([id, label]) =>
      el("button", { role: "tab", class: id === this.tab ? "tab active" : "tab", name: `tab-${id}`,
        "aria-selected": id === this.tab ? "true" : "false",
        onclick: () => {
          this.tab = id;
          this.render(this.job, "");
          this.loadTab(this.sequence);
        } }, label)));
    this.body = el("div", { class: "tab-body", id: `tab-${this.tab}` });
    replace(this.root,
      el("div", { class: "panel-head" }, el("h2", { class: "mono", id: "details-job-id" }, job.jobId),
        stateBadge(job.state), close),
      el("div", { class: "actions" },
        el("button", { class: "danger", name: "cancel-job", disabled: finished, onclick: act(cancelJobs) }, "Cancel"),
        el("button", { name: "reprioritize-job", disabled: finished, onclick: act(reprioritizeJobs) }, "Reprioritise"),
        el("button", { name: "preempt-job", disabled: finished, onclick: act(preemptJobs) }, "Preempt")),
      tabs, this.body);
  }

  async loadTab(sequence) {
    const job = this.job;
    const body = this.body;
    if (!job || !body) return;
    const loaders = {
      details: () => this.detailsTab(job),
      runs: () => this.runsTab(job),
      scheduling: () => this.schedulingTab(job),
      spec: () => this.specTab(job),
      events: () => this.eventsTab(job),
      logs: () => this.logsTab(job),
    };
    try {
      const content = await loaders[this.tab]();
      if (sequence === this.sequence && body.isConnected) replace(body, content);
    } catch (error) {
      if (sequence === this.sequence && body.isConnected) {
        replace(body, el("p", { class: "error" }, error.message));
      }
    }
  }

  async detailsTab(job) {
    const rows = [
      ["Queue", job.queue], ["Job set", job.jobSet], ["Owner", job.owner],
      ["Namespace", job.namespace], ["Priority class", job.priorityClass],
      ["Priority", String(job.priority || 0)], ["CPU", formatCpu(job.cpu)],
      ["Memory", formatBytes(job.memory)], ["Ephemeral storage", formatBytes(job.ephemeralStorage)],
      ["GPU", String(job.gpu || 0)], ["Submitted", formatTime(job.submitted)],
      ["Last transition", formatTime(job.lastTransitionTime)],
      ["Runtime", job.runs && job.runs.length ? formatDuration(job.runtimeSeconds || 0) : ""],
      ["Cluster", job.cluster], ["Node", job.node], ["Pool", job.pool],
      ["Exit code", job.exitCode === undefined ? "" : String(job.exitCode)],
      ["Cancelled", formatTime(job.cancelled)], ["Cancel reason", job.cancelReason],
      ["Cancelled by", job.cancelUser],
    ].filter(([, v]) => v !== undefined && v !== "");
    let error = "";
    if (job.state === "FAILED" || job.state === "REJECTED" || job.state === "PREEMPTED") {
      error = (await api.jobError(job.jobId)).errorString || "";
    }
    const annotations = Object.entries(job.annotations || {});
    return [
      error ? el("pre", { class: "error-text", id: "job-error" }, error) : null,
      el("table", { class: "kv" }, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)))),
      annotations.length ? [el("h3", {}, "Annotations"), el("table", { class: "kv" },
        annotations.map(([k, v]) => el("tr", {}, el("th", { class: "mono" }, k), el("td", { class: "mono" }, v))))] : null,
    ];
  }

  runsTab(job) {
    const runs = [...(job.runs || [])].reverse(); // newest first
    if (!runs.length) return el("p", { class: "muted" }, "No runs yet: the job has not been leased.");
    return runs.map((run) => el("section", { class: "run", dataset: { runId: run.runId } },
      el("h3", {}, stateBadge(run.jobRunState), " ", el("span", { class: "mono" }, run.runId)),
      el("table", { class: "kv" }, [
        ["Cluster", run.cluster], ["Node", run.node], ["Pool", run.pool],
        ["Leased", formatTime(run.leased)], ["Pending", formatTime(run.pending)],
        ["Started", formatTime(run.started)], ["Finished", formatTime(run.finished)],
        ["Exit code", run.exitCode === undefined ? "" : String(run.exitCode)],
      ].filter(([, v]) => v).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)))),
      run.error ? el("pre", { class: "error-text" }, run.error) : null));
  }

  async schedulingTab(job) {
    try {
      const answer = await api.schedulerReport(job.jobId);
      return el("pre", { class: "report", id: "scheduling-report" }, answer.report || "(empty report)");
    } catch (error) {
      return el("p", { class: "muted", id: "scheduling-report" },
        `No scheduling report: ${error.message}`);
    }
  }

  async specTab(job) {
    const answer = await api.jobSpec(job.jobId);
    return el("pre", { class: "yaml", id: "job-spec" }, toYaml(answer.job || {}));
  }

  async eventsTab(job) {
    const events = (await api.jobEvents(job.jobId)).events || [];
    if (!events.length) return el("p", { class: "muted" }, "No events retained for this job.");
    return el("table", { class: "events" }, el("thead", {}, el("tr", {},
      el("th", {}, "Time"), el("th", {}, "Event"), el("th", {}, "Details"))),
    el("tbody", {}, events.map((message) => {
      const [kind, event] = Object.entries(message)[0] || ["?", {}];
      const { created, jobId, jobSetId, queue, ...rest } = event || {};
      return el("tr", { dataset: { event: kind } }, el("td", {}, formatTime(created)),
        el("td", {}, kind), el("td", { class: "mono small" },
          Object.keys(rest).length ? JSON.stringify(rest) : ""));
    })));
  }

  // The job's log as the executor that holds (or last held) its run serves
  // it (the tail it caps a response at); each refresh reads it again, so a
  // running job's log grows in place.
  async logsTab(job) {
    if (!job.runs || !job.runs.length) return el("p", { class: "muted" }, "No logs: the job has not run.");
    try {
      const lines = (await api.logs(job.jobId)).log || [];
      const text = lines.map((l) => l.line).join("\n");
      return el("pre", { class: "logs", id: "job-logs" }, text || "(no output yet)");
    } catch (error) {
      return el("p", { class: "error", id: "job-logs" }, `Logs unavailable: ${error.message}`);
    }
  }
}

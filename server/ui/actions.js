// Cancel, reprioritise and preempt: on one job, a selection or a job set.
// Every action first asks for confirmation, saying how many jobs it touches,
// and shows the server's message when it refuses.

import { api } from "./api.js";
import { el, replace } from "./dom.js";

export const kActiveStates = ["QUEUED", "LEASED", "PENDING", "RUNNING"];

// Asks with a modal dialog; resolves to the values of its inputs, or null
// when cancelled. `fields`: [{name, label, type, value, options}].
export function confirmDialog(title, message, fields = []) {
  return new Promise((resolve) => {
    const dialog = document.getElementById("confirm");
    const inputs = {};
    const rows = fields.map((f) => {
      let input;
      if (f.type === "states") {
        input = el("span", { class: "states" }, f.options.map((s) =>
          el("label", {}, el("input", { type: "checkbox", name: f.name, value: s,
            checked: (f.value || []).includes(s) }), s)));
        inputs[f.name] = () => [...input.querySelectorAll("input:checked")].map((i) => i.value);
      } else {
        input = el("input", { name: f.name, type: f.type || "text", value: f.value ?? "" });
        inputs[f.name] = () => input.value;
      }
      return el("label", { class: "field" }, `${f.label} `, input);
    });
    const done = (ok) => {
      dialog.close();
      const values = {};
      for (const [name, read] of Object.entries(inputs)) values[name] = read();
      resolve(ok ? values : null);
    };
    const form = el("form", { method: "dialog", class: "confirm" },
      el("h2", {}, title),
      el("p", { class: "confirm-message" }, message),
      rows,
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "secondary", onclick: () => done(false) }, "Back"),
        el("button", { type: "submit", class: "danger", name: "confirm" }, "Confirm")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      done(true);
    });
    dialog.addEventListener("cancel", () => resolve(null), { once: true });
    replace(dialog, form);
    dialog.showModal();
  });
}

// Shows a notice at the top of the page; errors stay until dismissed.
export function notify(text, isError = false) {
  const box = document.getElementById("notice");
  const close = el("button", { class: "link", onclick: () => replace(box) }, "×");
  replace(box, el("div", { class: isError ? "notice error" : "notice", role: "status" }, text,
    " ", close));
  if (!isError) setTimeout(() => { if (box.contains(close)) replace(box); }, 5000);
}

// Jobs (each {jobId, queue, jobSet}) grouped by (queue, job set), as the
// REST calls take them.
function byJobSet(jobs) {
  const groups = new Map();
  for (const job of jobs) {
    const key = JSON.stringify([job.queue, job.jobSet]);
    if (!groups.has(key)) groups.set(key, { queue: job.queue, jobSet: job.jobSet, ids: [] });
    groups.get(key).ids.push(job.jobId);
  }
  return [...groups.values()];
}

function plural(n) {
  return `${n} job${n === 1 ? "" : "s"}`;
}

// Failures a per-job result map reports ({id: "error"}).
function failures(result) {
  const map = result.reprioritizationResults || result.preemptionResults || {};
  return Object.entries(map).filter(([, error]) => error);
}

async function run(label, calls) {
  try {
    const failed = [];
    let done = 0;
    for (const call of calls) {
      const result = await call();
      const bad = failures(result || {});
      failed.push(...bad);
      done += 1;
    }
    if (failed.length) {
      notify(`${label}: ${failed.length} refused: ${failed.map(([id, e]) => `${id}: ${e}`).join("; ")}`, true);
      return false;
    }
    notify(`${label}: done (${done} request${done === 1 ? "" : "s"})`);
    return true;
  } catch (error) {
    notify(`${label} refused by the server: ${error.message}`, true);
    return false;
  }
}

export async function cancelJobs(jobs) {
  const answer = await confirmDialog("Cancel jobs",
    `Cancel ${plural(jobs.length)}?`, [{ name: "reason", label: "Reason", value: "" }]);
  if (!answer) return false;
  return run(`Cancel ${plural(jobs.length)}`, byJobSet(jobs).map((g) =>
    () => api.cancelJobs(g.queue, g.jobSet, g.ids, answer.reason)));
}

export async function reprioritizeJobs(jobs) {
  const answer = await confirmDialog("Reprioritise jobs",
    `Set the priority of ${plural(jobs.length)}?`,
    [{ name: "priority", label: "New priority", type: "number", value: "0" }]);
  if (!answer) return false;
  return run(`Reprioritise ${plural(jobs.length)}`, byJobSet(jobs).map((g) =>
    () => api.reprioritizeJobs(g.queue, g.jobSet, g.ids, Number(answer.priority))));
}

export async function preemptJobs(jobs) {
  const answer = await confirmDialog("Preempt jobs",
    `Preempt ${plural(jobs.length)}? Running jobs are stopped and fail with reason preempted.`,
    [{ name: "reason", label: "Reason", value: "" }]);
  if (!answer) return false;
  return run(`Preempt ${plural(jobs.length)}`, byJobSet(jobs).map((g) =>
    () => api.preemptJobs(g.queue, g.jobSet, g.ids, answer.reason)));
}

// `counts`: {STATE: n} of the job set, to say how many jobs the cancel touches.
export async function cancelJobSet(queue, jobSet, counts) {
  const active = (states) => states.reduce((n, s) => n + (counts[s] || 0), 0);
  const answer = await confirmDialog("Cancel job set",
    `Cancel job set ${jobSet} of queue ${queue}: ${plural(active(kActiveStates))} not yet finished ` +
    `(${kActiveStates.map((s) => `${counts[s] || 0} ${s}`).join(", ")}). ` +
    "Untick states to leave their jobs alone.",
    [{ name: "states", label: "States", type: "states", options: kActiveStates,
      value: kActiveStates },
    { name: "reason", label: "Reason", value: "" }]);
  if (!answer) return false;
  const all = answer.states.length === kActiveStates.length;
  return run(`Cancel ${plural(active(answer.states))} of job set ${jobSet}`,
    [() => api.cancelJobSet(queue, jobSet, all ? [] : answer.states, answer.reason)]);
}

export async function reprioritizeJobSet(queue, jobSet, counts) {
  const n = kActiveStates.reduce((sum, s) => sum + (counts[s] || 0), 0);
  const answer = await confirmDialog("Reprioritise job set",
    `Set the priority of the ${plural(n)} of job set ${jobSet} (queue ${queue}) not yet finished?`,
    [{ name: "priority", label: "New priority", type: "number", value: "0" }]);
  if (!answer) return false;
  return run(`Reprioritise job set ${jobSet}`,
    [() => api.reprioritizeJobs(queue, jobSet, [], Number(answer.priority))]);
}

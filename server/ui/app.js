// The UI's entry point: routes the URL's hash to a page (url_state.js), keeps
// the shown page live by polling while the tab is visible, and shows who the
// UI acts as.

import { api } from "./api.js";
import { actingAs, onAuthChange, requestSignIn, signOut } from "./auth.js";
import { DetailsPanel } from "./details_panel.js";
import { el, replace } from "./dom.js";
import { JobSetsPage } from "./jobsets_page.js";
import { JobsPage } from "./jobs_page.js";
import { QueuesPage } from "./queues_page.js";
import { jobsHash, parseHash } from "./url_state.js";

const kPollMs = 5000;

const main = document.getElementById("page");
const details = new DetailsPanel(document.getElementById("details"), {
  onClose: () => {
    const { view } = parseHash(location.hash);
    location.hash = jobsHash({ ...view, job: "" });
  },
  onChanged: () => current && current.refresh(),
});
const pages = {};
let current = null;

function page(name) {
  if (!pages[name]) {
    const root = el("section", { class: `page page-${name}`, id: `page-${name}` });
    pages[name] = { root, page: name === "jobs" ? new JobsPage(root, details)
      : name === "jobsets" ? new JobSetsPage(root) : new QueuesPage(root) };
  }
  return pages[name];
}

async function route() {
  const { page: name, view, queue } = parseHash(location.hash);
  const { root, page: shown } = page(name);
  if (main.firstChild !== root) main.replaceChildren(root);
  current = shown;
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.dataset.page === name);
  }
  if (name !== "jobs") details.show("");
  document.title = `Armada · ${{ jobs: "Jobs", jobsets: "Job sets", queues: "Queues" }[name]}`;
  if (name === "jobs") await shown.show(view);
  else if (name === "jobsets") await shown.show(queue);
  else await shown.show();
}

function showWho() {
  const who = actingAs();
  const box = document.getElementById("who");
  replace(box, who
    ? [`signed in as ${who} `, el("button", { class: "link", name: "sign-out", onclick: () => { signOut(); route(); } }, "sign out")]
    : [el("span", { title: "no credentials sent: the server treats calls as its anonymous or configured principal" },
      "acting as the server's default principal "),
    el("button", { class: "link", name: "sign-in", onclick: async () => { await requestSignIn(""); route(); } }, "sign in")]);
}

// Polls the shown page; a request still in flight is not doubled.
let polling = false;
async function poll() {
  if (polling || document.hidden || !document.getElementById("live").checked || !current) return;
  polling = true;
  try {
    await current.refresh();
  } finally {
    polling = false;
  }
}

window.addEventListener("hashchange", route);
onAuthChange(showWho);
showWho();
api.version().then((v) => {
  document.getElementById("version").textContent = v.version ? `v${v.version}` : "";
}).catch(() => {});
setInterval(poll, kPollMs);
route();

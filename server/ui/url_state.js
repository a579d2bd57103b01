// The whole view lives in the URL's hash, so a link reproduces it:
//   #/jobs?q.queue=startsWith:a&ann.team=exact:ml&sort=submitted:DESC&group=state
//        &page=2&size=50&cols=jobId,queue,state&job=<id>
//   #/jobsets?queue=a     #/queues
// q.<field>=<match>:<value> is a filter on a job field, ann.<key>=<match>:<value>
// one on an annotation; anyOf values are comma-separated.

export const kDefaultColumns = [
  "jobId", "queue", "jobSet", "state", "owner", "priorityClass", "priority", "cpu", "memory",
  "gpu", "submitted", "lastTransitionTime", "runtime", "node", "cluster", "exitCode",
];

export function defaultJobsView() {
  return {
    filters: [], // {field, match, value, isAnnotation}
    sort: { field: "submitted", direction: "DESC" },
    group: "",
    page: 0,
    size: 50,
    columns: [...kDefaultColumns],
    job: "",
  };
}

export function parseHash(hash) {
  const text = (hash || "").replace(/^#\/?/, "");
  const [path, query = ""] = text.split("?", 2);
  const params = new URLSearchParams(query);
  const page = ["jobs", "jobsets", "queues"].includes(path) ? path : "jobs";
  const view = defaultJobsView();
  for (const [key, raw] of params) {
    const isField = key.startsWith("q.");
    const isAnnotation = key.startsWith("ann.");
    if (isField || isAnnotation) {
      const colon = raw.indexOf(":");
      const match = colon < 0 ? "exact" : raw.slice(0, colon);
      const text = colon < 0 ? raw : raw.slice(colon + 1);
      const value = match === "anyOf" ? text.split(",").filter((v) => v) : text;
      view.filters.push({ field: key.slice(isField ? 2 : 4), match, value, isAnnotation });
    }
  }
  const sort = params.get("sort");
  if (sort) {
    const [field, direction] = sort.split(":");
    view.sort = { field, direction: direction === "ASC" ? "ASC" : "DESC" };
  }
  view.group = params.get("group") || "";
  view.page = Math.max(0, parseInt(params.get("page") || "0", 10) || 0);
  view.size = Math.min(1000, Math.max(1, parseInt(params.get("size") || "50", 10) || 50));
  if (params.get("cols")) view.columns = params.get("cols").split(",").filter((c) => c);
  view.job = params.get("job") || "";
  return { page, view, queue: params.get("queue") || "" };
}

export function jobsHash(view) {
  const params = new URLSearchParams();
  for (const f of view.filters) {
    const value = Array.isArray(f.value) ? f.value.join(",") : f.value;
    params.append(`${f.isAnnotation ? "ann." : "q."}${f.field}`, `${f.match}:${value}`);
  }
  const d = defaultJobsView();
  if (view.sort.field !== d.sort.field || view.sort.direction !== d.sort.direction) {
    params.set("sort", `${view.sort.field}:${view.sort.direction}`);
  }
  if (view.group) params.set("group", view.group);
  if (view.page) params.set("page", String(view.page));
  if (view.size !== d.size) params.set("size", String(view.size));
  if (view.columns.join(",") !== d.columns.join(",")) params.set("cols", view.columns.join(","));
  if (view.job) params.set("job", view.job);
  const query = params.toString();
  return `#/jobs${query ? `?${query}` : ""}`;
}

export function jobSetsHash(queue) {
  return `#/jobsets${queue ? `?queue=${encodeURIComponent(queue)}` : ""}`;
}

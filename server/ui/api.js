// The server's JSON API: Lookout v2 (/api/v1/...) and Armada's REST routes
// (/v1/...). Every call sends the signed-in credentials (auth.js); a 401
// asks for them and retries once.

import { authorizationHeader, requestSignIn } from "./auth.js";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body, retried = false) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const authorization = authorizationHeader();
  if (authorization) headers.Authorization = authorization;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  if (response.status === 401 && !retried) {
    await requestSignIn(errorMessage(text) || "sign in to continue");
    return call(method, path, body, true);
  }
  if (!response.ok) {
    throw new ApiError(response.status, errorMessage(text) || `HTTP ${response.status}`);
  }
  return text;
}

function errorMessage(text) {
  try {
    const body = JSON.parse(text);
    return body.message || body.error || text;
  } catch {
    return text.trim();
  }
}

async function post(path, body) {
  const text = await call("POST", path, body);
  return text ? JSON.parse(text) : {};
}

async function get(path) {
  const text = await call("GET", path);
  return text ? JSON.parse(text) : {};
}

export const api = {
  jobs: (request) => post("/api/v1/jobs", request),
  jobGroups: (request) => post("/api/v1/jobGroups", request),
  jobSpec: (jobId) => post("/api/v1/jobSpec", { jobId }),
  jobError: (jobId) => post("/api/v1/jobError", { jobId }),
  jobRunError: (runId) => post("/api/v1/jobRunError", { runId }),
  jobEvents: (jobId) => post("/api/v1/jobEvents", { jobId }),
  queueStats: () => post("/api/v1/queueStats", {}),
  version: () => get("/api/v1/version"),
  schedulerReport: (jobId) => get(`/v1/job/${encodeURIComponent(jobId)}/scheduler-report`),
  logs: (jobId, sinceTime) =>
    post("/v1/binoculars/log", { jobId, podNumber: 0, sinceTime: sinceTime || "" }),
  cancelJobs: (queue, jobSetId, jobIds, reason) =>
    post("/v1/job/cancel", { queue, jobSetId, jobIds, reason }),
  cancelJobSet: (queue, jobSetId, states, reason) =>
    post("/v1/jobset/cancel", {
      queue,
      jobSetId,
      reason,
      ...(states && states.length ? { filter: { states } } : {}),
    }),
  reprioritizeJobs: (queue, jobSetId, jobIds, newPriority) =>
    post("/v1/job/reprioritize", { queue, jobSetId, jobIds, newPriority }),
  preemptJobs: (queue, jobSetId, jobIds, reason) =>
    post("/v1/job/preempt", { queue, jobSetId, jobIds, reason }),
};

// DOM helpers. Every value reaches the page as text (textContent or an
// attribute set through the DOM), never as HTML: job ids, annotations and
// log lines are hostile input.

// el("td", {class: "x", title: t, onclick: f}, child, "text", ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = value;
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else if (key === "checked" || key === "value" || key === "selected" || key === "disabled") {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function replace(node, ...children) {
  clear(node);
  append(node, children);
  return node;
}

// "2026-12-02T19:00:00Z" -> "2026-12-02 19:00:00" (UTC); "" when absent.
export function formatTime(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", "");
}

export function formatDuration(seconds) {
  if (seconds === undefined || seconds === null || seconds === "") return "";
  let s = Math.max(0, Math.floor(Number(seconds)));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

// Milli-cores as cores ("0.1"), bytes as Ki/Mi/Gi.
export function formatCpu(milli) {
  if (!milli) return "0";
  return String(Math.round(Number(milli)) / 1000);
}

export function formatBytes(bytes) {
  const n = Number(bytes || 0);
  const units = ["", "Ki", "Mi", "Gi", "Ti"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && Number.isInteger(v / 1024)) {
    v /= 1024;
    i++;
  }
  if (i === 0 && n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)}Mi`;
  return `${v}${units[i]}`;
}

export function formatShare(value) {
  return value === undefined || value === null ? "0" : Number(value).toFixed(3);
}

// A span styled by a job or run state ("RUNNING", "RUN_FAILED").
export function stateBadge(state) {
  const name = state || "UNKNOWN";
  return el("span", { class: `state state-${name.replace(/^RUN_/, "").toLowerCase()}` }, name);
}

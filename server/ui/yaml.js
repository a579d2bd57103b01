// A small JSON-to-YAML printer for the job spec panel: maps, lists and
// scalars, with strings quoted whenever YAML would read them as something else.

const kPlain = /^[A-Za-z0-9_./][A-Za-z0-9_./ :@+-]*$/;
const kReserved = /^(true|false|yes|no|on|off|null|~|y|n)$/i;
const kNumeric = /^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$|^0x[0-9a-f]+$|^[-+]?\.(inf|nan)$/i;

function scalar(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const s = String(value);
  if (s === "" || !kPlain.test(s) || kReserved.test(s) || kNumeric.test(s) || s.endsWith(" ") ||
      s.includes(": ") || s.endsWith(":") || s.includes(" #")) {
    return JSON.stringify(s);
  }
  return s;
}

function isEmptyContainer(value) {
  return (Array.isArray(value) && value.length === 0) ||
    (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);
}

function key(k) {
  return kPlain.test(k) && !kReserved.test(k) && !kNumeric.test(k) && !k.includes(": ") &&
    !k.endsWith(":") ? k : JSON.stringify(k);
}

function lines(value, indent, out) {
  const pad = "  ".repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === "object" && !isEmptyContainer(item)) {
        const sub = [];
        lines(item, indent + 1, sub);
        // The first line of the item goes after the dash.
        out.push(`${pad}- ${sub[0].trimStart()}`);
        for (const line of sub.slice(1)) out.push(line);
      } else {
        out.push(`${pad}- ${isEmptyContainer(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === "object" && !isEmptyContainer(v)) {
      out.push(`${pad}${key(k)}:`);
      lines(v, Array.isArray(v) ? indent : indent + 1, out);
    } else if (isEmptyContainer(v)) {
      out.push(`${pad}${key(k)}: ${Array.isArray(v) ? "[]" : "{}"}`);
    } else if (typeof v === "string" && v.includes("\n")) {
      out.push(`${pad}${key(k)}: |-`);
      for (const line of v.split("\n")) out.push(`${pad}  ${line}`);
    } else {
      out.push(`${pad}${key(k)}: ${scalar(v)}`);
    }
  }
}

export function toYaml(value) {
  if (value === null || typeof value !== "object") return `${scalar(value)}\n`;
  if (isEmptyContainer(value)) return Array.isArray(value) ? "[]\n" : "{}\n";
  const out = [];
  lines(value, 0, out);
  return `${out.join("\n")}\n`;
}

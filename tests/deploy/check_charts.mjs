// Checks the Helm charts in charts/ the way a site would meet them, with no cluster:
//   - `helm lint --strict` of both charts (the executor in both modes);
//   - `helm template` of each scenario below, every rendered object validated against
//     Kubernetes' own schemas (kubernetes-models, generated from the API's OpenAPI) and the
//     Prometheus Operator's (ServiceMonitor, PrometheusRule);
//   - what the schemas cannot say: selectors that select the pods, Services whose ports
//     exist, mounts whose volumes exist, probes, non-root, the config files the binaries
//     accept (`--check-config` of the real armada-server and armada-executor), node mode's
//     NODE_NAME, and the executor's ClusterRole: exactly the backend's calls;
//   - every metric an alert or the Grafana dashboard uses is one the server exports.
// Writes the executor's RBAC rules as JSON (for the end-to-end test, which runs the
// executor under them against the fake API server).
//
// Usage: node check_charts.mjs HELM SOURCE_DIR BUILD_DIR OUT_DIR
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as rbac from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const [helm, source, build, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node check_charts.mjs HELM SOURCE_DIR BUILD_DIR OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const serverChart = join(source, "charts/armada-server");
const executorChart = join(source, "charts/armada-executor");

const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

function run(command, args, env = {}) {
  return execFileSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
function runFailing(command, args) {
  try {
    run(command, args);
    return null;
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
}

// --- Rendering -----------------------------------------------------------------------------
const models = {
  "v1": core,
  "apps/v1": apps,
  "policy/v1": policy,
  "rbac.authorization.k8s.io/v1": rbac,
  "monitoring.coreos.com/v1": monitoring,
};

function render(name, chart, sets) {
  const args = ["template", "armada", chart, "--namespace", "armada"];
  for (const set of sets) args.push("--set", set);
  const text = run(helm, args);
  writeFileSync(join(out, `${name}.yaml`), text);
  const objects = YAML.parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((o) => o);
  for (const o of objects) {
    const where = `${name}: ${o.kind}/${o.metadata?.name}`;
    const Model = models[o.apiVersion]?.[o.kind];
    if (!Model) {
      problem(where, `no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      problem(where, `schema: ${e.message}`);
    }
    if (!o.metadata?.labels?.["app.kubernetes.io/instance"]) {
      problem(where, "no app.kubernetes.io/instance label");
    }
  }
  return objects;
}
const byKind = (objects, kind) => objects.filter((o) => o.kind === kind);
const one = (objects, kind, where) => {
  const found = byKind(objects, kind);
  if (found.length !== 1) problem(where, `${found.length} objects of kind ${kind}, want 1`);
  return found[0];
};

// --- Checks of a workload --------------------------------------------------------------------
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

function checkWorkload(where, workload, objects) {
  const pod = workload.spec.template;
  if (!matches(workload.spec.selector.matchLabels, pod.metadata.labels)) {
    problem(where, "the selector does not select the pod template's labels");
  }
  const spec = pod.spec;
  if (spec.securityContext?.runAsNonRoot !== true) problem(where, "pods may run as root");
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  for (const c of spec.containers) {
    const cw = `${where} container ${c.name}`;
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) {
      problem(cw, "no cpu and memory requests");
    }
    if (c.securityContext?.allowPrivilegeEscalation !== false) {
      problem(cw, "privilege escalation allowed");
    }
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) problem(cw, `mounts ${m.name}, which is no volume`);
    }
    const ports = new Set((c.ports ?? []).map((p) => p.name));
    for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      const probe = c[kind];
      if (!probe) continue;
      const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
      if (typeof port === "string" && !ports.has(port)) {
        problem(cw, `${kind} uses port ${port}, which the container does not name`);
      }
    }
    for (const cm of byKind(objects, "ConfigMap")) {
      if (!spec.volumes.some((v) => v.configMap?.name === cm.metadata.name)) {
        problem(cw, `ConfigMap ${cm.metadata.name} is mounted by no volume`);
      }
    }
  }
  for (const svc of byKind(objects, "Service")) {
    if (!matches(svc.spec.selector, pod.metadata.labels)) {
      problem(`${where} Service ${svc.metadata.name}`, "selects no pod of the workload");
    }
    const named = new Set(spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
    for (const p of svc.spec.ports) {
      if (!named.has(p.targetPort)) {
        problem(`Service ${svc.metadata.name}`, `targetPort ${p.targetPort} is no container port`);
      }
    }
  }
  const account = spec.serviceAccountName;
  const accounts = byKind(objects, "ServiceAccount").map((a) => a.metadata.name);
  if (!accounts.includes(account)) problem(where, `service account ${account} is not rendered`);
  return spec.containers[0];
}

// The config file the chart renders, checked by the binary that will read it.
function checkConfig(where, objects, key, binary, env) {
  const cm = one(objects, "ConfigMap", where);
  const text = cm?.data?.[key];
  if (!text) return problem(where, `no ${key} in the ConfigMap`);
  const file = join(out, `${where}-${key}`);
  writeFileSync(file, text);
  try {
    run(binary, ["--config", file, "--check-config"], env);
  } catch (e) {
    problem(where, `${binary} --check-config refuses ${key}: ${e.stdout}${e.stderr}`);
  }
  return YAML.parse(text);
}

// --- armada-server ---------------------------------------------------------------------------
const serverBinary = join(build, "server/armada-server");
const executorBinary = join(build, "executor/armada-executor");
const serverEnv = { DATABASE_URL: "postgresql://x@127.0.0.1/x", REDIS_URL: "redis://127.0.0.1" };

for (const [name, sets] of [
  ["server-default", []],
  [
    "server-monitored",
    [
      "replicas=3",
      "metrics.serviceMonitor.enabled=true",
      "metrics.prometheusRule.enabled=true",
      "secretMounts[0].name=auth",
      "secretMounts[0].secretName=armada-auth",
      "secretMounts[0].mountPath=/etc/armada/secrets/auth",
    ],
  ],
]) {
  const objects = render(name, serverChart, sets);
  const deployment = one(objects, "Deployment", name);
  if (!deployment) continue;
  const c = checkWorkload(name, deployment, objects);
  if (deployment.spec.replicas < 2) problem(name, "fewer than 2 replicas");
  if (c.readinessProbe?.httpGet?.path !== "/health") problem(name, "readiness is not /health");
  if (c.livenessProbe?.httpGet?.path !== "/health/live") {
    problem(name, "liveness is not /health/live (a database outage would restart every replica)");
  }
  for (const variable of ["DATABASE_URL", "REDIS_URL"]) {
    const env = c.env.find((e) => e.name === variable);
    if (!env?.valueFrom?.secretKeyRef) problem(name, `${variable} does not come from a Secret`);
  }
  const config = checkConfig(name, objects, "server.yaml", serverBinary, serverEnv);
  if (config?.grpcAddress !== "0.0.0.0:50051") problem(name, "gRPC does not listen on all addresses");
  const pdb = one(objects, "PodDisruptionBudget", name);
  if (pdb && !matches(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels)) {
    problem(name, "the PodDisruptionBudget selects no replica");
  }
  if (name === "server-monitored") {
    one(objects, "ServiceMonitor", name);
    const rule = one(objects, "PrometheusRule", name);
    const alerts = rule?.spec.groups.flatMap((g) => g.rules.map((r) => r.alert)) ?? [];
    for (const alert of [
      "ArmadaNoLeader",
      "ArmadaEventRelayLag",
      "ArmadaExecutorSilent",
      "ArmadaSlowSchedulingCycles",
    ]) {
      if (!alerts.includes(alert)) problem(name, `no alert ${alert}`);
    }
    checkMetricNames("PrometheusRule", rule?.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)));
  } else if (byKind(objects, "PrometheusRule").length + byKind(objects, "ServiceMonitor").length) {
    problem(name, "Prometheus Operator objects rendered without being asked for (no CRDs)");
  }
}

// Every armada_/grpc_ metric an expression names must be one the code registers (the names are
// string literals in the metrics sources).
function checkMetricNames(where, expressions) {
  const code = ["server/http/metrics.cc", "server/http/storage_metrics.cc"]
    .map((f) => readFileSync(join(source, f), "utf8"))
    .join();
  const exported = new Set(
    [...code.matchAll(/"((?:armada|grpc_server)_[a-z_]+)"/g)].map((m) => m[1]),
  );
  for (const expr of expressions ?? []) {
    for (const [name] of expr.matchAll(/\b(armada|grpc_server)_[a-z_]+/g)) {
      const base = name.replace(/_(bucket|count|sum)$/, "");
      if (!exported.has(name) && !exported.has(base)) problem(where, `${name} is not exported`);
    }
  }
}

// The Grafana dashboard's queries.
const dashboard = JSON.parse(
  readFileSync(join(source, "charts/armada-server/dashboards/armada.json"), "utf8"),
);
checkMetricNames(
  "Grafana dashboard",
  dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
);

// --- armada-executor -------------------------------------------------------------------------
// The Kubernetes backend's calls (executor/backends/kubernetes): informers list and watch
// nodes and pods; CreatePod, GetPod (after a create that conflicted), PatchPod, DeletePod;
// PodLog for Binoculars. The ClusterRole must grant exactly these.
const backendCalls = {
  "pods": ["create", "delete", "get", "list", "patch", "watch"],
  "pods/log": ["get"],
  "nodes": ["list", "watch"],
};

for (const [name, sets] of [
  ["executor-cluster", []],
  [
    "executor-node",
    [
      "mode=node",
      "credentials.secretName=executor-token",
      "tls.secretName=armada-ca",
      "binoculars.tokenSecretName=binoculars-token",
    ],
  ],
]) {
  const objects = render(name, executorChart, sets);
  const node = name === "executor-node";
  const workload = one(objects, node ? "DaemonSet" : "Deployment", name);
  if (!workload) continue;
  const c = checkWorkload(name, workload, objects);
  const nodeName = c.env.find((e) => e.name === "NODE_NAME");
  if (node && nodeName?.valueFrom?.fieldRef?.fieldPath !== "spec.nodeName") {
    problem(name, "NODE_NAME does not come from spec.nodeName");
  }
  if (!node && (nodeName || workload.spec.replicas !== 1)) {
    problem(name, "cluster mode must be one replica without NODE_NAME");
  }
  const config = checkConfig(name, objects, "executor.yaml", executorBinary, {
    NODE_NAME: "node-a",
  });
  if (config?.backend !== "kubernetes" || config?.mode !== (node ? "node" : "cluster")) {
    problem(name, `config has backend ${config?.backend}, mode ${config?.mode}`);
  }
  if (node && !config?.auth?.tokenFile?.startsWith("/etc/armada/credentials/")) {
    problem(name, "the token file is not in the mounted credentials");
  }
  const role = one(objects, "ClusterRole", name);
  const binding = one(objects, "ClusterRoleBinding", name);
  if (binding?.roleRef.name !== role?.metadata.name) problem(name, "the binding names another role");
  const subject = binding?.subjects?.[0];
  if (subject?.name !== workload.spec.template.spec.serviceAccountName) {
    problem(name, "the binding is not to the executor's service account");
  }
  const granted = {};
  for (const rule of role?.rules ?? []) {
    if (rule.apiGroups.join() !== "") problem(name, `grants API groups ${rule.apiGroups}`);
    for (const resource of rule.resources) {
      granted[resource] = [...(granted[resource] ?? []), ...rule.verbs].sort();
    }
  }
  if (JSON.stringify(granted) !== JSON.stringify(backendCalls)) {
    problem(name, `ClusterRole grants ${JSON.stringify(granted)}, the backend calls ${JSON.stringify(backendCalls)}`);
  }
  if (!node) writeFileSync(join(out, "executor-rbac-rules.json"), JSON.stringify(role.rules));
}

// --- Refusals and lint -----------------------------------------------------------------------
const badMode = runFailing(helm, ["template", "armada", executorChart, "--set", "mode=both"]);
if (!badMode?.includes('mode: "both" is neither cluster nor node')) {
  problem("executor mode=both", `not refused with a message naming the value: ${badMode}`);
}
for (const [chart, sets] of [
  [serverChart, []],
  [executorChart, []],
  [executorChart, ["--set", "mode=node"]],
]) {
  const lint = runFailing(helm, ["lint", "--strict", chart, ...sets]);
  if (lint) problem(`helm lint ${chart} ${sets.join(" ")}`, lint);
}

if (problems.length) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`charts: every check passed (rendered manifests in ${out})`);

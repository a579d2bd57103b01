#!/usr/bin/python3
"""Replays an armada-sim time-mode scenario (from tools/swf2scenario) through the full system:
armada-server over throwaway PostgreSQL and Redis, one fake executor with the scenario's nodes
(docs/benchmarks.md, "Trace replay", "Through the full system").

  trace_replay_full.py SCENARIO.yaml --out EVENTS.json [--port 20240] [--drain 120]

* queues: created with priority factor 1 / the scenario's weight (Armada's convention);
* the server's `scheduling:` section is the scenario's, with `schedulePeriod` = its cyclePeriod;
* one fake executor (`backend: fake`, pendingDelay 0) whose node groups are the scenario's
  clusters; leasePeriod 200 ms (the executor's report period);
* each scenario entry is one SubmitJobs call at its submitAt (wall seconds after the start), into
  job set `replay` of its queue, every job with `armadaproject.io/fakeRuntime` = its runtime and,
  for gangs, `armadaproject.io/gangId` / `gangCardinality`;
* one watcher per queue (GetJobSetEvents, watch) until every job has ended or --drain seconds
  after the last submission.
Writes EVENTS.json in the shape of `armada-sim run --json` (time-mode events: time, type
submitted/leased/preempted/succeeded/failed, job QUEUE/N with N the job's index in its queue, in scenario order,
queue), times taken from the events' `created` stamps relative to the start, so that
scripts/trace_replay_analyze.py reads it unchanged. Needs the stubs from proto/ on PYTHONPATH
(scripts/trace-replay --full-system generates them). Standard library, yaml, grpc.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

import grpc
import yaml

from api import event_pb2, event_pb2_grpc, submit_pb2, submit_pb2_grpc
from k8s.io.api.core.v1 import generated_pb2 as core_v1
from k8s.io.apimachinery.pkg.api.resource import generated_pb2 as resource

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
SERVER = os.path.join(BUILD, "server", "armada-server")
EXECUTOR = os.path.join(BUILD, "executor", "armada-executor")
DIR = "/tmp/armada-trace-full"  # configs and logs; kept after the run
ENV_DIR = "/tmp/armada-trace-full-env"  # scripts/testenv's PostgreSQL and Redis
PG_PORT, REDIS_PORT = 25522, 26469
PG = f"postgresql://postgres@127.0.0.1:{PG_PORT}"
JOB_SET = "replay"
# The scenario's classes are renamed to Armada's two (by preemptible or not) on the server and on
# every job, so that the same submissions would also run on a stock Armada configuration.
PC_NAMES = {}
ENDED = {"succeeded", "failed", "cancelled", "preempted"}

procs = []


def log(msg):
    print(f"[trace-full {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def duration(text):
    """Seconds of a scenario duration: 2800ms, 400s, 1h, 5m (or a bare number of seconds)."""
    text = str(text)
    for unit, f in (("ms", 0.001), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * f
    return float(text)


def testenv(action):
    env = dict(os.environ, TESTENV_DIR=ENV_DIR, TESTENV_PG_PORT=str(PG_PORT),
               TESTENV_REDIS_PORT=str(REDIS_PORT))
    subprocess.run([os.path.join(ROOT, "scripts", "testenv"), action], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def psql(sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", f"{PG}/postgres", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def start(name, binary, config, env):
    path = f"{DIR}/{name}.yaml"
    with open(path, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    out = open(f"{DIR}/{name}.log", "w")
    p = subprocess.Popen([binary, "--config", path], stdout=out, stderr=subprocess.STDOUT, env=env)
    procs.append(p)
    return p


def wait_log(name, text, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in open(f"{DIR}/{name}.log").read():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for '{text}' in {DIR}/{name}.log")


def start_system(sc, port):
    """Fresh database, server and fake executor for scenario `sc`."""
    os.makedirs(DIR, exist_ok=True)
    testenv("start")
    psql("DROP DATABASE IF EXISTS trace_full")
    psql("CREATE DATABASE trace_full")
    env = dict(os.environ, DATABASE_URL=f"{PG}/trace_full",
               REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0")
    period = sc["workload"].get("cyclePeriod", "10s")
    scheduling = dict(algorithm="fairShare", **sc["scheduling"])
    classes = scheduling.get("priorityClasses", {})
    PC_NAMES.update({name: "armada-preemptible" if c.get("preemptible") else "armada-default"
                     for name, c in classes.items()})
    if len(set(PC_NAMES.values())) != len(PC_NAMES):
        raise SystemExit("trace_replay_full: more than one preemptible or non-preemptible class")
    scheduling["priorityClasses"] = {PC_NAMES[n]: c for n, c in classes.items()}
    if "defaultPriorityClass" in scheduling:
        scheduling["defaultPriorityClass"] = PC_NAMES[scheduling["defaultPriorityClass"]]
    start("server", SERVER, {"grpcAddress": f"127.0.0.1:{port}",
                             "httpAddress": f"127.0.0.1:{port + 1}",
                             "schedulePeriod": period, "executorTimeout": "30s",
                             "scheduling": scheduling}, env)
    wait_log("server", "listening on")
    groups = []
    for cluster in sc["clusters"]:
        for i, n in enumerate(cluster["nodes"]):
            res = {k: str(v) for k, v in sc["nodeTemplates"][n["template"]]["resources"].items()}
            res.setdefault("memory", "1Ti")
            groups.append({"name": f"{cluster['name']}-{i}", "count": n["count"],
                           "allocatable": res})
    start("executor", EXECUTOR, {
        "serverUrl": f"127.0.0.1:{port}", "executorId": "trace", "pool": "default",
        "backend": "fake", "leasePeriod": "200ms", "maxLeasedRuns": 100000,
        "maxEventsPerReport": 1000,
        "fake": {"seed": 1, "failureRate": 0.0, "pendingDelay": "0s",
                 "runtime": {"min": "1s", "max": "1s"}, "nodeGroups": groups}}, env)


def item(entry, gang_id, default_pc):
    requests = {k: resource.Quantity(string=str(v)) for k, v in entry["resources"].items()}
    requests.setdefault("memory", resource.Quantity(string="1Mi"))
    pod = core_v1.PodSpec(restartPolicy="Never", containers=[core_v1.Container(
        name="main", image="fake", resources=core_v1.ResourceRequirements(
            requests=requests, limits=requests))])
    ms = max(1, round(duration(entry["runtime"]) * 1000))
    annotations = {"armadaproject.io/fakeRuntime": f"{ms}ms"}
    if "gang" in entry:
        annotations["armadaproject.io/gangId"] = gang_id
        annotations["armadaproject.io/gangCardinality"] = str(entry["gang"]["cardinality"])
    pc = PC_NAMES.get(entry.get("priorityClass", default_pc), "")
    if pc:
        pod.priorityClassName = pc
    return submit_pb2.JobSubmitRequestItem(priority=0, namespace="default", pod_specs=[pod],
                                           annotations=annotations)


class Replay:
    def __init__(self, sc, channel):
        self.sc = sc
        self.submit = submit_pb2_grpc.SubmitStub(channel)
        self.queues = submit_pb2_grpc.QueueServiceStub(channel)
        self.events_stub = event_pb2_grpc.EventStub(channel)
        self.lock = threading.Lock()
        self.names = {}  # job id -> QUEUE/N
        self.raw = []  # (created seconds, kind, job id, queue)
        self.ended = set()
        self.calls = []

    def create_queues(self):
        for q in self.sc["queues"]:
            weight = float(q.get("weight", 1))
            self.queues.CreateQueue(submit_pb2.Queue(name=q["name"], priority_factor=1 / weight),
                                    timeout=30)

    def watch(self, queue):
        request = event_pb2.JobSetRequest(id=JOB_SET, queue=queue, watch=True,
                                          errorIfMissing=False)
        call = self.events_stub.GetJobSetEvents(request)
        self.calls.append(call)
        try:
            for message in call:
                kind = message.message.WhichOneof("events")
                if kind not in ("submitted", "leased", "preempted", "succeeded", "failed",
                                "cancelled"):
                    continue
                e = getattr(message.message, kind)
                t = e.created.seconds + e.created.nanos / 1e9
                with self.lock:
                    self.raw.append((t, kind, e.job_id, queue))
                    if kind in ENDED:
                        self.ended.add(e.job_id)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                log(f"watch {queue}: {err.code()} {err.details()}")

    def run(self, drain):
        self.create_queues()
        for q in self.sc["queues"]:
            threading.Thread(target=self.watch, args=(q["name"],), daemon=True).start()
        entries = self.sc["workload"]["jobs"]
        default_pc = self.sc["scheduling"].get("defaultPriorityClass", "")
        self.t0 = time.time()
        index = {}  # queue -> jobs submitted so far (armada-sim numbers jobs per queue)
        late = 0.0
        for k, entry in enumerate(entries):
            at = self.t0 + duration(entry.get("submitAt", 0))
            now = time.time()
            if at > now:
                time.sleep(at - now)
            else:
                late = max(late, now - at)
            count = entry.get("count", 1)
            items = [item(entry, f"g{k}", default_pc) for _ in range(count)]
            response = self.submit.SubmitJobs(submit_pb2.JobSubmitRequest(
                queue=entry["queue"], job_set_id=JOB_SET, job_request_items=items), timeout=60)
            q = entry["queue"]
            first = index.get(q, 0)
            with self.lock:
                for n, r in enumerate(response.job_response_items):
                    if r.error:
                        log(f"submit {q}/{first + n}: {r.error}")
                    self.names[r.job_id] = f"{q}/{first + n}"
            index[q] = first + count
        self.submitted_at = time.time() - self.t0
        total = sum(index.values())
        log(f"submitted {total} jobs in {len(entries)} calls by {self.submitted_at:.1f}s "
            f"(latest call {late:.2f}s behind its arrival)")
        deadline = time.time() + drain
        while time.time() < deadline:
            with self.lock:
                if len(self.ended & set(self.names)) == total:
                    break
            time.sleep(0.5)
        for call in self.calls:
            call.cancel()
        with self.lock:
            done = len(self.ended & set(self.names))
        log(f"{done} of {total} jobs ended by {time.time() - self.t0:.1f}s")
        return total, done

    def events(self):
        out = []
        with self.lock:
            for t, kind, job_id, queue in sorted(self.raw, key=lambda r: r[0]):
                if job_id not in self.names:
                    continue
                out.append({"time": f"{max(0.0, t - self.t0):.3f}s", "type": kind,
                            "job": self.names[job_id], "queue": queue})
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, default=20240)
    ap.add_argument("--drain", type=float, default=120.0,
                    help="seconds to wait for the jobs to end after the last submission")
    ap.add_argument("--keep", action="store_true", help="leave PostgreSQL and Redis running")
    a = ap.parse_args()
    sc = yaml.safe_load(open(a.scenario))
    try:
        start_system(sc, a.port)
        channel = grpc.insecure_channel(f"127.0.0.1:{a.port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        time.sleep(2)  # the executor's first report registers its nodes
        replay = Replay(sc, channel)
        jobs, done = replay.run(a.drain)
        with open(a.out, "w") as f:
            events = replay.events()
            f.write('{\n  "events": [\n')
            f.write(",\n".join("    " + json.dumps(e) for e in events))
            f.write('\n  ],\n  "jobs": %d,\n  "ended": %d\n}\n' % (jobs, done))
        log(f"{len(events)} events in {a.out}")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
        if not a.keep:
            testenv("stop")


if __name__ == "__main__":
    main()

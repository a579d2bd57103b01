#!/usr/bin/python3
"""The fault-injection suite's invariant checker: run after every scenario.

  check_invariants.py --db URL --redis URL --record DIR/record.json --pygen DIR [--json]

Reads PostgreSQL (jobs, runs, job_events, event_seq, executors), Redis (one stream
per job set, events:<queue>:<job set>, ids <seq>-0, the api.EventMessage in field
"m"), the scenario's record (what it submitted and the server acknowledged, what it
cancelled, its servers) and the logs it kept (watchers, the active-run monitor, the
local jobs' own execution logs), and counts:

  lost      acknowledged jobs missing, or not in a terminal state at the end
  doubled   jobs with two runs active at once (two runs that both reached running
            with overlapping [leased_at, finished_at); two active runs now or in a
            monitor sample; two runs' processes alive at overlapping times in the
            jobs' own logs), or a terminal event announced more than once
  spurious  jobs that ended failed / cancelled / preempted / rejected although the
            scenario cancelled none of them (every workload succeeds)
  events    event ids not contiguous; a job set's Redis stream not equal to its
            events in PostgreSQL (same ids, payloads, order); a watcher that did not
            see a gap-free, duplicate-free suffix of its stream up to the end; a
            terminal job without its terminal event
  other     a node over capacity at some moment; a server that is not healthy at the
            end (HTTP /health, gRPC Submit.Health); a scenario expectation that failed

Exit status 0 when every count is 0. Each problem is listed with the ids involved.
"""
import argparse
import bisect
import collections
import json
import os
import re
import sys
import time
import urllib.request
from decimal import Decimal

TERMINAL_STATES = {"succeeded", "failed", "cancelled", "preempted", "rejected"}
TERMINAL_EVENTS = {"succeeded", "failed", "cancelled"}
ACTIVE_RUNS = {"leased", "pending", "running"}
SUFFIX = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
          "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
          "m": Decimal("0.001"), "u": Decimal("0.000001"), "n": Decimal("0.000000001")}


def milli(quantity):
    """A Kubernetes quantity ("32", "256Gi", "100m", "1e3") in milli-units."""
    m = re.fullmatch(r"([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)", quantity.strip())
    if not m or m.group(2) not in SUFFIX:
        raise ValueError(f"bad quantity {quantity!r}")
    return int(Decimal(m.group(1)) * SUFFIX[m.group(2)] * 1000)


class Result:
    def __init__(self):
        self.counts = collections.Counter(jobs=0, lost=0, doubled=0, spurious=0, events=0, other=0)
        self.problems = collections.defaultdict(list)

    def add(self, column, text):
        self.problems[column].append(text)

    def finish(self):
        for column in ("lost", "doubled", "spurious", "events", "other"):
            self.counts[column] = len(self.problems[column])
        return self


def load_pg(db_url):
    import psycopg2
    conn = psycopg2.connect(db_url, connect_timeout=10)
    cur = conn.cursor()
    cur.execute("SELECT job_id, queue, job_set, state, requests, cancel_reason, error FROM jobs")
    jobs = {r[0]: {"queue": r[1], "job_set": r[2], "state": r[3], "requests": r[4],
                   "cancel_reason": r[5], "error": r[6]} for r in cur.fetchall()}
    cur.execute("SELECT run_id::text, job_id, executor, node, state, "
                "extract(epoch FROM leased_at)::float8, extract(epoch FROM running_at)::float8, "
                "extract(epoch FROM finished_at)::float8, error FROM runs ORDER BY leased_at")
    runs = [dict(zip(("run_id", "job_id", "executor", "node", "state", "leased", "running",
                      "finished", "error"), r)) for r in cur.fetchall()]
    cur.execute("SELECT seq, queue, job_set, job_id, message FROM job_events ORDER BY seq")
    events = [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in cur.fetchall()]
    cur.execute("SELECT last FROM event_seq")
    last_seq = cur.fetchone()[0]
    cur.execute("SELECT name, report FROM executors")
    executors = [(r[0], bytes(r[1])) for r in cur.fetchall()]
    conn.close()
    return jobs, runs, events, last_seq, executors


def kind_of(message):
    from api import event_pb2
    m = event_pb2.EventMessage.FromString(message)
    kind = m.WhichOneof("events")
    return kind, (getattr(m, kind).job_id if kind else "")


def check_jobs(res, record, jobs, events_by_job):
    res.counts["jobs"] = len(record["acked"])
    cancelled_by_us = set(record.get("cancelled", []))
    for job_id in record["acked"]:
        job = jobs.get(job_id)
        if job is None:
            res.add("lost", f"job {job_id}: acknowledged but not in the jobs table")
            continue
        if job["state"] not in TERMINAL_STATES:
            res.add("lost", f"job {job_id}: still {job['state']} at the end")
    for job_id, job in jobs.items():
        kinds = [k for _, k in events_by_job.get(job_id, [])]
        terminal = [k for k in kinds if k in TERMINAL_EVENTS]
        if len(terminal) > 1:
            res.add("doubled", f"job {job_id}: terminal events announced {len(terminal)} times: "
                    f"{terminal}")
        if job["state"] in TERMINAL_STATES and not terminal:
            res.add("events", f"job {job_id}: {job['state']} without a terminal event "
                    f"(events {kinds})")
        if job["state"] in TERMINAL_STATES - {"succeeded"} and job_id not in cancelled_by_us:
            why = job["error"] or job["cancel_reason"] or ""
            res.add("spurious", f"job {job_id}: {job['state']} ({why}) although nothing "
                    f"asked for it; events {kinds}")


def check_runs(res, runs, jobs, executors):
    by_job = collections.defaultdict(list)
    for r in runs:
        by_job[r["job_id"]].append(r)
    inf = float("inf")
    for job_id, rs in by_job.items():
        active = [r for r in rs if r["state"] in ACTIVE_RUNS]
        if len(active) > 1:
            res.add("doubled", f"job {job_id}: {len(active)} active runs now: "
                    f"{[(r['run_id'], r['state']) for r in active]}")
        ran = [r for r in rs if r["running"] is not None]
        for i, a in enumerate(ran):
            for b in ran[i + 1:]:
                if a["leased"] < (b["finished"] or inf) and b["leased"] < (a["finished"] or inf):
                    res.add("doubled", f"job {job_id}: runs {a['run_id']} ({a['state']}) and "
                            f"{b['run_id']} ({b['state']}) both reached running with overlapping "
                            f"leases")
    # Capacity: per node, the sum of requests of runs whose lease covers a moment.
    from executorapi import executorapi_pb2
    allocatable = {}
    for name, report in executors:
        try:
            request = executorapi_pb2.LeaseRequest.FromString(report)
        except Exception as e:
            res.add("other", f"executor {name}: report does not parse: {e}")
            continue
        for node in request.nodes:
            allocatable[(name, node.name)] = {k: milli(q.string) for k, q in
                                              node.allocatable_resources.items()}
    per_node = collections.defaultdict(list)
    for r in runs:
        per_node[(r["executor"], r["node"])].append(r)
    for key, rs in per_node.items():
        if key not in allocatable:
            continue  # never reported (or an executor we did not keep)
        points = []
        for r in rs:
            req = jobs.get(r["job_id"], {}).get("requests") or {}
            points.append((r["leased"], 1, req, r["run_id"]))
            points.append((r["finished"] or inf, 0, req, r["run_id"]))
        points.sort(key=lambda p: (p[0], p[1]))  # ends before starts at the same moment
        used = collections.Counter()
        reported = set()
        for t, is_start, req, run_id in points:
            for resource, amount in req.items():
                used[resource] += amount if is_start else -amount
            if is_start:
                for resource, amount in used.items():
                    cap = allocatable[key].get(resource)
                    if cap is not None and amount > cap and resource not in reported:
                        reported.add(resource)
                        res.add("other", f"node {key[1]} of {key[0]}: {resource} {amount} milli "
                                f"in use > allocatable {cap} when run {run_id} was leased")


def check_exec_logs(res, exec_dir):
    """Local jobs log start/beat/end/term lines with their run id: two runs of one job
    whose logged lifetimes overlap really ran at the same time."""
    if not exec_dir or not os.path.isdir(exec_dir):
        return
    for job_id in os.listdir(exec_dir):
        spans = {}
        with open(os.path.join(exec_dir, job_id)) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                t, run = float(parts[1]), parts[2]
                lo, hi = spans.get(run, (t, t))
                spans[run] = (min(lo, t), max(hi, t))
        items = sorted(spans.items(), key=lambda kv: kv[1][0])
        for i, (ra, (a0, a1)) in enumerate(items):
            for rb, (b0, b1) in items[i + 1:]:
                if b0 < a1:
                    res.add("doubled", f"job {job_id}: runs {ra} and {rb} ran at the same time "
                            f"({b0:.1f} < {a1:.1f} in exec/{job_id})")


def check_monitor(res, paths):
    seen = set()
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[1] not in seen:
                    seen.add(parts[1])
                    res.add("doubled", f"job {parts[1]}: several active runs seen at "
                            f"{time.strftime('%H:%M:%S', time.localtime(float(parts[0])))}: "
                            f"{parts[2:]}")


def check_events(res, events, last_seq, redis_url, wait_s):
    import redis
    seqs = [e[0] for e in events]
    if seqs:
        expected = list(range(seqs[0], seqs[-1] + 1))
        if seqs != expected:
            missing = sorted(set(expected) - set(seqs))
            res.add("events", f"job_events.seq not contiguous: {len(missing)} missing, e.g. "
                    f"{missing[:10]}")
        if last_seq != seqs[-1]:
            res.add("events", f"event_seq.last {last_seq} != last event {seqs[-1]}")
    r = redis.Redis.from_url(redis_url, socket_timeout=30)
    # The relay publishes asynchronously: wait (bounded) until its cursor has caught up.
    deadline = time.monotonic() + wait_s
    while seqs:
        try:
            cursor = int(r.get("armada:relay:cursor") or 0)
        except Exception:
            cursor = -1
        if cursor >= seqs[-1] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    by_set = collections.defaultdict(list)
    for seq, queue, job_set, _, message in events:
        by_set[(queue, job_set)].append((f"{seq}-0", message))
    stream_keys = set()
    for key in r.scan_iter(match="events:*", count=1000):
        stream_keys.add(key.decode())
    for (queue, job_set), pg in by_set.items():
        key = f"events:{queue}:{job_set}"
        stream_keys.discard(key)
        entries = []
        last = "-"
        while True:  # XRANGE in pages
            page = r.xrange(key, min=last, max="+", count=10000)
            if last != "-" and page and page[0][0].decode() == last:
                page = page[1:]
            if not page:
                break
            entries.extend((i.decode(), f.get(b"m", b"")) for i, f in page)
            last = page[-1][0].decode()
        pg_ids = [i for i, _ in pg]
        redis_ids = [i for i, _ in entries]
        in_redis = dict(entries)
        bad = [i for i, m in pg if i in in_redis and in_redis[i] != m]
        if bad:
            res.add("events", f"stream {key}: {len(bad)} entries differ from PostgreSQL's event "
                    f"of the same id, e.g. {bad[:5]}")
        if pg_ids != redis_ids:
            missing = sorted(set(pg_ids) - set(redis_ids), key=lambda s: int(s.split("-")[0]))
            extra = sorted(set(redis_ids) - set(pg_ids), key=lambda s: int(s.split("-")[0]))
            dups = len(redis_ids) - len(set(redis_ids))
            res.add("events", f"stream {key}: {len(pg_ids)} events in PostgreSQL, {len(redis_ids)}"
                    f" in Redis; missing {len(missing)} {missing[:5]}, extra {len(extra)} "
                    f"{extra[:5]}, duplicated {dups}")
    for key in sorted(stream_keys):
        res.add("events", f"stream {key} in Redis has no events in PostgreSQL")
    return by_set


def check_watchers(res, watcher_paths, by_set):
    for path in watcher_paths:
        with open(path) as f:
            header = f.readline().split()
            queue, job_set = header[1], header[2]
            ids = [line.split()[0] for line in f if line.strip()]
        pg_ids = [i for i, _ in by_set.get((queue, job_set), [])]
        name = os.path.basename(path)
        if not ids:
            if pg_ids:
                res.add("events", f"{name}: saw nothing of {len(pg_ids)} events")
            continue
        dups = len(ids) - len(set(ids))
        if dups:
            res.add("events", f"{name}: {dups} message ids received more than once")
        if ids[0] not in pg_ids:
            res.add("events", f"{name}: first id {ids[0]} is not an event of {queue}/{job_set}")
            continue
        start = pg_ids.index(ids[0])
        expected = pg_ids[start:]
        seen = list(dict.fromkeys(ids))
        if seen != expected:
            missing = [i for i in expected if i not in set(seen)]
            res.add("events", f"{name}: not a gap-free suffix: saw {len(seen)} distinct ids, "
                    f"expected {len(expected)} from {ids[0]}; missing {len(missing)} "
                    f"{missing[:5]}, out of order or foreign "
                    f"{len([i for i in seen if i not in set(expected)])}")


def check_health(res, servers):
    import grpc
    from google.protobuf import empty_pb2
    from api import health_pb2, submit_pb2_grpc
    for name, s in servers.items():
        try:
            with urllib.request.urlopen(f"http://{s['http']}/health", timeout=10) as resp:
                if resp.status != 200:
                    res.add("other", f"{name}: /health answered {resp.status}")
        except Exception as e:
            res.add("other", f"{name}: /health failed: {e}")
        channel = grpc.insecure_channel(s["grpc"])
        try:
            status = submit_pb2_grpc.SubmitStub(channel).Health(empty_pb2.Empty(), timeout=10)
            if status.status != health_pb2.HealthCheckResponse.SERVING:
                res.add("other", f"{name}: gRPC health {status.status}")
        except Exception as e:
            res.add("other", f"{name}: gRPC health failed: {e}")
        finally:
            channel.close()


def check(db_url, redis_url, record_path, wait_s=30):
    with open(record_path) as f:
        record = json.load(f)
    res = Result()
    jobs, runs, events, last_seq, executors = load_pg(db_url)
    events_by_job = collections.defaultdict(list)
    for seq, _, _, job_id, message in events:
        kind, _ = kind_of(message)
        events_by_job[job_id].append((seq, kind))
    check_jobs(res, record, jobs, events_by_job)
    check_runs(res, runs, jobs, executors)
    check_exec_logs(res, record.get("exec_dir"))
    check_monitor(res, record.get("monitor", []))
    by_set = check_events(res, events, last_seq, redis_url, wait_s)
    check_watchers(res, record.get("watchers", []), by_set)
    check_health(res, record.get("servers", {}))
    watched = 0
    for path in record.get("watchers", []):
        with open(path) as f:
            watched += sum(1 for _ in f) - 1
    execs = len(os.listdir(record["exec_dir"])) if os.path.isdir(record.get("exec_dir") or "") else 0
    res.problems["notes"].append(
        f"checked {len(jobs)} jobs, {len(runs)} runs, {len(events)} events in "
        f"{len(by_set)} job sets (streams compared), {watched} ids from "
        f"{len(record.get('watchers', []))} watchers, {execs} job execution logs, "
        f"{len(record.get('servers', {}))} servers' health")
    for failure in record.get("failures", []):
        res.add("other", failure)
    if record.get("unacked_batches"):
        # Not an invariant (the client gave up), but worth seeing next to the table.
        res.problems["notes"].append(f"{record['unacked_batches']} batches never acknowledged")
    return res.finish()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", required=True)
    p.add_argument("--redis", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--pygen", required=True, help="generated Python stubs")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    sys.path.insert(0, a.pygen)
    res = check(a.db, a.redis, a.record)
    if a.json:
        print(json.dumps({"counts": res.counts, "problems": res.problems}))
    else:
        for column, items in res.problems.items():
            for item in items:
                print(f"{column}: {item}")
        print(" ".join(f"{k}={v}" for k, v in res.counts.items()))
    return 0 if all(res.counts[c] == 0 for c in ("lost", "doubled", "spurious", "events",
                                                   "other")) else 1


if __name__ == "__main__":
    sys.exit(main())

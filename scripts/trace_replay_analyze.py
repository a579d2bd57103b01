#!/usr/bin/python3
"""Metrics of one armada-sim time-mode replay of an SWF trace (docs/benchmarks.md, "Trace replay").

Reads armada-sim's `--json` output and the jobs file swf2scenario wrote beside the scenario, and
writes, into OUT_DIR:
  summary.json     utilisation, Jain's index, wait percentiles, preemption waste
  windows.tsv      per window: utilisation, Jain's index, each queue's share and fair share

Times in the outputs are trace time (simulated seconds times the speed-up). Definitions:
  * demand of a queue at time t: cpus of its jobs submitted and not finished (queued + running);
  * fair share: the cluster's cpus divided max-min fairly (equal weights) over the demands, as a
    fraction of the cluster; share: the queue's running cpus as a fraction of the cluster;
  * per window, both are time averages; Jain's index is taken over the queues with a non-zero
    average fair share of x = share / fair share: (sum x)^2 / (n sum x^2), 1 = all equally served;
  * wait: trace job's first lease minus its submission (gang: its members lease together);
  * preemption waste: cpu-seconds of runs that ended in preemption.
Standard library only.
"""

import argparse
import json
import math
import os
import sys
from collections import defaultdict


def seconds(text):
    assert text.endswith("s"), text
    return float(text[:-1])


def read_jobs(path):
    """Original job id QUEUE/N -> (trace job id, cpus); plus per trace job its submit time."""
    member = {}
    submit = {}
    for line in open(path):
        if line.startswith("#"):
            continue
        swf_id, queue, first, members, cpus, submit_s, _ = line.rstrip("\n").split("\t")
        for n in range(int(first), int(first) + int(members)):
            member[f"{queue}/{n}"] = (swf_id, int(cpus))
        submit[swf_id] = float(submit_s)
    return member, submit


def max_min_fair(capacity, demands):
    """Equal-weight water-filling of `capacity` over {queue: demand}."""
    alloc = {}
    left = capacity
    pending = sorted((d, q) for q, d in demands.items() if d > 0)
    while pending:
        each = left / len(pending)
        d, q = pending[0]
        if d <= each:
            alloc[q] = d
            left -= d
            pending.pop(0)
        else:
            for d, q in pending:
                alloc[q] = each
            break
    return alloc


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    # Nearest rank.
    k = min(len(sorted_values) - 1, max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


class Replay:
    def __init__(self, events, member, capacity, window, end):
        self.member = dict(member)
        self.capacity = capacity
        self.window = window
        self.end = end
        self.running = defaultdict(int)
        self.demand = defaultdict(int)
        self.lease_time = {}
        self.first_lease = {}
        self.final_lease = {}
        self.waste = 0.0
        self.preemptions = 0
        self.used = 0.0
        self.acc = defaultdict(lambda: defaultdict(float))  # window -> key -> integral
        self.queues = set()
        self.run(events)

    def integrate(self, t0, t1):
        """Adds the constant state over [t0, t1) to the windows it spans (until `end`)."""
        t1 = min(t1, self.end)
        if t1 <= t0:
            return
        fair = max_min_fair(self.capacity, self.demand)
        busy = sum(self.running.values())
        while t0 < t1:
            w = int(t0 // self.window)
            seg_end = min(t1, (w + 1) * self.window)
            dt = seg_end - t0
            a = self.acc[w]
            a["busy"] += busy * dt
            for q, f in fair.items():
                a["fair:" + q] += f * dt
                a["share:" + q] += self.running[q] * dt
            t0 = seg_end

    def run(self, events):
        # Resubmissions: the k-th `preempted` at time t matches the k-th `submitted` at t of a
        # job id armada-sim created (not in the jobs file); see docs/simulator.md.
        by_time = defaultdict(list)
        for e in events:
            by_time[seconds(e["time"])].append(e)
        last = 0.0
        for t in sorted(by_time):
            self.integrate(last, t)
            last = t
            preempted = []
            # A zero-runtime job's `succeeded` sorts before its `leased` at the same time: move it
            # after.
            group = by_time[t]
            leased_now = {e["job"] for e in group if e["type"] == "leased"}
            late = [e for e in group if e["type"] == "succeeded" and e["job"] in leased_now]
            group = [e for e in group if not (e["type"] == "succeeded" and e["job"] in leased_now)]
            for e in group + late:
                job, q, kind = e["job"], e["queue"], e["type"]
                self.queues.add(q)
                if kind == "submitted":
                    if job not in self.member:
                        self.member[job] = self.member[preempted.pop(0)]
                    self.demand[q] += self.member[job][1]
                elif kind == "leased":
                    swf_id, cpus = self.member[job]
                    self.running[q] += cpus
                    self.lease_time[job] = t
                    self.first_lease.setdefault(swf_id, t)
                elif kind == "succeeded":
                    swf_id, cpus = self.member[job]
                    self.running[q] -= cpus
                    self.demand[q] -= cpus
                    self.used += cpus * (t - self.lease_time[job])
                    self.final_lease[swf_id] = max(self.final_lease.get(swf_id, 0.0),
                                                   self.lease_time[job])
                elif kind == "preempted":
                    _, cpus = self.member[job]
                    self.running[q] -= cpus
                    self.demand[q] -= cpus
                    self.waste += cpus * (t - self.lease_time[job])
                    self.preemptions += 1
                    preempted.append(job)
                elif kind == "rejected":
                    self.demand[q] -= self.member[job][1]
        self.integrate(last, self.end)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", required=True, help="armada-sim run --json output")
    ap.add_argument("--jobs", required=True, help="swf2scenario --jobs-out file")
    ap.add_argument("--cpus", type=int, required=True, help="the cluster's cpus")
    ap.add_argument("--speedup", type=float, required=True)
    ap.add_argument("--window", type=float, default=3600, help="window, trace seconds")
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args()

    events = json.load(open(args.events))["events"]
    member, submit = read_jobs(args.jobs)
    # Metrics over time cover the arrivals (until the last submission), not the drain after.
    end = max(submit.values())
    window = args.window / args.speedup  # simulated seconds
    r = Replay(events, member, args.cpus, window, end)

    os.makedirs(args.out, exist_ok=True)
    queues = sorted(r.queues)
    jains = []
    with open(os.path.join(args.out, "windows.tsv"), "w") as f:
        f.write("\t".join(["start_h", "utilisation", "jain"] +
                          [f"{k}:{q}" for q in queues for k in ("share", "fair")]) + "\n")
        for w in sorted(r.acc):
            a = r.acc[w]
            length = min(window, end - w * window)
            if length <= 0:
                continue
            norm = args.cpus * length
            ratios = [a["share:" + q] / a["fair:" + q] for q in queues if a["fair:" + q] > 0]
            jain = (sum(ratios) ** 2 / (len(ratios) * sum(x * x for x in ratios))
                    if ratios and sum(ratios) > 0 else 1.0)
            jains.append((jain, length))
            row = [f"{w * args.window / 3600:.2f}", f"{a['busy'] / norm:.4f}",
                   f"{jain:.4f}"]
            for q in queues:
                row += [f"{a['share:' + q] / norm:.4f}", f"{a['fair:' + q] / norm:.4f}"]
            f.write("\t".join(row) + "\n")

    waits = sorted((r.first_lease[j] - s) * args.speedup for j, s in submit.items()
                   if j in r.first_lease)
    final_waits = sorted((r.final_lease[j] - s) * args.speedup for j, s in submit.items()
                         if j in r.final_lease)
    busy = sum(a["busy"] for a in r.acc.values())
    total_weight = sum(length for _, length in jains)
    summary = {
        "jobs": len(submit),
        "jobs_never_started": len(submit) - len(waits),
        "queues": len(queues),
        "utilisation": busy / (args.cpus * end) if end > 0 else 0.0,
        "jain_mean": sum(j * l for j, l in jains) / total_weight if total_weight else 1.0,
        "jain_min": min((j for j, _ in jains), default=1.0),
        "windows": len(jains),
        "wait_p50_s": percentile(waits, 50),
        "wait_p90_s": percentile(waits, 90),
        "wait_p99_s": percentile(waits, 99),
        "wait_to_final_start_p90_s": percentile(final_waits, 90),
        "preemptions": r.preemptions,
        "waste_cpu_s": r.waste * args.speedup,
        "used_cpu_s": r.used * args.speedup,
        "waste_fraction": r.waste / (r.used + r.waste) if r.used + r.waste > 0 else 0.0,
    }
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
    json.dump(summary, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

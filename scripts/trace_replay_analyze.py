#!/usr/bin/python3
"""Metrics of one armada-sim time-mode replay of an SWF trace (docs/benchmarks.md, "Trace replay").

`analyze` reads armada-sim's `--json` output and the jobs file swf2scenario wrote beside the scenario, and
writes, into OUT_DIR:
  summary.json     utilisation, Jain's index, wait percentiles, preemption waste
  windows.tsv      per window: utilisation, Jain's index, each queue's share and fair share

`report` turns the summaries of scripts/trace-replay's variants into report.md (tables) and
img/*.png (gnuplot). Times in the outputs are trace time (simulated seconds times the speed-up). Definitions:
  * demand of a queue at time t: cpus of its jobs submitted and not finished (queued + running);
  * fair share: the cluster's cpus divided max-min fairly (equal weights) over the demands, as a
    fraction of the cluster; share: the queue's running cpus as a fraction of the cluster;
  * per window, both are time averages; Jain's index is taken over the queues with a non-zero
    average fair share of x = share / fair share: (sum x)^2 / (n sum x^2), 1 = all equally served;
  * Jain slice: the same index over the whole measured period's averages (long-run fairness);
  * wait: trace job's first lease minus its submission (gang: its members lease together);
    "to final start": until the lease of the run that finished (after any preemptions);
  * preemption waste: cpu-seconds of runs that ended in preemption.
The summary leaves out the first --warmup trace seconds (windows, and jobs submitted in them) for
utilisation, Jain's index and waits; windows.tsv has every window.
Standard library only.
"""

import argparse
import json
import math
import os
import subprocess
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
        # Saturated: the queues ask for at least the whole cluster (work waits for cpus).
        saturated = sum(d for d in self.demand.values() if d > 0) >= self.capacity
        while t0 < t1:
            w = int(t0 // self.window)
            if (w + 1) * self.window <= t0:  # floor division rounded down across a boundary
                w += 1
            seg_end = min(t1, (w + 1) * self.window)
            dt = seg_end - t0
            a = self.acc[w]
            a["busy"] += busy * dt
            for q, f in fair.items():
                a["fair:" + q] += f * dt
                a["share:" + q] += self.running[q] * dt
            if saturated:
                a["sat"] += dt
                a["sat_busy"] += busy * dt
                for q, f in fair.items():
                    a["sat_fair:" + q] += f * dt
                    a["sat_share:" + q] += self.running[q] * dt
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


def analyze(args):
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
            if w * window >= args.warmup / args.speedup:
                jains.append((jain, length))
            row = [f"{w * args.window / 3600:.2f}", f"{a['busy'] / norm:.4f}",
                   f"{jain:.4f}"]
            for q in queues:
                row += [f"{a['share:' + q] / norm:.4f}", f"{a['fair:' + q] / norm:.4f}"]
            f.write("\t".join(row) + "\n")

    warm = args.warmup / args.speedup
    waits = sorted((r.first_lease[j] - s) * args.speedup for j, s in submit.items()
                   if j in r.first_lease and s >= warm)
    final_waits = sorted((r.final_lease[j] - s) * args.speedup for j, s in submit.items()
                         if j in r.final_lease and s >= warm)
    measured = [w for w in r.acc if w * window >= warm]
    busy = sum(r.acc[w]["busy"] for w in measured)
    span = end - min(w * window for w in measured) if measured else 0
    total_weight = sum(length for _, length in jains)
    # Over the whole measured period at once: long-run fairness, what a half-life aims at.
    ratios = []
    for q in queues:
        fair = sum(r.acc[w]["fair:" + q] for w in measured)
        if fair > 0:
            ratios.append(sum(r.acc[w]["share:" + q] for w in measured) / fair)
    jain_slice = (sum(ratios) ** 2 / (len(ratios) * sum(x * x for x in ratios))
                  if ratios and sum(ratios) > 0 else 1.0)
    # While saturated only: utilisation, and Jain's index per window over its saturated time,
    # weighted by that time.
    sat = sum(r.acc[w]["sat"] for w in measured)
    sat_jains = []
    for w in measured:
        a = r.acc[w]
        if a["sat"] <= 0:
            continue
        x = [a["sat_share:" + q] / a["sat_fair:" + q] for q in queues if a["sat_fair:" + q] > 0]
        if x and sum(x) > 0:
            sat_jains.append((sum(x) ** 2 / (len(x) * sum(v * v for v in x)), a["sat"]))
    members = defaultdict(int)  # trace job -> its members (a gang has more than one)
    for swf_id, _ in member.values():
        members[swf_id] += 1
    gang_waits = sorted((r.first_lease[j] - s) * args.speedup for j, s in submit.items()
                        if j in r.first_lease and s >= warm and members[j] > 1)
    by_width = {}
    for lo, hi in ((1, 1), (2, 15), (16, 63), (64, 1 << 30)):
        w = sorted((r.first_lease[j] - s) * args.speedup for j, s in submit.items()
                   if j in r.first_lease and s >= warm and lo <= members[j] <= hi)
        if w:
            by_width[f"{lo}-{hi}" if hi < (1 << 30) else f"{lo}+"] = {
                "jobs": len(w), "p50_s": percentile(w, 50), "p90_s": percentile(w, 90),
                "max_s": w[-1]}
    summary = {
        "wait_by_width": by_width,
        "saturated_fraction": sat / span if span > 0 else 0.0,
        "utilisation_saturated": (sum(r.acc[w]["sat_busy"] for w in measured) / (args.cpus * sat)
                                  if sat > 0 else None),
        "jain_saturated": (sum(j * l for j, l in sat_jains) / sum(l for _, l in sat_jains)
                           if sat_jains else None),
        "gang_wait_p90_s": percentile(gang_waits, 90),
        "gangs": len(gang_waits),
        "jobs": len(submit),
        "jobs_never_started": sum(1 for j in submit if j not in r.first_lease),
        "queues": len(queues),
        "utilisation": busy / (args.cpus * span) if span > 0 else 0.0,
        "jain_mean": sum(j * l for j, l in jains) / total_weight if total_weight else 1.0,
        "jain_min": min((j for j, _ in jains), default=1.0),
        "jain_slice": jain_slice,
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
    queue_of = {swf_id: q for q_job, (swf_id, _) in member.items() for q in [q_job.split("/")[0]]}
    by_queue = defaultdict(list)
    for j, t0 in submit.items():
        if j in r.first_lease and t0 >= warm:
            by_queue[queue_of[j]].append((r.first_lease[j] - t0) * args.speedup)
    summary["wait_by_queue"] = {
        q: {"jobs": len(w), "p50_s": percentile(sorted(w), 50), "p90_s": percentile(sorted(w), 90)}
        for q, w in sorted(by_queue.items())}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
    json.dump(summary, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


def read_windows(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, map(float, line.split("\t")))) for line in f]
    return header, rows


def duration(s):
    if s is None:
        return "-"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


VARIANTS = [("hl0", "0", "no"), ("hl1h", "1h", "no"), ("hl0-preempt", "0", "yes"),
            ("hl1h-preempt", "1h", "yes")]
COLOURS = {"hl0": "#1f77b4", "hl1h": "#d62728", "hl0-preempt": "#2ca02c",
           "hl1h-preempt": "#ff7f0e"}


def plot(out, name, shown):
    """Writes img/NAME.gp and runs gnuplot on it: utilisation, Jain's index, shares."""
    img = os.path.join(out, "img")
    os.makedirs(img, exist_ok=True)
    data = lambda v: os.path.join(out, name, v, "windows.tsv")
    gp = [f'set terminal pngcairo size 720,300 font "sans,9"', "set datafile separator tab",
          "set key outside right", "set grid", "set xlabel 'trace time in the slice (h)'"]
    gp += [f"set output '{img}/trace-{name}-utilisation.png'", "set ylabel 'utilisation'",
           "set yrange [0:1.05]",
           "plot " + ", ".join(f"'{data(v)}' using 1:2 skip 1 with lines lw 1.5 lc rgb "
                               f"'{COLOURS[v]}' title '{v}'" for v, _, _ in VARIANTS)]
    gp += [f"set output '{img}/trace-{name}-jain.png'",
           "set ylabel \"Jain's index of share/fair share\"", "set yrange [*:1.02]",
           "plot " + ", ".join(f"'{data(v)}' using 1:3 skip 1 with linespoints pt 7 ps 0.4 lw 1.2 "
                               f"lc rgb '{COLOURS[v]}' title '{v}'" for v, _, _ in VARIANTS)]
    palette = ["#1f77b4", "#d62728", "#2ca02c"]
    gp += [f"set terminal pngcairo size 720,420 font 'sans,9'",
           f"set output '{img}/trace-{name}-shares.png'", "set multiplot layout 2,1",
           "set ylabel 'share of the cluster'", "set yrange [0:*]"]
    for v in ("hl0", "hl1h"):
        header, _ = read_windows(data(v))
        lines = []
        for i, q in enumerate(shown):
            col_share = header.index(f"share:{q}") + 1
            col_fair = header.index(f"fair:{q}") + 1
            lines.append(f"'{data(v)}' using 1:{col_share} skip 1 with lines lw 1.5 "
                         f"lc rgb '{palette[i]}' title '{q} share'")
            lines.append(f"'{data(v)}' using 1:{col_fair} skip 1 with lines dt 2 lw 1.2 "
                         f"lc rgb '{palette[i]}' title '{q} fair share'")
        gp += [f"set title '{name}, {v}: share (solid) against fair share (dashed)'",
               "plot " + ", ".join(lines)]
    gp += ["unset multiplot"]
    script = os.path.join(img, f"{name}.gp")
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    subprocess.run(["gnuplot", script], check=True)


def report(args):
    lines = []
    for name in args.names:
        lines += [f"### {name}", "",
                  "| variant | half-life | preemptible | utilisation | Jain mean | Jain min | Jain slice | "
                  "wait p50 | wait p90 | wait p99 | p90 to final start | preemptions | waste (cpu-h) | waste / used |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for v, hl, pre in VARIANTS:
            s = json.load(open(os.path.join(args.dir, name, v, "summary.json")))
            lines.append(
                f"| {v} | {hl} | {pre} | {s['utilisation']:.3f} | {s['jain_mean']:.3f} | "
                f"{s['jain_min']:.3f} | {s['jain_slice']:.3f} | {duration(s['wait_p50_s'])} | "
                f"{duration(s['wait_p90_s'])} | {duration(s['wait_p99_s'])} | "
                f"{duration(s['wait_to_final_start_p90_s'])} | "
                f"{s['preemptions']} | {s['waste_cpu_s'] / 3600:.0f} | "
                f"{100 * s['waste_fraction']:.1f}% |")
        lines.append("")
        # Waits of the four queues with the most jobs, per variant.
        base = json.load(open(os.path.join(args.dir, name, "hl0", "summary.json")))["wait_by_queue"]
        top = sorted(base, key=lambda q: (-base[q]["jobs"], q))[:4]
        lines += ["| variant | " + " | ".join(f"{q} ({base[q]['jobs']} jobs) p50 / p90"
                                              for q in top) + " |",
                  "| --- |" + " --- |" * len(top)]
        for v, _, _ in VARIANTS:
            w = json.load(open(os.path.join(args.dir, name, v, "summary.json")))["wait_by_queue"]
            lines.append(f"| {v} | " + " | ".join(
                f"{duration(w[q]['p50_s'])} / {duration(w[q]['p90_s'])}" for q in top) + " |")
        lines.append("")
        # The three queues with the most cpu time (half-life 0) in the shares plot.
        header, rows = read_windows(os.path.join(args.dir, name, "hl0", "windows.tsv"))
        queues = [h[len("share:"):] for h in header if h.startswith("share:")]
        queues.sort(key=lambda q: (-sum(r["share:" + q] for r in rows), q))
        plot(args.dir, name, queues[:3])
    text = "\n".join(lines)
    with open(os.path.join(args.dir, "report.md"), "w") as f:
        f.write(text + "\n")
    print(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="metrics of one replay")
    a.add_argument("--events", required=True, help="armada-sim run --json output")
    a.add_argument("--jobs", required=True, help="swf2scenario --jobs-out file")
    a.add_argument("--cpus", type=int, required=True, help="the cluster's cpus")
    a.add_argument("--speedup", type=float, required=True)
    a.add_argument("--window", type=float, default=3600, help="window, trace seconds")
    a.add_argument("--warmup", type=float, default=0,
                   help="trace seconds at the start left out of the summary (the slice starts "
                        "with an empty cluster)")
    a.add_argument("--out", required=True, help="output directory")
    r = sub.add_parser("report", help="tables and plots of every variant (scripts/trace-replay)")
    r.add_argument("--dir", required=True, help="the trace-replay output directory")
    r.add_argument("names", nargs="+", help="trace names (subdirectories of --dir)")
    args = ap.parse_args()
    (analyze if args.command == "analyze" else report)(args)


if __name__ == "__main__":
    main()

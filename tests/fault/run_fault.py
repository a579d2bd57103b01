#!/usr/bin/python3
"""Runs fault-injection scenarios one after another and prints one table.

  run_fault.py --build BUILD_DIR [--run-root DIR] [--short] [SCENARIO...]

Each scenario gets its own PostgreSQL and Redis (scripts/testenv under
/tmp/armada-fault-<scenario>), ports and directory RUN_ROOT/<scenario> (configs, logs,
record.json, watcher logs, checker.txt: kept after the run). After a scenario the
invariant checker (check_invariants.py) runs against its database, Redis and logs; then
every process it started is stopped and its services deleted. Exit status 1 if any
count is non-zero or a scenario could not run.
"""
import argparse
import json
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import faultlib  # noqa: E402
from faultlib import Env, ScenarioFailure, Timeout, log, wait_until  # noqa: E402

COLUMNS = ("jobs", "lost", "doubled", "spurious", "events", "other")


def catch_up_watchers(env, timeout=30):
    """Until every watcher has received its job set's last event in PostgreSQL."""
    for w in env.record.watchers:
        def caught_up():
            last = env.sql("SELECT max(seq) FROM job_events WHERE queue = %s AND job_set = %s",
                           (w.queue, w.job_set))[0][0]
            return last is None or w.last == f"{last}-0"
        try:
            wait_until(f"watcher {w.job_set} to catch up", caught_up, timeout, 0.3)
        except Timeout as e:
            env.record.note(str(e))


def run_one(name, args, pygen):
    import check_invariants
    import scenarios
    index, fn = scenarios.SCENARIOS[name]
    started = time.monotonic()
    log(f"== {name}: {fn.__doc__.split(chr(10))[0].strip()}")
    env = Env(name, index, args.build, args.run_root, pygen)
    error = None
    result = None
    try:
        try:
            fn(env)
        except (ScenarioFailure, Timeout) as e:
            env.record.fail(f"scenario: {e}")
        except Exception as e:
            env.record.fail(f"scenario crashed: {e!r}")
            traceback.print_exc()
        # The services may be down when the scenario failed part way.
        for proc in env.procs:
            if proc.stopped:
                proc.sigcont()
        catch_up_watchers(env)
        for t in env.threads:
            t.stop()
        for server_name, proc in ((p.name, p) for p in env.procs if hasattr(p, "http")):
            if not proc.alive():
                env.record.fail(f"{server_name} is not running at the end (exit {proc.popen.poll()})")
                env.record.dead_servers.add(server_name)
        record = env.record.save()
        result = check_invariants.check(env.database_url, env.redis_url, record)
    except Exception as e:
        error = f"{e!r}"
        traceback.print_exc()
    finally:
        env.cleanup()
    seconds = time.monotonic() - started
    row = {"scenario": name, "seconds": round(seconds)}
    if result is None:
        row.update({c: "-" for c in COLUMNS})
        row["verdict"] = f"ERROR {error}"
        problems = {}
    else:
        row.update({c: result.counts[c] for c in COLUMNS})
        bad = any(result.counts[c] for c in COLUMNS if c != "jobs")
        row["verdict"] = "FAIL" if bad else "PASS"
        problems = result.problems
    with open(os.path.join(env.dir, "checker.txt"), "w") as f:
        for column, items in problems.items():
            for item in items:
                f.write(f"{column}: {item}\n")
        for note in env.record.notes:
            f.write(f"note: {note}\n")
    log(f"{name}: {row['verdict']} in {seconds:.0f} s " +
        " ".join(f"{c}={row[c]}" for c in COLUMNS))
    for column, items in problems.items():
        for item in items[:8]:
            log(f"  {column}: {item}")
        if len(items) > 8:
            log(f"  {column}: ... {len(items) - 8} more in {env.dir}/checker.txt")
    return row


def print_table(rows):
    header = ["scenario", "jobs", "lost", "doubled", "spurious", "events", "other", "seconds",
              "verdict"]
    names = {"events": "events missing/dup", "spurious": "spurious failures"}
    cells = [[names.get(h, h) for h in header]] + [[str(r[h]) for h in header] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    for n, line in enumerate(cells):
        print("  ".join(c.ljust(w) if i in (0, len(header) - 1) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build", required=True, help="build directory with the binaries")
    p.add_argument("--run-root", default="/tmp/armada-fault-run")
    p.add_argument("--short", action="store_true", help="the CI form: " + ", ".join(
        __import__("scenarios").SHORT))
    p.add_argument("--json", help="also write the rows as JSON to this file")
    p.add_argument("scenarios", nargs="*")
    args = p.parse_args()
    # SIGTERM (CTest's timeout, a user) unwinds like ^C, so every scenario's cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    import scenarios
    names = args.scenarios or (scenarios.SHORT if args.short else scenarios.FULL)
    unknown = [n for n in names if n not in scenarios.SCENARIOS]
    if unknown:
        p.error(f"unknown scenarios {unknown}; known: {', '.join(scenarios.SCENARIOS)}")
    for binary in ("server/armada-server", "executor/armada-executor", "cli/armadactl"):
        if not os.access(os.path.join(args.build, binary), os.X_OK):
            p.error(f"{args.build}/{binary} is missing (scripts/fault builds it)")
    args.build = os.path.abspath(args.build)
    os.makedirs(args.run_root, exist_ok=True)
    pygen = os.path.join(args.run_root, "pygen")
    faultlib.use_stubs(pygen)
    started = time.monotonic()
    rows = [run_one(n, args, pygen) for n in names]
    print()
    print(f"fault-injection suite, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{time.monotonic() - started:.0f} s; logs in {args.run_root}/<scenario>/")
    print_table(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    ok = all(r["verdict"] == "PASS" for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

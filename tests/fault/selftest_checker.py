#!/usr/bin/python3
"""Checks the checker: a clean little run must pass, and each kind of damage done to
its database, Redis and logs afterwards must be counted in its column.

  selftest_checker.py --build BUILD_DIR
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import faultlib  # noqa: E402
from faultlib import Env  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--run-root", default="/tmp/armada-fault-selftest-run")
    a = p.parse_args()
    pygen = os.path.join(a.run_root, "pygen")
    faultlib.use_stubs(pygen)
    import check_invariants
    import scenarios
    env = Env("selftest", 19, os.path.abspath(a.build), a.run_root, pygen)
    failures = []
    try:
        server = scenarios.setup_fake(env, executors=1, nodes=2, runtime="1s")
        w = env.watch(server, scenarios.QUEUE, "self")
        ids = scenarios.submit_now(env, server, "self", [env.fake_job(1) for _ in range(20)])
        env.wait_all_terminal(60)
        faultlib.wait_until("the watcher", lambda: w.count == 120, 20)
        for t in env.threads:
            t.stop()
        record = env.record.save()
        clean = check_invariants.check(env.database_url, env.redis_url, record)
        print("clean:", dict(clean.counts))
        if any(clean.counts[c] for c in ("lost", "doubled", "spurious", "events", "other")):
            failures.append(f"the clean run has problems: {dict(clean.problems)}")

        # The damage, one of each kind.
        env.record.acked["01nosuchjob0000000000000000"] = [scenarios.QUEUE, "self"]  # lost
        env.sql("UPDATE jobs SET state = 'failed', error = 'selftest' WHERE job_id = %s",
                (ids[0],))  # spurious
        env.sql("INSERT INTO runs (run_id, job_id, executor, node, pool, state, leased_at, "
                "running_at, finished_at) SELECT gen_random_uuid(), job_id, executor, node, pool, "
                "'failed', leased_at, running_at, finished_at FROM runs WHERE job_id = %s",
                (ids[1],))  # doubled (overlapping runs, both running)
        last = env.sql("SELECT max(seq) FROM job_events")[0][0]
        env.redis("XDEL", f"events:{scenarios.QUEUE}:self", f"{last - 5}-0")  # missing in Redis
        env.sql("INSERT INTO runs (run_id, job_id, executor, node, pool, state, leased_at) "
                "SELECT gen_random_uuid(), job_id, executor, node, pool, 'lease_expired', "
                "leased_at FROM runs, generate_series(1, 40) WHERE job_id = %s",
                (ids[2],))  # 40 cpu on a node of 32: over capacity
        with open(w.path, "a") as f:
            f.write(f"{last}-0 succeeded {ids[3]}\n")  # the watcher saw one id twice
        damaged = check_invariants.check(env.database_url, env.redis_url, env.record.save())
        print("damaged:", dict(damaged.counts))
        for column, items in damaged.problems.items():
            for item in items:
                print(f"  {column}: {item}")
        for column in ("lost", "doubled", "spurious", "events", "other"):
            if not damaged.counts[column]:
                failures.append(f"the damage was not counted in {column}")
    finally:
        env.cleanup()
    print("selftest:", "FAIL " + "; ".join(failures) if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

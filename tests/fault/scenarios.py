"""The fault-injection scenarios: one function per scenario, each given a fresh Env
(its own PostgreSQL, Redis, ports and directory). A scenario starts what it needs,
records what it submits, injects its faults, and waits (bounded) for every
acknowledged job to end; the driver (run_fault.py) then runs the invariant checker
and cleans up. Timeouts are short so that each scenario takes about a minute:
executorTimeout 15 s (10 s where said), leaderLockTimeout 5 s, schedulePeriod 500 ms.
"""
import random
import re
import time

from faultlib import (Client, ScenarioFailure, Submitter, Timeout, log, pg_activity_matching,
                      proxy_command, submit_batch, wait_until)

QUEUE = "fault"

# Statements that mark the moment to strike (pg_stat_activity.query).
SUBMIT_WRITE = r'^\s*COPY\s+"?jobs"?\W'                   # a submit's COPY of its jobs
CYCLE_WRITE = r"UPDATE jobs SET state = 'leased'|COPY\s+\"?runs\"?\W"  # a cycle's leases
REPORT_WRITE = r"UPDATE runs (r )?SET state"              # a report batch's (or expiry's) run changes


def client_of(server):
    return lambda: Client(server.grpc)


def setup_fake(env, executors=2, nodes=200, runtime="1s", server_extra="", timeout="15s"):
    server = env.start_server(extra=server_extra, executor_timeout=timeout)
    env.wait_server(server)
    c = Client(server.grpc)
    env.queue(c, QUEUE)
    c.close()
    for i in range(executors):
        env.start_executor(f"fake-{i}", server.grpc, backend="fake", nodes=nodes, runtime=runtime)
    env.monitor()
    return server


def setup_local(env, timeout="15s", via=None):
    server = env.start_server(executor_timeout=timeout)
    env.wait_server(server)
    c = Client(server.grpc)
    env.queue(c, QUEUE)
    c.close()
    executor = env.start_executor("local", via or server.grpc)
    env.monitor()
    return server, executor


def restart_server(env, server):
    server.start()
    env.wait_server(server, 60)
    env.record.note(f"{server.name} restarted")


def wait_running(env, ids, timeout=60):
    wait_until(f"{len(ids)} jobs running", lambda: env.sql(
        "SELECT count(*) FROM jobs WHERE job_id = ANY(%s) AND state = 'running'",
        (list(ids),))[0][0] == len(ids), timeout, 0.2)


def submit_now(env, server, job_set, items):
    ids = submit_batch(env, client_of(server), QUEUE, job_set, items)
    if ids is None:
        raise ScenarioFailure(f"could not submit {len(items)} jobs")
    return ids


def kill_during(env, server, pattern, what, times, pause=(1.0, 3.0), window=30):
    """kill -9 the server `times` times, each while PostgreSQL shows it running a statement
    matching `pattern` (with its transaction open), and restart it."""
    for k in range(times):
        time.sleep(random.uniform(*pause))
        try:
            query = pg_activity_matching(env, pattern, window)
        except Timeout as e:
            env.record.fail(f"kill {k + 1}: {what} never seen: {e}")
            continue
        server.kill9()
        env.record.note(f"kill -9 {k + 1}/{times} of {server.name} during {what}: "
                        f"{query[:70]!r}")
        restart_server(env, server)


# ------------------------------------------------------------------ scenarios

def server_kill_submit(env):
    """kill -9 of the server three times while a SubmitJobs transaction writes its jobs;
    the client retries each unacknowledged batch with the same client ids."""
    server = setup_fake(env, runtime="1s")
    for s in ("a", "b"):
        env.watch(server, QUEUE, s)
    sub = Submitter(env, lambda: server.grpc, QUEUE, ["a", "b"], lambda: env.fake_job(1),
                    batches=40, per_batch=100, period=0.25)
    sub.start()
    kill_during(env, server, SUBMIT_WRITE, "a submit's write", 3, pause=(0.5, 2.0))
    sub.join(150)
    env.wait_all_terminal(90)


def server_kill_cycle(env):
    """kill -9 of the leader three times while a scheduling cycle writes its leases."""
    server = setup_fake(env, runtime="2s")
    env.watch(server, QUEUE, "cycle")
    for k in range(3):
        submit_now(env, server, "cycle", [env.fake_job(2) for _ in range(1500)])
        kill_during(env, server, CYCLE_WRITE, f"a cycle's write ({k + 1} of 3)", 1,
                    pause=(0, 0))
    env.wait_all_terminal(90)


def server_kill_reports(env):
    """kill -9 of the server three times while it applies executors' reports."""
    server = setup_fake(env, runtime="1s")
    env.watch(server, QUEUE, "reports")
    sub = Submitter(env, lambda: server.grpc, QUEUE, ["reports"], lambda: env.fake_job(1),
                    batches=30, per_batch=200, period=0.5)
    sub.start()
    kill_during(env, server, REPORT_WRITE, "a report", 3, pause=(2.0, 4.0))
    sub.join(150)
    env.wait_all_terminal(90)


def pg_restart_load(env):
    """PostgreSQL killed (immediate stop) and started again, twice, under load."""
    env.durable()
    server = setup_fake(env, runtime="1s")
    env.watch(server, QUEUE, "pg")
    sub = Submitter(env, lambda: server.grpc, QUEUE, ["pg"], lambda: env.fake_job(1),
                    batches=40, per_batch=200, period=0.5)
    sub.start()
    for _ in range(2):
        time.sleep(random.uniform(4, 6))
        env.pg_stop("immediate")
        time.sleep(3)  # the outage itself
        env.pg_start()
    sub.join(150)
    env.wait_all_terminal(90)


def _pg_down(env, seconds):
    """Server + local executor, four jobs of 20 s; PostgreSQL stopped for `seconds` s while
    they run. The jobs finish during the outage (the executor buffers their events): they
    must end SUCCEEDED (issue 12, failure 2)."""
    env.durable()
    server, _ = setup_local(env)
    env.watch(server, QUEUE, "outage")
    ids = submit_now(env, server, "outage", [env.local_job(20) for _ in range(4)])
    wait_running(env, ids)
    env.pg_stop("immediate")
    down_at = time.time()
    time.sleep(seconds)  # the scenario is "stay down"
    env.pg_start()
    up_at = time.time()
    env.wait_all_terminal(60)
    ended_during = 0
    for job_id in ids:
        try:
            with open(f"{env.exec_dir}/{job_id}") as f:
                ends = [float(l.split()[1]) for l in f if l.startswith("end ")]
        except OSError:
            ends = []
        ended_during += any(down_at < t < up_at for t in ends)
    env.record.note(f"{ended_during} of {len(ids)} jobs ended while PostgreSQL was down")
    if ended_during == 0:
        env.record.fail("no job ended during the outage: the scenario did not test its case")
    states = env.sql("SELECT job_id, state FROM jobs WHERE job_id = ANY(%s)", (ids,))
    for job_id, state in states:
        if state != "succeeded":
            env.record.note(f"job {job_id} ended {state}")


def pg_down_40s(env):
    """PostgreSQL down 40 s while jobs of 20 s finish (issue 12, failure 2)."""
    _pg_down(env, 40)


def pg_down_90s(env):
    """PostgreSQL down 90 s while jobs of 20 s finish (issue 12, failure 2)."""
    _pg_down(env, 90)


def _redis_fault(env, fault):
    server = setup_fake(env, runtime="1s")
    sets = ["r0", "r1", "r2"]
    for s in sets:
        env.watch(server, QUEUE, s)
    sub = Submitter(env, lambda: server.grpc, QUEUE, sets, lambda: env.fake_job(1),
                    batches=30, per_batch=200, period=0.5)
    sub.start()
    for _ in range(2):
        time.sleep(random.uniform(4, 6))
        fault()
    sub.join(150)
    env.wait_all_terminal(90)


def redis_restart_load(env):
    """Redis shut down and started empty, twice, under load with three watchers."""
    _redis_fault(env, env.redis_restart)


def redis_flushall_load(env):
    """FLUSHALL of Redis, twice, under load with three watchers."""
    def flush():
        env.redis("FLUSHALL")
        env.record.note("Redis FLUSHALL")
    _redis_fault(env, flush)


def _two_replicas(env):
    a = env.start_server("server-a")
    env.wait_server(a)
    wait_until("server-a to lead", lambda: "now the scheduling leader" in a.log_text(), 20)
    b = env.start_server("server-b")
    env.wait_server(b)
    c = Client(a.grpc)
    env.queue(c, QUEUE)
    c.close()
    return a, b


def leader_lock_killed(env):
    """Two replicas; three times, while the leader writes a cycle's leases, its lock
    session is ended with pg_terminate_backend. A replica must lead again (within
    leaderLockTimeout + a period) and no decision of the old term may commit."""
    a, b = _two_replicas(env)
    env.start_executor("fake-0", a.grpc, backend="fake", nodes=200, runtime="1s")
    env.start_executor("fake-1", b.grpc, backend="fake", nodes=200, runtime="1s")
    env.monitor()
    env.watch(b, QUEUE, "lock")
    sub = Submitter(env, lambda: b.grpc, QUEUE, ["lock"], lambda: env.fake_job(1),
                    batches=30, per_batch=300, period=0.7)
    sub.start()
    for k in range(3):
        time.sleep(random.uniform(1, 3))
        term = env.sql("SELECT term FROM leader_term")[0][0]
        try:
            pg_activity_matching(env, CYCLE_WRITE, 30)
        except Timeout as e:
            env.record.fail(f"kill {k + 1}: no cycle write seen: {e}")
            continue
        rows = env.sql("SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                       "USING (pid) WHERE l.locktype = 'advisory' AND l.granted")
        if not rows:
            env.record.fail(f"kill {k + 1}: no session holds an advisory lock")
            continue
        env.sql("SELECT pg_terminate_backend(%s)", (rows[0][0],))
        env.record.note(f"lock session {rows[0][0]} terminated during a cycle write (term {term})")
        try:
            wait_until("a new leader term", lambda: env.sql(
                "SELECT term FROM leader_term")[0][0] > term and env.sql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")[0][0],
                15, 0.2)
        except Timeout as e:
            env.record.fail(f"kill {k + 1}: {e}")
    sub.join(150)
    env.wait_all_terminal(90)


def leader_sigstop_90s(env):
    """Two replicas; the leader SIGSTOPped for 90 s. The other must take over (after
    leaderLockTimeout) and schedule what is submitted meanwhile; the old leader, when
    SIGCONT'd, must write no decision (no 'scheduling cycle:' line after it wakes)."""
    a, b = _two_replicas(env)
    for i in range(2):
        env.start_executor(f"fake-{i}", b.grpc, backend="fake", nodes=200, runtime="1s")
    env.monitor()
    env.watch(b, QUEUE, "stop")
    submit_now(env, b, "stop", [env.fake_job(1) for _ in range(1000)])
    wait_until("the first jobs to be leased", lambda: "scheduling cycle:" in a.log_text(), 30)
    a.sigstop()
    stopped_at = time.monotonic()
    sub = Submitter(env, lambda: b.grpc, QUEUE, ["stop"], lambda: env.fake_job(1),
                    batches=40, per_batch=100, period=2)
    sub.start()
    try:
        wait_until("server-b to lead", lambda: "now the scheduling leader" in b.log_text(), 30)
        env.record.note(f"server-b leads {time.monotonic() - stopped_at:.1f} s after the SIGSTOP")
    except Timeout:
        env.record.fail("server-b did not take over within 30 s of the leader's SIGSTOP")
    time.sleep(max(0, 90 - (time.monotonic() - stopped_at)))
    a.sigcont()
    sub.join(150)
    submit_now(env, b, "stop", [env.fake_job(1) for _ in range(200)])
    env.wait_all_terminal(60)
    after = a.log_after("SIGCONT")
    writes = [l for l in after.splitlines() if "scheduling cycle:" in l]
    if writes:
        env.record.fail(f"server-a wrote {len(writes)} decisions after waking: {writes[0][:160]}")
    refused = len(re.findall(r"not the scheduling leader|lost the leader lock", after))
    env.record.note(f"server-a after SIGCONT: {refused} refusals / lost-lock lines")


def executor_sigstop_preempt(env):
    """Local executor SIGSTOPped past executorTimeout (10 s) while six 20 s jobs run; two
    of them preempted (armadactl preempt job) during the freeze. No job may run twice at
    once (their own logs), and all must end SUCCEEDED."""
    server, executor = setup_local(env, timeout="10s")
    env.watch(server, QUEUE, "freeze")
    ids = submit_now(env, server, "freeze", [env.local_job(20) for _ in range(6)])
    wait_running(env, ids)
    executor.sigstop()
    for job_id in ids[:2]:
        out = env.ctl(server, "preempt", "job", QUEUE, "freeze", job_id, "fault suite")
        if out.returncode != 0:
            env.record.fail(f"armadactl preempt job {job_id}: {out.stderr.strip()}")
    env.record.note(f"preempted {ids[:2]} during the freeze")
    try:
        wait_until("the executor's leases to expire", lambda: env.sql(
            "SELECT count(*) FROM runs WHERE state = 'lease_expired'")[0][0] > 0, 40, 0.5)
        env.record.note("leases expired")
    except Timeout:
        env.record.note("no lease expired within 40 s of the freeze")
    time.sleep(2)
    executor.sigcont()
    env.wait_all_terminal(100)


def executor_kill9_x10(env):
    """Local executor killed -9 ten times at random moments while jobs run; restarted each
    time (it adopts the running jobs). Every job must run once at a time and succeed."""
    server, executor = setup_local(env)
    env.watch(server, QUEUE, "kill9")
    for wave in range(3):
        submit_now(env, server, "kill9",
                   [env.local_job(random.randint(2, 8)) for _ in range(5)])
        for _ in range(3 if wave < 2 else 4):
            time.sleep(random.uniform(0.3, 2.5))
            executor.kill9()
            time.sleep(random.uniform(0, 1))
            executor.start()
    env.record.note("executor killed -9 ten times")
    env.wait_all_terminal(90)
    multi = env.sql("SELECT job_id, count(*) FROM runs GROUP BY job_id HAVING count(*) > 1")
    if multi:
        env.record.note(f"{len(multi)} jobs needed more than one run: {multi[:5]}")


def partition_proxy(env):
    """Executor -> TCP proxy -> server. While six 30 s jobs run: connections dropped for
    5 s, traffic black-holed for 8 s (< executorTimeout 15 s), then black-holed for 25 s
    (> executorTimeout, the jobs end meanwhile). All must end SUCCEEDED, none twice."""
    server = env.start_server(executor_timeout="15s")
    env.wait_server(server)
    proxy = env.start_proxy("proxy", int(server.grpc.rsplit(":", 1)[1]))
    c = Client(server.grpc)
    env.queue(c, QUEUE)
    c.close()
    env.start_executor("local", f"127.0.0.1:{proxy.listen}")
    env.monitor()
    env.watch(server, QUEUE, "part")
    ids = submit_now(env, server, "part", [env.local_job(30) for _ in range(6)])
    wait_running(env, ids)
    for mode, seconds in (("drop", 5), ("pass", 5), ("blackhole", 8), ("pass", 4),
                          ("blackhole", 25), ("pass", 0)):
        proxy_command(proxy.control, mode)
        env.record.note(f"proxy: {mode} {seconds} s")
        time.sleep(seconds)
    env.wait_all_terminal(90)


def load_burst(env, jobs=20000, executors=5, nodes=200):
    """Issue 12, failure 1 in small: 20,000 jobs of 2 s at once on 5 fake executors x 200
    nodes (32 cpu each), executorTimeout 10 s. Must end with 0 failed jobs."""
    server = setup_fake(env, executors=executors, nodes=nodes, runtime="2s", timeout="10s")
    sets = [f"burst-{i}" for i in range(10)]
    for s in sets:
        env.watch(server, QUEUE, s)
    per = 1000
    sub = Submitter(env, lambda: server.grpc, QUEUE, sets, lambda: env.fake_job(2),
                    batches=jobs // per, per_batch=per, period=0)
    t0 = time.monotonic()
    sub.start()
    sub.join(240)
    env.record.note(f"{jobs} jobs submitted in {time.monotonic() - t0:.1f} s")
    env.wait_all_terminal(240)
    env.record.note(f"all ended {time.monotonic() - t0:.1f} s after the first submit")
    logs = " ".join(p.log_text() for p in env.procs if p.name.startswith("fake-"))
    deadline = len(re.findall(r"Deadline Exceeded|DEADLINE_EXCEEDED", logs))
    if deadline:
        env.record.note(f"executors logged {deadline} deadline-exceeded calls")


def load_burst_short(env):
    """load_burst with 10,000 jobs on 5 fake executors x 100 nodes (the CTest form)."""
    load_burst(env, jobs=10000, executors=5, nodes=100)


# name -> (index for ports, function, in the short form?)
SCENARIOS = {
    "server_kill_submit": (0, server_kill_submit),
    "server_kill_cycle": (1, server_kill_cycle),
    "server_kill_reports": (2, server_kill_reports),
    "pg_restart_load": (3, pg_restart_load),
    "pg_down_40s": (4, pg_down_40s),
    "pg_down_90s": (5, pg_down_90s),
    "redis_restart_load": (6, redis_restart_load),
    "redis_flushall_load": (7, redis_flushall_load),
    "leader_lock_killed": (8, leader_lock_killed),
    "leader_sigstop_90s": (9, leader_sigstop_90s),
    "executor_sigstop_preempt": (10, executor_sigstop_preempt),
    "executor_kill9_x10": (11, executor_kill9_x10),
    "partition_proxy": (12, partition_proxy),
    "load_burst": (13, load_burst),
    "load_burst_short": (14, load_burst_short),
}
FULL = [n for n in SCENARIOS if n != "load_burst_short"]
SHORT = ["pg_down_40s", "server_kill_cycle", "load_burst_short"]

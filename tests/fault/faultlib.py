"""Shared machinery of the fault-injection suite (tests/fault): one scenario's
environment (its own PostgreSQL and Redis through scripts/testenv, its own
ports and work directory), the real armada-server / armada-executor processes,
a gRPC client from stubs generated at test time, a recording submitter,
watchers that log every message id they see, and a monitor that samples the
"at most one active run" invariant while the scenario runs.

Everything listens on and connects to 127.0.0.1 only. Every wait has a
deadline; every process a scenario starts is stopped by Env.cleanup().
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = "/usr/bin/python3"  # Debian's: python3-grpcio, -protobuf, -psycopg2, -redis

# Ports: PostgreSQL 25700+i, Redis 26700+i, servers/proxies 21000+20*i.. (all below
# the ephemeral range, and apart from the other tests' ports).
PG_BASE, REDIS_BASE, PORT_BASE = 25700, 26700, 21000


def generate_stubs(pygen):
    """Python stubs for api/, executorapi/ and the Kubernetes protos (as tests/python does)."""
    marker = os.path.join(pygen, ".done")
    if os.path.exists(marker):
        return
    os.makedirs(pygen, exist_ok=True)
    protos = subprocess.run(
        "ls api/*.proto executorapi/*.proto; find k8s.io -name '*.proto' | sort",
        shell=True, cwd=os.path.join(ROOT, "proto"), check=True, capture_output=True,
        text=True).stdout.split()
    subprocess.run(["protoc", "-I", ".", f"--python_out={pygen}", f"--grpc_out={pygen}",
                    "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", *protos],
                   cwd=os.path.join(ROOT, "proto"), check=True)
    open(marker, "w").close()


def use_stubs(pygen):
    generate_stubs(pygen)
    if pygen not in sys.path:
        sys.path.insert(0, pygen)


def log(msg):
    print(f"[fault {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def wait_until(what, predicate, timeout, interval=0.1):
    """Polls predicate() until it is truthy (returns it); raises Timeout after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # a service that is down makes the probe fail: keep polling
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise Timeout(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Timeout(Exception):
    pass


class ScenarioFailure(Exception):
    """A scenario-specific expectation that did not hold (reported as 'other')."""


class Proc:
    """One process we started, its log appended to LOG; restartable with the same argv."""

    def __init__(self, name, argv, log_path, env=None):
        self.name, self.argv, self.log_path, self.env = name, argv, log_path, env
        self.popen = None
        self.stopped = False
        self.start()

    def start(self):
        out = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=self.env,
                                      start_new_session=True)
        out.close()
        self.stopped = False
        self.mark(f"started pid {self.popen.pid}")

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def mark(self, text):
        """A line in the process's log, so that its own lines can be told before and after."""
        with open(self.log_path, "a") as f:
            f.write(f"=== fault {time.strftime('%Y-%m-%d %H:%M:%S')}: {self.name} {text}\n")

    def signal(self, sig):
        if self.alive():
            os.kill(self.popen.pid, sig)

    def kill9(self):
        self.signal(signal.SIGKILL)
        self.popen.wait(10)
        self.mark("killed -9")

    def sigstop(self):
        self.signal(signal.SIGSTOP)
        self.stopped = True
        self.mark("SIGSTOP")

    def sigcont(self):
        self.mark("SIGCONT")
        self.signal(signal.SIGCONT)
        self.stopped = False

    def terminate(self, timeout=15):
        if not self.alive():
            return
        if self.stopped:
            self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(10)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def log_after(self, mark):
        """The log after the last line containing `mark`."""
        text = self.log_text()
        i = text.rfind(mark)
        return text[i:] if i >= 0 else ""


class Env:
    """One scenario's world: directories, ports, services, processes and its record."""

    def __init__(self, name, index, build, run_root, pygen):
        self.name, self.index, self.build, self.pygen = name, index, build, pygen
        self.dir = os.path.join(run_root, name)  # configs, logs, record: kept
        subprocess.run(["rm", "-rf", self.dir], check=True)
        os.makedirs(self.dir)
        self.exec_dir = os.path.join(self.dir, "exec")  # what local jobs really ran
        os.makedirs(self.exec_dir)
        os.chmod(self.exec_dir, 0o777)
        self.testenv_dir = f"/tmp/armada-fault-{name}"
        self.pg_port = PG_BASE + index
        self.redis_port = REDIS_BASE + index
        self.port = PORT_BASE + 20 * index  # next free port for servers, proxies
        self.database_url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.marker = f"armada-fault-{name}-{os.getpid()}"  # in every local job's command line
        self.procs = []
        self.threads = []  # background threads with a stop() method
        self.record = Record(self)
        self.testenv("stop")  # leftovers of an interrupted run
        self.testenv("start")

    # ---------------------------------------------------------------- services

    def testenv(self, action):
        env = dict(os.environ, TESTENV_DIR=self.testenv_dir, TESTENV_PG_PORT=str(self.pg_port),
                   TESTENV_REDIS_PORT=str(self.redis_port))
        subprocess.run([os.path.join(ROOT, "scripts", "testenv"), action], env=env, check=True,
                       stdout=subprocess.DEVNULL)

    def _pg_ctl(self, *args):
        pg_bin = sorted(
            (os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")),
            key=lambda p: [int(x) for x in re.findall(r"\d+", p)])[-1]
        cmd = [os.path.join(pg_bin, "pg_ctl"), "-D", os.path.join(self.testenv_dir, "pg"), *args]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def durable(self):
        """synchronous_commit on for every new session: scripts/testenv starts PostgreSQL
        with it off (for speed), and then an immediate stop loses the last committed
        transactions, as no production database would. (A role setting overrides the
        server's command line.) Scenarios that crash PostgreSQL call this first."""
        self.sql("ALTER ROLE postgres SET synchronous_commit = on")
        got = self.sql("SHOW synchronous_commit")[0][0]
        if got != "on":
            raise ScenarioFailure(f"synchronous_commit is {got} in a new session")

    def pg_stop(self, mode="immediate"):
        """Stops PostgreSQL (immediate: as a crash would; its data stays)."""
        self._pg_ctl("-m", mode, "-w", "stop")
        self.record.note(f"PostgreSQL stopped ({mode})")

    def pg_start(self):
        self.testenv("start")  # the data directory exists: no initdb, just start
        self.record.note("PostgreSQL started")

    def redis_restart(self):
        """Redis shut down without saving (it keeps nothing on disk) and started empty."""
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until("Redis to stop", lambda: subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True).returncode != 0,
            10)
        self.testenv("start")
        self.record.note("Redis restarted empty")

    def redis(self, *args):
        return subprocess.run(["redis-cli", "-p", str(self.redis_port), *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    def sql(self, query, params=None, timeout=5):
        """Rows of one statement, on a fresh connection (autocommit)."""
        import psycopg2
        conn = psycopg2.connect(self.database_url, connect_timeout=3,
                                options=f"-c statement_timeout={int(timeout * 1000)}")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    # ---------------------------------------------------------------- processes

    def next_port(self):
        p = self.port
        self.port += 1
        return p

    def start_server(self, name="server", extra="", db_url=None, executor_timeout="15s"):
        grpc_port, http_port = self.next_port(), self.next_port()
        config = os.path.join(self.dir, f"{name}.yaml")
        with open(config, "w") as f:
            f.write(f"grpcAddress: 127.0.0.1:{grpc_port}\nhttpAddress: 127.0.0.1:{http_port}\n"
                    f"schedulePeriod: 500ms\nexecutorTimeout: {executor_timeout}\n"
                    f"leaderLockTimeout: 5s\n{extra}")
        env = dict(os.environ, DATABASE_URL=db_url or self.database_url, REDIS_URL=self.redis_url)
        proc = Proc(name, [os.path.join(self.build, "server", "armada-server"), "--config", config],
                    os.path.join(self.dir, f"{name}.log"), env)
        proc.grpc = f"127.0.0.1:{grpc_port}"
        proc.http = f"127.0.0.1:{http_port}"
        self.procs.append(proc)
        self.record.servers[name] = {"grpc": proc.grpc, "http": proc.http}
        return proc

    def wait_server(self, proc, timeout=60):
        """Until the server answers gRPC health (it has migrated and listens)."""
        client = Client(proc.grpc)
        try:
            wait_until(f"{proc.name} to answer", client.healthy, timeout, 0.2)
        finally:
            client.close()

    def start_executor(self, name, server_url, backend="local", nodes=200, runtime="1s",
                       extra=""):
        config = os.path.join(self.dir, f"{name}.yaml")
        text = (f"serverUrl: {server_url}\nexecutorId: {name}\nleasePeriod: 500ms\n"
                f"maxReconnectBackoff: 2s\n")
        if backend == "local":
            text += (f"nodeName: {name}-node\nworkDir: {self.dir}/runs-{name}\n"
                     'capacity: {cpu: "4", memory: 8Gi}\n')
        else:
            text += ("backend: fake\nmaxLeasedRuns: 5000\nfake:\n  seed: 1\n  failureRate: 0.0\n"
                     f"  pendingDelay: 100ms\n  runtime: {{min: {runtime}, max: {runtime}}}\n"
                     f"  nodeGroups:\n    - name: {name}\n      count: {nodes}\n"
                     '      allocatable: {cpu: "32", memory: 256Gi}\n')
        with open(config, "w") as f:
            f.write(text + extra)
        proc = Proc(name, [os.path.join(self.build, "executor", "armada-executor"), "--config",
                           config], os.path.join(self.dir, f"{name}.log"))
        self.procs.append(proc)
        return proc

    def start_proxy(self, name, target_port):
        listen, control = self.next_port(), self.next_port()
        proc = Proc(name, [PYTHON, os.path.join(ROOT, "tests", "fault", "tcp_proxy.py"),
                           "--listen", str(listen), "--target", str(target_port),
                           "--control", str(control)], os.path.join(self.dir, f"{name}.log"))
        proc.listen, proc.control = listen, control
        self.procs.append(proc)
        wait_until(f"{name} to listen", lambda: proxy_command(control, "status"), 10)
        return proc

    def ctl(self, server, *args, timeout=30):
        return subprocess.run([os.path.join(self.build, "cli", "armadactl"), "--armadaUrl",
                               server.grpc, *args], capture_output=True, text=True,
                              timeout=timeout)

    def job_pids(self):
        """Pids of processes whose command line holds this scenario's marker (our jobs)."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if self.marker.encode() in f.read():
                        pids.append(int(entry))
            except OSError:
                pass
        return [p for p in pids if p != os.getpid()]

    def cleanup(self):
        for t in self.threads:
            try:
                t.stop()
            except Exception:
                pass
        for proc in reversed(self.procs):
            try:
                proc.terminate()
            except Exception:
                pass
        for pid in self.job_pids():  # jobs of a killed executor outlive it
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.testenv("stop")
        except Exception as e:
            log(f"testenv stop: {e}")

    # ---------------------------------------------------------------- helpers

    def local_job(self, seconds):
        """A job item for the local backend: runs `seconds` s and logs what really ran
        (start, a beat each second, end, or the SIGTERM) in exec/<job id>."""
        script = (f'f={self.exec_dir}/$ARMADA_JOB_ID; '
                  'echo "start $(date +%s.%N) $ARMADA_RUN_ID" >>$f; '
                  'trap \'echo "term $(date +%s.%N) $ARMADA_RUN_ID" >>$f; exit 143\' TERM; '
                  f'i=0; while [ $i -lt {seconds} ]; do sleep 1; i=$((i+1)); '
                  'echo "beat $(date +%s.%N) $ARMADA_RUN_ID" >>$f; done; '
                  f'echo "end $(date +%s.%N) $ARMADA_RUN_ID" >>$f; : {self.marker}')
        return job_item(["sh", "-c", script], cpu="100m", memory="64Mi", grace=2)

    def fake_job(self, seconds=1):
        return job_item(["sleep", str(seconds)], cpu="1", memory="1Gi")

    def queue(self, client, name):
        wait_until(f"queue {name}", lambda: client.create_queue(name), 30, 0.5)

    def watch(self, server, queue, job_set):
        w = Watcher(self, server.grpc, queue, job_set)
        self.threads.append(w)
        self.record.watchers.append(w)
        return w

    def monitor(self):
        m = Monitor(self)
        self.threads.append(m)
        return m

    def wait_all_terminal(self, timeout):
        """Until every acknowledged job is in a terminal state (then returns True), or the
        deadline (returns False: the checker will count what is left as lost)."""
        ids = list(self.record.acked)

        def done():
            rows = self.sql("SELECT count(*) FROM jobs WHERE job_id = ANY(%s) AND state IN "
                            "('succeeded','failed','cancelled','preempted','rejected')", (ids,))
            return rows[0][0] == len(ids)
        try:
            wait_until(f"{len(ids)} jobs to end", done, timeout, 0.5)
            return True
        except Timeout as e:
            self.record.note(str(e))
            return False


def proxy_command(port, command):
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall((command + "\n").encode())
        return s.makefile().readline().strip()


def job_item(command, cpu, memory, grace=None, annotations=None):
    from api import submit_pb2
    from k8s.io.api.core.v1 import generated_pb2 as core_v1
    from k8s.io.apimachinery.pkg.api.resource import generated_pb2 as resource
    q = {"cpu": resource.Quantity(string=cpu), "memory": resource.Quantity(string=memory)}
    pod = core_v1.PodSpec(restartPolicy="Never", containers=[core_v1.Container(
        name="main", image="busybox:latest", command=command,
        resources=core_v1.ResourceRequirements(requests=q, limits=q))])
    if grace is not None:
        pod.terminationGracePeriodSeconds = grace
    return submit_pb2.JobSubmitRequestItem(priority=1, namespace="default", pod_specs=[pod],
                                           annotations=annotations or {})


class Client:
    def __init__(self, address):
        import grpc
        from api import event_pb2_grpc, submit_pb2_grpc
        self.grpc = grpc
        self.channel = grpc.insecure_channel(address)
        self.submit_stub = submit_pb2_grpc.SubmitStub(self.channel)
        self.queues = submit_pb2_grpc.QueueServiceStub(self.channel)
        self.events = event_pb2_grpc.EventStub(self.channel)

    def close(self):
        self.channel.close()

    def healthy(self):
        from google.protobuf import empty_pb2
        from api import health_pb2
        return (self.submit_stub.Health(empty_pb2.Empty(), timeout=5).status ==
                health_pb2.HealthCheckResponse.SERVING)

    def create_queue(self, name):
        from api import submit_pb2
        try:
            self.queues.CreateQueue(submit_pb2.Queue(name=name, priority_factor=1), timeout=10)
        except self.grpc.RpcError as e:
            if e.code() != self.grpc.StatusCode.ALREADY_EXISTS:
                raise
        return True

    def submit(self, queue, job_set, items, timeout=30):
        from api import submit_pb2
        response = self.submit_stub.SubmitJobs(submit_pb2.JobSubmitRequest(
            queue=queue, job_set_id=job_set, job_request_items=items), timeout=timeout)
        errors = [i.error for i in response.job_response_items if i.error]
        if errors:
            raise RuntimeError(f"submit errors: {errors[:3]}")
        return [i.job_id for i in response.job_response_items]

    def preempt(self, queue, job_set, job_ids, reason="fault suite"):
        from api import submit_pb2
        return self.submit_stub.PreemptJobs(submit_pb2.JobPreemptRequest(
            queue=queue, job_set_id=job_set, job_ids=job_ids, reason=reason), timeout=10)


class Record:
    """What a scenario did, for the checker: the jobs it submitted and the server
    acknowledged, what it cancelled itself, its watchers, its servers, its notes."""

    def __init__(self, env):
        self.env = env
        self.acked = {}  # job id -> [queue, job set]
        self.unacked_batches = 0  # batches never acknowledged (the client gave up)
        self.attempted = 0
        self.cancelled = set()  # by the scenario itself
        self.watchers = []
        self.servers = {}  # name -> {grpc, http}; those alive at the end are health-checked
        self.dead_servers = set()  # servers the scenario leaves stopped
        self.failures = []  # scenario-specific expectations that failed
        self.notes = []
        self.lock = threading.Lock()

    def note(self, text):
        with self.lock:
            self.notes.append(f"{time.strftime('%H:%M:%S')} {text}")
        log(f"{self.env.name}: {text}")

    def fail(self, text):
        with self.lock:
            self.failures.append(text)
        log(f"{self.env.name}: FAILED EXPECTATION: {text}")

    def save(self):
        path = os.path.join(self.env.dir, "record.json")
        with open(path, "w") as f:
            json.dump({"scenario": self.env.name, "acked": self.acked,
                       "attempted": self.attempted, "unacked_batches": self.unacked_batches,
                       "cancelled": sorted(self.cancelled),
                       "watchers": [w.path for w in self.watchers],
                       "servers": {k: v for k, v in self.servers.items()
                                   if k not in self.dead_servers},
                       "exec_dir": self.env.exec_dir, "failures": self.failures,
                       "notes": self.notes,
                       "monitor": [m.path for m in self.env.threads if isinstance(m, Monitor)]},
                      f, indent=1)
        return path


def submit_batch(env, client_factory, queue, job_set, items, deadline_s=120):
    """Submits one batch with client ids (so a retry after a server crash is deduplicated),
    retrying until it is acknowledged or `deadline_s` passes. Returns the job ids or None."""
    prefix = f"{job_set}-{random.getrandbits(48):012x}"
    for n, item in enumerate(items):
        item.client_id = f"{prefix}-{n}"
    rec = env.record
    with rec.lock:
        rec.attempted += len(items)
    deadline = time.monotonic() + deadline_s
    delay = 0.2
    while True:
        client = client_factory()
        try:
            ids = client.submit(queue, job_set, items)
            with rec.lock:
                for job_id in ids:
                    rec.acked[job_id] = [queue, job_set]
            return ids
        except Exception as e:
            if time.monotonic() > deadline:
                with rec.lock:
                    rec.unacked_batches += 1
                log(f"{env.name}: a batch of {len(items)} was never acknowledged: {e}")
                return None
            time.sleep(delay)
            delay = min(delay * 2, 2)
        finally:
            client.close()


class Submitter(threading.Thread):
    """Submits `batches` batches of `per_batch` jobs, one every `period` s (load)."""

    def __init__(self, env, address_fn, queue, job_sets, make_item, batches, per_batch, period):
        super().__init__(daemon=True)
        self.env, self.address_fn, self.queue, self.job_sets = env, address_fn, queue, job_sets
        self.make_item, self.batches, self.per_batch, self.period = (make_item, batches,
                                                                     per_batch, period)
        self.in_flight = threading.Event()
        self._halt = threading.Event()
        env.threads.append(self)

    def run(self):
        for b in range(self.batches):
            if self._halt.is_set():
                return
            started = time.monotonic()
            items = [self.make_item() for _ in range(self.per_batch)]
            self.in_flight.set()
            submit_batch(self.env, lambda: Client(self.address_fn()), self.queue,
                         self.job_sets[b % len(self.job_sets)], items)
            self.in_flight.clear()
            time.sleep(max(0, self.period - (time.monotonic() - started)))

    def stop(self):
        self._halt.set()
        self.join(180)


class Watcher(threading.Thread):
    """Watches one job set from its start, resuming from the last id after any error, and
    appends each message id it receives (and its kind and job) to watch-<queue>-<set>.log."""

    def __init__(self, env, address, queue, job_set):
        super().__init__(daemon=True)
        self.env, self.address, self.queue, self.job_set = env, address, queue, job_set
        self.path = os.path.join(env.dir, f"watch-{queue}-{job_set}.log")
        self.last = ""
        self.count = 0
        self._halt = threading.Event()
        self.call = None
        with open(self.path, "w") as f:
            f.write(f"# {queue} {job_set}\n")
        self.start()

    def run(self):
        from api import event_pb2
        out = open(self.path, "a")
        while not self._halt.is_set():
            client = Client(self.address)
            try:
                self.call = client.events.GetJobSetEvents(event_pb2.JobSetRequest(
                    id=self.job_set, queue=self.queue, watch=True, from_message_id=self.last,
                    errorIfMissing=False))
                for m in self.call:
                    kind = m.message.WhichOneof("events")
                    job = getattr(m.message, kind).job_id if kind else ""
                    out.write(f"{m.id} {kind} {job}\n")
                    out.flush()
                    self.last = m.id
                    self.count += 1
            except Exception:
                pass
            finally:
                client.close()
            if not self._halt.is_set():
                self._halt.wait(0.5)
        out.close()

    def stop(self):
        self._halt.set()
        if self.call is not None:
            self.call.cancel()
        self.join(10)


class Monitor(threading.Thread):
    """Samples, every 0.5 s while the database answers, jobs with more than one active run;
    each sighting is a line in monitor.log (the checker counts them as doubled)."""

    def __init__(self, env):
        super().__init__(daemon=True)
        self.env = env
        self.path = os.path.join(env.dir, "monitor.log")
        self._halt = threading.Event()
        open(self.path, "w").close()
        self.start()

    def run(self):
        while not self._halt.wait(0.5):
            try:
                rows = self.env.sql(
                    "SELECT job_id, array_agg(run_id::text) FROM runs WHERE state IN "
                    "('leased','pending','running') GROUP BY job_id HAVING count(*) > 1",
                    timeout=3)
            except Exception:
                continue
            if rows:
                with open(self.path, "a") as f:
                    for job_id, runs in rows:
                        f.write(f"{time.time():.3f} {job_id} {' '.join(runs)}\n")

    def stop(self):
        self._halt.set()
        self.join(10)


def pg_activity_matching(env, pattern, timeout, interval=0.003):
    """Waits until a session of the server runs (or holds a transaction after) a statement
    matching `pattern`; returns the statement. Polls pg_stat_activity on one connection."""
    import psycopg2
    rx = re.compile(pattern, re.S)
    conn = psycopg2.connect(env.database_url, connect_timeout=3)
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        with conn.cursor() as cur:
            while time.monotonic() < deadline:
                cur.execute("SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                            "AND state IN ('active', 'idle in transaction') "
                            "AND backend_xid IS NOT NULL")
                for (query,) in cur.fetchall():
                    if query and rx.search(query):
                        return query
                time.sleep(interval)
    finally:
        conn.close()
    raise Timeout(f"no statement matching /{pattern}/ within {timeout} s")

#!/usr/bin/python3
"""The calls a user of Armada's Python client (armada_client.ArmadaClient) makes,
against armada-server, through stubs generated from our protos.

Usage: armada_client_test.py HOST:PORT [TESTCASES_DIR]
(with the generated stubs on PYTHONPATH; TESTCASES_DIR holds restated copies
of Armada's testsuite/testcases job files, see testcases/README.md)

The server must run with a local executor that has at least 1 cpu free. Each
step prints what it checked; the first failed check raises and the script
exits non-zero.
"""
import copy
import pathlib
import sys
import time

import yaml

import grpc
from google.protobuf import empty_pb2, json_format

from api import event_pb2, event_pb2_grpc, health_pb2, job_pb2, job_pb2_grpc
from api import submit_pb2, submit_pb2_grpc
from k8s.io.api.core.v1 import generated_pb2 as core_v1
from k8s.io.apimachinery.pkg.api.resource import generated_pb2 as resource

TIMEOUT = 30  # seconds per unary call
WAIT = 60  # seconds for jobs to reach a state


class Client:
    """What armada_client.ArmadaClient offers, method for method, over plain stubs."""

    def __init__(self, channel):
        self.submit = submit_pb2_grpc.SubmitStub(channel)
        self.queues = submit_pb2_grpc.QueueServiceStub(channel)
        self.events = event_pb2_grpc.EventStub(channel)
        self.jobs = job_pb2_grpc.JobsStub(channel)

    def submit_health(self):
        return self.submit.Health(empty_pb2.Empty(), timeout=TIMEOUT)

    def event_health(self):
        return self.events.Health(empty_pb2.Empty(), timeout=TIMEOUT)

    def create_queue(self, queue):
        return self.queues.CreateQueue(queue, timeout=TIMEOUT)

    def create_queues(self, queues):
        return self.queues.CreateQueues(submit_pb2.QueueList(queues=queues), timeout=TIMEOUT)

    def update_queue(self, queue):
        return self.queues.UpdateQueue(queue, timeout=TIMEOUT)

    def update_queues(self, queues):
        return self.queues.UpdateQueues(submit_pb2.QueueList(queues=queues), timeout=TIMEOUT)

    def get_queue(self, name):
        return self.queues.GetQueue(submit_pb2.QueueGetRequest(name=name), timeout=TIMEOUT)

    def get_queues(self):
        """Every queue, from the GetQueues stream up to its end marker."""
        queues = []
        for message in self.queues.GetQueues(submit_pb2.StreamingQueueGetRequest(), timeout=TIMEOUT):
            if message.HasField("end"):
                return queues
            queues.append(message.queue)
        raise AssertionError("GetQueues ended without an end marker")

    def delete_queue(self, name):
        return self.queues.DeleteQueue(submit_pb2.QueueDeleteRequest(name=name), timeout=TIMEOUT)

    def submit_jobs(self, queue, job_set_id, items):
        request = submit_pb2.JobSubmitRequest(
            queue=queue, job_set_id=job_set_id, job_request_items=items)
        return self.submit.SubmitJobs(request, timeout=TIMEOUT)

    def cancel_jobset(self, queue, job_set_id, filter_states):
        request = submit_pb2.JobSetCancelRequest(
            queue=queue, job_set_id=job_set_id,
            filter=submit_pb2.JobSetFilter(states=filter_states))
        return self.submit.CancelJobSet(request, timeout=TIMEOUT)

    def get_job_events_stream(self, queue, job_set_id, from_message_id=None, watch=True,
                              error_if_missing=True):
        """The job set's events as a call (iterate it; cancel() to stop watching)."""
        request = event_pb2.JobSetRequest(
            id=job_set_id, queue=queue, from_message_id=from_message_id or "",
            watch=watch, errorIfMissing=error_if_missing)
        return self.events.GetJobSetEvents(request, timeout=WAIT)

    def get_job_status(self, job_ids):
        return self.jobs.GetJobStatus(job_pb2.JobStatusRequest(job_ids=job_ids), timeout=TIMEOUT)

    def get_job_status_by_external_job_uri(self, queue, job_set_id, external_job_uri):
        request = job_pb2.JobStatusUsingExternalJobUriRequest(
            queue=queue, jobset=job_set_id, external_job_uri=external_job_uri)
        return self.jobs.GetJobStatusUsingExternalJobUri(request, timeout=TIMEOUT)

    def get_job_errors(self, job_ids):
        return self.jobs.GetJobErrors(job_pb2.JobErrorsRequest(job_ids=job_ids), timeout=TIMEOUT)

    def get_job_details(self, job_ids):
        request = job_pb2.JobDetailsRequest(
            job_ids=job_ids, expand_job_spec=True, expand_job_run=True)
        return self.jobs.GetJobDetails(request, timeout=TIMEOUT)

    def get_job_run_details(self, run_ids):
        return self.jobs.GetJobRunDetails(
            job_pb2.JobRunDetailsRequest(run_ids=run_ids), timeout=TIMEOUT)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def step(name):
    print(f"== {name}", flush=True)


def job_item(command, external_job_uri="", grace_seconds=None):
    """A job as create_job_request_item builds it: one pod spec with resources."""
    resources = core_v1.ResourceRequirements(
        requests={"cpu": resource.Quantity(string="100m"),
                  "memory": resource.Quantity(string="64Mi")},
        limits={"cpu": resource.Quantity(string="100m"),
                "memory": resource.Quantity(string="64Mi")})
    pod = core_v1.PodSpec(
        restartPolicy="Never",
        containers=[core_v1.Container(
            name="main", image="busybox:latest", command=["sh", "-c"], args=[command],
            resources=resources)])
    if grace_seconds is not None:
        pod.terminationGracePeriodSeconds = grace_seconds
    return submit_pb2.JobSubmitRequestItem(
        priority=1, namespace="default", pod_specs=[pod], external_job_uri=external_job_uri)


def state_name(state):
    return submit_pb2.JobState.Name(state)


def wait_for_states(client, expected):
    """Polls GetJobStatus until every job id has its expected state name."""
    deadline = time.monotonic() + WAIT
    while True:
        states = client.get_job_status(list(expected)).job_states
        got = {job_id: state_name(states[job_id]) for job_id in expected}
        if got == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"job states {got}, expected {expected}")
        time.sleep(0.2)


def kind(message):
    return message.message.WhichOneof("events")


def job_of(message):
    return getattr(message.message, kind(message)).job_id


def read_events(call, until):
    """Reads a watching stream until until(events) holds, then stops watching."""
    events = []
    for message in call:
        events.append(message)
        if until(events):
            call.cancel()
            return events
    raise AssertionError(f"the event stream ended early after {len(events)} events")


def all_events(client, queue, job_set):
    """Everything the job set holds now (watch=False ends at the last event);
    nothing while its first events are still on their way to Redis."""
    return list(client.get_job_events_stream(queue, job_set, watch=False,
                                             error_if_missing=False))


def wait_for_events(client, queue, job_set, until):
    """Polls the job set's events until until(events) holds; returns them."""
    deadline = time.monotonic() + WAIT
    while True:
        events = all_events(client, queue, job_set)
        if until(events):
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"{job_set}: events {[kind(e) for e in events]}")
        time.sleep(0.2)


def test_health(client):
    step("health")
    serving = health_pb2.HealthCheckResponse.SERVING
    check(client.submit_health().status == serving, "Submit.Health is not SERVING")
    check(client.event_health().status == serving, "Event.Health is not SERVING")


def test_queues(client):
    step("queues: create, get, update, create/update in batches, list, delete")
    client.create_queue(submit_pb2.Queue(
        name="py-q", priority_factor=1, user_owners=["alice"], group_owners=["team"]))
    queue = client.get_queue("py-q")
    check(queue.name == "py-q" and queue.priority_factor == 1, f"get_queue: {queue}")
    check(list(queue.user_owners) == ["alice"], f"user owners: {queue.user_owners}")
    try:
        client.create_queue(submit_pb2.Queue(name="py-q", priority_factor=1))
        raise AssertionError("creating py-q twice succeeded")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.ALREADY_EXISTS, f"duplicate create: {e.code()}")

    client.update_queue(submit_pb2.Queue(name="py-q", priority_factor=2, user_owners=["bob"]))
    queue = client.get_queue("py-q")
    check(queue.priority_factor == 2 and list(queue.user_owners) == ["bob"],
          f"after update_queue: {queue}")

    created = client.create_queues([submit_pb2.Queue(name=n, priority_factor=1)
                                    for n in ("py-b1", "py-b2")])
    check(not created.failed_queues, f"create_queues failed: {created.failed_queues}")
    updated = client.update_queues([submit_pb2.Queue(name=n, priority_factor=3)
                                    for n in ("py-b1", "py-b2")])
    check(not updated.failed_queues, f"update_queues failed: {updated.failed_queues}")
    check(client.get_queue("py-b2").priority_factor == 3, "update_queues did not apply")

    names = [q.name for q in client.get_queues()]
    check({"py-q", "py-b1", "py-b2"} <= set(names), f"get_queues: {names}")

    for name in ("py-b1", "py-b2"):
        client.delete_queue(name)
    try:
        client.get_queue("py-b1")
        raise AssertionError("a deleted queue is still there")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.NOT_FOUND, f"get deleted queue: {e.code()}")
    names = [q.name for q in client.get_queues()]
    check("py-b1" not in names and "py-q" in names, f"get_queues after delete: {names}")


def test_jobs_and_events(client):
    step("submit two jobs: one succeeds, one fails")
    response = client.submit_jobs("py-q", "py-run", [
        job_item("exit 0", external_job_uri="py://jobs/ok"),
        job_item("echo boom >&2; exit 3"),
    ])
    ids = [item.job_id for item in response.job_response_items]
    check(len(ids) == 2 and all(ids), f"job ids: {ids}")
    check(not any(item.error for item in response.job_response_items), f"errors: {response}")
    ok, bad = ids

    step("event stream: read part, resume from the last message id")
    # Events reach Redis asynchronously; errorIfMissing (as the Python client
    # sets it) fails until the job set's first event is there.
    wait_for_events(client, "py-q", "py-run", until=lambda events: len(events) > 0)
    first = read_events(client.get_job_events_stream("py-q", "py-run"),
                        until=lambda events: len(events) == 3)
    finished = {"succeeded", "failed", "cancelled"}

    def both_finished(events):
        done = {job_of(e) for e in first + events if kind(e) in finished}
        return done == {ok, bad}

    rest = read_events(client.get_job_events_stream("py-q", "py-run", first[-1].id),
                       until=both_finished)
    resumed = [e.id for e in first + rest]
    check(len(resumed) == len(set(resumed)), f"duplicate message ids: {resumed}")
    whole = all_events(client, "py-q", "py-run")
    check([e.id for e in whole] == resumed,
          f"resumed stream {resumed} differs from the whole stream {[e.id for e in whole]}")
    kinds = {job: [kind(e) for e in whole if job_of(e) == job] for job in ids}
    check(kinds[ok][:2] == ["submitted", "queued"] and kinds[ok][-1] == "succeeded",
          f"events of the succeeded job: {kinds[ok]}")
    check(kinds[bad][-1] == "failed", f"events of the failed job: {kinds[bad]}")

    step("job status, by id and by external job URI")
    wait_for_states(client, {ok: "SUCCEEDED", bad: "FAILED"})
    states = client.get_job_status([ok, "no-such-job"]).job_states
    check(state_name(states["no-such-job"]) == "UNKNOWN", f"unknown job: {states}")
    by_uri = client.get_job_status_by_external_job_uri("py-q", "py-run", "py://jobs/ok")
    check(dict(by_uri.job_states) == {ok: submit_pb2.SUCCEEDED}, f"by URI: {by_uri}")

    step("job errors, details and run details")
    errors = client.get_job_errors([ok, bad]).job_errors
    check(errors[bad] != "", f"no error for the failed job: {dict(errors)}")
    check(errors[ok] == "", f"an error for the succeeded job: {dict(errors)}")
    details = client.get_job_details([ok]).job_details[ok]
    check(details.queue == "py-q" and details.jobset == "py-run", f"details: {details}")
    check(details.state == submit_pb2.SUCCEEDED, f"details state: {details.state}")
    check(details.job_spec.id == ok, f"no expanded spec: {details.job_spec}")
    check(details.job_spec.pod_specs[0].containers[0].args == ["exit 0"], "spec's command")
    check(len(details.job_runs) == 1 and details.job_runs[0].run_id == details.latest_run_id,
          f"runs: {details.job_runs}")
    runs = client.get_job_run_details([details.latest_run_id]).job_run_details
    run = runs[details.latest_run_id]
    check(run.job_id == ok and run.state == job_pb2.RUN_STATE_SUCCEEDED, f"run: {run}")
    check(run.cluster == "py-executor" and run.node == "py-node", f"run placement: {run}")
    check(run.finished_ts.seconds >= run.leased_ts.seconds > 0, f"run times: {run}")


def item_from_testcase(job):
    """A JobSubmitRequestItem from a job of an Armada testcase file, as Armada's
    test suite reads it: Kubernetes' field names, quantities as strings."""
    job = copy.deepcopy(job)
    pod = job.pop("podSpec")
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        resources = container.get("resources", {})
        for side in ("requests", "limits"):
            if side in resources:
                resources[side] = {k: {"string": str(v)} for k, v in resources[side].items()}
    job["podSpecs"] = [pod]
    return json_format.ParseDict(job, submit_pb2.JobSubmitRequestItem())


def test_armada_testcases(client, directory):
    """Armada's own end-to-end job files are accepted, stored with Armada's
    defaults, and run to the events each file expects."""
    for path in sorted(pathlib.Path(directory).glob("*.yaml")):
        step(f"Armada testcase {path.name}: accepted, defaulted, expected events")
        spec, expect = list(yaml.safe_load_all(path.read_text()))
        queue = spec["queue"]
        if queue not in [q.name for q in client.get_queues()]:
            client.create_queue(submit_pb2.Queue(name=queue, priority_factor=1))
        job_set = spec.get("jobSetId") or f"testcase-{path.stem}"
        ids = []
        for _ in range(spec.get("numBatches", 1)):
            items = [item_from_testcase(job) for job in spec["jobs"]
                     for _ in range(spec.get("batchSize", 1))]
            response = client.submit_jobs(queue, job_set, items)
            check(not any(item.error for item in response.job_response_items),
                  f"{path.name}: errors {response}")
            ids += [item.job_id for item in response.job_response_items]
        check(len(ids) == spec.get("numBatches", 1) * spec.get("batchSize", 1) * len(spec["jobs"]),
              f"{path.name}: job ids {ids}")
        details = client.get_job_details(ids).job_details
        for job_id in ids:
            pod = details[job_id].job_spec.pod_specs[0]
            check(pod.terminationGracePeriodSeconds == 1,
                  f"{path.name}: grace period {pod.terminationGracePeriodSeconds}, expected the "
                  "minimum (1) for a zero one")
            check(pod.priorityClassName == "armada-default",
                  f"{path.name}: priority class {pod.priorityClassName!r}")
        expected = [next(iter(e)) for e in expect["expectedEvents"]]
        last = expected[-1]

        def all_ended(events):
            return {job_of(e) for e in events if kind(e) == last} == set(ids)

        events = wait_for_events(client, queue, job_set, until=all_ended)
        for job_id in ids:
            kinds = [kind(e) for e in events if job_of(e) == job_id]
            check(all(k in kinds for k in expected), f"{path.name}: {job_id} events {kinds}")


def test_cancel_job_set(client):
    step("cancel a job set")
    response = client.submit_jobs("py-q", "py-cancel", [
        job_item("sleep 120", grace_seconds=2), job_item("sleep 120", grace_seconds=2)])
    ids = [item.job_id for item in response.job_response_items]
    client.cancel_jobset("py-q", "py-cancel", filter_states=[])
    wait_for_states(client, {job_id: "CANCELLED" for job_id in ids})
    wait_for_events(client, "py-q", "py-cancel",
                    until=lambda events: {job_of(e) for e in events
                                          if kind(e) == "cancelled"} == set(ids))

    step("delete the queue once its jobs are done")
    client.delete_queue("py-q")
    names = [q.name for q in client.get_queues()]
    check("py-q" not in names, f"get_queues after deleting py-q: {names}")


def main():
    channel = grpc.insecure_channel(sys.argv[1])
    grpc.channel_ready_future(channel).result(timeout=15)
    client = Client(channel)
    test_health(client)
    test_queues(client)
    test_jobs_and_events(client)
    if len(sys.argv) > 2:
        test_armada_testcases(client, sys.argv[2])
    test_cancel_job_set(client)
    print("python client: all checks passed")


if __name__ == "__main__":
    main()

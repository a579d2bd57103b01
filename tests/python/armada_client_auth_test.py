#!/usr/bin/python3
"""Armada's Python client with Basic authentication, against armada-server running
examples/auth/server.yaml (users admin, alice (group team-a), bob, executor; passwords
"<user>-password"; anonymous access off).

Usage: armada_client_auth_test.py HOST:PORT [CA_FILE]   (generated stubs on PYTHONPATH)

A user of armada_client.ArmadaClient authenticates by the channel it hands the client: call
credentials that add `authorization: Basic base64(user:password)` to every call, composited
with local channel credentials for plaintext on loopback, or with ssl_channel_credentials for
TLS (CA_FILE given). The server must run a local executor logged in as `executor`.

Checks: admin creates queue team-a for group team-a (submit, cancel, watch); alice submits a job
there and watches its events to success; bob is refused with PERMISSION_DENIED (submit, watch,
cancel); no credentials and a wrong password are refused with UNAUTHENTICATED.
"""
import base64
import os
import sys

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from armada_client_test import Client, check, job_item, kind, job_of, read_events, step  # noqa: E402
from armada_client_test import wait_for_events  # noqa: E402
from api import submit_pb2  # noqa: E402

TARGET = sys.argv[1]
CA_FILE = sys.argv[2] if len(sys.argv) > 2 else None


class BasicAuth(grpc.AuthMetadataPlugin):
    """Adds `authorization: Basic ...` to each call, as a user of the Python client would."""

    def __init__(self, username, password):
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._metadata = (("authorization", f"Basic {token}"),)

    def __call__(self, context, callback):
        callback(self._metadata, None)


def channel_for(username=None, password=None):
    """A channel as a Python client user builds it: TLS with CA_FILE, else local (plaintext on
    loopback); with call credentials when a user is given, else none at all."""
    if CA_FILE:
        with open(CA_FILE, "rb") as f:
            transport = grpc.ssl_channel_credentials(root_certificates=f.read())
    else:
        transport = grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP)
    if username is None:
        return grpc.secure_channel(TARGET, transport)
    call = grpc.metadata_call_credentials(BasicAuth(username, password), name="basic")
    return grpc.secure_channel(TARGET, grpc.composite_channel_credentials(transport, call))


def expect_code(code, what, call):
    try:
        call()
    except grpc.RpcError as error:
        check(error.code() == code, f"{what}: {error.code()} ({error.details()}), want {code}")
        print(f"   {what}: {error.code().name}: {error.details()}", flush=True)
        return
    raise AssertionError(f"{what}: succeeded, want {code}")


def create_team_queue(admin):
    step("admin creates queue team-a for group team-a (submit, cancel, watch)")
    queue = submit_pb2.Queue(name="team-a", priority_factor=1, permissions=[
        submit_pb2.Queue.Permissions(
            subjects=[submit_pb2.Queue.Permissions.Subject(kind="Group", name="team-a")],
            verbs=["submit", "cancel", "watch"])])
    try:
        admin.create_queue(queue)
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.ALREADY_EXISTS, f"create team-a: {error}")
        admin.update_queue(queue)
    got = admin.get_queue("team-a")
    check(len(got.permissions) == 1 and set(got.permissions[0].verbs) ==
          {"submit", "cancel", "watch"}, f"team-a permissions: {got.permissions}")


def test_refused_without_credentials():
    step("no credentials, a wrong password, an unknown user: UNAUTHENTICATED")
    for what, client in (("no credentials", Client(channel_for())),
                         ("wrong password", Client(channel_for("alice", "wrong"))),
                         ("unknown user", Client(channel_for("mallory", "mallory-password")))):
        expect_code(grpc.StatusCode.UNAUTHENTICATED, f"{what}: submit",
                    lambda: client.submit_jobs("team-a", "py-auth", [job_item("exit 0")]))
        expect_code(grpc.StatusCode.UNAUTHENTICATED, f"{what}: get queue",
                    lambda: client.get_queue("team-a"))


def test_alice_submits_and_watches(alice):
    step("alice submits to team-a and watches the job to success")
    response = alice.submit_jobs("team-a", "py-auth", [job_item("echo hello from alice")])
    ids = [item.job_id for item in response.job_response_items]
    check(len(ids) == 1 and ids[0], f"job ids: {ids}")
    job = ids[0]
    wait_for_events(alice, "team-a", "py-auth", until=lambda events: len(events) > 0)
    events = read_events(alice.get_job_events_stream("team-a", "py-auth"),
                         until=lambda events: any(kind(e) in ("succeeded", "failed")
                                                  and job_of(e) == job for e in events))
    kinds = [kind(e) for e in events if job_of(e) == job]
    check(kinds[:2] == ["submitted", "queued"] and kinds[-1] == "succeeded", f"events: {kinds}")
    return job


def test_bob_refused(bob):
    step("bob (not in team-a): PERMISSION_DENIED for submit, watch and cancel")
    expect_code(grpc.StatusCode.PERMISSION_DENIED, "bob: submit",
                lambda: bob.submit_jobs("team-a", "py-bob", [job_item("exit 0")]))
    expect_code(grpc.StatusCode.PERMISSION_DENIED, "bob: watch",
                lambda: list(bob.get_job_events_stream("team-a", "py-auth", watch=False)))
    expect_code(grpc.StatusCode.PERMISSION_DENIED, "bob: cancel job set",
                lambda: bob.cancel_jobset("team-a", "py-auth", []))


def main():
    admin = Client(channel_for("admin", "admin-password"))
    alice = Client(channel_for("alice", "alice-password"))
    bob = Client(channel_for("bob", "bob-password"))
    grpc.channel_ready_future(channel_for()).result(timeout=15)
    create_team_queue(admin)
    test_refused_without_credentials()
    test_alice_submits_and_watches(alice)
    test_bob_refused(bob)
    print("python client with Basic auth: all checks passed", flush=True)


if __name__ == "__main__":
    main()

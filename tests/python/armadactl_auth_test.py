#!/usr/bin/python3
"""armadactl's credentials and TLS end to end, against stand-ins that record what arrives.

Usage: armadactl_auth_test.py ARMADACTL WORK_DIR   (generated stubs on PYTHONPATH)

Serves on loopback (ports picked by the kernel):
  * a fake OpenID provider over HTTPS (a test CA's certificate for 127.0.0.1): discovery,
    the password, client-credentials and device grants, counting each request;
  * a fake QueueService (GetQueue, GetQueues, CordonQueue) three times: plaintext, TLS, and TLS
    requiring a client certificate. Every call records its `authorization` metadata.
Then runs armadactl with one context per way of authenticating and checks what the stand-ins
saw. Each step prints what it checked; the first failed check raises.
"""
import base64
import json
import os
import ssl
import subprocess
import sys
import threading
import urllib.parse
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc

from api import submit_pb2, submit_pb2_grpc
from google.protobuf import empty_pb2

ARMADACTL, WORK = sys.argv[1], sys.argv[2]


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def step(name):
    print(f"== {name}", flush=True)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certs():
    """A CA, a server certificate for 127.0.0.1/localhost, a client certificate, another CA."""
    def path(name):
        return os.path.join(WORK, name)
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-keyout", path(f"{ca}.key"), "-out", path(f"{ca}.crt"),
                "-subj", f"/CN=armadactl test {ca}",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, ext in (("server", "extendedKeyUsage=serverAuth\n"
                                 "subjectAltName=DNS:localhost,IP:127.0.0.1\n"),
                      ("client", "extendedKeyUsage=clientAuth\n")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", path(f"{name}.key"), "-out", path(f"{name}.csr"), "-subj", f"/CN={name}")
        with open(path(f"{name}.ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\n" + ext)
        openssl("x509", "-req", "-in", path(f"{name}.csr"), "-CA", path("ca.crt"),
                "-CAkey", path("ca.key"), "-CAcreateserial", "-days", "2",
                "-extfile", path(f"{name}.ext"), "-out", path(f"{name}.crt"))


# --- the fake OpenID provider

class Provider:
    def __init__(self):
        self.requests = []  # (path, form, authorization header)
        self.device_polls = 0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(os.path.join(WORK, "server.crt"), os.path.join(WORK, "server.key"))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/realms/armada"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token_requests(self):
        return [r for r in self.requests if r[0].endswith("/token")]

    def _answer(self, path, form, authorization):
        base = self.url
        if path == "/realms/armada/.well-known/openid-configuration":
            return 200, {"issuer": base, "token_endpoint": base + "/token",
                         "device_authorization_endpoint": base + "/device"}
        if path == "/realms/armada/device":
            return 200, {"device_code": "dev-code", "user_code": "WDJB-MJHT",
                         "verification_uri": base + "/activate", "expires_in": 30,
                         "interval": 1}
        if path != "/realms/armada/token":
            return 404, {"error": "not_found"}
        grant = form.get("grant_type")
        robot = "Basic " + base64.b64encode(b"robot:robot-secret").decode()
        if grant == "client_credentials" and authorization == robot \
                and form.get("scope") == "armada":
            return 200, {"access_token": "cc-token", "token_type": "Bearer", "expires_in": 300}
        if grant == "password" and form.get("client_id") == "armadactl" \
                and form.get("username") == "alice" and form.get("password") == "alice-password":
            return 200, {"access_token": "pw-token", "token_type": "Bearer", "expires_in": 300}
        if grant == "urn:ietf:params:oauth:grant-type:device_code" \
                and form.get("device_code") == "dev-code":
            self.device_polls += 1
            if self.device_polls == 1:
                return 400, {"error": "authorization_pending"}
            return 200, {"access_token": "device-token", "token_type": "Bearer"}
        return 401, {"error": "invalid_grant", "error_description": "Invalid user credentials"}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, form):
                path = urllib.parse.urlparse(self.path).path
                authorization = self.headers.get("Authorization", "")
                provider.requests.append((path, form, authorization))
                status, body = provider._answer(path, form, authorization)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._reply({})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                self._reply(dict(urllib.parse.parse_qsl(body)))

            def log_message(self, *args):
                pass

        return Handler


# --- the fake Armada server

class Queues(submit_pb2_grpc.QueueServiceServicer):
    def __init__(self):
        self.calls = []  # (method, authorization metadata)

    def _record(self, method, context):
        metadata = dict(context.invocation_metadata())
        self.calls.append((method, metadata.get("authorization", "")))

    def GetQueue(self, request, context):
        self._record("GetQueue", context)
        return submit_pb2.Queue(name=request.name, priority_factor=1)

    def GetQueues(self, request, context):
        self._record("GetQueues", context)
        for name in ("qa", "qb"):
            yield submit_pb2.StreamingQueueMessage(queue=submit_pb2.Queue(name=name,
                                                                          priority_factor=1))
        yield submit_pb2.StreamingQueueMessage(end=submit_pb2.EndMarker())

    def CordonQueue(self, request, context):
        self._record("CordonQueue", context)
        return empty_pb2.Empty()


def serve(credentials=None):
    queues = Queues()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    submit_pb2_grpc.add_QueueServiceServicer_to_server(queues, server)
    if credentials is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    return server, queues, port


def tls_credentials(require_client_certificate):
    def read(name):
        with open(os.path.join(WORK, name), "rb") as f:
            return f.read()
    return grpc.ssl_server_credentials(
        [(read("server.key"), read("server.crt"))],
        root_certificates=read("ca.crt") if require_client_certificate else None,
        require_client_auth=require_client_certificate)


# --- armadactl

def write_config(plain, tls, mtls, idp):
    ca, other_ca = os.path.join(WORK, "ca.crt"), os.path.join(WORK, "other-ca.crt")
    token_file = os.path.join(WORK, "token")
    with open(token_file, "w") as f:
        f.write("file-token\n")
    helper = os.path.join(WORK, "token-helper.sh")
    with open(helper, "w") as f:
        f.write("#!/bin/sh\necho \"exec-$1-$TOKEN_SUFFIX\"\n")
    os.chmod(helper, 0o700)
    contexts = {
        "client-credentials": {
            "armadaUrl": f"127.0.0.1:{plain}",
            "openIdClientCredentialsAuth": {
                "providerUrl": idp, "clientId": "robot", "clientSecret": "robot-secret",
                "scopes": ["armada"], "caFile": ca}},
        "password": {
            "armadaUrl": f"127.0.0.1:{plain}",
            "openIdPasswordAuth": {
                "providerUrl": idp, "clientId": "armadactl", "username": "alice",
                "password": "alice-password", "caFile": ca}},
        "wrong-password": {
            "armadaUrl": f"127.0.0.1:{plain}",
            "openIdPasswordAuth": {
                "providerUrl": idp, "clientId": "armadactl", "username": "alice",
                "password": "guess", "caFile": ca}},
        "untrusted-idp": {
            "armadaUrl": f"127.0.0.1:{plain}",
            "openIdPasswordAuth": {
                "providerUrl": idp, "clientId": "armadactl", "username": "alice",
                "password": "alice-password", "caFile": other_ca}},
        "device": {
            "armadaUrl": f"127.0.0.1:{plain}",
            "openIdDeviceAuth": {"providerUrl": idp, "clientId": "armadactl", "caFile": ca}},
        "exec": {
            "armadaUrl": f"127.0.0.1:{plain}",
            "execAuth": {"cmd": helper, "args": ["token"],
                         "env": [{"name": "TOKEN_SUFFIX", "value": "42"}]}},
        "token-file": {"armadaUrl": f"localhost:{plain}", "bearerTokenFile": token_file},
        "basic": {"armadaUrl": f"127.0.0.1:{plain}",
                  "basicAuth": {"username": "alice", "password": "alice-password"}},
        # TLS: caFile makes a loopback URL use TLS; the IdP's CA comes from the context.
        "tls": {"armadaUrl": f"127.0.0.1:{tls}", "caFile": ca,
                "openIdClientCredentialsAuth": {
                    "providerUrl": idp, "clientId": "robot", "clientSecret": "robot-secret",
                    "scopes": ["armada"]}},
        "tls-name": {"armadaUrl": f"127.0.0.1:{tls}", "caFile": ca, "tlsServerName": "localhost"},
        "tls-other-ca": {"armadaUrl": f"127.0.0.1:{tls}", "caFile": other_ca},
        "loopback-plaintext-to-tls": {"armadaUrl": f"127.0.0.1:{tls}"},
        "mtls": {"armadaUrl": f"127.0.0.1:{mtls}", "caFile": ca,
                 "clientCertFile": os.path.join(WORK, "client.crt"),
                 "clientKeyFile": os.path.join(WORK, "client.key"),
                 "basicAuth": {"username": "admin", "password": "admin-password"}},
        "mtls-no-cert": {"armadaUrl": f"127.0.0.1:{mtls}", "caFile": ca},
    }
    path = os.path.join(WORK, "armadactl.yaml")
    with open(path, "w") as f:
        json.dump({"currentContext": "basic", "contexts": contexts}, f, indent=2)  # JSON is YAML
    return path


def armadactl(config, context, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("ARMADA_URL", "ARMADACTL_CONFIG")}
    result = subprocess.run([ARMADACTL, "--config", config, "--context", context, *args],
                            capture_output=True, text=True, timeout=60, env=env)
    return result.returncode, result.stdout, result.stderr


def expect_ok(config, context, *args):
    code, out, err = armadactl(config, context, *args)
    check(code == 0, f"armadactl --context {context} {' '.join(args)}: exit {code}: {out}{err}")
    return out, err


def expect_error(config, context, text, *args):
    code, out, err = armadactl(config, context, *args)
    check(code == 1, f"--context {context}: exit {code}, want 1: {out}{err}")
    check(text in err, f"--context {context}: expected {text!r} on stderr: {err}")
    print(f"   {err.strip()}", flush=True)
    return err


def main():
    make_certs()
    provider = Provider()
    # Keep the servers referenced: a collected grpc.server stops serving.
    plain_server, plain, plain_port = serve()
    tls_server, tls, tls_port = serve(tls_credentials(False))
    mtls_server, mtls, mtls_port = serve(tls_credentials(True))
    config = write_config(plain_port, tls_port, mtls_port, provider.url)

    step("openIdClientCredentialsAuth: one token for every call of the command")
    expect_ok(config, "client-credentials", "cordon", "queues", "qa", "qb")
    check([c[0] for c in plain.calls] == ["GetQueues", "CordonQueue", "CordonQueue"],
          f"calls {plain.calls}")
    check(all(c[1] == "Bearer cc-token" for c in plain.calls), f"calls {plain.calls}")
    check(len(provider.token_requests()) == 1, f"token requests {provider.requests}")

    step("openIdPasswordAuth: the resource-owner password grant")
    plain.calls.clear()
    out, _ = expect_ok(config, "password", "get", "queue", "q1")
    check("q1" in out, out)
    check(plain.calls == [("GetQueue", "Bearer pw-token")], f"calls {plain.calls}")

    step("openIdPasswordAuth refused by the provider: no call reaches the server")
    plain.calls.clear()
    expect_error(config, "wrong-password",
                 "contexts.wrong-password.openIdPasswordAuth: token endpoint "
                 f"{provider.url}/token: invalid_grant: Invalid user credentials",
                 "get", "queue", "q1")
    check(plain.calls == [], f"calls {plain.calls}")

    step("the provider's certificate is checked against caFile")
    before = len(provider.requests)
    expect_error(config, "untrusted-idp", "contexts.untrusted-idp.openIdPasswordAuth: "
                 f"{provider.url}/.well-known/openid-configuration: ", "get", "queue", "q1")
    check(len(provider.requests) == before, "a request got past the TLS handshake")

    step("openIdDeviceAuth: the code is shown, the token endpoint polled")
    plain.calls.clear()
    _, err = expect_ok(config, "device", "get", "queue", "q1")
    check("and enter code: WDJB-MJHT" in err, err)
    check(provider.device_polls == 2, f"device polls {provider.device_polls}")
    check(plain.calls == [("GetQueue", "Bearer device-token")], f"calls {plain.calls}")

    step("execAuth: the command's stdout is the token")
    plain.calls.clear()
    expect_ok(config, "exec", "get", "queue", "q1")
    check(plain.calls == [("GetQueue", "Bearer exec-token-42")], f"calls {plain.calls}")

    step("bearerTokenFile")
    plain.calls.clear()
    expect_ok(config, "token-file", "get", "queue", "q1")
    check(plain.calls == [("GetQueue", "Bearer file-token")], f"calls {plain.calls}")

    step("basicAuth")
    plain.calls.clear()
    expect_ok(config, "basic", "get", "queue", "q1")
    basic = "Basic " + base64.b64encode(b"alice:alice-password").decode()
    check(plain.calls == [("GetQueue", basic)], f"calls {plain.calls}")

    step("TLS with caFile (loopback URL), OpenID token over it")
    expect_ok(config, "tls", "get", "queue", "q1")
    check(tls.calls == [("GetQueue", "Bearer cc-token")], f"calls {tls.calls}")
    expect_ok(config, "tls-name", "get", "queue", "q1")

    step("TLS refuses a server certificate from another CA")
    expect_error(config, "tls-other-ca", "the server's certificate is not trusted", "get",
                 "queue", "q1")

    step("a loopback URL without TLS keys is plaintext (and a TLS server refuses it)")
    expect_error(config, "loopback-plaintext-to-tls", "Error: ", "get", "queue", "q1")

    step("mutual TLS: the client certificate, and Basic auth with it")
    expect_ok(config, "mtls", "get", "queue", "q1")
    admin = "Basic " + base64.b64encode(b"admin:admin-password").decode()
    check(mtls.calls == [("GetQueue", admin)], f"calls {mtls.calls}")
    expect_error(config, "mtls-no-cert", "Error: ", "get", "queue", "q1")
    check(len(mtls.calls) == 1, f"a call without a client certificate arrived: {mtls.calls}")

    for server in (plain_server, tls_server, mtls_server):
        server.stop(None)
    print("armadactl auth: all checks passed", flush=True)


if __name__ == "__main__":
    main()

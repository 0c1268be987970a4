#!/usr/bin/env python3
"""Cold start of the signaling Lambda `bootstrap` against a Lambda Runtime API double.

Each run starts the bootstrap as a fresh process (a new execution environment), queues one event, and times
process start -> the event's response fully received on POST /2018-06-01/runtime/invocation/{id}/response.
It also notes when the first GET invocation/next arrived (the end of the function's init phase).

The double speaks the Runtime API as AWS documents it: GET invocation/next blocks until an event is queued and
answers with Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn and -Trace-Id; POST
invocation/{id}/response|error and init/error answer 202. Standard library only, so nothing is built for it.

  cold_start.py --runs 10 --label aot -- artifacts/lambda-aot/publish/bootstrap
  cold_start.py --runs 10 --label jit -- artifacts/lambda-jit/publish/bootstrap

Prints one line per run and a summary line: "<label>: median N ms (init M ms), min, max, status S".
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:mobz-rooms"

# A rooms $connect without an access token: the function refuses it with 401, as API Gateway expects.
CONNECT_WITHOUT_TOKEN = {
    "requestContext": {
        "routeKey": "$connect", "eventType": "CONNECT", "extendedRequestId": "x",
        "requestTime": "06/Dec/2026:03:00:00 +0000", "messageDirection": "IN", "stage": "prod",
        "connectedAt": 1796526000000, "requestTimeEpoch": 1796526000000, "identity": {"sourceIp": "192.0.2.1"},
        "requestId": "r", "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
        "connectionId": "c-cold=", "apiId": "abc123",
    },
    "queryStringParameters": None, "body": None, "isBase64Encoded": False,
}


class Run:
    """One execution environment's worth of state: the queued event and what the function answered."""

    def __init__(self, event):
        self.request_id = str(uuid.uuid4())
        self.event = json.dumps(event).encode()
        self.delivered = False
        self.first_next = None
        self.answered = None
        self.kind = None
        self.body = None
        self.done = threading.Event()
        self.lock = threading.Lock()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A killed bootstrap resets its held long poll: that is how every run ends, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RuntimeApi(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    run = None  # the current Run, set by the driver

    def log_message(self, *_):
        pass

    def _answer(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self._answer(404, b'{"errorMessage":"not found"}')
        run = RuntimeApi.run
        with run.lock:
            if run.first_next is None:
                run.first_next = time.monotonic_ns()
            first = not run.delivered
            run.delivered = True
        if not first:
            # The long poll of an idle environment: hold it until the run is over (the process is then killed).
            run.done.wait(60)
            return self._answer(500, b'{"errorMessage":"environment torn down","errorType":"Runtime.Exit"}')
        deadline_ms = int(time.time() * 1000) + 30_000
        self._answer(200, run.event, {
            "Lambda-Runtime-Aws-Request-Id": run.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
        })

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        run = RuntimeApi.run
        prefix = "/2018-06-01/runtime/"
        path = self.path[len(prefix):] if self.path.startswith(prefix) else ""
        if path in (f"invocation/{run.request_id}/response", f"invocation/{run.request_id}/error", "init/error"):
            with run.lock:
                run.answered = time.monotonic_ns()
                run.kind = path.rsplit("/", 1)[-1]
                run.body = body.decode(errors="replace")
            self._answer(202, b'{"status":"OK"}')
            run.done.set()
        else:
            self._answer(400, b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--label", default="bootstrap")
    parser.add_argument("--timeout", type=float, default=60, help="seconds one run may take")
    parser.add_argument("command", nargs="+", help="the bootstrap and its arguments (after --)")
    args = parser.parse_args()

    server = Server(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "MOBZ_HANDLER": "rooms",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "MobZ__Access__HmacSecret": "cold-start-bench-secret-of-32-bytes!",
        "MobZ__Access__Audience": "mobz",
    })

    totals, inits, statuses = [], [], set()
    for i in range(args.runs):
        run = Run(CONNECT_WITHOUT_TOKEN)
        RuntimeApi.run = run
        started = time.monotonic_ns()
        process = subprocess.Popen(args.command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        answered = run.done.wait(args.timeout)
        process.kill()
        process.wait()
        run.done.set()  # releases a held long poll
        if not answered:
            sys.exit(f"{args.label} run {i + 1}: no answer within {args.timeout} s (exit code {process.returncode})")
        total = (run.answered - started) / 1e6
        init = (run.first_next - started) / 1e6
        status = json.loads(run.body).get("statusCode") if run.kind == "response" else run.kind
        totals.append(total)
        inits.append(init)
        statuses.add(status)
        print(f"{args.label} run {i + 1}: {total:.0f} ms to the response (init {init:.0f} ms), {run.kind} {status}", flush=True)
    server.shutdown()
    print(f"{args.label}: median {statistics.median(totals):.0f} ms (init {statistics.median(inits):.0f} ms), "
          f"min {min(totals):.0f}, max {max(totals):.0f}, status {', '.join(map(str, sorted(statuses, key=str)))}")


if __name__ == "__main__":
    main()

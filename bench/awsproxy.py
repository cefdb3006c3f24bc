#!/usr/bin/env python3
"""A small HTTP proxy in front of moto for the AWS benchmarks.

herd (through the AWS SDK) talks to it via AWS_ENDPOINT_URL. For every call
it works out the AWS service (from the SigV4 credential scope) and action
(X-Amz-Target, the query protocol's Action=, or the REST method and path),
waits --latency seconds (the round trip to a real AWS region), optionally
throttles each service at --rate requests per second with the error AWS
itself would send (RequestLimitExceeded for EC2, Throttling /
ThrottlingException elsewhere), then forwards the call to moto.

GET /__stats returns the counts as JSON ({service: {action: n}}, plus
accepted/throttled totals and first/last accepted times per service);
POST /__reset clears them.

    awsproxy.py --listen 18080 --upstream http://127.0.0.1:5000 --latency 0.1 [--rate 20]
"""
import argparse
import http.client
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_THROTTLE = {"ecs", "logs", "secretsmanager", "acm", "application-autoscaling", "sts"}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.calls = {}
            self.accepted = {}
            self.throttled = {}
            self.first = {}
            self.last = {}

    def snapshot(self):
        with self.lock:
            return {
                "calls": self.calls,
                "accepted": self.accepted,
                "throttled": self.throttled,
                "first": self.first,
                "last": self.last,
                "total": sum(sum(a.values()) for a in self.calls.values()),
            }


class Bucket:
    """A token bucket per service: `rate` tokens per second, burst = rate."""

    def __init__(self, rate):
        self.rate = rate
        self.tokens = rate
        self.t = time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def service_of(headers):
    auth = headers.get("Authorization", "")
    m = re.search(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request", auth)
    return m.group(1) if m else "unknown"


def action_of(method, path, headers, body):
    t = headers.get("X-Amz-Target")
    if t:
        return t.split(".")[-1]
    ctype = headers.get("Content-Type", "")
    if "x-www-form-urlencoded" in ctype and body:
        q = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in q:
            return q["Action"][0]
    p = urllib.parse.urlparse(path)
    q = urllib.parse.parse_qs(p.query)
    if "Action" in q:
        return q["Action"][0]
    # REST (Route 53): method and the path without ids.
    parts = [x for x in p.path.split("/") if x][1:]
    shape = "/".join(x if x.isalpha() else "{}" for x in parts)
    return f"{method} {shape}"


def throttle_response(service):
    rid = "00000000-0000-0000-0000-000000000000"
    if service == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
            f"</Error></Errors><RequestID>{rid}</RequestID></Response>"
        )
        return 503, "text/xml", body
    if service in JSON_THROTTLE:
        return 400, "application/x-amz-json-1.1", json.dumps(
            {"__type": "ThrottlingException", "message": "Rate exceeded"}
        )
    body = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
        f"<Message>Rate exceeded</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
    )
    return 400, "text/xml", body


def make_handler(args, stats, buckets):
    up = urllib.parse.urlparse(args.upstream)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, ctype, body):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            if self.path == "/__stats":
                return self.reply(200, "application/json", json.dumps(stats.snapshot()))
            if self.path == "/__reset":
                stats.reset()
                return self.reply(200, "application/json", "{}")
            svc = service_of(self.headers)
            act = action_of(self.command, self.path, self.headers, body)
            if args.latency:
                time.sleep(args.latency)
            now = time.time()
            with stats.lock:
                stats.calls.setdefault(svc, {})
                stats.calls[svc][act] = stats.calls[svc].get(act, 0) + 1
            if args.rate:
                with stats.lock:
                    b = buckets.setdefault(svc, Bucket(args.rate))
                if not b.take():
                    with stats.lock:
                        stats.throttled[svc] = stats.throttled.get(svc, 0) + 1
                    return self.reply(*throttle_response(svc))
            with stats.lock:
                stats.accepted[svc] = stats.accepted.get(svc, 0) + 1
                stats.first.setdefault(svc, now)
                stats.last[svc] = now
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
            hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
            conn.request(self.command, self.path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

    return H


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--rate", type=float, default=0.0, help="requests/s per service; 0 = no throttling")
    args = ap.parse_args()
    stats = Stats()
    srv = ThreadingHTTPServer(("127.0.0.1", args.listen), make_handler(args, stats, {}))
    srv.daemon_threads = True
    srv.request_queue_size = 512
    srv.serve_forever()


if __name__ == "__main__":
    main()

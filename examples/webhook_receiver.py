#!/usr/bin/env python3
"""A webhook receiver that checks mailpipe's (SendCloud's) signatures, for trying webhooks out
and for mailpipe's own tests. Standard library only.

Usage: python3 examples/webhook_receiver.py --key-file KEYS [--host 127.0.0.1] [--port 0]
                                            [--fail-first N]
KEYS holds app keys, one per line (printed by ./mailpipe webhooks add as appKey=...); it is read
again on every request, so keys can be added while it runs. A post whose signature no key
verifies is answered 403 (mailpipe retries it). --fail-first N answers 500 to the first N posts
of each eventId, to watch retries. Prints "port=<n>" once listening; GET /events returns every
post received so far as JSON (fields, "verified", "status"). Form posts are SendCloud's; JSON
batch posts carry the signature in X-Mailpipe-* headers over timestamp + token + body.
"""
import argparse
import hashlib
import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


def verify(appkey, token, timestamp, signature):
    """SendCloud's verify function (its docs' Python example, with bytes for Python 3)."""
    return signature == hmac.new(
        key=appkey.encode(),
        msg='{}{}'.format(timestamp, token).encode(),
        digestmod=hashlib.sha256).hexdigest()


def verify_batch(appkey, token, timestamp, body, signature):
    return signature == hmac.new(
        key=appkey.encode(),
        msg='{}{}'.format(timestamp, token).encode() + body,
        digestmod=hashlib.sha256).hexdigest()


class Receiver(BaseHTTPRequestHandler):
    lock = threading.Lock()
    posts = []
    attempts = {}
    key_file = None
    fail_first = 0

    def log_message(self, *args):
        pass

    def keys(self):
        try:
            with open(self.key_file) as f:
                return [line.strip() for line in f if line.strip()]
        except OSError:
            return []

    def answer(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with self.lock:
            body = json.dumps(self.posts).encode()
        self.answer(200, body, "application/json")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        keys = self.keys()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            ts, token = self.headers.get("X-Mailpipe-Timestamp", ""), self.headers.get("X-Mailpipe-Token", "")
            sig = self.headers.get("X-Mailpipe-Signature", "")
            ok = any(verify_batch(k, token, ts, body, sig) for k in keys)
            events = json.loads(body)
            batch = True
        else:
            fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            ok = any(verify(k, fields.get("token", ""), fields.get("timestamp", ""), fields.get("signature", ""))
                     for k in keys)
            events = [fields]
            batch = False
        with self.lock:
            status = 200 if ok else 403
            for e in events:
                n = self.attempts.get(e.get("eventId"), 0) + 1
                self.attempts[e.get("eventId")] = n
                if ok and n <= self.fail_first:
                    status = 500
            for e in events:
                self.posts.append(dict(e, verified=ok, status=status, batch=batch))
        self.answer(status, b"ok" if status == 200 else b"no")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    Receiver.key_file = args.key_file
    Receiver.fail_first = args.fail_first
    server = ThreadingHTTPServer((args.host, args.port), Receiver)
    server.daemon_threads = True
    print("port=%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

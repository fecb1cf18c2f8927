#!/usr/bin/env python3
"""SMTP load generator of the mailpipe benchmark (Python 3 standard library only).

N parallel SMTP sessions (spread over a few worker processes so the GIL does not cap the rate)
submit M messages in total over persistent connections, like `smtp-source -d`. Each message
carries a unique token (header X-Bench-Token and the Subject) so the sink's dump files can be
matched to the moment its `250` reply arrived. Optional AUTH LOGIN; optional X-SMTPAPI header
(base64 of {"to": [...], "sub": {...}}) as the last header.

Writes one JSON document to --out: per message [token, t_start, t_ack, code, recipients, reply,
refused RCPT indices], plus errors. Times are time.time() (CLOCK_REALTIME, the clock file mtimes use).
"""
import argparse
import base64
import json
import multiprocessing as mp
import smtplib
import sys
import threading
import time

LINE = "The quick brown fox jumps over the lazy dog; mailpipe benchmark filler text 0123456789."


def rcpt_domain(domain, domains, n, rcpts, i):
    """Recipient i of message n: with domains > 1 the recipients spread round-robin over
    d0000.<domain> ... d<domains-1>.<domain>."""
    return "d%04d.%s" % ((n * rcpts + i) % domains, domain) if domains > 1 else domain


TRACKING_FILTERS = {"open_tracking": {"settings": {"enable": "1"}}, "click_tracking": {"settings": {"enable": "1"}},
                    "subscription_tracking": {"settings": {"enable": "1"}}}


def build_message(token, size, rcpts, domain, xsmtpapi, envelope_all=True, domains=1, n=0, tracking=False):
    """Returns (envelope_rcpts, message_bytes, expected_deliveries)."""
    addrs = ["r%d.%s@%s" % (i, token, rcpt_domain(domain, domains, n, rcpts, i)) for i in range(rcpts)]
    headers = [
        "From: Bench Sender <sender@bench.invalid>",
        "To: %s" % addrs[0],
        "Subject: bench %s" % token,
        "Message-ID: <%s@bench.invalid>" % token,
        "Date: %s" % time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "X-Bench-Token: %s" % token,
    ]
    first = "Hello %name%, this is message %tok%.\r\n" if xsmtpapi else "Hello, this is message %s.\r\n" % token
    if tracking:  # a link for click tracking to rewrite (text/plain links are rewritten too)
        first += "Read more at https://example.invalid/bench/%s\r\n" % token
    api = {}
    if xsmtpapi:
        api = {"to": addrs,
               "sub": {"%name%": ["Name%d" % i for i in range(rcpts)],
                       "%tok%": ["%s-%d" % (token, i) for i in range(rcpts)]}}
    if tracking:
        api["filters"] = TRACKING_FILTERS
    if api:
        # X-SMTPAPI must be the last header field (SendCloud's rule); long base64 is folded.
        b64 = base64.b64encode(json.dumps(api, separators=(",", ":")).encode()).decode()
        folded = "\r\n ".join(b64[i:i + 900] for i in range(0, len(b64), 900))
        headers.append("X-SMTPAPI: " + folded)
    head = "\r\n".join(headers) + "\r\n\r\n" + first
    body = []
    used = len(head)
    while used < size:
        chunk = LINE[: max(1, min(len(LINE), size - used - 2))]
        body.append(chunk)
        used += len(chunk) + 2
    data = (head + "\r\n".join(body) + "\r\n").encode("ascii")
    # mailpipe replaces the envelope with X-SMTPAPI "to"; the peers only see the envelope, so
    # they get all recipients in RCPT TO (their task is lighter: no personalisation).
    envelope = addrs[:1] if (xsmtpapi and not envelope_all) else addrs
    return envelope, data, rcpts



def session(worker, sess, opts, counter, lock, results, errors, deadline, t_start):
    conn = None
    send_end = t_start + opts.duration if opts.duration else None
    while time.time() < deadline:
        with lock:
            n = counter.value
            if not opts.duration and n >= opts.messages:
                break
            counter.value = n + 1
        if opts.rate:
            # fixed target rate: message n is due at t_start + n/rate (a session that is late sends at once)
            due = t_start + n / opts.rate
            if send_end is not None and due >= send_end:
                break
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
        if send_end is not None and time.time() >= send_end:
            break  # the duration is fixed: a system that cannot take the rate gets fewer messages
        token = "%s%06d" % (opts.run_id, n)
        envelope, data, expected = build_message(token, opts.size, opts.rcpts, opts.domain, opts.xsmtpapi,
                                                 opts.envelope_all == "yes", opts.domains, n, opts.tracking)
        t0 = time.time()
        try:
            if conn is None:
                conn = smtplib.SMTP(opts.host, opts.port, local_hostname="loadgen.bench.invalid", timeout=opts.timeout)
                conn.ehlo()
                if opts.user:
                    conn.user, conn.password = opts.user, opts.key
                    code, resp = conn.auth("LOGIN", conn.auth_login)
                    if code != 235:
                        raise smtplib.SMTPException("AUTH %d %r" % (code, resp))
            code, resp = conn.mail("sender@bench.invalid")
            if code != 250:
                raise smtplib.SMTPResponseException(code, resp)
            ok, refused = 0, []
            for i, r in enumerate(envelope):
                code, resp = conn.rcpt(r)
                if code in (250, 251):
                    ok += 1
                else:
                    refused.append(i)  # e.g. Haraka passing the destination's 4xx/5xx through
            if ok == 0:
                conn.rset()
                raise smtplib.SMTPResponseException(code, resp)
            code, resp = conn.data(data)
            t1 = time.time()
            if refused and len(envelope) > 1:
                expected -= len(refused)
            results.append([token, t0, t1, code, expected if code == 250 else 0,
                            resp.decode("ascii", "replace")[:80] if code != 250 or n < 3 else "", refused])
        except (OSError, smtplib.SMTPException) as e:
            t1 = time.time()
            code = getattr(e, "smtp_code", 0)
            results.append([token, t0, t1, code, 0, str(e)[:200], []])
            errors.append(str(e)[:200])
            try:
                if conn is not None:
                    conn.close()
            except OSError:
                pass
            conn = None
            if isinstance(e, OSError):
                time.sleep(0.05)  # refused connections: do not spin
    if conn is not None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            pass


def worker_main(worker, sessions, opts, counter, lock, queue, deadline, t_start):
    results, errors = [], []
    threads = [threading.Thread(target=session, args=(worker, s, opts, counter, lock, results, errors, deadline,
                                                      t_start))
               for s in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put((results, errors[:20]))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--rcpts", type=int, default=1)
    p.add_argument("--xsmtpapi", action="store_true")
    p.add_argument("--envelope-all", choices=["yes", "no"], default="yes",
                   help="with --xsmtpapi: put every recipient in RCPT TO (peers) or only the first (mailpipe)")
    p.add_argument("--domain", default="bench.test")
    p.add_argument("--tracking", action="store_true",
                   help="X-SMTPAPI filters turning open, click and subscription tracking on, and a link in the body")
    p.add_argument("--domains", type=int, default=1,
                   help="spread the recipients over this many domains d0000.<domain> ... (default 1: <domain> itself)")
    p.add_argument("--user", default="")
    p.add_argument("--key", default="")
    p.add_argument("--run-id", required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--max-seconds", type=float, default=300.0)
    p.add_argument("--processes", type=int, default=0)
    p.add_argument("--duration", type=float, default=0.0,
                   help="sustained mode: send for this many seconds (ignores --messages)")
    p.add_argument("--rate", type=float, default=0.0,
                   help="target submissions/s over all sessions (0: closed loop, as fast as the system accepts)")
    p.add_argument("--out", required=True)
    opts = p.parse_args()
    procs = opts.processes or max(1, min(4, opts.sessions, mp.cpu_count() * 2))
    ctx = mp.get_context("fork")
    counter = ctx.Value("l", 0, lock=False)
    lock = ctx.Lock()
    queue = ctx.Queue()
    deadline = time.time() + opts.max_seconds
    split = [opts.sessions // procs + (1 if i < opts.sessions % procs else 0) for i in range(procs)]
    started = time.time()
    t_start = started + 0.3  # the common schedule origin of every worker (after the forks)
    workers = [ctx.Process(target=worker_main, args=(i, split[i], opts, counter, lock, queue, deadline, t_start))
               for i in range(procs) if split[i] > 0]
    for w in workers:
        w.start()
    results, errors = [], []
    for _ in workers:
        r, e = queue.get()
        results.extend(r)
        errors.extend(e)
    for w in workers:
        w.join()
    doc = {"started": started, "finished": time.time(), "results": results, "errors": errors[:20],
           "send_start": t_start, "send_end": t_start + opts.duration if opts.duration else None,
           "timed_out": time.time() >= deadline}
    with open(opts.out, "w") as f:
        json.dump(doc, f)
    ok = sum(1 for r in results if r[3] == 250)
    print("loadgen: %d/%d accepted in %.2fs" % (ok, len(results), time.time() - started), file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""mailpipe chaos suite: load ./mailpipe up over SMTP, SIGKILL one component at a time, restart it,
and count what the sink received.

    bench/chaos/run            300 messages per fault
    bench/chaos/run --smoke    60 messages, broker fault only (CI, ~2-3 min); exits 1 on any loss

Faults, in turn, each under load:
  services-jvm  SIGKILL of the ./mailpipe up JVM (ingest, expander, deliverer, webhooks, web; the
                broker child outlives it by MAILPIPE_KAFKA_ORPHAN_GRACE), then ./mailpipe up again on
                the same data directory, which adopts the running broker
  broker        SIGKILL of the embedded Kafka broker process; the launcher's supervisor restarts it
  sigterm-outage (only when named) SIGKILL of the broker, then SIGTERM of the launcher during the
                outage: the "recovery" column is how long the launcher took to exit

    bench/chaos/run --split    a split deployment: the broker alone (./mailpipe up with
                               MAILPIPE_UP_SERVICES empty) and each service in its own JVM
                               (./mailpipe run APP, static group membership); faults: SIGKILL of
                               each service in turn (ingest-smtp, web, expander, mx-deliverer,
                               webhooks), restarted at once; recovery = kill -> that service's /readyz

The load is a client that behaves as the README asks: a message is sent again (same token) after
a 4xx reply or a broken connection, so "accepted" = tokens that got 250 in the end. Columns:
accepted, arrived (distinct accepted tokens the sink got), lost (accepted - arrived),
duplicated (sink copies beyond the first of accepted tokens), split by Message-ID into copies
the client resubmitted (a 250 lost with its connection: each submission has its own id) and
copies mailpipe delivered twice (the same id twice), recovery (kill -> /readyz 200).
Python 3 standard library plus smtp-sink and dnsmasq (.ci/system-tools).
"""
import argparse
import os
import re
import signal
import smtplib
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import bench  # noqa: E402  (Procs, Sink, start_dnsmasq, Mailpipe, free_port, smtp_ready)


def log(msg):
    print("[chaos %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def descendants(pid):
    children = bench.proc_children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def find(root, needle):
    """The first process under root (or root) whose command line names needle, e.g. MailpipeUp."""
    for pid in [root] + descendants(root):
        if needle in cmdline(pid):
            return pid
    return None


class Up(bench.Mailpipe):
    """./mailpipe up that can be started again on the same data directory and ports."""

    def start(self, wipe=True):
        data = os.path.join(self.work, "mailpipe-data")
        if wipe:
            import shutil
            shutil.rmtree(data, ignore_errors=True)
            os.makedirs(data)
            self.kafka_port = bench.free_port()
            self.web_port = bench.free_port()
        env = {k: v for k, v in os.environ.items()
               if (not k.startswith("MAILPIPE_") or k == "MAILPIPE_JAVA_OPTS") and k != "KAFKA_BOOTSTRAP_SERVERS"}
        env.update({
            "MAILPIPE_SMTP_PORT": str(self.port), "MAILPIPE_DNS": "127.0.0.1:%d" % self.dns_port,
            "MAILPIPE_MX_PORT": str(self.sink_port), "MAILPIPE_MX_ALLOWED_NETWORKS": "127.0.0.0/8",
            "MAILPIPE_DATA_DIR": data, "MAILPIPE_API_USER": self.user, "MAILPIPE_API_KEY": self.key,
            "MAILPIPE_KAFKA_PORT": str(self.kafka_port), "MAILPIPE_HTTP_HOST": "127.0.0.1",
            "MAILPIPE_HTTP_PORT": str(self.http_port), "MAILPIPE_WEB_PORT": str(self.web_port),
            "MAILPIPE_RATE_LIMIT_PER_MINUTE": "0", "MAILPIPE_INSTANCE_ID": "chaos",
        })
        self.logpath = os.path.join(self.work, "mailpipe.log")
        self.proc = self.procs.start("mailpipe", [os.path.join(bench.REPO, "mailpipe"), "up"], self.logpath,
                                     env=env, cwd=bench.REPO)

    def ready(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % self.http_port, timeout=2) as r:
                return r.status == 200
        except Exception:
            return False

    def await_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("./mailpipe up exited: " + self.tail())
            if self.ready():
                return True
            time.sleep(0.25)
        raise RuntimeError("not ready within %ds: %s" % (timeout, self.tail()))

    # the fault interface (see fault())
    def victim(self, name):
        if name == "services-jvm":
            return find(self.proc.pid, "MailpipeUp")
        # after a services-JVM fault the broker is an adopted one, no longer a child of the launcher
        return broker_pid(os.path.join(self.work, "mailpipe-data")) or find(self.proc.pid, "BrokerMain")

    def restart(self, name):
        if name == "services-jvm":
            self.proc.wait(30)  # the launcher script ends with its JVM; its broker waits to be adopted
            self.start(wipe=False)

    def await_recovered(self, name, timeout):
        time.sleep(0.5)
        self.await_ready(timeout)


class Split:
    """A split deployment on one machine: the embedded broker alone (./mailpipe up with no service)
    and every service in its own JVM (./mailpipe run APP) with its own ops port, the settings a
    Kubernetes deployment gives them, and a fixed instance id (static group membership)."""

    SERVICES = ["ingest-smtp", "web", "expander", "mx-deliverer", "webhooks"]

    def __init__(self, procs, work, sink_port, dns_port):
        self.procs, self.work = procs, work
        self.port, self.user = bench.free_port(), "chaos"
        self.key = "chaos-%x" % int.from_bytes(os.urandom(8), "big")
        self.kafka_port, self.broker_http = bench.free_port(), bench.free_port()
        self.http = {app: bench.free_port() for app in self.SERVICES}
        self.web_port = bench.free_port()
        data = os.path.join(work, "split-data")
        import base64
        import shutil
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        self.data = data
        base = {k: v for k, v in os.environ.items()
                if (not k.startswith("MAILPIPE_") or k == "MAILPIPE_JAVA_OPTS") and k != "KAFKA_BOOTSTRAP_SERVERS"}
        self.broker_env = dict(base, MAILPIPE_UP_SERVICES="", MAILPIPE_DATA_DIR=data,
                               MAILPIPE_KAFKA_PORT=str(self.kafka_port), MAILPIPE_HTTP_HOST="127.0.0.1",
                               MAILPIPE_HTTP_PORT=str(self.broker_http))
        self.service_env = dict(base, **{
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:%d" % self.kafka_port,
            "MAILPIPE_TOPIC_REPLICATION_FACTOR": "1",
            "MAILPIPE_HOSTNAME": "chaos.bench.test", "MAILPIPE_INSTANCE_ID": "chaos",
            "MAILPIPE_SMTP_HOST": "127.0.0.1", "MAILPIPE_SMTP_PORT": str(self.port),
            "MAILPIPE_API_USER": self.user, "MAILPIPE_API_KEY": self.key, "MAILPIPE_RATE_LIMIT_PER_MINUTE": "0",
            "MAILPIPE_DNS": "127.0.0.1:%d" % dns_port, "MAILPIPE_MX_PORT": str(sink_port),
            "MAILPIPE_MX_ALLOWED_NETWORKS": "127.0.0.0/8", "MAILPIPE_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "MAILPIPE_SENDER_DOMAINS": "any", "MAILPIPE_HTTP_HOST": "127.0.0.1",
            "MAILPIPE_WEB_HOST": "127.0.0.1", "MAILPIPE_WEB_PORT": str(self.web_port),
            "MAILPIPE_PUBLIC_URL": "http://127.0.0.1:%d" % self.web_port,
            "MAILPIPE_TRACKING_SECRET": "k1:" + base64.b64encode(os.urandom(32)).decode(),
            "MAILPIPE_EXPANDER_STATE_DIR": os.path.join(data, "expander"),
        })
        self.proc = {}

    def tail(self, name="broker"):
        try:
            with open(os.path.join(self.work, "split-%s.log" % name), "rb") as f:
                return f.read()[-1500:].decode("utf-8", "replace")
        except OSError:
            return ""

    def start_broker(self):
        self.proc["broker"] = self.procs.start("split-broker", [os.path.join(bench.REPO, "mailpipe"), "up"],
                                               os.path.join(self.work, "split-broker.log"), env=self.broker_env,
                                               cwd=bench.REPO)
        self.wait_ready("broker", self.broker_http, 300)

    def start_service(self, app):
        env = dict(self.service_env, MAILPIPE_HTTP_PORT=str(self.http[app]))
        self.proc[app] = self.procs.start("split-" + app, [os.path.join(bench.REPO, "mailpipe"), "run", app],
                                          os.path.join(self.work, "split-%s.log" % app), env=env, cwd=bench.REPO)

    def wait_ready(self, name, port, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc[name].poll() is not None:
                raise RuntimeError("%s exited: %s" % (name, self.tail(name)))
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.1)
        raise RuntimeError("%s not ready within %ds: %s" % (name, timeout, self.tail(name)))

    def start(self):
        self.start_broker()
        for app in self.SERVICES:
            self.start_service(app)
            self.wait_ready(app, self.http[app], 300)

    # the fault interface (see fault())
    def victim(self, name):
        return self.proc[name].pid  # ./mailpipe run execs the JVM

    def restart(self, name):
        self.proc[name].wait(30)
        self.start_service(name)

    def await_recovered(self, name, timeout):
        self.wait_ready(name, self.http[name], timeout)


class Load(threading.Thread):
    """Sends `count` messages over `threads` connections, each resent until it gets a 250."""

    def __init__(self, up, tag, count, threads, give_up):
        super().__init__(daemon=True)
        self.up, self.tag, self.count, self.threads, self.give_up = up, tag, count, threads, give_up
        self.accepted, self.resends, self.lock = set(), 0, threading.Lock()
        self.next = 0

    def take(self):
        with self.lock:
            if self.next >= self.count:
                return None
            self.next += 1
            return self.next - 1

    def send_one(self, token):
        msg = ("From: chaos@bench.invalid\r\nTo: %s@%s\r\nSubject: chaos %s\r\nX-Bench-Token: %s\r\n\r\n"
               "chaos %s\r\n" % (token, bench.DOMAIN, token, token, token)).encode()
        deadline = time.time() + self.give_up
        first = True
        while time.time() < deadline:
            if not first:
                with self.lock:
                    self.resends += 1
            first = False
            try:
                with smtplib.SMTP("127.0.0.1", self.up.port, timeout=20) as s:
                    s.login(self.up.user, self.up.key)
                    s.sendmail("chaos@bench.invalid", ["%s@%s" % (token, bench.DOMAIN)], msg)
                with self.lock:
                    self.accepted.add(token)
                return
            except (smtplib.SMTPException, OSError):
                time.sleep(0.5)

    def worker(self):
        while True:
            i = self.take()
            if i is None:
                return
            self.send_one("%s-%d" % (self.tag, i))

    def run(self):
        ts = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


def fault(up, sink, name, count, opts, round_no=0):
    # tokens are per round, so a fault named twice counts its own messages only
    load = Load(up, "%s.%d" % (name, round_no), count, opts.threads, opts.give_up)
    load.start()
    while len(load.accepted) < count // 3 and load.is_alive():
        time.sleep(0.1)
    victim = up.victim(name)
    if victim is None:
        raise RuntimeError("no process for %s" % name)
    log("%s: %d accepted; SIGKILL pid %d" % (name, len(load.accepted), victim))
    killed = time.time()
    os.kill(victim, signal.SIGKILL)
    up.restart(name)
    up.await_recovered(name, opts.recover_timeout)
    recovery = time.time() - killed
    log("%s: ready again after %.1f s" % (name, recovery))
    load.join(opts.give_up + 60)
    tokens = set(load.accepted)
    deadline = time.time() + opts.deliver_timeout
    while time.time() < deadline:
        arrived = {r[0] for r in sink.scan(tokens).values() if r[0] in tokens}
        if arrived >= tokens:
            break
        time.sleep(0.5)
    time.sleep(2)  # late duplicates
    # the sink's cache also returns files of earlier faults: count this fault's tokens only
    files = [(f, r) for f, r in sink.scan(tokens).items() if r[0] in tokens]
    copies, ids = {}, {}
    for f, r in files:
        copies[r[0]] = copies.get(r[0], 0) + 1
        ids.setdefault(r[0], []).append(message_id(os.path.join(sink.dump, f)))
    arrived = set(copies)
    # The client sends no Message-ID, so each accepted submission gets its own (derived from
    # mailpipe's messageId): two copies with one id were delivered twice by mailpipe, copies
    # with different ids are submissions the client sent again after losing a 250 reply.
    twice = sum(len(v) - len(set(v)) for v in ids.values())
    return {"fault": name, "sent": count, "accepted": len(tokens), "resends": load.resends,
            "arrived": len(arrived), "lost": len(tokens - arrived),
            "duplicated": sum(c - 1 for c in copies.values()), "resubmitted": sum(len(set(v)) - 1 for v in ids.values()),
            "twice": twice, "recovery": recovery}


def message_id(path):
    """The Message-ID header of a sink dump (headers only), or the path when there is none."""
    try:
        with open(path, "rb") as f:
            head = f.read(200000).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    except OSError:
        return path
    m = re.search(rb"^Message-ID:[ \t]*(\S+)", head, re.M | re.I)
    return m.group(1).decode("ascii", "replace") if m else path


def broker_pid(data_dir):
    """The running embedded broker's pid from its control file, or None."""
    try:
        with open(os.path.join(data_dir, "kafka", "broker-control.properties")) as f:
            for line in f:
                if line.startswith("pid="):
                    pid = int(line[4:].strip())
                    return pid if "BrokerMain" in cmdline(pid) else None
    except (OSError, ValueError):
        return None
    return None


def sigterm_during_outage(up, opts, last):
    """SIGKILL the broker, SIGTERM the launcher JVM while Kafka is down; how long until it exits."""
    root = up.proc.pid
    broker, jvm = up.victim("broker"), find(root, "MailpipeUp")
    os.kill(broker, signal.SIGKILL)
    deadline = time.time() + 30
    while up.ready() and time.time() < deadline:
        time.sleep(0.1)
    start = time.time()
    os.kill(jvm, signal.SIGTERM)
    try:
        up.proc.wait(120)
    except Exception:
        pass
    took = time.time() - start
    log("sigterm-outage: the launcher exited %.1f s after SIGTERM (broker down)" % took)
    if not last:
        up.start(wipe=False)
        up.await_ready(opts.recover_timeout)
    return {"fault": "sigterm-outage", "sent": 0, "accepted": 0, "resends": 0, "arrived": 0, "lost": 0,
            "duplicated": 0, "resubmitted": 0, "twice": 0, "recovery": took}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="small counts, fail on any loss (CI)")
    ap.add_argument("--messages", type=int, default=None, help="messages per fault")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--faults", default=None,
                    help="comma-separated; default services-jvm,broker (--smoke: broker, to stay short)")
    ap.add_argument("--give-up", type=float, default=120.0, help="a client stops resending a message after this")
    ap.add_argument("--recover-timeout", type=float, default=180.0)
    ap.add_argument("--deliver-timeout", type=float, default=120.0)
    ap.add_argument("--split", action="store_true",
                    help="a split deployment (broker alone, one JVM per service); faults: each service")
    ap.add_argument("--pidfile")
    opts = ap.parse_args()
    count = opts.messages or (60 if opts.smoke else 300)
    if opts.faults is None:
        if opts.split:
            opts.faults = ",".join(Split.SERVICES)
        else:
            opts.faults = "broker" if opts.smoke else "services-jvm,broker"
    if opts.smoke:
        opts.threads = min(opts.threads, 4)
    work = os.path.join(bench.BENCH, ".work", "chaos")
    os.makedirs(work, exist_ok=True)
    procs = bench.Procs(opts.pidfile)
    rows = []
    try:
        sink = bench.Sink(procs, work, 0)
        _, dns_port = bench.start_dnsmasq(procs, work)
        started = time.time()
        if opts.split:
            up = Split(procs, work, sink.port, dns_port)
            up.start()
            log("split deployment ready in %.1f s" % (time.time() - started))
        else:
            up = Up(procs, work, sink.port, dns_port, 300)
            up.start(wipe=True)
            up.await_ready(300)
            log("mailpipe up ready in %.1f s" % (time.time() - started))
        names = [n.strip() for n in opts.faults.split(",")]
        for i, name in enumerate(names):
            if name == "sigterm-outage":
                rows.append(sigterm_during_outage(up, opts, i == len(names) - 1))
            else:
                rows.append(fault(up, sink, name, count, opts, i))
    finally:
        procs.stop_all()
    print()
    print("| fault | sent | accepted | client resends | arrived | lost | duplicated | of which resubmitted by the "
          "client | of which delivered twice by mailpipe | recovery (kill -> ready) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %(fault)s | %(sent)d | %(accepted)d | %(resends)d | %(arrived)d | %(lost)d | %(duplicated)d | "
              "%(resubmitted)d | %(twice)d | %(recovery).1f s |" % r)
    lost = sum(r["lost"] for r in rows)
    if lost:
        print("LOST %d accepted message(s)" % lost, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

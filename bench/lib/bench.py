#!/usr/bin/env python3
"""mailpipe benchmark orchestrator: mailpipe vs Postfix vs Haraka on loopback, same load, same sink.

Started by bench/run (which adds a trap that cleans up even if this process is killed). Python 3
standard library only. See bench/README.md for what every figure means.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)
HARAKA_VERSION = "3.3.4"
DOMAIN = "bench.test"
REALISTIC_MAILPIPE_RETRY_DELAYS = "2s,5s,10s"
MANY_DOMAINS = 1000  # the many-domains case spreads its recipients over d0000.bench.test ... d0999.bench.test


def many_domains(n=MANY_DOMAINS):
    return ["d%04d.%s" % (i, DOMAIN) for i in range(n)]


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_ready(port, timeout):
    """True once something on 127.0.0.1:port answers with a 220 greeting."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.settimeout(5)
                if s.recv(512).startswith(b"220"):
                    try:
                        s.sendall(b"QUIT\r\n")
                    except OSError:
                        pass
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


# --------------------------------------------------------------------------------------------
# process bookkeeping: every process group we start is written to the pid file the trap reads
# --------------------------------------------------------------------------------------------
class Procs:
    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.procs = []

    def note(self, line):
        if self.pidfile:
            with open(self.pidfile, "a") as f:
                f.write(line + "\n")

    def start(self, name, cmd, logpath, env=None, cwd=None):
        out = open(logpath, "ab")
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=env, cwd=cwd, start_new_session=True)
        out.close()
        self.procs.append((name, p))
        self.note("pgid %d %s" % (p.pid, name))
        return p

    def stop(self, p, grace=10.0):
        if p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)
        # children that left the group's leader behind
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop_all(self):
        for _, p in reversed(self.procs):
            self.stop(p, grace=5.0)


# --------------------------------------------------------------------------------------------
# peak RSS: VmHWM of every process in a tree, sampled while the system runs
# --------------------------------------------------------------------------------------------
def proc_children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
            ppid = int(s[s.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError):
            pass
    return kids


def tree(roots):
    kids = proc_children_map()
    seen, stack = set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack.extend(kids.get(pid, []))
    return seen


def process_label(pid, name):
    """java processes are named after their main class (MailpipeUp, BrokerMain, ...)."""
    if name != "java":
        return name
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return name
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
        elif a in ("-cp", "-classpath", "--class-path", "-jar"):
            skip = a != "-jar"
        elif not a.startswith("-") and re.match(r"^[\w.$]+$", a):
            return "java:" + a.rsplit(".", 1)[-1]
    return name


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_cpu_seconds(roots):
    """User + system CPU seconds used so far by the process trees under roots, including their children
    that have exited: each live process's utime+stime plus cutime+cstime (the CPU of its children it
    has already waited for). A delta of two calls is the CPU the trees used in between, whichever
    processes came and went (Postfix's smtp/cleanup/smtpd processes are children of master)."""
    ticks = 0
    for pid in tree([r for r in roots if r]):
        try:
            with open("/proc/%d/stat" % pid) as f:
                s = f.read()
            fields = s[s.rindex(")") + 2:].split()
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime (fields 14-17)
        except (OSError, ValueError, IndexError):
            pass
    return ticks / float(CLK_TCK)


class RssSampler(threading.Thread):
    """Peak resident set per process (VmHWM) of the process trees under `roots()`."""

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots = roots
        self.peak = {}  # pid -> (name, peak kB of that process)
        self.peak_total = 0  # largest sum of the tree's resident sets seen at one sample
        self.peak_pss = 0  # the same for the proportional set sizes
        self.halt = threading.Event()

    def sample(self):
        total = total_pss = 0
        for pid in tree([r for r in self.roots() if r]):
            try:
                with open("/proc/%d/status" % pid) as f:
                    st = f.read()
                name = process_label(pid, re.search(r"^Name:\s*(\S+)", st, re.M).group(1))
                hwm = re.search(r"^VmHWM:\s*(\d+)", st, re.M)
                rss = re.search(r"^VmRSS:\s*(\d+)", st, re.M)
                if not hwm or name in ("bash", "sh", "timeout"):
                    continue
                total += int(rss.group(1)) if rss else 0
                try:  # proportional set size: shared pages split among the processes sharing them
                    with open("/proc/%d/smaps_rollup" % pid) as f:
                        m = re.search(r"^Pss:\s*(\d+)", f.read(), re.M)
                    total_pss += int(m.group(1)) if m else 0
                except OSError:
                    pass
                old = self.peak.get(pid, (name, 0))
                self.peak[pid] = (name, max(old[1], int(hwm.group(1))))
            except (OSError, AttributeError):
                pass
        self.peak_total = max(self.peak_total, total)
        self.peak_pss = max(self.peak_pss, total_pss)

    def run(self):
        while not self.halt.wait(0.5):
            self.sample()

    def finish(self):
        """Returns (peak summed RSS MB, peak summed PSS MB, per-process-name peaks as text)."""
        self.sample()
        self.halt.set()
        by_name = {}
        for name, kb in self.peak.values():
            n, mx = by_name.get(name, (0, 0))
            by_name[name] = (n + 1, max(mx, kb))
        detail = ", ".join("%s %.0f MB%s" % (name, mx / 1024.0, " (largest of %d)" % n if n > 1 else "")
                           for name, (n, mx) in sorted(by_name.items(), key=lambda x: -x[1][1]))
        return self.peak_total / 1024.0, self.peak_pss / 1024.0, detail


# --------------------------------------------------------------------------------------------
# the destination: smtp-sink dumping every transaction to a file (mtime = arrival time)
# --------------------------------------------------------------------------------------------
TOKEN_RES = [re.compile(rb"^X-Bench-Token:\s*(\S+)", re.M | re.I),
             re.compile(rb"^Subject:\s*bench\s+(\S+)", re.M | re.I),
             re.compile(rb"this is message (\w+?)(?:-\d+)?\.")]


PERSONALISED = re.compile(rb"Hello Name\d+, this is message \w+-\d+\.")


RCPT_ARGS = re.compile(rb"^X-Rcpt-Args:\s*<?([^>\s]*)", re.M)


class Sink:
    def __init__(self, procs, work, delay, realistic=None, tag="sink"):
        self.procs = procs
        self.realistic = realistic
        self.events_path = os.path.join(work, "%s-events.log" % tag)
        self.events_offset = 0
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else work
        self.dump = os.path.join(base, "mailpipe-bench-%s-%d" % (tag, os.getpid()))
        os.makedirs(self.dump, exist_ok=True)
        os.chmod(self.dump, 0o777)  # smtp-sink drops privileges to the -u user
        procs.note("dir %s" % self.dump)
        self.port = free_port()
        if realistic:
            procs.note("dir %s.tmp" % self.dump)
            open(self.events_path, "a").close()
            cmd = [sys.executable, os.path.join(HERE, "sink.py"), "--listen", "127.0.0.1:%d" % self.port,
                   "--dump", self.dump, "--events", self.events_path, "--seed", str(realistic["seed"]),
                   "--delay-min", str(realistic["delay_min"]), "--delay-max", str(realistic["delay_max"]),
                   "--p4xx", str(realistic["p4xx"]), "--p5xx", str(realistic["p5xx"])]
            if os.geteuid() == 0:
                cmd += ["--user", "nobody"]
            self.proc = procs.start("bench-sink", cmd, os.path.join(work, "smtp-sink.log"))
            if not smtp_ready(self.port, 10):
                raise RuntimeError("bench/lib/sink.py did not start (see %s/smtp-sink.log)" % work)
            self.clear()
            return
        cmd = ["smtp-sink"]
        if os.geteuid() == 0:
            cmd += ["-u", "nobody"]
        if delay:
            cmd += ["-w", str(delay)]
        cmd += ["-h", "sink.bench.test", "-d", os.path.join(self.dump, "%H%M%S."), "127.0.0.1:%d" % self.port, "1024"]
        self.proc = procs.start("smtp-sink", [shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"] + cmd[1:],
                                os.path.join(work, "smtp-sink.log"))
        if not smtp_ready(self.port, 10):
            raise RuntimeError("smtp-sink did not start (see %s/smtp-sink.log)" % work)
        self.clear()

    def events(self):
        """(code, local part) of every 4xx/5xx reply and DSN the realistic sink logged since clear()."""
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self.events_offset)
                data = f.read()
        except OSError:
            return []
        data = data[:data.rfind(b"\n") + 1]
        out = []
        for line in data.decode("ascii", "replace").splitlines():
            code, _, rcpt = line.partition(" ")
            out.append((code, rcpt.split("@")[0]))
        return out

    def clear(self):
        try:
            self.events_offset = os.path.getsize(self.events_path)
        except OSError:
            self.events_offset = 0
        for f in os.listdir(self.dump):
            try:
                os.unlink(os.path.join(self.dump, f))
            except OSError:
                pass
        self.cache = {}

    def scan(self, wanted):
        """Returns {file: (token, rcpts, mtime)} for the complete-looking dumps of wanted tokens."""
        out = {}
        for entry in os.scandir(self.dump):
            got = self.cache.get(entry.name)
            try:
                st = entry.stat()
            except OSError:
                continue
            if got is not None and got[3] == st.st_size:
                out[entry.name] = got[:3] + got[4:]
                continue
            try:
                with open(entry.path, "rb") as f:
                    data = f.read(200000)
            except OSError:
                continue
            token = None
            for rx in TOKEN_RES:
                m = rx.search(data)
                if m:
                    token = m.group(1).decode("ascii", "replace")
                    break
            if token is None or token not in wanted:
                continue
            addrs = tuple(a.decode("ascii", "replace").lower().split("@")[0]
                          for a in RCPT_ARGS.findall(data[:data.find(b"\nReceived:") + 1 or len(data)]))
            rcpts = len(addrs)
            # X-SMTPAPI substitution done (mailpipe) or the template as sent (peers)
            personalised = PERSONALISED.search(data) is not None
            signed = re.search(rb"^DKIM-Signature:", data, re.M | re.I) is not None
            # tracking applied: the link was rewritten to the /c/ redirect and List-Unsubscribe was added
            tracked = b"example.invalid/bench/" not in data and re.search(rb"^List-Unsubscribe:", data, re.M) is not None
            rec = (token, max(1, rcpts), st.st_mtime, st.st_size, personalised, addrs, signed, tracked)
            self.cache[entry.name] = rec
            out[entry.name] = rec[:3] + rec[4:]
        return out

    def wait_for(self, wanted, expected, timeout, settled=None):
        deadline = time.time() + timeout
        got = 0
        while time.time() < deadline:
            arrivals = list(self.scan(wanted).values())
            if settled is not None:
                if settled(arrivals):
                    break
            elif sum(r[1] for r in arrivals) >= expected:
                break
            time.sleep(0.2)
        time.sleep(0.5)  # let the last transactions finish writing (mtime = end of DATA)
        return list(self.scan(wanted).values())


def realistic_self_test(procs, work):
    """--smoke's coverage of --realistic in a few seconds: lib/sink.py on its own, 40 messages sent
    with smtplib (retrying a 451 like an MTA would), at high 4xx/5xx rates; every message must have
    arrived exactly once or been refused with 550, and both kinds of reply must have happened."""
    import smtplib
    cfg = {"seed": "self-test", "delay_min": 0.005, "delay_max": 0.01, "p4xx": 0.3, "p5xx": 0.1}
    sink = Sink(procs, work, 0, cfg, tag="selftest")
    sent, refused = set(), set()
    try:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as c:
            for n in range(40):
                key = "r0.st%06d" % n
                for _ in range(20):
                    try:
                        c.sendmail("sender@bench.invalid", ["%s@%s" % (key, DOMAIN)],
                                   ("X-Bench-Token: st%06d\r\nSubject: bench st%06d\r\n\r\nhi\r\n" % (n, n)).encode())
                        sent.add(key)
                        break
                    except smtplib.SMTPRecipientsRefused as e:
                        code = list(e.recipients.values())[0][0]
                        if code >= 500:
                            refused.add(key)
                            break
        time.sleep(0.3)
        arrivals = list(sink.scan({"st%06d" % n for n in range(40)}).values())
        got = [a for arr in arrivals for a in arr[4]]
        ev = sink.events()
        problems = []
        if sorted(got) != sorted(sent):
            problems.append("arrived %d, accepted %d" % (len(got), len(sent)))
        if len(sent | refused) != 40 or sent & refused:
            problems.append("%d accepted + %d refused of 40" % (len(sent), len(refused)))
        if not any(c == "451" for c, _ in ev) or {k for c, k in ev if c == "550"} != refused:
            problems.append("events %r" % ev[:5])
        if problems:
            raise RuntimeError("realistic sink self-test failed: " + "; ".join(problems))
        log("realistic sink self-test: 40 messages, %d delivered (%d after 451), %d refused with 550" % (
            len(sent), len({k for c, k in ev if c == "451"} & sent), len(refused)))
    finally:
        procs.stop(sink.proc)
        shutil.rmtree(sink.dump, ignore_errors=True)
        shutil.rmtree(sink.dump + ".tmp", ignore_errors=True)


DNS = {}  # the running dnsmasq: {"proc": Popen, "port": int}, for failure diagnostics


def dns_status():
    p, port = DNS.get("proc"), DNS.get("port")
    if p is None:
        return "dnsmasq not started"
    if p.poll() is not None:
        return "dnsmasq EXITED with %s" % p.returncode
    if shutil.which("dig"):
        ans = subprocess.run(["dig", "+short", "+time=2", "+tries=2", "-p", str(port), "@127.0.0.1", "MX", DOMAIN],
                             capture_output=True, text=True).stdout.strip()
        return "dnsmasq alive, MX %s -> %r" % (DOMAIN, ans)
    return "dnsmasq alive"


def start_dnsmasq(procs, work):
    port = free_port()
    conf = os.path.join(work, "dnsmasq-domains.conf")  # MX of every domain of the many-domains case
    with open(conf, "w") as f:
        for d in many_domains():
            f.write("mx-host=%s,mx1.%s,10\n" % (d, DOMAIN))
    cmd = [shutil.which("dnsmasq") or "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=" + conf,
           "--no-resolv", "--no-hosts", "--port=%d" % port, "--listen-address=127.0.0.1", "--bind-interfaces",
           "--pid-file=", "--no-poll", "--user=" + ("nobody" if os.geteuid() == 0 else ""), "--local=/test/", "--local-ttl=60",
           "--mx-host=%s,mx1.%s,10" % (DOMAIN, DOMAIN), "--host-record=mx1.%s,127.0.0.1" % DOMAIN,
           "--log-queries", "--log-facility=-"]
    cmd = [c for c in cmd if c != "--user="]
    p = procs.start("dnsmasq", cmd, os.path.join(work, "dnsmasq.log"))
    time.sleep(0.3)
    if p.poll() is not None:
        raise RuntimeError("dnsmasq did not start (see %s/dnsmasq.log)" % work)
    if shutil.which("dig"):
        ans = subprocess.run(["dig", "+short", "+time=2", "+tries=3", "-p", str(port), "@127.0.0.1", "MX", DOMAIN],
                             capture_output=True, text=True).stdout.strip()
        if "mx1" not in ans:
            raise RuntimeError("dnsmasq does not answer the MX query (got %r)" % ans)
    DNS.update(proc=p, port=port)
    return p, port


# --------------------------------------------------------------------------------------------
# systems under test
# --------------------------------------------------------------------------------------------
class System:
    realistic = False  # set before start(): short retry delays so deferrals are retried within the run
    name = "?"
    durability = "?"
    durability_short = "?"
    user = key = ""
    envelope_all = True  # peers do not read X-SMTPAPI: they get every recipient in RCPT TO

    def roots(self):
        return []


class Postfix(System):
    name = "postfix"
    durability = "250 after the queue file is fsync'd (Postfix default)"
    durability_short = "queue file fsync'd"

    def __init__(self, procs, work, sink_port):
        self.procs, self.sink_port = procs, sink_port
        self.dir = os.path.join(work, "postfix")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.conf = os.path.join(self.dir, "conf")
        for d in ("conf", "queue", "data"):
            os.makedirs(os.path.join(self.dir, d))
        self.port = free_port()

    def start(self):
        if os.geteuid() != 0:
            raise RuntimeError("a private Postfix instance needs root (master drops to the postfix user)")
        if not shutil.which("postfix") and not os.path.exists("/usr/sbin/postfix"):
            raise RuntimeError("postfix is not installed")
        services = [  # master.cf: only what a relay needs, nothing chrooted, SMTP on a free port
            ("127.0.0.1:%d" % self.port, "inet", "n", "-", "n", "-", "-", "smtpd"),
            ("pickup", "unix", "n", "-", "n", "60", "1", "pickup"),
            ("cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"),
            ("qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"),
            ("rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"),
            ("bounce", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("defer", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("trace", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("verify", "unix", "-", "-", "n", "-", "1", "verify"),
            ("flush", "unix", "n", "-", "n", "1000?", "0", "flush"),
            ("proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"),
            ("proxywrite", "unix", "-", "-", "n", "-", "1", "proxymap"),
            ("smtp", "unix", "-", "-", "n", "-", "-", "smtp"),
            ("relay", "unix", "-", "-", "n", "-", "-", "smtp"),
            ("showq", "unix", "n", "-", "n", "-", "-", "showq"),
            ("error", "unix", "-", "-", "n", "-", "-", "error"),
            ("retry", "unix", "-", "-", "n", "-", "-", "error"),
            ("discard", "unix", "-", "-", "n", "-", "-", "discard"),
            ("anvil", "unix", "-", "-", "n", "-", "1", "anvil"),
            ("scache", "unix", "-", "-", "n", "-", "1", "scache"),
            ("postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"),
        ]
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            for s in services:
                f.write(" ".join(s) + "\n")
        main = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(self.dir, "queue"),
            "data_directory": os.path.join(self.dir, "data"),
            "myhostname": "postfix.bench.invalid", "mydomain": "bench.invalid", "myorigin": "$myhostname",
            "inet_interfaces": "127.0.0.1", "inet_protocols": "ipv4",
            # relay everything to the sink; no local delivery, no DNS (the relayhost is an IP literal)
            "mydestination": "", "local_recipient_maps": "", "local_transport": "error:local delivery is disabled",
            "alias_maps": "", "alias_database": "", "relay_domains": "",
            "mynetworks": "127.0.0.0/8", "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "relayhost": "[127.0.0.1]:%d" % self.sink_port, "smtp_dns_support_level": "disabled",
            "maillog_file": os.path.join(self.dir, "maillog"), "maillog_file_prefixes": self.dir,
            "biff": "no", "smtputf8_enable": "no", "smtpd_banner": "$myhostname ESMTP",
        }
        if self.realistic:  # retry deferred mail within seconds, like mailpipe's MAILPIPE_RETRY_DELAYS below
            main.update({"queue_run_delay": "2s", "minimal_backoff_time": "2s", "maximal_backoff_time": "10s"})
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            for k, v in main.items():
                f.write("%s = %s\n" % (k, v))
        subprocess.run(["chown", "postfix", os.path.join(self.dir, "data")], check=True)
        self.procs.note("postfix %s" % self.conf)
        r = subprocess.run(["postfix", "-c", self.conf, "start"], capture_output=True, text=True,
                           env=dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"))
        if r.returncode != 0 or not smtp_ready(self.port, 30):
            raise RuntimeError("postfix did not start: %s %s (see %s/maillog)" % (r.stdout, r.stderr, self.dir))

    def master_pid(self):
        try:
            with open(os.path.join(self.dir, "queue", "pid", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def roots(self):
        return [self.master_pid()]

    def stop(self):
        pid = self.master_pid()
        subprocess.run(["postfix", "-c", self.conf, "stop"], capture_output=True,
                       env=dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"))
        deadline = time.time() + 15
        while pid and time.time() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.2)
        if pid and os.path.exists("/proc/%d" % pid):
            for p in tree([pid]):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass


class Haraka(System):
    name = "haraka"
    durability = "no queue of its own: 250 only after the sink accepted (smtp_forward, synchronous)"
    durability_short = "none (sync relay)"

    def __init__(self, procs, work, sink_port):
        self.procs, self.work, self.sink_port = procs, work, sink_port
        self.pkg = os.path.join(BENCH, ".work", "haraka-%s" % HARAKA_VERSION)
        self.dir = os.path.join(work, "haraka")
        self.port = free_port()
        self.proc = None

    def install(self):
        main = os.path.join(self.pkg, "node_modules", "Haraka", "bin", "haraka")
        marker = os.path.join(self.pkg, ".installed")  # written only after npm succeeded
        if os.path.exists(marker) and os.path.exists(main):
            return main
        if not shutil.which("npm"):
            raise RuntimeError("npm is not installed (Haraka comes from npm)")
        log("installing Haraka %s from npm into %s" % (HARAKA_VERSION, self.pkg))
        os.makedirs(self.pkg, exist_ok=True)
        npm_log = os.path.join(self.work, "npm-install.log")
        p = self.procs.start("npm", ["npm", "install", "--prefix", self.pkg, "--no-audit", "--no-fund",
                                     "--loglevel=error", "Haraka@%s" % HARAKA_VERSION], npm_log)
        try:
            p.wait(300)
        except subprocess.TimeoutExpired:
            self.procs.stop(p)
        if p.returncode != 0 or not os.path.exists(main):
            shutil.rmtree(self.pkg, ignore_errors=True)  # a half-installed tree would look installed next time
            raise RuntimeError("npm install Haraka@%s failed or took over 300s (see %s)" % (HARAKA_VERSION, npm_log))
        open(marker, "w").close()
        return main

    def start(self):
        main = self.install()
        shutil.rmtree(self.dir, ignore_errors=True)
        node = shutil.which("node") or shutil.which("nodejs")
        subprocess.run([node, main, "-i", self.dir], capture_output=True, check=True, timeout=60,
                       stdin=subprocess.DEVNULL)
        cfg = os.path.join(self.dir, "config")

        def put(name, text):
            with open(os.path.join(cfg, name), "w") as f:
                f.write(text)
        # nodes=cpus: one worker per core, as Postfix and the JVM also use every core
        put("smtp.ini", "listen=127.0.0.1:%d\nnodes=cpus\ndaemonize=false\n" % self.port)
        put("plugins", "rcpt_to.in_host_list\nqueue/smtp_forward\n")
        put("host_list", "\n".join([DOMAIN] + many_domains()) + "\n")
        put("smtp_forward.ini", "host=127.0.0.1\nport=%d\nenable_outbound=false\n" % self.sink_port)
        put("log.ini", "[main]\nlevel=warn\n")
        put("me", "haraka.bench.invalid\n")
        self.proc = self.procs.start("haraka", [node, main, "-c", self.dir], os.path.join(self.work, "haraka.log"))
        if not smtp_ready(self.port, 60):
            raise RuntimeError("haraka did not start (see %s/haraka.log)" % self.work)
        time.sleep(1.0)  # the cluster master forks its workers; let all of them listen

    def roots(self):
        return [self.proc.pid if self.proc else None]

    def stop(self):
        if self.proc:
            self.procs.stop(self.proc)


class Mailpipe(System):
    name = "mailpipe"
    durability = "250 after Kafka acks=all (embedded single broker, RF=1; Kafka default: page cache, no fsync per write)"
    durability_short = "Kafka acks=all, RF=1, no fsync"
    envelope_all = False  # X-SMTPAPI "to" replaces the envelope

    def __init__(self, procs, work, sink_port, dns_port, start_timeout):
        self.procs, self.work, self.sink_port, self.dns_port = procs, work, sink_port, dns_port
        self.start_timeout = start_timeout
        self.port = free_port()
        self.http_port = free_port()
        self.kafka_port = free_port()
        self.user = "bench"
        self.key = "bench-%x" % int.from_bytes(os.urandom(8), "big")
        self.proc = None

    def start(self):
        data = os.path.join(self.work, "mailpipe-data")
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        # a clean mailpipe environment (stray MAILPIPE_* settings would change what is measured),
        # except the launcher's JVM options, which a user may set on purpose (e.g. -Xmx)
        env = {k: v for k, v in os.environ.items()
               if (not k.startswith("MAILPIPE_") or k == "MAILPIPE_JAVA_OPTS") and k != "KAFKA_BOOTSTRAP_SERVERS"}
        env.update({
            "MAILPIPE_SMTP_PORT": str(self.port),
            "MAILPIPE_DNS": "127.0.0.1:%d" % self.dns_port,
            "MAILPIPE_MX_PORT": str(self.sink_port),
            "MAILPIPE_MX_ALLOWED_NETWORKS": "127.0.0.0/8",
            "MAILPIPE_DATA_DIR": data,
            "MAILPIPE_API_USER": self.user,
            "MAILPIPE_API_KEY": self.key,
            "MAILPIPE_KAFKA_PORT": str(self.kafka_port),
            "MAILPIPE_HTTP_HOST": "127.0.0.1",
            "MAILPIPE_HTTP_PORT": str(self.http_port),
            "MAILPIPE_WEB_PORT": str(free_port()),
            # The per-account limit (20,000/min by default) is a policy, not a capacity: with it on,
            # the benchmark would measure the policy. The peers run without any limit as well.
            "MAILPIPE_RATE_LIMIT_PER_MINUTE": "0",
        })
        env.update(self.extra_env())
        if self.realistic:  # retry stages of seconds instead of 5m,30m,2h,6h, so retries finish within the run
            env["MAILPIPE_RETRY_DELAYS"] = REALISTIC_MAILPIPE_RETRY_DELAYS
        self.logpath = os.path.join(self.work, "mailpipe.log")
        repo = self.repo()
        self.proc = self.procs.start("mailpipe", [os.path.join(repo, "mailpipe"), "up"], self.logpath, env=env, cwd=repo)
        deadline = time.time() + self.start_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("./mailpipe up exited with %s: %s" % (self.proc.returncode, self.tail()))
            try:
                with open(self.logpath, "rb") as f:
                    if b"mailpipe is up" in f.read():
                        break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("./mailpipe up did not come up within %ds: %s" % (self.start_timeout, self.tail()))
        if not smtp_ready(self.port, 30):
            raise RuntimeError("mailpipe SMTP port %d does not answer: %s" % (self.port, self.tail()))
        self.env = env
        self.after_start()

    def after_start(self):
        pass

    def extra_env(self):
        return {}

    def repo(self):
        """The checkout whose ./mailpipe up this system runs."""
        return REPO

    def tail(self):
        try:
            with open(self.logpath, "rb") as f:
                text = re.sub(r"\x1b\[[0-9;]*m", "", f.read().decode("utf-8", "replace"))
            lines = [l for l in text.strip().splitlines() if l.strip() and not l.startswith("WARNING:")]
            return " | ".join(lines[-4:])
        except OSError:
            return ""

    def roots(self):
        return [self.proc.pid if self.proc else None]

    def stop(self):
        if self.proc:
            self.procs.stop(self.proc, grace=20.0)


class MailpipeDkim(Mailpipe):
    """mailpipe with DKIM signing on: the load generator's From: domain (bench.invalid) is registered
    to the bench account with an rsa-sha256 key (`./mailpipe domains add`), so the deliverer signs
    every email. Run next to plain `mailpipe`, the ratio table shows what signing costs."""
    name = "mailpipe-dkim"
    signed_domain = "bench.invalid"
    keys_secret = "bench-keys-%x" % int.from_bytes(os.urandom(12), "big")

    def extra_env(self):
        # the same secret for ./mailpipe up and the CLI, which seals the private key under it
        return {"MAILPIPE_KEYS_SECRET": self.keys_secret}

    def after_start(self):
        r = subprocess.run([os.path.join(REPO, "mailpipe"), "domains", "--bootstrap-servers",
                            "127.0.0.1:%d" % self.kafka_port, "add", self.signed_domain, "--account", self.user,
                            "--algorithm", "rsa-sha256"], env=self.env, cwd=REPO, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise RuntimeError("./mailpipe domains add %s failed (%d): %s" % (self.signed_domain, r.returncode,
                                                                              (r.stderr or r.stdout)[-300:]))
        log("mailpipe-dkim: %s registered with an rsa-sha256 key; every email is signed" % self.signed_domain)


class MailpipeAlt(Mailpipe):
    """The same `./mailpipe up` with other JVM options: MAILPIPE_JAVA_OPTS is replaced by
    BENCH_ALT_JAVA_OPTS (mailpipe-alt2: BENCH_ALT2_JAVA_OPTS, ...; the broker's flags go in it as -Dmailpipe.kafka.jvm.flags=a,b),
    or from another checkout (BENCH_ALT_REPO). Run next to plain `mailpipe` (and a peer), it A/Bs JVM settings or
    code within one run."""
    name = "mailpipe-alt"

    def __init__(self, name, *args):
        super().__init__(*args)
        self.name = name  # mailpipe-alt, mailpipe-alt2, ...: BENCH_ALT_JAVA_OPTS, BENCH_ALT2_JAVA_OPTS, ...

    def key(self):
        """ALT, ALT2, ...: the part of the BENCH_<key>_* variables that names this system."""
        return self.name[len("mailpipe-"):].upper()

    def repo(self):
        # BENCH_ALT_REPO=/path/to/another/checkout: that checkout's ./mailpipe up (built there), to A/B
        # code, e.g. a worktree of the parent commit, against this one in the same run
        path = os.environ.get("BENCH_%s_REPO" % self.key(), "")
        if path and not os.access(os.path.join(path, "mailpipe"), os.X_OK):
            raise RuntimeError("BENCH_%s_REPO: no ./mailpipe in %s" % (self.key(), path))
        return path or REPO

    def extra_env(self):
        key = self.key()
        env = {"MAILPIPE_JAVA_OPTS": os.environ.get("BENCH_%s_JAVA_OPTS" % key, "")}
        # BENCH_ALT_ENV="MALLOC_ARENA_MAX=2 MAILPIPE_KAFKA_HEAP=128m": more variables for this system only
        for pair in os.environ.get("BENCH_%s_ENV" % key, "").split():
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise RuntimeError("BENCH_%s_ENV: %r is not NAME=VALUE" % (key, pair))
            env[name] = value
        return env


class MailpipeTracking(Mailpipe):
    """mailpipe with open, click and subscription tracking on: every submission carries X-SMTPAPI
    filters enabling them and a link in its body; the expander adds List-Unsubscribe and an
    unsubscribe footer and rewrites the link to the web service's /c/ redirect."""
    name = "mailpipe-tracking"
    tracking = True


# --------------------------------------------------------------------------------------------
# one measured run
# --------------------------------------------------------------------------------------------
def sustained_stats(doc, acked, arrivals, duration):
    """Steady state of a sustained run: rates over the middle 60 % of the sending period (the first and
    last 20 % are ramp-up and wind-down), and the backlog (emails accepted but not yet arrived) at one
    third of the period and when sending ended, and how long the rest took to drain."""
    import bisect
    t0 = doc["send_start"]
    w0, w1 = t0 + 0.2 * duration, t0 + 0.8 * duration
    acks = sorted((row[2], row[4]) for row in acked.values())
    arr = sorted((a[2], a[1]) for a in arrivals)

    def cum(pairs):
        times, total, out = [], 0, []
        for t, n in pairs:
            total += n
            times.append(t)
            out.append(total)
        return times, out
    ack_t, ack_n = cum(acks)
    arr_t, arr_n = cum(arr)

    def upto(times, counts, t):
        i = bisect.bisect_right(times, t)
        return counts[i - 1] if i else 0
    send_end = max((t for t, _ in acks), default=t0 + duration)
    backlog = lambda t: max(0, upto(ack_t, ack_n, t) - upto(arr_t, arr_n, t))
    st = {
        "steady_ingest": (upto(ack_t, ack_n, w1) - upto(ack_t, ack_n, w0)) / (w1 - w0),
        "steady_arrivals": (upto(arr_t, arr_n, w1) - upto(arr_t, arr_n, w0)) / (w1 - w0),
        "backlog_third": backlog(t0 + duration / 3.0),
        "backlog_end": backlog(send_end),
        "drain_s": max(0.0, max((t for t, _ in arr), default=send_end) - send_end),
        "submitted": len(doc["results"]), "accepted": len(acked),
    }
    # latency in steady state: the emails whose 250 came within the window, and the worst 5-second
    # slice of it (a tail that comes in bursts, e.g. a GC or a stall, shows there rather than in the p99)
    steady, slices = [], {}
    for token, rcpts, mtime, *_ in arrivals:
        t_ack = acked[token][2]
        if w0 <= t_ack < w1:
            d = max(0.0, (mtime - t_ack) * 1000.0)
            steady.extend([d] * rcpts)
            slices.setdefault(int((t_ack - w0) // 5), []).extend([d] * rcpts)
    st["steady_p50"] = percentile(steady, 50) if steady else float("nan")
    st["steady_p99"] = percentile(steady, 99) if steady else float("nan")
    worst = max(slices.items(), key=lambda kv: percentile(kv[1], 99), default=None)
    st["worst_slice_p99"] = percentile(worst[1], 99) if worst else float("nan")
    st["worst_slice_at"] = 0.2 * duration + 5 * worst[0] if worst else float("nan")
    # the queue grew: at the end of sending, clearly more is waiting than a third of the way in, and more
    # than one second of steady arrivals (a system that keeps up holds a constant backlog ~ rate x latency)
    st["grew"] = st["backlog_end"] > 2 * st["backlog_third"] and st["backlog_end"] > max(1.0, st["steady_arrivals"])
    return st


def run_load(system, sink, case, opts, work, run_id, deliver_timeout):
    out = os.path.join(work, "load-%s.json" % run_id)
    duration = case.get("duration", 0)
    max_seconds = max(opts.load_timeout, duration + 60) if duration else opts.load_timeout
    cmd = [sys.executable, os.path.join(HERE, "loadgen.py"), "--port", str(system.port),
           "--sessions", str(opts.sessions), "--messages", str(case["messages"]), "--size", str(case["size"]),
           "--rcpts", str(case["rcpts"]), "--domain", DOMAIN, "--run-id", run_id, "--out", out,
           "--max-seconds", str(max_seconds), "--envelope-all", "yes" if system.envelope_all else "no"]
    if duration:
        cmd += ["--duration", str(duration), "--rate", str(case.get("rate", 0))]
    if case.get("domains", 1) > 1:
        cmd += ["--domains", str(case["domains"])]
    if case["xsmtpapi"]:
        cmd.append("--xsmtpapi")
    if getattr(system, "tracking", False):
        cmd.append("--tracking")
    if system.user:
        cmd += ["--user", system.user, "--key", system.key]
    sink.clear()
    cpu0 = tree_cpu_seconds(system.roots())
    errlog = os.path.join(work, "loadgen.log")
    # own process group: on a timeout the worker processes are stopped too, not only their parent
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(errlog, "w"), stdin=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        p.wait(max_seconds + 60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise RuntimeError("load generator did not finish within %ds" % (max_seconds + 60))
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if p.returncode != 0:
        with open(errlog) as f:
            raise RuntimeError("load generator failed: %s" % f.read()[-800:])
    with open(out) as f:
        doc = json.load(f)
    os.unlink(out)
    acked = {row[0]: row for row in doc["results"] if row[3] == 250}
    expected = sum(row[4] for row in acked.values())
    settled = None
    if sink.realistic:
        # every accepted recipient must arrive or be refused with a 5xx by the destination
        accepted_keys = set()
        for row in acked.values():
            refused = set(row[6]) if len(row) > 6 and system.envelope_all else set()
            accepted_keys.update("r%d.%s" % (i, row[0]) for i in range(case["rcpts"]) if i not in refused)

        def settled(arrivals):
            got = {a for arr in arrivals for a in arr[4]} & accepted_keys
            bounced = {k for code, k in sink.events() if code.startswith("5")} & accepted_keys
            return len(got | bounced) >= len(accepted_keys)
    arrivals = sink.wait_for(set(acked), expected, deliver_timeout, settled)
    cpu = tree_cpu_seconds(system.roots()) - cpu0
    start = min((row[1] for row in doc["results"]), default=time.time())
    last_ack = max((row[2] for row in acked.values()), default=start)
    delivered = sum(a[1] for a in arrivals)
    last_arrival = max((a[2] for a in arrivals), default=start)
    lat = []
    personalised = sum(a[1] for a in arrivals if a[3])
    signed = sum(a[1] for a in arrivals if a[5])
    tracked = sum(a[1] for a in arrivals if a[6])
    for token, rcpts, mtime, *_ in arrivals:
        d = (mtime - acked[token][2]) * 1000.0
        lat.extend([d] * rcpts)
    rejected = [row for row in doc["results"] if row[3] != 250]
    res = {
        "accepted": len(acked), "submitted": len(doc["results"]) if duration else case["messages"],
        "expected": expected, "delivered": delivered,
        "ingest": len(acked) / max(1e-9, last_ack - start),
        "delivery": delivered / max(1e-9, last_arrival - start) if delivered else 0.0,
        "p50": max(0.0, percentile(lat, 50)) if lat else float("nan"),
        "p99": max(0.0, percentile(lat, 99)) if lat else float("nan"),
        "cpu_s": cpu, "cpu": cpu * 1000.0 / delivered if delivered else float("nan"),
        "rejected": len(rejected), "personalised": personalised, "signed": signed, "tracked": tracked,
        "first_error": (rejected[0][5] if rejected else "") or (doc["errors"][0] if doc["errors"] else ""),
        "sample_reply": next((row[5] for row in doc["results"] if row[5] and row[3] == 250), ""),
    }
    if duration:
        # sustained: the table's ingest and delivered figures are the steady state (middle 60 % of sending)
        res["sustained"] = sustained_stats(doc, acked, arrivals, duration)
        res["ingest"], res["delivery"] = res["sustained"]["steady_ingest"], res["sustained"]["steady_arrivals"]
    res["ok"] = res["accepted"] == res["submitted"] and delivered >= expected and expected > 0
    if case["xsmtpapi"] and not system.envelope_all and personalised < delivered:
        res["ok"] = False  # mailpipe must deliver one personalised email per X-SMTPAPI recipient
        res["first_error"] = "%d of %d delivered emails lack the X-SMTPAPI substitutions" % (
            delivered - personalised, delivered)
    if getattr(system, "tracking", False) and tracked < delivered:
        res["ok"] = False
        res["first_error"] = "%d of %d delivered emails lack the tracking rewrite" % (delivered - tracked, delivered)
    if isinstance(system, MailpipeDkim) and signed < delivered:
        res["ok"] = False
        res["first_error"] = "%d of %d delivered emails lack a DKIM-Signature" % (delivered - signed, delivered)
    if sink.realistic:
        res["realistic"] = rz = realistic_stats(sink, arrivals, accepted_keys)
        # the destination's 4xx/5xx passed back to the client (Haraka) are answers, not failures
        answered = all(row[3] == 250 or 400 <= row[3] < 600 for row in doc["results"])
        rz["refused_submissions"] = sum(1 for row in doc["results"] if row[3] != 250)
        res["ok"] = answered and rz["lost"] == 0 and len(doc["results"]) > 0 and not (
            case["xsmtpapi"] and not system.envelope_all and personalised < delivered)
        if rz["lost"]:
            res["first_error"] = "%d accepted email(s) neither arrived nor were refused with 5xx, e.g. %s" % (
                rz["lost"], rz["lost_sample"])
        expected = len(accepted_keys) - rz["bounced"]
        res["expected"] = expected
    if delivered < expected:
        res["first_error"] = ("%s [%s]" % (res["first_error"], dns_status())).strip()
    return res


def realistic_stats(sink, arrivals, accepted_keys):
    """Per recipient of the accepted submissions: delivered (once or more), deferred (got a 451 at
    least once) then delivered, bounced (got a 550 and never arrived), lost (neither)."""
    import collections
    seen = collections.Counter(a for arr in arrivals for a in arr[4])
    ev = sink.events()
    deferred = {k for code, k in ev if code.startswith("4")}
    refused = {k for code, k in ev if code.startswith("5")}
    got = set(seen) & accepted_keys
    bounced = (refused & accepted_keys) - got
    lost = accepted_keys - got - bounced
    return {
        "accepted": len(accepted_keys), "delivered": len(got),
        "deferred_delivered": len(got & deferred), "bounced": len(bounced), "lost": len(lost),
        "lost_sample": ", ".join(sorted(lost)[:3]),
        "duplicates": sum(c - 1 for k, c in seen.items() if k in accepted_keys and c > 1),
        "replies_4xx": sum(1 for code, k in ev if code.startswith("4") and k in accepted_keys),
        "replies_5xx": sum(1 for code, k in ev if code.startswith("5") and k in accepted_keys),
        "dsn": sum(1 for code, _ in ev if code == "dsn"),
    }


def measure_system(system, sink, cases, opts, work, budget_end):
    sampler = RssSampler(system.roots)
    results = {}
    t0 = time.time()
    system.start()
    log("%s is up in %.1fs on port %d" % (system.name, time.time() - t0, system.port))
    sampler.start()
    try:
        # warm-up: JIT, connection caches, topic leaders, Postfix process pools
        w = run_load(system, sink, {"messages": opts.warmup, "size": 1024, "rcpts": 1, "xsmtpapi": False},
                     opts, work, "w%s%x" % (system.name[0], int(time.time()) & 0xffff), opts.deliver_timeout)
        log("%s warm-up: %d/%d accepted, %d/%d delivered %s" % (system.name, w["accepted"], w["submitted"],
                                                             w["delivered"], w["expected"], w["first_error"]))
        if opts.warmup_seconds > 0:
            # a JVM keeps compiling for minutes: on 2 cores its C2 threads took 30-45 % of mailpipe's CPU
            # for the first ~90 s under load (README, "Warm-up"), so a count of messages is not enough
            w = run_load(system, sink, {"messages": 0, "duration": opts.warmup_seconds, "rate": 0, "size": 1024,
                                        "rcpts": 1, "xsmtpapi": False},
                         opts, work, "v%s%x" % (system.name[0], int(time.time()) & 0xffff), opts.deliver_timeout)
            log("%s timed warm-up: %.0f s closed loop, %d/%d accepted, %d/%d delivered %s" % (
                system.name, opts.warmup_seconds, w["accepted"], w["submitted"], w["delivered"], w["expected"],
                w["first_error"]))
        for case in cases:
            runs = []
            if opts.case_warmup_runs and not case.get("duration"):
                # the timed warm-up compiles the 1 KiB path; a case's own code (X-SMTPAPI parsing and
                # fan-out, 20 KiB bodies) still compiles during its first run: 0.87 s/1k emails in the
                # first xsmtpapi100 run against 0.36-0.46 in the next four (bench/README, "Warm-up")
                for i in range(opts.case_warmup_runs):
                    rid = "%s%sw%d%x" % (system.name[0], case["id"][0], i, int(time.time() * 10) & 0xfffff)
                    r = run_load(system, sink, case, opts, work, rid, opts.deliver_timeout)
                    log("%-8s %-10s warm-up run %d (not counted): delivered %7.1f emails/s (%d/%d), %.2f s/1k emails" % (
                        system.name, case["id"], i + 1, r["delivery"], r["delivered"], r["expected"], r["cpu"]))
            for i in range(case.get("runs", opts.runs)):
                if time.time() > budget_end:
                    log("time budget exhausted: skipping the rest of %s" % system.name)
                    break
                rid = "%s%s%d%x" % (system.name[0], case["id"][0], i, int(time.time() * 10) & 0xfffff)
                r = run_load(system, sink, case, opts, work, rid, opts.deliver_timeout)
                log("%-8s %-10s run %d: ingest %7.1f msg/s, delivered %7.1f emails/s (%d/%d%s), p50 %.0f ms, "
                    "p99 %.0f ms, CPU %.1f s = %.2f s/1k emails%s" % (
                                       system.name, case["id"], i + 1, r["ingest"], r["delivery"], r["delivered"],
                                       r["expected"],
                                       (", %d personalised" % r["personalised"] if case["xsmtpapi"] else "") +
                                       (", %d DKIM-signed" % r["signed"] if isinstance(system, MailpipeDkim) else "") +
                                       (", %d tracked" % r["tracked"] if getattr(system, "tracking", False) else ""),
                                       r["p50"], r["p99"], r["cpu_s"], r["cpu"],
                                       "" if r["ok"] else "  FAILED: %d rejected %s" % (r["rejected"], r["first_error"])))
                if "sustained" in r:
                    st = r["sustained"]
                    log("%-8s %-10s run %d: sustained %s: %d submitted, steady state %.1f accepted/s, %.1f arrived/s; "
                        "backlog %d at 1/3, %d at end of sending%s; drained %.1f s later; steady p50 %.0f ms, "
                        "p99 %.0f ms, worst 5 s p99 %.0f ms at %.0f s" % (
                            system.name, case["id"], i + 1, "at %g/s" % case["rate"] if case["rate"] else "closed loop",
                            st["submitted"], st["steady_ingest"], st["steady_arrivals"], st["backlog_third"],
                            st["backlog_end"], " (queue GREW)" if st["grew"] else "", st["drain_s"],
                            st["steady_p50"], st["steady_p99"], st["worst_slice_p99"], st["worst_slice_at"]))
                runs.append(r)
            results[case["id"]] = runs
    finally:
        rss, pss, detail = sampler.finish()
        system.stop()
    return results, (rss, pss), detail


def sum_realistic(runs):
    rs = [r["realistic"] for r in runs if "realistic" in r]
    if not rs:
        return None
    return {k: sum(r[k] for r in rs) for k in rs[0] if k != "lost_sample"}


def summarize(runs):
    def stat(key):
        vals = [r[key] for r in runs if r[key] == r[key]]  # drop NaN
        if not vals:
            return (float("nan"),) * 3
        return statistics.median(vals), min(vals), max(vals)
    return {k: stat(k) for k in STAT_KEYS}


STAT_KEYS = ("ingest", "delivery", "p50", "p99", "cpu")


def fmt(x, digits=0):
    if x != x:
        return "n/a"
    return ("%." + str(digits) + "f") % x


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description="mailpipe vs Postfix vs Haraka, loopback only")
    ap.add_argument("--smoke", action="store_true", help="tiny counts, one run each, under 2 minutes; "
                                                         "exit 1 if any system fails to deliver")
    ap.add_argument("--systems", default="mailpipe,postfix,haraka")
    ap.add_argument("--sessions", type=int, help="parallel SMTP sessions (default 20; smoke 4)")
    ap.add_argument("--messages", type=int, help="messages per 1 KiB run (default 4000; smoke 40); "
                                                  "20 KiB runs send half")
    ap.add_argument("--xsmtpapi-messages", type=int, help="100-recipient submissions per run (default 100; smoke 2)")
    ap.add_argument("--runs", type=int, help="measured runs per case, median reported (default 3; smoke 1)")
    ap.add_argument("--warmup", type=int, help="warm-up messages per system (default 300; smoke 10)")
    ap.add_argument("--warmup-seconds", type=float, help="then a closed-loop 1 KiB warm-up of this many seconds "
                    "(default 120; smoke 0): the JVMs' JIT compilers are busy for minutes")
    ap.add_argument("--case-warmup-runs", type=int, help="unmeasured runs of each case before its measured ones "
                    "(default 1; smoke 0)")
    ap.add_argument("--sink-delay", type=int, default=0, help="seconds smtp-sink waits before answering DATA")
    ap.add_argument("--max-minutes", type=float, help="overall time budget (default 100; smoke 2)")
    ap.add_argument("--sustained", type=float, help="add a sustained case: 1 KiB messages for this many seconds, one "
                                                    "run per system (default off; smoke 4)")
    ap.add_argument("--sustained-rate", type=float, help="target submissions/s of the sustained case (default 0: "
                                                         "closed loop, as fast as the system accepts; smoke 25)")
    ap.add_argument("--cases", default="", help="only these cases, comma-separated ids (1KiB, 20KiB, xsmtpapi100, "
                    "1KiB-<N>domains, sustained<S>s; default all), e.g. to profile one of them")
    ap.add_argument("--mailpipe-start-timeout", type=int, default=240)
    ap.add_argument("--domains", type=int, default=MANY_DOMAINS,
                    help="the 1KiB-<N>domains case spreads its M recipients round-robin over N domains, each with "
                         "its own MX record in dnsmasq (default %d, at most %d; 0 or 1: no such case)" % (
                             MANY_DOMAINS, MANY_DOMAINS))
    ap.add_argument("--realistic", action="store_true",
                    help="the destination is bench/lib/sink.py: 50-200 ms per transaction, 451 for 3 %% and 550 for 1 %% "
                         "of the recipients, short retry delays for the systems (see README)")
    ap.add_argument("--realistic-seed", default="1")
    ap.add_argument("--pidfile", default="")
    ap.add_argument("--record", action="store_true",
                    help="write the CSV, table and plot to bench/results (tracked); without it they go to "
                         "bench/.work/results (ignored), so a run leaves the tree clean")
    ap.add_argument("--results-dir", help="where the CSV and PNG go (default bench/.work/results; "
                                          "bench/results with --record)")
    opts = ap.parse_args()
    smoke = opts.smoke
    d = lambda v, full, small: v if v is not None else (small if smoke else full)
    opts.sessions = d(opts.sessions, 20, 4)
    opts.messages = d(opts.messages, 4000, 40)
    opts.xsmtpapi_messages = d(opts.xsmtpapi_messages, 100, 2)
    opts.runs = d(opts.runs, 3, 1)
    opts.warmup = d(opts.warmup, 300, 10)
    opts.warmup_seconds = d(opts.warmup_seconds, 120.0, 0.0)
    opts.case_warmup_runs = d(opts.case_warmup_runs, 1, 0)
    opts.max_minutes = d(opts.max_minutes, 40.0, 6.0)
    opts.sustained = d(opts.sustained, 0, 4)
    if opts.domains > MANY_DOMAINS:
        raise SystemExit("--domains: at most %d (dnsmasq serves MX records for d0000 ... d%04d.%s)" % (
            MANY_DOMAINS, MANY_DOMAINS - 1, DOMAIN))
    opts.sustained_rate = d(opts.sustained_rate, 0, 25)  # a cap; the smoke counts take 1-2 minutes
    if opts.results_dir is None:
        opts.results_dir = default_results_dir(opts.record, smoke)
    opts.load_timeout = 30 if smoke else 300
    opts.deliver_timeout = 30 if smoke else 180
    if not smoke and opts.runs < 3:
        log("note: fewer than 3 runs per case; medians are less trustworthy")
    cases = [
        {"id": "1KiB", "messages": opts.messages, "size": 1024, "rcpts": 1, "xsmtpapi": False},
        {"id": "20KiB", "messages": max(1, opts.messages // 2), "size": 20 * 1024, "rcpts": 1, "xsmtpapi": False},
        {"id": "xsmtpapi100", "messages": opts.xsmtpapi_messages, "size": 2048, "rcpts": 100, "xsmtpapi": True},
    ]
    if opts.domains > 1:
        cases.append({"id": "1KiB-%ddomains" % opts.domains, "messages": opts.messages, "size": 1024, "rcpts": 1,
                      "xsmtpapi": False, "domains": opts.domains})
    if opts.sustained:
        cases.append({"id": "sustained%gs" % opts.sustained, "messages": 0, "duration": opts.sustained,
                      "rate": opts.sustained_rate, "size": 1024, "rcpts": 1, "xsmtpapi": False, "runs": 1})
    if opts.cases:
        wanted = [c.strip() for c in opts.cases.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in [case["id"] for case in cases]]
        if unknown:
            raise SystemExit("--cases: unknown %s (this run has %s)" % (
                ", ".join(unknown), ", ".join(case["id"] for case in cases)))
        cases = [case for case in cases if case["id"] in wanted]
    systems = [s.strip() for s in opts.systems.split(",") if s.strip()]
    started = time.time()
    budget_end = started + opts.max_minutes * 60
    work = os.path.join(BENCH, ".work", "run-%d" % os.getpid())
    os.makedirs(work, exist_ok=True)
    procs = Procs(opts.pidfile)
    procs.note("dir %s" % work)
    stamp = datetime.datetime.now(datetime.timezone.utc)
    table, failures = [], []
    interrupted = False

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        realistic = {"seed": opts.realistic_seed, "delay_min": 0.05, "delay_max": 0.2, "p4xx": 0.03,
                     "p5xx": 0.01} if opts.realistic else None
        if smoke and not opts.realistic:
            realistic_self_test(procs, work)
        sink = Sink(procs, work, opts.sink_delay, realistic)
        _, dns_port = start_dnsmasq(procs, work)
        log("smtp-sink on 127.0.0.1:%d (dump %s), dnsmasq on 127.0.0.1:%d (MX %s -> 127.0.0.1)"
            % (sink.port, sink.dump, dns_port, DOMAIN))
        for name in systems:
            if name == "mailpipe":
                system = Mailpipe(procs, work, sink.port, dns_port, opts.mailpipe_start_timeout)
            elif name == "mailpipe-tracking":
                system = MailpipeTracking(procs, work, sink.port, dns_port, opts.mailpipe_start_timeout)
            elif re.fullmatch(r"mailpipe-alt\d*", name):
                system = MailpipeAlt(name, procs, work, sink.port, dns_port, opts.mailpipe_start_timeout)
            elif name == "mailpipe-dkim":
                system = MailpipeDkim(procs, work, sink.port, dns_port, opts.mailpipe_start_timeout)
            elif name == "postfix":
                system = Postfix(procs, work, sink.port)
            elif name == "haraka":
                system = Haraka(procs, work, sink.port)
            else:
                raise SystemExit("unknown system %r (mailpipe, mailpipe-alt, mailpipe-dkim, mailpipe-tracking, postfix, haraka)"
                                 % name)
            system.realistic = bool(opts.realistic)
            try:
                res, rss, detail = measure_system(system, sink, cases, opts, work, budget_end)
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                log("%s: not available: %s" % (name, e))
                failures.append("%s: not available: %s" % (name, e))
                table.append({"system": name, "status": "not available", "error": str(e)[:300],
                              "durability": system.durability})
                continue
            for case in cases:
                runs = res.get(case["id"], [])
                ok = bool(runs) and all(r["ok"] for r in runs)
                if not ok:
                    bad = next((r for r in runs if not r["ok"]), None)
                    failures.append("%s %s: %s" % (name, case["id"], "no run (time budget)" if bad is None else
                                                   "accepted %d/%d, delivered %d/%d %s" % (
                                                       bad["accepted"], bad["submitted"], bad["delivered"],
                                                       bad["expected"], bad["first_error"])))
                table.append({"system": name, "case": case["id"], "status": "ok" if ok else "FAILED",
                              "runs": len(runs), "stats": summarize(runs) if runs else None, "rss": rss[0], "pss": rss[1],
                              "rss_detail": detail, "durability": system.durability,
                              "durability_short": system.durability_short, "messages": case["messages"], "rcpts": case["rcpts"],
                              "reply": next((r["sample_reply"] for r in runs if r["sample_reply"]), ""),
                              "realistic": sum_realistic(runs),
                              "sustained": next((dict(r["sustained"], rate=case["rate"], duration=case["duration"])
                                                 for r in runs if "sustained" in r), None)})
    except KeyboardInterrupt as e:
        log("interrupted: %s (nothing is written to the results)" % e)
        failures.append("interrupted")
        interrupted = True
    finally:
        procs.stop_all()
        if "sink" in locals():
            shutil.rmtree(sink.dump, ignore_errors=True)

    report = render(table, cases, opts, stamp, time.time() - started)
    sys.stderr.flush()
    print(report, flush=True)
    if not interrupted:
        write_results(table, opts, stamp, smoke, report)
    if failures:
        # keep the logs (mailpipe.log, haraka.log, postfix/maillog, ...) of a failed run, not its queues
        for data in ("mailpipe-data", os.path.join("postfix", "queue")):
            shutil.rmtree(os.path.join(work, data), ignore_errors=True)
        log("FAILED: " + "; ".join(failures))
        log("logs kept in %s" % work)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    log("done in %.0fs" % (time.time() - started))
    return 0


def render(table, cases, opts, stamp, elapsed):
    lines = ["", "mailpipe benchmark, %s UTC, %s, %d sessions, warm-up %d messages + %.0f s, %d run(s) per case "
             "(median, min-max), sink delay %ds, %.0fs%s" % (stamp.strftime("%Y-%m-%d %H:%M"),
                                         "smoke" if opts.smoke else "full", opts.sessions, opts.warmup,
                                         opts.warmup_seconds, opts.runs, opts.sink_delay, elapsed,
                                         ", realistic destination (bench/lib/sink.py: 50-200 ms per transaction, "
                                         "451 for 3 %% of RCPT attempts, 550 for 1 %% of recipients, seed %s)"
                                         % opts.realistic_seed if opts.realistic else ""),
             "",
             "| system | case | msgs × rcpts | ingest msgs/s | delivered emails/s | CPU s/1k emails | p50 ms | p99 ms | peak RSS / PSS MB | durability | status |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in table:
        if row.get("status") == "not available":
            lines.append("| %s | all | | | | | | | | | not available: %s |" % (row["system"], row["error"][:120]))
            continue
        s = row["stats"]
        if s is None:
            lines.append("| %s | %s | | | | | | | | | %s |" % (row["system"], row["case"], row["status"]))
            continue

        def cell(k, digits=0):
            med, lo, hi = s[k]
            return "%s (%s-%s)" % (fmt(med, digits), fmt(lo, digits), fmt(hi, digits)) if row["runs"] > 1 else fmt(med, digits)
        lines.append("| %s | %s | %d × %d | %s | %s | %s | %s | %s | %.0f / %.0f | %s | %s |" % (
            row["system"], row["case"], row["sustained"]["submitted"] if row.get("sustained") else row["messages"],
            row["rcpts"], cell("ingest"), cell("delivery"),
            cell("cpu", 2), cell("p50"), cell("p99"), row["rss"], row["pss"], row["durability_short"], row["status"]))
    lines.append("")
    # mailpipe's ratio to each peer
    by = {(r["system"], r.get("case")): r for r in table if r.get("stats")}
    peers = [s for s in dict.fromkeys(r["system"] for r in table) if s != "mailpipe"]
    if any(k[0] == "mailpipe" for k in by) and peers:
        lines.append("| mailpipe ÷ peer | case | ingest | delivered | CPU per email | p50 latency |")
        lines.append("|---|---|---|---|---|---|")
        for peer in peers:
            for case in cases:
                a, b = by.get(("mailpipe", case["id"])), by.get((peer, case["id"]))
                if not a or not b:
                    continue
                def ratio(k):
                    # a latency ratio against a peer that hands off within the same millisecond means nothing
                    floor = 1.0 if k == "p50" else 1e-9
                    den = b["stats"][k][0]
                    return fmt(a["stats"][k][0] / den, 2) + "×" if den == den and den >= floor else "n/a"
                lines.append("| ÷ %s | %s | %s | %s | %s | %s |" % (peer, case["id"], ratio("ingest"), ratio("delivery"),
                                                                  ratio("cpu"), ratio("p50")))
        lines.append("")
    rea = [r for r in table if r.get("realistic")]
    if rea:
        lines.append("Realistic destination, per recipient of the accepted submissions, all runs of the case together "
                     "(deferred = got a 451 at least once; bounced = got a 550 and never arrived; lost = neither arrived "
                     "nor 550: must be 0):")
        lines.append("")
        lines.append("| system | case | submissions refused | accepted emails | delivered | deferred, then delivered | "
                     "bounced (550) | lost | duplicates | 451 / 550 replies | DSNs back to the sender |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rea:
            z = r["realistic"]
            lines.append("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d / %d | %d |" % (
                r["system"], r["case"], z.get("refused_submissions", 0), z["accepted"], z["delivered"], z["deferred_delivered"], z["bounced"],
                z["lost"], z["duplicates"], z["replies_4xx"], z["replies_5xx"], z["dsn"]))
        lines.append("")
    sus = [r for r in table if r.get("sustained")]
    if sus:
        lines.append("Sustained (ingest and delivered above are the steady state: the middle 60 % of the sending period; "
                     "backlog = emails accepted but not yet arrived):")
        lines.append("")
        lines.append("| system | case | target rate | submitted / accepted | steady accepted/s | steady arrived/s | "
                     "backlog at 1/3 | backlog at end of sending | drain s | queue grew | steady p50 / p99 ms | "
                     "worst 5 s p99 ms |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sus:
            st = r["sustained"]
            lines.append("| %s | %s | %s | %d / %d | %.0f | %.0f | %d | %d | %.1f | %s | %.0f / %.0f | %.0f (at %.0f s) |" % (
                r["system"], r["case"], "%g/s (%d in %gs)" % (st["rate"], st["rate"] * st["duration"], st["duration"])
                if st["rate"] else "closed loop (%d sessions)" % opts.sessions,
                st["submitted"], st.get("accepted", st["submitted"]), st["steady_ingest"], st["steady_arrivals"],
                st["backlog_third"], st["backlog_end"], st["drain_s"], "yes" if st["grew"] else "no",
                st.get("steady_p50", float("nan")), st.get("steady_p99", float("nan")),
                st.get("worst_slice_p99", float("nan")), st.get("worst_slice_at", float("nan"))))
        lines.append("")
    lines.append("Durability (when the 250 reply is sent); peak RSS per process (VmHWM):")
    seen = set()
    for row in table:
        if row["system"] in seen:
            continue
        seen.add(row["system"])
        lines.append("- %s: %s%s" % (row["system"], row["durability"],
                                     ("; peak RSS: " + row["rss_detail"]) if row.get("rss_detail") else ""))
    replies = [(r["system"], r["reply"]) for r in table if r.get("reply")]
    if replies:
        lines.append("Sample 250 replies: " + "; ".join("%s: %s" % x for x in dict(replies).items()))
    lines.append("")
    return "\n".join(lines)


def write_results(table, opts, stamp, smoke, report):
    os.makedirs(opts.results_dir, exist_ok=True)
    csv_path = os.path.join(opts.results_dir, "results.csv")
    header = ("date_utc,mode,system,case,messages,rcpts,sessions,runs,sink_delay_s,ingest_msgs_s,ingest_min,ingest_max,"
              "delivered_emails_s,delivered_min,delivered_max,p50_ms,p50_min,p50_max,p99_ms,p99_min,p99_max,"
              "peak_rss_mb,status,durability,git_rev,peak_pss_mb,cpu_s_per_1k,cpu_min,cpu_max,"
              "sustained_s,target_rate,backlog_third,backlog_end,drain_s,queue_grew,"
              "realistic,accepted_emails,delivered_unique,deferred_delivered,bounced,lost,duplicates")
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
    except OSError:
        rev = ""
    new = not os.path.exists(csv_path)
    if not new:  # columns are only ever appended: widen an older header in place (old rows lack the new fields)
        with open(csv_path) as f:
            old_header, rest = f.readline().rstrip("\n"), f.read()
        if old_header != header and header.startswith(old_header + ","):
            with open(csv_path, "w") as f:
                f.write(header + "\n" + rest)
    with open(csv_path, "a") as f:
        if new:
            f.write(header + "\n")
        for row in table:
            s = row.get("stats") or {k: (float("nan"),) * 3 for k in STAT_KEYS}
            nums = []
            for k in ("ingest", "delivery", "p50", "p99"):
                nums.extend(fmt(x, 1) for x in s[k])
            f.write(",".join([stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "smoke" if smoke else "full", row["system"],
                              row.get("case", "all"),
                              str(row["sustained"]["submitted"] if row.get("sustained") else row.get("messages", "")), str(row.get("rcpts", "")),
                              str(opts.sessions), str(row.get("runs", 0)), str(opts.sink_delay)] + nums +
                             [fmt(row.get("rss", float("nan")), 0), row["status"].replace(",", ";"),
                              '"%s"' % row["durability"].replace('"', "'"), rev,
                              fmt(row.get("pss", float("nan")), 0)] + [fmt(x, 3) for x in s["cpu"]] +
                             sustained_csv(row.get("sustained")) + realistic_csv(opts, row.get("realistic"))) + "\n")
    base = os.path.join(opts.results_dir, "bench-%s" % stamp.strftime("%Y%m%dT%H%M%SZ"))
    with open(base + ".md", "w") as f:
        f.write(report)
    data = [{"system": r["system"], "case": r["case"], "ingest": r["stats"]["ingest"][0],
             "delivery": r["stats"]["delivery"][0], "p50": r["stats"]["p50"][0], "p99": r["stats"]["p99"][0]}
            for r in table if r.get("stats")]
    with open(base + ".json", "w") as f:
        json.dump({"date": stamp.isoformat(), "rows": data}, f)
    title = "mailpipe vs Postfix vs Haraka, %s UTC (%s, %d sessions)" % (
        stamp.strftime("%Y-%m-%d %H:%M"), "smoke" if smoke else "median of %d" % opts.runs, opts.sessions)
    r = subprocess.run([sys.executable, os.path.join(HERE, "plot.py"), base + ".json", base + ".png", title],
                       capture_output=True, text=True)
    if r.returncode != 0:
        log("plot failed: %s" % r.stderr[-300:])
    else:
        log("results: %s, %s.png (%s)" % (csv_path, base, r.stdout.strip()))


def realistic_csv(opts, z):
    if not z:
        return ["yes" if opts.realistic else "no"] + [""] * 6
    return ["yes"] + [str(z[k]) for k in ("accepted", "delivered", "deferred_delivered", "bounced", "lost",
                                          "duplicates")]


def sustained_csv(st):
    if not st:
        return [""] * 6
    return ["%g" % st["duration"], "%g" % st["rate"], str(st["backlog_third"]), str(st["backlog_end"]),
            fmt(st["drain_s"], 1), "yes" if st["grew"] else "no"]


def default_results_dir(record, smoke):
    """bench/results (tracked) only when asked to record a full run; else the ignored bench/.work/results."""
    return os.path.join(BENCH, "results") if record and not smoke else os.path.join(BENCH, ".work", "results")


if __name__ == "__main__":
    sys.exit(main())

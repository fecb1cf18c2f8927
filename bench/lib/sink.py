#!/usr/bin/env python3
"""A 'realistic' SMTP destination for the mailpipe benchmark (Python 3 standard library, asyncio).

Like `smtp-sink -d`, it writes every accepted transaction to a file in --dump (X-Mail-Args /
X-Rcpt-Args lines, a Received: line, then the message), so bench.py matches arrivals the same way;
the file is written into a side directory and renamed into --dump, so a file the orchestrator sees
is complete, and its mtime is the moment the 250 to the final dot was sent. Unlike smtp-sink it
behaves like a remote server under load:

- every transaction waits a random 50-200 ms (--delay-min/--delay-max) before its reply to the final dot;
- RCPT TO is answered `550 5.1.1` for --p5xx of the recipients (decided by a hash of the seed and the
  recipient's index and message number, see rcpt_key: the same recipients bounce for every system and
  on every retry, like a mailbox that does not exist), and `451 4.3.0` for --p4xx of the attempts
  (a hash of seed, recipient and attempt number: the same recipients are deferred the same number of
  times for every system);
- a transaction from the null sender (a bounce/DSN the system under test sends back) is accepted and
  counted, not dumped.

Every 4xx/5xx reply and every DSN is appended to --events as a line `<code> <recipient>` / `dsn -`,
which bench.py reads to count deferred and bounced recipients.
"""
import argparse
import asyncio
import hashlib
import os
import pwd
import re
import socket
import sys
import time


BENCH_RCPT = re.compile(r"^r(\d+)\.\w*?(\d{6})@")


def rcpt_key(addr):
    """What decides a recipient's fate: its index and message number in the load generator's address
    r<i>.<run id><n:06d>@domain, without the run id (which names the system and run) or the domain, so
    the same recipients are deferred and bounced for every system."""
    m = BENCH_RCPT.match(addr)
    return "%s.%s" % m.groups() if m else addr


def unit(*parts):
    """A deterministic number in [0, 1) from the parts."""
    h = hashlib.blake2b("\0".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0 ** 64


class Sink:
    def __init__(self, opts):
        self.o = opts
        self.attempts = {}  # recipient -> RCPT attempts seen
        self.seq = 0
        self.tmp = opts.dump.rstrip("/") + ".tmp"
        os.makedirs(self.tmp, exist_ok=True)
        os.chmod(self.tmp, 0o777)  # still writable after dropping to --user
        self.events = open(opts.events, "a", buffering=1)

    def event(self, code, rcpt):
        self.events.write("%s %s\n" % (code, rcpt))

    async def handle(self, reader, writer):
        peer = writer.get_extra_info("peername") or ("?", 0)
        w = writer.write

        def reply(line):
            w(line.encode() + b"\r\n")
        reply("220 sink.bench.test ESMTP bench sink")
        mail_from, rcpts = None, []
        try:
            while True:
                await writer.drain()
                line = await reader.readline()
                if not line:
                    break
                cmd = line.decode("latin-1").rstrip("\r\n")
                verb = cmd[:4].upper()
                if verb in ("EHLO", "HELO"):
                    if verb == "EHLO":
                        reply("250-sink.bench.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 52428800\r\n"
                              "250 ENHANCEDSTATUSCODES")
                    else:
                        reply("250 sink.bench.test")
                    mail_from, rcpts = None, []
                elif verb == "MAIL":
                    mail_from, rcpts = cmd[10:].strip().split(" ")[0], []
                    reply("250 2.1.0 Ok")
                elif verb == "RCPT":
                    if mail_from is None:
                        reply("503 5.5.1 Error: need MAIL command")
                        continue
                    addr = cmd[8:].strip().split(" ")[0].strip("<>").lower()
                    n = self.attempts.get(addr, 0)
                    self.attempts[addr] = n + 1
                    key = rcpt_key(addr)
                    if mail_from != "<>" and unit(self.o.seed, "5xx", key) < self.o.p5xx:
                        reply("550 5.1.1 <%s>: Recipient address rejected: bench: user unknown" % addr)
                        self.event("550", addr)
                    elif mail_from != "<>" and unit(self.o.seed, "4xx", key, n) < self.o.p4xx:
                        reply("451 4.3.0 <%s>: bench: try again later" % addr)
                        self.event("451", addr)
                    else:
                        rcpts.append(addr)
                        reply("250 2.1.5 Ok")
                elif verb == "DATA":
                    if mail_from is None or not rcpts:
                        reply("554 5.5.1 Error: no valid recipients")
                        continue
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    chunks = []
                    while True:
                        l = await reader.readline()
                        if not l:
                            return
                        if l in (b".\r\n", b".\n"):
                            break
                        chunks.append(l[1:] if l.startswith(b"..") else l)
                    delay = self.o.delay_min + (self.o.delay_max - self.o.delay_min) * unit(
                        self.o.seed, "delay", rcpt_key(rcpts[0]), self.attempts.get(rcpts[0], 0))
                    await asyncio.sleep(delay)
                    if mail_from == "<>":
                        self.event("dsn", "-")
                    else:
                        self.save(peer, mail_from, rcpts, b"".join(chunks))
                    reply("250 2.0.0 Ok: queued")
                    mail_from, rcpts = None, []
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    reply("250 2.0.0 Ok")
                elif verb == "NOOP":
                    reply("250 2.0.0 Ok")
                elif verb == "QUIT":
                    reply("221 2.0.0 Bye")
                    await writer.drain()
                    break
                else:
                    reply("502 5.5.2 Error: command not recognized")
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            try:
                writer.close()
            except OSError:
                pass

    def save(self, peer, mail_from, rcpts, data):
        self.seq += 1
        name = "%s.%d.%d" % (time.strftime("%H%M%S"), os.getpid(), self.seq)
        head = ["X-Client-Addr: %s" % peer[0], "X-Mail-Args: %s" % mail_from]
        head += ["X-Rcpt-Args: <%s>" % r for r in rcpts]
        head.append("Received: from [%s] by bench-sink; %s" % (peer[0], time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                                                                     time.gmtime())))
        tmp = os.path.join(self.tmp, name)
        with open(tmp, "wb") as f:
            f.write(("\n".join(head) + "\n").encode() + data)
        os.replace(tmp, os.path.join(self.o.dump, name))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", required=True, help="127.0.0.1:PORT")
    p.add_argument("--dump", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--seed", default="1")
    p.add_argument("--delay-min", type=float, default=0.05)
    p.add_argument("--delay-max", type=float, default=0.2)
    p.add_argument("--p4xx", type=float, default=0.03)
    p.add_argument("--p5xx", type=float, default=0.01)
    p.add_argument("--user", default="", help="drop to this user after binding (when started as root)")
    opts = p.parse_args()
    host, port = opts.listen.rsplit(":", 1)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port)))
    sock.listen(1024)
    sink = Sink(opts)
    if opts.user and os.geteuid() == 0:
        pw = pwd.getpwnam(opts.user)
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)

    async def serve():
        server = await asyncio.start_server(sink.handle, sock=sock, limit=1 << 20)
        async with server:
            await server.serve_forever()
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

# dkimpy (Debian python3-dkim) verifying every DKIM-Signature of each message file given, looking the
# keys up in real DNS: the server at argv[1] (host:port, dnsmasq in the tests) through dnspython.
# Prints "<file> pass|fail d=… s=… a=… h=…" per signature; exit 0 only if every signature passes.
import sys, dkim, dns.resolver

host, port = sys.argv[1].rsplit(':', 1)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = int(port)

def txt(name, timeout=5):
    try:
        answer = resolver.resolve(name.decode().rstrip('.'), 'TXT', lifetime=timeout)
    except Exception:
        return None
    for rr in answer:
        return b''.join(rr.strings)
    return None

ok = True
for path in sys.argv[2:]:
    message = open(path, 'rb').read()
    d = dkim.DKIM(message)
    sigs = [v for (k, v) in d.headers if k.lower() == b'dkim-signature']
    if not sigs:
        print(path, "none")
        ok = False
    for i, value in enumerate(sigs):
        try:
            passed = d.verify(idx=i, dnsfunc=txt)
        except dkim.ValidationError as e:
            print("error:", e, file=sys.stderr)
            passed = False
        tags = dkim.util.parse_tag_value(value)
        h = tags[b'h'].decode().replace(' ', '').replace('\r\n', '').replace('\t', '')
        print(path, "pass" if passed else "fail", "d=" + tags[b'd'].decode(), "s=" + tags[b's'].decode(),
              "a=" + tags[b'a'].decode(), "h=" + h)
        ok = ok and passed
sys.exit(0 if ok else 1)

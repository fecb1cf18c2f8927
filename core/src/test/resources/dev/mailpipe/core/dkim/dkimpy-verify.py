# Verifies every DKIM-Signature of the message on stdin with dkimpy (Debian python3-dkim), the
# TXT records given as a JSON object {"sel._domainkey.dom": "v=DKIM1; ..."} in argv[1]. Prints one
# line per signature, "pass d= s= a=" or "fail d= s= a=", and exits 0 only if all pass.
import json, sys, dkim

records = json.loads(sys.argv[1])
def dns(name, timeout=5):
    value = records.get(name.decode().rstrip('.'))
    return value.encode() if value is not None else None

message = sys.stdin.buffer.read()
d = dkim.DKIM(message)
sigs = [v for (k, v) in d.headers if k.lower() == b'dkim-signature']
ok = len(sigs) > 0
for i, value in enumerate(sigs):
    try:
        passed = d.verify(idx=i, dnsfunc=dns)
    except dkim.ValidationError as e:
        print("error:", e, file=sys.stderr)
        passed = False
    tags = dkim.util.parse_tag_value(value)
    print(("pass" if passed else "fail"), "d=" + tags[b'd'].decode(), "s=" + tags[b's'].decode(),
          "a=" + tags[b'a'].decode(), "h=" + tags[b'h'].decode().replace(' ', '').replace('\r\n', '').replace('\t', ''))
    ok = ok and passed
if not sigs:
    print("no signature")
sys.exit(0 if ok else 1)

#!/usr/bin/env bash
# Tracking-endpoint benchmark: requests/s and latency (p50, p99) of the web service's /o (pixel)
# and /c (click redirect) under wrk, beside nginx answering a fixed 302 in the same run, on loopback.
# The web service runs inside ./mailpipe up (embedded Kafka), so every request also writes its event.
#   bench/tracking/run.sh                          # 10 s per case after 10 s warm-up, 50 connections, 2 wrk threads
#   bench/tracking/run.sh --duration 5 --connections 20
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light). Stops what it started on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=10; connections=50; threads=2; warmup=10
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
export PATH="$PATH:/usr/sbin:/sbin"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "bench/tracking needs $tool: apt-get install -y wrk nginx-light" >&2; exit 2; }
done
py=/usr/bin/python3
work=$(mktemp -d /tmp/mailpipe-tracking-bench.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
web_port=$(free_port); ops_port=$(free_port); nginx_port=$(free_port)
secret="k1:$("$py" -c 'import os,base64; print(base64.b64encode(os.urandom(32)).decode())')"

# mailpipe: everything in one process, as a user runs it
: > "$work/mailpipe.log"
MAILPIPE_DATA_DIR="$work/data" MAILPIPE_SMTP_PORT="$(free_port)" MAILPIPE_KAFKA_PORT="$(free_port)" \
  MAILPIPE_HTTP_HOST=127.0.0.1 MAILPIPE_HTTP_PORT="$ops_port" MAILPIPE_WEB_PORT="$web_port" \
  MAILPIPE_TRACKING_SECRET="$secret" MAILPIPE_API_USER=bench MAILPIPE_API_KEY=bench-key \
  "$root/mailpipe" up > "$work/mailpipe.log" 2>&1 &
pids+=($!)
for _ in $(seq 180); do
  grep -q "mailpipe is up" "$work/mailpipe.log" && break
  kill -0 "${pids[0]}" 2>/dev/null || { tail -20 "$work/mailpipe.log" >&2; exit 1; }
  sleep 1
done
grep -q "mailpipe is up" "$work/mailpipe.log" || { echo "mailpipe did not come up" >&2; exit 1; }

# nginx: the reference, a fixed 302 for every path, as many workers as cores
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 302 https://example.com/landing?id=42; }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)

# Tokens as the expander signs them (core TrackingTokens layout), with the same secret.
tokens=$("$py" - "$secret" <<'PY'
import base64, hashlib, hmac, struct, sys
key_id, key = sys.argv[1].split(":", 1)
key = base64.b64decode(key)
def utf(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b
def opt(s):
    return b"\x00" if s is None else b"\x01" + utf(s)
def token(kind, url):
    body = bytes([1, len(key_id)]) + key_id.encode() + kind.encode()
    body += utf("bench-msg0$reader@example.com") + utf("bench-msg") + utf("bench") + utf("reader@example.com")
    body += opt(url) + opt("7") + opt(None) + struct.pack(">H", 0)
    mac = hmac.new(key, body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")
print(token("o", None), token("c", "https://example.com/landing?id=42"))
PY
)
read -r open_token click_token <<< "$tokens"
base="http://127.0.0.1:$web_port"
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/" -w '' 2>/dev/null && break; sleep 0.2; done
curl -fs -o /dev/null "$base/o/$open_token" || { echo "the pixel does not answer 200" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/c/$click_token")" = 302 ] || { echo "the click does not answer 302" >&2; exit 1; }

run_case() { # name url -> one markdown row
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "$2" > /dev/null
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$2" > "$work/wrk.out"
  "$py" - "$1" "$work/wrk.out" <<'PY'
import re, sys
name, out = sys.argv[1], open(sys.argv[2]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, out, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out)
print("| %s | %.0f | %.2f | %.2f | %s |" % (name, rps, pct(50), pct(99), errors.group(0) if errors else "none"))
PY
}

echo "tracking bench: wrk -t$threads -c$connections, ${duration} s per case (after ${warmup} s warm-up), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| target | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
run_case "mailpipe web GET /o/{token} (pixel + open event)" "$base/o/$open_token"
run_case "mailpipe web GET /c/{token} (302 + click event)" "$base/c/$click_token"
run_case "nginx fixed 302" "http://127.0.0.1:$nginx_port/c/x"
echo
curl -s "http://127.0.0.1:$ops_port/metrics" | grep -E '^mailpipe_web_outbox_(written|dropped|pending)' | sed 's/^/    /'

#!/usr/bin/env bash
# OpenDKIM's opendkim-testmsg verifying each message file given, its resolver (libc, port 53 from
# /etc/resolv.conf) pointed at a private dnsmasq: run under `unshare -nm` (own network and mount
# namespaces), so neither the machine's DNS nor its resolv.conf is touched.
#   opendkim-verify.sh RECORDS_FILE ZONE FILE...   RECORDS_FILE: "name<TAB>txt" lines
# Prints "<file> pass" or "<file> fail: <opendkim's words>" per file; exit 0 only if all pass.
set -u
export PATH="$PATH:/usr/sbin:/sbin"
records=$1; zone=$2; shift 2
work=$(mktemp -d)
ip link set lo up
echo "nameserver 127.0.0.1" > "$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf
args=()
while IFS=$'\t' read -r name value; do
  [ -n "$name" ] && args+=("--txt-record=$name,$value")
done < "$records"
dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --port=53 --listen-address=127.0.0.1 --bind-interfaces \
  --pid-file="$work/dnsmasq.pid" --user=root "--local=/$zone/" "${args[@]}"
for _ in $(seq 50); do [ -s "$work/dnsmasq.pid" ] && break; sleep 0.1; done
ok=0
for f in "$@"; do
  if out=$(opendkim-testmsg -C < "$f" 2>&1); then
    echo "$f pass"
  else
    echo "$f fail: $out"; ok=1
  fi
done
kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null
exit $ok

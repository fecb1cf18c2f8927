#!/usr/bin/env bash
# DKIM signing cost (not a test). Usage, from anywhere:
#   bench/dkim/run.sh [EMAILS]      # default 3000 emails per case
# Compiles bench/dkim/src against the built mailpipe (builds it first when needed) and prints, per
# message size (3, 22, 200 KiB) and key set (off, rsa-sha256, ed25519-sha256, both), the CPU time per
# email of the deliverer's MessageSigner on one thread and how many emails/s one core signs.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f embedded/target/classpath.txt ] || ./mailpipe build -q
java_home=$(./mailpipe java-home)
out=bench/dkim/.classes
rm -rf "$out" && mkdir -p "$out"
cp=$(cat embedded/target/classpath.txt)
"$java_home/bin/javac" -d "$out" -cp "$cp" bench/dkim/src/dev/mailpipe/bench/dkim/*.java
exec "$java_home/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$out:$cp" \
  dev.mailpipe.bench.dkim.DkimSigningBench "$@"

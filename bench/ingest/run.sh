#!/usr/bin/env bash
# ingest-smtp benchmark: accepted msgs/s and p50/p99 accept latency (end of DATA -> 250 Queued,
# i.e. including the Kafka acks=all acknowledgement) for N parallel authenticated sessions.
# Runs against an in-JVM KRaft broker (or --bootstrap host:port), loopback only, and stops by itself.
#   bench/ingest/run.sh                                   # 20 sessions, 5000 msgs, 1 KiB and 100 KiB
#   bench/ingest/run.sh --sessions 50 --messages 20000 --sizes 1024
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cp_file="$root/ingest-smtp/target/bench-classpath.txt"
./mailpipe mvn -B -ntp -q -pl schemas,platform,test-support install -DskipTests >&2
./mailpipe mvn -B -ntp -q -pl ingest-smtp test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
java_home=$(./mailpipe java-home)
exec "$java_home/bin/java" -Xmx2g -XX:+UseParallelGC -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.mailpipe \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$root/ingest-smtp/target/test-classes:$root/ingest-smtp/target/classes:$(cat "$cp_file")" \
  dev.mailpipe.ingest.bench.IngestBench "$@"

#!/usr/bin/env bash
# webhooks throughput benchmark (not a test). Usage, from the repository root:
#   bench/webhooks/run.sh [--events 5000] [--concurrency 8]
# Needs python3 and a JDK >= 21 (found by ./mailpipe).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mailpipe mvn -B -ntp -q -pl schemas,platform,test-support install -DskipTests
./mailpipe mvn -B -ntp -q -pl webhooks test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java_home=$(./mailpipe java-home)
exec "$java_home/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.mailpipe \
  -cp "webhooks/target/test-classes:webhooks/target/classes:$(cat webhooks/target/bench.classpath)" \
  dev.mailpipe.webhooks.bench.WebhooksBenchmark "$@"

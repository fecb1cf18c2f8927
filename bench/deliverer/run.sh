#!/usr/bin/env bash
# mx-deliverer throughput benchmark (not a test). Usage, from the repository root:
#   bench/deliverer/run.sh [--emails 5000] [--runs 3] [--domains 50] [--only smtp-sink|delay50|smtp-sink-w1]
# Needs: Postfix's smtp-sink (/usr/sbin/smtp-sink), dnsmasq, a JDK >= 21 (found by ./mailpipe).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mailpipe mvn -B -ntp -q -pl schemas,platform,core,test-support install -DskipTests
./mailpipe mvn -B -ntp -q -pl mx-deliverer test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java_home=$(./mailpipe java-home)
exec "$java_home/bin/java" -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "mx-deliverer/target/test-classes:mx-deliverer/target/classes:$(cat mx-deliverer/target/bench.classpath)" \
  dev.mailpipe.deliverer.bench.DelivererBenchmark "$@"

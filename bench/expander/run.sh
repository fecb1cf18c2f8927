#!/usr/bin/env bash
# expander throughput benchmark (not a test). Usage, from the repository root:
#   bench/expander/run.sh [core|broker|all] [submissions]
#     core    the pure expander + Avro encoding, one thread (default 200 submissions)
#     broker  the real Kafka Streams app (exactly_once_v2) on an in-JVM KRaft broker (default 50)
#   BENCH_JAVA_OPTS="-Dbench.threads=N -Dbench.guarantee=at_least_once" tune the broker mode
#   (defaults: 2 stream threads, exactly_once_v2); -Dbench.template=sparse puts the variables on one
#   line per part instead of on every line.
# Each submission: 100 recipients, 5 substitution variables, a ~20 KiB HTML+text message with one
# inline image. Prints emails/s and latency percentiles per submission.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mailpipe mvn -B -ntp -q -pl schemas,platform,test-support install -DskipTests
./mailpipe mvn -B -ntp -q -pl expander test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java_home=$(./mailpipe java-home)
exec "$java_home/bin/java" -Xmx2g ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "expander/target/test-classes:expander/target/classes:$(cat expander/target/bench.classpath)" \
  dev.mailpipe.expander.bench.ExpanderBench "$@"

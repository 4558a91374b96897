#!/usr/bin/env bash
# The DLQ console at scale: a fresh local-kafka broker (127.0.0.1:19192, data in .local/bench-console), a DLQ of
# N records (default 1,000,000), then `dlq-consumer.jar console` in -Xmx256m; prints the time until the signatures
# are ready, the latency of record pages and the console's memory as a Markdown row.
# Usage: ./bench-console.sh [--records N] [--heap 256m]
set -euo pipefail
cd "$(dirname "$0")"

jars=(local-kafka/target/local-kafka.jar dlq-consumer/target/dlq-consumer.jar benchmarks/target/benchmarks.jar)
for jar in "${jars[@]}"; do
  if [[ ! -f "$jar" ]]; then
    echo "bench-console: building the jars (missing $jar)"
    mvn -B -q -DskipTests package
    break
  fi
done

exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp benchmarks/target/benchmarks.jar dev.loginpipe.bench.ConsoleBench "$@"

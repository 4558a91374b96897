#!/usr/bin/env bash
# End-to-end benchmark: one fresh local-kafka broker (127.0.0.1:19092, data in .local/bench), Kafka's own perf
# tools as the limit, then the consumer's throughput (1 and 3 instances), latency at 5,000 events/s and memory.
# Prints a Markdown table and writes bench-results.json. `./bench.sh --quick` is a short run for trying it out;
# `./bench.sh --help` lists the other options.
set -euo pipefail
cd "$(dirname "$0")"

jars=(local-kafka/target/local-kafka.jar consumer/target/consumer.jar benchmarks/target/benchmarks.jar)
for jar in "${jars[@]}"; do
  if [[ ! -f "$jar" ]]; then
    echo "bench: building the jars (missing $jar)"
    mvn -B -q -DskipTests package
    break
  fi
done

exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp benchmarks/target/benchmarks.jar dev.loginpipe.bench.EndToEndBench "$@"

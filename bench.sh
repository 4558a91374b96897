#!/usr/bin/env bash
# End-to-end benchmark: one fresh local-kafka broker (free ports, data in .local/bench), warmed up; one preloaded
# input drained round after round by loginpipe (1 and 3 instances) and by a Kafka Streams peer (defaults, and
# producer batch.size 256 KB), each under two settings of JVM flags given to both sides alike (the JVM's defaults,
# consumer/jvm.options), Kafka's ProducerPerformance as the limit, every drain checked record by record; then
# latency at 5,000 events/s and memory. Prints medians, ratios within each setting and the load average; writes
# bench-results.json.
# `./bench.sh --quick` proves it works in a few minutes; `./bench.sh --help` lists the options.
# `./bench.sh console [--records N] [--heap 256m]`: the DLQ console at scale instead (a DLQ of N records, default
# 1,000,000; time until the signatures are ready, record-page latency, the dry run, the backtest, memory).
set -euo pipefail
cd "$(dirname "$0")"

main=dev.loginpipe.bench.EndToEndBench
if [[ "${1:-}" == console ]]; then
  main=dev.loginpipe.bench.ConsoleBench
  shift
fi

jars=(local-kafka/target/local-kafka.jar consumer/target/consumer.jar dlq-consumer/target/dlq-consumer.jar
  dlq-console/target/dlq-console.jar
  benchmarks/target/benchmarks.jar)
for jar in "${jars[@]}"; do
  if [[ ! -f "$jar" ]]; then
    echo "bench: building the jars (missing $jar)"
    mvn -B -q -DskipTests package
    break
  fi
done

exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp benchmarks/target/benchmarks.jar "$main" "$@"

#!/usr/bin/env bash
# Trains the consumer's AOT cache (JDK 25 or newer; JEPs 483, 514, 515: its classes loaded and linked, and method
# profiles) on real traffic, for the image build (Dockerfile): a throw-away broker from local-kafka.jar, EVENTS
# generated events (default 100,000; the producer's default share invalid) sent by the producer, one consumer that
# drains them with -XX:AOTCacheOutput and is then stopped: the JVM writes the cache as it exits. The broker and its
# data go at the end; `java` is the one on PATH, the JDK that will use the cache.
# Usage: consumer/train-aot-cache.sh LOCAL_KAFKA_JAR APP_DIR CACHE
#   APP_DIR holds consumer.jar, consumer.jvm.options, producer.jar and create-topics.sh, as the image lays them out;
#   the cache holds the jar's path, so train with the jar where it will run. TRAIN_PORT (default 19092) and the next
#   three ports: the broker, its controller, the producer's and the consumer's HTTP.
set -euo pipefail
(($# == 3)) || { sed -n '2,10p' "$0" >&2; exit 2; }
kafka_jar=$1 app=$2 cache=$3
events=${EVENTS:-100000}
port=${TRAIN_PORT:-19092}
work=$(mktemp -d)
# shellcheck disable=SC2317 # the trap calls it
cleanup() {
  local pid
  for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  rm -rf "$work"
}
trap cleanup EXIT

java -jar "$kafka_jar" --port "$port" --controller-port $((port + 1)) --data-dir "$work/kafka" --fresh \
  >"$work/kafka.log" 2>&1 &
broker=$!
for ((waited = 0; ; waited++)); do
  grep -q 'accepting connections' "$work/kafka.log" && break
  if ! kill -0 "$broker" 2>/dev/null || ((waited > 240)); then
    tail -n 20 "$work/kafka.log" >&2
    echo "train-aot-cache: the broker did not start" >&2
    exit 1
  fi
  sleep 0.5
done
export BOOTSTRAP_SERVERS=127.0.0.1:$port KAFKA_TOPICS_CMD="java -cp $kafka_jar org.apache.kafka.tools.TopicCommand"
bash "$app/create-topics.sh" >"$work/topics.log" 2>&1 || { cat "$work/topics.log" >&2; exit 1; }
EVENT_COUNT=$events HTTP_PORT=$((port + 2)) java -jar "$app/producer.jar" >"$work/producer.log" 2>&1 ||
  { tail -n 20 "$work/producer.log" >&2; exit 1; }

HTTP_PORT=$((port + 3)) java @"$app/consumer.jvm.options" -Xmx128m -XX:AOTCacheOutput="$cache" \
  -jar "$app/consumer.jar" >"$work/consumer.log" 2>&1 &
consumer=$!
# Records routed (output + DLQ) from the consumer's /metrics, through bash's /dev/tcp: the JRE image has no curl.
routed() {
  exec 3<>"/dev/tcp/127.0.0.1/$((port + 3))" || return 1
  printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
  awk '/^loginpipe_output_records_total / { n += $NF } /^loginpipe_dlq_records_total\{/ { n += $NF }
    END { printf "%d", n }' <&3
  exec 3<&-
}
for ((waited = 0; ; waited++)); do
  n=$(routed 2>/dev/null) || n=0
  ((n >= events)) && break
  if ! kill -0 "$consumer" 2>/dev/null || ((waited > 600)); then
    tail -n 20 "$work/consumer.log" >&2
    echo "train-aot-cache: the consumer routed $n of $events events" >&2
    exit 1
  fi
  sleep 1
done
kill -TERM "$consumer"
wait "$consumer" || { tail -n 20 "$work/consumer.log" >&2; exit 1; }
grep -h 'AOTCache creation is complete' "$work/consumer.log" ||
  { tail -n 20 "$work/consumer.log" >&2; echo "train-aot-cache: no cache written" >&2; exit 1; }

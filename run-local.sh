#!/usr/bin/env bash
# The whole pipeline on this machine, without Docker: a Kafka broker (local-kafka.jar), the topics, three consumers,
# the DLQ consumer, the DLQ console and the producer, each a `java -jar` process with its own INSTANCE_ID and HTTP port.
# Configuration: .env.example, then .env, then the environment (the environment wins).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'EOF'
Usage: ./run-local.sh [--events N [--rate R]] [--registry] [--no-build] [--runtime]

  (no options)  run until Ctrl-C, with a status line every 2 seconds
  --events N    bounded demo: send N events, wait until all are routed, reconcile input against output + DLQ
                record by record (read_committed), stop, exit 0 only if nothing is missing or duplicated;
                uses a fresh broker in $LOCAL_DIR/kafka-demo, your $LOCAL_DIR/kafka is left alone
  --rate R      events per second of the demo (default 0: as fast as the producer can)
  --registry    also run Apicurio Registry 3.3.3 (needs a JDK 21+: REGISTRY_JAVA, JAVA21_HOME or /usr/lib/jvm),
                register schema.json as <INPUT_TOPIC>-value and let the consumers take their schema from it
                (http://127.0.0.1:$LOCAL_REGISTRY_PORT/apis/ccompat/v7, default port 8079)
  --no-build    use the jars as they are (default: rebuild when missing or older than the sources)
  --runtime     print which JDK and start cache the consumers would run with, and exit: a JDK 25+ with its AOT
                cache (CONSUMER_JAVA, else the newest in /usr/lib/jvm), else java with an AppCDS archive; the
                first run without one records it in $LOCAL_DIR/start-cache/ as consumer-1 stops

Exit status: 0 ok, 1 failure (a service died, reconciliation failed), 2 usage, 3 missing java/curl or port in use.
Logs: $LOCAL_DIR/logs/ (default .local/logs/).
EOF
}

fail() {
  local status=$1
  shift
  echo "run-local: $*" >&2
  exit "$status"
}

events=0
rate=0
build=1
registry=0
runtime_only=0
while (($#)); do
  case $1 in
    --events) events=${2:-}; shift 2 || fail 2 "--events needs a number" ;;
    --rate) rate=${2:-}; shift 2 || fail 2 "--rate needs a number" ;;
    --no-build) build=0; shift ;;
    --registry) registry=1; shift ;;
    --runtime) runtime_only=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) fail 2 "unknown option '$1' (see --help)" ;;
  esac
done
[[ $events =~ ^[0-9]+$ ]] || fail 2 "--events: '$events' is not a number"
[[ $rate =~ ^[0-9]+$ ]] || fail 2 "--rate: '$rate' is not a number"

# ---- configuration: KEY=VALUE lines; a variable already in the environment keeps its value ----
declare -A from_env=()
while IFS= read -r name; do from_env[$name]=1; done < <(compgen -e)
load_env_file() {
  local line key value
  [[ -f $1 ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    [[ $value =~ ^\"(.*)\"$ ]] && value=${BASH_REMATCH[1]}
    [[ -n ${from_env[$key]:-} ]] || export "$key=$value"
  done <"$1"
}
load_env_file .env.example
load_env_file .env

local_dir=${LOCAL_DIR:-.local}
kafka_port=${LOCAL_KAFKA_PORT:-9092}
controller_port=${LOCAL_CONTROLLER_PORT:-9093}
http_base=${LOCAL_HTTP_BASE_PORT:-8081}
logs=$local_dir/logs
# name -> HTTP port; consumers first: they stop last, after the producer has stopped feeding them
services=(consumer-1 consumer-2 consumer-3 dlq-consumer dlq-console producer)
declare -A port_of=([consumer-1]=$http_base [consumer-2]=$((http_base + 1)) [consumer-3]=$((http_base + 2))
  [producer]=$((http_base + 3)) [dlq-consumer]=$((http_base + 4)) [dlq-console]=$((http_base + 5)))
declare -A jar_of=([consumer-1]=consumer [consumer-2]=consumer [consumer-3]=consumer [producer]=producer
  [dlq-consumer]=dlq-consumer [dlq-console]=dlq-console)
console_port=${CONSOLE_PORT:-8090}
registry_port=${LOCAL_REGISTRY_PORT:-8079}
registry_management_port=${LOCAL_REGISTRY_MANAGEMENT_PORT:-9079}
registry_version=3.3.3

# ---- what this machine needs ----
command -v java >/dev/null 2>&1 || fail 3 "java not found: install a JDK 17 or newer and put it on PATH"
java_major=$(java -version 2>&1 | awk -F '"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }')
if ! [[ $java_major =~ ^[0-9]+$ ]] || ((java_major < 17)); then
  fail 3 "java ${java_major:-?} found, 17 or newer needed"
fi
command -v curl >/dev/null 2>&1 || fail 3 "curl not found (it reads the services' /metrics): install curl"
# A JDK home of version MIN or later: the first of the homes given that is one, else the newest in /usr/lib/jvm.
java_home_at_least() { # MIN [HOME...]
  local min=$1 home major best="" best_major=0
  shift
  for home in "$@" /usr/lib/jvm/*; do
    [[ -n $home && -x $home/bin/java && -f $home/release ]] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    if [[ $major =~ ^[0-9]+$ ]] && ((major >= min && major > best_major)); then
      best=$home best_major=$major
      [[ $home != /usr/lib/jvm/* ]] && break
    fi
  done
  [[ -n $best ]] && echo "$best"
}
# Apicurio Registry needs 21 or later: REGISTRY_JAVA, JAVA21_HOME, else the newest in /usr/lib/jvm.
registry_java_home() { java_home_at_least 21 "${REGISTRY_JAVA:-}" "${JAVA21_HOME:-}"; }
ports=("$kafka_port" "$controller_port" "${port_of[@]}" "$console_port")
if ((registry)); then
  registry_home=$(registry_java_home) ||
    fail 3 "--registry needs a JDK 21 or newer for Apicurio Registry and none was found (set REGISTRY_JAVA to its home)"
  ports+=("$registry_port" "$registry_management_port")
fi
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail 3 "port $port is in use; stop what uses it or move ours (LOCAL_KAFKA_PORT, LOCAL_CONTROLLER_PORT," \
      "LOCAL_HTTP_BASE_PORT, CONSOLE_PORT, LOCAL_REGISTRY_PORT, LOCAL_REGISTRY_MANAGEMENT_PORT in .env)"
  fi
done

# ---- jars: rebuilt when missing or older than a source ----
jars=(local-kafka/target/local-kafka.jar consumer/target/consumer.jar producer/target/producer.jar
  dlq-consumer/target/dlq-consumer.jar dlq-console/target/dlq-console.jar)
stale() {
  local jar=$1 module=${1%%/*}
  [[ ! -f $jar ]] || [[ -n $(find "$module/src/main" "$module/pom.xml" common/src/main common/pom.xml pom.xml \
    schema.json -newer "$jar" -print -quit 2>/dev/null) ]]
}
if ((build)); then
  for jar in "${jars[@]}"; do
    if stale "$jar"; then
      echo "run-local: building the jars ($jar is missing or older than its sources): mvn -B -q -DskipTests package"
      mvn -B -q -DskipTests package || fail 1 "the build failed"
      break
    fi
  done
fi
for jar in "${jars[@]}"; do
  [[ -f $jar ]] || fail 1 "$jar is missing: build it (mvn -B -DskipTests package) or run without --no-build"
done

# ---- the consumers' runtime (docs/operations.md, "The consumers' runtime") ----
# The JDK home in CONSUMER_JAVA, else the newest JDK 25+ in /usr/lib/jvm, else `java`. On 25 or newer the AOT cache
# (classes loaded and linked, method profiles), on 13 to 24 an AppCDS archive (classes), older: neither. Either is
# recorded by consumer-1 when it stops after a run without one, and used from the next run on. Its name holds the
# jar's checksum: JDK 25 would use a cache made for another jar without a word, so a rebuilt jar gets a new one.
consumer_java=java cache_kind=""
if [[ -n ${CONSUMER_JAVA:-} ]]; then
  [[ -x $CONSUMER_JAVA/bin/java ]] || fail 3 "CONSUMER_JAVA=$CONSUMER_JAVA has no bin/java"
  consumer_java=$CONSUMER_JAVA/bin/java
elif consumer_home=$(java_home_at_least 25); then
  consumer_java=$consumer_home/bin/java
fi
consumer_major=$("$consumer_java" -version 2>&1 | awk -F '"' '/version/ { split($2, v, "."); print v[1]; exit }')
if [[ $consumer_major =~ ^[0-9]+$ ]] && ((consumer_major >= 25)); then
  cache_kind=aot
elif [[ $consumer_major =~ ^[0-9]+$ ]] && ((consumer_major >= 13)); then
  cache_kind=cds # JDK 13 to 24: AppCDS, no profiles
fi
cache_dir=$local_dir/start-cache
consumer_cache=() record_cache=()
runtime="consumers on $consumer_java (Java ${consumer_major:-?})"
if [[ -n $cache_kind ]]; then
  sum=$(cksum consumer/target/consumer.jar | cut -d ' ' -f 1)
  declare -A suffix=([aot]=aot [cds]=jsa)
  cache=$cache_dir/consumer-$consumer_major-$sum.${suffix[$cache_kind]}
  mkdir -p "$cache_dir"
  find "$cache_dir" -name "consumer-$consumer_major-*" ! -path "$cache" -delete # older jars'
  declare -A use_flag=([aot]=-XX:AOTCache= [cds]=-XX:SharedArchiveFile=)
  declare -A record_flag=([aot]=-XX:AOTCacheOutput= [cds]=-XX:ArchiveClassesAtExit=)
  declare -A cache_name=([aot]="the AOT cache" [cds]="an AppCDS archive")
  if [[ -s $cache ]]; then
    consumer_cache=("${use_flag[$cache_kind]}$cache")
    runtime+=" with ${cache_name[$cache_kind]} ($cache)"
  else
    record_cache=("${record_flag[$cache_kind]}$cache")
    runtime+=", no start cache yet: consumer-1 records ${cache_name[$cache_kind]} into $cache as it stops"
  fi
fi
echo "run-local: $runtime"
((runtime_only)) && exit 0

# ---- processes, stopped in reverse order on exit, Ctrl-C or SIGTERM ----
mkdir -p "$logs"
pids=()
names=()
launch() { # NAME COMMAND...: runs in the background, output to $logs/NAME.log
  local name=$1
  shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}
# shellcheck disable=SC2317 # called from the traps
stop_all() {
  trap - INT TERM EXIT
  local i pid seconds waited
  ((${#pids[@]})) && echo
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    echo "run-local: stopping ${names[i]}"
    seconds=30
    if [[ ${names[i]} == consumer-1 ]] && ((${#record_cache[@]})); then
      seconds=180 # it writes the start cache as it exits
      echo "run-local: consumer-1 writes the start cache before it exits (up to ${seconds}s)"
    fi
    for ((waited = 0; waited < seconds * 2; waited++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null && echo "run-local: ${names[i]} did not stop within ${seconds}s, killed"
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

alive() { kill -0 "${pids[$1]}" 2>/dev/null; }
died() { # INDEX: report a process that is gone, with the end of its log
  echo "run-local: ${names[$1]} stopped unexpectedly; end of $logs/${names[$1]}.log:" >&2
  tail -n 15 "$logs/${names[$1]}.log" >&2
  exit 1
}

# ---- broker and topics ----
kafka_dir=$local_dir/kafka
kafka_args=()
if ((events)); then
  kafka_dir=$local_dir/kafka-demo # a demo counts only its own records
  kafka_args=(--fresh)
fi
export BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port
echo "run-local: starting Kafka on $BOOTSTRAP_SERVERS (data in $kafka_dir, logs in $logs/)"
launch kafka java -jar local-kafka/target/local-kafka.jar --port "$kafka_port" --controller-port "$controller_port" \
  --data-dir "$kafka_dir" "${kafka_args[@]}"
for ((waited = 0; ; waited++)); do
  grep -q 'accepting connections' "$logs/kafka.log" && break
  alive 0 || died 0
  # A broker thread that failed leaves the process waiting for its start timeout: fail now, with the reason.
  if grep -q '^Exception in thread' "$logs/kafka.log"; then
    grep -A 2 '^Exception in thread' "$logs/kafka.log" >&2
    fail 1 "Kafka did not start; see $logs/kafka.log"
  fi
  ((waited < 240)) || fail 1 "Kafka did not start within 120s; see $logs/kafka.log"
  sleep 0.5
done

export KAFKA_TOPICS_CMD="java -cp local-kafka/target/local-kafka.jar org.apache.kafka.tools.TopicCommand"
./create-topics.sh >"$logs/create-topics.log" 2>&1 || {
  tail -n 5 "$logs/create-topics.log" >&2
  fail 1 "create-topics.sh failed; see $logs/create-topics.log"
}
grep '^create-topics:' "$logs/create-topics.log" | sed 's/^/  /'

# ---- schema registry (--registry): Apicurio from its Maven archive, in-memory, schema.json as version 1 ----
if ((registry)); then
  archive=$HOME/.m2/repository/io/apicurio/apicurio-registry-app/$registry_version/apicurio-registry-app-$registry_version-all.tar.gz
  if [[ ! -f $archive ]]; then
    echo "run-local: fetching Apicurio Registry $registry_version (about 160 MB) with Maven"
    mvn -B -q dependency:get -Dtransitive=false \
      "-Dartifact=io.apicurio:apicurio-registry-app:$registry_version:tar.gz:all" || fail 1 "cannot fetch $archive"
  fi
  registry_app=$local_dir/apicurio-registry-$registry_version
  if [[ ! -f $registry_app/quarkus-run.jar ]]; then
    mkdir -p "$registry_app"
    tar xzf "$archive" -C "$registry_app" || fail 1 "cannot unpack $archive"
  fi
  registry_url=http://127.0.0.1:$registry_port/apis/ccompat/v7
  echo "run-local: starting Apicurio Registry $registry_version on $registry_url ($registry_home)"
  launch registry "$registry_home/bin/java" -Xmx384m -Dquarkus.http.port="$registry_port" -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.management.port="$registry_management_port" -Dquarkus.management.host=127.0.0.1 \
    -jar "$registry_app/quarkus-run.jar"
  for ((waited = 0; ; waited++)); do
    curl -fs -m 2 -o /dev/null "$registry_url/subjects" && break
    alive $((${#pids[@]} - 1)) || died $((${#pids[@]} - 1))
    ((waited < 120)) || fail 1 "Apicurio Registry did not start within 2 minutes; see $logs/registry.log"
    sleep 1
  done
  subject=${SCHEMA_REGISTRY_SUBJECT:-${INPUT_TOPIC:-user-login}-value}
  # schema.json as a JSON string: backslashes and quotes escaped, line breaks are only white space between tokens.
  schema_text=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' schema.json | tr '\n\r\t' '   ')
  curl -fs -m 10 -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"schemaType\":\"JSON\",\"schema\":\"$schema_text\"}" "$registry_url/subjects/$subject/versions" ||
    fail 1 "cannot register schema.json as $subject; see $logs/registry.log"
  echo "run-local: schema.json registered as $subject; new versions: POST $registry_url/subjects/$subject/versions"
  export SCHEMA_REGISTRY_URL=$registry_url
fi

# ---- services ----
# The key that signs the console's audit trail: REDRIVE_AUDIT_KEY, or one made once and kept beside the broker's
# data, so that the trail still verifies after a restart.
audit_key() {
  if [[ -n ${REDRIVE_AUDIT_KEY:-} ]]; then
    printf '%s' "$REDRIVE_AUDIT_KEY"
    return
  fi
  local file=$local_dir/audit.key
  if [[ ! -s $file ]]; then
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$file")
  fi
  cat "$file"
}
for name in "${services[@]}"; do
  args=()
  [[ $name == dlq-consumer ]] && args=(watch)
  extra=()
  [[ $name == dlq-console ]] && extra=(REDRIVE_AUDIT_KEY="$(audit_key)")
  ((events)) && [[ $name == producer ]] && extra=(EVENT_COUNT="$events" EVENTS_PER_SECOND="$rate")
  # The producer comes last, once the others are ready: a demo's events then meet consumers in their group.
  if [[ $name == producer ]]; then
    for ((i = 1; i < ${#pids[@]}; i++)); do
      [[ -n ${port_of[${names[i]}]:-} ]] || continue # the registry answered before the services started
      for ((waited = 0; ; waited++)); do
        curl -fs -m 2 -o /dev/null "http://127.0.0.1:${port_of[${names[i]}]}/health/ready" && break
        alive "$i" || died "$i"
        ((waited < 120)) || fail 1 "${names[i]} was not ready within 2 minutes; see $logs/${names[i]}.log"
        sleep 1
      done
      echo "run-local: ${names[i]} ready, metrics on http://127.0.0.1:${port_of[${names[i]}]}/metrics"
    done
    echo "run-local: DLQ console on http://127.0.0.1:$console_port/"
  fi
  java=java jvm=()
  if [[ ${jar_of[$name]} == consumer ]]; then
    java=$consumer_java
    jvm=(@consumer/jvm.options "${consumer_cache[@]}") # as the image runs it
    [[ $name == consumer-1 ]] && jvm+=("${record_cache[@]}")
  fi
  launch "$name" env INSTANCE_ID="$name" HTTP_PORT="${port_of[$name]}" "${extra[@]}" \
    "$java" "${jvm[@]}" -jar "${jar_of[$name]}/target/${jar_of[$name]}.jar" "${args[@]}"
done

# ---- status: scraped from the services' /metrics ----
metrics=$local_dir/metrics
rm -rf "$metrics" # no figures from an earlier run
mkdir -p "$metrics"
produced=0 routed=0 last_routed=0 started=$SECONDS last_time=$SECONDS
status() {
  local name summary
  for name in producer consumer-{1,2,3}; do
    # A service that does not answer keeps its last scrape (a finished demo producer, a restarting consumer).
    curl -fs -m 1 "http://127.0.0.1:${port_of[$name]}/metrics" -o "$metrics/$name.tmp" &&
      mv "$metrics/$name.tmp" "$metrics/$name.prom"
  done
  touch "$metrics"/{producer,consumer-1,consumer-2,consumer-3}.prom
  # One awk over the consumers' files: valid, DLQ (total and by reason), lag.
  summary=$(awk '
    /^loginpipe_output_records_total / { valid += $NF }
    /^loginpipe_dlq_records_total\{/ { match($0, /reason="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9); dlq[r] += $NF; total += $NF }
    /^loginpipe_consumer_lag_records\{/ { lag += $NF }
    END { by = ""; for (r in dlq) if (dlq[r] > 0) by = by sprintf("%s%s %d", by == "" ? "" : ", ", r, dlq[r])
          printf "%d %d %d %s", valid, total, lag, by }' "$metrics"/consumer-{1,2,3}.prom)
  read -r valid dlq lag by_reason <<<"$summary"
  # A fast demo producer may be gone before its first scrape: then its last log line ("sent N, ...") tells.
  produced=$(awk '/^loginpipe_producer_records_sent_total / { s += $NF } END { printf "%d", s }' "$metrics/producer.prom")
  if ((producer_done)); then
    sent=$(sed -n 's/.* sent \([0-9][0-9]*\), failed .*/\1/p' "$logs/producer.log" | tail -n 1)
    ((${sent:-0} > produced)) && produced=$sent
  fi
  routed=$((valid + dlq))
  printf -v line '[%4ds] produced %d | valid %d | DLQ %d%s | %d/s | lag %d | logs %s/' $((SECONDS - started)) \
    "$produced" "$valid" "$dlq" "${by_reason:+ ($by_reason)}" \
    $(((routed - last_routed) / (SECONDS > last_time ? SECONDS - last_time : 1))) "$lag" "$logs"
  last_routed=$routed last_time=$SECONDS
  if [[ -t 1 ]]; then printf '\r\033[K%s' "$line"; else echo "$line"; fi
}

producer_done=0
check_alive() {
  local i
  for i in "${!pids[@]}"; do
    alive "$i" && continue
    # A producer with EVENT_COUNT exits 0 when it has sent them all.
    if [[ ${names[i]} == producer ]] && { ((producer_done)) || wait "${pids[i]}"; }; then
      producer_done=1
      continue
    fi
    died "$i"
  done
}

if ((events == 0)); then
  echo "run-local: running; Ctrl-C stops everything"
  while :; do
    check_alive
    status
    sleep 2
  done
fi

# ---- bounded demo ----
deadline=$((SECONDS + 120 + events / 100))
while ((routed < events)); do
  ((SECONDS < deadline)) || { echo; echo "run-local: gave up waiting: $routed of $events routed" >&2; break; }
  check_alive
  status
  sleep 2
done
status
echo

# Reads a topic under read_committed until it is idle for 10 s, printing one line per record.
read_topic() { # TOPIC OUT_FILE
  java -cp local-kafka/target/local-kafka.jar org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "$BOOTSTRAP_SERVERS" --topic "$1" --from-beginning --timeout-ms 10000 \
    --command-property isolation.level=read_committed --formatter-property print.value=false \
    --formatter-property print.partition=true --formatter-property print.offset=true \
    --formatter-property print.headers=true \
    >"$2" 2>"$2.err" || true # it exits non-zero on its idle timeout
}
echo "run-local: reconciling record by record (read_committed) ..."
rec=$local_dir/reconcile
mkdir -p "$rec"
readers=()
read_topic "${INPUT_TOPIC:-user-login}" "$rec/input.txt" & readers+=($!)
read_topic "${OUTPUT_TOPIC:-processed-user-login}" "$rec/output.txt" & readers+=($!)
read_topic "${DLQ_TOPIC:-user-login-dlq}" "$rec/dlq.txt" & readers+=($!)
wait "${readers[@]}"

# Input: its own partition:offset. Output and DLQ: the source.partition:source.offset headers.
sed -n 's/^Partition:\([0-9]*\)\tOffset:\([0-9]*\).*/\1:\2/p' "$rec/input.txt" | LC_ALL=C sort >"$rec/input.ids"
source_ids() { # FILE: source ids, one a line; lines without them are counted in FILE.bad
  awk -v bad="$1.bad" '
    NF == 0 { next }
    match($0, /source\.partition:[0-9]+/) { p = substr($0, RSTART + 17, RLENGTH - 17)
      if (match($0, /source\.offset:[0-9]+/)) { print p ":" substr($0, RSTART + 14, RLENGTH - 14); next } }
    { n++ } END { print n + 0 > bad }' "$1" | LC_ALL=C sort
}
source_ids "$rec/output.txt" >"$rec/output.ids"
source_ids "$rec/dlq.txt" >"$rec/dlq.ids"
LC_ALL=C sort -m "$rec/output.ids" "$rec/dlq.ids" >"$rec/routed.ids"
input=$(wc -l <"$rec/input.ids")
output=$(wc -l <"$rec/output.ids")
dlq=$(wc -l <"$rec/dlq.ids")
duplicates=$(uniq -d "$rec/routed.ids" | wc -l)
missing=$(LC_ALL=C comm -23 "$rec/input.ids" <(uniq "$rec/routed.ids") | wc -l)
unknown=$(LC_ALL=C comm -13 "$rec/input.ids" <(uniq "$rec/routed.ids") | wc -l)
unreadable=$(($(cat "$rec/output.txt.bad") + $(cat "$rec/dlq.txt.bad")))
reasons=$(grep -o 'error\.reason:[a-z0-9-]*' "$rec/dlq.txt" | sort | uniq -c | awk '{ sub(/error\.reason:/, "", $2); printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }')

echo "  input $input = output $output + DLQ $dlq${reasons:+ ($reasons)}"
echo "  duplicates $duplicates, missing $missing, not from this input $unknown, without source headers $unreadable"
echo "  (record lists in $rec/)"
if ((input == events && output + dlq == input && duplicates == 0 && missing == 0 && unknown == 0 &&
  unreadable == 0)); then
  echo "run-local: reconciliation holds: every one of the $events events is in output or DLQ exactly once"
  exit 0
fi
echo "run-local: reconciliation FAILED (expected $events input records)" >&2
exit 1

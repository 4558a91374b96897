#!/usr/bin/env bash
# Creates loginpipe's topics if they are missing and grows a topic that has too few partitions.
# Safe to run on every start: it never deletes a topic, never lowers partitions and never touches data.
# Runs with `kafka-topics` (Confluent images), `kafka-topics.sh` (Apache images) or the command in KAFKA_TOPICS_CMD,
# e.g. KAFKA_TOPICS_CMD="java -cp local-kafka/target/local-kafka.jar org.apache.kafka.tools.TopicCommand".
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required (host:port[,host:port...])}"
INPUT_TOPIC=${INPUT_TOPIC:-user-login}
OUTPUT_TOPIC=${OUTPUT_TOPIC:-processed-user-login}
DLQ_TOPIC=${DLQ_TOPIC:-user-login-dlq}
REPLAY_LEDGER_TOPIC=${REPLAY_LEDGER_TOPIC:-user-login-dlq-replayed} # compacted: what replay published
REDRIVE_AUDIT_TOPIC=${REDRIVE_AUDIT_TOPIC:-user-login-dlq-audit}     # the redrive audit trail, kept forever
TOPIC_PARTITIONS=${TOPIC_PARTITIONS:-3}          # input and output; consumers beyond this number sit idle
DLQ_PARTITIONS=${DLQ_PARTITIONS:-1}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-1}
MIN_INSYNC_REPLICAS=${MIN_INSYNC_REPLICAS:-}     # empty: the broker's default
INPUT_RETENTION_MS=${INPUT_RETENTION_MS:-604800000}   # 7 days
OUTPUT_RETENTION_MS=${OUTPUT_RETENTION_MS:-604800000} # 7 days
DLQ_RETENTION_MS=${DLQ_RETENTION_MS:-2592000000}      # 30 days: people need time to inspect and replay
DLQ_MAX_MESSAGE_BYTES=${DLQ_MAX_MESSAGE_BYTES:-2097152} # a ~1 MB original value plus the error headers
BROKER_WAIT_SECONDS=${BROKER_WAIT_SECONDS:-90}
TOPICS_COMMAND_CONFIG=${TOPICS_COMMAND_CONFIG:-}  # client properties file (TLS/SASL), passed as --command-config

die() {
  echo "create-topics: $*" >&2
  exit 1
}

for var in TOPIC_PARTITIONS DLQ_PARTITIONS REPLICATION_FACTOR INPUT_RETENTION_MS OUTPUT_RETENTION_MS \
  DLQ_RETENTION_MS DLQ_MAX_MESSAGE_BYTES BROKER_WAIT_SECONDS; do
  [[ ${!var} =~ ^-?[0-9]+$ ]] || die "$var: invalid value '${!var}', expected an integer"
done
[[ -z $MIN_INSYNC_REPLICAS || $MIN_INSYNC_REPLICAS =~ ^[0-9]+$ ]] ||
  die "MIN_INSYNC_REPLICAS: invalid value '$MIN_INSYNC_REPLICAS', expected an integer or nothing"
# -1 means "keep forever"; otherwise the DLQ must outlive the input it explains.
if ((DLQ_RETENTION_MS != -1)) && { ((INPUT_RETENTION_MS == -1)) || ((DLQ_RETENTION_MS <= INPUT_RETENTION_MS)); }; then
  die "DLQ_RETENTION_MS ($DLQ_RETENTION_MS) must be longer than INPUT_RETENTION_MS ($INPUT_RETENTION_MS)"
fi

if [[ -n ${KAFKA_TOPICS_CMD:-} ]]; then
  read -r -a topics_cmd <<<"$KAFKA_TOPICS_CMD"
elif command -v kafka-topics >/dev/null 2>&1; then
  topics_cmd=(kafka-topics)
elif command -v kafka-topics.sh >/dev/null 2>&1; then
  topics_cmd=(kafka-topics.sh)
elif [[ -x /opt/kafka/bin/kafka-topics.sh ]]; then # apache/kafka image: not on PATH
  topics_cmd=(/opt/kafka/bin/kafka-topics.sh)
else
  die "no kafka-topics, kafka-topics.sh or KAFKA_TOPICS_CMD found"
fi

topics_cmd+=(--bootstrap-server "$BOOTSTRAP_SERVERS")
[[ -n $TOPICS_COMMAND_CONFIG ]] && topics_cmd+=(--command-config "$TOPICS_COMMAND_CONFIG")
topics() { "${topics_cmd[@]}" "$@"; }

# Bounded wait: a broker that never answers is an error, not an endless loop.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
deadline=$((SECONDS + BROKER_WAIT_SECONDS))
# Each attempt is cut short too: the admin client alone would retry for a minute.
has_timeout=$(command -v timeout || true)
while :; do
  left=$((deadline - SECONDS))
  attempt=()
  [[ -n $has_timeout ]] && attempt=(timeout $((left < 5 ? 5 : left < 20 ? left : 20)))
  existing=$("${attempt[@]}" "${topics_cmd[@]}" --list 2>"$errors") && break
  if ((SECONDS >= deadline)); then
    grep -v '^\s*at ' "$errors" | tail -n 3 >&2 || true
    die "no broker answered at $BOOTSTRAP_SERVERS within ${BROKER_WAIT_SECONDS}s (BROKER_WAIT_SECONDS)"
  fi
  echo "create-topics: waiting for $BOOTSTRAP_SERVERS ..."
  sleep 3
done

# ensure TOPIC PARTITIONS CONFIG...
ensure() {
  local topic=$1 partitions=$2 current
  shift 2
  if ! grep -qxF -- "$topic" <<<"$existing"; then
    local configs=()
    for config in "$@"; do configs+=(--config "$config"); done
    topics --create --if-not-exists --topic "$topic" --partitions "$partitions" \
      --replication-factor "$REPLICATION_FACTOR" "${configs[@]}" >/dev/null
    echo "create-topics: created $topic (partitions $partitions, replication factor $REPLICATION_FACTOR, $*)"
    return
  fi
  # The describe line of the topic itself: "Topic: NAME<TAB>TopicId: ...<TAB>PartitionCount: N<TAB>..."
  current=$(topics --describe --topic "$topic" |
    awk -v t="$topic" -F '\t' '$1 == "Topic: " t { for (i = 1; i <= NF; i++) if ($i ~ /^PartitionCount: /) { sub(/^PartitionCount: /, "", $i); print $i } }')
  [[ $current =~ ^[0-9]+$ ]] || die "cannot read the partition count of $topic"
  if ((current < partitions)); then
    topics --alter --topic "$topic" --partitions "$partitions" >/dev/null
    echo "create-topics: grew $topic from $current to $partitions partitions"
  elif ((current > partitions)); then
    # Fewer partitions is impossible without deleting the topic, which this script never does.
    echo "create-topics: $topic has $current partitions, more than the $partitions wanted; left as it is"
  else
    echo "create-topics: $topic is up to date ($current partitions)"
  fi
}

common=()
[[ -n $MIN_INSYNC_REPLICAS ]] && common+=("min.insync.replicas=$MIN_INSYNC_REPLICAS")
ensure "$INPUT_TOPIC" "$TOPIC_PARTITIONS" "retention.ms=$INPUT_RETENTION_MS" "${common[@]}"
ensure "$OUTPUT_TOPIC" "$TOPIC_PARTITIONS" "retention.ms=$OUTPUT_RETENTION_MS" "${common[@]}"
ensure "$DLQ_TOPIC" "$DLQ_PARTITIONS" "retention.ms=$DLQ_RETENTION_MS" "max.message.bytes=$DLQ_MAX_MESSAGE_BYTES" \
  "${common[@]}"
# One entry per replayed DLQ record, never deleted: losing one would let replay publish that record again.
ensure "$REPLAY_LEDGER_TOPIC" 1 "cleanup.policy=compact" "${common[@]}"
# One partition (one order for the hash chain), never deleted or compacted: it is the audit trail.
ensure "$REDRIVE_AUDIT_TOPIC" 1 "retention.ms=-1" "retention.bytes=-1" "${common[@]}"
echo "create-topics: done"

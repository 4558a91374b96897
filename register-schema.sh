#!/usr/bin/env bash
# Registers a JSON Schema file as the next version of a subject of a Confluent-compatible schema registry (Apicurio's
# /apis/ccompat/v7), with bash alone: the Compose service schema-registrar runs it in the loginpipe image, which has
# no curl, on the Compose network, since the registry is not published on the host.
#   REGISTRY_URL  e.g. http://registry:8080/apis/ccompat/v7 (plain HTTP: the registry inside the Compose network)
#   SUBJECT       e.g. user-login-value (default: <INPUT_TOPIC>-value)
#   SCHEMA_FILE   the schema to register (default: schema.json beside this script)
set -euo pipefail

registry_url=${REGISTRY_URL:?REGISTRY_URL is required, e.g. http://registry:8080/apis/ccompat/v7}
subject=${SUBJECT:-${INPUT_TOPIC:?SUBJECT or INPUT_TOPIC is required}-value}
schema_file=${SCHEMA_FILE:-$(dirname "$0")/schema.json}
[[ -r $schema_file ]] || { echo "register-schema: cannot read $schema_file" >&2; exit 2; }
[[ $registry_url =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]] ||
  { echo "register-schema: REGISTRY_URL must be http://host[:port][/path], got '$registry_url'" >&2; exit 2; }
host=${BASH_REMATCH[1]}
port=${BASH_REMATCH[3]:-80}
path=${BASH_REMATCH[4]%/}

# The schema as a JSON string: backslashes and quotes escaped, line breaks are only white space between tokens.
schema_text=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$schema_file" | tr '\n\r\t' '   ')
body="{\"schemaType\":\"JSON\",\"schema\":\"$schema_text\"}"
length=$(printf '%s' "$body" | LC_ALL=C wc -c)

exec 3<>"/dev/tcp/$host/$port" || { echo "register-schema: cannot connect to $host:$port" >&2; exit 1; }
printf 'POST %s/subjects/%s/versions HTTP/1.0\r\nHost: %s\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: %d\r\n\r\n%s' \
  "$path" "$subject" "$host" "$length" "$body" >&3
read -r -t 30 _ code _ <&3 || code=none
answer=$(timeout 30 cat <&3 | sed -n '/^\r\{0,1\}$/,$p' | tr -d '\r\n' | cut -c1-300) || true
exec 3>&-
if [[ $code != 200 ]]; then
  echo "register-schema: $registry_url answered HTTP $code for subject $subject: $answer" >&2
  exit 1
fi
echo "register-schema: $schema_file registered as $subject: $answer"

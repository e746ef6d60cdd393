#!/bin/sh
# Starts one KRaft node as apache/kafka does: server settings from KAFKA_* variables, the log
# directory formatted once with CLUSTER_ID, then the broker in the foreground (SIGTERM stops it
# cleanly).
set -eu
conf=/var/lib/kafka/server.properties
: > "$conf"
env | grep '^KAFKA_' | while IFS='=' read -r name value; do
  [ "$name" = KAFKA_HEAP_OPTS ] && continue
  key=$(printf '%s' "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
  printf '%s=%s\n' "$key" "$value" >> "$conf"
done
grep -q '^log.dirs=' "$conf" || echo "log.dirs=/var/lib/kafka/data" >> "$conf"
cp=/opt/kafka/lib/*
java -cp "$cp" -Dlogback.configurationFile=/opt/kafka/logback.xml kafka.tools.StorageTool format \
  --config "$conf" --cluster-id "${CLUSTER_ID:?set CLUSTER_ID (any 22-character base64 id, e.g. MkU3OEVBNTcwNTJENDM2Qk)}" \
  --ignore-formatted
exec java ${KAFKA_HEAP_OPTS:--Xmx512m} -XX:+ExitOnOutOfMemoryError -Dlogback.configurationFile=/opt/kafka/logback.xml \
  -cp "$cp" kafka.Kafka "$conf"

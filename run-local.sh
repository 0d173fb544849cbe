#!/usr/bin/env bash
# Runs the whole of Switchboard on this machine, no Docker needed (tools/local-stack):
#   the browser client  http://localhost:8080/   group calls  ws://localhost:8080/groupcall
#   placement API                                  http://localhost:8090/v1/nodes
#   presence view and its SSE stream               http://localhost:8092/v1/rooms, /v1/stream
#     (both internal: they answer only the service token the stack prints, as Authorization: Bearer)
#   KMS emulator (JSON-RPC) and fault injection    ws://localhost:8888/kurento, http://localhost:8889/status
#   Redis, Kafka                                   localhost:6379, the free port it prints
# Logs go to target/local-stack/. Ctrl-C stops everything. The first run builds the jars.
set -euo pipefail
cd "$(dirname "$0")"

jar=tools/local-stack/target/local-stack.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml libs services tools -path '*/target' -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.yaml' -o -name '*.lua' \) -newer "$jar" -print -quit)" ]; then
  echo "building Switchboard (jars are missing or older than the sources) ..."
  ./mvnw -B -q -DskipTests package
fi
exec java -jar "$jar" "$@"

#!/usr/bin/env bash
# Runs Switchboard locally. For now that is one KMS emulator (the media-server stand-in the rest
# of the system is built against); the local-stack work replaces this with the whole system.
#   KMS (JSON-RPC):  ws://127.0.0.1:8888/kurento
#   fault injection: http://127.0.0.1:8889/status
# Extra arguments go to the emulator, e.g. ./run-local.sh --capacity 50 --log-level DEBUG
set -euo pipefail
cd "$(dirname "$0")"

jar=tools/kms-emulator/target/kms-emulator.jar
if [ ! -f "$jar" ] || [ -n "$(find tools/kms-emulator/src pom.xml tools/kms-emulator/pom.xml -newer "$jar" -print -quit)" ]; then
  echo "building $jar ..."
  ./mvnw -B -q -pl tools/kms-emulator -am -DskipTests package
fi
exec java -jar "$jar" --port 8888 --admin-port 8889 "$@"

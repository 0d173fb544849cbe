#!/usr/bin/env bash
# Kurento's own health check, as its image's healthchecker.sh does it: a WebSocket upgrade request
# without a key to KMS's JSON-RPC endpoint. A live KMS answers HTTP 500 (it refuses the incomplete
# handshake); anything else, or nothing within the timeout, is unhealthy.
set -o errexit -o nounset -o pipefail

port="${KMS_PORT:-8888}"
timeout="${HEALTHCHECK_TIMEOUT_SECONDS:-3}"

code="$(curl --silent --max-time "$timeout" --output /dev/null --write-out '%{http_code}' \
  --header 'Connection: Upgrade' \
  --header 'Upgrade: websocket' \
  --header "Host: 127.0.0.1:${port}" \
  --header 'Origin: 127.0.0.1' \
  "http://127.0.0.1:${port}/kurento" || true)"

if [[ "$code" != "500" ]]; then
  echo "KMS on port ${port} answered '${code:-nothing}' to the upgrade check (a live KMS answers 500)"
  exit 1
fi

#!/usr/bin/env bash
# helm test: a WebSocket through the gateway Service to a signaling pod, and an answer back.
#
# It sends {"id":"helm-test"}, a message no one knows. A signaling pod answers it with error
# "unknown-id" -- only a pod can, so the answer proves the whole path: the gateway Service, the
# gateway (and in secure mode a join token it issued), discovery of a ready signaling pod, the pod.
# In secure mode without a way to get a token (JWKS, or no API key) it proves less: that the gateway
# answers and refuses a bad token with "invalid-token".
set -o errexit -o nounset -o pipefail

host="${GATEWAY_HOST:?}"
port="${GATEWAY_PORT:?}"
mode="${GATEWAY_MODE:-open}"
api_key="${API_KEYS:-}"
api_key="${api_key%%,*}"

token=""
expect="unknown-id"
if [[ "$mode" == "secure" ]]; then
  if [[ -n "$api_key" && "${CAN_ISSUE_TOKENS:-false}" == "true" ]]; then
    body="$(curl --silent --show-error --fail --max-time 10 --request POST \
      --header "X-Api-Key: ${api_key}" --header 'Content-Type: application/json' \
      --data '{"identity":"helm-test","room":"helm-test","grants":["subscribe"],"ttl":"2m"}' \
      "http://${host}:${port}/api/tokens")"
    token="$(sed -n -E 's/.*"token": *"([^"]+)".*/\1/p' <<<"$body")"
    [[ -n "$token" ]] || { echo "FAIL: POST /api/tokens gave no token: ${body}"; exit 1; }
    echo "issued a join token through POST /api/tokens"
  else
    token="not-a-token"
    expect="invalid-token"
    echo "secure mode without an HS256 secret and an API key: checking that a bad token is refused"
  fi
fi

exec 3<>"/dev/tcp/${host}/${port}"
{
  printf 'GET /groupcall HTTP/1.1\r\n'
  printf 'Host: %s:%s\r\n' "$host" "$port"
  printf 'Upgrade: websocket\r\n'
  printf 'Connection: Upgrade\r\n'
  printf 'Sec-WebSocket-Key: c3dpdGNoYm9hcmQtaGVsbS0=\r\n'
  printf 'Sec-WebSocket-Version: 13\r\n'
  if [[ -n "$token" ]]; then
    printf 'Authorization: Bearer %s\r\n' "$token"
  fi
  printf '\r\n'
} >&3

IFS= read -r -t 15 status <&3 || { echo "FAIL: no answer to the WebSocket upgrade"; exit 1; }
if [[ "$status" != *" 101 "* ]]; then
  echo "FAIL: the gateway answered '${status%$'\r'}' instead of 101 Switching Protocols"
  exit 1
fi
while IFS= read -r -t 15 header <&3 && [[ "$header" != $'\r' ]]; do :; done
echo "upgraded: ${status%$'\r'}"

# One masked text frame (FIN, opcode 1; mask bit and an all-zero key, so the payload goes as is).
payload='{"id":"helm-test"}'
printf "\\x81\\x$(printf '%02x' $((0x80 + ${#payload})))\\x00\\x00\\x00\\x00%s" "$payload" >&3

# The answer: an unmasked text frame holding a JSON object; read up to its closing brace.
reply=""
for _ in 1 2 3 4; do
  chunk=""
  IFS= read -r -t 15 -d '}' chunk <&3 || true
  reply+="${chunk}}"
  [[ "$reply" == *'"code"'*'}' ]] && break
done
exec 3>&-

if [[ "$reply" == *"\"code\":\"${expect}\""* ]]; then
  echo "PASS: answered ${expect} through the gateway"
  exit 0
fi
echo "FAIL: expected error ${expect}, got: ${reply//[^[:print:]]/}"
exit 1

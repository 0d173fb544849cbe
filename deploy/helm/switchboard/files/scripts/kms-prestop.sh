#!/usr/bin/env bash
# preStop hook of a KMS pod: a drain on the way out, so that replacing a media node ends no call.
#
# 1. Ask placement to drain this node (POST /v1/nodes/<pod name>/drain with a deadline): no new
#    rooms come here; the rooms still here when the deadline passes are announced for moving and
#    signaling rebuilds them on other nodes.
# 2. Wait until placement shows no room on the node (GET /v1/nodes), or has let go of the node, or
#    the deadline plus a settle time has passed; then return, and the kubelet stops KMS.
#
# Node ids: placement's Kubernetes discovery names each KMS pod's node after the pod (NODE_ID is
# the pod name from the downward API). The pod's terminationGracePeriodSeconds exceeds the
# deadline + settle time + the drain request's retries, so the kubelet does not cut this short.
#
# Placement's /v1 answers only requests presenting the service token (Authorization: Bearer). It is
# read from SERVICE_TOKEN_FILE (a Secret volume the kubelet keeps current) when the hook runs, and
# handed to curl on its standard input, never on its command line.
set -o errexit -o nounset -o pipefail

node="${NODE_ID:?NODE_ID (the pod name) is required}"
placement="${PLACEMENT_URL:?PLACEMENT_URL is required}"
deadline="${DRAIN_DEADLINE_SECONDS:?DRAIN_DEADLINE_SECONDS is required}"
token_file="${SERVICE_TOKEN_FILE:?SERVICE_TOKEN_FILE (the service token) is required}"
poll="${DRAIN_POLL_SECONDS:-5}"
# After the deadline, time for placement to announce the remaining rooms and for signaling to
# rebuild them elsewhere while this KMS still answers.
settle="${DRAIN_SETTLE_SECONDS:-30}"

log() {
  # A hook's output is not in the container's log; PID 1's standard output is.
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) kms-prestop node=${node}: $*"
  { echo "$line" >/proc/1/fd/1; } 2>/dev/null || echo "$line" >&2
}

# The Authorization header line, for curl's --header @- (read on every request: a rotated token
# reaches the file within the kubelet's sync period).
authorization() {
  local token
  token="$(tr -d '[:space:]' <"$token_file")"
  printf 'Authorization: Bearer %s\n' "$token"
}

drain() {
  authorization | curl --silent --max-time 5 --output /dev/null --write-out '%{http_code}' \
    --request POST --header @- --header 'Content-Type: application/json' \
    --data "{\"deadlineSeconds\":${deadline}}" \
    "${placement}/v1/nodes/${node}/drain" || true
}

# The node's entry in GET /v1/nodes (a flat JSON object), or nothing when placement has none.
node_entry() {
  local nodes pattern
  nodes="$(authorization | curl --silent --fail --max-time 5 --header @- "${placement}/v1/nodes")" || return 2
  pattern="\\{[^{}]*\"id\": *\"${node//./\\.}\"[^{}]*\\}"
  grep --only-matching --extended-regexp "$pattern" <<<"$nodes" || true
}

give_up=$(($(date +%s) + deadline + settle))

drained=""
for attempt in 1 2 3 4 5 6; do
  status="$(drain)"
  case "$status" in
    200)
      drained=yes
      log "draining: no new rooms; rooms left after ${deadline}s are moved to other nodes"
      break
      ;;
    404)
      log "placement does not know this node (never ready, or already gone): nothing to drain"
      exit 0
      ;;
    401)
      # A token being rotated can disagree for a while: retry like any other failure, but say why.
      log "placement refused the service token in ${token_file} (HTTP 401), attempt ${attempt} of 6"
      sleep 5
      ;;
    *)
      log "drain request failed (HTTP ${status:-none}), attempt ${attempt} of 6"
      sleep 5
      ;;
  esac
done
if [[ -z "$drained" ]]; then
  log "placement at ${placement} took no drain (last HTTP ${status:-none}): stopping without a drain"
  exit 1
fi

checks=0
while true; do
  if entry="$(node_entry)"; then
    if [[ -z "$entry" ]]; then
      log "placement has let go of the node (its rooms were moved): done"
      exit 0
    fi
    rooms="$(sed -n -E 's/.*"rooms": *([0-9]+).*/\1/p' <<<"$entry")"
    if [[ "$rooms" == "0" ]]; then
      log "no rooms left: done"
      exit 0
    fi
    # Once a minute is enough in the log.
    if ((checks % (60 / poll + 1) == 0)); then
      log "${rooms:-some} rooms left, giving up in $((give_up - $(date +%s)))s"
    fi
  else
    log "placement did not answer GET /v1/nodes; retrying"
  fi
  if (($(date +%s) >= give_up)); then
    log "deadline passed with rooms still placed here: stopping"
    exit 0
  fi
  checks=$((checks + 1))
  sleep "$poll"
done

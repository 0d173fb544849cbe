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
set -o errexit -o nounset -o pipefail

node="${NODE_ID:?NODE_ID (the pod name) is required}"
placement="${PLACEMENT_URL:?PLACEMENT_URL is required}"
deadline="${DRAIN_DEADLINE_SECONDS:?DRAIN_DEADLINE_SECONDS is required}"
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

drain() {
  curl --silent --max-time 5 --output /dev/null --write-out '%{http_code}' \
    --request POST --header 'Content-Type: application/json' \
    --data "{\"deadlineSeconds\":${deadline}}" \
    "${placement}/v1/nodes/${node}/drain" || true
}

# The node's entry in GET /v1/nodes (a flat JSON object), or nothing when placement has none.
node_entry() {
  local nodes pattern
  nodes="$(curl --silent --fail --max-time 5 "${placement}/v1/nodes")" || return 2
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
    *)
      log "drain request failed (HTTP ${status:-none}), attempt ${attempt} of 6"
      sleep 5
      ;;
  esac
done
if [[ -z "$drained" ]]; then
  log "placement unreachable at ${placement}: stopping without a drain"
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

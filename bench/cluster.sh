#!/bin/bash
# Produce throughput and send -> ack latency on a 3-broker local cluster (mq cluster up) for replication
# factor 1 and 3, acks 1 and all, flush.policy batch (the default) and os. Stops the cluster it started.
# Usage: bash bench/cluster.sh [--base-port N] (after `npx tsc -p .`); prints one JSON line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_PORT=29092
if [ "${1:-}" = "--base-port" ]; then BASE_PORT=$2; fi
MQ="node bin/mq.js"
D=$(mktemp -d /tmp/mq-bench-cluster-XXXXXX)
B=$($MQ cluster up --brokers 3 --data "$D" --base-port "$BASE_PORT" | tail -1)
trap '$MQ cluster down --data "$D" >/dev/null; rm -rf "$D"' EXIT
echo "bootstrap $B"
run() { # rf acks policy
  local topic="bench-rf$1-$3" lat="lat-rf$1-$3"
  $MQ topics create "$topic" -p 3 -r "$1" --config "flush.policy=$3" -b "$B" >/dev/null 2>&1 || true
  $MQ topics create "$lat" -p 3 -r "$1" --config "flush.policy=$3" -b "$B" >/dev/null 2>&1 || true
  echo "rf=$1 acks=$2 flush.policy=$3 throughput: $($MQ bench produce -b "$B" --topic "$topic" --count 1000000 --acks "$2" --json | tr -d '\n ')"
  echo "rf=$1 acks=$2 flush.policy=$3 latency@10000/s: $($MQ bench produce -b "$B" --topic "$lat" --rate 10000 --duration 10 --linger-ms 0 --acks "$2" --json | tr -d '\n ')"
}
for rf in 1 3; do for acks in 1 all; do run "$rf" "$acks" batch; done; done
for acks in 1 all; do run 3 "$acks" os; done

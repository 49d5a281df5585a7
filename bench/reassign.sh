#!/bin/bash
# Reassignment figures (issue 8) on a local cluster: `mq cluster up` (3 brokers) plus a 4th broker
# started here, then
#   (a) catch-up rate of a moving replica: a 1-partition, replication-factor-1 topic preloaded with
#       SIZE_MB of 1,000-byte records is moved onto broker 4 and back onto broker 1, unthrottled and
#       with --throttle THROTTLE_MBPS; each move is timed from the request to the controller completing
#       it (the new replica in the ISR), bench/reassign-move.mjs;
#   (b) produce latency at a fixed rate (acks=all, linger 0, 100-byte records, a 3-partition topic
#       with replication factor 3 on brokers 1-3, flush.policy FLUSH_POLICY) with no move, during an unthrottled move and during
#       a throttled one.
# Bounded: every step runs under `timeout`; it stops only what it started (the 4th broker by its PID,
# the rest with `mq cluster down`) and removes its temp dir. Needs dist/ (npx tsc -p .). Usage:
#   bash bench/reassign.sh [--base-port N] [--size-mb MB] [--throttle MBPS] [--rate RECS_PER_S] [--duration S] [--flush-policy batch|os]
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_PORT=39092 SIZE_MB=300 THROTTLE_MBPS=20 RATE=2000 DURATION=15 FLUSH_POLICY=batch
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) BASE_PORT=$2 ;; --size-mb) SIZE_MB=$2 ;; --throttle) THROTTLE_MBPS=$2 ;;
    --rate) RATE=$2 ;; --duration) DURATION=$2 ;; --flush-policy) FLUSH_POLICY=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
MQ="node bin/mq.js"
D=$(mktemp -d /tmp/mq-bench-reassign-XXXXXX)
B4_PID=""
cleanup() {
  if [ -n "$B4_PID" ]; then kill "$B4_PID" 2>/dev/null || true; wait "$B4_PID" 2>/dev/null || true; fi
  $MQ cluster down --data "$D" >/dev/null 2>&1 || true
  # Anything of this run still alive (its command line names this run's temp dir) is stopped by PID.
  for pid in $(pgrep -f -- "$D/" || true); do
    echo "still running after cluster down, killing pid $pid" >&2
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$D"
}
trap cleanup EXIT
UP=$(timeout 120 $MQ cluster up --brokers 3 --data "$D" --base-port "$BASE_PORT")
ETCD=$(echo "$UP" | sed -n 's/^etcd \(http[^ ]*\).*/\1/p')
B=$(echo "$UP" | tail -1)
echo "bootstrap $B etcd $ETCD load $(cut -d' ' -f1-3 /proc/loadavg)"

# Topics first, so that they live on brokers 1-3 only.
$MQ topics create move -p 1 -r 1 -b "$B" >/dev/null
$MQ topics create lat -p 3 -r 3 --config min.insync.replicas=2 --config "flush.policy=$FLUSH_POLICY" -b "$B" >/dev/null
timeout 600 $MQ bench produce -b "$B" --topic move --record-size 1000 --count $((SIZE_MB * 1000)) --acks 1 --json >/dev/null
echo "preloaded move-0 with $SIZE_MB MB (1,000-byte records)"

# The 4th broker joins.
$MQ broker start --id 4 --etcd "$ETCD" --data "$D/broker-4" --listen "127.0.0.1:$((BASE_PORT + 3))" \
  --admin-listen "127.0.0.1:$((BASE_PORT + 103))" >"$D/broker-4.log" 2>&1 &
B4_PID=$!
for _ in $(seq 1 60); do
  if $MQ brokers list -b "$B" --json 2>/dev/null | grep -q '"id": 4'; then break; fi
  sleep 0.5
done
$MQ brokers list -b "$B" --json | grep -q '"id": 4' || { echo "broker 4 did not register" >&2; exit 1; }

move() { timeout 900 node bench/reassign-move.mjs "$ETCD" move 0 "$1" "$2" 900; }
# lat SECONDS: produce at RATE for that long; the runs during a move last about as long as the move
# took in the catch-up runs, so that they measure the move and not the quiet time after it.
lat() { timeout $(($1 + 120)) $MQ bench produce -b "$B" --topic lat --record-size 100 --rate "$RATE" --duration "$1" --linger-ms 0 --acks all --json | tr -d '\n '; }
secs() { sed -n 's/.*"seconds":\([0-9]*\).*/\1/p' <<<"$1"; }
span() { local s; s=$(secs "$1"); s=${s:-$DURATION}; [ "$s" -lt 2 ] && s=2; [ "$s" -gt "$DURATION" ] && s=$DURATION; echo "$s"; }

A=$(move 4 0); echo "catch-up unthrottled: $A"
echo "catch-up unthrottled: $(move 1 0)"
T=$(move 4 "$THROTTLE_MBPS"); echo "catch-up throttle=$THROTTLE_MBPS MB/s: $T"
echo "catch-up throttle=$THROTTLE_MBPS MB/s: $(move 1 "$THROTTLE_MBPS")"

# Each latency run starts with the page cache written back (`sync`): the topic fdatasyncs every batch
# (flush.policy=batch, the default), and writeback left over from the moves before would slow it.
sync; echo "latency no move ($DURATION s): $(lat "$DURATION")"
sync
move 4 0 >"$D/move-a.json" & M=$!
echo "latency during unthrottled move ($(span "$A") s): $(lat "$(span "$A")")"
wait "$M"; echo "  (the move: $(cat "$D/move-a.json"))"
sync
move 1 "$THROTTLE_MBPS" >"$D/move-b.json" & M=$!
echo "latency during throttle=$THROTTLE_MBPS MB/s move ($(span "$T") s): $(lat "$(span "$T")")"
wait "$M"; echo "  (the move: $(cat "$D/move-b.json"))"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"

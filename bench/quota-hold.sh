#!/usr/bin/env bash
# How closely a producer_byte_rate quota holds a producer (issue 17: "a quota of 1 MB/s holds a producer
# to 1 MB/s ± 10%"). One embedded broker on 127.0.0.1; a client-id quota per client (mq produce's mq-cli,
# kcat's and kafkajs' own client.id); each client produces 1,000-byte records as fast as it is let for
# WARMUP + SECONDS, alone on the broker; the broker's /metrics (mq_partition_bytes_in_total) is read every
# second. Prints one markdown row per client: MiB/s over the first SECONDS and over SECONDS after WARMUP,
# and the second's deviation from the quota. Options: --rate BYTES (1048576), --seconds S (30),
# --warmup S (5), --port PORT (19493), --clients "mq kcat kafkajs". Stops only the processes it started,
# by PID.
set -euo pipefail
set -m # each background job in a process group of its own, so a producer pipeline is stopped whole
cd "$(dirname "$0")/.."

rate=1048576 seconds=30 warmup=5 port=19493 clients="mq kcat kafkajs"
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quota-hold: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f dist/commands/index.js ] || npx tsc -p tsconfig.json

mq() { node bin/mq.js "$@"; }
dir=$(mktemp -d /tmp/mq-quota-hold-XXXXXX)
admin=$((port + 1))
node bin/mq.js broker start --data "$dir/data" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" >"$dir/broker.log" 2>&1 &
broker=$!
producer=""
cleanup() {
  [ -n "$producer" ] && kill -- "-$producer" 2>/dev/null || true
  kill "$broker" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q "admin listening" "$dir/broker.log" && break; sleep 0.1; done
b=(-b "127.0.0.1:$port")

# 1,000-byte lines (999 characters and a newline), written as fast as the reader takes them.
gen='const l=Buffer.from("x".repeat(999)+"\n");const big=Buffer.concat(Array(1000).fill(l));(function w(){while(process.stdout.write(big));process.stdout.once("drain",w)})()'
kafkajs='const {Kafka,logLevel}=require("kafkajs");const [bootstrap,topic]=process.argv.slice(1);
const p=new Kafka({brokers:[bootstrap],clientId:"quota-kafkajs",logLevel:logLevel.NOTHING}).producer();
const value=Buffer.alloc(1000,"k");const messages=Array.from({length:1000},()=>({value}));
(async()=>{await p.connect();for(;;)await p.send({topic,acks:1,messages});})().catch(()=>process.exit(1));'

bytes_in() { curl -s "127.0.0.1:$admin/metrics" | awk -v t="mq_partition_bytes_in_total{topic=\"$1\"" 'index($0,t)==1 {s+=$2} END {print s+0}'; }

echo "| client | quota | MiB/s, first ${seconds} s | MiB/s, ${seconds} s after ${warmup} s | deviation |"
echo "|---|---|---|---|---|"
for client in $clients; do
  topic="quota-$client-$RANDOM"
  mq topics create "$topic" "${b[@]}" >/dev/null
  case "$client" in
    mq) id=mq-cli ;;
    kcat) id=quota-kcat ;;
    kafkajs) id=quota-kafkajs ;;
    *) echo "quota-hold: unknown client $client (mq, kcat, kafkajs)" >&2; exit 2 ;;
  esac
  mq quotas set --client-id "$id" --producer-byte-rate "$rate" "${b[@]}" >/dev/null
  case "$client" in
    mq) node -e "$gen" | mq produce "$topic" --acks 1 "${b[@]}" 2>/dev/null & ;;
    kcat) node -e "$gen" | kcat -P -b "127.0.0.1:$port" -t "$topic" -X client.id=quota-kcat -X linger.ms=5 2>/dev/null & ;;
    kafkajs) node -e "$kafkajs" "127.0.0.1:$port" "$topic" & ;;
  esac
  last=$!
  producer=$(jobs -p | tail -n 1) # the pipeline's process group
  # t=0 at the first appended byte.
  for _ in $(seq 200); do [ "$(bytes_in "$topic")" != 0 ] && break; sleep 0.05; done
  start=$(date +%s.%N)
  : >"$dir/samples"
  for _ in $(seq 0 $((warmup + seconds + 1))); do
    echo "$(echo "$(date +%s.%N) - $start" | bc) $(bytes_in "$topic")" >>"$dir/samples"
    sleep 1
  done
  kill -- "-$producer" 2>/dev/null || true
  wait "$last" 2>/dev/null || true
  producer=""
  awk -v c="$client" -v q="$rate" -v s="$seconds" -v w="$warmup" '
    { t[NR]=$1; v[NR]=$2 }
    function at(x,   i) { for (i=1; i<=NR; i++) if (t[i] >= x) return i; return NR }
    function mibs(a, z) { return (v[z]-v[a]) / (t[z]-t[a]) / 1048576 }
    END {
      first=mibs(at(0), at(s)); later=mibs(at(w), at(w+s));
      printf "| %s | %.2f MiB/s | %.3f | %.3f | %+.1f%% |\n", c, q/1048576, first, later, (later*1048576/q-1)*100
    }' "$dir/samples"
done

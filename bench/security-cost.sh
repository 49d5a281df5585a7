#!/usr/bin/env bash
# What TLS and SASL/SCRAM cost on one embedded broker (issue 17): the same broker serves PLAINTEXT,
# SASL_PLAINTEXT (SCRAM-SHA-512) and SASL_SSL (SCRAM-SHA-512, TLS with a throw-away CA made by openssl)
# on three ports; `mq bench produce` and then `mq bench consume` run against each listener in turn,
# alternating, RUNS times. Prints one markdown row per listener and direction: median records/s, the ratio
# to PLAINTEXT, and the broker's CPU seconds per million records. Options: --count N (2000000),
# --record-size B (100), --runs R (3), --port P (19593: P, P+1, P+2 and the admin endpoint P+3). Stops only
# the processes it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

count=2000000 size=100 runs=3 port=19593
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --record-size) size="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "security-cost: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f dist/commands/index.js ] || npx tsc -p tsconfig.json

dir=$(mktemp -d /tmp/mq-security-cost-XXXXXX)
broker=""
cleanup() {
  [ -n "$broker" ] && kill "$broker" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# A CA and a 127.0.0.1 certificate, as a user would make them.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" -days 1 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/req.csr" -subj "/CN=localhost" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1,DNS:localhost" > "$dir/ext"
openssl x509 -req -in "$dir/req.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -set_serial 1 -out "$dir/cert.pem" -days 1 -extfile "$dir/ext" 2>/dev/null

password=$(head -c 18 /dev/urandom | base64)
printf '%s' "$password" | node bin/mq.js users create bench --password-stdin --mechanism SCRAM-SHA-512 --data "$dir/data" >/dev/null
cat > "$dir/broker.properties" <<EOF
listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$((port + 1)),SASL_SSL://127.0.0.1:$((port + 2))
sasl.enabled.mechanisms=SCRAM-SHA-512
ssl.certificate.location=$dir/cert.pem
ssl.key.location=$dir/key.pem
EOF
node bin/mq.js broker start --data "$dir/data" --config "$dir/broker.properties" --admin-listen "127.0.0.1:$((port + 3))" >"$dir/broker.log" 2>&1 &
broker=$!
for _ in $(seq 1 100); do grep -q 'mq broker listening' "$dir/broker.log" && break; sleep 0.1; done
grep -q 'mq broker listening' "$dir/broker.log" || { cat "$dir/broker.log" >&2; exit 1; }

printf 'sasl.mechanism=SCRAM-SHA-512\nsasl.username=bench\nsasl.password=%s\n' "$password" > "$dir/client.properties"
chmod 600 "$dir/client.properties"
declare -A portOf=([PLAINTEXT]=$port [SASL_PLAINTEXT]=$((port + 1)) [SASL_SSL]=$((port + 2)))
listeners="PLAINTEXT SASL_PLAINTEXT SASL_SSL"

# One run: prints "records/s cpu-seconds" from mq bench's JSON.
bench() { # direction listener topic
  local security=()
  [ "$2" != PLAINTEXT ] && security=(--command-config "$dir/client.properties" -X "security.protocol=$2")
  [ "$2" = SASL_SSL ] && security+=(-X "ssl.ca.location=$dir/ca.pem")
  node bin/mq.js bench "$1" -b "127.0.0.1:${portOf[$2]}" --topic "$3" --count "$count" --record-size "$size" \
    --broker-pid "$broker" "${security[@]}" --json \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.recordsPerSec, j.broker?.cpuSeconds ?? "")})'
}

declare -A results
for r in $(seq 1 "$runs"); do
  for l in $listeners; do
    topic="cost-$l-$r"
    results[produce,$l]+="$(bench produce "$l" "$topic");"
    results[consume,$l]+="$(bench consume "$l" "$topic");"
  done
done

echo "| direction | listener | records/s (median of $runs) | vs PLAINTEXT | broker CPU s per M records | runs |"
echo "| --- | --- | --- | --- | --- | --- |"
for d in produce consume; do
  base=""
  for l in $listeners; do
    line=$(node -e '
      const runs = process.argv[1].split(";").filter(Boolean).map((r) => r.split(" ").map(Number));
      const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
      const rate = med(runs.map((r) => r[0]));
      const cpu = med(runs.map((r) => r[1] / (Number(process.argv[2]) / 1e6)));
      console.log(Math.round(rate), cpu.toFixed(2), runs.map((r) => Math.round(r[0])).join(" / "));
    ' "${results[$d,$l]}" "$count")
    read -r rate cpu all <<<"$line"
    [ -z "$base" ] && base=$rate
    ratio=$(node -e 'console.log((Number(process.argv[1]) / Number(process.argv[2])).toFixed(2))' "$rate" "$base")
    echo "| $d | $l | $rate | ${ratio}x | $cpu | $all |"
  done
done

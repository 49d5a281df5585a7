#!/usr/bin/env bash
# mq produce / mq consume in shell pipelines, side by side with kcat -P / kcat -C in the same run
# (issue 16's pipeline row). One embedded broker on 127.0.0.1; an input file of N lines of 100 bytes
# (99 characters and a newline); each run alternates mq and kcat, each client under /usr/bin/time -v
# for its peak RSS. Produce reads the file through a pipe (`cat f | ...`); consume writes to a pipe
# (`... | cat > /dev/null`), -o beginning -e from a topic kcat filled. Prints one markdown table row per
# run and the medians. Options: --lines N (3000000), --runs R (3), --partitions P (1), --port PORT (19492),
# --keep (leave the data directory). Installs kcat from Debian when missing (needs root); builds mq when
# dist/ is missing. Stops only the broker it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

lines=3000000 runs=3 partitions=1 port=19492 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) lines="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pipeline: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v kcat >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "pipeline: kcat is missing and installing it needs root" >&2; exit 1; fi
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
fi
[ -x /usr/bin/time ] || { echo "pipeline: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/commands/index.js ] || npx tsc -p tsconfig.json

work=$(mktemp -d /tmp/mq-pipeline.XXXXXX)
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
  fi
  if [ "$keep" = 1 ]; then echo "pipeline: data kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

mq() { node bin/mq.js "$@"; }
bootstrap="127.0.0.1:$port"
node bin/mq.js broker start --data "$work/data" --listen "$bootstrap" --admin-listen none --log-level warn 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 1 100); do mq topics list -b "$bootstrap" >/dev/null 2>&1 && break; sleep 0.1; done

input="$work/input"
awk -v n="$lines" 'BEGIN { pad = sprintf("%90s", ""); gsub(/ /, "x", pad); for (i = 1; i <= n; i++) printf "%09d%s\n", i, pad }' > "$input"
bytes=$(stat -c %s "$input")

# run LABEL FILE-FOR-TIME CMD...: runs CMD under /usr/bin/time -v; prints "seconds peak_kb".
timed() {
  local out="$1"; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$out" "$@"
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out")"
}

rate() { awk -v n="$lines" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
count_of() { mq topics describe "$1" -b "$bootstrap" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s);console.log(t.partitions.reduce((a,p)=>a+(p.highWatermark??p.logEndOffset??0),0))})'; }

declare -a mq_p kc_p mq_c kc_c mq_pr kc_pr mq_cr kc_cr
echo "pipeline: $lines lines of 100 bytes ($bytes bytes), $partitions partition(s), $runs runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | mq produce rec/s | kcat -P rec/s | ratio | mq produce peak RSS | kcat -P peak RSS | mq consume rec/s | kcat -C rec/s | ratio | mq consume peak RSS | kcat -C peak RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for r in $(seq 1 "$runs"); do
  tm="pm$r" tk="pk$r"
  mq topics create "$tm" -p "$partitions" -b "$bootstrap" >/dev/null
  mq topics create "$tk" -p "$partitions" -b "$bootstrap" >/dev/null
  read -r s_mp k_mp < <(timed "$work/t" bash -c "cat '$input' | node bin/mq.js produce '$tm' -b '$bootstrap' >/dev/null 2>>'$work/produce.err'")
  read -r s_kp k_kp < <(timed "$work/t" bash -c "cat '$input' | kcat -P -b '$bootstrap' -t '$tk'")
  for t in "$tm" "$tk"; do
    got=$(count_of "$t")
    [ "$got" = "$lines" ] || { echo "pipeline: topic $t holds $got records, expected $lines" >&2; exit 1; }
  done
  read -r s_mc k_mc < <(timed "$work/t" bash -c "node bin/mq.js consume '$tk' -b '$bootstrap' -o beginning -e | cat > '$work/out-mq'")
  read -r s_kc k_kc < <(timed "$work/t" bash -c "kcat -C -b '$bootstrap' -t '$tk' -o beginning -e -q | cat > '$work/out-kcat'")
  for f in out-mq out-kcat; do
    got=$(wc -l < "$work/$f")
    [ "$got" = "$lines" ] || { echo "pipeline: $f has $got lines, expected $lines" >&2; exit 1; }
  done
  mq_pr+=("$(rate "$s_mp")") kc_pr+=("$(rate "$s_kp")") mq_cr+=("$(rate "$s_mc")") kc_cr+=("$(rate "$s_kc")")
  mq_p+=("$k_mp") kc_p+=("$k_kp") mq_c+=("$k_mc") kc_c+=("$k_kc")
  i=$((r - 1))
  echo "| $r | ${mq_pr[$i]} | ${kc_pr[$i]} | $(awk -v a="${mq_pr[$i]}" -v b="${kc_pr[$i]}" 'BEGIN { printf "%.2fx", a / b }') | $(mb "$k_mp") MB | $(mb "$k_kp") MB | ${mq_cr[$i]} | ${kc_cr[$i]} | $(awk -v a="${mq_cr[$i]}" -v b="${kc_cr[$i]}" 'BEGIN { printf "%.2fx", a / b }') | $(mb "$k_mc") MB | $(mb "$k_kc") MB |"
  mq topics delete "$tm" -b "$bootstrap" >/dev/null 2>&1 || true
  mq topics delete "$tk" -b "$bootstrap" >/dev/null 2>&1 || true
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mp=$(median "${mq_pr[@]}") kp=$(median "${kc_pr[@]}") mc=$(median "${mq_cr[@]}") kc=$(median "${kc_cr[@]}")
echo "| median | $mp | $kp | $(awk -v a="$mp" -v b="$kp" 'BEGIN { printf "%.2fx", a / b }') | $(mb "$(median "${mq_p[@]}")") MB | $(mb "$(median "${kc_p[@]}")") MB | $mc | $kc | $(awk -v a="$mc" -v b="$kc" 'BEGIN { printf "%.2fx", a / b }') | $(mb "$(median "${mq_c[@]}")") MB | $(mb "$(median "${kc_c[@]}")") MB |"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

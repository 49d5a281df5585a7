#!/usr/bin/env bash
# mq side by side with NATS JetStream and Redis Streams, plus the machine's limits, in one run; prints
# one table of ratios: produce (page cache and fsync), consume from the start, and end-to-end latency
# at 10,000 rec/s for every system. Installs nats-server and redis-server from Debian when missing (needs root),
# builds mq when dist/ is missing. Options: --record-size N (100), --count N (1000000), --json-out FILE.
# Stops every process it started by PID. See BENCHMARKS.md for what each row means.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nats-server >/dev/null 2>&1 || need_apt+=(nats-server)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "compare: installing ${need_apt[*]} from Debian" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "compare: need root to apt-get install ${need_apt[*]}" >&2; exit 1; fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/src/bench/compare.js ] || npx tsc -p tsconfig.json

exec node --input-type=module -e "
const { main } = await import('./dist/src/bench/compare.js');
process.exitCode = await main(process.argv.slice(1));
" -- "$@"

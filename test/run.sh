#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need (kcat, etcd-server, tmux, man-db,
# iproute2, nftables, and gcc with librdkafka-dev for the librdkafka admin interop program, from Debian
# when missing), compiles, lints, and runs every compiled *.test.js with node's test runner. Called by
# `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)        # mq top in a real terminal
command -v man >/dev/null 2>&1 || need_apt+=(man-db)       # man pages render without warnings
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)      # the chaos nemesis: network namespaces
command -v nft >/dev/null 2>&1 || need_apt+=(nftables)     # the chaos nemesis: link cuts and packet loss
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)          # builds the librdkafka admin program of the group tests
[ -f /usr/include/librdkafka/rdkafka.h ] || need_apt+=(librdkafka-dev)  # its headers (librdkafka 2.0.2, as kcat's)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test: installing ${need_apt[*]} from Debian" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "test: need root to apt-get install ${need_apt[*]}" >&2; exit 1; fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
rm -rf dist
npx tsc -p tsconfig.json
npx eslint   # promises nobody waits for (eslint.config.js)

cd dist
exec node --test --test-reporter=spec --test-concurrency=2 "$@"

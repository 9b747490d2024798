#!/usr/bin/env bash
# Sets everything up and runs every test. Starts its own etcd on a private port and stops it on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh

work=$(mktemp -d /tmp/tabby-test.XXXXXX)
etcd_pid=
cleanup() {
  [ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null && wait "$etcd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=${TABBY_TEST_ETCD_PORT:-23791}
etcd --name tabby-test --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
  --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
  --initial-cluster "tabby-test=http://127.0.0.1:$((port + 1))" >"$work/etcd.log" 2>&1 &
etcd_pid=$!
healthy=
for _ in $(seq 1 50); do
  if etcdctl --endpoints "127.0.0.1:$port" endpoint health >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.2
done
if [ -z "$healthy" ]; then
  # The etcd suites must run, not skip: stop here with etcd's own words rather than run without it.
  echo "etcd on 127.0.0.1:$port did not become healthy; its log:" >&2
  tail -n 20 "$work/etcd.log" >&2
  exit 1
fi
export TABBY_TEST_ETCD_ENDPOINTS="http://127.0.0.1:$port"

npx tsc --noEmit -p . && npx tsc --noEmit -p src/web/page
mapfile -t files < <(find test src -name '*.test.ts' | sort)
# Two files at a time: most of the suite's time is labs waiting on the kernel and on each other, and every
# test works in namespaces, labs, ports and datastore prefixes of its own, so two run
# side by side without meeting. TABBY_TEST_CONCURRENCY=1 runs them one by one.
node --import tsx --test --test-concurrency="${TABBY_TEST_CONCURRENCY:-2}" --test-timeout=600000 "${files[@]}"

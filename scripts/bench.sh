#!/usr/bin/env bash
# Runs the benchmarks: `bash scripts/bench.sh [--quick] [NAME…]` (all of bench/*.ts by default, as root).
# Each bench measures Tabby and its anchor in interleaved rounds and writes bench/results/NAME.json
# (git-ignored); `node --import tsx bench/report.ts` turns those files into docs/benchmarks.md's table.
# --quick: ≥ 5 rounds, small sizes (meant to take ≤ 10 min in all on an idle 2-core machine); without it, the full
# run (more than an hour here). Afterwards bench/validate.ts checks the files written (shape of issue 14, n ≥ 5).
# A failing bench does not stop the others; the exit code says whether any failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=()
names=()
for a in "$@"; do
  case "$a" in
    --quick) quick=(--quick) ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    -*) echo "bench.sh: unknown option $a (use --quick and bench names)" >&2; exit 2 ;;
    *) names+=("$a") ;;
  esac
done
all=(cni ipam bgp dataplane policy agent lab datastore scale)
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
for n in "${names[@]}"; do
  [ -f "bench/$n.ts" ] || { echo "bench.sh: no bench named '$n' (have: ${all[*]})" >&2; exit 2; }
done
if [ "$(id -u)" != 0 ]; then echo "bench.sh: needs root (every bench works in network namespaces it creates)" >&2; exit 2; fi
bash scripts/build.sh || { echo "bench.sh: build failed" >&2; exit 1; }
# A runtime does not set NODE_EXTRA_CA_CERTS, and it adds tens of ms to every Node start on these machines.
unset NODE_EXTRA_CA_CERTS
mkdir -p bench/results
failed=()
written=()
t0=$(date +%s)
for n in "${names[@]}"; do
  echo "=== bench $n ${quick[*]:-} ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  start=$(date +%s)
  rm -f "bench/results/$n.json" # a failed run must not leave an older run's figures looking current
  if node --import tsx "bench/$n.ts" "${quick[@]}"; then
    echo "=== bench $n done in $(( $(date +%s) - start )) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
    written+=("bench/results/$n.json")
  else
    echo "=== bench $n FAILED after $(( $(date +%s) - start )) s" >&2
    failed+=("$n")
  fi
done
echo "=== all benches: $(( $(date +%s) - t0 )) s"
# The shape of issue 14 and n ≥ 5 for every figure with an anchor (bench/validate.ts).
if [ ${#written[@]} -gt 0 ] && ! node --import tsx bench/validate.ts "${written[@]}"; then failed+=("(results validation)"); fi
if [ ${#failed[@]} -gt 0 ]; then echo "bench.sh: failed: ${failed[*]}" >&2; exit 1; fi
echo "bench.sh: results in bench/results/ (node --import tsx bench/report.ts updates docs/benchmarks.md)"

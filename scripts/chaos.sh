#!/usr/bin/env bash
# The fault suite: `bash scripts/chaos.sh [--quick] [SCENARIO…]` (as root; docs/reliability.md).
# Scenarios: churn etcd-outage etcd-leader agent-kill bgp-flaps writers malformed (all by default).
# Each builds its own namespaces / lab with a unique prefix and removes them at its end, also on failure or
# Ctrl-C; each prints its figures and PASS / FAIL / SKIPPED with the reason. The last line is
# "N passed, N failed"; bench/results/chaos.json (git-ignored) has every figure. Exit 1 when any failed.
# --quick: 1,000 churn cycles, 100 BGP flaps, shorter outages (20–30 min on a busy 2-core VM); without it the full run
# (10,000 cycles, 1,000 flaps). Options for single scenarios: --cycles N --flaps N --kills N --seed N.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case " $* " in *" -h "*|*" --help "*) sed -n '2,8p' "$0"; exit 0 ;; esac
if [ "$(id -u)" != 0 ]; then echo "chaos.sh: needs root (every scenario works in network namespaces it creates)" >&2; exit 2; fi
command -v etcd >/dev/null || { echo "chaos.sh: etcd is not installed (bash scripts/setup.sh installs it)" >&2; exit 2; }
bash scripts/build.sh || { echo "chaos.sh: build failed" >&2; exit 1; }
# A runtime does not set NODE_EXTRA_CA_CERTS, and it adds tens of ms to every Node start on these machines.
unset NODE_EXTRA_CA_CERTS
mkdir -p bench/results
exec node --import tsx bench/chaos/run.ts "$@"

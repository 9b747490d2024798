#!/usr/bin/env bash
# Sets everything up and runs the article's demo in a lab on this machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
exec ./bin/tabby lab demo "$@"

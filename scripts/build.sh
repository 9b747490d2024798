#!/usr/bin/env bash
# Bundles the executables with esbuild (shipped with tsx) so they start fast: a CNI plugin runs once per
# pod and a node process per node; neither should pay for TypeScript compilation at start.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
esbuild=node_modules/.bin/esbuild
[ -x "$esbuild" ] || esbuild=$(ls node_modules/esbuild/bin/esbuild)
mkdir -p dist
# Code splitting: what the entry imports dynamically (the etcd datastore and its gRPC client, ~19 MB of a
# node process's memory) stays in its own chunk, loaded only by the processes that use it. Old chunks are
# kept: a process started before a rebuild must still find what it imports.
"$esbuild" tabby=src/ctl/main.ts --bundle --splitting --platform=node --target=node20 --format=esm --log-level=warning \
  --external:better-sqlite3 --external:netlink --external:koffi --external:etcd3 --external:pino --external:yaml \
  --external:prom-client --external:@grpc/grpc-js --external:protobufjs \
  --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" \
  --outdir=dist --out-extension:.js=.mjs --chunk-names='chunks/[name]-[hash]'

# The web view's page (tabby ui): one script with Cytoscape.js inside, served by tabby itself (no CDN).
mkdir -p dist/web
"$esbuild" src/web/page/app.ts --bundle --format=esm --platform=browser --target=es2022 --minify --log-level=warning \
  --outfile=dist/web/app.js
cp src/web/page/index.html src/web/page/app.css dist/web/

# The CNI executables start once per pod: bundled with code splitting and a pino-free logger (see the script).
if [ -f src/cni/main.ts ] && [ -f src/cni/ipam-main.ts ]; then node scripts/build-cni.mjs; fi

# The IPIP eBPF program (for kernels without the ipip module), named by its source hash so a stale object
# is never loaded; without clang the agent compiles it on first use (and says so if it cannot).
if command -v clang >/dev/null 2>&1; then
  hash=$(sha256sum src/ipip/ebpf/ipip.bpf.c | cut -c1-16)
  obj="dist/ipip.bpf.$hash.o"
  if [ ! -f "$obj" ]; then
    rm -f dist/ipip.bpf.*.o
    clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c src/ipip/ebpf/ipip.bpf.c -o "$obj"
  fi
fi

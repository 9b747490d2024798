#!/usr/bin/env bash
# Installs everything Tabby and its tests need on Debian 12 + Node 20 (idempotent; quick when done),
# then builds the bundles and puts `tabby` on the PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

debs=(iproute2 nftables iptables ipset etcd-server etcd-client bird2 frr gobgpd containernetworking-plugins
      iperf3 iputils-ping tcpdump socat ethtool conntrack procps podman runc busybox-static containerd
      clang llvm libbpf-dev bpftool python3 chromium fonts-dejavu-core)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/build.sh

# `tabby` on the PATH (a symlink to this checkout's bin/tabby).
for b in tabby; do ln -sf "$root/bin/$b" /usr/local/bin/$b; done
echo "setup: done"

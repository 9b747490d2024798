// IPAM allocation throughput: Tabby's block-affinity allocator on both datastore backends (embedded SQLite
// file, etcd), one client and 8 concurrent node processes, beside Debian's `host-local` CNI IPAM plugin driven
// as a container runtime drives it (one process per ADD, CNI_* environment, netconf on stdin, dataDir in a
// temp dir) in the same run. Prints allocations per second and the ratio to host-local.
//
//   node --import tsx bench/ipam.ts [--single N] [--per-node N] [--skip-etcd]
//
// Tabby's "one client" runs the allocator in this process (the cost of a long-running caller); the 8-way
// case is 8 worker processes, one per node, started together. host-local's figures include its process
// start-up, which is how it is always used; `spawn /bin/true` is printed as the floor for that.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatastore, resolveDatastoreConfig } from '../src/datastore/index.ts';
import { createIpam } from '../src/ipam/index.ts';
import { embeddedBackend, etcdBackend, etcdSkipReason, runWorkers, stopPrivateEtcd, type Backend } from '../test/ipam/fixtures.ts';

const HOST_LOCAL = '/usr/lib/cni/host-local';
const args = process.argv.slice(2);
function flag(name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
const SINGLE = flag('--single', 300);
const PER_NODE = flag('--per-node', 100);
const NODES = Array.from({ length: 8 }, (_, i) => `bench-node-${i}`);

interface Row { what: string; mode: string; allocs: number; seconds: number; note?: string }
const rows: Row[] = [];
const rate = (r: Row) => r.allocs / r.seconds;

async function seedPool(b: Backend): Promise<void> {
  const ds = await openDatastore(resolveDatastoreConfig({ env: b.env }));
  await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'bench' }, spec: { cidr: '10.60.0.0/16', blockSize: 26 } });
  await ds.close();
}

async function benchTabby(make: () => Promise<Backend>): Promise<void> {
  // one client, in process
  let b = await make();
  try {
    await seedPool(b);
    const ds = await openDatastore(resolveDatastoreConfig({ env: b.env }));
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'warmup', node: 'solo', num4: 1 });
    const t0 = performance.now();
    for (let i = 0; i < SINGLE; i++) await ipam.autoAssign({ handleId: `k8s-pod-network.c${i}`, node: 'solo', num4: 1 });
    rows.push({ what: `tabby (${b.name})`, mode: '1 client', allocs: SINGLE, seconds: (performance.now() - t0) / 1000 });
    await ds.close();
  } finally {
    await b.cleanup();
  }
  // 8 node processes at once
  b = await make();
  try {
    await seedPool(b);
    const { results, wallMs } = await runWorkers(b.env, 'allocate', NODES, PER_NODE, false);
    const total = results.reduce((n, r) => n + r.ips.length, 0);
    const unique = new Set(results.flatMap((r) => r.ips)).size;
    if (unique !== total) throw new Error(`duplicate addresses: ${total - unique}`);
    const conflicts = results.reduce((n, r) => n + r.stats.casConflicts, 0);
    const borrowed = results.reduce((n, r) => n + r.stats.addressesBorrowed, 0);
    rows.push({ what: `tabby (${b.name})`, mode: '8 concurrent', allocs: total, seconds: wallMs / 1000, note: `${conflicts} CAS retries, ${borrowed} borrowed` });
  } finally {
    await b.cleanup();
  }
}

function runOnce(cmd: string, env: NodeJS.ProcessEnv, stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    // 'close', not 'exit': output may still be buffered when the process exits.
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out}${err}`))));
    p.stdin.on('error', () => {}); // /bin/true may exit before reading stdin
    p.stdin.end(stdin);
  });
}

function hostLocalAdd(dataDir: string, containerID: string): Promise<string> {
  const netconf = JSON.stringify({
    cniVersion: '0.4.0', name: 'bench', type: 'bridge',
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.70.0.0/16' }]], dataDir },
  });
  const env = {
    PATH: process.env.PATH, CNI_COMMAND: 'ADD', CNI_CONTAINERID: containerID, CNI_NETNS: `/var/run/netns/bench-${containerID}`,
    CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni',
  };
  return runOnce(HOST_LOCAL, env, netconf);
}

async function benchHostLocal(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-hostlocal-'));
  try {
    const first = JSON.parse(await hostLocalAdd(join(dir, 'one'), 'warmup'));
    if (!first.ips?.length) throw new Error(`host-local returned no address: ${JSON.stringify(first)}`);
    let t0 = performance.now();
    for (let i = 0; i < SINGLE; i++) await hostLocalAdd(join(dir, 'one'), `c${i}`);
    rows.push({ what: 'host-local', mode: '1 client', allocs: SINGLE, seconds: (performance.now() - t0) / 1000 });
    t0 = performance.now();
    const settled = await Promise.allSettled(NODES.map(async (n) => {
      const got: string[] = [];
      for (let i = 0; i < PER_NODE; i++) got.push(JSON.parse(await hostLocalAdd(join(dir, 'eight'), `${n}-c${i}`)).ips[0].address);
      return got;
    }));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const all = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    if (new Set(all).size !== all.length) throw new Error('host-local handed out an address twice');
    rows.push({ what: 'host-local', mode: '8 concurrent', allocs: all.length, seconds: (performance.now() - t0) / 1000 });
    t0 = performance.now();
    for (let i = 0; i < 100; i++) await runOnce('/bin/true', { PATH: process.env.PATH }, '');
    rows.push({ what: 'spawn /bin/true (floor)', mode: '1 client', allocs: 100, seconds: (performance.now() - t0) / 1000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.env.TABBY_LOG_LEVEL ??= 'error';
  const haveHostLocal = existsSync(HOST_LOCAL);
  if (haveHostLocal) await benchHostLocal();
  else console.log(`# ${HOST_LOCAL} not found: no anchor (apt-get install containernetworking-plugins)`);
  await benchTabby(async () => embeddedBackend());
  const etcdSkip = args.includes('--skip-etcd') ? 'skipped by flag' : etcdSkipReason();
  if (!etcdSkip) await benchTabby(etcdBackend);
  else console.log(`# etcd: ${etcdSkip}`);
  await stopPrivateEtcd();

  const anchor = (mode: string) => rows.find((r) => r.what === 'host-local' && r.mode === mode);
  console.log(`# IPAM allocations per second (${SINGLE} sequential; 8 nodes x ${PER_NODE} concurrent)`);
  console.log(['what'.padEnd(26), 'mode'.padEnd(13), 'allocs'.padStart(7), 'seconds'.padStart(8), 'allocs/s'.padStart(9), 'vs host-local'.padStart(14)].join(' '));
  for (const r of rows) {
    const a = anchor(r.mode);
    const ratio = a && r.what !== 'spawn /bin/true (floor)' ? `${(rate(r) / rate(a)).toFixed(2)}x` : '';
    console.log([r.what.padEnd(26), r.mode.padEnd(13), String(r.allocs).padStart(7), r.seconds.toFixed(2).padStart(8), rate(r).toFixed(0).padStart(9), ratio.padStart(14), r.note ?? ''].join(' '));
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  void stopPrivateEtcd().finally(() => process.exit(1));
});

// Node agent benchmarks. Needs root (network namespaces).
// 1. 10,000 routes. Timed: Tabby's calculation (datastore snapshot → desired state) plus its route
//    reconciler writing them into a fresh namespace, against `ip -batch` of the same route lines into
//    another fresh namespace. Fair: both start from a namespace with the VXLAN device ready (not timed),
//    both end with every route in the kernel (counted after), rounds alternate. Secondary: the two parts,
//    and a restarted agent's no-op resync.
// 2. Convergence, in VXLAN and BGP modes (20 nodes, 3 in quick mode; BGP a full mesh; /32 blocks so every
//    claim needs a new route). Timed (a) from this process writing a new block to the datastore (the IPAM
//    library's claim for node-a) to the route appearing in node-b's kernel (`ip monitor route` there), and
//    (b) from a pod's CNI ADD start on node-a to that route. Samples of (a) and (b) alternate. In BGP mode
//    also (c): from (a)'s write to node-a's UPDATE for it arriving on node-b's wire (tcpdump there, kernel
//    timestamps; both clocks are this machine's wall clock). No anchor: the goals speak to them.
// Usage: node --import tsx bench/agent.ts [--quick] [--pods N] [--nodes N] [--routes N] [--rounds R] [--modes vxlan,bgp]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { API_VERSION, type Resource } from '../src/api/resource.ts';
import { calculate } from '../src/agent/calc/graph.ts';
import { Snapshot } from '../src/agent/calc/snapshot.ts';
import { NetlinkKernel } from '../src/agent/dataplane/netlink-kernel.ts';
import { RouteTable } from '../src/agent/dataplane/route-table.ts';
import { VxlanManager } from '../src/agent/dataplane/vxlan.ts';
import { createIpam } from '../src/ipam/index.ts';
import { formatIPv4 } from '../src/net/ipv4.ts';
import { NetnsFixture, netnsSkipReason } from '../test/helpers/netns.ts';
import { Cluster } from '../test/agent/cluster.ts';
import { Bench, benchOptions, interleave, numberFlag, sleep, stringFlag } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('agent', opts);
const PODS = numberFlag(opts.args, 'pods', opts.quick ? 10 : 100);
const ROUTES = numberFlag(opts.args, 'routes', 10_000);
const ROUNDS = numberFlag(opts.args, 'rounds', 5);
const NODES = Math.max(2, numberFlag(opts.args, 'nodes', opts.quick ? 3 : 20));
const MODES = stringFlag(opts.args, 'modes', 'vxlan,bgp').split(',') as ('vxlan' | 'bgp')[];
const log = pino({ level: 'silent' });


/** Watches a node's routing table; remembers when each destination first appeared. */
function routeMonitor(ns: string) {
  const seen = new Map<string, number>();
  const mon = spawn('ip', ['netns', 'exec', ns, 'ip', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  mon.stdout.on('data', (d: Buffer) => {
    const now = performance.now();
    buf += d.toString();
    const lines = buf.split('\n'); buf = lines.pop()!;
    for (const l of lines) if (!l.startsWith('Deleted')) { const dst = l.split(' ')[0]!.replace(/\/32$/, ''); if (!seen.has(dst)) seen.set(dst, now); }
  });
  const waitFor = async (ip: string, timeoutMs = 10_000) => {
    const deadline = performance.now() + timeoutMs;
    while (!seen.has(ip) && performance.now() < deadline) await sleep(1);
    const t = seen.get(ip);
    if (t === undefined) throw new Error(`route for ${ip} never appeared`);
    return t;
  };
  return { waitFor, stop: () => mon.kill('SIGKILL') };
}

/**
 * UPDATEs from `from` arriving in namespace `ns` (segments whose first BGP message is type 2), by kernel
 * capture time on the wall clock (ms). A sample's UPDATE is the first one after its write.
 */
function updateMonitor(ns: string, from: string) {
  const arrivals: number[] = [];
  const filter = `tcp and src host ${from} and src port 179 and tcp[((tcp[12:1] & 0xf0) >> 2) + 18:1] = 2`;
  const cap = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'eth0', '-n', '-l', '-tt', '-q', filter], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  cap.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n'); buf = lines.pop()!;
    for (const l of lines) { const t = Number(l.split(' ')[0]); if (Number.isFinite(t)) arrivals.push(t * 1000); }
  });
  const firstAfter = async (wallMs: number) => {
    const deadline = performance.now() + 10_000;
    for (;;) {
      const t = arrivals.find((a) => a >= wallMs);
      if (t !== undefined) return t;
      if (performance.now() > deadline) throw new Error(`no UPDATE from ${from} after the write`);
      await sleep(1);
    }
  };
  return { firstAfter, stop: () => cap.kill('SIGKILL') };
}

const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Convergence in one mode: samples alternate between (a) this process claiming a new /32 block for node-a
 * through the IPAM library (the datastore write of a new block) and (b) a pod ADD through the CNI executable
 * on node-a; each timed until the route is in node-b's kernel.
 */
async function convergence(mode: 'vxlan' | 'bgp'): Promise<{ fromWrite: number[]; fromAdd: number[]; toUpdate: number[] }> {
  const c = new Cluster();
  try {
    c.addSubnet('a', '10.0.1.1/24');
    c.addNode('node-a', 'a', '10.0.1.11');
    c.addNode('node-b', 'a', '10.0.1.12');
    const others = Array.from({ length: NODES - 2 }, (_, i) => `node-${String.fromCharCode(99 + (i % 24))}${i >= 24 ? i : ''}`);
    others.forEach((n, i) => c.addNode(n, 'a', `10.0.1.${13 + i}`));
    const ds = await c.openDs();
    // /32 blocks: every claim is a new block and needs a new route on node-b (lifting the per-host cap needs strictAffinity).
    const ipam = createIpam(ds);
    await ipam.setConfig({ strictAffinity: true, maxBlocksPerHost: 4 * PODS + 10 });
    const env = { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: mode === 'vxlan' ? 'Always' : 'Never', CALICO_IPV4POOL_BLOCK_SIZE: '32',
      CALICO_NETWORKING_BACKEND: mode === 'vxlan' ? 'vxlan' : 'bird' };
    const names = ['node-a', 'node-b', ...others];
    for (const n of names) c.startAgent(n, env);
    for (const n of names) await c.waitReady(n, 120_000);
    const mon = routeMonitor(c.node('node-b').ns);
    const updates = mode === 'bgp' ? updateMonitor(c.node('node-b').ns, c.node('node-a').ip) : undefined;
    // Warm-up, not timed: one claim must reach node-b (BGP: the mesh's sessions are up).
    const warm = await ipam.autoAssign({ handleId: 'bench-warm-up', node: 'node-a', num4: 1 });
    await mon.waitFor(warm.ips[0]!.split('/')[0]!, 120_000);
    await sleep(500);
    const fromWrite: number[] = [], fromAdd: number[] = [], toUpdate: number[] = [];
    try {
      await interleave(PODS, [
        { name: 'block write', run: async (i) => {
          const wall0 = wallNow(), t0 = performance.now();
          const r = await ipam.autoAssign({ handleId: `bench-write-${i}`, node: 'node-a', num4: 1 });
          const ip = r.ips[0]!.split('/')[0]!;
          fromWrite.push((await mon.waitFor(ip)) - t0);
          if (updates) toUpdate.push((await updates.firstAfter(wall0)) - wall0);
        } },
        { name: 'CNI ADD', run: async (i) => {
          const t0 = performance.now();
          const pod = await c.addPod('node-a', `bench-${i}`);
          fromAdd.push((await mon.waitFor(pod.ip)) - t0);
        } },
      ]);
    } finally { mon.stop(); updates?.stop(); await ds.close(); }
    return { fromWrite, fromAdd, toUpdate };
  } finally { await c.cleanup(); }
}

function remoteSnapshot(n: number): Snapshot {
  const s = new Snapshot();
  const r = (kind: string, name: string, spec: unknown): Resource => ({ apiVersion: API_VERSION, kind, metadata: { name, resourceVersion: '1' }, spec });
  s.set(r('IPPool', 'big', { cidr: '10.64.0.0/10', blockSize: 26, vxlanMode: 'Always', ipipMode: 'Never' }));
  s.set(r('Node', 'local', { bgp: { ipv4Address: '10.0.1.11/24' }, ipv4VXLANTunnelAddr: '10.127.255.0' }));
  // Spread the blocks over 50 remote nodes (each with its VTEP), as a real cluster would.
  for (let k = 0; k < 50; k++) s.set(r('Node', `remote-${k}`, { bgp: { ipv4Address: `10.0.1.${100 + k}/24` }, ipv4VXLANTunnelAddr: `10.126.0.${k}` }));
  const base = (10 << 24) | (64 << 16);
  for (let i = 0; i < n; i++) {
    const cidr = `${formatIPv4(base + i * 64)}/26`;
    s.set(r('IPAMBlock', cidr.replace(/[./]/g, '-'), { cidr, affinity: `host:remote-${i % 50}` }));
  }
  return s;
}

/** 10k routes per round: Tabby's calculation + route reconciler into a fresh namespace vs `ip -batch` into another. */
async function programRoutes(): Promise<{ tabby: number[]; batch: number[]; calc: number[]; apply: number[]; noop: number[] }> {
  const fx = new NetnsFixture();
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-'));
  const out = { tabby: [] as number[], batch: [] as number[], calc: [] as number[], apply: [] as number[], noop: [] as number[] };
  try {
    let k = 0;
    const mk = () => {
      const ns = fx.add(`r${k}`); const peer = fx.add(`r${k++}p`);
      fx.link(ns, 'eth0', peer, 'eth0');
      fx.exec(ns, ['ip', 'addr', 'add', '10.0.1.11/24', 'dev', 'eth0']);
      return ns;
    };
    const snap = remoteSnapshot(ROUTES);
    const calcOnce = () => calculate(snap, { nodeName: 'local', parentIface: 'eth0', hostMtu: 1500, bgpEnabled: false });
    const desired0 = calcOnce();
    const lines = [...desired0.routes.values()].map((r) =>
      `route add ${r.type === 'blackhole' ? 'blackhole ' : ''}${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''} proto ${r.proto}${r.onlink ? ' onlink' : ''}${r.scope ? ` scope ${r.scope}` : ''}`);
    const file = join(dir, 'routes.batch');
    writeFileSync(file, lines.join('\n') + '\n');
    /** A namespace with the VXLAN device and its neighbours in place (both sides need them; not timed). */
    const prepared = async () => {
      const ns = mk();
      const kernel = new NetlinkKernel(fx.path(ns));
      const vx = new VxlanManager(kernel, log); vx.onUpdate(desired0); await vx.apply();
      return { ns, kernel };
    };
    const count = (ns: string) => Number(execFileSync('sh', ['-c', `ip -n ${ns} route show proto 80 | wc -l`], { encoding: 'utf8' }).trim());
    await interleave(ROUNDS, [
      { name: 'tabby', run: async () => {
        const { ns, kernel } = await prepared();
        const t0 = performance.now();
        const desired = calcOnce();
        const t1 = performance.now();
        const rt = new RouteTable(kernel, log);
        rt.onUpdate(desired);
        await rt.apply();
        const t2 = performance.now();
        out.tabby.push(t2 - t0); out.calc.push(t1 - t0); out.apply.push(t2 - t1);
        if (count(ns) < ROUTES) throw new Error(`only ${count(ns)} routes programmed`);
        const rt2 = new RouteTable(kernel, log); // a restarted agent: kernel already right → a dump, no writes
        rt2.onUpdate(desired);
        const t3 = performance.now();
        await rt2.apply();
        out.noop.push(performance.now() - t3);
        if (rt2.stats.routesProgrammed !== 0) throw new Error('restart rewrote routes');
        kernel.close();
      } },
      { name: 'ip -batch', run: async () => {
        const { ns, kernel } = await prepared();
        kernel.close();
        const t0 = performance.now();
        execFileSync('ip', ['-n', ns, '-batch', file]);
        out.batch.push(performance.now() - t0);
        if (count(ns) < ROUTES) throw new Error(`ip -batch programmed only ${count(ns)} routes`);
      } },
    ]);
    return out;
  } finally {
    fx.cleanupSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/agent.ts: ${skip}`); process.exit(2); }
  const r = await programRoutes();
  bench.figure({ name: `${ROUTES} remote block routes (VXLAN): calculation + kernel apply, fresh namespace`, unit: 'ms', tabby: r.tabby,
    anchor: { name: 'ip -batch of the same routes', samples: r.batch }, goal: { text: '≤ 1.0× ip -batch', met: (f) => f.ratio! <= 1 } });
  bench.figure({ name: `  of which calculation (snapshot → desired state)`, unit: 'ms', tabby: r.calc, anchor: null });
  bench.figure({ name: `  of which route reconciler (dump + writes)`, unit: 'ms', tabby: r.apply, anchor: null });
  bench.figure({ name: `restarted agent, no-op resync of ${ROUTES} routes (dump, 0 writes)`, unit: 'ms', tabby: r.noop, anchor: null });
  for (const mode of MODES) {
    const c = await convergence(mode);
    const goal = { text: 'p99 ≤ 100 ms', met: (f: { tabby: { p99?: number; max: number } }) => (f.tabby.p99 ?? f.tabby.max) <= 100 };
    bench.figure({ name: `convergence (${mode}): new block written to the datastore → route in the other node's kernel`, unit: 'ms', tabby: c.fromWrite, anchor: null, goal });
    bench.figure({ name: `convergence (${mode}): pod CNI ADD start → route in the other node's kernel`, unit: 'ms', tabby: c.fromAdd, anchor: null });
    if (c.toUpdate.length) bench.figure({ name: `BGP: new block written to the datastore → its UPDATE on the wire at a peer`, unit: 'ms', tabby: c.toUpdate, anchor: null,
      goal: { text: 'p99 ≤ 10 ms', met: (f: { tabby: { p99?: number; max: number } }) => (f.tabby.p99 ?? f.tabby.max) <= 10 } });
  }
  bench.note(`routes: ${ROUNDS} rounds alternated, fresh namespaces; convergence: ${PODS} samples of each kind per mode, alternated, /32 blocks (each claim a new route), ${NODES} nodes (BGP: full mesh)`);
  bench.finish();
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

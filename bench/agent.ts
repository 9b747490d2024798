// Node agent benchmarks. Needs root (network namespaces). Prints figures and ratios against anchors
// measured in the same run:
//   1. Convergence: a pod ADD (CNI executable) on node A until its route exists on node B, p50/p99 over N
//      pods. The pool uses /32 blocks so every pod needs a new route on B (the worst case of Calico's
//      per-block aggregation; with /26 blocks only every 64th pod would). Anchor: the ADD itself.
//   2. Programming 10,000 remote routes: the agent's calculation + route reconciler (netlink) into a
//      fresh namespace, the no-op resync of a restarted agent, and `ip -batch` of the same routes as the floor.
// Usage: node --import tsx bench/agent.ts [--pods 100] [--routes 10000]
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

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : dflt; };
const PODS = opt('pods', 100);
const ROUTES = opt('routes', 10_000);
const log = pino({ level: 'silent' });

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function convergence(): Promise<void> {
  const c = new Cluster();
  try {
    c.addSubnet('a', '10.0.1.1/24');
    c.addNode('node-a', 'a', '10.0.1.11');
    c.addNode('node-b', 'a', '10.0.1.12');
    const ds = await c.openDs();
    // /32 blocks: one block per pod, so lift the per-host block cap (it needs strictAffinity).
    await createIpam(ds).setConfig({ strictAffinity: true, maxBlocksPerHost: PODS + 10 });
    await ds.close();
    const env = { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'Always', CALICO_IPV4POOL_BLOCK_SIZE: '32' };
    c.startAgent('node-a', env); await c.waitReady('node-a');
    c.startAgent('node-b', env); await c.waitReady('node-b');

    // Watch node-b's routing table; remember when each destination first appears.
    const seen = new Map<string, number>();
    const mon = spawn('ip', ['netns', 'exec', c.node('node-b').ns, 'ip', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buf = '';
    mon.stdout.on('data', (d: Buffer) => {
      const now = performance.now();
      buf += d.toString();
      const lines = buf.split('\n'); buf = lines.pop()!;
      for (const l of lines) if (!l.startsWith('Deleted')) { const dst = l.split(' ')[0]!; if (!seen.has(dst)) seen.set(dst, now); }
    });
    // The same datastore, watched from here: when each pod's block became visible (the agent's input).
    const dsw = await c.openDs();
    const blockSeen = new Map<string, number>();
    const w = dsw.watch({ kinds: ['IPAMBlock'], fromRevision: await dsw.revision() }, (ev) => {
      const ip = String((ev.object.spec as { cidr?: string }).cidr ?? '').split('/')[0]!;
      if (ev.type !== 'deleted' && !blockSeen.has(ip)) blockSeen.set(ip, performance.now());
    }, () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const fromStart: number[] = [], fromDone: number[] = [], adds: number[] = [], fromBlock: number[] = [];
    let beforeReturn = 0;
    for (let i = 0; i < PODS; i++) {
      const t0 = performance.now();
      const pod = await c.addPod('node-a', `bench-${i}`);
      const t1 = performance.now();
      adds.push(t1 - t0);
      const deadline = t1 + 10_000;
      while (!seen.has(pod.ip) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      const t = seen.get(pod.ip);
      if (t === undefined) throw new Error(`route for ${pod.ip} never appeared on node-b`);
      fromStart.push(t - t0);
      fromDone.push(t - t1);
      if (t < t1) beforeReturn++;
      const b = blockSeen.get(pod.ip);
      if (b !== undefined) fromBlock.push(t - b);
    }
    mon.kill('SIGKILL');
    w.stop();
    await dsw.close();
    console.log(`\n1. Convergence over ${PODS} pods (pod ADD on node-a → its /32 route on node-b)`);
    console.log(`   from ADD start:     p50 ${ms(pct(fromStart, 50))}   p99 ${ms(pct(fromStart, 99))}`);
    console.log(`   relative to ADD returning: p50 ${ms(pct(fromDone, 50))}   p99 ${ms(pct(fromDone, 99))}   (negative: route was on node-b before ADD returned; ${beforeReturn}/${PODS} pods)`);
    if (fromBlock.length) console.log(`   block visible in the datastore → route on node-b: p50 ${ms(pct(fromBlock, 50))}   p99 ${ms(pct(fromBlock, 99))}   (n=${fromBlock.length}; node-b's watch + calc + netlink)`);
    console.log(`   anchor, the CNI ADD itself: p50 ${ms(pct(adds, 50))}   p99 ${ms(pct(adds, 99))}`);
    console.log(`   ratio (convergence p50 / ADD p50): ${(pct(fromStart, 50) / pct(adds, 50)).toFixed(2)}`);
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

async function programRoutes(): Promise<void> {
  const fx = new NetnsFixture();
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-'));
  try {
    const mk = (suffix: string) => {
      const ns = fx.add(suffix); const peer = fx.add(`${suffix}p`);
      fx.link(ns, 'eth0', peer, 'eth0');
      fx.exec(ns, ['ip', 'addr', 'add', '10.0.1.11/24', 'dev', 'eth0']);
      return ns;
    };
    const snap = remoteSnapshot(ROUTES);
    const tc0 = performance.now();
    const desired = calculate(snap, { nodeName: 'local', parentIface: 'eth0', hostMtu: 1500, bgpEnabled: false });
    const calcMs = performance.now() - tc0;
    const lines = [...desired.routes.values()].map((r) =>
      `route add ${r.type === 'blackhole' ? 'blackhole ' : ''}${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''} proto ${r.proto}${r.onlink ? ' onlink' : ''}${r.scope ? ` scope ${r.scope}` : ''}`);
    const file = join(dir, 'routes.batch');
    writeFileSync(file, lines.join('\n') + '\n');

    // Alternate agent and floor runs in fresh namespaces so machine noise hits both alike; report medians.
    const agentRuns: number[] = [], netlinkRuns: number[] = [], floorRuns: number[] = [], noopRuns: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const mode of ['bulk', 'netlink'] as const) {
        const ns = mk(`a${round}${mode[0]}`);
        const kernel = new NetlinkKernel(fx.path(ns));
        const vx = new VxlanManager(kernel, log); vx.onUpdate(desired); await vx.apply();
        const rt = new RouteTable(kernel, log, mode === 'netlink' ? { bulkThreshold: Infinity } : {});
        rt.onUpdate(desired);
        const t0 = performance.now();
        await rt.apply();
        (mode === 'bulk' ? agentRuns : netlinkRuns).push(performance.now() - t0);
        const count = Number(execFileSync('sh', ['-c', `ip -n ${ns} route show proto 80 | wc -l`], { encoding: 'utf8' }).trim());
        if (count < ROUTES) throw new Error(`only ${count} routes programmed`);
        if (mode === 'bulk') {
          // A restarted agent: fresh reconciler, kernel already right → one dump, zero writes.
          const rt2 = new RouteTable(kernel, log);
          rt2.onUpdate(desired);
          const t2 = performance.now();
          await rt2.apply();
          noopRuns.push(performance.now() - t2);
          if (rt2.stats.routesProgrammed !== 0) throw new Error('restart rewrote routes');
        }
        kernel.close();
      }
      const nsF = mk(`f${round}`);
      const kf = new NetlinkKernel(fx.path(nsF));
      const vxf = new VxlanManager(kf, log); vxf.onUpdate(desired); await vxf.apply();
      kf.close();
      const tf = performance.now();
      execFileSync('ip', ['-n', nsF, '-batch', file]);
      floorRuns.push(performance.now() - tf);
    }
    const med = (xs: number[]) => pct(xs, 50);
    console.log(`\n2. Programming ${ROUTES} remote block routes (VXLAN, 50 remote VTEPs), medians of 3 fresh namespaces`);
    console.log(`   calculation (snapshot → desired):                    ${ms(calcMs)}`);
    console.log(`   route reconciler (kernel dump + ip -batch bulk path): ${ms(med(agentRuns))}`);
    console.log(`   route reconciler forced through netlink, 64 in flight: ${ms(med(netlinkRuns))}`);
    console.log(`   restarted agent, no-op resync (dump, 0 writes):      ${ms(med(noopRuns))}`);
    console.log(`   floor, ip -batch of the same routes:                 ${ms(med(floorRuns))}`);
    console.log(`   ratio reconciler / floor: ${(med(agentRuns) / med(floorRuns)).toFixed(2)}   netlink / floor: ${(med(netlinkRuns) / med(floorRuns)).toFixed(2)}   (calc + reconciler) / floor: ${((calcMs + med(agentRuns)) / med(floorRuns)).toFixed(2)}`);
  } finally {
    fx.cleanupSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/agent.ts: ${skip}`); process.exit(2); }
  console.log(`bench/agent.ts — node agent (pods=${PODS}, routes=${ROUTES})`);
  await programRoutes();
  await convergence();
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

// Scale benchmark: one lab per size (10, 20 and 50 nodes; --sizes), no encapsulation, etcd datastore, one pod
// per node, first with the full node-to-node mesh, then live-switched to 2 route reflectors.
//
// What is measured, per size:
//   - convergence: from the start of the last node agent (its /proc start time) until every node's kernel
//     holds a route to every other node's block (`ip -ts monitor route` in every node: the first time each
//     route appears). Pods are created right after `lab up` returns, so this includes their CNI ADDs;
//   - a new pod's block on every other node: a pod taking a fresh block (an extra pool, `scale-sample`,
//     through the ipv4pools annotation) — from `tabby lab run` being started (CLI start and CNI ADD
//     included), and from the block's first route on any node (its node's blackhole, or a peer that was
//     quicker than the node's own agent), until all N−1 others route it.
//     Done with the mesh and again with the reflectors;
//   - the mesh → 2 route reflectors switch (`tabby lab route-reflectors 2`), with pings every 50 ms between
//     sampled pod pairs through it: echoes lost;
//   - per node, in each topology after an idle window: Established BGP sessions, agent VmRSS, agent CPU;
//   - etcd (its /metrics): watchers, gRPC requests/s and bytes/s over the idle window, and requests/s during
//     bring-up (from `lab up` to convergence).
// No anchor (no Calico here). Every lab is taken down, also on failure or SIGINT/SIGTERM.
//   node --import tsx bench/scale.ts [--quick] [--sizes 10,20,50] [--samples K] [--idle S]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { Bench, benchOptions, memoryKiB, numberFlag, processCpuMs, ROOT, sleep, stringFlag } from './harness.ts';
import { etcdMetrics, type EtcdSample } from './scale-etcd.ts';
import { scaleSvg, type SizeRow } from './scale-plot.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('scale', opts);
const SIZES = stringFlag(opts.args, 'sizes', opts.quick ? '5,10' : '10,20,50').split(',').map(Number);
const SAMPLES = numberFlag(opts.args, 'samples', opts.quick ? 3 : 5);
const IDLE_S = numberFlag(opts.args, 'idle', opts.quick ? 5 : 20);
const REFLECTORS = 2;
const TABBY = join(ROOT, 'bin', 'tabby');
const SAMPLE_POOL = { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'scale-sample' },
  spec: { cidr: '10.99.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: false, nodeSelector: 'all()' } };

function tabby(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(TABBY, args, { encoding: 'utf8', input, timeout: 900_000, maxBuffer: 64 << 20, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '120000' } });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}
function must(args: string[], input?: string): string {
  const r = tabby(args, input);
  if (r.status !== 0) throw new Error(`tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.out}`);
  return r.out;
}

let currentLab: string | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { if (currentLab) spawnSync(TABBY, ['lab', 'down', '--name', currentLab], { stdio: 'ignore' }); process.exit(130); });
}

interface LabNode { name: string; ns: string; ip: string; pid: number }

function labNodes(name: string): LabNode[] {
  const state = JSON.parse(readFileSync(`/run/tabby-lab/${name}/state.json`, 'utf8'));
  let sup: { agents?: Record<string, { pid: number }> } = {};
  try { sup = JSON.parse(readFileSync(`/run/tabby-lab/${name}/supervisor.json`, 'utf8')); } catch { /* none */ }
  return state.nodes.map((n: LabNode) => ({ name: n.name, ns: n.ns, ip: n.ip, pid: sup.agents?.[n.name]?.pid || n.pid }));
}

/** Wall-clock start of a process (ms since the epoch), from /proc/PID/stat and the boot time. */
function processStartMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  return btime * 1000 + (ticks * 1000) / 100;
}

/** `ip -ts monitor route` in every node: the first time each destination appeared there (ms since the epoch). */
class RouteMonitors {
  readonly seen = new Map<string, Map<string, number>>();
  private readonly procs: ChildProcess[] = [];
  constructor(nodes: LabNode[]) {
    for (const n of nodes) {
      const m = new Map<string, number>();
      this.seen.set(n.name, m);
      const p = spawn('ip', ['-n', n.ns, '-ts', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let buf = '';
      p.stdout!.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const r = /^\[(\S+)\] (?:blackhole )?(\d+\.\d+\.\d+\.\d+\/\d+) /.exec(l);
          if (r && !m.has(r[2]!)) m.set(r[2]!, new Date(r[1]!.slice(0, 23)).getTime());
        }
      });
      this.procs.push(p);
    }
  }
  /** When `dst` was on every node but `except`, or undefined while it is missing somewhere. */
  everywhere(dst: string, except: string): number | undefined {
    let last = 0;
    for (const [node, m] of this.seen) {
      if (node === except) continue;
      const t = m.get(dst);
      if (t === undefined) return undefined;
      last = Math.max(last, t);
    }
    return last;
  }
  /** The nodes (but `except`) where `dst` has not appeared. */
  missing(dst: string, except: string): string[] {
    return [...this.seen].filter(([node, m]) => node !== except && !m.has(dst)).map(([node]) => node);
  }
  /** When `dst` first appeared on any node (its own node's blackhole, or an early peer). */
  first(dst: string): number | undefined {
    const ts = [...this.seen.values()].map((m) => m.get(dst)).filter((t): t is number => t !== undefined);
    return ts.length ? Math.min(...ts) : undefined;
  }
  stop(): void { for (const p of this.procs) p.kill('SIGTERM'); }
}

const block26 = (ip: string) => { const o = ip.split('.').map(Number); return `${o[0]}.${o[1]}.${o[2]}.${o[3]! & 0xc0}/26`; };

function podsWide(name: string): { name: string; ip: string; node: string }[] {
  return must(['lab', 'pods', '--name', name, '-o', 'wide']).trim().split('\n').slice(1)
    .map((l) => l.split(/\s+/)).map((r) => ({ name: r[0]!, ip: r[5]!, node: r[6]! }));
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, explain: () => string = () => ''): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${explain()}`);
    await sleep(50);
  }
}

/** Where a route is missing: the monitors' view, and the kernel and BGP status of a few of those nodes. */
function explainMissing(name: string, mon: RouteMonitors, dst: string, owner: string): string {
  const missing = mon.missing(dst, owner);
  const out = [`missing on ${missing.length} node(s): ${missing.join(' ')}`];
  for (const node of missing.slice(0, 3)) {
    const routes = tabby(['lab', 'exec-node', node, '--name', name, '--', 'ip', 'route', 'show', dst]).out.trim();
    const status = tabby(['lab', 'exec-node', node, '--name', name, '--', 'tabby', 'node', 'status']).out.split('\n').filter((l) => /\|/.test(l)).length;
    out.push(`${node}: kernel ${JSON.stringify(routes)}; ${status - 2} BGP status row(s)`);
  }
  return out.join('\n');
}

/** Kill every agent, flush what they and BGP wrote, let the supervisor restart them; time to full routes again. */
async function clusterRestart(name: string, nodes: LabNode[], blocks: { blk: string; node: string }[]): Promise<{ restartS: number; nodes: LabNode[] }> {
  const mon = new RouteMonitors(nodes);
  try {
    await sleep(1000); // every monitor listening
    // The lab's supervisor is paused while the nodes "reboot", so that no agent restarts before its kernel is flushed.
    const supervisor = (JSON.parse(readFileSync(`/run/tabby-lab/${name}/supervisor.json`, 'utf8')) as { pid: number }).pid;
    process.kill(supervisor, 'SIGSTOP');
    let flushed: number;
    try {
      for (const n of nodes) process.kill(n.pid, 'SIGKILL');
      await Promise.all(nodes.map((n) => new Promise<void>((resolve) => {
        const p = spawn('ip', ['-force', '-n', n.ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
        p.on('close', () => resolve());
        p.stdin!.end('route flush proto bird\nroute flush proto 80\n');
      })));
      flushed = Date.now();
    } finally { process.kill(supervisor, 'SIGCONT'); }
    const old = new Set(nodes.map((n) => n.pid));
    const after = await waitFor('every agent restarted by the supervisor', () => {
      const now = labNodes(name);
      return now.every((n) => n.pid > 0 && !old.has(n.pid)) ? now : undefined;
    }, 120_000);
    const starts = after.map((n) => processStartMs(n.pid));
    // /proc start times have 10 ms resolution: an agent started before the flush ended would find routes left.
    if (Math.min(...starts) < flushed - 10) throw new Error('an agent restarted before every node\'s routes were flushed');
    const lastStart = Math.max(...starts);
    const converged = await waitFor('after the restart, every node routes every other block', () => {
      const ts = blocks.map((b) => mon.everywhere(b.blk, b.node));
      return ts.every((t) => t !== undefined) ? Math.max(...(ts as number[])) : undefined;
    }, 300_000, () => blocks.map((b) => `${b.blk}: ${explainMissing(name, mon, b.blk, b.node)}`).slice(0, 3).join('\n'));
    return { restartS: (converged - lastStart) / 1000, nodes: after };
  } finally { mon.stop(); }
}

/** A pod in a fresh block: seconds from `lab run`, and from the block's first route on any node, to the route on every other node. */
async function newPodSamples(name: string, mon: RouteMonitors, tag: string): Promise<{ fromRun: number[]; fromBlock: number[] }> {
  const fromRun: number[] = [], fromBlock: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const app = `${tag}${i}`;
    const t0 = Date.now();
    must(['lab', 'run', app, '--name', name, '--replicas', '1', '--annotation', 'cni.projectcalico.org/ipv4pools=["scale-sample"]']);
    const pod = podsWide(name).find((p) => p.name.startsWith(`${app}-`))!;
    const blk = block26(pod.ip);
    const done = await waitFor(`${blk} (pod ${pod.name} on ${pod.node}) routed on every node`, () => mon.everywhere(blk, pod.node), 60_000,
      () => explainMissing(name, mon, blk, pod.node));
    const own = mon.first(blk) ?? t0;
    fromRun.push((done - t0) / 1000);
    fromBlock.push((done - own) / 1000);
  }
  return { fromRun, fromBlock };
}

interface Idle { sessions: number[]; rssMiB: number[]; cpuPct: number[]; etcd: EtcdSample; etcdRate: { reqPerS: number; bytesPerS: number } }

/** An idle window: per-node sessions, RSS, CPU; etcd's watchers and request/byte rates over it. */
async function idleWindow(name: string, nodes: LabNode[]): Promise<Idle> {
  const cpu0 = nodes.map((n) => processCpuMs(n.pid));
  const e0 = etcdMetrics(nodes[0]!.ns);
  const w0 = performance.now();
  await sleep(IDLE_S * 1000);
  const wallMs = performance.now() - w0;
  const e1 = etcdMetrics(nodes[0]!.ns);
  const cpuPct = nodes.map((n, i) => ((processCpuMs(n.pid) - cpu0[i]!) / wallMs) * 100);
  const rssMiB = nodes.map((n) => memoryKiB(n.pid).rss / 1024);
  const sessions = nodes.map((n) => {
    const s = JSON.parse(must(['lab', 'exec-node', n.name, '--name', name, '--', 'tabby', 'node', 'status', '-o', 'json']));
    return s.peers.filter((p: { state: string }) => p.state === 'Established').length;
  });
  const sec = wallMs / 1000;
  return { sessions, rssMiB, cpuPct, etcd: e1, etcdRate: { reqPerS: (e1.requests - e0.requests) / sec, bytesPerS: (e1.bytes - e0.bytes) / sec } };
}

/** Pings every 50 ms between sampled pod pairs while `during` runs; echoes lost per pair. */
async function pingsThrough(name: string, pods: { name: string; ip: string }[], during: () => Promise<void>): Promise<number[]> {
  const pairs = Array.from({ length: Math.min(10, pods.length - 1) }, (_, i) => [pods[i]!, pods[pods.length - 1 - i]!] as const);
  const runs = pairs.map(([a, b]) => {
    const p = spawn('ip', ['netns', 'exec', `${name}-${a.name}`, 'ping', '-n', '-q', '-i', '0.05', '-W', '1', b.ip], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    return { p, done: new Promise<string>((r) => p.on('close', () => r(out))) };
  });
  await sleep(1000);
  try { await during(); } finally {
    await sleep(2000);
    for (const r of runs) r.p.kill('SIGINT');
  }
  return (await Promise.all(runs.map((r) => r.done))).map((out) => {
    const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
    return m ? Number(m[1]) - Number(m[2]) : NaN;
  });
}

interface SizeResult { n: number; upS: number; runS: number; bgpS: number; convergeS: number; restartS: number; bringUpReqPerS: number; mesh: Idle; rr: Idle; switchS: number; lost: number[];
  meshNew: { fromRun: number[]; fromBlock: number[] }; rrNew: { fromRun: number[]; fromBlock: number[] } }

async function oneSize(n: number): Promise<SizeResult> {
  const name = `tbsc${process.pid % 1000}n${n}`;
  currentLab = name;
  let mon: RouteMonitors | undefined;
  try {
    const t0 = Date.now();
    must(['lab', 'up', '--name', name, '--nodes', String(n), '--mode', 'none', '--datastore', 'etcdv3']);
    const upS = (Date.now() - t0) / 1000;
    let nodes = labNodes(name);
    mon = new RouteMonitors(nodes);
    const lastStart = Math.max(...nodes.map((x) => processStartMs(x.pid)));
    const e0 = etcdMetrics(nodes[0]!.ns);
    const r0 = Date.now();
    must(['lab', 'run', 'web', '--name', name, '--replicas', String(n)]);
    const runS = (Date.now() - r0) / 1000;
    const pods = podsWide(name);
    const blocks = pods.map((p) => ({ blk: block26(p.ip), node: p.node }));
    const converged = await waitFor('every node routes every other block', () => {
      const ts = blocks.map((b) => mon!.everywhere(b.blk, b.node));
      return ts.every((t) => t !== undefined) ? Math.max(...(ts as number[])) : undefined;
    }, 300_000, () => blocks.map((b) => `${b.blk}: ${explainMissing(name, mon!, b.blk, b.node)}`).slice(0, 3).join('\n'));
    const convergeS = (converged - lastStart) / 1000;
    // The BGP part: from the last block's first route anywhere (its pod's ADD done) to the last node routing everything.
    const bgpS = (converged - Math.max(...blocks.map((b) => mon!.first(b.blk)!))) / 1000;
    const bringUpReqPerS = (etcdMetrics(nodes[0]!.ns).requests - e0.requests) / ((Date.now() - t0) / 1000);
    const restart = await clusterRestart(name, nodes, blocks);
    nodes = restart.nodes;
    must(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'apply', '-f', '-'], JSON.stringify(SAMPLE_POOL));
    const meshNew = await newPodSamples(name, mon, 'm');
    const mesh = await idleWindow(name, nodes);
    let switchS = 0;
    const lost = await pingsThrough(name, pods, async () => {
      const s0 = Date.now();
      must(['lab', 'route-reflectors', String(REFLECTORS), '--name', name, '--timeout', '300']);
      switchS = (Date.now() - s0) / 1000;
    });
    const rrNew = await newPodSamples(name, mon, 'r');
    const rr = await idleWindow(name, nodes);
    return { n, upS, runS, bgpS, convergeS, restartS: restart.restartS, bringUpReqPerS, mesh, rr, switchS, lost, meshNew, rrNew };
  } finally {
    mon?.stop();
    spawnSync(TABBY, ['lab', 'down', '--name', name], { stdio: 'ignore' });
    currentLab = undefined;
  }
}

function report(r: SizeResult): void {
  const n = r.n;
  bench.figure({ name: `${n} nodes, mesh, whole cluster restarted with its pods: last agent start → every node routes every other node's block`, unit: 's', tabby: [r.restartS], anchor: null,
    goal: n >= 50 ? { text: '≤ 10 s', met: (f) => f.tabby.median <= 10 } : undefined });
  bench.figure({ name: `${n} nodes, mesh, new cluster: last agent start → every node routes every other node's block (creating the ${n} pods included)`, unit: 's', tabby: [r.convergeS], anchor: null });
  bench.figure({ name: `${n} nodes: \`tabby lab up\` (etcd, mode none)`, unit: 's', tabby: [r.upS], anchor: null });
  bench.figure({ name: `${n} nodes: \`tabby lab run\` of ${n} pods (one per node)`, unit: 's', tabby: [r.runS], anchor: null });
  bench.figure({ name: `${n} nodes, mesh: the BGP part — last block's first route anywhere → every node routes every block`, unit: 's', tabby: [r.bgpS], anchor: null });
  bench.figure({ name: `${n} nodes, mesh: new pod's block on all ${n - 1} other nodes, from the block's first route on any node`, unit: 's', tabby: r.meshNew.fromBlock, anchor: null,
    goal: n >= 50 ? { text: '≤ 1 s', met: (f) => f.tabby.median <= 1 } : undefined });
  bench.figure({ name: `${n} nodes, mesh: same, from \`tabby lab run\` started (CLI + CNI ADD included)`, unit: 's', tabby: r.meshNew.fromRun, anchor: null });
  bench.figure({ name: `${n} nodes, ${REFLECTORS} RRs: new pod's block on all ${n - 1} other nodes, from the block's first route on any node`, unit: 's', tabby: r.rrNew.fromBlock, anchor: null,
    goal: n >= 50 ? { text: '≤ 1 s', met: (f) => f.tabby.median <= 1 } : undefined });
  bench.figure({ name: `${n} nodes, ${REFLECTORS} RRs: same, from \`tabby lab run\` started`, unit: 's', tabby: r.rrNew.fromRun, anchor: null });
  bench.figure({ name: `${n} nodes: live switch mesh → ${REFLECTORS} route reflectors`, unit: 's', tabby: [r.switchS], anchor: null });
  bench.figure({ name: `${n} nodes: echoes lost through the switch (pings every 50 ms, per sampled pair)`, unit: 'packets', tabby: r.lost, anchor: null,
    goal: { text: '0', met: (f) => f.tabby.max === 0 } });
  for (const [topo, idle] of [['mesh', r.mesh], [`${REFLECTORS} RRs`, r.rr]] as const) {
    bench.figure({ name: `${n} nodes, ${topo}: BGP sessions per node`, unit: 'sessions', tabby: idle.sessions, anchor: null });
    bench.figure({ name: `${n} nodes, ${topo}: agent VmRSS per node`, unit: 'MiB', tabby: idle.rssMiB, anchor: null });
    bench.figure({ name: `${n} nodes, ${topo}: agent CPU per node, idle (${IDLE_S} s)`, unit: '% of a core', tabby: idle.cpuPct, anchor: null });
    bench.figure({ name: `${n} nodes, ${topo}: etcd watchers`, unit: 'watchers', tabby: [idle.etcd.watchers], anchor: null });
    bench.figure({ name: `${n} nodes, ${topo}: etcd gRPC requests/s, idle`, unit: 'req/s', tabby: [idle.etcdRate.reqPerS], anchor: null });
    bench.figure({ name: `${n} nodes, ${topo}: etcd gRPC bytes/s, idle`, unit: 'B/s', tabby: [idle.etcdRate.bytesPerS], anchor: null });
  }
  bench.figure({ name: `${n} nodes: etcd gRPC requests/s during bring-up (lab up → converged)`, unit: 'req/s', tabby: [r.bringUpReqPerS], anchor: null });
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/scale: ${skip}`); process.exit(2); }
  const rows: SizeRow[] = [];
  const failed: number[] = [];
  for (const n of SIZES) {
    let r: SizeResult;
    try { r = await oneSize(n); } catch (e) {
      // The sizes done are still written; the failure is a note in the results and the exit code.
      console.error(`${n} nodes: FAILED: ${(e as Error).message}`);
      bench.note(`${n} nodes: FAILED — ${(e as Error).message.split('\n').slice(0, 4).join(' / ')}`);
      failed.push(n);
      continue;
    }
    console.log(`${n} nodes: up ${r.upS.toFixed(1)} s, run ${r.runS.toFixed(1)} s, converged ${r.convergeS.toFixed(1)} s after the last agent started (BGP part ${r.bgpS.toFixed(1)} s), after a whole-cluster restart ${r.restartS.toFixed(1)} s, switch ${r.switchS.toFixed(1)} s, lost ${r.lost.join('/')}`);
    report(r);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    rows.push({ nodes: n, sessionsMesh: med(r.mesh.sessions), sessionsRr: med(r.rr.sessions), rssMiB: med(r.mesh.rssMiB), cpuPct: med(r.mesh.cpuPct),
      watchers: r.mesh.etcd.watchers, reqPerS: r.mesh.etcdRate.reqPerS, bringUpReqPerS: r.bringUpReqPerS, convergeS: r.convergeS });
  }
  mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'images', opts.quick ? 'scale-quick.svg' : 'scale.svg'), scaleSvg(rows));
  bench.note(`sizes ${SIZES.join(', ')}; one lab each (mode none, etcd, one pod per node), mesh then ${REFLECTORS} route reflectors; ${SAMPLES} new-pod samples per topology; idle windows of ${IDLE_S} s`);
  bench.note('cold-start convergence is measured with the mesh only: the reflectors are switched to on the running lab');
  bench.finish();
  if (failed.length > 0) throw new Error(`failed at ${failed.join(', ')} nodes`);
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

// Profiles behind the goals docs/benchmarks.md marks NOT met (issue 16): where a served CNI ADD's time goes,
// and what an idle node process holds. Not a benchmark (no anchor, no verdict): it prints a breakdown.
// Needs root (network namespaces) and a build (dist/). One node, the agent as `tabby node run` in its
// namespace (embedded datastore), started with --cpu-prof and debug logs.
// 1. N pods: ADD then DEL through the installed entry (dist/tabby-cni-fast if built, else Node's bundle),
//    each timed whole as a runtime sees it; the agent's own account of each request ('served CNI request'
//    ms and the ADD phases from its debug log) says how much of that wall time is the agent's work and how
//    much the client's (process start, connect, reply). The agent's CPU profile, by self time, says which
//    code the agent's time goes to.
// 2. After the pods are gone, IDLE seconds of nothing: the process's RSS split into anonymous (heap, JIT code,
//    buffers) and file-backed (the node binary and libraries, shared with every other node process), V8's
//    heap figures from /metrics, and the CPU ticks the idle process used.
//   node --import tsx bench/profile.ts [--pods N] [--idle S]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, sleep, TABBY_BUNDLE } from '../test/agent/cluster.ts';
import { CNI_BUNDLE, ROOT } from '../test/cni/harness.ts';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { benchOptions, median, numberFlag, percentile } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const PODS = numberFlag(opts.args, 'pods', 50);
const IDLE_S = numberFlag(opts.args, 'idle', 30);
const FAST = join(ROOT, 'dist', 'tabby-cni-fast');

interface CpuNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: CpuNode[]; samples: number[]; timeDeltas: number[] }

/** One CNI call through the entry a runtime would run; resolves with its wall time in ms. */
function cniCall(c: Cluster, node: string, command: 'ADD' | 'DEL', podNs: string, containerId: string, name: string): Promise<number> {
  const n = c.node(node);
  const conf = {
    // Debug: the plugin logs its ADD phases (one short line each, appended to cni.log) — a small cost, said in the output.
    cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', log_level: 'debug', log_file_path: join(c.dir, node, 'cni.log'),
    datastore_type: 'kubernetes', datastore_path: c.dsPath, state_dir: n.stateDir, nodename: node, mtu: 0,
    ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' },
  };
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', CNI_COMMAND: command, CNI_PATH: '/usr/lib/cni', CNI_CONTAINERID: containerId,
    CNI_NETNS: c.fx.path(podNs), CNI_IFNAME: 'eth0', CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=x`,
  };
  const entry = existsSync(FAST) ? [FAST] : [process.execPath, CNI_BUNDLE];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('nsenter', [`--net=${c.fx.path(n.ns)}`, '--', ...entry], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${command} ${name}: exit ${code} ${out}`))));
    child.stdin.end(JSON.stringify(conf));
  });
}

/** The agent's debug log lines about served requests and ADD phases. */
function agentAccount(log: string): { served: Record<string, number[]>; phases: Map<string, number[]>; steps: Map<string, number[]> } {
  const served: Record<string, number[]> = { ADD: [], DEL: [] };
  const phases = new Map<string, number[]>(), steps = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number) => { const a = m.get(k) ?? []; a.push(v); m.set(k, a); };
  for (const line of log.split('\n')) {
    let e: Record<string, unknown>;
    try { e = JSON.parse(line); } catch { continue; }
    if (e.msg === 'served CNI request' && typeof e.ms === 'number') served[String(e.command)]?.push(e.ms);
    if (e.msg === 'ADD phase done' && typeof e.ms === 'number') push(phases, String(e.phase), e.ms);
    if (e.msg === 'dataplane steps' && e.ms && typeof e.ms === 'object') for (const [k, v] of Object.entries(e.ms)) if (typeof v === 'number') push(steps, k, v);
  }
  return { served, phases, steps };
}

/** Self time per function (and per source: node internals, a dependency, our bundle), top entries. */
function summarise(p: CpuProfile, top = 15): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>(), bySource = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(ROOT + '/', '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    const src = !f.url ? (f.functionName.startsWith('(') ? f.functionName : 'native') : f.url.startsWith('node:') ? 'node internals'
      : /node_modules\/([^/]+)/.exec(f.url)?.[1] ?? (f.url.includes('/dist/') ? 'tabby bundle' : f.url);
    bySource.set(src, (bySource.get(src) ?? 0) + dt);
  });
  const lines = [`profile: ${total.toFixed(0)} ms sampled`, 'by source (self time):'];
  for (const [k, v] of [...bySource].sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`  ${(100 * v / total).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(6)} ms  ${k}`);
  lines.push('top functions (self time):');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${(100 * v / total).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(6)} ms  ${k}`);
  return lines;
}

/** `tabby node run` as Cluster.startAgent starts it, with --cpu-prof (Node refuses it in NODE_OPTIONS). */
function startProfiledAgent(c: Cluster, name: string, profDir: string): ChildProcess {
  const n = c.node(name);
  const log = openSync(n.logFile, 'a');
  const child = c.fx.spawn(n.ns, [process.execPath, '--cpu-prof', `--cpu-prof-dir=${profDir}`, TABBY_BUNDLE, 'node', 'run',
    '--node-name', name, '--state-dir', n.stateDir, '--datastore-path', c.dsPath, '--resync-interval', '5'], {
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH, TABBY_LOG_LEVEL: 'debug', CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV4POOL_CIDR: '10.244.0.0/16' },
  });
  n.agent = child;
  return child;
}

function kib(text: string, field: string): number { return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN); }
function ticks(pid: number): number { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); }
const fmt = (xs: number[]) => (xs.length ? `p50 ${median(xs).toFixed(1)}, p90 ${percentile(xs, 90).toFixed(1)} (n=${xs.length})` : 'none');

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/profile.ts: ${skip}`); process.exit(2); }
  const c = new Cluster();
  const profDir = join(c.dir, 'cpu-prof');
  try {
    c.addSubnet('a', '10.0.1.1/24');
    c.addNode('node-a', 'a', '10.0.1.11');
    const agent = startProfiledAgent(c, 'node-a', profDir);
    await c.waitReady('node-a');
    await sleep(1000);
    const wall: Record<'ADD' | 'DEL', number[]> = { ADD: [], DEL: [] };
    const pods: Array<{ ns: string; id: string; name: string }> = [];
    for (let i = 0; i < PODS; i++) {
      const ns = c.fx.add(`p${i}`), id = `profile${String(i).padStart(10, '0')}`, name = `profile-${i}`;
      pods.push({ ns, id, name });
      wall.ADD.push(await cniCall(c, 'node-a', 'ADD', ns, id, name));
    }
    for (const p of pods) wall.DEL.push(await cniCall(c, 'node-a', 'DEL', p.ns, p.id, p.name));
    let cniLog = '';
    try { cniLog = readFileSync(join(c.dir, 'node-a', 'cni.log'), 'utf8'); } catch { /* none written */ }
    const acct = agentAccount(`${c.agentLog('node-a')}\n${cniLog}`);
    const out: string[] = [`entry: ${existsSync(FAST) ? 'dist/tabby-cni-fast (compiled)' : 'Node bundle'}; ${PODS} pods, ADD then DEL, one at a time; plugin and agent at log level debug`];
    for (const cmd of ['ADD', 'DEL'] as const) {
      const served = acct.served[cmd]!;
      out.push(`${cmd}: whole executable ${fmt(wall[cmd])} ms; the agent's work ${fmt(served)} ms; the rest (client start, connect, reply) p50 ${(median(wall[cmd]) - median(served)).toFixed(1)} ms`);
    }
    out.push('ADD phases inside the agent (cumulative ms from the request):');
    for (const [k, v] of acct.phases) out.push(`  ${k.padEnd(16)} ${fmt(v)}`);
    out.push('dataplane steps (ms each):');
    for (const [k, v] of acct.steps) out.push(`  ${k.padEnd(16)} ${fmt(v)}`);

    // Idle: nothing happens for IDLE_S seconds.
    const pid = agent.pid!;
    await sleep(5000);
    const t0 = ticks(pid), w0 = performance.now();
    await sleep(IDLE_S * 1000);
    const cpu = ((ticks(pid) - t0) * 10) / (performance.now() - w0) * 100;
    const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = kib(roll, 'Rss'), anon = kib(roll, 'Anonymous'), pss = kib(roll, 'Pss');
    const metrics = c.exec(c.node('node-a').ns, ['curl', '-sf', 'http://127.0.0.1:9091/metrics']);
    const metric = (name: string) => Number(new RegExp(`^tabby_agent_${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN) / 1048576;
    out.push(`idle ${IDLE_S} s: CPU ${cpu.toFixed(2)}% of a core (10 ms ticks); RSS ${(rss / 1024).toFixed(1)} MiB = anonymous ${(anon / 1024).toFixed(1)} + file-backed ${((rss - anon) / 1024).toFixed(1)}; PSS ${(pss / 1024).toFixed(1)} MiB`);
    out.push(`  V8 heap used ${metric('nodejs_heap_size_used_bytes').toFixed(1)} MiB of ${metric('nodejs_heap_size_total_bytes').toFixed(1)} MiB; external ${metric('nodejs_external_memory_bytes').toFixed(1)} MiB`);
    const byLib = new Map<string, number>();
    let cur = '';
    for (const l of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
      if (head) { cur = head[1] || '[anon]'; continue; }
      const r = /^Rss:\s+(\d+) kB/.exec(l);
      if (r) byLib.set(cur, (byLib.get(cur) ?? 0) + Number(r[1]));
    }
    out.push('  RSS by mapping (largest):');
    for (const [k, v] of [...byLib].sort((a, b) => b[1] - a[1]).slice(0, 8)) out.push(`    ${(v / 1024).toFixed(1).padStart(6)} MiB  ${k}`);

    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
    const prof = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    if (prof.length) out.push(...summarise(JSON.parse(readFileSync(join(profDir, prof[0]!), 'utf8')) as CpuProfile));
    else out.push('no CPU profile was written');
    console.log(out.join('\n'));
  } finally { await c.cleanup(); }
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

// CNI plugin benchmark: a pod's ADD and DEL as a container runtime sees them.
//
// What is timed: the whole plugin executable, from the fork of the process a runtime would exec (the file
// `tabby cni install` puts in the CNI bin dir, or /usr/lib/cni/ptp) to its exit — Node's start-up, module
// loading, IPAM, netlink, everything. A tiny python wrapper inside the host namespace forks and waits for the
// executable and reports that wall time, so the wrapper's own start-up is counted for nobody.
// Targets, each with its own "host" namespace and state so they cannot disturb each other:
//   - tabby-cni served by the node agent (`tabby node run` in that host namespace, the deployed case), through
//     the executable `tabby cni install` installs (the compiled entry when Bun built it, docs/cni.md) and,
//     as a secondary line, through the Node entry (`--entry node`),
//   - tabby-cni with no agent (the plugin does all the work in its own process),
//   - ptp + host-local (the anchor: Go executables, the reference CNI plugins).
// Why it is fair: the same invocation (CNI_* environment, netconf on stdin, a runtime's minimal environment),
// the same pod namespaces, interleaved pod by pod with the order rotated every round, and the ratio taken
// pair by pair. No start-up floor is subtracted from anyone; `node -e 0` is measured beside them and the
// floor-subtracted figure is only a secondary line. No CPU figures: on this VM per-process CPU accounting
// charges /bin/true 60+ ms, so only wall time is reported.
// The burst: C concurrent ADDs (then DELs) on one host, time until all returned, served tabby vs ptp,
// alternated over ≥ 5 rounds. The burst is timed from this process, so it also holds the start of every
// call's nsenter + python wrapper: the same for both sides, so the ratio stands, the absolute time is high.
//   node --import tsx bench/cni.ts [--quick] [--pods N] [--concurrent C] [--burst-rounds R]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { CniNode, ensureBuilt, TABBY_BUNDLE, type InvokeResult } from '../test/cni/harness.ts';
import { Bench, benchOptions, installCniExecutables, interleave, numberFlag, sleep, TIME_WRAPPER as TIME, wrappedWallMs as wallMs, type Target } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('cni', opts);
const PODS = numberFlag(opts.args, 'pods', opts.quick ? 10 : 200);
const CONCURRENT = numberFlag(opts.args, 'concurrent', opts.quick ? 10 : 50);
const BURST_ROUNDS = numberFlag(opts.args, 'burst-rounds', opts.quick ? 5 : 10);
const POD_POOL = 8; // pod namespaces per target, reused in turn (a DEL leaves them empty)

/** The node agent at its default log level (as deployed), Prometheus metrics on 9091 inside the host netns. */
async function startAgent(n: CniNode) {
  const child = n.fx.spawn(n.host, [process.execPath, TABBY_BUNDLE, 'node', 'run', '--node-name', n.nodename,
    '--state-dir', n.stateDir, '--datastore-path', n.dsPath, '--backend', 'none', '--health-port', '0', '--metrics-port', '9091'],
  { stdio: 'ignore', env: { PATH: process.env.PATH, TABBY_LOG_LEVEL: 'info' } });
  for (let i = 0; i < 300; i++) {
    if (existsSync(n.agentSocket)) break;
    if (child.exitCode !== null) throw new Error('the node agent exited at start');
    await sleep(50);
  }
  if (!existsSync(n.agentSocket)) throw new Error('the node agent did not start serving CNI requests');
  await sleep(500); // its first sync settles before the first measured call
  return child;
}

/** CNI invocations the agent ran itself (tabby_agent_cni_requests_total, result ok). */
function servedCount(n: CniNode): number {
  const text = n.fx.exec(n.host, ['curl', '-s', 'http://127.0.0.1:9091/metrics']);
  let sum = 0;
  for (const m of text.matchAll(/^tabby_agent_cni_requests_total\{[^}]*result="ok"[^}]*\} (\d+)/gm)) sum += Number(m[1]);
  return sum;
}

interface Plugin { label: string; node: CniNode; exe: string[]; conf: Record<string, unknown>; k8s: boolean; pods: ReturnType<CniNode['newPod']>[] }

async function call(p: Plugin, command: 'ADD' | 'DEL', idx: number, tag: string): Promise<InvokeResult> {
  const pod = p.pods[idx % p.pods.length]!;
  return p.node.invoke({ command, containerId: `bench-${tag}-${String(idx).padStart(6, '0')}`, netns: pod.path, conf: p.conf, exe: p.exe,
    cniArgs: p.k8s ? p.node.k8sArgs('bench', `${tag}-${idx}`) : undefined });
}

async function sequential(plugins: Plugin[], floorNode: CniNode) {
  const add = new Map<string, number[]>(), del = new Map<string, number[]>(), floor: number[] = [];
  for (const p of plugins) { add.set(p.label, []); del.set(p.label, []); }
  const targets: Target[] = plugins.map((p) => ({
    name: p.label,
    run: async (i) => {
      const a = await call(p, 'ADD', i, 's');
      if (!a.json?.ips?.length) throw new Error(`${p.label} ADD returned no address: ${a.stdout}`);
      add.get(p.label)!.push(wallMs(a, `${p.label} ADD`));
      del.get(p.label)!.push(wallMs(await call(p, 'DEL', i, 's'), `${p.label} DEL`));
    },
  }));
  targets.push({ name: 'node -e 0', run: async () => { floor.push(wallMs(await floorNode.invoke({ command: 'VERSION', conf: {}, exe: [...TIME, process.execPath, '-e', '0'] }), 'node -e 0')); } });
  await interleave(PODS, targets);
  return { add, del, floor };
}

/** C concurrent ADDs, then C concurrent DELs; the time until the last of each returned. */
async function burst(p: Plugin, round: number): Promise<{ add: number; del: number }> {
  const idx = Array.from({ length: CONCURRENT }, (_, k) => k);
  const t0 = performance.now();
  const adds = await Promise.all(idx.map((k) => call(p, 'ADD', k, `b${round}x`)));
  const add = performance.now() - t0;
  for (const r of adds) if (r.code !== 0) throw new Error(`${p.label} burst ADD failed: ${r.stdout} ${r.stderr}`);
  if (new Set(adds.map((r) => r.json.ips[0].address)).size !== CONCURRENT) throw new Error(`${p.label}: a burst handed out a duplicate address`);
  const t1 = performance.now();
  const dels = await Promise.all(idx.map((k) => call(p, 'DEL', k, `b${round}x`)));
  const del = performance.now() - t1;
  for (const r of dels) if (r.code !== 0) throw new Error(`${p.label} burst DEL failed: ${r.stdout} ${r.stderr}`);
  return { add, del };
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.log(`bench/cni skipped: ${skip}`); process.exit(2); }
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-cni-'));
  const served = new CniNode('bench-served'), alone = new CniNode('bench-alone'), ptpNode = new CniNode('bench-ptp');
  try {
    await served.init(); await alone.init();
    const exe = [...TIME, join(installCniExecutables(dir), 'tabby-cni')];
    const ptpConf = {
      cniVersion: '1.0.0', name: 'bench-ptp', type: 'ptp', ipMasq: false, mtu: 1440,
      ipam: { type: 'host-local', subnet: '10.77.0.0/16', dataDir: join(dir, 'host-local'), routes: [{ dst: '0.0.0.0/0' }] },
    };
    const pool = (n: CniNode, k: number) => Array.from({ length: k }, () => n.newPod());
    const pServed: Plugin = { label: 'tabby served', node: served, exe, conf: served.conf({ log_level: 'warning' }), k8s: true, pods: pool(served, Math.max(POD_POOL, CONCURRENT)) };
    const pAlone: Plugin = { label: 'tabby alone', node: alone, exe, conf: alone.conf({ log_level: 'warning' }), k8s: true, pods: pool(alone, POD_POOL) };
    const nodeExe = [...TIME, join(installCniExecutables(dir, 'node'), 'tabby-cni')];
    const pServedNode: Plugin = { label: 'tabby served, node entry', node: served, exe: nodeExe, conf: pServed.conf, k8s: true, pods: pool(served, POD_POOL) };
    const pPtp: Plugin = { label: 'ptp+host-local', node: ptpNode, exe: [...TIME, '/usr/lib/cni/ptp'], conf: ptpConf, k8s: false, pods: pool(ptpNode, Math.max(POD_POOL, CONCURRENT)) };
    const agent = await startAgent(served);
    try {
      // Warm-up (page cache, datastore files, first block claim), not recorded.
      for (const p of [pServed, pServedNode, pAlone, pPtp]) { await call(p, 'ADD', 0, 'warm'); await call(p, 'DEL', 0, 'warm'); }
      const before = servedCount(served);
      const seq = await sequential([pServed, pServedNode, pAlone, pPtp], ptpNode);
      const servedCalls = servedCount(served) - before;
      if (servedCalls < 4 * PODS) throw new Error(`the agent served only ${servedCalls} of ${4 * PODS} calls: "served" would be mislabelled`);
      const bAdd = { tabby: [] as number[], ptp: [] as number[] }, bDel = { tabby: [] as number[], ptp: [] as number[] };
      await interleave(BURST_ROUNDS, [
        { name: 'tabby', run: async (r) => { const b = await burst(pServed, r); bAdd.tabby.push(b.add); bDel.tabby.push(b.del); } },
        { name: 'ptp', run: async (r) => { const b = await burst(pPtp, r); bAdd.ptp.push(b.add); bDel.ptp.push(b.del); } },
      ]);
      report(seq, bAdd, bDel);
    } finally { await served.stopAgent(agent); }
  } finally {
    for (const n of [served, alone, ptpNode]) n.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  bench.finish();
}

function report(seq: Awaited<ReturnType<typeof sequential>>, bAdd: { tabby: number[]; ptp: number[] }, bDel: { tabby: number[]; ptp: number[] }): void {
  const ptp = (m: Map<string, number[]>) => ({ name: 'ptp+host-local', samples: m.get('ptp+host-local')! });
  const le = (x: number) => (f: { ratio: number | null }) => f.ratio !== null && f.ratio <= x;
  for (const [cmd, m] of [['ADD', seq.add], ['DEL', seq.del]] as const) {
    bench.figure({ name: `CNI ${cmd}, whole executable, served by the agent`, unit: 'ms', tabby: m.get('tabby served')!, anchor: ptp(m),
      goal: { text: '≤ 1.0× ptp+host-local (p50), p99 ≤ 2×', met: (f) => f.ratio! <= 1 && (f.ratioP99 == null || f.ratioP99 <= 2) } });
    bench.figure({ name: `CNI ${cmd}, whole executable, no agent`, unit: 'ms', tabby: m.get('tabby alone')!, anchor: ptp(m),
      goal: { text: '≤ 3× ptp+host-local (p50)', met: le(3) } });
  }
  for (const [cmd, m] of [['ADD', seq.add], ['DEL', seq.del]] as const) {
    bench.figure({ name: `secondary: CNI ${cmd} served, through the Node entry (tabby cni install --entry node)`, unit: 'ms', tabby: m.get('tabby served, node entry')!, anchor: ptp(m) });
  }
  const above = seq.add.get('tabby served')!.map((x, i) => x - seq.floor[i]!);
  bench.figure({ name: 'secondary: CNI ADD served, minus the node -e 0 floor of the same round', unit: 'ms', tabby: above, anchor: ptp(seq.add),
    note: 'not what a runtime sees; shows what is left once Node start-up is taken away' });
  bench.figure({ name: 'floor: node -e 0, whole process (no anchor)', unit: 'ms', tabby: seq.floor, anchor: null });
  bench.figure({ name: `burst of ${CONCURRENT} concurrent ADDs on one node, until all returned, served`, unit: 'ms', tabby: bAdd.tabby,
    anchor: { name: 'ptp+host-local', samples: bAdd.ptp }, goal: { text: '≤ 1.0× ptp+host-local', met: le(1) } });
  bench.figure({ name: `burst of ${CONCURRENT} concurrent DELs on one node, until all returned, served`, unit: 'ms', tabby: bDel.tabby,
    anchor: { name: 'ptp+host-local', samples: bDel.ptp } });
  bench.note(`${PODS} sequential ADD+DEL per target, interleaved pod by pod (order rotated each round); bursts: ${BURST_ROUNDS} rounds alternated`);
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

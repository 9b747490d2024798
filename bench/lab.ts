// Lab benchmark: a cluster on this machine as an operator brings it up (`tabby lab up`, then `tabby lab run`
// pods through the real CNI executables), and what its node processes cost once idle.
//
// What is timed, per round (a fresh lab each round):
//   - up: `tabby lab up` (namespaces, fabric, a `tabby node run` agent per node) from start to return;
//   - all pods reach all pods: from the start of `lab up` until `tabby lab check` (every pod pings every
//     other pod) first passes; `lab check` is retried at once after a failure, so the figure includes the
//     network converging, not only the commands returning;
//   - idle: after the lab settled, --idle seconds with nothing happening (30 s in a full run), then each node
//     process's VmRSS and PSS (smaps_rollup), and its CPU over that idle window (/proc/PID/stat user+system
//     ticks: a long-running process, not the exec-time accounting this VM gets wrong) as % of one core.
// Why it is fair: nothing is subtracted; memory is read idle, not while busy. No external anchor (no
// Calico here to bring up); the goals of issue 16 judge the idle figures.
//   node --import tsx bench/lab.ts [--quick] [--nodes N] [--pods-per-node K] [--rounds R] [--idle S] [--mode vxlan]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { Bench, benchOptions, memoryKiB, numberFlag, processCpuMs, ROOT, sleep, stringFlag } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('lab', opts);
const NODES = numberFlag(opts.args, 'nodes', opts.quick ? 2 : 5);
const PODS_PER_NODE = numberFlag(opts.args, 'pods-per-node', opts.quick ? 2 : 10);
const ROUNDS = numberFlag(opts.args, 'rounds', 5);
const IDLE_S = numberFlag(opts.args, 'idle', opts.quick ? 5 : 30);
const MODE = stringFlag(opts.args, 'mode', 'vxlan');
const TABBY = join(ROOT, 'bin', 'tabby');

function tabby(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(TABBY, args, { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '45000' } });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}
function must(args: string[]): string {
  const r = tabby(args);
  if (r.status !== 0) throw new Error(`tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.out}`);
  return r.out;
}

interface Round { upS: number; allReachS: number; checks: number; rssMiB: number[]; pssMiB: number[]; cpuPct: number[] }

let currentLab: string | undefined; // taken down on SIGINT/SIGTERM too (e.g. a run stopped at its deadline)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { if (currentLab) spawnSync(TABBY, ['lab', 'down', '--name', currentLab], { stdio: 'ignore' }); process.exit(130); });
}

async function oneRound(round: number): Promise<Round> {
  const name = `tblab${process.pid % 1000}r${round}`;
  currentLab = name;
  try {
    const t0 = performance.now();
    must(['lab', 'up', '--name', name, '--nodes', String(NODES), '--mode', MODE]);
    const upS = (performance.now() - t0) / 1000;
    must(['lab', 'run', 'bench', '--name', name, '--replicas', String(NODES * PODS_PER_NODE)]);
    let checks = 0;
    for (;;) {
      checks++;
      const r = tabby(['lab', 'check', '--name', name]);
      if (r.status === 0) break;
      if (performance.now() - t0 > 600_000) throw new Error(`pods never all reached each other:\n${r.out}`);
    }
    const allReachS = (performance.now() - t0) / 1000;
    const state = JSON.parse(readFileSync(`/run/tabby-lab/${name}/state.json`, 'utf8'));
    // The supervisor's record is current (it restarts agents); state.json has the PIDs as `lab up` saw them.
    let supervised: { agents?: Record<string, { pid: number }> } = {};
    try { supervised = JSON.parse(readFileSync(`/run/tabby-lab/${name}/supervisor.json`, 'utf8')); } catch { /* none */ }
    const pids: number[] = state.nodes.map((n: { name: string; pid: number }) => supervised.agents?.[n.name]?.pid || n.pid);
    const cpu0 = pids.map(processCpuMs), w0 = performance.now();
    await sleep(IDLE_S * 1000);
    const wall = performance.now() - w0;
    const cpuPct = pids.map((p, i) => ((processCpuMs(p) - cpu0[i]!) / wall) * 100);
    const mem = pids.map(memoryKiB);
    return { upS, allReachS, checks, rssMiB: mem.map((m) => m.rss / 1024), pssMiB: mem.map((m) => m.pss / 1024), cpuPct };
  } finally {
    spawnSync(TABBY, ['lab', 'down', '--name', name], { stdio: 'ignore' });
    currentLab = undefined;
  }
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/lab: ${skip}`); process.exit(2); }
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(await oneRound(r));
    const x = rounds.at(-1)!;
    console.log(`round ${r + 1}: up ${x.upS.toFixed(1)} s, all pods reach all ${x.allReachS.toFixed(1)} s (${x.checks} check runs), RSS ${x.rssMiB.map((m) => m.toFixed(0)).join('/')} MiB`);
  }
  const pods = NODES * PODS_PER_NODE;
  bench.figure({ name: `lab up, ${NODES} nodes (${MODE})`, unit: 's', tabby: rounds.map((r) => r.upS), anchor: null });
  bench.figure({ name: `lab up → every pod reaches every other pod, ${NODES} nodes × ${PODS_PER_NODE} pods (${pods * (pods - 1)} pairs)`, unit: 's', tabby: rounds.map((r) => r.allReachS), anchor: null });
  const all = (k: 'rssMiB' | 'pssMiB' | 'cpuPct') => rounds.flatMap((r) => r[k]);
  bench.figure({ name: `node process VmRSS after ${IDLE_S} s idle (every node, every round)`, unit: 'MiB', tabby: all('rssMiB'), anchor: null,
    goal: { text: '≤ 60 MB', met: (f) => f.tabby.median * 1.048576 <= 60 } });
  bench.figure({ name: `node process PSS after ${IDLE_S} s idle`, unit: 'MiB', tabby: all('pssMiB'), anchor: null });
  bench.figure({ name: `node process CPU while idle (${IDLE_S} s window)`, unit: '% of a core', tabby: all('cpuPct'), anchor: null,
    goal: { text: '≤ 0.5%', met: (f) => f.tabby.median <= 0.5 } });
  bench.note(`${ROUNDS} rounds, a fresh lab each; idle figures per node process; CPU resolution is 10 ms ticks over the window`);
  bench.finish();
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

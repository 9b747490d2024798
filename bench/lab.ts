// Lab benchmark: time to bring up N nodes (namespaces + `tabby node run` on each + CNI install) and N×10 pods
// (through the real CNI executables), memory per node process, and pod-to-pod reachability, for N = 5, 10, 20.
// Anchors measured in the same run put the figures in proportion to this machine: the kernel floor for one
// namespace with a veth, and the start-up of a bare Node process.
//   node --import tsx bench/lab.ts [--sizes 5,10,20] [--pods-per-node 10] [--mode vxlan] [--sample K]
// Reachability is the full matrix (every pod to every other) unless --sample K limits each pod to K targets.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TABBY = path.join(ROOT, 'bin', 'tabby');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const sizes = arg('sizes', '5,10,20').split(',').map(Number);
const podsPerNode = Number(arg('pods-per-node', '10'));
const mode = arg('mode', 'vxlan');
const sample = process.argv.includes('--sample') ? Number(arg('sample', '0')) : undefined;

function sh(argv: string[], timeoutMs = 900_000): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ms, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Kernel floor for one node: a namespace, a veth into a peer namespace, an address, a route; then removal. */
function anchorNetns(): number {
  const p = `tbanc${randomBytes(2).toString('hex')}`;
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    sh(['ip', 'netns', 'add', `${p}-a`]);
    sh(['ip', 'netns', 'add', `${p}-b`]);
    sh(['ip', '-n', `${p}-a`, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `${p}-b`]);
    sh(['ip', '-n', `${p}-a`, 'address', 'add', '10.0.0.1/24', 'dev', 'eth0']);
    sh(['ip', '-n', `${p}-a`, 'link', 'set', 'eth0', 'up']);
    sh(['ip', '-n', `${p}-a`, 'route', 'add', 'default', 'via', '10.0.0.2']);
    runs.push(performance.now() - t0);
    sh(['ip', 'netns', 'del', `${p}-a`]);
    sh(['ip', 'netns', 'del', `${p}-b`]);
  }
  return median(runs);
}

function anchorNodeStart(): number {
  return median(Array.from({ length: 5 }, () => sh([process.execPath, '-e', '0']).ms));
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface Row {
  nodes: number; pods: number; upS: number; podsS: number; perPodMs: number; rssAvgMiB: number; rssMaxMiB: number;
  pairs: number; reachable: number; checkS: number;
}

function benchOne(n: number): Row {
  const name = `tbb${randomBytes(2).toString('hex')}`;
  try {
    const up = sh([TABBY, 'lab', 'up', '--name', name, '--nodes', String(n), '--mode', mode]);
    if (/warning:/.test(up.out)) throw new Error(`lab up reported problems:\n${up.out}`);
    const pods = n * podsPerNode;
    const run = sh([TABBY, 'lab', 'run', 'bench', '--name', name, '--replicas', String(pods)]);
    if (/warning:/.test(run.out)) process.stderr.write(run.out);
    const state = JSON.parse(fs.readFileSync(`/run/tabby-lab/${name}/state.json`, 'utf8'));
    const rss = state.nodes.map((x: any) => rssKiB(x.pid) / 1024).filter((x: number) => x > 0);
    if (rss.length !== n) throw new Error(`only ${rss.length} of ${n} node processes are running after the pods were created`);
    const checkArgs = [TABBY, 'lab', 'check', '--name', name, ...(sample ? ['--sample', String(sample)] : [])];
    const r = spawnSync(checkArgs[0]!, checkArgs.slice(1), { encoding: 'utf8', timeout: 1_800_000 });
    const m = /(\d+) pod\(s\), (\d+) pair\(s\): (\d+) reachable.*\(([\d.]+) s\)/.exec(r.stdout ?? '');
    if (!m) throw new Error(`lab check printed no summary:\n${r.stdout}\n${r.stderr}`);
    return {
      nodes: n, pods, upS: up.ms / 1000, podsS: run.ms / 1000, perPodMs: run.ms / pods,
      rssAvgMiB: rss.reduce((a: number, b: number) => a + b, 0) / rss.length, rssMaxMiB: Math.max(...rss),
      pairs: Number(m[2]), reachable: Number(m[3]), checkS: Number(m[4]),
    };
  } finally {
    spawnSync(TABBY, ['lab', 'down', '--name', name], { stdio: 'ignore' });
  }
}

function main(): void {
  if (process.getuid?.() !== 0) throw new Error('bench/lab.ts needs root (network namespaces)');
  const netnsMs = anchorNetns();
  const nodeMs = anchorNodeStart();
  console.log(`anchors (this run): one namespace+veth+address+route ${netnsMs.toFixed(1)} ms; bare \`node -e 0\` start ${nodeMs.toFixed(0)} ms`);
  console.log(`mode ${mode}, ${podsPerNode} pods per node, reachability ${sample ? `sampled (${sample} targets per pod)` : 'full matrix'}`);
  const rows: Row[] = [];
  for (const n of sizes) {
    const row = benchOne(n);
    rows.push(row);
    console.log(`N=${n}: up ${row.upS.toFixed(1)} s; ${row.pods} pods ${row.podsS.toFixed(1)} s (${row.perPodMs.toFixed(0)} ms/pod); `
      + `node RSS avg ${row.rssAvgMiB.toFixed(0)} MiB max ${row.rssMaxMiB.toFixed(0)} MiB; reachable ${row.reachable}/${row.pairs} pairs in ${row.checkS.toFixed(1)} s`);
  }
  console.log('');
  const header = ['nodes', 'pods', 'up s', 'up/node ms', 'up/node ÷ (netns+node start)', 'pods s', 'ms/pod', 'ms/pod ÷ node start', 'RSS avg MiB', 'RSS max MiB', 'reachable'];
  const lines = rows.map((r) => [
    String(r.nodes), String(r.pods), r.upS.toFixed(1), (r.upS * 1000 / r.nodes).toFixed(0), ((r.upS * 1000 / r.nodes) / (netnsMs + nodeMs)).toFixed(1),
    r.podsS.toFixed(1), r.perPodMs.toFixed(0), (r.perPodMs / nodeMs).toFixed(1), r.rssAvgMiB.toFixed(0), r.rssMaxMiB.toFixed(0), `${r.reachable}/${r.pairs}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padStart(widths[i]!)).join('  '));
  const bad = rows.filter((r) => r.reachable !== r.pairs);
  if (bad.length > 0) {
    console.log(`\nNOT every pod reached every other: ${bad.map((r) => `N=${r.nodes} ${r.pairs - r.reachable} pair(s) failed`).join(', ')}`);
    process.exitCode = 1;
  }
}

main();

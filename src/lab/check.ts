// Reachability across the lab: every pod pings every other pod (or a random sample of the pairs). One shell per source pod
// runs its pings in parallel, so a 20-node lab's matrix takes seconds, not minutes.
import type { LabPodState, LabState } from './state.ts';
import { runCommand } from '../exec.ts';

export interface PairResult { from: string; to: string; toIp: string; ok: boolean }

export interface CheckResult {
  pods: number;
  pairs: number;
  /** Every ordered pair there is (pods·(pods−1)); more than `pairs` when a sample was checked. */
  allPairs: number;
  failures: PairResult[];
  ms: number;
}

const PING_ALL = 'for ip in "$@"; do ( if ping -c1 -W2 -q "$ip" >/dev/null 2>&1 || ping -c1 -W2 -q "$ip" >/dev/null 2>&1; '
  + 'then echo "ok $ip"; else echo "fail $ip"; fi ) & done; wait';

async function pingFrom(pod: LabPodState, targets: string[]): Promise<Map<string, boolean>> {
  const r = await runCommand(['ip', 'netns', 'exec', pod.netns, 'sh', '-c', PING_ALL, 'sh', ...targets]);
  if (r.code !== 0) throw new Error(`pinging from ${pod.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
  const m = new Map<string, boolean>();
  for (const line of r.stdout.split('\n')) {
    const [verdict, ip] = line.trim().split(' ');
    if (ip) m.set(ip, verdict === 'ok');
  }
  return m;
}

/** Up to this many nodes `lab check` tries every pair; above, DEFAULT_SAMPLE random pairs unless told. */
export const FULL_CHECK_MAX_NODES = 20;
export const DEFAULT_SAMPLE = 2000;

/**
 * `k` distinct ordered pairs (i ≠ j) of `n` pods chosen uniformly at random (Floyd's algorithm over the
 * n·(n−1) pair indices), grouped by source; every pair when k ≥ n·(n−1). Pure but for `random`.
 */
export function samplePairs(n: number, k: number, random: () => number = Math.random): Map<number, number[]> {
  const total = n * (n - 1);
  const picked = new Set<number>();
  if (k >= total) for (let i = 0; i < total; i++) picked.add(i);
  else {
    for (let j = total - k; j < total; j++) {
      const t = Math.floor(random() * (j + 1));
      picked.add(picked.has(t) ? j : t);
    }
  }
  const out = new Map<number, number[]>();
  for (const idx of [...picked].sort((a, b) => a - b)) {
    const from = Math.floor(idx / (n - 1)), r = idx % (n - 1);
    const l = out.get(from) ?? [];
    l.push(r < from ? r : r + 1);
    out.set(from, l);
  }
  return out;
}

/**
 * Every running pod pings every other running pod, or `sample` random pairs (the default above
 * FULL_CHECK_MAX_NODES nodes: DEFAULT_SAMPLE pairs; 50 nodes of 10 pods make 249,500 pairs).
 */
export async function checkReachability(state: LabState, opts: { sample?: number | undefined; concurrency?: number | undefined } = {}): Promise<CheckResult> {
  const t0 = Date.now();
  const pods = state.pods.filter((p) => p.status === 'Running' && p.ip);
  const failures: PairResult[] = [];
  let pairs = 0;
  const sample = opts.sample ?? (state.nodes.length > FULL_CHECK_MAX_NODES ? DEFAULT_SAMPLE : undefined);
  const chosen = samplePairs(pods.length, sample ?? Infinity);
  const queue = [...chosen].map(([i, to]) => ({ p: pods[i]!, targets: to.map((j) => pods[j]!) }));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const targets = job.targets;
      const res = await pingFrom(job.p, targets.map((t) => t.ip!));
      for (const t of targets) {
        pairs++;
        if (!res.get(t.ip!)) failures.push({ from: job.p.name, to: t.name, toIp: t.ip!, ok: false });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, Math.max(1, pods.length)) }, worker));
  return { pods: pods.length, pairs, allPairs: pods.length * (pods.length - 1), failures, ms: Date.now() - t0 };
}

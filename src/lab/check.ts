// Reachability across the lab: every (or a sample of) pod pings every other pod. One shell per source pod
// runs its pings in parallel, so a 20-node lab's matrix takes seconds, not minutes.
import type { LabPodState, LabState } from './state.ts';
import { runCommand } from '../exec.ts';

export interface PairResult { from: string; to: string; toIp: string; ok: boolean }

export interface CheckResult {
  pods: number;
  pairs: number;
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

/** Every running pod pings every other running pod (or `sample` of them, chosen spread over the list). */
export async function checkReachability(state: LabState, opts: { sample?: number | undefined; concurrency?: number | undefined } = {}): Promise<CheckResult> {
  const t0 = Date.now();
  const pods = state.pods.filter((p) => p.status === 'Running' && p.ip);
  const failures: PairResult[] = [];
  let pairs = 0;
  const queue = pods.map((p, i) => ({ p, i }));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const others = pods.filter((q) => q !== job!.p);
      let targets = others;
      if (opts.sample && opts.sample < others.length) {
        const step = others.length / opts.sample;
        targets = Array.from({ length: opts.sample }, (_, k) => others[(Math.floor(k * step) + job!.i) % others.length]!);
      }
      const res = await pingFrom(job.p, targets.map((t) => t.ip!));
      for (const t of targets) {
        pairs++;
        if (!res.get(t.ip!)) failures.push({ from: job.p.name, to: t.name, toIp: t.ip!, ok: false });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, Math.max(1, pods.length)) }, worker));
  return { pods: pods.length, pairs, failures, ms: Date.now() - t0 };
}

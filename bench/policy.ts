// bench/policy: network policy as a user and a workload feel it, in a real 2-node lab (`tabby lab up`:
// a `tabby node run` agent per node, the lab's datastore, pods networked by the CNI plugin).
//
// 1. Change → enforced. Timed from `tabby apply -f` returning (run on a node with `tabby lab exec-node`, as
//    an operator would) to the verdict flipping for a probe in a pod on the OTHER node: a loop there opens a
//    new TCP connection to the server pod every few ms (20 ms connect timeout, so a dropped SYN is noticed
//    within 20 ms) and stamps each change of verdict with CLOCK_MONOTONIC, the clock this process reads too.
//    The policy alternates deny/allow of port 8080 for the server pod. A negative sample means enforcement
//    beat the CLI's return. Measured with 0 extra policies and with N policies × M endpoints in the
//    datastore (synthetic WorkloadEndpoints on 50 other nodes; 1 in 100 policies selects the real pods).
// 2. New TCP connections per second from the client pod to the server pod (a fresh connection each, so
//    every one crosses the ruleset: conntrack cannot hide the rules after a first packet), and iperf3
//    throughput beside it; 0 policies (the anchor) vs N × M, alternated round by round.
// Why it is fair: the same pods, paths and tools for both sides of every ratio; rounds alternate; the
// change figure starts when the operator's command returns, not inside the agent.
//   node --import tsx bench/policy.ts [--quick] [--policies N] [--endpoints M] [--changes K] [--rounds R] [--seconds S]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { Bench, benchOptions, numberFlag, ROOT, sleep } from './harness.ts';

const opts = benchOptions();
const bench = new Bench('policy', opts);
const POLICIES = numberFlag(opts.args, 'policies', opts.quick ? 100 : 1000);
const ENDPOINTS = numberFlag(opts.args, 'endpoints', opts.quick ? 1000 : 10_000);
const CHANGES = numberFlag(opts.args, 'changes', opts.quick ? 10 : 100);
const ROUNDS = numberFlag(opts.args, 'rounds', 5);
const SECONDS = numberFlag(opts.args, 'seconds', opts.quick ? 1 : 3);
const CONNECTS = opts.quick ? 300 : 2000;
const TABBY = join(ROOT, 'bin', 'tabby');
const LAB = `tbpol${process.pid % 10000}`;

function tabby(args: string[], timeoutMs = 600_000): string {
  const r = spawnSync(TABBY, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '45000' } });
  if (r.status !== 0) throw new Error(`tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const nsExec = (ns: string, argv: string[]) => spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
const monoMs = () => Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC, as python's time.monotonic_ns

const SERVER_PY = `import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4096)
while True:
    c, _ = s.accept(); c.close()`;
const PROBE_PY = `import socket, sys, time
host, last = sys.argv[1], None
while True:
    s = socket.socket(); s.settimeout(0.02)
    try: s.connect((host, 8080)); ok = 1
    except OSError: ok = 0
    s.close()
    if ok != last: print(time.monotonic_ns(), ok, flush=True); last = ok
    if ok: time.sleep(0.002)`;
const RATE_PY = `import socket, sys, time
host, n = sys.argv[1], int(sys.argv[2]); t = time.monotonic()
for i in range(n):
    s = socket.socket(); s.settimeout(1); s.connect((host, 8080)); s.close()
print(n / (time.monotonic() - t))`;

function togglePolicy(deny: boolean): object {
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'bench-toggle', namespace: 'default' },
    spec: { order: 1, selector: "bench-role == 'server'", types: ['Ingress'],
      ingress: [...(deny ? [{ action: 'Deny', protocol: 'TCP', destination: { ports: [8080] } }] : []), { action: 'Allow' }] } };
}

/** N policies and M endpoints on 50 other nodes; 1 in 100 policies also selects the lab's real pods. */
function bulk(): object[] {
  const out: object[] = [];
  for (let i = 0; i < POLICIES; i++) {
    out.push({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: `bench-${i}`, namespace: 'default' },
      spec: { order: 100 + i, selector: i % 100 === 0 ? `app == 'app-${i}' || has(bench-role)` : `app == 'app-${i}'`, types: ['Ingress'],
        ingress: [{ action: 'Deny', protocol: 'TCP', source: { selector: `role == 'r-${i % 100}'` }, destination: { ports: [22] } },
          { action: 'Allow', protocol: 'TCP', source: { selector: `role == 'r-${(i + 1) % 100}' || has(bench-role)` }, destination: { ports: [80, 443, 8080, '5201:5210'] } },
          { action: 'Allow', protocol: 'UDP', source: { nets: [`10.200.${i % 256}.0/24`] } }] } });
  }
  for (let i = 0; i < ENDPOINTS; i++) {
    const node = `remote-${i % 50}`;
    out.push({ apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
      metadata: { name: `${node}-k8s-synth${i}-eth0`, namespace: 'default', labels: { app: `app-${i % POLICIES}`, role: `r-${i % 100}`, 'projectcalico.org/namespace': 'default', 'projectcalico.org/orchestrator': 'k8s' } },
      spec: { orchestrator: 'k8s', node, pod: `synth${i}`, endpoint: 'eth0', interfaceName: `calf${i.toString(16).padStart(11, '0')}`,
        ipNetworks: [`10.100.${Math.floor(i / 250)}.${(i % 250) + 1}/32`], profiles: ['kns.default'] } });
  }
  return out;
}

class Probe {
  private readonly flips: { t: number; ok: boolean }[] = [];
  private waiter: (() => void) | undefined;
  readonly child: ChildProcess;
  constructor(ns: string, host: string) {
    this.child = nsExec(ns, ['python3', '-c', PROBE_PY, host]);
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      const [t, ok] = l.split(' ');
      this.flips.push({ t: Number(t) / 1e6, ok: ok === '1' });
      this.waiter?.();
    });
  }
  /** Time of the first verdict `ok` seen after `since` (or already current), within timeoutMs. */
  async until(ok: boolean, since: number, timeoutMs = 10_000): Promise<number> {
    const deadline = monoMs() + timeoutMs;
    for (;;) {
      const last = this.flips.at(-1);
      if (last?.ok === ok) return last.t;
      if (monoMs() > deadline) throw new Error(`the probe never saw the verdict ${ok ? 'allow' : 'deny'} (since ${since})`);
      await new Promise<void>((r) => { this.waiter = r; setTimeout(r, 200); });
    }
  }
}

/** Per change: [from `tabby apply` start, from its return] to the verdict flipping on the other node. */
async function changes(dir: string, probe: Probe): Promise<{ fromStart: number[]; fromReturn: number[] }> {
  const out = { fromStart: [] as number[], fromReturn: [] as number[] };
  for (let i = 0; i < CHANGES + 1; i++) {
    const deny = i % 2 === 0;
    const file = join(dir, 'toggle.json');
    writeFileSync(file, JSON.stringify(togglePolicy(deny)));
    const started = monoMs();
    tabby(['lab', 'exec-node', '--name', LAB, 'node01', '--', 'tabby', 'apply', '-f', file]);
    const returned = monoMs();
    const flipped = await probe.until(!deny, returned);
    if (i > 0) { out.fromStart.push(flipped - started); out.fromReturn.push(flipped - returned); } // the first only sets the verdict
    await sleep(100);
  }
  if (CHANGES % 2 === 0) { // end on "allow", so the throughput runs that follow are not denied
    writeFileSync(join(dir, 'toggle.json'), JSON.stringify(togglePolicy(false)));
    tabby(['lab', 'exec-node', '--name', LAB, 'node01', '--', 'tabby', 'apply', '-f', join(dir, 'toggle.json')]);
    await probe.until(true, monoMs());
  }
  return out;
}

function connRate(clientNs: string, host: string): number {
  const r = spawnSync('ip', ['netns', 'exec', clientNs, 'python3', '-c', RATE_PY, host, String(CONNECTS)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`connection-rate run failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

function iperf(clientNs: string, host: string): number {
  const r = spawnSync('ip', ['netns', 'exec', clientNs, 'iperf3', '-c', host, '-t', String(SECONDS), '-J'], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
  if (r.status !== 0) throw new Error(`iperf3 failed: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout).end.sum_received.bits_per_second / 1e9;
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/policy: ${skip}`); process.exit(2); }
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-policy-'));
  const children: ChildProcess[] = [];
  try {
    tabby(['lab', 'up', '--name', LAB, '--nodes', '2', '--mode', 'vxlan']);
    tabby(['lab', 'run', 'web', '--name', LAB, '--replicas', '2']);
    const state = JSON.parse(readFileSync(`/run/tabby-lab/${LAB}/state.json`, 'utf8'));
    const pods = state.pods.filter((p: any) => p.status === 'Running');
    const server = pods[0], client = pods.find((p: any) => p.node !== server.node);
    if (!server || !client) throw new Error(`need running pods on two nodes: ${JSON.stringify(state.pods.map((p: any) => [p.name, p.node, p.status]))}`);
    tabby(['lab', 'label', '--name', LAB, server.name, 'bench-role=server']);
    children.push(nsExec(server.netns, ['python3', '-c', SERVER_PY]), nsExec(server.netns, ['iperf3', '-s']));
    await sleep(500);
    const probe = new Probe(client.netns, server.ip);
    children.push(probe.child);
    const bulkFile = join(dir, 'bulk.yaml');
    writeFileSync(bulkFile, bulk().map((o) => JSON.stringify(o)).join('\n---\n') + '\n'); // JSON documents are YAML documents
    const applyBulk = (on: boolean) => tabby(['lab', 'exec-node', '--name', LAB, 'node01', '--', 'tabby', on ? 'apply' : 'delete', '-f', bulkFile, ...(on ? [] : ['--skip-not-exists'])]);

    const change0 = await changes(dir, probe);
    applyBulk(true);
    await sleep(2000);
    const changeN = await changes(dir, probe);
    applyBulk(false);
    const rate = { zero: [] as number[], loaded: [] as number[] }, gbps = { zero: [] as number[], loaded: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const which of ['zero', 'loaded'] as const) {
        if (which === 'loaded') { applyBulk(true); await sleep(2000); }
        rate[which].push(connRate(client.netns, server.ip));
        gbps[which].push(iperf(client.netns, server.ip));
        if (which === 'loaded') applyBulk(false);
        await sleep(1000);
      }
    }
    const scale = `${POLICIES} policies × ${ENDPOINTS} endpoints`;
    const goal = { text: 'p99 ≤ 100 ms', met: (f: { tabby: { p99?: number; max: number } }) => (f.tabby.p99 ?? f.tabby.max) <= 100 };
    for (const [label, c] of [['0 policies', change0], [scale, changeN]] as const) {
      bench.figure({ name: `policy change → enforced on another node, from tabby apply START, ${label}`, unit: 'ms', tabby: c.fromStart, anchor: null, goal,
        note: 'upper bound: includes the CLI start-up before the datastore write' });
      bench.figure({ name: `policy change → enforced on another node, from tabby apply RETURNING, ${label}`, unit: 'ms', tabby: c.fromReturn, anchor: null,
        note: 'negative: enforced before the CLI exited' });
    }
    bench.figure({ name: `new TCP connections/s through the ruleset, ${scale}`, unit: 'conn/s', better: 'higher', tabby: rate.loaded, anchor: { name: '0 policies', samples: rate.zero },
      goal: { text: '≥ 0.95× 0 policies', met: (f) => f.ratio! >= 0.95 } });
    bench.figure({ name: `iperf3 TCP pod→pod across nodes, ${scale}`, unit: 'Gbit/s', better: 'higher', tabby: gbps.loaded, anchor: { name: '0 policies', samples: gbps.zero } });
    bench.note(`lab: 2 nodes, VXLAN; ${CHANGES} changes per scale; the probe's resolution is its 20 ms connect timeout when the verdict is deny; ${CONNECTS} connects per rate sample, iperf3 ${SECONDS} s; ${ROUNDS} rounds alternated`);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    spawnSync(TABBY, ['lab', 'down', '--name', LAB], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  bench.finish();
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

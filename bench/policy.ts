// bench/policy: network policy as a user and a workload feel it, in a real 2-node lab (`tabby lab up`:
// a `tabby node run` agent per node, the lab's etcd, pods networked by the CNI plugin).
//
// 1. Change → enforced. The operator's command is `tabby apply -f FILE` run on node01 exactly as `tabby lab
//    exec-node` would run it (same node namespace, the only place the lab's etcd is reachable, and the same
//    environment), but exec'd directly: `ip netns exec NS tabby apply …`, where ip setns()es and execs, and
//    bin/tabby execs node, so the process this bench waits for IS `tabby apply` and its exit is the moment
//    the command returns (no outer `tabby lab exec-node` process whose own exit would come later and shrink
//    the figure). Headline: from that return to the verdict flipping for a probe in a pod on the OTHER
//    node; secondary: from the spawn of the command (adds Node start-up, the etcd connection, the write).
//    The probe opens a new TCP connection to the server pod every few ms (20 ms connect timeout) and stamps
//    each attempt at its START with CLOCK_MONOTONIC (the clock this process reads too); a flip is stamped
//    with the start of the first attempt that saw the new verdict (the rule was in place when its SYN left),
//    and the gap back to the last attempt with the old verdict is the sample's resolution, reported too.
//    A flip counts once the verdict has held for 150 ms (a lone spurious timeout cannot end a sample early).
//    The policy alternates deny/allow of port 8080 for the server pod. A negative sample means enforcement
//    beat the CLI's return. Measured with 0 extra policies and with N policies × M endpoints in the
//    datastore (full run: 1,000 × 10,000; synthetic WorkloadEndpoints on 50 other nodes; 1 in 100 policies
//    also selects the real pods, every policy's rules use selectors, ports and nets).
// 2. New TCP connections per second from the client pod to the server pod (a fresh connection each, so
//    every one crosses the ruleset: conntrack cannot hide the rules after a first packet), and iperf3
//    throughput beside it; 0 policies (the anchor) vs N policies, alternated round by round (only the
//    policies are removed and re-applied between rounds; the M endpoints stay in the datastore throughout).
// Why it is fair: the same pods, paths and tools for both sides of every ratio; rounds alternate; the
// change figure starts when the operator's command returns, not inside the agent.
//   node --import tsx bench/policy.ts [--quick] [--policies N] [--endpoints M] [--changes K] [--rounds R] [--seconds S]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeShellEnv } from '../src/lab/env.ts';
import { readState, type LabNodeState, type LabState } from '../src/lab/state.ts';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { Bench, benchOptions, numberFlag, ROOT, sleep } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('policy', opts);
const POLICIES = numberFlag(opts.args, 'policies', opts.quick ? 100 : 1000);
const ENDPOINTS = numberFlag(opts.args, 'endpoints', opts.quick ? 1000 : 10_000);
const CHANGES = numberFlag(opts.args, 'changes', opts.quick ? 10 : 100);
const ROUNDS = numberFlag(opts.args, 'rounds', 5);
const SECONDS = numberFlag(opts.args, 'seconds', opts.quick ? 1 : 3);
const CONNECTS = opts.quick ? 500 : 5000;
const TABBY = join(ROOT, 'bin', 'tabby');
const LAB = `tbpol${process.pid % 10000}`;

function tabby(args: string[], timeoutMs = 600_000): string {
  const r = spawnSync(TABBY, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '45000' } });
  if (r.status !== 0) throw new Error(`tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const nsExec = (ns: string, argv: string[]) => spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
const t0 = Date.now();
const progress = (what: string) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)} s] ${what}`);
const monoMs = () => Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC, as python's time.monotonic_ns

const SERVER_PY = `import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4096)
while True:
    try: c, _ = s.accept(); c.close()
    except OSError: pass`;
// Prints "<start of the first attempt with a new verdict> <verdict> <start of the attempt before it>".
const PROBE_PY = `import socket, sys, time
host, last, prev = sys.argv[1], None, 0
while True:
    t0 = time.monotonic_ns()
    s = socket.socket(); s.settimeout(0.02)
    try: s.connect((host, 8080)); ok = 1
    except OSError: ok = 0
    s.close()
    if ok != last: print(t0, ok, prev, flush=True); last = ok
    prev = t0
    if ok: time.sleep(0.002)`;
// Each connection is closed with a reset (SO_LINGER 0): the ruleset is crossed by the SYN, and a FIN close
// would leave the client a TIME_WAIT per connect — 20,000 of them in a run fill the pod's ephemeral port
// range and connect() slows down whatever the ruleset (the previous full run read 624 to 15,326 conn/s,
// falling round after round on both sides).
const RATE_PY = `import socket, struct, sys, time
host, n = sys.argv[1], int(sys.argv[2]); t = time.monotonic()
linger = struct.pack('ii', 1, 0)
for i in range(n):
    s = socket.socket(); s.settimeout(1); s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger); s.connect((host, 8080)); s.close()
print(n / (time.monotonic() - t))`;

function togglePolicy(deny: boolean): object {
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'bench-toggle', namespace: 'default' },
    // Ordered after every bulk policy, so a connection first crosses the bulk policies that select the server.
    spec: { order: 10_000, selector: "bench-role == 'server'", types: ['Ingress'],
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

interface Flip { t: number; ok: boolean; gap: number }
const SETTLE_MS = 150;

class Probe {
  private readonly flips: Flip[] = [];
  private waiter: (() => void) | undefined;
  readonly child: ChildProcess;
  constructor(ns: string, host: string) {
    this.child = nsExec(ns, ['python3', '-c', PROBE_PY, host]);
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      const [t, ok, prev] = l.split(' ').map(Number) as [number, number, number];
      this.flips.push({ t: t / 1e6, ok: ok === 1, gap: prev > 0 ? (t - prev) / 1e6 : NaN });
      this.waiter?.();
    });
  }
  /** The flip to verdict `ok` that is current and has held for SETTLE_MS (the last such flip), within timeoutMs. */
  async until(ok: boolean, timeoutMs = 10_000): Promise<Flip> {
    const deadline = monoMs() + timeoutMs;
    for (;;) {
      const last = this.flips.at(-1);
      if (last?.ok === ok && monoMs() - last.t >= SETTLE_MS) return last;
      if (monoMs() > deadline) throw new Error(`the probe never saw the verdict ${ok ? 'allow' : 'deny'} hold for ${SETTLE_MS} ms`);
      await new Promise<void>((r) => { this.waiter = r; setTimeout(r, 20); });
    }
  }
}

/**
 * `tabby ARGS` on a lab node as `tabby lab exec-node` runs it (its namespace, its environment), exec'd by
 * `ip netns exec` so the child this process waits for is the tabby process itself.
 */
function tabbyOnNode(state: LabState, node: LabNodeState, args: string[]): void {
  const r = spawnSync('ip', ['netns', 'exec', node.ns, TABBY, ...args], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20,
    env: { ...process.env, ...nodeShellEnv(state, node) } });
  if (r.status !== 0) throw new Error(`on ${node.name}: tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** bench/policy-loader.ts on a lab node: the bulk set in or out of the datastore (setup, not timed). */
function loader(state: LabState, node: LabNodeState, verb: 'apply' | 'delete', file: string): void {
  const r = spawnSync('ip', ['netns', 'exec', node.ns, process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'policy-loader.ts'), verb, file],
    { encoding: 'utf8', timeout: 1_800_000, cwd: ROOT, env: { ...process.env, ...nodeShellEnv(state, node) } });
  if (r.status !== 0) throw new Error(`policy-loader ${verb} failed (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
}

interface ChangeSamples { fromStart: number[]; fromReturn: number[]; resolution: number[] }

/** Per change: from `tabby apply` start and from its return to the verdict flipping on the other node. */
async function changes(dir: string, probe: Probe, apply: (file: string) => void): Promise<ChangeSamples> {
  const out: ChangeSamples = { fromStart: [], fromReturn: [], resolution: [] };
  const file = join(dir, 'toggle.json');
  for (let i = 0; i < CHANGES + 1; i++) {
    const deny = i % 2 === 0;
    writeFileSync(file, JSON.stringify(togglePolicy(deny)));
    const started = monoMs();
    apply(file);
    const returned = monoMs();
    const flip = await probe.until(!deny);
    if (i > 0) { out.fromStart.push(flip.t - started); out.fromReturn.push(flip.t - returned); out.resolution.push(flip.gap); } // the first only sets the verdict
    await sleep(50);
  }
  if (CHANGES % 2 === 0) { // end on "allow", so the throughput runs that follow are not denied
    writeFileSync(file, JSON.stringify(togglePolicy(false)));
    apply(file);
    await probe.until(true);
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
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { for (const c of children) c.kill('SIGKILL'); spawnSync(TABBY, ['lab', 'down', '--name', LAB], { stdio: 'ignore' }); process.exit(130); });
  }
  try {
    tabby(['lab', 'up', '--name', LAB, '--nodes', '2', '--mode', 'vxlan', '--datastore', 'etcd']);
    tabby(['lab', 'run', 'web', '--name', LAB, '--replicas', '2']);
    const state = readState(LAB);
    if (!state) throw new Error(`lab ${LAB} has no state after lab up`);
    const pods = state.pods.filter((p) => p.status === 'Running');
    const server = pods[0], client = pods.find((p) => p.node !== server?.node);
    if (!server?.ip || !client) throw new Error(`need running pods on two nodes: ${JSON.stringify(state.pods.map((p) => [p.name, p.node, p.status]))}`);
    const opNode = state.nodes.find((n) => n.name === 'node01') ?? state.nodes[0]!;
    const apply = (file: string) => tabbyOnNode(state, opNode, ['apply', '-f', file]);
    tabby(['lab', 'label', '--name', LAB, server.name, 'bench-role=server']);
    children.push(nsExec(server.netns, ['python3', '-c', SERVER_PY]), nsExec(server.netns, ['iperf3', '-s']));
    await sleep(500);
    const probe = new Probe(client.netns, server.ip);
    children.push(probe.child);
    const all = bulk();
    const bulkFile = join(dir, 'bulk.json'), policiesFile = join(dir, 'policies.json');
    writeFileSync(bulkFile, JSON.stringify(all));
    writeFileSync(policiesFile, JSON.stringify(all.filter((o) => (o as { kind: string }).kind === 'NetworkPolicy')));

    // A barrier: the agent handles datastore updates in order, so once a toggle written after the bulk
    // change is enforced, the bulk change is too (not a fixed sleep that a loaded machine can outrun).
    const barrier = async () => {
      for (const deny of [true, false]) { writeFileSync(join(dir, 'toggle.json'), JSON.stringify(togglePolicy(deny))); apply(join(dir, 'toggle.json')); await probe.until(!deny, 600_000); }
    };
    // The throughput rounds switch only the policies (the endpoints stay): 0 vs N policies, as the issue asks.
    const bulkStep = async (on: boolean, file = policiesFile) => {
      const t = monoMs();
      loader(state, opNode, on ? 'apply' : 'delete', file);
      await barrier();
      progress(`bulk ${on ? 'apply' : 'delete'} of ${file === bulkFile ? POLICIES + ENDPOINTS : POLICIES} resources enforced in ${((monoMs() - t) / 1000).toFixed(1)} s`);
    };

    progress('lab up; changes at 0 policies');
    const change0 = await changes(dir, probe, apply);
    await bulkStep(true, bulkFile);
    progress(`changes at ${POLICIES} × ${ENDPOINTS}`);
    const changeN = await changes(dir, probe, apply);
    const rate = { zero: [] as number[], loaded: [] as number[] }, gbps = { zero: [] as number[], loaded: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) { // loaded first in even rounds (round 0: the bulk set is still in place from the changes)
      for (const which of r % 2 === 0 ? ['loaded', 'zero'] as const : ['zero', 'loaded'] as const) {
        if (which === 'loaded' && r > 0) await bulkStep(true);
        rate[which].push(connRate(client.netns, server.ip));
        gbps[which].push(iperf(client.netns, server.ip));
        progress(`round ${r + 1} ${which}: ${rate[which].at(-1)!.toFixed(0)} conn/s, ${gbps[which].at(-1)!.toFixed(2)} Gbit/s`);
        if (which === 'loaded') await bulkStep(false);
      }
    }
    const scale = `${POLICIES} policies × ${ENDPOINTS} endpoints`;
    const goal = { text: 'p99 ≤ 100 ms', met: (f: { tabby: { p99?: number; max: number } }) => (f.tabby.p99 ?? f.tabby.max) <= 100 };
    for (const [label, c] of [['0 other policies', change0], [scale, changeN]] as const) {
      bench.figure({ name: `policy change → enforced on another node, from \`tabby apply\` returning, ${label}`, unit: 'ms', tabby: c.fromReturn, anchor: null, goal,
        note: 'negative: enforced before the CLI had exited' });
      bench.figure({ name: `  secondary: the same, from \`tabby apply\` being spawned, ${label}`, unit: 'ms', tabby: c.fromStart, anchor: null,
        note: 'adds Node start-up, the etcd connection and the write' });
      bench.figure({ name: `  probe resolution of those samples, ${label}`, unit: 'ms', tabby: c.resolution, anchor: null,
        note: 'gap between the last attempt with the old verdict and the first with the new: each sample is late by at most this' });
    }
    const zero = `0 policies (the ${ENDPOINTS} endpoints stay)`;
    bench.figure({ name: `new TCP connections/s through the ruleset, ${scale}`, unit: 'conn/s', better: 'higher', tabby: rate.loaded, anchor: { name: zero, samples: rate.zero },
      goal: { text: '≥ 0.95× 0 policies', met: (f) => f.ratio! >= 0.95 } });
    bench.figure({ name: `iperf3 TCP pod→pod across nodes, ${scale}`, unit: 'Gbit/s', better: 'higher', tabby: gbps.loaded, anchor: { name: zero, samples: gbps.zero } });
    bench.note(`lab: 2 nodes, VXLAN, etcd datastore; ${CHANGES} changes per scale, tabby apply run in node01's namespace (where etcd is reachable), probe in a pod on the other node; ${CONNECTS} connects per rate sample, iperf3 ${SECONDS} s; ${ROUNDS} rounds alternated 0 / N policies`);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    spawnSync(TABBY, ['lab', 'down', '--name', LAB], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  bench.finish();
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

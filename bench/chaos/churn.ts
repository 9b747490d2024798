// Scenario 1: CNI ADD/DEL churn with random faults, on one node whose datastore is a real etcd (in the node's
// host namespace) and whose agent serves the plugin. Faults, from a seeded schedule:
//   - the plugin process SIGKILLed at a random delay into its ADD (a runtime timing out or crashing),
//   - the agent SIGKILLed, restarted by the scenario after a random pause (in-flight calls fall back),
//   - etcd frozen (SIGSTOP) for a random time, then resumed (SIGCONT).
// After any failed or killed ADD the runtime's rule applies: DEL, retried until it succeeds (as kubelet
// retries a sandbox's teardown). At the end nothing may be left: addresses, handles, links, routes,
// WorkloadEndpoints, nft set elements, pod interfaces, and no address was ever handed to two live pods.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CniNode, CNI_BUNDLE, ensureBuilt, TABBY_BUNDLE } from '../../test/cni/harness.ts';
import { numberFlag } from '../harness.ts';
import { rng, sleep, waitUntil, type Scenario, type ScenarioContext } from './common.ts';
import { countCaliLinks, countPodRoutes, describeLeaks, nftElementsBeyond, nftSetElements, totalLeaks, type LeakCounts } from './leaks.ts';

const ENDPOINT = 'http://127.0.0.1:2379';
const POOL = '10.244.0.0/16';
const TSX = join(CNI_BUNDLE, '..', '..', 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const NS_DATASTORE = join(CNI_BUNDLE, '..', '..', 'bench', 'chaos', 'ns-datastore.ts');

interface Call { code: number; stdout: string; ms: number; killed: boolean; via: string }
const CNI_DRIVER = join(CNI_BUNDLE, '..', '..', 'bench', 'chaos', 'cni-driver.ts');

/** The node: etcd and the agent as processes in the host namespace, restartable by the scenario. */
class ChurnNode {
  readonly n = new CniNode('chaos-node', POOL);
  readonly prefix = `/tabby-chaos-${process.pid}`;
  etcd: ChildProcess | undefined;
  agent: ChildProcess | undefined;
  private driver: ChildProcess | undefined;
  private readonly waiting = new Map<number, (c: Omit<Call, 'ms' | 'killed'>) => void>();
  private nextId = 0;

  async start(): Promise<void> {
    this.etcd = this.n.fx.spawn(this.n.host, ['etcd', '--name', 'chaos', '--data-dir', join(this.n.dir, 'etcd'),
      '--listen-client-urls', ENDPOINT, '--advertise-client-urls', ENDPOINT, '--listen-peer-urls', 'http://127.0.0.1:2380',
      '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'chaos=http://127.0.0.1:2380', '--log-level', 'error'], { stdio: 'ignore' });
    const up = await waitUntil(() => this.n.fx.run(this.n.host, ['etcdctl', '--endpoints', ENDPOINT, 'endpoint', 'health']).status === 0, 20_000, 200);
    if (up === null) throw new Error('etcd did not become healthy in the node namespace');
    this.datastore('init', POOL);
    await this.startAgent();
    this.startDriver();
  }

  private startDriver(): void {
    this.driver = this.n.fx.spawn(this.n.host, [process.execPath, '--import', TSX, CNI_DRIVER, CNI_BUNDLE], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    this.driver.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const a = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        this.waiting.get(a.id)?.(a);
        this.waiting.delete(a.id);
      }
    });
  }

  datastore(...args: string[]): any {
    return JSON.parse(this.n.sh(this.n.host, [process.execPath, '--import', TSX, NS_DATASTORE, ENDPOINT, this.prefix, ...args]));
  }

  async startAgent(): Promise<void> {
    const log = openSync(join(this.n.dir, 'agent.log'), 'a');
    this.agent = this.n.fx.spawn(this.n.host, [process.execPath, TABBY_BUNDLE, 'node', 'run', '--node-name', this.n.nodename,
      '--state-dir', this.n.stateDir, '--backend', 'none', '--health-port', '0', '--metrics-port', '0'], {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH, TABBY_LOG_LEVEL: 'info', DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: ENDPOINT, TABBY_ETCD_KEY_PREFIX: this.prefix },
    });
    // A killed agent leaves its socket file behind, so "serving" means: a connection is accepted.
    const ok = await waitUntil(() => new Promise<boolean>((resolve) => {
      const s = connect(this.n.agentSocket);
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    }), 240_000, 100); // Node loading the agent's bundle takes tens of seconds when the machine is overloaded
    if (ok === null) throw new Error(`agent did not serve CNI requests within 240 s:\n${this.n.agentLog().slice(-2000)}`);
  }

  async killAgent(): Promise<void> {
    const a = this.agent;
    this.agent = undefined;
    if (!a || a.exitCode !== null || a.signalCode !== null) return;
    const gone = new Promise((r) => a.once('exit', r));
    a.kill('SIGKILL');
    await gone;
  }

  conf(): Record<string, unknown> {
    return this.n.conf({ datastore_type: 'etcdv3', etcd_endpoints: ENDPOINT, etcd_key_prefix: this.prefix, datastore_path: undefined, log_level: 'warning' });
  }

  private env(command: 'ADD' | 'DEL', pod: { path: string; containerId: string; name: string }): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin', CNI_COMMAND: command, CNI_PATH: '/usr/lib/cni', CNI_CONTAINERID: pod.containerId,
      CNI_NETNS: pod.path, CNI_IFNAME: 'eth0', CNI_ARGS: this.n.k8sArgs('chaos', pod.name),
    };
  }

  /** One invocation through the warm driver (the plugin's own served path, or the executable when not served). */
  callWarm(command: 'ADD' | 'DEL', pod: { path: string; containerId: string; name: string }): Promise<Call> {
    const id = ++this.nextId;
    const t0 = performance.now();
    return new Promise((resolve) => {
      this.waiting.set(id, (a) => resolve({ ...a, ms: performance.now() - t0, killed: false }));
      this.driver!.stdin!.write(JSON.stringify({ id, env: this.env(command, pod), stdin: JSON.stringify(this.conf()) }) + '\n');
    });
  }

  /** One run of the plugin executable as a runtime makes it; `killAfterMs` SIGKILLs it that long after its start. */
  call(command: 'ADD' | 'DEL', pod: { path: string; containerId: string; name: string }, killAfterMs?: number): Promise<Call> {
    const env = this.env(command, pod);
    const t0 = performance.now();
    return new Promise((resolve) => {
      // nsenter execs the plugin (no --fork), so the child's PID is the plugin's: the kill hits it, not a wrapper.
      const child = spawn('nsenter', [`--net=${this.n.fx.path(this.n.host)}`, '--', process.execPath, CNI_BUNDLE], { env, stdio: ['pipe', 'pipe', 'ignore'] });
      let stdout = '';
      let killed = false;
      const killer = killAfterMs === undefined ? undefined : setTimeout(() => { killed = child.kill('SIGKILL'); }, killAfterMs);
      const bound = setTimeout(() => { child.kill('SIGKILL'); }, 60_000);
      child.stdout.on('data', (d) => { stdout += d; });
      child.on('close', (code, signal) => {
        clearTimeout(bound);
        if (killer) clearTimeout(killer);
        resolve({ code: code ?? (signal ? -1 : 0), stdout, ms: performance.now() - t0, killed: killed && signal === 'SIGKILL', via: 'executable' });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(JSON.stringify(this.conf()));
    });
  }

  /** Everything a pod could leave behind, counted; `nftBaseline` are the set sizes with no pod. */
  leaks(pods: Array<{ ns: string }>, nftBaseline: Map<string, number>): LeakCounts {
    const ds = this.datastore('leaks');
    const host = (argv: string[]) => this.n.sh(this.n.host, argv);
    return {
      addresses: ds.allocations, ipamCheckProblems: ds.problems, handles: ds.handles,
      links: countCaliLinks(host(['ip', '-o', 'link'])),
      routes: countPodRoutes(host(['ip', 'route']), '10.244.'),
      endpoints: ds.endpoints.length,
      nftElements: nftElementsBeyond(nftBaseline, nftSetElements(host(['nft', '-j', 'list', 'sets']))),
      podInterfaces: pods.filter((p) => /\beth0\b/.test(this.n.sh(p.ns, ['ip', '-o', 'link']))).length,
    };
  }

  cleanup(): void { this.n.cleanup(); }
}

interface Tally {
  cycles: number; pluginKills: number; agentKills: number; etcdPauses: number; addFailures: number; delRetries: number;
  duplicates: number; stuckDels: number; executableCalls: number; addMs: number[]; maxAddMsFrozen: number;
}

export const churn: Scenario = {
  name: 'churn',
  title: 'CNI ADD/DEL churn with random faults (plugin killed mid-ADD, agent killed, etcd paused)',
  async run(ctx: ScenarioContext) {
    ensureBuilt();
    const total = numberFlag(ctx.args, 'cycles', ctx.quick ? 1000 : 10_000);
    const slots = numberFlag(ctx.args, 'pods', 8);
    const seed = numberFlag(ctx.args, 'seed', Date.now() % 1_000_000);
    const r = rng(seed);
    // The share of ADDs made by the plugin executable itself (every plugin kill is one); the rest go through
    // the warm driver, which takes the same path into the agent without Node's start-up per call.
    const execShare = numberFlag(ctx.args, 'exec-share', 0.1);
    ctx.figure('seed', seed);
    const node = new ChurnNode();
    ctx.onCleanup(() => node.cleanup());
    await node.start();
    const pods = Array.from({ length: slots }, (_, i) => ({ ...node.n.newPod(), name: `churn-${i}` }));
    await sleep(1000); // the agent's first nft apply, before the baseline is taken
    const nftBaseline = nftSetElements(node.n.sh(node.n.host, ['nft', '-j', 'list', 'sets']));

    const t: Tally = { cycles: 0, pluginKills: 0, agentKills: 0, etcdPauses: 0, addFailures: 0, delRetries: 0, duplicates: 0, stuckDels: 0, executableCalls: 0, addMs: [], maxAddMsFrozen: 0 };
    const live = new Map<string, string>(); // address → pod holding it
    let started = 0;
    const t0 = performance.now();

    const injectFaults = numberFlag(ctx.args, 'faults', 1) !== 0;
    const f: FaultState = { running: true, frozen: false, error: undefined };
    const faults = injectFaults ? faultLoop(node, r, t, f) : Promise.resolve();
    const slot = async (i: number) => {
      const base = pods[i]!;
      while (started < total && !f.error) {
        const n = started++;
        const pod = { ...base, containerId: `${base.containerId.slice(0, 16)}${String(n).padStart(8, '0')}` };
        const killAt = injectFaults && r.chance(0.03) ? r.int(400) : undefined;
        const wasFrozen = f.frozen;
        const viaExecutable = killAt !== undefined || r.chance(execShare);
        const add = viaExecutable ? await node.call('ADD', pod, killAt) : await node.callWarm('ADD', pod);
        if (viaExecutable) t.executableCalls++;
        if (add.killed) t.pluginKills++;
        if (!add.killed && add.code === 0) {
          t.addMs.push(add.ms);
          const ip = String(JSON.parse(add.stdout).ips[0].address).split('/')[0]!;
          if (live.has(ip)) t.duplicates++;
          live.set(ip, pod.containerId);
          await delUntilDone(node, pod, t);
          live.delete(ip);
        } else {
          if (!add.killed) t.addFailures++;
          if (wasFrozen || f.frozen) t.maxAddMsFrozen = Math.max(t.maxAddMsFrozen, add.ms);
          await delUntilDone(node, pod, t);
        }
        t.cycles++;
        if (t.cycles % Math.max(100, Math.round(total / 10)) === 0) {
          ctx.log(`${t.cycles}/${total} cycles, ${(t.cycles / ((performance.now() - t0) / 1000)).toFixed(1)}/s; faults: ${t.pluginKills} plugin kills, ${t.agentKills} agent kills, ${t.etcdPauses} etcd pauses`);
        }
      }
    };
    await Promise.all(pods.map((_, i) => slot(i)));
    f.running = false;
    await faults;
    if (f.error) throw f.error;
    const seconds = (performance.now() - t0) / 1000;
    if (!node.agent) await node.startAgent();

    // The agent removes a deleted endpoint's nft elements on its next apply: give it a moment, then count.
    let leaks = node.leaks(pods, nftBaseline);
    await waitUntil(() => totalLeaks(leaks = node.leaks(pods, nftBaseline)) === 0, 15_000, 1000);
    reportChurn(ctx, t, seconds, leaks);
    if (totalLeaks(leaks) > 0) {
      const detail = node.datastore('leaks').detail as string[];
      for (const d of detail) ctx.note(`left behind: ${d}`);
      // The story of the first leaked containers, from the plugin's and the agent's logs.
      const ids = [...new Set(detail.map((d) => /k8s-pod-network\.([0-9a-z]+)/.exec(d)?.[1]).filter(Boolean))].slice(0, 3) as string[];
      const logs = [node.n.logFile, join(node.n.dir, 'agent.log')].map((f) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } }).join('\n');
      for (const id of ids) {
        for (const l of logs.split('\n').filter((x) => x.includes(id)).slice(0, 12)) ctx.note(`${id.slice(-8)}: ${l.slice(0, 260)}`);
      }
      const log = node.n.agentLog().split('\n').filter((l) => /"level":(40|50)/.test(l)).slice(-10);
      for (const l of log) ctx.note(`agent warning: ${l.slice(0, 300)}`);
    }
  },
};

interface FaultState { running: boolean; frozen: boolean; error: unknown }

/** Datastore and agent faults, one every 25–75 cycles until the churn ends; an error stops the churn. */
async function faultLoop(node: ChurnNode, r: ReturnType<typeof rng>, t: Tally, f: FaultState): Promise<void> {
  try {
    while (f.running) {
      // Tied to progress, not to wall time, so a slow machine gets the same fault density per cycle.
      const at = t.cycles + 25 + r.int(50);
      while (f.running && t.cycles < at) await sleep(50);
      if (!f.running) break;
      if (r.chance(0.5)) {
        t.agentKills++;
        await node.killAgent();
        await sleep(r.int(1500));
        await node.startAgent();
      } else {
        t.etcdPauses++;
        f.frozen = true;
        node.etcd!.kill('SIGSTOP');
        await sleep(500 + r.int(3000));
        node.etcd!.kill('SIGCONT');
        f.frozen = false;
      }
    }
  } catch (e) { f.error = e; }
}

async function delUntilDone(node: ChurnNode, pod: { path: string; containerId: string; name: string }, t: Tally): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const del = await node.callWarm('DEL', pod);
    if (del.code === 0) return;
    t.delRetries++;
    await sleep(500);
  }
  t.stuckDels++;
}

function reportChurn(ctx: ScenarioContext, t: Tally, seconds: number, leaks: LeakCounts): void {
  const sorted = [...t.addMs].sort((a, b) => a - b);
  ctx.figure('cycles', t.cycles);
  ctx.figure('seconds', Math.round(seconds));
  ctx.figure('cycles per second', Math.round((t.cycles / seconds) * 100) / 100);
  ctx.figure('ADDs by the plugin executable (the rest through the warm driver)', t.executableCalls);
  ctx.figure('plugin killed mid-ADD', t.pluginKills);
  ctx.figure('agent killed (and restarted)', t.agentKills);
  ctx.figure('etcd paused', t.etcdPauses);
  ctx.figure('ADDs refused (not killed)', t.addFailures);
  ctx.figure('DEL retries', t.delRetries);
  ctx.figure('ADD ms p50 (successful)', Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN));
  ctx.figure('ADD ms p99 (successful)', Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? NaN));
  ctx.figure('longest refused ADD while etcd frozen, ms', Math.round(t.maxAddMsFrozen));
  for (const [k, v] of Object.entries(leaks)) ctx.figure(`leaked ${k}`, v);
  ctx.check(`${t.cycles} ADD/DEL cycles done`, t.cycles > 0);
  ctx.check('every fault kind injected', t.pluginKills > 0 && t.agentKills > 0 && t.etcdPauses > 0,
    `plugin kills ${t.pluginKills}, agent kills ${t.agentKills}, etcd pauses ${t.etcdPauses}`);
  ctx.check('every DEL succeeded in the end (retried as kubelet does)', t.stuckDels === 0, `${t.stuckDels} pods could not be deleted`);
  ctx.check('no address held by two live pods', t.duplicates === 0, `${t.duplicates} duplicates`);
  ctx.check('nothing leaked', totalLeaks(leaks) === 0, describeLeaks(leaks));
}

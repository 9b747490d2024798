// Scenarios 2 and 4: faults under a ping flood between pods on two nodes. The cluster is test/agent/cluster.ts
// (a fabric namespace, node namespaces, `tabby node run` agents as processes, pods made by the CNI executable)
// with a real etcd in the fabric namespace as the datastore of every agent and every plugin call. (A
// `tabby lab` would do too, but its start-up gives up on agents that take minutes to answer their health
// endpoint, which they do when other work holds this machine's two cores.) The flood is `ping -i 0.01` from
// the pod on node-a to the pod on node-b across the fault; its loss must be 0: the dataplane depends neither
// on the datastore nor on the agent being alive. Recovery is read from the agents' own logs.
//   etcd-outage:  etcd frozen (SIGSTOP … SIGCONT), then killed (SIGKILL) and started again.
//   agent-kill:   each node's agent kill -9'd in turn and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, TABBY_BUNDLE, type Pod } from '../../test/agent/cluster.ts';
import { CNI_BUNDLE } from '../../test/cni/harness.ts';
import { BENCH_DIR, numberFlag, ROOT } from '../harness.ts';
import { sleep, waitUntil, type Scenario, type ScenarioContext } from './common.ts';
import { parsePing, type PingSummary } from './leaks.ts';

const ETCD = 'http://10.0.1.1:2379';
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

class FloodCluster {
  readonly c = new Cluster();
  readonly prefix = `/tabby-chaos-${process.pid}`;
  etcd: ChildProcess | undefined;
  private readonly etcdArgv = ['etcd', '--name', 'chaos', '--data-dir', join(this.c.dir, 'etcd'), '--listen-client-urls', ETCD,
    '--advertise-client-urls', ETCD, '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
    '--initial-cluster', 'chaos=http://127.0.0.1:2380', '--log-level', 'error'];
  pods: Pod[] = [];

  /** Two nodes on one subnet, etcd on the fabric, both agents ready, a pod on each node that reaches the other. */
  static async up(ctx: ScenarioContext): Promise<FloodCluster> {
    const f = new FloodCluster();
    ctx.onCleanup(() => { try { f.etcd?.kill('SIGCONT'); } catch { /* gone */ } return f.c.cleanup(); });
    const t0 = performance.now();
    f.c.addSubnet('a', '10.0.1.1/24');
    f.c.addNode('node-a', 'a', '10.0.1.11');
    f.c.addNode('node-b', 'a', '10.0.1.12');
    await f.startEtcd();
    f.c.exec(f.c.fabric, [process.execPath, '--import', TSX, join(BENCH_DIR, 'chaos', 'ns-datastore.ts'), ETCD, f.prefix, 'init', '10.244.0.0/16']);
    for (const n of ['node-a', 'node-b']) { f.startAgent(n); await f.c.waitReady(n, 600_000); }
    f.pods = [await f.addPod('node-a', 'flood-a'), await f.addPod('node-b', 'flood-b')];
    const reach = await waitUntil(() => f.c.run(f.pods[0]!.ns, ['ping', '-c', '1', '-W', '1', f.pods[1]!.ip]).status === 0, 120_000, 500);
    if (reach === null) throw new Error(`pod ${f.pods[0]!.ip} never reached pod ${f.pods[1]!.ip}`);
    ctx.figure('cluster up (etcd, 2 agents, 2 pods), s', Math.round((performance.now() - t0) / 100) / 10);
    return f;
  }

  async startEtcd(): Promise<void> {
    this.etcd = this.c.fx.spawn(this.c.fabric, this.etcdArgv, { stdio: 'ignore' });
    const up = await waitUntil(() => this.c.run(this.c.fabric, ['etcdctl', '--endpoints', ETCD, 'endpoint', 'health']).status === 0, 60_000, 200);
    if (up === null) throw new Error('etcd did not become healthy');
  }

  async killEtcd(): Promise<void> {
    const e = this.etcd!;
    const gone = new Promise((r) => e.once('exit', r));
    e.kill('SIGKILL');
    await gone;
  }

  startAgent(name: string): void {
    const n = this.c.node(name);
    const log = openSync(n.logFile, 'a');
    n.agent = this.c.fx.spawn(n.ns, [process.execPath, TABBY_BUNDLE, 'node', 'run', '--node-name', name, '--state-dir', n.stateDir, '--resync-interval', '5'], {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH, TABBY_LOG_LEVEL: 'info', CALICO_NETWORKING_BACKEND: 'vxlan', DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: ETCD, TABBY_ETCD_KEY_PREFIX: this.prefix },
    });
  }

  /** CNI ADD with the plugin executable, netconf pointing at etcd, as a runtime on `node` makes it. */
  async addPod(node: string, name: string): Promise<Pod> {
    const n = this.c.node(node);
    const ns = this.c.fx.add(`${node}-p${++n.pods}`);
    const containerId = `${this.c.fx.prefix}${name}`.replace(/[^a-z0-9]/g, '').padEnd(24, '0');
    const conf = { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', log_level: 'warning', log_file_path: join(this.c.dir, node, 'cni.log'),
      datastore_type: 'etcdv3', etcd_endpoints: ETCD, etcd_key_prefix: this.prefix, state_dir: n.stateDir, nodename: node, mtu: 0,
      ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' } };
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CNI_COMMAND: 'ADD', CNI_PATH: '/usr/lib/cni', CNI_CONTAINERID: containerId,
      CNI_NETNS: this.c.fx.path(ns), CNI_IFNAME: 'eth0', CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=x` };
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = spawn('nsenter', [`--net=${this.c.fx.path(n.ns)}`, '--', process.execPath, CNI_BUNDLE], { env, stdio: ['pipe', 'pipe', 'ignore'] });
      let stdout = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
      child.stdin.end(JSON.stringify(conf));
    });
    if (out.code !== 0) throw new Error(`CNI ADD ${name} on ${node} failed: ${out.stdout}`);
    const res = JSON.parse(out.stdout);
    return { node, ns, name, k8sNs: 'default', containerId, ip: res.ips[0].address.split('/')[0], iface: res.interfaces[0].name };
  }

  /** `ping -i 0.01` from the pod on node-a to the pod on node-b for `seconds`. */
  flood(seconds: number): { done: Promise<PingSummary | null>; child: ChildProcess } {
    const child = this.c.fx.spawn(this.pods[0]!.ns, ['ping', '-n', '-q', '-i', '0.01', '-W', '1', '-c', String(seconds * 100), this.pods[1]!.ip],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    return { done: new Promise((r) => child.on('close', () => r(parsePing(out)))), child };
  }

  /** ms from `sinceMs` (epoch) until every agent has logged a line matching `match` after it, or null. */
  async agentsLogged(sinceMs: number, match: (l: any) => boolean, timeoutMs: number, names = ['node-a', 'node-b']): Promise<number | null> {
    let latest = 0;
    const found = await waitUntil(() => names.every((name) => {
      const hit = readFileSync(this.c.node(name).logFile, 'utf8').split('\n').filter(Boolean)
        .map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((l) => logTime(l) >= sinceMs && match(l));
      if (hit) latest = Math.max(latest, logTime(hit));
      return Boolean(hit);
    }), timeoutMs, 250);
    return found === null ? null : latest - sinceMs;
  }
}

const connected = (l: any) => l.msg === 'datastore connected';

/** A log line's time in ms since the epoch: the one log format writes ISO 8601 (docs/logs.md). */
export function logTime(l: { time?: unknown }): number {
  return typeof l.time === 'string' ? Date.parse(l.time) : typeof l.time === 'number' ? l.time : Number.NaN;
}

function reportFlood(ctx: ScenarioContext, ping: PingSummary | null): void {
  ctx.figure('ping requests sent', ping?.transmitted ?? null);
  ctx.figure('ping replies lost', ping?.lost ?? null);
  ctx.check('the ping flood ran', ping !== null && ping.transmitted > 0);
  ctx.check('the dataplane lost no packet (loss 0)', ping !== null && ping.lost === 0, ping ? `${ping.lost} of ${ping.transmitted} lost` : 'no ping summary');
}

export const etcdOutage: Scenario = {
  name: 'etcd-outage',
  title: 'etcd paused, then killed, under a ping flood between pods on two nodes',
  async run(ctx) {
    const outageS = numberFlag(ctx.args, 'outage', ctx.quick ? 6 : 15);
    const f = await FloodCluster.up(ctx);
    const flood = f.flood(2 * outageS + 30);
    ctx.onCleanup(() => { flood.child.kill('SIGKILL'); });
    await sleep(3000);
    f.etcd!.kill('SIGSTOP');
    await sleep(outageS * 1000);
    const resumed = Date.now();
    f.etcd!.kill('SIGCONT');
    const afterPause = await f.agentsLogged(resumed, connected, 120_000);
    ctx.figure('etcd paused, s', outageS);
    ctx.figure('resume → every agent reconnected, ms', afterPause);
    ctx.check('every agent reconnected after the pause', afterPause !== null);

    await f.killEtcd();
    await sleep(outageS * 1000);
    const restarted = Date.now();
    await f.startEtcd();
    const afterKill = await f.agentsLogged(restarted, connected, 120_000);
    ctx.figure('etcd killed, s', outageS);
    ctx.figure('etcd started again → every agent reconnected, ms', afterKill);
    // Resynced: a change written after the restart reaches every agent (a new pool → its NAT set).
    const written = Date.now();
    f.c.exec(f.c.fabric, [process.execPath, '--import', TSX, join(BENCH_DIR, 'chaos', 'ns-datastore.ts'), ETCD, f.prefix, 'pool', '10.245.0.0/16']);
    const seen = await f.agentsLogged(written, (l) => l.msg === 'programmed NAT outgoing' && (l.masqPools ?? []).includes('10.245.0.0/16'), 120_000);
    ctx.figure('a pool written after the restart → programmed by every agent, ms', seen);
    ctx.check('every agent reconnected after etcd was killed and started again, and follows new changes', afterKill !== null && seen !== null);
    // The datastore works end to end again: a new pod (CNI through etcd) is reached from the other node.
    const late = await f.addPod('node-b', 'after-outage');
    const reach = await waitUntil(() => f.c.run(f.pods[0]!.ns, ['ping', '-c', '1', '-W', '1', late.ip]).status === 0, 60_000, 500);
    ctx.check('a pod created after the outage is reached from the other node', reach !== null);
    reportFlood(ctx, await flood.done);
  },
};

export const agentKill: Scenario = {
  name: 'agent-kill',
  title: 'agent kill -9 on each node under a ping flood, restarted',
  async run(ctx) {
    const downS = numberFlag(ctx.args, 'outage', ctx.quick ? 3 : 10);
    const f = await FloodCluster.up(ctx);
    const flood = f.flood(2 * downS + 40);
    ctx.onCleanup(() => { flood.child.kill('SIGKILL'); });
    await sleep(3000);
    for (const name of ['node-b', 'node-a']) {
      await f.c.stopAgent(name, 'SIGKILL');
      await sleep(downS * 1000);
      const restarted = Date.now();
      f.startAgent(name);
      const back = await f.agentsLogged(restarted, (l) => l.msg === 'dataplane in sync', 600_000, [name]);
      ctx.figure(`${name}: restart → dataplane in sync, ms`, back);
      ctx.check(`${name}'s agent came back after kill -9`, back !== null);
    }
    ctx.figure('each agent down, s', downS);
    reportFlood(ctx, await flood.done);
  },
};

// A multi-node test cluster in network namespaces: a fabric namespace that holds one bridge per subnet and
// routes between them (the "router" of the CrossSubnet tests), node namespaces wired to those bridges, an
// optional external host, node agents as real processes (`tabby node run` inside each node's namespace),
// and pods created by the CNI executables exactly as a runtime does. All nodes share one embedded datastore
// file. Everything lives in namespaces the NetnsFixture creates and removes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '../helpers/netns.ts';
import { openDatastore } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import { CNI_BUNDLE, ROOT, ensureBuilt } from '../cni/harness.ts';

export const TABBY_BUNDLE = join(ROOT, 'dist', 'tabby.mjs');

export interface ClusterNode {
  name: string;
  ns: string;
  ip: string;
  prefix: number;
  stateDir: string;
  logFile: string;
  agent?: ChildProcess | undefined;
  pods: number;
}

export interface Pod { node: string; ns: string; name: string; k8sNs: string; containerId: string; ip: string; iface: string }

export class Cluster {
  readonly fx = new NetnsFixture();
  readonly dir = mkdtempSync(join(tmpdir(), 'tabby-agent-test-'));
  readonly dsPath = join(this.dir, 'datastore.db');
  readonly fabric: string;
  readonly nodes = new Map<string, ClusterNode>();
  ext: { ns: string; ip: string } | undefined;
  private subnets = new Map<string, { bridge: string; gw: string; prefix: number }>();

  constructor() {
    ensureBuilt();
    this.fabric = this.fx.add('fab');
    this.fx.exec(this.fabric, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  }

  /** A subnet: a bridge in the fabric with the gateway address `gwCidr` (e.g. 10.0.1.1/24). */
  addSubnet(name: string, gwCidr: string): void {
    const bridge = `br-${name}`;
    this.fx.exec(this.fabric, ['ip', 'link', 'add', bridge, 'type', 'bridge']);
    this.fx.exec(this.fabric, ['ip', 'addr', 'add', gwCidr, 'dev', bridge]);
    this.fx.exec(this.fabric, ['ip', 'link', 'set', bridge, 'up']);
    const [gw, p] = gwCidr.split('/');
    this.subnets.set(name, { bridge, gw: gw!, prefix: Number(p) });
  }

  addNode(name: string, subnet: string, ip: string): ClusterNode {
    const s = this.subnets.get(subnet)!;
    const ns = this.fx.add(name);
    const peer = `f-${name}`.slice(0, 15);
    this.fx.link(ns, 'eth0', this.fabric, peer);
    this.fx.exec(this.fabric, ['ip', 'link', 'set', peer, 'master', s.bridge]);
    this.fx.exec(ns, ['ip', 'addr', 'add', `${ip}/${s.prefix}`, 'dev', 'eth0']);
    this.fx.exec(ns, ['ip', 'route', 'add', 'default', 'via', s.gw]);
    const stateDir = join(this.dir, name, 'state');
    mkdirSync(stateDir, { recursive: true });
    const n: ClusterNode = { name, ns, ip, prefix: s.prefix, stateDir, logFile: join(this.dir, name, 'agent.log'), pods: 0 };
    this.nodes.set(name, n);
    return n;
  }

  /** An "external" host beyond the fabric router, with no route to the pod network. */
  addExternal(gwCidr: string, ip: string): void {
    const ns = this.fx.add('ext');
    this.fx.link(this.fabric, 'to-ext', ns, 'eth0');
    this.fx.exec(this.fabric, ['ip', 'addr', 'add', gwCidr, 'dev', 'to-ext']);
    this.fx.exec(ns, ['ip', 'addr', 'add', `${ip}/${gwCidr.split('/')[1]}`, 'dev', 'eth0']);
    this.fx.exec(ns, ['ip', 'route', 'add', 'default', 'via', gwCidr.split('/')[0]!]);
    this.ext = { ns, ip };
  }

  node(name: string): ClusterNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  openDs(): Promise<Datastore> { return openDatastore({ type: 'embedded', path: this.dsPath }); }

  startAgent(name: string, env: Record<string, string> = {}): ChildProcess {
    const n = this.node(name);
    const log = openSync(n.logFile, 'a');
    const child = this.fx.spawn(n.ns, [process.execPath, TABBY_BUNDLE, 'node', 'run',
      '--node-name', name, '--state-dir', n.stateDir, '--datastore-path', this.dsPath, '--resync-interval', '5'], {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH, TABBY_LOG_LEVEL: 'info', CALICO_NETWORKING_BACKEND: 'vxlan', ...env },
    });
    n.agent = child;
    return child;
  }

  /** SIGKILL (the crash case) or SIGTERM; resolves when the process is gone. */
  stopAgent(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const n = this.node(name);
    const child = n.agent;
    n.agent = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    // `ip netns exec` execs the program, so this PID is the agent itself.
    return new Promise((resolve) => { child.once('exit', () => resolve()); child.kill(signal); });
  }

  /** Wait until the agent answers 200 on /readiness inside its namespace. */
  async waitReady(name: string, timeoutMs = 30_000): Promise<void> {
    const n = this.node(name);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (n.agent && n.agent.exitCode !== null) throw new Error(`agent ${name} exited (${n.agent.exitCode}):\n${this.agentLog(name).slice(-3000)}`);
      const r = this.fx.run(n.ns, ['curl', '-sf', '-m', '1', 'http://127.0.0.1:9099/readiness']);
      if (r.status === 0) return;
      await sleep(200);
    }
    throw new Error(`agent ${name} not ready after ${timeoutMs} ms:\n${this.agentLog(name).slice(-3000)}`);
  }

  agentLog(name: string): string {
    try { return readFileSync(this.node(name).logFile, 'utf8'); } catch { return ''; }
  }

  /** Create a pod on `node` with the CNI plugin (ADD), as the kubelet's runtime would. */
  async addPod(node: string, podName: string, k8sNs = 'default'): Promise<Pod> {
    const n = this.node(node);
    const ns = this.fx.add(`${node}-p${++n.pods}`.slice(0, 24));
    const containerId = `${this.fx.prefix}${node}`.replace(/[^a-z0-9]/g, '').padEnd(18, '0') + String(n.pods).padStart(6, '0');
    const conf = {
      cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', log_level: 'warning', log_file_path: join(this.dir, node, 'cni.log'),
      datastore_type: 'kubernetes', datastore_path: this.dsPath, state_dir: n.stateDir, nodename: node, mtu: 0,
      ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' },
    };
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin', CNI_COMMAND: 'ADD', CNI_PATH: '/usr/lib/cni', CNI_CONTAINERID: containerId,
      CNI_NETNS: this.fx.path(ns), CNI_IFNAME: 'eth0',
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${k8sNs};K8S_POD_NAME=${podName};K8S_POD_INFRA_CONTAINER_ID=x`,
    };
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('nsenter', [`--net=${this.fx.path(n.ns)}`, '--', process.execPath, CNI_BUNDLE], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(JSON.stringify(conf));
    });
    if (out.code !== 0) throw new Error(`CNI ADD ${podName} on ${node} failed: ${out.stdout} ${out.stderr}`);
    const res = JSON.parse(out.stdout);
    return { node, ns, name: podName, k8sNs, containerId, ip: res.ips[0].address.split('/')[0], iface: res.interfaces[0].name };
  }

  exec(ns: string, argv: string[], timeoutMs?: number): string { return this.fx.exec(ns, argv, { timeoutMs }); }
  run(ns: string, argv: string[], timeoutMs?: number) { return this.fx.run(ns, argv, { timeoutMs }); }

  /** `ip route` of a node, one trimmed line each. */
  routes(node: string): string[] {
    return this.exec(this.node(node).ns, ['ip', 'route']).split('\n').map((l) => l.trim()).filter(Boolean);
  }

  /** Poll until `check` passes (returns true) or time runs out; returns the last value of `describe`. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 15_000, describe?: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (check()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}${describe ? `:\n${describe()}` : ''}`);
  }

  async cleanup(): Promise<void> {
    for (const n of this.nodes.values()) await this.stopAgent(n.name, 'SIGKILL');
    this.fx.cleanupSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** A packet capture running in a namespace: `ready` once tcpdump has opened the interface, `output` at its exit. */
export interface Capture { ready: Promise<void>; output: Promise<string> }

/** Start tcpdump; `ready` resolves when it reports "listening on" (or exits first), so no packet is sent too early. */
export function startCapture(c: Cluster, ns: string, argv: string[], timeoutMs = 20_000): Capture {
  let markReady!: () => void;
  const ready = new Promise<void>((r) => { markReady = r; });
  const output = new Promise<string>((resolve) => {
    const child = c.fx.spawn(ns, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; if (/listening on/.test(out)) markReady(); });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => { clearTimeout(t); markReady(); resolve(out); });
  });
  return { ready, output };
}

/** Run a command in a namespace to completion and return its stdout + stderr. */
export function spawnCapture(c: Cluster, ns: string, argv: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve) => {
    const child = c.fx.spawn(ns, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => { clearTimeout(t); resolve(out); }); // 'close': after stdout has been drained
  });
}

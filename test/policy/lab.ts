// The policy test cluster: two node namespaces joined by a veth, nine pods (namespaces x, y, z × pods
// a, b, c) spread over them and plumbed the way the CNI plugin does it (pod eth0 /32, routes via
// 169.254.1.1, proxy ARP on the host-side cali interface, /32 route to it), a pod agent in every pod
// (TCP+UDP echo on 80 and 81, probe client), and one PolicyManager per node applying nft inside the node
// namespace. Probing is concurrent with short timeouts.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { NetnsFixture } from '../helpers/netns.ts';
import { createLogger } from '../../src/log.ts';
import { createPolicyManager, type PolicyManager } from '../../src/policy/manager.ts';
import { netnsRunner } from '../../src/policy/nft.ts';
import { convertK8sNetworkPolicy } from '../../src/policy/k8s-conversion.ts';
import type { PolicySnapshot, WorkloadEndpoint, Profile } from '../../src/policy/model.ts';
import { expectAllowed as evaluatorExpects, type EvalPod, type EvalWorld, type Proto } from './evaluator.ts';

const AGENT = fileURLToPath(new URL('./pod-agent.mjs', import.meta.url));
export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;
export const PORTS = [80, 81] as const;
export const PROTOS: Proto[] = ['TCP', 'UDP'];

export interface LabPod extends EvalPod {
  key: string;
  node: string;
  netns: string;
  iface: string;
  agent: PodAgent;
}

export interface LabNode { name: string; netns: string; ip: string; block: string; manager: PolicyManager }

/** Calico's host-side name: `cali` + first 11 hex chars of sha1("<namespace>.<pod>"). */
export function caliName(id: string): string {
  return 'cali' + createHash('sha1').update(id).digest('hex').slice(0, 11);
}

export class PodAgent {
  private nextId = 1;
  private readonly waiting = new Map<number, (v: any) => void>();
  private buf = '';
  constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        try {
          const msg = JSON.parse(line);
          this.waiting.get(msg.id)?.(msg);
          this.waiting.delete(msg.id);
        } catch { /* not ours */ }
      }
    });
  }
  call(cmd: Record<string, unknown>, timeoutMs = 10_000): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.waiting.delete(id); reject(new Error(`pod agent did not answer ${JSON.stringify(cmd)}`)); }, timeoutMs);
      this.waiting.set(id, (v) => { clearTimeout(t); resolve(v); });
      this.child.stdin!.write(JSON.stringify({ ...cmd, id }) + '\n');
    });
  }
}

export interface CaseResources {
  k8s?: any[];
  networkPolicies?: any[];
  globalNetworkPolicies?: any[];
  tiers?: any[];
  networkSets?: any[];
  globalNetworkSets?: any[];
  /** Profiles replacing the default allow-all `kns.<ns>` ones. */
  profiles?: Record<string, any>;
}

/** Whether a connection from `src` to `dst` should be allowed. */
export type Expectation = (src: LabPod, dst: LabPod, proto: Proto, port: number) => boolean;

export interface ProbeResult { src: LabPod; dst: LabPod; proto: Proto; port: number; ok: boolean; expected: boolean }

export class PolicyLab {
  readonly fx = new NetnsFixture();
  nodes: LabNode[] = [];
  pods: LabPod[] = [];
  namespaces = NAMESPACES.map((n) => ({ name: n, labels: { ns: n, 'kubernetes.io/metadata.name': n } }));
  current: CaseResources = {};
  extraEndpoints: WorkloadEndpoint[] = [];
  private readonly log = createLogger('policy-test', { level: process.env.TABBY_TEST_LOG ?? 'silent' });

  static async create(nodeCount = 2): Promise<PolicyLab> {
    const lab = new PolicyLab();
    try {
      await lab.build(nodeCount);
    } catch (e) {
      lab.fx.cleanupSync();
      throw e;
    }
    return lab;
  }

  private sh(ns: string, cmd: string[]): string { return this.fx.exec(ns, cmd); }

  private async build(nodeCount: number): Promise<void> {
    for (let i = 1; i <= nodeCount; i++) {
      const netns = this.fx.add(`n${i}`);
      const name = `node${i}`;
      this.nodes.push({
        name, netns, ip: `10.0.0.${i}`, block: `10.65.${i}.0/24`,
        manager: createPolicyManager({ nodeName: name, log: this.log, run: netnsRunner(netns), runConntrack: netnsRunner(netns, 'conntrack') }),
      });
      for (const s of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']) {
        this.sh(netns, ['sysctl', '-qw', s]);
      }
    }
    // Fabric: a veth per node pair (two nodes: one link), node addresses, routes to each other's block.
    if (nodeCount === 2) {
      const [n1, n2] = this.nodes as [LabNode, LabNode];
      this.fx.link(n1.netns, 'ens1', n2.netns, 'ens1');
      for (const [a, b] of [[n1, n2], [n2, n1]] as const) {
        this.sh(a.netns, ['ip', 'addr', 'add', `${a.ip}/24`, 'dev', 'ens1']);
        this.sh(a.netns, ['ip', 'route', 'add', b.block, 'via', b.ip]);
        // A default route lets proxy ARP answer for 169.254.1.1 (as on a real node).
        this.sh(a.netns, ['ip', 'route', 'add', 'default', 'via', b.ip]);
      }
    }
    let idx = 0;
    for (const ns of NAMESPACES) {
      for (const name of POD_NAMES) {
        const node = this.nodes[idx % this.nodes.length]!;
        const host = 10 + Math.floor(idx / this.nodes.length);
        idx++;
        const ip = node.block.replace('.0/24', `.${host}`);
        const pod = this.plumbPod(node, `p${ns}${name}`, `${ns}.${name}`, ip);
        const agent = new PodAgent(this.fx.spawn(pod.netns, [process.execPath, AGENT, ...PORTS.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] }));
        this.pods.push({
          key: `${ns}/${name}`, namespace: ns, name, ip, node: node.name, netns: pod.netns, iface: pod.iface, agent,
          labels: { pod: name },
          ports: PORTS.flatMap((p) => PROTOS.map((proto) => ({ name: `serve-${p}-${proto.toLowerCase()}`, port: p, protocol: proto }))),
        });
      }
    }
    await Promise.all(this.pods.map((p) => p.agent.call({ op: 'ready' })));
  }

  /** A pod namespace wired to `node` like the CNI plugin does; returns its namespace and host interface. */
  plumbPod(node: LabNode, suffix: string, id: string, ip: string): { netns: string; iface: string } {
    const netns = this.fx.add(suffix);
    const iface = caliName(id);
    this.fx.link(node.netns, iface, netns, 'eth0');
    this.sh(netns, ['ip', 'addr', 'add', `${ip}/32`, 'dev', 'eth0']);
    this.sh(netns, ['ip', 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
    this.sh(netns, ['ip', 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
    this.sh(node.netns, ['sysctl', '-qw', `net.ipv4.conf.${iface}.proxy_arp=1`, `net.ipv4.neigh.${iface}.proxy_delay=0`, `net.ipv4.conf.${iface}.rp_filter=0`]);
    this.sh(node.netns, ['ip', 'route', 'add', `${ip}/32`, 'dev', iface, 'scope', 'link']);
    return { netns, iface };
  }

  pod(key: string): LabPod {
    const p = this.pods.find((x) => x.key === key);
    if (!p) throw new Error(`no pod ${key}`);
    return p;
  }

  workloadEndpoint(p: Pick<LabPod, 'namespace' | 'name' | 'node' | 'iface' | 'ip' | 'labels' | 'ports'>): WorkloadEndpoint {
    return {
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
      metadata: {
        name: `${p.node}-k8s-${p.name}-eth0`, namespace: p.namespace,
        labels: { ...p.labels, 'projectcalico.org/namespace': p.namespace, 'projectcalico.org/orchestrator': 'k8s' },
      },
      spec: {
        orchestrator: 'k8s', node: p.node, pod: p.name, endpoint: 'eth0', interfaceName: p.iface,
        ipNetworks: [`${p.ip}/32`], profiles: [`kns.${p.namespace}`],
        ports: p.ports.map((x) => ({ name: x.name, port: x.port, protocol: x.protocol })),
      },
    };
  }

  /** The default namespace profiles as Calico's KDD presents them: allow all, namespace labels as pcns.*. */
  namespaceProfile(ns: { name: string; labels: Record<string, string> }): Profile {
    const labelsToApply: Record<string, string> = { 'pcns.projectcalico.org/name': ns.name };
    for (const [k, v] of Object.entries(ns.labels)) labelsToApply[`pcns.${k}`] = v;
    return {
      apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: `kns.${ns.name}` },
      spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }], labelsToApply },
    };
  }

  snapshot(res: CaseResources): PolicySnapshot {
    const profiles = this.namespaces.map((ns) => {
      const base = this.namespaceProfile(ns);
      const over = res.profiles?.[base.metadata.name];
      return over ? { ...base, spec: { ...over.spec, labelsToApply: base.spec!.labelsToApply } } : base;
    });
    return {
      workloadEndpoints: [...this.pods.map((p) => this.workloadEndpoint(p)), ...this.extraEndpoints],
      networkPolicies: [...(res.k8s ?? []).map((o) => convertK8sNetworkPolicy(o)), ...(res.networkPolicies ?? [])],
      globalNetworkPolicies: res.globalNetworkPolicies ?? [],
      profiles,
      networkSets: res.networkSets ?? [],
      globalNetworkSets: res.globalNetworkSets ?? [],
      tiers: res.tiers ?? [],
    };
  }

  /** Program every node with these resources (each node one atomic nft transaction). */
  async apply(res: CaseResources): Promise<void> {
    this.current = res;
    const snap = this.snapshot(res);
    await Promise.all(this.nodes.map(async (n) => {
      n.manager.update(snap);
      await n.manager.apply();
      if (n.manager.problems.length) throw new Error(`${n.name}: policy problems: ${n.manager.problems.join('; ')}`);
    }));
  }

  /** Forget conntrack state so that each case starts from new connections. */
  flushConntrack(): void {
    for (const n of this.nodes) this.fx.run(n.netns, ['conntrack', '-F']);
    for (const p of this.pods) this.fx.run(p.netns, ['conntrack', '-F']);
  }

  world(res: CaseResources = this.current): EvalWorld {
    return {
      pods: this.pods, namespaces: this.namespaces,
      k8sPolicies: res.k8s ?? [], networkPolicies: res.networkPolicies ?? [],
      globalNetworkPolicies: res.globalNetworkPolicies ?? [], tiers: res.tiers ?? [],
      networkSets: res.networkSets ?? [], globalNetworkSets: res.globalNetworkSets ?? [],
      profiles: res.profiles ?? {},
    };
  }

  /**
   * Probe every ordered pair of distinct pods on every port/protocol, concurrently, and compare with the
   * evaluator. Mismatches are re-probed (up to `retries` times) before being reported, as upstream does.
   */
  async probeAll(opts: { timeoutMs?: number; retries?: number; expected?: Expectation } = {}): Promise<ProbeResult[]> {
    const timeoutMs = opts.timeoutMs ?? 700;
    const world = this.world();
    const expectAllowed = opts.expected ?? ((src, dst, proto, port) => evaluatorExpects(world, src, dst, proto, port));
    const jobs: Omit<ProbeResult, 'ok'>[] = [];
    for (const src of this.pods) {
      for (const dst of this.pods) {
        if (src === dst) continue;
        for (const proto of PROTOS) for (const port of PORTS) jobs.push({ src, dst, proto, port, expected: expectAllowed(src, dst, proto, port) });
      }
    }
    const run = (j: Omit<ProbeResult, 'ok'>, t = timeoutMs) => j.src.agent.call({ op: 'probe', host: j.dst.ip, port: j.port, proto: j.proto.toLowerCase(), timeoutMs: t })
      .then((r) => ({ ...j, ok: r.ok === true }));
    let results = await Promise.all(jobs.map((j) => run(j)));
    for (let i = 0; i < (opts.retries ?? 2); i++) {
      const bad = results.filter((r) => r.ok !== r.expected);
      if (bad.length === 0) break;
      // Retries wait longer: on a loaded machine an allowed probe can miss a short timeout.
      const again = await Promise.all(bad.map((j) => run(j, timeoutMs * 3)));
      const redo = new Map(again.map((r) => [`${r.src.key}>${r.dst.key}:${r.proto}/${r.port}`, r]));
      results = results.map((r) => redo.get(`${r.src.key}>${r.dst.key}:${r.proto}/${r.port}`) ?? r);
    }
    return results;
  }

  /** Upstream-style truth tables for the combinations that disagree ('.' expected+got allow, 'X' deny, '!' wrong). */
  static describeMismatches(results: ProbeResult[]): string {
    const bad = results.filter((r) => r.ok !== r.expected);
    if (bad.length === 0) return '';
    const keys = [...new Set(results.map((r) => r.src.key))];
    const out: string[] = [];
    for (const proto of PROTOS) {
      for (const port of PORTS) {
        const sub = results.filter((r) => r.proto === proto && r.port === port);
        if (!sub.some((r) => r.ok !== r.expected)) continue;
        out.push(`${proto}/${port}: rows = from, cols = to; '.' allowed, 'X' denied, '!' got allowed expected denied, '?' got denied expected allowed`);
        out.push('      ' + keys.map((k) => k.padEnd(4)).join(''));
        for (const s of keys) {
          let line = s.padEnd(6);
          for (const d of keys) {
            const r = sub.find((x) => x.src.key === s && x.dst.key === d);
            line += (!r ? '-' : r.ok === r.expected ? (r.ok ? '.' : 'X') : r.ok ? '!' : '?').padEnd(4);
          }
          out.push(line);
        }
      }
    }
    return `${bad.length} of ${results.length} probes disagree with the expected matrix\n${out.join('\n')}`;
  }

  cleanup(): void { this.fx.cleanupSync(); }
}

/** Build a networking.k8s.io/v1 NetworkPolicy. */
export function k8sPolicy(namespace: string, name: string, spec: Record<string, unknown>): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

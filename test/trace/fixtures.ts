// The article's cluster on paper, as two (or three) node snapshots the trace model reads: controlplane
// 172.17.0.32 with block 192.168.235.192/26, node01 172.17.0.40 with 192.168.196.128/26, pods with cali*
// veths, IPIP (tunl0, proto bird onlink) or VXLAN (vxlan.calico, VNI 4096, ARP+FDB per VTEP) or no
// encapsulation. The policy table is the real calculation's, for whatever policies a test adds.
import { PolicyCalculator } from '../../src/policy/calc.ts';
import { emptySnapshot, type PolicySnapshot, type WorkloadEndpoint } from '../../src/policy/model.ts';
import { nodeSegment } from '../../src/trace/model.ts';
import type { AskNode, KnownEndpoint } from '../../src/trace/stitch.ts';
import type { NodeSnapshot, RouteAnswer } from '../../src/trace/types.ts';

export type Mode = 'ipip' | 'vxlan' | 'none';

export interface PaperNode { name: string; ip: string; block: string; tunnel: string; vtepMac: string; subnetGw?: string }

export const NODES: PaperNode[] = [
  { name: 'controlplane', ip: '172.17.0.32', block: '192.168.235.192/26', tunnel: '192.168.235.192', vtepMac: '66:aa:00:00:00:32' },
  { name: 'node01', ip: '172.17.0.40', block: '192.168.196.128/26', tunnel: '192.168.196.128', vtepMac: '66:aa:00:00:00:40' },
];

export const PODS: KnownEndpoint[] = [
  { name: 'controlplane-k8s-busybox--a-eth0', namespace: 'default', pod: 'busybox-a', node: 'controlplane', iface: 'cali3f2a1b0c9d8', ips: ['192.168.235.193'] },
  { name: 'node01-k8s-busybox--b-eth0', namespace: 'default', pod: 'busybox-b', node: 'node01', iface: 'cali7e6d5c4b3a2', ips: ['192.168.196.129'] },
  { name: 'controlplane-k8s-web-eth0', namespace: 'default', pod: 'web', node: 'controlplane', iface: 'cali0011223344a', ips: ['192.168.235.194'] },
];

export function wepOf(e: KnownEndpoint, labels: Record<string, string> = {}): WorkloadEndpoint {
  return {
    apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
    metadata: { name: e.name, namespace: e.namespace, labels: { app: e.pod, 'projectcalico.org/namespace': e.namespace, ...labels } },
    spec: { node: e.node, pod: e.pod, orchestrator: 'k8s', endpoint: 'eth0', interfaceName: e.iface, ipNetworks: e.ips.map((i) => `${i}/32`), profiles: [`kns.${e.namespace}`] },
  };
}

const r = (dst: string, o: Partial<RouteAnswer>): RouteAnswer => ({ dst, type: 'unicast', ...o });

export interface PaperOptions {
  mode: Mode;
  policy?: Partial<PolicySnapshot>;
  /** Pods (by pod name) whose endpoint exists in the datastore. */
  pods?: KnownEndpoint[];
  natOutgoing?: boolean;
  /** Drop node01's block route from controlplane (its agent stopped, BGP session down). */
  missingRemoteRoute?: boolean;
  /** Each node's block in a pool of its own with this mode (else one pool, `mode`, for all). */
  blockModes?: Record<string, Mode>;
}

/** One node's snapshot, built the way the agent reads a real node in that mode. */
export function snapshotOf(n: PaperNode, o: PaperOptions): NodeSnapshot {
  const pods = o.pods ?? PODS;
  const others = NODES.filter((x) => x !== n);
  const mine = pods.filter((p) => p.node === n.name);
  const routes: RouteAnswer[] = [
    r('0.0.0.0/0', { gateway: '172.17.0.1', dev: 'ens3', prefsrc: n.ip }),
    r('172.17.0.0/16', { dev: 'ens3', protocol: 'kernel', prefsrc: n.ip }),
    { dst: n.block, type: 'blackhole', protocol: 'bird' },
    ...mine.map((p) => r(`${p.ips[0]}/32`, { dev: p.iface, protocol: 'kernel' })),
  ];
  const modeOf = (x: PaperNode): Mode => o.blockModes?.[x.name] ?? o.mode;
  const modes = new Set(NODES.map(modeOf));
  for (const x of others) {
    if (o.missingRemoteRoute && n.name === 'controlplane') continue;
    const mode = modeOf(x);
    if (mode === 'ipip') routes.push(r(x.block, { gateway: x.ip, dev: 'tunl0', protocol: 'bird', onlink: true }));
    if (mode === 'vxlan') routes.push(r(x.block, { gateway: x.tunnel, dev: 'vxlan.calico', protocol: '80', onlink: true }));
    if (mode === 'none') routes.push(r(x.block, { gateway: x.ip, dev: 'ens3', protocol: 'bird' }));
  }
  const snap: NodeSnapshot = {
    node: n.name, addresses: [n.ip, n.tunnel], fabricInterface: 'ens3',
    links: [
      { name: 'ens3', mtu: 1500, mac: '52:54:00:00:00:01', kind: 'veth' },
      ...(modes.has('ipip') ? [{ name: 'tunl0', mtu: 1480, mac: '', kind: 'tun' }] : []),
      ...(modes.has('vxlan') ? [{ name: 'vxlan.calico', mtu: 1450, mac: n.vtepMac, kind: 'vxlan', vxlan: { vni: 4096, port: 4789 } }] : []),
      ...mine.map((p) => ({ name: p.iface, mtu: 1480, mac: 'ee:ee:ee:ee:ee:ee', kind: 'veth', proxyArp: true })),
    ],
    routes, lookups: {},
    neighbours: modes.has('vxlan') ? others.map((x) => ({ dev: 'vxlan.calico', ip: x.tunnel, mac: x.vtepMac, permanent: true })) : [],
    fdb: modes.has('vxlan') ? others.map((x) => ({ dev: 'vxlan.calico', mac: x.vtepMac, dst: x.ip })) : [],
    endpoints: mine.map((p) => ({ iface: p.iface, name: p.name, namespace: p.namespace, pod: p.pod, ips: p.ips })),
    ruleset: rulesetOf(n.name, pods, o.policy),
    pools: o.blockModes
      ? NODES.map((x) => ({ cidr: x.block, natOutgoing: o.natOutgoing ?? true, ipipMode: modeOf(x) === 'ipip' ? 'Always' : 'Never', vxlanMode: modeOf(x) === 'vxlan' ? 'Always' : 'Never' }))
      : [{ cidr: '192.168.0.0/16', natOutgoing: o.natOutgoing ?? true, ipipMode: o.mode === 'ipip' ? 'Always' : 'Never', vxlanMode: o.mode === 'vxlan' ? 'Always' : 'Never' }],
    blocks: NODES.map((x) => ({ cidr: x.block, node: x.name })),
    peers: !modes.has('ipip') && !modes.has('none') ? [] : others.map((x) => ({ address: x.ip, node: x.name, state: o.missingRemoteRoute ? 'Active' : 'Established' })),
    nodeAddresses: Object.fromEntries(NODES.flatMap((x) => [[x.ip, x.name], [x.tunnel, x.name]])),
  };
  return snap;
}

function rulesetOf(node: string, pods: KnownEndpoint[], policy: Partial<PolicySnapshot> | undefined) {
  const calc = new PolicyCalculator({ nodeName: node });
  calc.update({ ...emptySnapshot(), workloadEndpoints: pods.map((p) => wepOf(p)), ...policy });
  return calc.ruleset();
}

/**
 * The kernel's RTM_GETROUTE answer, as the agent gathers it: longest prefix over the table, with an error
 * for blackhole and missing routes (the kernel answers EINVAL / ENETUNREACH there).
 */
export function kernelLookup(s: NodeSnapshot, ip: string): RouteAnswer {
  let best: RouteAnswer | undefined, len = -1;
  for (const x of s.routes) {
    const [net, bits] = x.dst!.split('/');
    const b = Number(bits);
    const toInt = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const mask = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
    if (((toInt(ip) & mask) >>> 0) === ((toInt(net!) & mask) >>> 0) && b > len) { best = x; len = b; }
  }
  if (!best) return { type: 'unreachable', error: 'Network is unreachable (ENETUNREACH)' };
  if (best.type === 'blackhole') return { type: 'blackhole', error: 'Invalid argument (EINVAL)' };
  return { ...best };
}

/** Asks paper nodes: fills each lookup the way the agent does (dst, gateway, FDB destinations), then the model. */
export function paperAsker(o: PaperOptions): AskNode {
  return async (node, pkt, arrival) => {
    const n = NODES.find((x) => x.name === node)!;
    const s = snapshotOf(n, o);
    const want = new Set([pkt.dst, ...(pkt.unNatTo ? [pkt.unNatTo] : [])]);
    const first = kernelLookup(s, pkt.dst);
    if (first.gateway) want.add(first.gateway);
    for (const f of s.fdb) want.add(f.dst);
    for (const ip of want) s.lookups[ip] = kernelLookup(s, ip);
    return nodeSegment(s, pkt, arrival);
  };
}

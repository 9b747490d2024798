// The lab's shape, computed without touching the kernel: which namespaces exist, which links join them and
// which addresses and routes each gets. Addresses follow the article: a 172.17.0.0/16 fabric with the gateway
// at 172.17.0.1, controlplane at .32 and node01 at .40, nodes reach it over `ens3`, pods come from
// 192.168.0.0/16. With two subnets the fabric splits into 172.17.0.0/24 and 172.17.1.0/24, joined by the router.

export type LabMode = 'ipip' | 'vxlan' | 'none' | 'ipip-crosssubnet' | 'vxlan-crosssubnet';
export const LAB_MODES: readonly LabMode[] = ['ipip', 'vxlan', 'none', 'ipip-crosssubnet', 'vxlan-crosssubnet'];
export type LabDatastore = 'embedded' | 'etcd';

export interface LabOptions {
  /** Lab name; every namespace of the lab is named `<name>-…`. */
  name: string;
  nodes: number;
  mode: LabMode;
  datastore: LabDatastore;
  subnets: 1 | 2;
  podCidr: string;
  /** etcd members (1, 3 or 5; default 1). One runs on the controlplane; several get a namespace each. */
  etcdMembers?: number;
  /** Serve etcd over TLS (client and peer certificates from a lab CA) and require client certificates. */
  etcdTls?: boolean;
}

export const NODE_INTERFACE = 'ens3';
export const POD_CIDR = '192.168.0.0/16';
/** Stands for the internet (the article's VXLAN demo pings 8.8.8.8). */
export const EXTERNAL_IP = '8.8.8.8';
const WAN_ROUTER_IP = '203.0.113.1';
const WAN_EXTERNAL_IP = '203.0.113.10';
/** etcd runs where kubeadm runs it: on the controlplane node (etcd-controlplane), on its node IP. */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_MEMBER_COUNTS: readonly number[] = [1, 3, 5];
/** Members of a multi-member cluster sit on the first subnet at .11, .12, … (below the nodes' .32/.40+). */
const ETCD_MEMBER_HOST_BASE = 10;
export const MAX_NODES = 200;

export interface AddressedLink {
  ns: string;
  ifname: string;
  /** CIDR form, e.g. 172.17.0.32/16. */
  address: string;
}

export interface VethPlan {
  a: AddressedLink | { ns: string; ifname: string };
  b: AddressedLink | { ns: string; ifname: string };
  /** Bridge (in b's namespace) that b's end is enslaved to. */
  bridge?: string;
}

export interface NodePlan {
  name: string;
  ns: string;
  ip: string;
  prefixLen: number;
  subnet: number;
  gateway: string;
}

/** One etcd member: where it runs and the address its client and peer URLs use. */
export interface EtcdMemberPlan {
  /** etcd's --name. */
  name: string;
  ns: string;
  ip: string;
}

export interface TopologyPlan {
  prefix: string;
  /** Empty unless the lab's datastore is etcd. */
  etcdMembers: EtcdMemberPlan[];
  fabricNs: string;
  routerNs: string;
  externalNs: string;
  bridges: string[];
  nodes: NodePlan[];
  veths: VethPlan[];
  /** Routes to add, per namespace (iproute2 argument lists after `ip route add`). */
  routes: { ns: string; args: string[] }[];
  /** Extra addresses on a namespace's loopback (the external host's 8.8.8.8). */
  loopbackAddresses: { ns: string; address: string }[];
  /** Namespaces that forward (router and nodes, as kubeadm's preflight requires ip_forward=1). */
  forwarding: string[];
}

/** The MAC the lab gives an addressed end on a fabric bridge: locally administered, from its IPv4 address. */
export function fabricMac(cidr: string): string {
  return ['02', '00', ...cidr.split('/')[0]!.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export interface StaticNeighbour { ns: string; dev: string; ip: string; mac: string }

/**
 * Permanent ARP entries between every pair of addressed ends on the same fabric bridge (nodes, the router's
 * legs, etcd members). The kernel's neighbour table is one for the whole machine (gc_thresh3, 1024 by
 * default, counts every namespace's dynamic entries): a 50-node mesh needs 50·49 of them and overflows it
 * ("neighbor table overflow", connects failing with EHOSTUNREACH). Permanent entries are exempt from that
 * limit, and the lab may not raise it (it never touches the root namespace's sysctls).
 */
export function fabricNeighbours(plan: Pick<TopologyPlan, 'veths'>): StaticNeighbour[] {
  const byBridge = new Map<string, AddressedLink[]>();
  for (const v of plan.veths) {
    if (!v.bridge || !('address' in v.a)) continue;
    const l = byBridge.get(v.bridge) ?? [];
    l.push(v.a);
    byBridge.set(v.bridge, l);
  }
  const out: StaticNeighbour[] = [];
  for (const ends of byBridge.values()) {
    for (const a of ends) {
      for (const b of ends) if (a !== b) out.push({ ns: a.ns, dev: a.ifname, ip: b.address.split('/')[0]!, mac: fabricMac(b.address) });
    }
  }
  return out;
}

const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/;

/** Checks a lab name: short (interface and namespace names derive from it), lower-case alphanumerics and '-'. */
export function validateLabName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new Error(`invalid lab name "${name}": use 1-16 lower-case letters, digits or '-', not starting or ending with '-'`);
  }
}

/** Node names as in the article: controlplane, node01, node02, … */
export function nodeNames(count: number): string[] {
  const names = ['controlplane'];
  for (let i = 1; i < count; i++) names.push(`node${String(i).padStart(2, '0')}`);
  return names;
}

/**
 * Node i's address. One subnet: 172.17.0.32 for controlplane, then 172.17.0.40, .41, … (the article's .32 and .40).
 * Two subnets: even nodes in 172.17.0.0/24, odd ones in 172.17.1.0/24,
 * each at .32 / .40+ of its subnet.
 */
export function nodeAddress(index: number, subnets: 1 | 2): { ip: string; prefixLen: number; subnet: number; gateway: string } {
  if (subnets === 1) {
    const host = index === 0 ? 32 : 39 + index; // node01 = .40; MAX_NODES keeps this under .255
    return { ip: `172.17.0.${host}`, prefixLen: 16, subnet: 0, gateway: '172.17.0.1' };
  }
  const subnet = index % 2;
  const k = Math.floor(index / 2); // position within its subnet
  const host = subnet === 0 ? (k === 0 ? 32 : 40 + k) : 40 + k;
  if (host > 254) throw new Error(`too many nodes for two /24 subnets`);
  return { ip: `172.17.${subnet}.${host}`, prefixLen: 24, subnet, gateway: `172.17.${subnet}.1` };
}

export function planTopology(opts: LabOptions): TopologyPlan {
  validateLabName(opts.name);
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES) {
    throw new Error(`--nodes must be an integer from 1 to ${MAX_NODES}, got ${opts.nodes}`);
  }
  if (opts.subnets !== 1 && opts.subnets !== 2) throw new Error(`--subnets must be 1 or 2, got ${String(opts.subnets)}`);
  if (!LAB_MODES.includes(opts.mode)) throw new Error(`--mode must be one of ${LAB_MODES.join('|')}, got "${opts.mode}"`);
  validateEtcdOptions(opts);
  const p = opts.name;
  const fabricNs = `${p}-fabric`;
  const routerNs = `${p}-router`;
  const externalNs = `${p}-external`;
  const bridges = opts.subnets === 2 ? ['br0', 'br1'] : ['br0'];
  const veths: VethPlan[] = [];
  const routes: TopologyPlan['routes'] = [];

  // Router: one leg per subnet on the fabric bridges, one towards the external host.
  for (let s = 0; s < opts.subnets; s++) {
    veths.push({
      a: { ns: routerNs, ifname: `eth${s}`, address: opts.subnets === 2 ? `172.17.${s}.1/24` : '172.17.0.1/16' },
      b: { ns: fabricNs, ifname: `rt${s}` },
      bridge: bridges[s],
    });
  }
  veths.push({
    a: { ns: routerNs, ifname: 'wan0', address: `${WAN_ROUTER_IP}/24` },
    b: { ns: externalNs, ifname: 'eth0', address: `${WAN_EXTERNAL_IP}/24` },
  });
  routes.push({ ns: externalNs, args: ['default', 'via', WAN_ROUTER_IP] });
  routes.push({ ns: routerNs, args: [`${EXTERNAL_IP}/32`, 'via', WAN_EXTERNAL_IP] });

  const nodes: NodePlan[] = nodeNames(opts.nodes).map((name, i) => {
    const a = nodeAddress(i, opts.subnets);
    return { name, ns: `${p}-${name}`, ...a };
  });
  nodes.forEach((n, i) => {
    veths.push({
      a: { ns: n.ns, ifname: NODE_INTERFACE, address: `${n.ip}/${n.prefixLen}` },
      b: { ns: fabricNs, ifname: `n${i}` },
      bridge: bridges[n.subnet],
    });
    routes.push({ ns: n.ns, args: ['default', 'via', n.gateway, 'dev', NODE_INTERFACE] });
  });
  const etcdMembers = planEtcdMembers(opts, nodes, fabricNs, bridges[0]!, veths, routes);
  return {
    prefix: p, etcdMembers, fabricNs, routerNs, externalNs, bridges, nodes, veths, routes,
    loopbackAddresses: [{ ns: externalNs, address: `${EXTERNAL_IP}/32` }],
    forwarding: [routerNs, ...nodes.map((n) => n.ns)],
  };
}

/** Every namespace of the plan, in creation order. */
export function planNamespaces(plan: TopologyPlan): string[] {
  const nodeNs = plan.nodes.map((n) => n.ns);
  const etcdNs = plan.etcdMembers.map((m) => m.ns).filter((ns) => !nodeNs.includes(ns));
  return [plan.fabricNs, plan.routerNs, plan.externalNs, ...nodeNs, ...etcdNs];
}

function validateEtcdOptions(opts: LabOptions): void {
  const members = opts.etcdMembers ?? 1;
  if (!ETCD_MEMBER_COUNTS.includes(members)) {
    throw new Error(`--etcd-members must be ${ETCD_MEMBER_COUNTS.join(', ')} (an odd count: an even one tolerates no more failures), got ${members}`);
  }
  if (opts.datastore !== 'etcd' && (members !== 1 || opts.etcdTls)) {
    throw new Error(`${members !== 1 ? '--etcd-members' : '--etcd-tls'} needs --datastore etcd`);
  }
}

/**
 * The etcd members: one on the controlplane (where kubeadm runs it), or, for a cluster, one namespace per
 * member on the first subnet's bridge, reachable from every node over the fabric.
 */
function planEtcdMembers(
  opts: LabOptions, nodes: NodePlan[], fabricNs: string, bridge: string, veths: VethPlan[], routes: TopologyPlan['routes'],
): EtcdMemberPlan[] {
  if (opts.datastore !== 'etcd') return [];
  const count = opts.etcdMembers ?? 1;
  const cp = nodes[0]!;
  if (count === 1) return [{ name: `${opts.name}-etcd`, ns: cp.ns, ip: cp.ip }];
  const first = nodeAddress(0, opts.subnets);
  const members: EtcdMemberPlan[] = [];
  for (let i = 1; i <= count; i++) {
    const ip = `172.17.0.${ETCD_MEMBER_HOST_BASE + i}`;
    const ns = `${opts.name}-etcd${i}`;
    members.push({ name: `${opts.name}-etcd${i}`, ns, ip });
    veths.push({ a: { ns, ifname: 'eth0', address: `${ip}/${first.prefixLen}` }, b: { ns: fabricNs, ifname: `e${i}` }, bridge });
    routes.push({ ns, args: ['default', 'via', first.gateway, 'dev', 'eth0'] });
  }
  return members;
}

/** Pool settings a calico-node would be given for a lab mode (the env of the calico-node DaemonSet). */
export function modeEnv(mode: LabMode): { ipip: string; vxlan: string; backend: 'bird' | 'vxlan' } {
  switch (mode) {
    case 'ipip': return { ipip: 'Always', vxlan: 'Never', backend: 'bird' };
    case 'ipip-crosssubnet': return { ipip: 'CrossSubnet', vxlan: 'Never', backend: 'bird' };
    case 'vxlan': return { ipip: 'Never', vxlan: 'Always', backend: 'vxlan' };
    case 'vxlan-crosssubnet': return { ipip: 'Never', vxlan: 'CrossSubnet', backend: 'vxlan' };
    case 'none': return { ipip: 'Never', vxlan: 'Never', backend: 'bird' };
  }
}

// The node agent's calculation: datastore snapshot + this node → desired kernel state. Pure: no I/O, no
// clock, no randomness, so it is unit-tested with plain objects and re-run from scratch after every batch
// of datastore changes (the reconcilers turn the difference into kernel operations). In two parts: what the
// snapshot gives, then the BGP-learned routes, so a hand-over of learned routes redoes only the second.
//
//   Snapshot ─┬─ IPPool ───────────► pools ──┬──► NAT sets (masq pools / all pools)
//             │                              ├──► encapsulation per block (vxlan | ipip | direct)
//             ├─ Node ─────────────► nodes ──┼──► local VTEP, remote VTEPs (ARP + FDB)
//             ├─ IPAMBlock ────────► blocks ─┼──► blackholes (local) · block routes (remote)
//             ├─ WorkloadEndpoint ─► weps ───┴──► workload /32 routes (local) · borrowed /32s (remote)
//   BGP speaker ── learned routes ─────────────► proto bird routes (IPIP → tunl0 onlink)
//
// Route precedence for one destination: workload > blackhole > datastore-derived remote > BGP-learned.
import { parseCidr4, parseIPv4, isIPv4, cidr4Covers, cidr4ContainsIP, maskOf } from '../../net/ipv4.ts';
import { isProblem, inCidr, type BlockInfo, type NodeInfo, type PoolInfo, type WorkloadInfo } from './model.ts';
import { parsedBlock, parsedNode, parsedPool, parsedWorkload } from './parsed.ts';
import type { Snapshot } from './snapshot.ts';
import {
  IPIP_DEVICE, IPIP_OVERHEAD, PROTO_AGENT, PROTO_BIRD, PROTO_BOOT, VXLAN_DEVICE, VXLAN_OVERHEAD, VXLAN_PORT, VXLAN_VNI,
  type DesiredRoute, type DesiredState, type LearnedRoute, type RouteClass, type Vtep,
} from './types.ts';

export interface CalcContext {
  nodeName: string;
  /** The interface holding the node's address (VXLAN parent, next hop device for direct routes). */
  parentIface: string;
  /** MTU of the host interface(s); the pod MTU is derived from it. */
  hostMtu: number;
  /** True when a BGP speaker runs in this agent (backend bird): it, not the datastore, supplies IPIP/no-encap routes. */
  bgpEnabled: boolean;
  learnedRoutes?: Iterable<LearnedRoute>;
  /** The host's default route: a BGP next hop beyond the local subnet is reached through it, as BIRD's
   *  `gateway recursive` resolves it (the kernel refuses a gateway that is not a neighbour). */
  underlayDefaultRoute?: { gateway: string; dev: string } | undefined;
  vxlanVni?: number;
  vxlanPort?: number;
}

const PRIORITY: Record<RouteClass, number> = { workload: 5, blackhole: 4, vxlan: 3, ipip: 3, direct: 3, bgp: 1 };

interface Indexed {
  pools: PoolInfo[];
  nodes: Map<string, NodeInfo>;
  blocks: BlockInfo[];
  weps: WorkloadInfo[];
  problems: string[];
}

export function indexSnapshot(snap: Snapshot): Indexed {
  const problems: string[] = [];
  const pools: PoolInfo[] = [];
  for (const r of snap.items('IPPool')) {
    const p = parsedPool(r);
    if (isProblem(p)) { if (!/IPv6/.test(p.reason)) problems.push(`${p.resource}: ${p.reason}`); } else pools.push(p);
  }
  const nodes = new Map<string, NodeInfo>();
  for (const r of snap.items('Node')) {
    const n = parsedNode(r);
    if (isProblem(n)) problems.push(`${n.resource}: ${n.reason}`); else nodes.set(n.name, n);
  }
  const blocks: BlockInfo[] = [];
  for (const r of snap.items('IPAMBlock')) {
    const b = parsedBlock(r);
    if (b === undefined) continue;
    if (isProblem(b)) problems.push(`${b.resource}: ${b.reason}`); else blocks.push(b);
  }
  const weps: WorkloadInfo[] = [];
  for (const r of snap.items('WorkloadEndpoint')) {
    const w = parsedWorkload(r);
    if (isProblem(w)) problems.push(`${w.resource}: ${w.reason}`); else weps.push(w);
  }
  pools.sort((a, b) => b.net.prefix - a.net.prefix); // most specific first for lookups
  return { pools, nodes, blocks, weps, problems };
}

function poolForIp(pools: PoolInfo[], ip: number): PoolInfo | undefined {
  return pools.find((p) => cidr4ContainsIP(p.net, ip));
}

/** Felix settings the calculation honours, from FelixConfiguration `default` overridden by `node.<name>`. */
export interface FelixSettings { vxlanVNI?: number; vxlanPort?: number; vxlanMTU?: number; ipipMTU?: number }

export function felixSettings(snap: Snapshot, nodeName: string, problems: string[] = []): FelixSettings {
  const out: FelixSettings = {};
  for (const name of ['default', `node.${nodeName}`]) {
    const spec = (snap.get('FelixConfiguration', name)?.spec ?? {}) as Record<string, unknown>;
    for (const [k, lo, hi] of [['vxlanVNI', 1, 16777215], ['vxlanPort', 1, 65535], ['vxlanMTU', 0, 65535], ['ipipMTU', 0, 65535]] as const) {
      const v = spec[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) { problems.push(`FelixConfiguration(${name}): ${k} ${JSON.stringify(v)} is not an integer in ${lo}-${hi}`); continue; }
      if (v !== 0) out[k] = v; // 0 = auto
    }
  }
  return out;
}

/**
 * What calculate() derives from the datastore snapshot alone: everything but the BGP-learned routes. With BGP,
 * the learned routes change far more often than the snapshot (each remote block arrives as an UPDATE on every
 * node), so the agent keeps this and redoes only withLearnedRoutes() while the snapshot stands.
 */
export interface SnapshotState {
  ix: Indexed;
  me: NodeInfo | undefined;
  blockOwner: CalcRun['blockOwner'];
  /** The desired state without learned routes (calculate() with BGP off is exactly this). */
  desired: DesiredState;
}

export function calculate(snap: Snapshot, ctx: CalcContext): DesiredState {
  return withLearnedRoutes(calculateFromSnapshot(snap, ctx), ctx);
}

/** calculate()'s first part; `ctx.learnedRoutes` and `ctx.underlayDefaultRoute` are not read. */
export function calculateFromSnapshot(snap: Snapshot, ctx: CalcContext): SnapshotState {
  const ix = indexSnapshot(snap);
  const { pools, problems } = ix;
  const run: CalcRun = { ctx, ix, me: ix.nodes.get(ctx.nodeName), blockOwner: blockIndex(ix.blocks), routes: new Map(), problems };

  const felix = felixSettings(snap, ctx.nodeName, problems);
  const vxlanMtu = felix.vxlanMTU ?? ctx.hostMtu - VXLAN_OVERHEAD;
  const ipipMtu = felix.ipipMTU ?? ctx.hostMtu - IPIP_OVERHEAD;
  const vxlanEnabled = pools.some((p) => p.vxlanMode !== 'Never');
  const ipipEnabled = pools.some((p) => p.ipipMode !== 'Never');

  // The steps run in this order so that `problems` reads in a stable order; routes are kept by PRIORITY.
  const workloadInterfaces = addLocalWorkloadRoutes(run);
  addBlockRoutes(run);
  addBorrowedAddressRoutes(run);
  const { localVtep, vteps } = vxlanEnabled ? vxlanVteps(run, felix, vxlanMtu) : { localVtep: undefined, vteps: new Map<string, Vtep>() };

  const me = run.me;
  const ipip = ipipEnabled && me?.ipipTunnelAddr ? { tunnelIp: me.ipipTunnelAddr, mtu: ipipMtu } : undefined;

  const desired: DesiredState = {
    routes: run.routes, localVtep, vteps, ipip,
    nat: {
      masqPools: pools.filter((p) => p.natOutgoing).map((p) => p.cidr).sort(),
      allPools: pools.map((p) => p.cidr).sort(),
    },
    workloadInterfaces: workloadInterfaces.sort(),
    podMtu: Math.min(ctx.hostMtu, vxlanEnabled ? vxlanMtu : Infinity, ipipEnabled ? ipipMtu : Infinity),
    problems,
  };
  return { ix, me, blockOwner: run.blockOwner, desired };
}

/**
 * calculate()'s second part: the snapshot's desired state plus the BGP-learned routes (lowest precedence, so
 * adding them last gives what one pass would). Does not change `base`; without BGP it is `base.desired`.
 */
export function withLearnedRoutes(base: SnapshotState, ctx: CalcContext): DesiredState {
  if (!ctx.bgpEnabled) return base.desired;
  const routes = new Map(base.desired.routes);
  const problems = [...base.desired.problems];
  addLearnedRoutes({ ctx, ix: base.ix, me: base.me, blockOwner: base.blockOwner, routes, problems });
  return { ...base.desired, routes, problems };
}

/** What the steps of one calculation share: the inputs, the parsed snapshot, and the routes chosen so far. */
interface CalcRun {
  ctx: CalcContext;
  ix: Indexed;
  /** This node, when its Node resource exists and parses. */
  me: NodeInfo | undefined;
  blockOwner: (ip: number) => BlockInfo | undefined;
  /** Destination → the route that wins it so far. */
  routes: Map<string, DesiredRoute>;
  /** The calculation's problems, in the order found. */
  problems: string[];
}

/** Offer a route: it replaces the one for the same destination only if its class ranks higher. */
function put(run: CalcRun, r: DesiredRoute): void {
  const old = run.routes.get(r.dst);
  if (!old || PRIORITY[r.class] > PRIORITY[old.class]) run.routes.set(r.dst, r);
}

/** Is the address on this node's own subnet (a neighbour, reachable without a gateway)? */
function onLocalSubnet(run: CalcRun, remoteIp: string): boolean {
  const localSubnet = run.me?.ipv4Cidr;
  return localSubnet !== undefined && inCidr(remoteIp, localSubnet);
}

/** How to reach `dst` (in `pool`) on `remote`; undefined when this node programs nothing for it. */
function remoteRoute(run: CalcRun, dst: string, pool: PoolInfo | undefined, remote: NodeInfo): DesiredRoute | undefined {
  const { ctx } = run;
  if (!remote.ipv4) return undefined;
  const direct: DesiredRoute = { dst, type: 'unicast', gateway: remote.ipv4, dev: ctx.parentIface, onlink: true, proto: PROTO_AGENT, class: 'direct' };
  if (pool && pool.vxlanMode !== 'Never') {
    if (pool.vxlanMode === 'CrossSubnet' && onLocalSubnet(run, remote.ipv4)) return direct;
    if (!remote.vxlanTunnelAddr) { run.problems.push(`Node(${remote.name}): no ipv4VXLANTunnelAddr yet; routes to it wait`); return undefined; }
    return { dst, type: 'unicast', gateway: remote.vxlanTunnelAddr, dev: VXLAN_DEVICE, onlink: true, proto: PROTO_AGENT, class: 'vxlan' };
  }
  if (ctx.bgpEnabled) return undefined; // the BGP speaker learns these and hands them over
  if (pool && pool.ipipMode !== 'Never') {
    if (pool.ipipMode === 'CrossSubnet' && onLocalSubnet(run, remote.ipv4)) return direct;
    return { dst, type: 'unicast', gateway: remote.ipv4, dev: IPIP_DEVICE, onlink: true, proto: PROTO_AGENT, class: 'ipip' };
  }
  // No encapsulation and no BGP: only a neighbour on our own subnet is reachable directly.
  return onLocalSubnet(run, remote.ipv4) ? direct : undefined;
}

/** Local workloads: /32 via their cali interface (proto boot, like routes the CNI plugin adds). Returns the interfaces. */
function addLocalWorkloadRoutes(run: CalcRun): string[] {
  const workloadInterfaces: string[] = [];
  for (const w of run.ix.weps) {
    if (w.node !== run.ctx.nodeName) continue;
    workloadInterfaces.push(w.interfaceName);
    for (const ip of w.ipv4s) {
      put(run, { dst: `${ip}/32`, type: 'unicast', dev: w.interfaceName, scope: 'link', proto: PROTO_BOOT, class: 'workload' });
    }
  }
  return workloadInterfaces;
}

/** Blocks: blackhole our own (so unused addresses are not forwarded elsewhere), route to the others. */
function addBlockRoutes(run: CalcRun): void {
  const { ctx, ix: { pools, nodes, blocks } } = run;
  for (const b of blocks) {
    if (!b.affinityNode) continue;
    if (b.affinityNode === ctx.nodeName) {
      // With BGP, Calico's BIRD installs this blackhole (the block it exports), so it reads `proto bird` as in
      // the article; without BGP, Felix programs it (proto 80).
      if (b.net.prefix < 32) put(run, { dst: b.cidr, type: 'blackhole', proto: ctx.bgpEnabled ? PROTO_BIRD : PROTO_AGENT, class: 'blackhole' });
      continue;
    }
    const remote = nodes.get(b.affinityNode);
    if (!remote) continue;
    const r = remoteRoute(run, b.cidr, poolForIp(pools, b.net.base), remote);
    if (r) put(run, r);
  }
}

/** Borrowed addresses: a remote workload whose IP sits in a block affine to some other node gets a /32. */
function addBorrowedAddressRoutes(run: CalcRun): void {
  const { ctx, ix: { pools, nodes, weps } } = run;
  for (const w of weps) {
    if (w.node === ctx.nodeName) continue;
    const remote = nodes.get(w.node);
    if (!remote) continue;
    for (const ip of w.ipv4s) {
      const n = parseIPv4(ip);
      const owner = run.blockOwner(n);
      if (owner && owner.affinityNode === w.node) continue;
      const r = remoteRoute(run, `${ip}/32`, poolForIp(pools, n), remote);
      if (r) put(run, r);
    }
  }
}

/** VTEPs (VXLAN on). A remote tunnel address outside that node's own blocks needs its own device route. */
function vxlanVteps(run: CalcRun, felix: FelixSettings, vxlanMtu: number): Pick<DesiredState, 'localVtep' | 'vteps'> {
  const { ctx, me } = run;
  const vteps = new Map<string, Vtep>();
  let localVtep: DesiredState['localVtep'];
  if (me?.vxlanTunnelAddr && me.ipv4) {
    localVtep = {
      tunnelIp: me.vxlanTunnelAddr, mac: me.vxlanTunnelMac, nodeIp: me.ipv4, parentIface: ctx.parentIface,
      mtu: vxlanMtu, vni: felix.vxlanVNI ?? ctx.vxlanVni ?? VXLAN_VNI, port: felix.vxlanPort ?? ctx.vxlanPort ?? VXLAN_PORT,
    };
  }
  for (const n of run.ix.nodes.values()) {
    if (n.name === ctx.nodeName || !n.vxlanTunnelAddr || !n.ipv4) continue;
    vteps.set(n.name, { node: n.name, tunnelIp: n.vxlanTunnelAddr, mac: n.vxlanTunnelMac, nodeIp: n.ipv4 });
    const owner = run.blockOwner(parseIPv4(n.vxlanTunnelAddr));
    if (!owner || owner.affinityNode !== n.name) {
      put(run, { dst: `${n.vxlanTunnelAddr}/32`, type: 'unicast', dev: VXLAN_DEVICE, scope: 'link', proto: PROTO_AGENT, class: 'vxlan' });
    }
  }
  return { localVtep, vteps };
}

/**
 * BGP-learned routes (backend bird). VXLAN pools are the agent's own business, as in Calico's BIRD
 * filters; IPIP pools go through tunl0 unless CrossSubnet and the next hop is a neighbour.
 */
function addLearnedRoutes(run: CalcRun): void {
  const { ctx, ix: { pools }, problems } = run;
  const localSubnet = run.me?.ipv4Cidr;
  // A table has many prefixes and few next hops (one per peer): each next hop is checked once per pass.
  const hops = new Map<string, { valid: boolean; neighbour: boolean }>();
  const hopOf = (nextHop: string) => {
    let h = hops.get(nextHop);
    if (!h) {
      const valid = isIPv4(nextHop);
      h = { valid, neighbour: valid && onLocalSubnet(run, nextHop) };
      hops.set(nextHop, h);
    }
    return h;
  };
  for (const lr of ctx.learnedRoutes ?? []) {
    const hop = hopOf(lr.nextHop);
    let net;
    try { net = parseCidr4(lr.prefix); } catch { net = undefined; }
    if (!net || !hop.valid) { problems.push(`learned route ${lr.prefix} via ${lr.nextHop}: malformed`); continue; }
    const dst = lr.prefix; // as written: parseCidr4 accepts no other spelling of a prefix length, and keeps host bits
    const pool = pools.find((p) => cidr4Covers(p.net, net));
    if (pool && pool.vxlanMode !== 'Never') continue;
    const ipip = pool !== undefined && (pool.ipipMode === 'Always' || (pool.ipipMode === 'CrossSubnet' && !hop.neighbour));
    if (ipip) put(run, { dst, type: 'unicast', gateway: lr.nextHop, dev: IPIP_DEVICE, onlink: true, proto: PROTO_BIRD, class: 'bgp' });
    else if (hop.neighbour) put(run, { dst, type: 'unicast', gateway: lr.nextHop, dev: ctx.parentIface, proto: PROTO_BIRD, class: 'bgp' });
    else if (ctx.underlayDefaultRoute) put(run, { dst, type: 'unicast', gateway: ctx.underlayDefaultRoute.gateway, dev: ctx.underlayDefaultRoute.dev, proto: PROTO_BIRD, class: 'bgp' });
    else problems.push(`learned route ${dst} via ${lr.nextHop}: next hop is outside this node's subnet${localSubnet ? ` (${localSubnet})` : ''} and the host has no default route to resolve it through`);
  }
}

/** Lookup of the block holding an address, O(number of distinct block sizes). */
function blockIndex(blocks: BlockInfo[]): (ip: number) => BlockInfo | undefined {
  const byBase = new Map<string, BlockInfo>();
  const prefixes = new Set<number>();
  for (const b of blocks) { byBase.set(`${b.net.base}/${b.net.prefix}`, b); prefixes.add(b.net.prefix); }
  const sorted = [...prefixes].sort((a, b) => b - a);
  return (ip) => {
    for (const p of sorted) {
      const b = byBase.get(`${(ip & maskOf(p)) >>> 0}/${p}`);
      if (b) return b;
    }
    return undefined;
  };
}

/** Pod MTU: the host MTU minus the overhead of the costliest enabled encapsulation (Felix's rule). */
export function podMtu(hostMtu: number, vxlan: boolean, ipip: boolean): number {
  let mtu = hostMtu;
  if (vxlan) mtu = Math.min(mtu, hostMtu - VXLAN_OVERHEAD);
  if (ipip) mtu = Math.min(mtu, hostMtu - IPIP_OVERHEAD);
  return mtu;
}

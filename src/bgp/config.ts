// The confd role, pure: datastore resources + this node's name → the speaker configuration Calico's
// templates would give BIRD (calico-behaviour.md §4): router id, AS, listen port, the node-to-node mesh,
// BGPPeers (global / per node / by selector), route-reflector clients, and the prefixes to export
// (confirmed affine blocks and borrowed /32s, minus pools with BGP export disabled). No I/O here.
import type { Resource, ResourceChange } from '../api/resource.ts';
import { parseSelector } from '../selector/index.ts';
import { canonicalPrefix } from './codec.ts';
import { ipInCIDR, isIPv6Text as isIPv6 } from '../net/ip.ts';
import { parseIPv4 as ipv4ToInt } from '../net/ipv4.ts';
import type { SpeakerConfig, SpeakerPeerConfig } from './speaker.ts';
import type { PeerType } from './status.ts';
import { peerFilters, type PeerFilters } from './filter.ts';

export const DEFAULT_AS_NUMBER = 64512;
export const DEFAULT_LISTEN_PORT = 179;
export const DEFAULT_MAX_RESTART_TIME = 120;

export interface BgpInputs {
  nodeName: string;
  nodes: Resource[];
  bgpConfigurations: Resource[];
  bgpPeers: Resource[];
  /** BGPFilter resources (named by BGPPeer `filters`). */
  bgpFilters?: Resource[];
  ipPools: Resource[];
  blocks: Resource[];
  affinities: Resource[];
}

export interface DesiredBgp {
  /** Undefined when this node cannot run BGP (no Node resource or no IPv4 address); `problem` says why. */
  config?: SpeakerConfig;
  problem?: string;
  logSeverityScreen: string;
  /** Configuration problems that were skipped (bad BGPPeer, bad selector…), each naming the resource. */
  warnings: string[];
}

/** "10.0.0.5/24" or "10.0.0.5" → "10.0.0.5". */
function stripMask(a: string | undefined): string | undefined {
  if (!a) return undefined;
  return a.split('/')[0];
}

/** Calico durations: "120s", "2m", "1h30m", or a number of seconds. */
export function parseDurationSeconds(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let total = 0, matched = '';
  for (let m = re.exec(s); m; m = re.exec(s)) {
    matched += m[0];
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
  }
  if (matched !== s) throw new Error(`invalid duration "${s}"`);
  return total;
}

/** Parse Calico's peerIP: "ip", "ip:port" or "[v6]:port". */
export function parsePeerIP(s: string): { address: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { address: v6[1]!, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  if ((s.match(/:/g) ?? []).length > 1) return { address: s };
  const m = /^([\d.]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid peerIP "${s}"`);
  ipv4ToInt(m[1]!);
  return { address: m[1]!, ...(m[2] ? { port: Number(m[2]) } : {}) };
}

/** BIRD protocol name Calico uses: Mesh_10_0_0_2, Node_192_168_1_1_port_1179. */
export function protocolName(prefix: 'Mesh' | 'Global' | 'Node', address: string, port?: number): string {
  return `${prefix}_${address.replace(/[.:]/g, '_')}${port && port !== DEFAULT_LISTEN_PORT ? `_port_${port}` : ''}`;
}

function parseAsn(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  // Calico accepts plain and asdot ("1.10") notation.
  const s = String(v);
  let n: number;
  if (/^\d+\.\d+$/.test(s)) { const [hi, lo] = s.split('.').map(Number); n = hi! * 65536 + lo!; } else n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new Error(`${what}: invalid AS number "${s}"`);
  return n;
}

const truthy = (v: unknown) => v === true || v === 'true';

interface NodeView { name: string; ip?: string; ip6?: string; asn?: number; clusterId?: string; labels: Record<string, string> }

function nodeView(n: Resource): NodeView {
  const bgp = n.spec?.bgp ?? {};
  const v: NodeView = { name: n.metadata.name, labels: n.metadata.labels ?? {} };
  const ip = stripMask(bgp.ipv4Address);
  if (ip) v.ip = ip;
  const ip6 = stripMask(bgp.ipv6Address);
  if (ip6) v.ip6 = ip6;
  const asn = parseAsn(bgp.asNumber, `Node ${n.metadata.name}`);
  if (asn) v.asn = asn;
  const cid = bgp.routeReflectorClusterID ?? n.metadata.annotations?.['projectcalico.org/RouteReflectorClusterID'];
  if (cid) v.clusterId = String(cid);
  return v;
}

function selects(selector: string | undefined, labels: Record<string, string>): boolean {
  return parseSelector(selector ?? '').evaluate(labels);
}

/** What peer derivation needs to know about this node and the cluster. */
interface PeerContext {
  me: NodeView & { ip: string };
  myAs: number;
  nodes: NodeView[];
  asOf(n: NodeView): number;
  /** Peers by address:port; the first configuration for an address:port wins. */
  peers: Map<string, SpeakerPeerConfig>;
  warnings: string[];
  filters: readonly Resource[];
}

const peerMapKey = (address: string, port: number) => `${address}:${port}`;

/** Work out this node's speaker configuration. */
export function desiredBgp(inp: BgpInputs): DesiredBgp {
  const warnings: string[] = [];
  const global = inp.bgpConfigurations.find((c) => c.metadata.name === 'default')?.spec ?? {};
  const perNode = inp.bgpConfigurations.find((c) => c.metadata.name === `node.${inp.nodeName}`)?.spec ?? {};
  const logSeverityScreen = String(perNode.logSeverityScreen ?? global.logSeverityScreen ?? 'Info');
  const nodes: NodeView[] = [];
  for (const n of inp.nodes) {
    try { nodes.push(nodeView(n)); } catch (e) { warnings.push((e as Error).message); }
  }
  const me = nodes.find((n) => n.name === inp.nodeName);
  if (!me) return { problem: `no Node resource named "${inp.nodeName}"`, logSeverityScreen, warnings };
  if (!me.ip) return { problem: `Node "${inp.nodeName}" has no spec.bgp.ipv4Address`, logSeverityScreen, warnings };

  let globalAs = DEFAULT_AS_NUMBER;
  try { globalAs = parseAsn(global.asNumber, 'BGPConfiguration default') ?? DEFAULT_AS_NUMBER; } catch (e) { warnings.push((e as Error).message); }
  const asOf = (n: NodeView) => n.asn ?? globalAs;
  const ctx: PeerContext = { me: { ...me, ip: me.ip }, myAs: asOf(me), nodes, asOf, peers: new Map(), warnings, filters: inp.bgpFilters ?? [] };
  const listenPort = Number(perNode.listenPort ?? global.listenPort ?? DEFAULT_LISTEN_PORT);
  const meshEnabled = global.nodeToNodeMeshEnabled === undefined ? true : truthy(global.nodeToNodeMeshEnabled);
  let meshRestart = DEFAULT_MAX_RESTART_TIME;
  try { meshRestart = parseDurationSeconds(global.nodeMeshMaxRestartTime) ?? DEFAULT_MAX_RESTART_TIME; } catch (e) { warnings.push(`BGPConfiguration default: ${(e as Error).message}`); }

  // Explicit BGPPeers first (global ones, then node specific, then the reverse peerings, as confd emits
  // them): the first peering to an address wins, and all win over a mesh peering to it.
  const isGlobal = (bp: Resource) => !bp.spec?.node && !bp.spec?.nodeSelector;
  const ordered = [...inp.bgpPeers].sort((a, b) => Number(isGlobal(b)) - Number(isGlobal(a)) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const guarded = (bp: Resource, fn: () => void) => {
    try { fn(); } catch (e) {
      const id = `BGPPeer ${bp.metadata.name}`;
      warnings.push((e as Error).message.startsWith('BGPPeer') ? (e as Error).message : `${id}: ${(e as Error).message}`);
    }
  };
  for (const bp of ordered) guarded(bp, () => addBgpPeer(ctx, bp));
  for (const bp of ordered) guarded(bp, () => addReversePeering(ctx, bp, listenPort));
  // Node-to-node mesh; route reflectors stay out of it.
  if (meshEnabled && me.clusterId === undefined) addMeshPeers(ctx, meshRestart, secretRef(global.nodeMeshPassword));

  const config: SpeakerConfig = {
    routerId: me.ip, asNumber: ctx.myAs, listenPort, peers: [...ctx.peers.values()], exports: exportedPrefixes(inp, warnings),
    exportPools: exportPools(inp.ipPools),
  };
  if (me.ip6) config.ipv6Address = me.ip6;
  if (me.clusterId) config.clusterId = me.clusterId;
  // A BGPPeer seen from both of its sides would report the same problem twice.
  return { config, logSeverityScreen, warnings: [...new Set(warnings)] };
}

const roundSeconds = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));

/** What one BGPPeer sets on every peering it makes (confd's setPeerConfigFieldsFromV3Resource and friends). */
interface PeerSettings {
  id: string;
  keepOriginalNextHop: boolean;
  maxRestartTime: number;
  useNodeIP: boolean;
  holdTime?: number | undefined;
  keepaliveTime?: number | undefined;
  filters?: PeerFilters | undefined;
  passwordSecret?: SecretRef | undefined;
}

type SecretRef = { name: string; key: string };

/** `{ secretKeyRef: { name, key } }` (BGPPeer password, BGPConfiguration nodeMeshPassword), as validated by the API. */
function secretRef(v: unknown): SecretRef | undefined {
  const ref = (v as { secretKeyRef?: { name?: unknown; key?: unknown } } | undefined)?.secretKeyRef;
  return ref ? { name: String(ref.name), key: String(ref.key) } : undefined;
}

function peerSettings(ctx: PeerContext, bp: Resource): PeerSettings {
  const s = bp.spec ?? {};
  const id = `BGPPeer ${bp.metadata.name}`;
  const names = Array.isArray(s.filters) ? s.filters.map(String) : [];
  return {
    id, keepOriginalNextHop: truthy(s.keepOriginalNextHop) || s.nextHopMode === 'Keep',
    // confd renders whole seconds (math.Round of the duration).
    maxRestartTime: roundSeconds(parseDurationSeconds(s.maxRestartTime)) ?? DEFAULT_MAX_RESTART_TIME, useNodeIP: s.sourceAddress !== 'None',
    holdTime: parseDurationSeconds(s.holdTime), keepaliveTime: roundSeconds(parseDurationSeconds(s.keepaliveTime)),
    filters: names.length ? peerFilters(names, ctx.filters, id, ctx.warnings) : undefined,
    passwordSecret: secretRef(s.password),
  };
}

/** Record one peering of this node (the first one for an address:port wins). */
function addPeering(ctx: PeerContext, set: PeerSettings, type: PeerType, address: string, port: number, asn: number, calicoPeer: NodeView | undefined, allowLocalAs?: number): void {
  const { me, peers } = ctx;
  if (peers.has(peerMapKey(address, port))) return;
  const pc: SpeakerPeerConfig = {
    name: protocolName(type === 'global' ? 'Global' : 'Node', address, port), address, port, asNumber: asn, type,
    // Between two Calico nodes only one side dials, like the mesh; external peers are dialled.
    passive: calicoPeer?.ip !== undefined && calicoPeer.ip > me.ip,
    // A route reflector (cluster id set) treats iBGP peers outside its cluster as its clients.
    rrClient: me.clusterId !== undefined && asn === ctx.myAs && calicoPeer?.clusterId !== me.clusterId,
    keepOriginalNextHop: set.keepOriginalNextHop, maxRestartTime: set.maxRestartTime,
  };
  if (set.useNodeIP && !isIPv6(address)) pc.sourceAddress = me.ip;
  if (set.holdTime !== undefined) pc.holdTime = set.holdTime;
  if (set.keepaliveTime !== undefined) pc.keepaliveTime = set.keepaliveTime;
  if (set.filters) pc.filters = set.filters;
  if (allowLocalAs) pc.allowLocalAs = allowLocalAs;
  if (set.passwordSecret) pc.passwordSecret = set.passwordSecret;
  peers.set(peerMapKey(address, port), pc);
}

/** Whether a BGPPeer's local side (node / nodeSelector; neither: every node) selects this node. */
function selectsLocalNode(s: Record<string, any>, n: NodeView): boolean {
  if (s.node) return s.node === n.name;
  if (s.nodeSelector) return selects(s.nodeSelector, n.labels);
  return true;
}

/** The peerings one BGPPeer gives this node as its local side (none when it selects other nodes only). Throws on a bad resource. */
function addBgpPeer(ctx: PeerContext, bp: Resource): void {
  const { me, nodes } = ctx;
  const s = bp.spec ?? {};
  if (!selectsLocalNode(s, me)) return;
  const type: PeerType = s.node || s.nodeSelector ? 'node specific' : 'global';
  const set = peerSettings(ctx, bp);
  if (s.peerSelector) {
    for (const other of nodes) {
      if (other.name === me.name || !other.ip || !selects(s.peerSelector, other.labels)) continue;
      addPeering(ctx, set, type, other.ip, DEFAULT_LISTEN_PORT, ctx.asOf(other), other);
    }
  } else if (s.peerIP) {
    const { address, port } = parsePeerIP(String(s.peerIP));
    if (address === me.ip || address === me.ip6) return;
    const asn = parseAsn(s.asNumber, set.id);
    if (asn === undefined) throw new Error(`${set.id}: asNumber is required with peerIP`);
    const allowLocalAs = s.numAllowedLocalASNumbers === undefined ? undefined : Number(s.numAllowedLocalASNumbers);
    addPeering(ctx, set, type, address, port ?? DEFAULT_LISTEN_PORT, asn, nodes.find((n) => n.ip === address), allowLocalAs);
  } else {
    throw new Error(`${set.id}: needs peerIP or peerSelector`);
  }
}

/**
 * confd's reverse peerings (reversePeering Auto, the default): when this node is on the remote side of a
 * BGPPeer (its peerSelector selects this node, or its peerIP and asNumber are this node's), it peers back
 * with every node on the local side. So one `nodeSelector: all()`, `peerSelector: route-reflector == 'true'`
 * BGPPeer also gives each reflector its sessions to the nodes. Runs after the forward peerings, which win.
 */
function addReversePeering(ctx: PeerContext, bp: Resource, listenPort: number): void {
  const { me, nodes } = ctx;
  const s = bp.spec ?? {};
  if (s.reversePeering === 'Manual' || s.localWorkloadSelector) return;
  if (s.peerSelector) {
    if (!selects(s.peerSelector, me.labels)) return;
  } else if (s.peerIP) {
    const { address, port } = parsePeerIP(String(s.peerIP));
    if (address !== me.ip || parseAsn(s.asNumber, `BGPPeer ${bp.metadata.name}`) !== ctx.myAs || (port !== undefined && port !== listenPort)) return;
  } else return;
  const set = peerSettings(ctx, bp);
  for (const other of nodes) {
    if (other.name === me.name || !other.ip || !selectsLocalNode(s, other)) continue;
    // A forward peering to that node on another port (peerIP ip:port) already covers it.
    if ([...ctx.peers.values()].some((p) => p.address === other.ip)) continue;
    addPeering(ctx, set, 'node specific', other.ip, DEFAULT_LISTEN_PORT, ctx.asOf(other), other);
  }
}

/** Node-to-node mesh: every other node with an address that is not a route reflector and not already peered. */
function addMeshPeers(ctx: PeerContext, maxRestartTime: number, passwordSecret: SecretRef | undefined): void {
  const { me, peers } = ctx;
  for (const other of ctx.nodes) {
    if (other.name === me.name || !other.ip || other.clusterId !== undefined) continue;
    if (peers.has(peerMapKey(other.ip, DEFAULT_LISTEN_PORT))) continue;
    peers.set(peerMapKey(other.ip, DEFAULT_LISTEN_PORT), {
      name: protocolName('Mesh', other.ip), address: other.ip, port: DEFAULT_LISTEN_PORT, asNumber: ctx.asOf(other), type: 'node-to-node mesh',
      passive: other.ip > me.ip, rrClient: false, keepOriginalNextHop: false, sourceAddress: me.ip, maxRestartTime,
      ...(passwordSecret ? { passwordSecret } : {}),
    });
  }
}

/** confd's calico_export_to_bgp_peers accepts routes inside each pool except those with disableBGPExport. */
function exportPools(pools: readonly Resource[]): string[] {
  const out: string[] = [];
  for (const p of pools) {
    if (truthy(p.spec?.disableBGPExport) || !p.spec?.cidr) continue;
    try { out.push(canonicalPrefix(String(p.spec.cidr))); } catch { /* an invalid pool exports nothing */ }
  }
  return out.sort();
}

/**
 * Whether a change can alter this node's BGP configuration. IPAM blocks and block affinities reach it only as
 * this node's exports (exportedPrefixes): its own blocks and the addresses it borrowed in other nodes' blocks.
 * Every pod anywhere changes some block; in a mesh most of those changes are no business of this speaker.
 */
export function affectsBgp(kind: string, change: ResourceChange, nodeName: string): boolean {
  const versions = [change.old, change.now].filter((r): r is Resource => r !== undefined);
  if (kind === 'IPAMBlock') {
    return versions.some((b) => b.spec?.affinity === `host:${nodeName}`
      || (Array.isArray(b.spec?.attributes) && b.spec.attributes.some((a: { secondary?: { node?: string } } | null) => a?.secondary?.node === nodeName)));
  }
  if (kind === 'BlockAffinity') return versions.some((a) => a.spec?.node === nodeName);
  return true;
}

/**
 * Prefixes this node originates: each block affine to it (and confirmed, when a BlockAffinity says so),
 * and a /32 for each address it holds in another node's block (a borrowed IP), skipping pools that are
 * disabled or have disableBGPExport.
 */
export function exportedPrefixes(inp: Pick<BgpInputs, 'nodeName' | 'ipPools' | 'blocks' | 'affinities'>, warnings: string[] = []): string[] {
  const out = new Set<string>();
  const noExport = inp.ipPools.filter((p) => truthy(p.spec?.disableBGPExport) || truthy(p.spec?.disabled)).map((p) => String(p.spec?.cidr ?? ''));
  const exportable = (cidr: string) => {
    if (isIPv6(cidr)) return !noExport.includes(cidr);
    const [net] = cidr.split('/');
    return !noExport.some((pc) => pc && !isIPv6(pc) && ipInCIDR(net!, pc));
  };
  const affinityState = new Map<string, string>();
  for (const a of inp.affinities) {
    if (a.spec?.node !== inp.nodeName || truthy(a.spec?.deleted)) continue;
    affinityState.set(String(a.spec.cidr), String(a.spec.state ?? 'confirmed'));
  }
  for (const b of inp.blocks) {
    const s = b.spec ?? {};
    if (truthy(s.deleted) || !s.cidr) continue;
    let cidr: string;
    try { cidr = canonicalPrefix(String(s.cidr)); } catch { warnings.push(`IPAMBlock ${b.metadata.name}: invalid cidr "${s.cidr}"`); continue; }
    if (!exportable(cidr)) continue;
    if (s.affinity === `host:${inp.nodeName}`) {
      const st = affinityState.get(String(s.cidr)) ?? affinityState.get(cidr);
      if (st === undefined || st === 'confirmed') out.add(cidr);
      continue;
    }
    if (isIPv6(cidr)) continue;
    // Borrowed addresses: allocations in someone else's block whose attributes name this node.
    const attrs: { secondary?: Record<string, string> }[] = s.attributes ?? [];
    const allocations: (number | null)[] = s.allocations ?? [];
    const base = ipv4ToInt(cidr.split('/')[0]!);
    allocations.forEach((idx, ord) => {
      if (idx === null || idx === undefined) return;
      if (attrs[idx]?.secondary?.node !== inp.nodeName) return;
      const ip = base + ord;
      out.add(`${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}/32`);
    });
  }
  return [...out].sort();
}

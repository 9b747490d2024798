// The policy calculation: plain v3 resources in, the desired nftables ruleset for one node out. Pure (no
// I/O); the only state is incremental indexes so that a pod coming or going costs O(#selectors), not a
// recomputation of the whole cluster.
//
// Ruleset shape (one table, `inet tabby`; Calico's chain names inside):
//   cali-FORWARD / cali-INPUT (base chains) ─ iifname "cali*" → cali-from-wl-dispatch, oifname "cali*" → cali-to-wl-dispatch
//   cali-*-wl-dispatch: unknown interface → drop, anti-spoofing (iface . saddr set), conntrack, then ONE verdict-map
//                       lookup keyed by interface → goto cali-fw-<iface> / cali-tw-<iface>
//   cali-fw-/tw-<iface>: goto the endpoint's policy program (cali-pgo-/pgi-<hash>), shared by every endpoint
//                        with the same tiers/policies/profiles
//   program: per tier: clear pass mark, jump cali-pi-/po-<policy> per policy, return if accepted, end-of-tier drop;
//            then profiles cali-pri-/pro-<profile>; final drop
//   cali-pi-/po-<policy>: one nft rule per (rule × port alternative); Allow = set accept mark + return,
//                         Deny = drop, Pass = set pass mark + return, Log = log and continue
//   selectors → sets cali40s-<hash> (addresses, interval), named ports → cali40n-<hash> (addr . port),
//   and cali60s-/cali60n- twins once the cluster has IPv6 addresses,
//   literal net/port lists → shared sets cali40nets-/cali60nets-/cali-ports-<hash>
import { createHash } from 'node:crypto';
import { parseSelector, type Selector } from '../selector/index.ts';
import { disjointCIDRs, parseNet, type Net } from '../net/ip.ts';
import {
  DEFAULT_TIER, DEFAULT_TIER_ORDER, LABEL_NAMESPACE, LABEL_ORCHESTRATOR, effectiveTypes,
  type EndpointPort, type EntityRule, type PolicySnapshot, type PolicySpec, type PortSpec, type Rule,
} from './model.ts';

export const TABLE_FAMILY = 'inet';
export const TABLE_NAME = 'tabby';
export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
const MARK_CLEAR_BOTH = '0xfffcffff';
const MARK_CLEAR_PASS = '0xfffdffff';
const SET_ACCEPT = `meta mark set meta mark or 0x${MARK_ACCEPT.toString(16)}`;
const SET_PASS = `meta mark set meta mark or 0x${MARK_PASS.toString(16)}`;
const IS_ACCEPTED = `meta mark and 0x${MARK_ACCEPT.toString(16)} == 0x${MARK_ACCEPT.toString(16)}`;
const NOT_PASSED = `meta mark and 0x${MARK_PASS.toString(16)} == 0`;

export const WORKLOAD_IFACE_PREFIX = 'cali';
export const SET_WL_IFACES = 'cali-wl-ifaces';
export const SET_WL_ADDRS_V4 = 'cali40-wl-addrs';
export const SET_WL_ADDRS_V6 = 'cali60-wl-addrs';
export const MAP_TO_WL = 'cali-to-wl-dispatch';
export const MAP_FROM_WL = 'cali-from-wl-dispatch';

// ---------------------------------------------------------------------------------------------------------
// The desired-state model handed to the renderer.

export interface NftSetModel {
  name: string;
  /** nft type expression, e.g. `ipv4_addr`, `ifname . ipv4_addr`. */
  type: string;
  interval: boolean;
  /** Elements as nft text (`10.0.0.5`, `"cali0a" . 10.0.0.5`). */
  elements: Set<string>;
}

export interface NftMapModel {
  name: string;
  /** Key type; the value type is always `verdict`. */
  keyType: string;
  /** Element key text → verdict text (`"cali0a"` → `goto cali-tw-cali0a`). */
  elements: Map<string, string>;
}

export interface BaseChainHook { type: 'filter'; hook: 'forward' | 'input' | 'output'; priority: number; policy: 'accept' | 'drop' }

export interface NftChainModel {
  name: string;
  base?: BaseChainHook;
  /** Rule bodies as nft text, in order. */
  rules: string[];
}

export interface RulesetModel {
  family: string;
  table: string;
  sets: Map<string, NftSetModel>;
  maps: Map<string, NftMapModel>;
  chains: Map<string, NftChainModel>;
}

export function emptyRuleset(): RulesetModel {
  return { family: TABLE_FAMILY, table: TABLE_NAME, sets: new Map(), maps: new Map(), chains: new Map() };
}

export type EndpointToHostAction = 'Accept' | 'Drop' | 'Return';

export interface CalcOptions {
  nodeName: string;
  /** Felix's defaultEndpointToHostAction after the endpoint's egress policy allowed pod→host traffic. */
  endpointToHostAction?: EndpointToHostAction;
  /** Felix's allowVXLANPacketsFromWorkloads / allowIPIPPacketsFromWorkloads (default false: dropped). */
  allowVXLANFromWorkloads?: boolean;
  allowIPIPFromWorkloads?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Items selectors can match: workload endpoints (anywhere in the cluster) and network sets.

type Labels = Record<string, string>;

interface Item {
  key: string;
  kind: 'wep' | 'netset' | 'gnetset';
  namespace?: string;
  labels: Labels;
  /** Labels of the item's namespace (namespaced items only). */
  nsLabels?: Labels;
  /** Addresses/nets the item contributes to a set, canonical CIDR text. */
  nets: Net[];
  node?: string;
  ports: EndpointPort[];
  serviceAccount?: string;
}

type Scope = { ns: string } | { nsSel: string } | 'any';

/** What a selector IP set holds: items in `scope` matching `sel` (and service-account names, if given). */
interface PeerKey { sel: string; scope: Scope; saNames?: string[] }

function scopeText(s: Scope): string {
  if (s === 'any') return 'any';
  return 'ns' in s ? `ns=${s.ns}` : `nsSel=${s.nsSel}`;
}

function peerKeyText(k: PeerKey): string {
  return `sel=${k.sel};${scopeText(k.scope)}${k.saNames ? `;sa=${[...k.saNames].sort().join(',')}` : ''}`;
}

function hashOf(text: string, len: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

const selectorCache = new Map<string, Selector>();
function selector(expr: string): Selector {
  let s = selectorCache.get(expr);
  if (!s) {
    s = parseSelector(expr);
    if (selectorCache.size > 50_000) selectorCache.clear();
    selectorCache.set(expr, s);
  }
  return s;
}

function scopeMatches(scope: Scope, item: Item): boolean {
  if (scope === 'any') return true;
  if ('ns' in scope) return item.namespace === scope.ns;
  const nsSel = selector(scope.nsSel);
  // global() picks non-namespaced items (global network sets); otherwise match the namespace's labels.
  if (nsSel.usesGlobal) return item.namespace === undefined && nsSel.evaluate({});
  return item.namespace !== undefined && nsSel.evaluate(item.nsLabels ?? {});
}

function peerMatches(k: PeerKey, item: Item): boolean {
  if (!scopeMatches(k.scope, item)) return false;
  if (k.saNames && (item.kind !== 'wep' || !item.serviceAccount || !k.saNames.includes(item.serviceAccount))) return false;
  return selector(k.sel).evaluate(item.labels);
}

/**
 * Incremental membership index (Felix's label index in miniature): matchers × items → members. Adding an
 * item evaluates it against every matcher; adding a matcher evaluates it against every item. Matchers whose
 * membership changed are remembered so the caller can rebuild only those sets.
 */
export class MembershipIndex<M> {
  private readonly matchers = new Map<string, { def: M; members: Set<string> }>();
  private readonly items = new Map<string, { item: Item; fingerprint: string }>();
  private dirty = new Set<string>();
  constructor(private readonly test: (def: M, item: Item) => boolean) {}

  /** Matcher keys whose membership changed since the last call. */
  takeDirty(): Set<string> {
    const d = this.dirty;
    this.dirty = new Set();
    return d;
  }

  /** Replace the item population; unchanged items (same fingerprint) cost nothing. */
  setItems(next: Map<string, { item: Item; fingerprint: string }>): void {
    for (const [key, old] of this.items) {
      const n = next.get(key);
      if (n && n.fingerprint === old.fingerprint) continue;
      for (const [mk, m] of this.matchers) if (m.members.delete(key)) this.dirty.add(mk);
      this.items.delete(key);
    }
    for (const [key, n] of next) {
      if (this.items.has(key)) continue;
      this.items.set(key, n);
      for (const [mk, m] of this.matchers) if (this.test(m.def, n.item)) { m.members.add(key); this.dirty.add(mk); }
    }
  }

  /** Replace the matcher population (key → definition); existing keys keep their memberships. */
  setMatchers(next: Map<string, M>): void {
    for (const key of this.matchers.keys()) if (!next.has(key)) this.matchers.delete(key);
    for (const [key, def] of next) {
      if (this.matchers.has(key)) continue;
      const members = new Set<string>();
      for (const [ik, { item }] of this.items) if (this.test(def, item)) members.add(ik);
      this.matchers.set(key, { def, members });
      this.dirty.add(key);
    }
  }

  members(key: string): Set<string> { return this.matchers.get(key)?.members ?? new Set(); }
  item(key: string): Item | undefined { return this.items.get(key)?.item; }
  get matcherCount(): number { return this.matchers.size; }
}

// ---------------------------------------------------------------------------------------------------------
// Rule compilation.

const PROTO_NAMES: Record<string, string> = {
  tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'ipv6-icmp', sctp: 'sctp', udplite: 'udplite',
};
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'udplite', '6', '17', '132', '136']);

function protoText(p: string | number, where: string): string {
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 1 || p > 255) throw new Error(`${where}: protocol ${p} is not 1-255`);
    return String(p);
  }
  const n = PROTO_NAMES[p.toLowerCase()];
  if (n) return n;
  if (/^\d+$/.test(p)) return protoText(Number(p), where);
  throw new Error(`${where}: unknown protocol "${p}" (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255)`);
}

interface ParsedPorts { numeric: string[]; named: string[] }

function parsePorts(ports: PortSpec[] | undefined, where: string): ParsedPorts {
  const out: ParsedPorts = { numeric: [], named: [] };
  for (const p of ports ?? []) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`${where}: port ${p} is not 0-65535`);
      out.numeric.push(String(p));
    } else if (typeof p === 'string' && /^\d+$/.test(p)) {
      out.numeric.push(String(parsePorts([Number(p)], where).numeric[0]));
    } else if (typeof p === 'string' && /^\d+:\d+$/.test(p)) {
      const [a, b] = p.split(':').map(Number) as [number, number];
      if (a > b || b > 65535) throw new Error(`${where}: port range "${p}" is invalid`);
      out.numeric.push(a === b ? String(a) : `${a}-${b}`);
    } else if (typeof p === 'string' && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(p)) {
      out.named.push(p);
    } else {
      throw new Error(`${where}: ${JSON.stringify(p)} is not a port, range "min:max" or port name`);
    }
  }
  return out;
}

/** Merge port numbers/ranges (`80`, `1000-2000`) into disjoint ranges: interval sets reject overlaps. */
function normalizePorts(elems: string[]): string[] {
  const ranges = elems.map((e) => e.split('-').map(Number)).map(([a, b]) => [a!, b ?? a!] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([...r]);
  }
  return out.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}

export type LiteralKind = 'v4net' | 'v6net' | 'port';

/** Named-port set: addresses . ports of items matching `peer` that expose `name` over `proto`. */
interface NamedPortKey { peer: PeerKey; name: string; proto: string }

function namedPortKeyText(k: NamedPortKey): string {
  return `np:${k.name}/${k.proto};${peerKeyText(k.peer)}`;
}

export interface SetRegistry {
  /** The set holding the addresses (of one family) of the items `k` selects. */
  peer(k: PeerKey, family: 4 | 6): string;
  namedPort(k: NamedPortKey, family: 4 | 6): string;
  /**
   * A literal list of nets or ports as one nft operand: a single element inline, several as `@<named set>`
   * shared by every rule with the same list. (Anonymous sets would be simpler, but the kernel allocates their
   * names by scanning the table's sets, which makes thousands of them quadratic: 9k rules took 30 s.)
   */
  literal(kind: LiteralKind, elems: string[]): string;
}

interface RuleContext {
  /** Namespace of a NetworkPolicy; undefined for GlobalNetworkPolicy and profiles. */
  namespace?: string;
  /**
   * Whether any endpoint or network set has an IPv6 address: only then do selector and named-port matches
   * get IPv6 variants (and sets), so IPv4-only clusters carry no empty IPv6 sets.
   */
  ipv6?: boolean;
  sets: SetRegistry;
  where: string;
}

/** One entity (source or destination) compiled to AND-ed fragments plus OR-ed port alternatives. */
interface EntityFragments {
  /** Fragments for IPv4 / IPv6 variants; null = this family can't match. */
  v4: string[] | null;
  v6: string[] | null;
  /** Alternatives (OR) for the port match, per family; one with empty strings = no port constraint. */
  portAlts: PortAlt[];
}

interface PortAlt { v4: string; v6: string }

function compileEntity(e: EntityRule | undefined, side: 'src' | 'dst', proto: string | undefined, ctx: RuleContext): EntityFragments {
  const addr = side === 'src' ? 'saddr' : 'daddr';
  const port = side === 'src' ? 'sport' : 'dport';
  const where = `${ctx.where}.${side === 'src' ? 'source' : 'destination'}`;
  let v4: string[] | null = [];
  let v6: string[] | null = [];
  const portAlts: PortAlt[] = [];
  if (!e) return { v4, v6, portAlts: [{ v4: '', v6: '' }] };

  const nets = (e.nets ?? []).map((n) => parseNet(n));
  if (nets.length) {
    const n4 = nets.filter((c) => c.family === 4).map((c) => c.text);
    const n6 = nets.filter((c) => c.family === 6).map((c) => c.text);
    v4 = n4.length ? [...v4, `ip ${addr} ${ctx.sets.literal('v4net', n4)}`] : null;
    v6 = n6.length ? [...v6, `ip6 ${addr} ${ctx.sets.literal('v6net', n6)}`] : null;
  }
  const notNets = (e.notNets ?? []).map((n) => parseNet(n));
  if (notNets.length) {
    const n4 = notNets.filter((c) => c.family === 4).map((c) => c.text);
    const n6 = notNets.filter((c) => c.family === 6).map((c) => c.text);
    if (v4 && n4.length) v4.push(`ip ${addr} != ${ctx.sets.literal('v4net', n4)}`);
    if (v6 && n6.length) v6.push(`ip6 ${addr} != ${ctx.sets.literal('v6net', n6)}`);
  }

  // Selector scoping (Calico): a namespaced policy's selectors see only its own namespace unless the
  // rule names a namespaceSelector; a global policy's selectors see every namespace.
  const scope: Scope = e.namespaceSelector !== undefined && e.namespaceSelector !== ''
    ? { nsSel: validSelector(e.namespaceSelector, `${where}.namespaceSelector`) }
    : ctx.namespace !== undefined ? { ns: ctx.namespace } : 'any';
  const saNames = e.serviceAccounts?.names?.length ? e.serviceAccounts.names : undefined;
  if (e.serviceAccounts?.selector) throw new Error(`${where}.serviceAccounts.selector is not supported by Tabby`);
  // A selector, a namespaceSelector alone (= every endpoint of those namespaces) or service-account names
  // each make the peer a set of addresses.
  const hasPositive = !!e.selector || !!e.namespaceSelector || !!saNames;
  let positive: PeerKey | undefined;
  if (hasPositive) {
    positive = { sel: e.selector ? validSelector(e.selector, `${where}.selector`) : 'all()', scope, saNames };
    v4?.push(`ip ${addr} @${ctx.sets.peer(positive, 4)}`);
    if (ctx.ipv6) v6?.push(`ip6 ${addr} @${ctx.sets.peer(positive, 6)}`);
    else v6 = null;
  }
  if (e.notSelector) {
    const neg: PeerKey = { sel: validSelector(e.notSelector, `${where}.notSelector`), scope };
    v4?.push(`ip ${addr} != @${ctx.sets.peer(neg, 4)}`);
    if (ctx.ipv6) v6?.push(`ip6 ${addr} != @${ctx.sets.peer(neg, 6)}`);
    else v6 = null;
  }

  const ports = parsePorts(e.ports, `${where}.ports`);
  const notPorts = parsePorts(e.notPorts, `${where}.notPorts`);
  const anyPorts = ports.numeric.length + ports.named.length + notPorts.numeric.length + notPorts.named.length > 0;
  if (anyPorts && (!proto || !PORT_PROTOCOLS.has(proto))) {
    throw new Error(`${where}: ports need protocol TCP, UDP, SCTP or UDPLite`);
  }
  // Named ports resolve against the peer the packet is addressed from/to; no selector = any endpoint.
  const npPeer: PeerKey = positive ?? { sel: 'all()', scope: 'any' };
  const npProto = proto ?? '';
  if (notPorts.numeric.length) {
    const frag = `th ${port} != ${ctx.sets.literal('port', notPorts.numeric)}`;
    v4?.push(frag);
    v6?.push(frag);
  }
  for (const name of notPorts.named) {
    const k = { peer: npPeer, name, proto: npProto };
    v4?.push(`ip ${addr} . th ${port} != @${ctx.sets.namedPort(k, 4)}`);
    if (ctx.ipv6) v6?.push(`ip6 ${addr} . th ${port} != @${ctx.sets.namedPort(k, 6)}`);
    else v6 = null;
  }
  if (ports.numeric.length) {
    const frag = `th ${port} ${ctx.sets.literal('port', ports.numeric)}`;
    portAlts.push({ v4: frag, v6: frag });
  }
  for (const name of ports.named) {
    const k = { peer: npPeer, name, proto: npProto };
    // Without IPv6 sets a named port cannot match an IPv6 packet: '!' marks the alternative as impossible.
    portAlts.push({ v4: `ip ${addr} . th ${port} @${ctx.sets.namedPort(k, 4)}`, v6: ctx.ipv6 ? `ip6 ${addr} . th ${port} @${ctx.sets.namedPort(k, 6)}` : '!' });
  }
  if (portAlts.length === 0) portAlts.push({ v4: '', v6: '' });
  return { v4, v6, portAlts };
}

function validSelector(expr: string, where: string): string {
  try {
    selector(expr);
  } catch (e) {
    throw new Error(`${where}: invalid selector ${JSON.stringify(expr)}: ${(e as Error).message}`);
  }
  return expr;
}

function icmpFrag(f: { type?: number; code?: number }, v: 4 | 6, negate: boolean, where: string): string {
  const kw = v === 4 ? 'icmp' : 'icmpv6';
  for (const [k, n] of [['type', f.type], ['code', f.code]] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 255)) throw new Error(`${where}: icmp ${k} ${n} is not 0-255`);
  }
  if (f.type === undefined) {
    if (f.code !== undefined) throw new Error(`${where}: icmp code needs a type`);
    return '';
  }
  if (!negate) return f.code === undefined ? `${kw} type ${f.type}` : `${kw} type ${f.type} ${kw} code ${f.code}`;
  return f.code === undefined ? `${kw} type != ${f.type}` : `${kw} type . ${kw} code != { ${f.type} . ${f.code} }`;
}

function verdictFor(action: string, where: string): string {
  switch (action) {
    case 'Allow': return `${SET_ACCEPT} return`;
    case 'Deny': return 'drop';
    case 'Pass': return `${SET_PASS} return`;
    case 'Log': return 'log prefix "calico-packet: " level info';
    default: throw new Error(`${where}: action ${JSON.stringify(action)} is not Allow, Deny, Pass or Log`);
  }
}

/** Compile one Calico rule into nft rule texts (several when ports mix numbers and names or families differ). */
export function compileRule(rule: Rule, ctx: RuleContext): string[] {
  const where = ctx.where;
  if (!rule || typeof rule !== 'object') throw new Error(`${where}: rule must be an object`);
  const verdict = verdictFor(rule.action, where);
  const proto = rule.protocol !== undefined ? protoText(rule.protocol, `${where}.protocol`) : undefined;
  const notProto = rule.notProtocol !== undefined ? protoText(rule.notProtocol, `${where}.notProtocol`) : undefined;
  let families: Array<4 | 6> = [4, 6];
  if (rule.ipVersion !== undefined) {
    if (rule.ipVersion !== 4 && rule.ipVersion !== 6) throw new Error(`${where}.ipVersion: must be 4 or 6`);
    families = [rule.ipVersion];
  }
  if (proto === 'icmp') families = families.filter((f) => f === 4);
  if (proto === 'ipv6-icmp') families = families.filter((f) => f === 6);
  if ((rule.icmp || rule.notICMP) && proto !== 'icmp' && proto !== 'ipv6-icmp') {
    throw new Error(`${where}: icmp/notICMP need protocol ICMP or ICMPv6`);
  }
  const src = compileEntity(rule.source, 'src', proto, ctx);
  const dst = compileEntity(rule.destination, 'dst', proto, ctx);

  const out: string[] = [];
  // One family-neutral rule suffices when nothing in it is address-family specific.
  const sameFrags = (a: string[] | null, b: string[] | null) => !!a && !!b && a.join('\n') === b.join('\n');
  const bothFamilies = families.length === 2 && sameFrags(src.v4, src.v6) && sameFrags(dst.v4, dst.v6)
    && [...src.portAlts, ...dst.portAlts].every((a) => a.v4 === a.v6);
  for (const fam of families) {
    const s = fam === 4 ? src.v4 : src.v6;
    const d = fam === 4 ? dst.v4 : dst.v6;
    if (!s || !d) continue;
    const head: string[] = [];
    if (!bothFamilies) head.push(`meta nfproto ipv${fam}`);
    if (proto) head.push(`meta l4proto ${proto}`);
    if (notProto) head.push(`meta l4proto != ${notProto}`);
    if (rule.icmp) head.push(icmpFrag(rule.icmp, fam, false, `${where}.icmp`));
    if (rule.notICMP) head.push(icmpFrag(rule.notICMP, fam, true, `${where}.notICMP`));
    for (const spAlt of src.portAlts) {
      const sp = fam === 4 ? spAlt.v4 : spAlt.v6;
      if (sp === '!') continue;
      for (const dpAlt of dst.portAlts) {
        const dp = fam === 4 ? dpAlt.v4 : dpAlt.v6;
        if (dp === '!') continue;
        out.push([...head, ...s, ...d, sp, dp, verdict].filter(Boolean).join(' '));
      }
    }
    if (bothFamilies) break; // one family-neutral rule covers both
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Names.

const NAME_OK = /^[A-Za-z0-9_./-]+$/;
function chainName(prefix: string, id: string): string {
  const full = prefix + id;
  return NAME_OK.test(id) && full.length <= 64 ? full : `${prefix}_${hashOf(id, 20)}`;
}

interface PolicyRef {
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  id: string;
  name: string;
  namespace?: string;
  spec: PolicySpec;
  tier: string;
  order: number | undefined;
}

interface TierInfo { name: string; order: number | undefined; defaultAction: 'Deny' | 'Pass' }

function byOrderThenName<T extends { order: number | undefined; name: string; namespace?: string }>(a: T, b: T): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return (a.namespace ?? '') < (b.namespace ?? '') ? -1 : (a.namespace ?? '') > (b.namespace ?? '') ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// The calculator.

interface LocalEndpoint {
  key: string;
  iface: string;
  namespace?: string;
  v4: string[];
  v6: string[];
  profiles: string[];
}

/** Policy selection over local endpoints: a NetworkPolicy sees its namespace, a GNP its namespaceSelector. */
interface SelectionKey { sel: string; scope: Scope }

interface CompiledChain {
  fingerprint: string;
  rules: string[];
  /** Set name → what it holds; `id` keys the shared membership (both families use one). */
  peers: Map<string, { key: PeerKey; id: string; family: 4 | 6 }>;
  namedPorts: Map<string, { key: NamedPortKey; id: string; family: 4 | 6 }>;
  literals: Map<string, NftSetModel>;
  error?: string;
}

/** The named set holding a literal list, or the single element itself. */
function literalOperand(kind: LiteralKind, elems: string[], out: Map<string, NftSetModel>): string {
  const norm = kind === 'port' ? normalizePorts(elems) : disjointCIDRs(elems.map((e) => parseNet(e))).map(cidrElem);
  if (norm.length === 1) return norm[0]!;
  const prefix = kind === 'port' ? 'cali-ports-' : kind === 'v4net' ? 'cali40nets-' : 'cali60nets-';
  const name = prefix + hashOf(norm.join(','), 16);
  out.set(name, {
    name, type: kind === 'port' ? 'inet_service' : kind === 'v4net' ? 'ipv4_addr' : 'ipv6_addr', interval: true, elements: new Set(norm),
  });
  return `@${name}`;
}

export interface CalcStats {
  localEndpoints: number;
  activePolicies: number;
  ipSets: number;
  chains: number;
  rules: number;
}

export class PolicyCalculator {
  private readonly opts: Required<CalcOptions>;
  /** Selector/named-port sets over all items (cluster-wide endpoints + network sets). */
  private readonly peerIndex = new MembershipIndex<PeerKey>(peerMatches);
  private readonly namedPortIndex = new MembershipIndex<NamedPortKey>((k, item) => {
    if (!peerMatches(k.peer, item)) return false;
    return item.ports.some((p) => p.name === k.name && (p.protocol ?? 'TCP').toLowerCase() === protoNameForPort(k.proto));
  });
  /** Policy selectors over local endpoints only. */
  private readonly selectionIndex = new MembershipIndex<SelectionKey>((k, item) => peerMatches({ sel: k.sel, scope: k.scope }, item));
  private readonly compiled = new Map<string, CompiledChain>();
  private endpointCache = new WeakMap<object, DerivedEndpoint>();
  private readonly rulesJson = new WeakMap<object, string>();
  private hasIPv6 = false;
  private setCache = new Map<string, NftSetModel>();
  private snapshot: PolicySnapshot | undefined;
  private locals: LocalEndpoint[] = [];
  private updateProblems: string[] = [];
  /** Problems found by the last update()+ruleset() (bad selectors, unknown tiers, bad interface names...). */
  problems: string[] = [];
  stats: CalcStats = { localEndpoints: 0, activePolicies: 0, ipSets: 0, chains: 0, rules: 0 };

  constructor(opts: CalcOptions) {
    if (!opts.nodeName) throw new Error('PolicyCalculator: nodeName is required');
    this.opts = {
      nodeName: opts.nodeName,
      endpointToHostAction: opts.endpointToHostAction ?? 'Accept',
      allowVXLANFromWorkloads: opts.allowVXLANFromWorkloads ?? false,
      allowIPIPFromWorkloads: opts.allowIPIPFromWorkloads ?? false,
    };
  }

  /** Take a new snapshot; work is proportional to what changed in the endpoint/network-set population. */
  update(snapshot: PolicySnapshot): void {
    this.snapshot = snapshot;
    const problems: string[] = [];
    const nsLabels = namespaceLabels(snapshot);
    const profileLabels = new Map<string, Labels>();
    for (const p of snapshot.profiles) if (p.spec?.labelsToApply) profileLabels.set(p.metadata.name, p.spec.labelsToApply);

    const items = new Map<string, { item: Item; fingerprint: string }>();
    const localItems = new Map<string, { item: Item; fingerprint: string }>();
    const locals: LocalEndpoint[] = [];
    const seenIfaces = new Set<string>();
    // Endpoint-derived items are cached by resource object: a syncer hands over the same objects for
    // unchanged resources, so a snapshot with one new pod costs one derivation, not ten thousand.
    const ctxKey = JSON.stringify([[...profileLabels], [...nsLabels]]);
    for (const w of snapshot.workloadEndpoints) {
      let d = this.endpointCache.get(w);
      if (!d || d.ctx !== ctxKey) {
        d = deriveEndpoint(w, profileLabels, nsLabels, ctxKey);
        this.endpointCache.set(w, d);
      }
      problems.push(...d.problems);
      const { key, item, fingerprint, spec, nets, profiles } = d;
      const ns = item.namespace;
      items.set(key, { item, fingerprint });
      if (spec.node !== this.opts.nodeName) continue;
      const iface = spec.interfaceName;
      if (!iface || !/^[A-Za-z0-9_.-]{1,15}$/.test(iface)) {
        problems.push(`${key}: interfaceName ${JSON.stringify(iface)} is not a valid interface name; endpoint not programmed`);
        continue;
      }
      if (seenIfaces.has(iface)) {
        problems.push(`${key}: interface ${iface} already used by another endpoint; endpoint not programmed`);
        continue;
      }
      seenIfaces.add(iface);
      localItems.set(key, { item, fingerprint });
      locals.push({
        key, iface, namespace: ns, profiles,
        v4: nets.filter((c) => c.family === 4).map((c) => c.text.split('/')[0]!),
        v6: nets.filter((c) => c.family === 6).map((c) => c.text.split('/')[0]!),
      });
    }
    for (const s of snapshot.networkSets) {
      const ns = s.metadata.namespace;
      const key = `netset/${ns ?? ''}/${s.metadata.name}`;
      const labels: Labels = { ...(s.metadata.labels ?? {}) };
      if (ns && labels[LABEL_NAMESPACE] === undefined) labels[LABEL_NAMESPACE] = ns;
      const nets = parseNets(s.spec?.nets, key, problems);
      const item: Item = { key, kind: 'netset', namespace: ns, labels, nsLabels: ns ? nsLabels.get(ns) ?? {} : undefined, nets, ports: [] };
      items.set(key, { item, fingerprint: JSON.stringify([labels, item.nsLabels, nets.map((c) => c.text)]) });
    }
    for (const s of snapshot.globalNetworkSets) {
      const key = `gnetset/${s.metadata.name}`;
      const labels: Labels = { ...(s.metadata.labels ?? {}) };
      const nets = parseNets(s.spec?.nets, key, problems);
      items.set(key, { item: { key, kind: 'gnetset', labels, nets, ports: [] }, fingerprint: JSON.stringify([labels, nets.map((c) => c.text)]) });
    }
    this.hasIPv6 = [...items.values()].some(({ item }) => item.nets.some((c) => c.family === 6));
    this.peerIndex.setItems(items);
    this.namedPortIndex.setItems(items);
    this.selectionIndex.setItems(localItems);
    this.locals = locals;
    this.updateProblems = problems;
    this.problems = [...problems];
  }

  /** The desired ruleset for the current snapshot. */
  ruleset(): RulesetModel {
    const snap = this.snapshot;
    if (!snap) throw new Error('PolicyCalculator.ruleset() called before update()');
    const problems = [...this.updateProblems];
    this.problems = problems;
    const rs = emptyRuleset();

    // Tiers.
    const tiers = new Map<string, TierInfo>();
    tiers.set(DEFAULT_TIER, { name: DEFAULT_TIER, order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' });
    for (const t of snap.tiers) {
      const da = t.spec?.defaultAction ?? 'Deny';
      if (da !== 'Deny' && da !== 'Pass') { problems.push(`Tier(${t.metadata.name}): defaultAction must be Deny or Pass`); continue; }
      tiers.set(t.metadata.name, { name: t.metadata.name, order: t.spec?.order ?? (t.metadata.name === DEFAULT_TIER ? DEFAULT_TIER_ORDER : undefined), defaultAction: da });
    }

    // Policies, with their selection over local endpoints.
    const policies: PolicyRef[] = [];
    for (const p of snap.networkPolicies) {
      const ns = p.metadata.namespace;
      if (!ns) { problems.push(`NetworkPolicy(${p.metadata.name}): has no namespace; ignored`); continue; }
      const spec = p.spec ?? {};
      policies.push({ kind: 'NetworkPolicy', id: `${ns}/${p.metadata.name}`, name: p.metadata.name, namespace: ns, spec, tier: spec.tier || DEFAULT_TIER, order: spec.order });
    }
    for (const p of snap.globalNetworkPolicies) {
      const spec = p.spec ?? {};
      policies.push({ kind: 'GlobalNetworkPolicy', id: p.metadata.name, name: p.metadata.name, spec, tier: spec.tier || DEFAULT_TIER, order: spec.order });
    }
    const selectionKeys = new Map<string, SelectionKey>();
    const policySelection = new Map<PolicyRef, string>();
    for (const p of policies) {
      if (p.spec.doNotTrack || p.spec.preDNAT || p.spec.applyOnForward) {
        // These target host endpoints; Tabby has none, so they select no workload.
        continue;
      }
      if (!tiers.has(p.tier)) { problems.push(`${p.kind}(${p.id}): tier "${p.tier}" does not exist; policy ignored`); continue; }
      let key: SelectionKey;
      try {
        const sel = validSelector(p.spec.selector || 'all()', `${p.kind}(${p.id}).spec.selector`);
        const scope: Scope = p.namespace !== undefined ? { ns: p.namespace }
          : p.spec.namespaceSelector ? { nsSel: validSelector(p.spec.namespaceSelector, `${p.kind}(${p.id}).spec.namespaceSelector`) } : 'any';
        key = { sel, scope };
      } catch (e) { problems.push((e as Error).message + '; policy ignored'); continue; }
      const text = `${key.sel}|${scopeText(key.scope)}`;
      selectionKeys.set(text, key);
      policySelection.set(p, text);
    }
    this.selectionIndex.setMatchers(selectionKeys);

    // Which policies apply to each local endpoint.
    const perEndpoint = new Map<string, PolicyRef[]>();
    for (const [p, text] of policySelection) {
      for (const ek of this.selectionIndex.members(text)) {
        let l = perEndpoint.get(ek);
        if (!l) perEndpoint.set(ek, (l = []));
        l.push(p);
      }
    }

    // Compile policy and profile chains that are needed (active = selects a local endpoint).
    const peerSets: CompiledChain['peers'] = new Map();
    const npSets: CompiledChain['namedPorts'] = new Map();
    const ipv6 = this.hasIPv6;
    const literalSets = new Map<string, NftSetModel>();
    const neededChains = new Map<string, CompiledChain>();
    const compileChain = (name: string, namespace: string | null, rules: Rule[], build: (ctx: RuleContext, sets: SetRegistry) => string[], where: string): CompiledChain => {
      // Rules arrays are treated as immutable: their JSON is computed once per object.
      let rulesJson = this.rulesJson.get(rules);
      if (rulesJson === undefined) { rulesJson = JSON.stringify(rules); this.rulesJson.set(rules, rulesJson); }
      const fingerprint = `${ipv6 ? 6 : 4}|${namespace ?? ''}|${rulesJson}`;
      let c = this.compiled.get(name);
      if (!c || c.fingerprint !== fingerprint) {
        const peers: CompiledChain['peers'] = new Map();
        const namedPorts: CompiledChain['namedPorts'] = new Map();
        const literals = new Map<string, NftSetModel>();
        const sets: SetRegistry = {
          peer: (k, family) => { const id = hashOf(peerKeyText(k), 20); const n = `cali${family}0s-${id}`; peers.set(n, { key: k, id, family }); return n; },
          namedPort: (k, family) => { const id = hashOf(namedPortKeyText(k), 20); const n = `cali${family}0n-${id}`; namedPorts.set(n, { key: k, id, family }); return n; },
          literal: (kind, elems) => literalOperand(kind, elems, literals),
        };
        try {
          c = { fingerprint, rules: build({ sets, where, ipv6 }, sets), peers, namedPorts, literals };
        } catch (e) {
          // A rule we cannot compile must not open a hole: the whole chain denies instead.
          const msg = (e as Error).message;
          c = { fingerprint, rules: [`drop comment ${nftString(`invalid: ${msg}`)}`], peers: new Map(), namedPorts: new Map(), literals: new Map(), error: msg };
        }
        this.compiled.set(name, c);
      }
      if (c.error) problems.push(`${where}: ${c.error}; its rules deny all`);
      neededChains.set(name, c);
      for (const [n, k] of c.peers) peerSets.set(n, k);
      for (const [n, k] of c.namedPorts) npSets.set(n, k);
      for (const [n, set] of c.literals) literalSets.set(n, set);
      return c;
    };

    const policyChain = (p: PolicyRef, dir: 'Ingress' | 'Egress'): string => {
      const name = chainName(dir === 'Ingress' ? 'cali-pi-' : 'cali-po-', p.id);
      const rules = (dir === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
      compileChain(name, p.namespace ?? null, rules, (ctx) => {
        const out: string[] = [];
        rules.forEach((r, i) => {
          out.push(...compileRule(r, { ...ctx, namespace: p.namespace, where: `${p.kind}(${p.id}).spec.${dir.toLowerCase()}[${i}]` }));
        });
        return out;
      }, `${p.kind}(${p.id})`);
      return name;
    };

    const profiles = new Map(snap.profiles.map((p) => [p.metadata.name, p]));
    const profileChain = (name: string, dir: 'Ingress' | 'Egress'): string | undefined => {
      let prof = profiles.get(name);
      if (!prof) {
        // Kubernetes namespace profiles exist implicitly (Calico synthesises them from namespaces): allow all.
        if (!name.startsWith('kns.')) return undefined;
        prof = { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name }, spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] } };
      }
      const cname = chainName(dir === 'Ingress' ? 'cali-pri-' : 'cali-pro-', name);
      const rules = (dir === 'Ingress' ? prof.spec?.ingress : prof.spec?.egress) ?? [];
      compileChain(cname, null, rules, (ctx) => {
        const out: string[] = [];
        rules.forEach((r, i) => out.push(...compileRule(r, { ...ctx, where: `Profile(${name}).spec.${dir.toLowerCase()}[${i}]` })));
        return out;
      }, `Profile(${name})`);
      return cname;
    };

    // Per-endpoint programs (shared by endpoints with identical policy lists).
    const toMap: NftMapModel = { name: MAP_TO_WL, keyType: 'ifname', elements: new Map() };
    const fromMap: NftMapModel = { name: MAP_FROM_WL, keyType: 'ifname', elements: new Map() };
    const ifaces: NftSetModel = { name: SET_WL_IFACES, type: 'ifname', interval: false, elements: new Set() };
    const addrs4: NftSetModel = { name: SET_WL_ADDRS_V4, type: 'ifname . ipv4_addr', interval: false, elements: new Set() };
    const addrs6: NftSetModel = { name: SET_WL_ADDRS_V6, type: 'ifname . ipv6_addr', interval: false, elements: new Set() };
    const programs = new Map<string, NftChainModel>();
    const groups = new Map<string, { Ingress: string; Egress: string }>();
    const sortedTiers = [...tiers.values()].sort(byOrderThenName);
    const activePolicies = new Set<PolicyRef>();
    for (const ep of this.locals) {
      const q = `"${ep.iface}"`;
      ifaces.elements.add(q);
      for (const a of ep.v4) addrs4.elements.add(`${q} . ${a}`);
      for (const a of ep.v6) addrs6.elements.add(`${q} . ${a}`);
      const applying = (perEndpoint.get(ep.key) ?? []).slice().sort(byOrderThenName);
      // Endpoints with the same policies and profiles share programs: build each distinct one once.
      const groupKey = `${applying.map((p) => `${p.kind}/${p.id}`).join(',')}|${ep.profiles.join(',')}`;
      let group = groups.get(groupKey);
      if (!group) {
        group = { Ingress: '', Egress: '' };
        groups.set(groupKey, group);
      for (const dir of ['Ingress', 'Egress'] as const) {
        const body: string[] = [`meta mark set meta mark and ${MARK_CLEAR_BOTH}`];
        for (const tier of sortedTiers) {
          const inTier = applying.filter((p) => p.tier === tier.name && effectiveTypes(p.spec).includes(dir));
          if (inTier.length === 0) continue;
          body.push(`meta mark set meta mark and ${MARK_CLEAR_PASS} comment ${nftString(`Start of tier ${tier.name}`)}`);
          for (const p of inTier) {
            activePolicies.add(p);
            body.push(`${NOT_PASSED} jump ${policyChain(p, dir)}`);
            body.push(`${IS_ACCEPTED} return comment "Return if policy accepted"`);
          }
          if (tier.defaultAction === 'Deny') {
            body.push(`${NOT_PASSED} drop comment ${nftString(`End of tier ${tier.name}. Drop if no policies passed packet`)}`);
          }
        }
        for (const prof of ep.profiles) {
          const pc = profileChain(prof, dir);
          if (!pc) { problems.push(`${ep.key}: profile ${prof} does not exist`); continue; }
          body.push(`jump ${pc}`);
          body.push(`${IS_ACCEPTED} return comment "Return if profile accepted"`);
        }
        body.push('drop comment "Drop if no profiles matched"');
        const prefix = dir === 'Ingress' ? 'cali-pgi-' : 'cali-pgo-';
        const pname = prefix + hashOf(body.join('\n'), 16);
        if (!programs.has(pname)) programs.set(pname, { name: pname, rules: body });
        group[dir] = pname;
      }
      }
      for (const dir of ['Ingress', 'Egress'] as const) {
        const epChain = (dir === 'Ingress' ? 'cali-tw-' : 'cali-fw-') + ep.iface;
        rs.chains.set(epChain, { name: epChain, rules: [`goto ${group[dir]}`] });
        (dir === 'Ingress' ? toMap : fromMap).elements.set(q, `goto ${epChain}`);
      }
    }
    for (const [n, c] of neededChains) rs.chains.set(n, { name: n, rules: c.rules });
    for (const [n, c] of programs) rs.chains.set(n, c);

    // Selector and named-port sets.
    this.peerIndex.setMatchers(new Map([...peerSets.values()].map((p) => [p.id, p.key])));
    this.namedPortIndex.setMatchers(new Map([...npSets.values()].map((p) => [p.id, p.key])));
    // Rebuild only the sets whose membership changed; unchanged ones keep their model object, which
    // also lets the diff skip them by identity.
    const dirty = new Set([...this.peerIndex.takeDirty(), ...this.namedPortIndex.takeDirty()]);
    const setCache = new Map<string, NftSetModel>();
    for (const [n, { id }] of [...peerSets, ...npSets]) {
      const cached = this.setCache.get(n);
      if (cached && !dirty.has(id)) { rs.sets.set(n, cached); setCache.set(n, cached); }
    }
    for (const [n, { id, family }] of peerSets) {
      if (rs.sets.has(n)) continue;
      const cidrs: Net[] = [];
      for (const ik of this.peerIndex.members(id)) for (const c of this.peerIndex.item(ik)?.nets ?? []) if (c.family === family) cidrs.push(c);
      const model: NftSetModel = { name: n, type: family === 4 ? 'ipv4_addr' : 'ipv6_addr', interval: true, elements: new Set(disjointCIDRs(cidrs).map(cidrElem)) };
      rs.sets.set(n, model);
      setCache.set(n, model);
    }
    for (const [n, { key: k, id, family }] of npSets) {
      if (rs.sets.has(n)) continue;
      const elems = new Set<string>();
      for (const ik of this.namedPortIndex.members(id)) {
        const item = this.namedPortIndex.item(ik);
        if (!item) continue;
        for (const p of item.ports) {
          if (p.name !== k.name || (p.protocol ?? 'TCP').toLowerCase() !== protoNameForPort(k.proto)) continue;
          for (const c of item.nets) if (c.family === family && c.prefix === (family === 4 ? 32 : 128)) elems.add(`${cidrElem(c)} . ${p.port}`);
        }
      }
      const model: NftSetModel = { name: n, type: family === 4 ? 'ipv4_addr . inet_service' : 'ipv6_addr . inet_service', interval: false, elements: elems };
      rs.sets.set(n, model);
      setCache.set(n, model);
    }
    this.setCache = setCache;

    for (const [n, set] of literalSets) rs.sets.set(n, set);
    rs.sets.set(ifaces.name, ifaces);
    rs.sets.set(addrs4.name, addrs4);
    rs.sets.set(addrs6.name, addrs6);
    rs.maps.set(toMap.name, toMap);
    rs.maps.set(fromMap.name, fromMap);
    for (const c of this.baseChains()) rs.chains.set(c.name, c);

    // Forget compiled chains no longer needed so the cache tracks the live policy set.
    for (const n of this.compiled.keys()) if (!neededChains.has(n)) this.compiled.delete(n);
    let rules = 0;
    for (const c of rs.chains.values()) rules += c.rules.length;
    this.stats = { localEndpoints: this.locals.length, activePolicies: activePolicies.size, ipSets: peerSets.size + npSets.size + literalSets.size, chains: rs.chains.size, rules };
    return rs;
  }

  private baseChains(): NftChainModel[] {
    const wlFrom: string[] = [
      `iifname != @${SET_WL_IFACES} drop comment "Unknown interface"`,
      `meta nfproto ipv4 iifname . ip saddr != @${SET_WL_ADDRS_V4} drop comment "Anti-spoofing: source address is not the workload's"`,
      `meta nfproto ipv6 ip6 saddr != fe80::/10 iifname . ip6 saddr != @${SET_WL_ADDRS_V6} drop comment "Anti-spoofing: source address is not the workload's"`,
      'ct state established,related accept',
      'ct state invalid drop',
    ];
    if (!this.opts.allowVXLANFromWorkloads) wlFrom.push('meta l4proto udp udp dport 4789 drop comment "Drop VXLAN encapped packets originating in workloads"');
    if (!this.opts.allowIPIPFromWorkloads) wlFrom.push('meta l4proto 4 drop comment "Drop IPinIP encapped packets originating in workloads"');
    wlFrom.push(`iifname vmap @${MAP_FROM_WL}`, 'drop comment "Unknown interface"');
    const wlTo: string[] = [
      `oifname != @${SET_WL_IFACES} drop comment "Unknown interface"`,
      'ct state established,related accept',
      'ct state invalid drop',
      `oifname vmap @${MAP_TO_WL}`,
      'drop comment "Unknown interface"',
    ];
    const hostAction = this.opts.endpointToHostAction === 'Accept' ? 'accept' : this.opts.endpointToHostAction === 'Drop' ? 'drop' : 'return';
    return [
      { name: 'cali-from-wl-dispatch', rules: wlFrom },
      { name: 'cali-to-wl-dispatch', rules: wlTo },
      {
        name: 'cali-wl-to-host',
        rules: ['jump cali-from-wl-dispatch', `${hostAction} comment "Configured DefaultEndpointToHostAction"`],
      },
      {
        name: 'cali-FORWARD', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'accept' },
        rules: [
          `meta mark set meta mark and ${MARK_CLEAR_BOTH}`,
          `iifname "${WORKLOAD_IFACE_PREFIX}*" jump cali-from-wl-dispatch`,
          `oifname "${WORKLOAD_IFACE_PREFIX}*" jump cali-to-wl-dispatch`,
          `${IS_ACCEPTED} accept comment "Policy explicitly accepted packet."`,
        ],
      },
      {
        name: 'cali-INPUT', base: { type: 'filter', hook: 'input', priority: 0, policy: 'accept' },
        rules: [`meta mark set meta mark and ${MARK_CLEAR_BOTH}`, `iifname "${WORKLOAD_IFACE_PREFIX}*" goto cali-wl-to-host`],
      },
    ];
  }
}

interface DerivedEndpoint {
  ctx: string;
  key: string;
  item: Item;
  fingerprint: string;
  spec: NonNullable<PolicySnapshot['workloadEndpoints'][number]['spec']>;
  nets: Net[];
  profiles: string[];
  problems: string[];
}

/** A workload endpoint as a selectable item: labels merged with its profiles' labels, parsed addresses. */
function deriveEndpoint(w: PolicySnapshot['workloadEndpoints'][number], profileLabels: Map<string, Labels>, nsLabels: Map<string, Labels>, ctx: string): DerivedEndpoint {
  const problems: string[] = [];
  const ns = w.metadata.namespace;
  const spec = w.spec ?? {};
  const key = `wep/${ns ?? ''}/${w.metadata.name}`;
  const profiles = spec.profiles ?? (ns ? [`kns.${ns}`] : []);
  const labels: Labels = {};
  for (const p of profiles) Object.assign(labels, profileLabels.get(p) ?? {});
  Object.assign(labels, w.metadata.labels ?? {});
  if (ns && labels[LABEL_NAMESPACE] === undefined) labels[LABEL_NAMESPACE] = ns;
  if (spec.orchestrator && labels[LABEL_ORCHESTRATOR] === undefined) labels[LABEL_ORCHESTRATOR] = spec.orchestrator;
  const nets: Net[] = [];
  for (const n of spec.ipNetworks ?? []) {
    try { nets.push(parseNet(n.split('/')[0]!)); } catch (e) { problems.push(`${key}: ${(e as Error).message}`); }
  }
  const item: Item = {
    key, kind: 'wep', namespace: ns, labels, nsLabels: ns ? nsLabels.get(ns) ?? {} : undefined, nets,
    node: spec.node, ports: spec.ports ?? [], serviceAccount: spec.serviceAccountName,
  };
  const fingerprint = JSON.stringify([labels, item.nsLabels, nets.map((c) => c.text), item.ports, item.serviceAccount]);
  return { ctx, key, item, fingerprint, spec, nets, profiles, problems };
}

function protoNameForPort(p: string): string {
  return ({ '6': 'tcp', '17': 'udp', '132': 'sctp', '136': 'udplite' } as Record<string, string>)[p] ?? p;
}

function parseNets(nets: string[] | undefined, where: string, problems: string[]): Net[] {
  const out: Net[] = [];
  for (const n of nets ?? []) {
    try { out.push(parseNet(n)); } catch (e) { problems.push(`${where}: ${(e as Error).message}`); }
  }
  return out;
}

/** Namespace labels from the `kns.<ns>` profiles' labelsToApply (Calico stores them there as `pcns.<key>`). */
function namespaceLabels(snap: PolicySnapshot): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const p of snap.profiles) {
    const name = p.metadata.name;
    if (!name.startsWith('kns.')) continue;
    const ns = name.slice(4);
    const labels: Labels = { 'projectcalico.org/name': ns };
    for (const [k, v] of Object.entries(p.spec?.labelsToApply ?? {})) labels[k.startsWith('pcns.') ? k.slice(5) : k] = v;
    out.set(ns, labels);
  }
  return out;
}

function cidrElem(c: Net): string {
  return c.prefix === (c.family === 4 ? 32 : 128) ? c.text.split('/')[0]! : c.text;
}

export function nftString(s: string): string {
  // nft strings cannot contain double quotes; comments are limited to 128 bytes.
  return `"${s.replace(/["\\\n]/g, "'").slice(0, 120)}"`;
}

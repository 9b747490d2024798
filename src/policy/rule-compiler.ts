// Rule compilation: one Calico rule → nft rule texts, with selectors, named ports and literal lists turned
// into named sets through a SetRegistry. Pure. Semantics as libcalico-go's updateprocessors/rules.go (which
// endpoints a source/destination selects; see selection.ts), Felix's calc/rule_scanner.go (named ports are
// filtered by the positive selector, negated or not) and rules/policy.go (per-family filtering of nets,
// ICMP, actions).
import { disjointCIDRs, parseNet, type Net } from '../net/ip.ts';
import type { EntityRule, PortSpec, Rule } from './model.ts';
import { SET_ACCEPT, SET_PASS, type NftSetModel } from './ruleset-model.ts';
import { entitySelection, hashOf, type NamedPortKey, type PeerKey } from './selection.ts';

const PROTO_NAMES: Record<string, string> = {
  tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'ipv6-icmp', sctp: 'sctp', udplite: 'udplite',
};
export const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'udplite', '6', '17', '132', '136']);


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
export function normalizePorts(elems: string[]): string[] {
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

export interface RuleContext {
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

interface Side { addr: 'saddr' | 'daddr'; port: 'sport' | 'dport'; where: string }

/**
 * nets / notNets. Felix (rules/policy.go FilterRuleToIPVersion) drops the rule for a family when a list is
 * given but holds no net of that family, for notNets as well as nets.
 */
function compileNets(e: EntityRule, side: Side, frags: EntityFragments, ctx: RuleContext): void {
  const lists: Array<[string[] | undefined, string]> = [[e.nets, ''], [e.notNets, '!= ']];
  for (const [list, op] of lists) {
    if (!list?.length) continue;
    const cidrs = list.map((n) => parseNet(n));
    const n4 = cidrs.filter((c) => c.family === 4).map((c) => c.text);
    const n6 = cidrs.filter((c) => c.family === 6).map((c) => c.text);
    frags.v4 = frags.v4 && n4.length ? [...frags.v4, `ip ${side.addr} ${op}${ctx.sets.literal('v4net', n4)}`] : null;
    frags.v6 = frags.v6 && n6.length ? [...frags.v6, `ip6 ${side.addr} ${op}${ctx.sets.literal('v6net', n6)}`] : null;
  }
}

/** selector / notSelector / namespaceSelector / serviceAccounts as set matches; returns the positive side. */
function compileSelectors(e: EntityRule, side: Side, frags: EntityFragments, ctx: RuleContext): PeerKey | undefined {
  const { positive, negative } = entitySelection(e, ctx.namespace, side.where);
  for (const [k, op] of [[positive, ''], [negative, '!= ']] as const) {
    if (!k) continue;
    frags.v4?.push(`ip ${side.addr} ${op}@${ctx.sets.peer(k, 4)}`);
    if (ctx.ipv6) frags.v6?.push(`ip6 ${side.addr} ${op}@${ctx.sets.peer(k, 6)}`);
    else frags.v6 = null;
  }
  return positive;
}

function compilePorts(e: EntityRule, side: Side, proto: string | undefined, positive: PeerKey | undefined, frags: EntityFragments, ctx: RuleContext): void {
  const { addr, port, where } = side;
  const ports = parsePorts(e.ports, `${where}.ports`);
  const notPorts = parsePorts(e.notPorts, `${where}.notPorts`);
  const anyPorts = ports.numeric.length + ports.named.length + notPorts.numeric.length + notPorts.named.length > 0;
  if (anyPorts && (!proto || !PORT_PROTOCOLS.has(proto))) {
    throw new Error(`${where}: ports need protocol TCP, UDP, SCTP or UDPLite`);
  }
  // Named ports (negated or not) resolve against the positive selection (Felix rule_scanner.go); no
  // positive selection = any endpoint.
  const npPeer: PeerKey = positive ?? { sel: 'all()', scope: 'any' };
  const npProto = proto ?? '';
  if (notPorts.numeric.length) {
    const frag = `th ${port} != ${ctx.sets.literal('port', notPorts.numeric)}`;
    frags.v4?.push(frag);
    frags.v6?.push(frag);
  }
  for (const name of notPorts.named) {
    const k = { peer: npPeer, name, proto: npProto };
    frags.v4?.push(`ip ${addr} . th ${port} != @${ctx.sets.namedPort(k, 4)}`);
    if (ctx.ipv6) frags.v6?.push(`ip6 ${addr} . th ${port} != @${ctx.sets.namedPort(k, 6)}`);
    else frags.v6 = null;
  }
  if (ports.numeric.length) {
    const frag = `th ${port} ${ctx.sets.literal('port', ports.numeric)}`;
    frags.portAlts.push({ v4: frag, v6: frag });
  }
  for (const name of ports.named) {
    const k = { peer: npPeer, name, proto: npProto };
    // Without IPv6 sets a named port cannot match an IPv6 packet: '!' marks the alternative as impossible.
    frags.portAlts.push({ v4: `ip ${addr} . th ${port} @${ctx.sets.namedPort(k, 4)}`, v6: ctx.ipv6 ? `ip6 ${addr} . th ${port} @${ctx.sets.namedPort(k, 6)}` : '!' });
  }
}

function compileEntity(e: EntityRule | undefined, dir: 'src' | 'dst', proto: string | undefined, ctx: RuleContext): EntityFragments {
  const frags: EntityFragments = { v4: [], v6: [], portAlts: [] };
  if (e) {
    const side: Side = dir === 'src'
      ? { addr: 'saddr', port: 'sport', where: `${ctx.where}.source` }
      : { addr: 'daddr', port: 'dport', where: `${ctx.where}.destination` };
    compileNets(e, side, frags, ctx);
    const positive = compileSelectors(e, side, frags, ctx);
    compilePorts(e, side, proto, positive, frags, ctx);
  }
  if (frags.portAlts.length === 0) frags.portAlts.push({ v4: '', v6: '' });
  return frags;
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

/** A CIDR as an nft set element: host routes as bare addresses. */
export function cidrElem(c: Net): string {
  return c.prefix === (c.family === 4 ? 32 : 128) ? c.text.split('/')[0]! : c.text;
}

/** The named set holding a literal list, or the single element itself. */
export function literalOperand(kind: LiteralKind, elems: string[], out: Map<string, NftSetModel>): string {
  const norm = kind === 'port' ? normalizePorts(elems) : disjointCIDRs(elems.map((e) => parseNet(e))).map(cidrElem);
  if (norm.length === 1) return norm[0]!;
  const prefix = kind === 'port' ? 'cali-ports-' : kind === 'v4net' ? 'cali40nets-' : 'cali60nets-';
  const name = prefix + hashOf(norm.join(','), 16);
  out.set(name, {
    name, type: kind === 'port' ? 'inet_service' : kind === 'v4net' ? 'ipv4_addr' : 'ipv6_addr', interval: true, elements: new Set(norm),
  });
  return `@${name}`;
}

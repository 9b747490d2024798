// BGPFilter rules as Calico's confd renders them into BIRD functions, evaluated per route. Pure.
//
// What confd does (confd/pkg/resource/template/template_funcs.go, bgp_processor.go):
// - each BGPFilter becomes one function per direction and family; a peer's import filter calls the
//   functions of its `filters` in the order listed, then `accept`; its export filter calls them, then
//   Calico's normal export rules. BIRD's `accept`/`reject` end the whole filter, so across all of a peer's
//   filters the first matching rule decides; when none matches, import accepts and export does what it
//   would without filters.
// - a rule is the AND of its conditions: cidr with matchOperator (`=`, `!=`, `~`, `!~`; with prefixLength
//   the cidr becomes the set cidr{max(len,min), min(bits,max)}), source RemotePeers (the route was learned
//   over BGP), interface (`ifname ~ pattern`), peerType (iBGP: the peer is in our AS), community,
//   asPathPrefix (the AS path starts with these ASNs). No condition: the action applies to every route.
// - the node-to-node mesh gets no filters; BGPPeers that name a filter that does not exist skip it.
import { tryParseCIDR, cidrContains, type CIDR } from '../net/ip.ts';
import type { Resource } from '../api/resource.ts';
import { AsPathSegType, type PathAttributes } from './codec.ts';

export type FilterAction = 'accept' | 'reject';
export type MatchOperator = 'Equal' | 'NotEqual' | 'In' | 'NotIn';

export interface FilterRule {
  /** Where the rule came from, for logs: `BGPFilter f1 importV4[0]`. */
  origin: string;
  family: 4 | 6;
  cidr?: CIDR;
  operator?: MatchOperator;
  /** Prefix lengths the route may have (set when the rule has prefixLength). */
  lengths?: { min: number; max: number };
  remotePeersOnly: boolean;
  /** Interface pattern: Tabby's routes carry no outgoing interface, so a rule with one matches no route. */
  interfacePattern?: string;
  peerType?: 'iBGP' | 'eBGP';
  /** Standard community (aa:nn) as its 32-bit value. */
  community?: number;
  asPathPrefix?: number[];
  action: FilterAction;
}

/** A peer's rules in evaluation order (its filters in the order it lists them, each filter's rules in order). */
export interface PeerFilters {
  import: FilterRule[];
  export: FilterRule[];
}

/** The route as a filter sees it. */
export interface FilterRoute {
  prefix: string;
  /** Learned from a BGP peer (BIRD `source = RTS_BGP`), as opposed to originated by this node. */
  learned: boolean;
  attrs: PathAttributes;
}

const parseAsn = (v: unknown): number => {
  const s = String(v);
  const dotted = /^(\d+)\.(\d+)$/.exec(s);
  return dotted ? Number(dotted[1]) * 65536 + Number(dotted[2]) : Number(s);
};

function compileRule(raw: Record<string, any>, family: 4 | 6, origin: string): FilterRule {
  const rule: FilterRule = { origin, family, remotePeersOnly: raw.source === 'RemotePeers', action: raw.action === 'Reject' ? 'reject' : 'accept' };
  if (raw.cidr) {
    const c = tryParseCIDR(String(raw.cidr));
    if (!c || c.family !== family) throw new Error(`${origin}: invalid IPv${family} cidr "${raw.cidr}"`);
    rule.cidr = c;
    const op = String(raw.matchOperator ?? '');
    if (!['Equal', 'NotEqual', 'In', 'NotIn'].includes(op)) throw new Error(`${origin}: matchOperator "${op}" is not Equal, NotEqual, In or NotIn`);
    rule.operator = op as MatchOperator;
    if (raw.prefixLength) {
      const bits = family === 4 ? 32 : 128;
      rule.lengths = { min: Math.max(c.prefix, Number(raw.prefixLength.min ?? c.prefix)), max: Math.min(bits, Number(raw.prefixLength.max ?? bits)) };
    }
  }
  if (raw.interface) rule.interfacePattern = String(raw.interface);
  if (raw.peerType === 'iBGP' || raw.peerType === 'eBGP') rule.peerType = raw.peerType;
  const community = raw.communities?.values?.[0];
  if (community !== undefined) {
    const parts = String(community).split(':').map(Number);
    if (parts.length !== 2) throw new Error(`${origin}: large community "${community}" is not supported`);
    rule.community = ((parts[0]! << 16) | parts[1]!) >>> 0;
  }
  if (Array.isArray(raw.asPathPrefix) && raw.asPathPrefix.length) rule.asPathPrefix = raw.asPathPrefix.map(parseAsn);
  return rule;
}

/** The rules of one direction of a BGPFilter resource, both families. Throws on a rule it cannot evaluate. */
function directionRules(f: Resource, dir: 'import' | 'export'): FilterRule[] {
  const out: FilterRule[] = [];
  for (const family of [4, 6] as const) {
    const field = `${dir}V${family}`;
    const rules: unknown = f.spec?.[field];
    if (!Array.isArray(rules)) continue;
    rules.forEach((r, i) => out.push(compileRule(r ?? {}, family, `BGPFilter ${f.metadata.name} ${field}[${i}]`)));
  }
  return out;
}

/**
 * The filters a BGPPeer names, compiled in its order. A name with no BGPFilter is skipped with a warning,
 * as confd skips it; undefined when no rule is left.
 */
export function peerFilters(names: readonly string[], filters: readonly Resource[], peerId: string, warnings: string[]): PeerFilters | undefined {
  const byName = new Map(filters.map((f) => [f.metadata.name, f]));
  const out: PeerFilters = { import: [], export: [] };
  for (const name of names) {
    const f = byName.get(name);
    if (!f) { warnings.push(`${peerId}: BGPFilter "${name}" not found; skipped`); continue; }
    try {
      out.import.push(...directionRules(f, 'import'));
      out.export.push(...directionRules(f, 'export'));
    } catch (e) { warnings.push(`${peerId}: ${(e as Error).message}; filter skipped`); }
  }
  return out.import.length || out.export.length ? out : undefined;
}

function flatAsPath(attrs: PathAttributes): number[] {
  const out: number[] = [];
  for (const seg of attrs.asPath ?? []) if (seg.type === AsPathSegType.AS_SEQUENCE || seg.type === AsPathSegType.AS_SET) out.push(...seg.asns);
  return out;
}

function cidrMatches(rule: FilterRule, route: CIDR): boolean {
  const c = rule.cidr!;
  if (rule.lengths) {
    const inSet = cidrContains(c, route) && route.prefix >= rule.lengths.min && route.prefix <= rule.lengths.max;
    return rule.operator === 'NotIn' ? !inSet : inSet; // prefixLength only with In/NotIn (validation)
  }
  switch (rule.operator) {
    case 'Equal': return route.prefix === c.prefix && cidrContains(c, route);
    case 'NotEqual': return !(route.prefix === c.prefix && cidrContains(c, route));
    case 'In': return cidrContains(c, route);
    default: return !cidrContains(c, route);
  }
}

export function ruleMatches(rule: FilterRule, route: FilterRoute, routeCidr: CIDR, ibgpPeer: boolean): boolean {
  if (rule.family !== routeCidr.family) return false;
  if (rule.peerType && (rule.peerType === 'iBGP') !== ibgpPeer) return false;
  if (rule.cidr && !cidrMatches(rule, routeCidr)) return false;
  if (rule.remotePeersOnly && !route.learned) return false;
  if (rule.interfacePattern !== undefined) return false;
  if (rule.community !== undefined && !route.attrs.communities?.includes(rule.community)) return false;
  if (rule.asPathPrefix) {
    const path = flatAsPath(route.attrs);
    if (!rule.asPathPrefix.every((asn, i) => path[i] === asn)) return false;
  }
  return true;
}

/** The action of the first rule that matches, or undefined when none does (the caller's default applies). */
export function evaluateFilter(rules: readonly FilterRule[], route: FilterRoute, ibgpPeer: boolean): { action: FilterAction; rule: FilterRule } | undefined {
  if (rules.length === 0) return undefined;
  const c = tryParseCIDR(route.prefix);
  if (!c) return undefined;
  for (const rule of rules) if (ruleMatches(rule, route, c, ibgpPeer)) return { action: rule.action, rule };
  return undefined;
}

/** A short, stable text of a peer's filters: a change of it means the peer's routes must be re-evaluated. */
export function filtersSignature(f: PeerFilters | undefined): string {
  if (!f) return '';
  const text = (r: FilterRule) => JSON.stringify({ ...r, cidr: r.cidr ? `${r.cidr.ip}/${r.cidr.prefix}` : undefined, origin: undefined });
  return JSON.stringify([f.import.map(text), f.export.map(text)]);
}

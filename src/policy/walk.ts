// Walks one packet through a RulesetModel: the very ruleset the calculation hands to nft (and the manager
// applied), read rule by rule, so `tabby trace` answers with the policy the node enforces rather than a
// second reading of the policy resources. It understands exactly the nft vocabulary this part renders
// (ruleset-model.ts, program.ts, rule-compiler.ts); a rule it cannot read throws instead of guessing.
// The packet is the first of a new connection (ct state new): established flows are accepted before any
// policy, as in the kernel. Pure.
import { compareIP, ipInCIDR, tryParseIP } from '../net/ip.ts';
import { TabbyError } from '../errors.ts';
import { MARK_ACCEPT, MARK_PASS, type ChainOrigin, type NftChainModel, type RulesetModel } from './ruleset-model.ts';

export interface WalkPacket {
  /** Conntrack state; 'new' (the first packet of a connection) unless said otherwise. */
  ctState?: 'new' | 'established' | undefined;
  family: 4 | 6;
  iifname?: string | undefined;
  oifname?: string | undefined;
  saddr: string;
  daddr: string;
  /** nft protocol name: tcp, udp, icmp, ipv6-icmp, or a number as text. */
  l4proto: string;
  sport?: number | undefined;
  dport?: number | undefined;
  icmpType?: number | undefined;
  icmpCode?: number | undefined;
}

export interface WalkStep { chain: string; index: number; rule: string }

/** The policy (or profile, or tier end) that decided, in Calico's terms. */
export interface PolicyDecision {
  /** The tier, for policies and end-of-tier drops; undefined for profiles and the base chains. */
  tier?: string | undefined;
  kind: ChainOrigin['kind'] | 'EndOfTier' | 'NoProfileAllowed' | 'Dispatch';
  name?: string | undefined;
  namespace?: string | undefined;
  /** Index of the Calico rule in the policy's ingress/egress list. */
  rule?: number | undefined;
  action: 'Allow' | 'Deny';
  /** The nft rule's comment, when it has one (e.g. "Anti-spoofing: …"). */
  comment?: string | undefined;
}

export interface WalkResult {
  verdict: 'accept' | 'drop';
  /** The base chain walked, e.g. cali-FORWARD; undefined when no base chain has the hook. */
  hookChain?: string | undefined;
  /** Rules that matched, in order. */
  steps: WalkStep[];
  /** Who decided: the allowing policy rule, or whatever dropped. Undefined if nothing in the table cared. */
  decision?: PolicyDecision | undefined;
}

/** A rule the walk cannot read: the table holds something this part never renders. */
export class RulesetWalkError extends TabbyError {
  constructor(message: string) { super('RulesetUnreadable', message); }
}

type Outcome = { kind: 'continue' } | { kind: 'return' } | { kind: 'accept' } | { kind: 'drop' };

interface WalkState { mark: number; steps: WalkStep[]; decision?: PolicyDecision; depth: number }

const FIELD_KEYS = new Set(['iifname', 'oifname', 'ip', 'ip6', 'th', 'udp', 'tcp', 'icmp', 'icmpv6', 'meta', 'ct']);

/** Walk `pkt` through the base chain of `hook`. */
export function walkRuleset(rs: RulesetModel, hook: 'forward' | 'input' | 'output', pkt: WalkPacket): WalkResult {
  const base = [...rs.chains.values()].find((c) => c.base?.hook === hook);
  if (!base) return { verdict: 'accept', steps: [] };
  const st: WalkState = { mark: 0, steps: [], depth: 0 };
  const out = runChain(rs, base, pkt, st);
  const verdict = out.kind === 'drop' ? 'drop' : out.kind === 'accept' ? 'accept' : base.base!.policy === 'drop' ? 'drop' : 'accept';
  return { verdict, hookChain: base.name, steps: st.steps, ...(st.decision ? { decision: st.decision } : {}) };
}

function runChain(rs: RulesetModel, chain: NftChainModel, pkt: WalkPacket, st: WalkState): Outcome {
  if (++st.depth > 64) throw new RulesetWalkError(`chain ${chain.name}: jumps nest deeper than 64`);
  try {
    for (let i = 0; i < chain.rules.length; i++) {
      const out = runRule(rs, chain, i, pkt, st);
      if (out.kind !== 'continue') return out;
    }
    return { kind: 'return' };
  } finally { st.depth--; }
}

/** Splits a rule into tokens; quoted strings and `{ … }` stay whole. */
export function tokenize(rule: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (c === ' ') { i++; continue; }
    let j = i;
    if (c === '"') { j = rule.indexOf('"', i + 1); if (j < 0) throw new RulesetWalkError(`unterminated string in: ${rule}`); j++; }
    else if (c === '{') { j = rule.indexOf('}', i); if (j < 0) throw new RulesetWalkError(`unterminated set in: ${rule}`); j++; }
    else while (j < rule.length && rule[j] !== ' ') j++;
    out.push(rule.slice(i, j));
    i = j;
  }
  return out;
}

function runRule(rs: RulesetModel, chain: NftChainModel, index: number, pkt: WalkPacket, st: WalkState): Outcome {
  const text = chain.rules[index]!;
  const t = tokenize(text);
  const step = () => st.steps.push({ chain: chain.name, index, rule: text });
  let p = 0;
  const comment = () => { const k = t.indexOf('comment'); return k >= 0 ? t[k + 1]?.replace(/^"|"$/g, '') : undefined; };
  while (p < t.length) {
    const w = t[p]!;
    if (w === 'comment') { p += 2; continue; }
    if (w === 'counter') { p++; continue; }
    if (w === 'log') { p++; while (p < t.length && (t[p] === 'prefix' || t[p] === 'level')) p += 2; step(); continue; }
    if (w === 'meta' && t[p + 1] === 'mark' && t[p + 2] === 'set') {
      // meta mark set meta mark and|or VALUE
      if (t[p + 3] !== 'meta' || t[p + 4] !== 'mark') throw new RulesetWalkError(`unreadable mark statement: ${text}`);
      const v = Number(t[p + 6]);
      const before = st.mark;
      st.mark = t[p + 5] === 'and' ? (st.mark & v) >>> 0 : (st.mark | v) >>> 0;
      if (!(before & MARK_ACCEPT) && st.mark & MARK_ACCEPT) noteAllow(chain, index, st);
      p += 7;
      continue;
    }
    if (w === 'accept') { step(); return { kind: 'accept' }; }
    if (w === 'drop') { step(); st.decision = dropDecision(chain, index, comment()); return { kind: 'drop' }; }
    if (w === 'return') { step(); return { kind: 'return' }; }
    if (w === 'jump' || w === 'goto') { step(); return enter(rs, w, t[p + 1]!, pkt, st); }
    if (FIELD_KEYS.has(w)) {
      const m = matchExpr(rs, t, p, pkt, st.mark, text);
      if (m.vmap !== undefined) {
        step();
        if (m.vmap === null) return { kind: 'continue' };
        const [verb, target] = m.vmap.split(' ');
        return enter(rs, verb!, target!, pkt, st);
      }
      if (!m.matched) return { kind: 'continue' };
      p = m.next;
      continue;
    }
    throw new RulesetWalkError(`cannot read "${w}" in rule: ${text}`);
  }
  return { kind: 'continue' };
}

function enter(rs: RulesetModel, verb: string, target: string, pkt: WalkPacket, st: WalkState): Outcome {
  const c = rs.chains.get(target);
  if (!c) throw new RulesetWalkError(`${verb} to a chain that does not exist: ${target}`);
  const out = runChain(rs, c, pkt, st);
  if (out.kind === 'accept' || out.kind === 'drop') return out;
  // goto: the called chain's return goes back to our caller; jump: back to us.
  return verb === 'goto' ? { kind: 'return' } : { kind: 'continue' };
}

function noteAllow(chain: NftChainModel, index: number, st: WalkState): void {
  const o = chain.origin;
  if (!o) return;
  st.decision = {
    kind: o.kind, name: o.name, namespace: o.namespace, tier: o.tier, rule: chain.ruleSource?.[index], action: 'Allow',
  };
}

function dropDecision(chain: NftChainModel, index: number, comment: string | undefined): PolicyDecision {
  const o = chain.origin;
  if (o) return { kind: o.kind, name: o.name, namespace: o.namespace, tier: o.tier, rule: chain.ruleSource?.[index], action: 'Deny', comment };
  const tier = chain.ruleTier?.[index];
  if (tier !== undefined) return { kind: 'EndOfTier', tier, action: 'Deny', comment };
  if (chain.ruleTier) return { kind: 'NoProfileAllowed', action: 'Deny', comment };
  return { kind: 'Dispatch', action: 'Deny', comment };
}

// ---- match expressions: KEY [. KEY…] [and MASK] [==|!=] VALUE, or KEY vmap @map ------------------------

type Field = string | number | undefined;

function readKey(t: string[], p: number, text: string): { field: string; next: number } {
  const a = t[p]!;
  if (a === 'iifname' || a === 'oifname') return { field: a, next: p + 1 };
  const b = t[p + 1];
  if (!b) throw new RulesetWalkError(`incomplete match in: ${text}`);
  return { field: `${a} ${b}`, next: p + 2 };
}

function fieldValue(f: string, pkt: WalkPacket, mark: number): Field {
  switch (f) {
    case 'iifname': return pkt.iifname;
    case 'oifname': return pkt.oifname;
    case 'ip saddr': return pkt.family === 4 ? pkt.saddr : undefined;
    case 'ip daddr': return pkt.family === 4 ? pkt.daddr : undefined;
    case 'ip6 saddr': return pkt.family === 6 ? pkt.saddr : undefined;
    case 'ip6 daddr': return pkt.family === 6 ? pkt.daddr : undefined;
    case 'th sport': case 'udp sport': case 'tcp sport':
      return portFor(f, pkt, pkt.sport);
    case 'th dport': case 'udp dport': case 'tcp dport':
      return portFor(f, pkt, pkt.dport);
    case 'icmp type': case 'icmpv6 type': return isIcmp(f, pkt) ? pkt.icmpType : undefined;
    case 'icmp code': case 'icmpv6 code': return isIcmp(f, pkt) ? pkt.icmpCode : undefined;
    case 'meta l4proto': return pkt.l4proto;
    case 'meta nfproto': return `ipv${pkt.family}`;
    case 'meta mark': return mark;
    case 'ct state': return pkt.ctState ?? 'new';
    default: throw new RulesetWalkError(`unknown match field "${f}"`);
  }
}

function portFor(f: string, pkt: WalkPacket, port: number | undefined): Field {
  const proto = f.split(' ')[0];
  if (proto !== 'th' && proto !== pkt.l4proto) return undefined;
  return ['tcp', 'udp', 'sctp', 'udplite'].includes(pkt.l4proto) ? port : undefined;
}

function isIcmp(f: string, pkt: WalkPacket): boolean {
  return f.startsWith('icmpv6') ? pkt.l4proto === 'ipv6-icmp' : pkt.l4proto === 'icmp';
}

function matchExpr(rs: RulesetModel, t: string[], p0: number, pkt: WalkPacket, mark: number, text: string): { matched: boolean; next: number; vmap?: string | null } {
  const keys: string[] = [];
  let p = p0;
  for (;;) {
    const k = readKey(t, p, text);
    keys.push(k.field);
    p = k.next;
    if (t[p] === '.') { p++; continue; }
    break;
  }
  if (t[p] === 'vmap') {
    const map = rs.maps.get(t[p + 1]!.replace(/^@/, ''));
    if (!map) throw new RulesetWalkError(`vmap ${t[p + 1]} does not exist`);
    const v = fieldValue(keys[0]!, pkt, mark);
    let verdict: string | null = null;
    for (const [k, target] of map.elements) if (v !== undefined && elementMatches([k], [v])) { verdict = target; break; }
    return { matched: verdict !== null, next: p + 2, vmap: verdict };
  }
  let values: Field[] = keys.map((k) => fieldValue(k, pkt, mark));
  if (t[p] === 'and') { values = [((Number(values[0] ?? 0) & Number(t[p + 1])) >>> 0)]; p += 2; }
  let negate = false;
  if (t[p] === '!=') { negate = true; p++; } else if (t[p] === '==') p++;
  const operand = t[p]!;
  p++;
  // A packet without the field (no ports on ICMP, IPv4 fields on IPv6) matches neither the value nor its negation.
  if (values.some((v) => v === undefined)) return { matched: false, next: p };
  const hit = operandMatches(rs, operand, values, text);
  return { matched: negate ? !hit : hit, next: p };
}

function operandMatches(rs: RulesetModel, operand: string, values: Field[], text: string): boolean {
  if (operand.startsWith('@')) {
    const set = rs.sets.get(operand.slice(1));
    if (!set) throw new RulesetWalkError(`set ${operand} does not exist (rule: ${text})`);
    for (const e of set.elements) if (elementMatches(e.split(' . '), values)) return true;
    return false;
  }
  if (operand.startsWith('{')) {
    const inner = operand.slice(1, -1).trim();
    return inner.split(',').some((e) => elementMatches(e.trim().split(' . '), values));
  }
  return elementMatches(operand.split(','), values.length === 1 ? values : values, true);
}

/** One set element (components joined by ` . `) against the packet's values; `anyOf` for `a,b` lists. */
function elementMatches(parts: string[], values: Field[], anyOf = false): boolean {
  if (anyOf && values.length === 1) return parts.some((part) => componentMatches(part, values[0]));
  if (parts.length !== values.length) return false;
  return parts.every((part, i) => componentMatches(part, values[i]));
}

function componentMatches(elem: string, v: Field): boolean {
  const e = elem.trim();
  if (typeof v === 'number') {
    if (/^0x[0-9a-f]+$/i.test(e) || /^\d+$/.test(e)) return Number(e) === v;
    const r = /^(\d+)-(\d+)$/.exec(e);
    if (r) return v >= Number(r[1]) && v <= Number(r[2]);
    return false;
  }
  if (v === undefined) return false;
  if (e.startsWith('"')) {
    const s = e.slice(1, -1);
    return s.endsWith('*') ? v.startsWith(s.slice(0, -1)) : v === s;
  }
  const addr = tryParseIP(v);
  if (addr && /[.:]/.test(e)) {
    const dash = e.indexOf('-');
    if (dash > 0) {
      const lo = tryParseIP(e.slice(0, dash)), hi = tryParseIP(e.slice(dash + 1));
      return !!lo && !!hi && lo.family === addr.family && compareIP(addr, lo) >= 0 && compareIP(addr, hi) <= 0;
    }
    const lone = tryParseIP(e);
    if (lone) return lone.family === addr.family && compareIP(addr, lone) === 0;
    return ipInCIDR(v, e);
  }
  return e === v;
}

export { MARK_PASS };

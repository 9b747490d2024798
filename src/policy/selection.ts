// What a rule's source/destination selects, and the index that keeps those selections' members current.
// Pure; the only state is the incremental MembershipIndex.
//
// The selection of an entity rule follows libcalico-go's updateprocessors/rules.go (getEndpointSelector)
// and Felix's rule_scanner.go:
//   * positive side: `selector` (AND service accounts), limited to the policy's namespace in a namespaced
//     policy, or to the namespaces `namespaceSelector` picks. As soon as ANY of selector, notSelector or
//     namespaceSelector is used, the positive side exists, so in a NetworkPolicy a bare notSelector still
//     limits the peer to the policy's namespace;
//   * negative side: `notSelector` exactly as written, over every endpoint and network set (unscoped).
import { createHash } from 'node:crypto';
import { parseSelector, evaluateNode, type Selector, type SelectorNode } from '../selector/index.ts';
import type { Net } from '../net/ip.ts';
import { LABEL_SERVICE_ACCOUNT, type EndpointPort, type EntityRule } from './model.ts';

export type Labels = Record<string, string>;

/** Something a selector can match: a workload or host endpoint anywhere in the cluster, or a network set. */
export interface Item {
  key: string;
  kind: 'wep' | 'netset' | 'gnetset' | 'hep';
  namespace?: string | undefined;
  /** The item's labels, including those inherited from its profiles. */
  labels: Labels;
  /**
   * The labels a namespaceSelector reads. Calico rewrites `k` in a namespaceSelector to `pcns.k` and
   * evaluates it on the item's labels, where namespaced items carry their namespace's labels as `pcns.*`
   * (inherited from the kns.<ns> profile). Namespaced items: the namespace's labels; others: their own
   * `pcns.*` labels without the prefix (normally none).
   */
  nsView: Labels;
  /** The labels a service-account selector reads: the item's `pcsa.*` labels (from its ksa.* profile) unprefixed. */
  saView: Labels;
  /** Addresses/nets the item contributes to a set. */
  nets: Net[];
  node?: string | undefined;
  ports: EndpointPort[];
  serviceAccount?: string | undefined;
}

/** Which items a selection may contain, before its label selector is applied. */
export type Scope = { ns: string } | { nsSel: string } | 'any';

/**
 * What a selector IP set holds: items in `scope` matching `sel`, and, if given, whose service account is
 * one of `saNames` and matches `saSel`. `saAll` is what all() means inside `saSel`: 'any' in rules, 'hasSA'
 * for a GlobalNetworkPolicy's serviceAccountSelector (Calico rewrites it to has(projectcalico.org/serviceaccount)).
 */
export interface PeerKey { sel: string; scope: Scope; saNames?: string[]; saSel?: string; saAll?: 'any' | 'hasSA' }

/** Named-port set: addresses . ports of items matching `peer` that expose `name` over `proto`. */
export interface NamedPortKey { peer: PeerKey; name: string; proto: string }

export function scopeText(s: Scope): string {
  if (s === 'any') return 'any';
  return 'ns' in s ? `ns=${s.ns}` : `nsSel=${s.nsSel}`;
}

export function peerKeyText(k: PeerKey): string {
  const sa = `${k.saNames ? `;sa=${[...k.saNames].sort().join(',')}` : ''}${k.saSel !== undefined ? `;saSel=${k.saAll ?? 'any'}:${k.saSel}` : ''}`;
  return `sel=${k.sel};${scopeText(k.scope)}${sa}`;
}

export function namedPortKeyText(k: NamedPortKey): string {
  return `np:${k.name}/${k.proto};${peerKeyText(k.peer)}`;
}

export function hashOf(text: string, len: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

const selectorCache = new Map<string, Selector>();
export function selector(expr: string): Selector {
  let s = selectorCache.get(expr);
  if (!s) {
    s = parseSelector(expr);
    if (selectorCache.size > 50_000) selectorCache.clear();
    selectorCache.set(expr, s);
  }
  return s;
}

/** A selector checked for syntax; the error names the field. */
export function validSelector(expr: string, where: string): string {
  try {
    selector(expr);
  } catch (e) {
    throw new Error(`${where}: invalid selector ${JSON.stringify(expr)}: ${(e as Error).message}`);
  }
  return expr;
}

/**
 * A namespaceSelector evaluated as Calico's rewritten form: labels read the item's namespace labels,
 * `all()` means "has(projectcalico.org/namespace)" (any namespaced item) and `global()` means its negation
 * (global network sets, host endpoints).
 */
function namespaceSelectorMatches(node: SelectorNode, item: Item): boolean {
  switch (node.type) {
    case 'all': return item.namespace !== undefined;
    case 'global': return item.namespace === undefined;
    case 'not': return !namespaceSelectorMatches(node.operand, item);
    case 'and': return node.operands.every((o) => namespaceSelectorMatches(o, item));
    case 'or': return node.operands.some((o) => namespaceSelectorMatches(o, item));
    default: return evaluateNode(node, item.nsView);
  }
}

export function scopeMatches(scope: Scope, item: Item): boolean {
  if (scope === 'any') return true;
  if ('ns' in scope) return item.namespace === scope.ns;
  return namespaceSelectorMatches(selector(scope.nsSel).ast, item);
}

/** A service-account selector as Calico's `pcsa.`-prefixed form evaluated on the item's labels. */
function serviceAccountSelectorMatches(node: SelectorNode, item: Item, all: 'any' | 'hasSA'): boolean {
  switch (node.type) {
    case 'all': return all === 'any' || item.labels[LABEL_SERVICE_ACCOUNT] !== undefined;
    case 'not': return !serviceAccountSelectorMatches(node.operand, item, all);
    case 'and': return node.operands.every((o) => serviceAccountSelectorMatches(o, item, all));
    case 'or': return node.operands.some((o) => serviceAccountSelectorMatches(o, item, all));
    default: return evaluateNode(node, item.saView);
  }
}

export function peerMatches(k: PeerKey, item: Item): boolean {
  if (!scopeMatches(k.scope, item)) return false;
  // Calico: names become `projectcalico.org/serviceaccount in {...}` over the endpoint's labels.
  if (k.saNames) {
    const sa = item.labels[LABEL_SERVICE_ACCOUNT];
    if (sa === undefined || !k.saNames.includes(sa)) return false;
  }
  if (k.saSel !== undefined && !serviceAccountSelectorMatches(selector(k.saSel).ast, item, k.saAll ?? 'any')) return false;
  return selector(k.sel).evaluate(item.labels);
}

/** The two selections of one entity rule (either may be absent: no constraint on that side). */
export interface EntitySelection {
  positive?: PeerKey;
  negative?: PeerKey;
}

/**
 * Calico's getEndpointSelector: `namespace` is the policy's namespace (undefined for global policies and
 * profiles). Throws on an invalid selector or an unsupported field, naming it.
 */
export function entitySelection(e: EntityRule, namespace: string | undefined, where: string): EntitySelection {
  const nsSelector = e.namespaceSelector ? validSelector(e.namespaceSelector, `${where}.namespaceSelector`) : undefined;
  const scope: Scope = nsSelector !== undefined ? { nsSel: nsSelector } : namespace !== undefined ? { ns: namespace } : 'any';
  const saNames = e.serviceAccounts?.names?.length ? e.serviceAccounts.names : undefined;
  const saSel = e.serviceAccounts?.selector ? validSelector(e.serviceAccounts.selector, `${where}.serviceAccounts.selector`) : undefined;
  const sel = e.selector ? validSelector(e.selector, `${where}.selector`) : undefined;
  const out: EntitySelection = {};
  const positiveFields = sel !== undefined || saNames !== undefined || saSel !== undefined;
  // The namespace part joins as soon as any selector field is used, notSelector included.
  const scoped = scope !== 'any' && (positiveFields || !!e.notSelector || nsSelector !== undefined);
  if (positiveFields || scoped) {
    out.positive = { sel: sel ?? 'all()', scope, ...(saNames ? { saNames } : {}), ...(saSel !== undefined ? { saSel } : {}) };
  }
  if (e.notSelector) out.negative = { sel: validSelector(e.notSelector, `${where}.notSelector`), scope: 'any' };
  return out;
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

  /** Whether some matcher's membership changed since the last takeDirty(). */
  get hasDirty(): boolean { return this.dirty.size > 0; }

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
      if (n && (n === old || n.fingerprint === old.fingerprint)) continue;
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

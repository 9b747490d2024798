// The policy calculation: plain v3 resources in, the desired nftables ruleset for one node out. Pure (no
// I/O); the only state is incremental indexes so that a pod coming or going costs O(#selectors), not a
// recomputation of the whole cluster. The ruleset's shape is described in ruleset-model.ts; rules are
// compiled in rule-compiler.ts, selections in selection.ts, programs in program.ts.
import { disjointCIDRs, type Net } from '../net/ip.ts';
import {
  DEFAULT_TIER, effectiveTypes, type GlobalNetworkPolicy, type NetworkPolicy, type PolicySnapshot,
} from './model.ts';
import { ChainCompiler, type ChainRun, type PolicyRef } from './chains.ts';
import { deriveEndpoint, networkSetItems, profileLabelMap, type DerivedEndpoint } from './items.ts';
import { baseChains, policyLess, programBody, programChain, resolveTiers, tierLess, type ProgramInputs, type TierInfo } from './program.ts';
import { cidrElem } from './rule-compiler.ts';
import { endpointToHostActionFrom, failsafeChains, failsafeConfig, vxlanPortFrom } from './failsafe.ts';
import {
  SET_ALL_HOSTS_V4, deriveHostEndpoint, encapAllowance, encapRules, hostBaseChains, hostEndpointChains, resolveHostEndpoints, splitHostPolicies,
  type ActiveHostEndpoint, type DerivedHostEndpoint, type HostInterfaces,
} from './host-endpoints.ts';
import {
  MAP_FROM_WL, MAP_TO_WL, SET_WL_ADDRS_V4, SET_WL_ADDRS_V6, SET_WL_IFACES, emptyRuleset,
  type NftChainModel, type NftMapModel, type NftSetModel, type RulesetModel,
} from './ruleset-model.ts';
import {
  MembershipIndex, peerMatches, scopeText, validSelector, type Item, type NamedPortKey, type PeerKey, type Scope,
} from './selection.ts';

export * from './ruleset-model.ts';
export { compileRule, type LiteralKind, type RuleContext, type SetRegistry } from './rule-compiler.ts';
export { MembershipIndex } from './selection.ts';
export type { HostInterfaces } from './host-endpoints.ts';
export type { TierInfo } from './program.ts';
export type { PolicyRef } from './chains.ts';

export type EndpointToHostAction = 'Accept' | 'Drop' | 'Return';

export interface CalcOptions {
  nodeName: string;
  /**
   * Felix's defaultEndpointToHostAction after the endpoint's egress policy allowed pod→host traffic, when
   * no FelixConfiguration sets it.
   */
  endpointToHostAction?: EndpointToHostAction | undefined;
  /** Felix's allowVXLANPacketsFromWorkloads / allowIPIPPacketsFromWorkloads (default false: dropped). */
  allowVXLANFromWorkloads?: boolean | undefined;
  allowIPIPFromWorkloads?: boolean | undefined;
}

export interface CalcStats {
  localEndpoints: number;
  activePolicies: number;
  ipSets: number;
  chains: number;
  rules: number;
}

interface LocalEndpoint {
  key: string;
  iface: string;
  namespace?: string | undefined;
  v4: string[];
  v6: string[];
  profiles: string[];
}

/** Policy selection over local endpoints: a NetworkPolicy sees its namespace, a GNP its namespaceSelector. */
type SelectionKey = PeerKey;

type Keyed = Map<string, { item: Item; fingerprint: string }>;

function protoNameForPort(p: string): string {
  return ({ '6': 'tcp', '17': 'udp', '132': 'sctp', '136': 'udplite' } as Record<string, string>)[p] ?? p;
}

function namedPortMatches(k: NamedPortKey, item: Item): boolean {
  if (!peerMatches(k.peer, item)) return false;
  return item.ports.some((p) => p.name === k.name && (p.protocol ?? 'TCP').toLowerCase() === protoNameForPort(k.proto));
}

/** Felix keeps doNotTrack and preDNAT policies for host endpoints only (calc/event_sequencer.go). */
function appliesToWorkloads(p: PolicyRef): boolean {
  return !p.spec.doNotTrack && !p.spec.preDNAT;
}

function policyRefs(snap: PolicySnapshot, problems: string[]): PolicyRef[] {
  const out: PolicyRef[] = [];
  const add = (kind: PolicyRef['kind'], p: NetworkPolicy | GlobalNetworkPolicy, namespace?: string) => {
    const spec = p.spec ?? {};
    out.push({
      kind, id: namespace !== undefined ? `${namespace}/${p.metadata.name}` : p.metadata.name, name: p.metadata.name,
      ...(namespace !== undefined ? { namespace } : {}), spec, tier: spec.tier || DEFAULT_TIER, order: spec.order,
    });
  };
  for (const p of snap.networkPolicies) {
    const ns = p.metadata.namespace;
    if (!ns) { problems.push(`NetworkPolicy(${p.metadata.name}): has no namespace; ignored`); continue; }
    add('NetworkPolicy', p, ns);
  }
  for (const p of snap.globalNetworkPolicies) add('GlobalNetworkPolicy', p);
  return out;
}

/**
 * Which endpoints a policy selects (updateprocessors networkpolicyprocessor.go / globalnetworkpolicyprocessor.go):
 * a NetworkPolicy's selector within its namespace; a GNP's selector within the namespaces its
 * namespaceSelector picks; both AND-ed with the serviceAccountSelector.
 */
function policySelection(p: PolicyRef): SelectionKey {
  const where = `${p.kind}(${p.id}).spec`;
  const sel = validSelector(p.spec.selector || 'all()', `${where}.selector`);
  const scope: Scope = p.namespace !== undefined ? { ns: p.namespace }
    : p.spec.namespaceSelector ? { nsSel: validSelector(p.spec.namespaceSelector, `${where}.namespaceSelector`) } : 'any';
  const key: SelectionKey = { sel, scope };
  if (p.spec.serviceAccountSelector) {
    key.saSel = validSelector(p.spec.serviceAccountSelector, `${where}.serviceAccountSelector`);
    key.saAll = p.kind === 'GlobalNetworkPolicy' ? 'hasSA' : 'any';
  }
  return key;
}

/**
 * Every valid policy with its selection. A policy naming a tier with no Tier resource still applies (Felix's
 * policy resolver keeps it), in a tier sorted after every defined one.
 */
function selectedPolicies(policies: PolicyRef[], tiers: Map<string, TierInfo>, problems: string[]): Map<PolicyRef, SelectionKey> {
  const out = new Map<PolicyRef, SelectionKey>();
  for (const p of policies) {
    if (!tiers.has(p.tier)) {
      problems.push(`${p.kind}(${p.id}): tier "${p.tier}" does not exist; its policies run after every defined tier`);
      tiers.set(p.tier, { name: p.tier, order: undefined, defaultAction: 'Deny', valid: false });
    }
    try { out.set(p, policySelection(p)); } catch (e) { problems.push((e as Error).message + '; policy ignored'); }
  }
  return out;
}

export class PolicyCalculator {
  private readonly opts: { [K in keyof CalcOptions]-?: NonNullable<CalcOptions[K]> };
  /** Selector/named-port sets over all items (cluster-wide endpoints + network sets). */
  private readonly peerIndex = new MembershipIndex<PeerKey>(peerMatches);
  private readonly namedPortIndex = new MembershipIndex<NamedPortKey>(namedPortMatches);
  /** Policy selectors over local endpoints only. */
  private readonly selectionIndex = new MembershipIndex<SelectionKey>(peerMatches);
  private readonly chains = new ChainCompiler();
  private endpointCache = new WeakMap<object, DerivedEndpoint>();
  private hasIPv6 = false;
  private setCache = new Map<string, NftSetModel>();
  private snapshot: PolicySnapshot | undefined;
  private locals: LocalEndpoint[] = [];
  private hostEndpoints: DerivedHostEndpoint[] = [];
  /** The node's interfaces and addresses (for expectedIPs matching); undefined = not known. */
  private hostInterfaces: HostInterfaces | undefined;
  private updateProblems: string[] = [];
  /** What the last ruleset() applied: the policies per local endpoint, and the tiers they are in. */
  private applied: { perEndpoint: Map<string, PolicyRef[]>; tiers: Map<string, TierInfo> } | undefined;
  /** The last ruleset() and what it was computed from: reused while none of that changed (rulesetInputs). */
  private lastRuleset: { rs: RulesetModel; from: RulesetInputs; problems: string[] } | undefined;
  private pendingInputs: RulesetInputs | undefined;
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
    const profileLabels = profileLabelMap(snapshot);
    const items: Keyed = new Map();
    const localItems: Keyed = new Map();
    const locals: LocalEndpoint[] = [];
    const seenIfaces = new Set<string>();
    // Endpoint-derived items are cached by resource object: a syncer hands over the same objects for
    // unchanged resources, so a snapshot with one new pod costs one derivation, not ten thousand.
    const ctxKey = JSON.stringify([...profileLabels]);
    // Every pod anywhere runs this loop on every node: it allocates nothing per unchanged endpoint.
    let v6Endpoints = false;
    for (const w of snapshot.workloadEndpoints) {
      let d = this.endpointCache.get(w);
      if (!d || d.ctx !== ctxKey) {
        d = deriveEndpoint(w, profileLabels, ctxKey);
        this.endpointCache.set(w, d);
      }
      if (d.problems.length) problems.push(...d.problems);
      items.set(d.key, d.entry);
      if (d.v6) v6Endpoints = true;
      if (d.spec.node !== this.opts.nodeName) continue;
      const local = this.localEndpoint(d, seenIfaces, problems);
      if (!local) continue;
      localItems.set(d.key, d.entry);
      locals.push(local);
    }
    const others: Keyed = new Map(networkSetItems(snapshot, profileLabels, problems));
    // Host endpoints everywhere are peers (their expectedIPs join selector sets), as in Felix.
    this.hostEndpoints = (snapshot.hostEndpoints ?? []).map((h) => deriveHostEndpoint(h, profileLabels, problems));
    for (const h of this.hostEndpoints) others.set(h.key, { item: h.item, fingerprint: h.fingerprint });
    for (const [k, v] of others) items.set(k, v);
    // As `some item has an IPv6 address` over the merged map: a later entry replaces an endpoint's of the same key.
    this.hasIPv6 = [...others.values()].some(({ item }) => item.nets.some((c) => c.family === 6))
      || (v6Endpoints && [...items.values()].some(({ item }) => item.nets.some((c) => c.family === 6)));
    this.peerIndex.setItems(items);
    this.namedPortIndex.setItems(items);
    this.selectionIndex.setItems(localItems);
    this.locals = locals;
    this.updateProblems = problems;
    this.problems = [...problems];
    this.pendingInputs = rulesetInputs(snapshot, localItems, locals, this.hasIPv6, problems, this.hostInterfaces);
  }

  /** The node's interfaces and their addresses, for host endpoints matched by expectedIPs. */
  setHostInterfaces(ifaces: HostInterfaces | undefined): void {
    this.hostInterfaces = ifaces;
    if (this.pendingInputs) this.pendingInputs = { ...this.pendingInputs, hostInterfaces: ifaces };
  }

  /** This node's endpoint as programmed, or undefined if it cannot be programmed (the caller passes only its own). */
  private localEndpoint(d: DerivedEndpoint, seenIfaces: Set<string>, problems: string[]): LocalEndpoint | undefined {
    const iface = d.spec.interfaceName;
    if (!iface || !/^[A-Za-z0-9_.-]{1,15}$/.test(iface)) {
      problems.push(`${d.key}: interfaceName ${JSON.stringify(iface)} is not a valid interface name; endpoint not programmed`);
      return undefined;
    }
    if (seenIfaces.has(iface)) {
      problems.push(`${d.key}: interface ${iface} already used by another endpoint; endpoint not programmed`);
      return undefined;
    }
    seenIfaces.add(iface);
    const addrs = (family: 4 | 6) => d.nets.filter((c) => c.family === family).map((c) => c.text.split('/')[0]!);
    return { key: d.key, iface, namespace: d.item.namespace, profiles: d.profiles, v4: addrs(4), v6: addrs(6) };
  }

  /** The desired ruleset for the current snapshot. */
  ruleset(): RulesetModel {
    const snap = this.snapshot;
    if (!snap) throw new Error('PolicyCalculator.ruleset() called before update()');
    // Most changes in a cluster are other nodes' endpoints that no selector here matches: the ruleset is then
    // the last one (identical inputs, no set membership moved), returned as the same object.
    const from = this.pendingInputs!;
    const last = this.lastRuleset;
    if (last && !this.peerIndex.hasDirty && !this.namedPortIndex.hasDirty && sameRulesetInputs(last.from, from)) {
      this.problems = [...last.problems];
      return last.rs;
    }
    const problems = [...this.updateProblems];
    this.problems = problems;
    const rs = emptyRuleset();
    const tiers = resolveTiers(snap, problems);
    const selected = selectedPolicies(policyRefs(snap, problems), tiers, problems);
    const perEndpoint = this.policiesPerEndpoint(selected);
    this.applied = { perEndpoint, tiers };
    const activeHeps = this.activeHostEndpoints(selected);
    const run = this.chains.newRun(this.hasIPv6, problems);
    const inputs: ProgramInputs = {
      compiler: this.chains, run, tiers: [...tiers.values()].sort(tierLess),
      profiles: new Map(snap.profiles.map((p) => [p.metadata.name, p])), active: new Set(),
    };
    this.endpointPrograms(rs, inputs, perEndpoint);
    const hostEndpoints = activeHeps.length > 0;
    let encap: ReturnType<typeof encapRules> = { input: [], output: [] };
    if (hostEndpoints) {
      for (const c of hostEndpointChains(inputs, activeHeps, problems)) rs.chains.set(c.name, c);
      const failsafe = failsafeConfig(snap.felixConfigurations, this.opts.nodeName, problems);
      for (const table of ['', 'mangle-', 'raw-'] as const) for (const c of failsafeChains(failsafe, table)) rs.chains.set(c.name, c);
      const allowance = encapAllowance(snap, vxlanPortFrom(snap.felixConfigurations, this.opts.nodeName));
      encap = encapRules(allowance);
      if (encap.input.length) rs.sets.set(SET_ALL_HOSTS_V4, { name: SET_ALL_HOSTS_V4, type: 'ipv4_addr', interval: false, elements: allowance.hosts });
      for (const c of hostBaseChains(encap.output)) rs.chains.set(c.name, c);
    }
    for (const [n, c] of run.chains) {
      const origin = run.origins.get(n);
      rs.chains.set(n, { name: n, rules: c.rules, ruleSource: c.ruleSource, ...(origin ? { origin } : {}) });
    }
    this.selectorSets(rs, run);
    const endpointToHostAction = endpointToHostActionFrom(snap.felixConfigurations, this.opts.nodeName, problems) ?? this.opts.endpointToHostAction;
    for (const c of baseChains({ ...this.opts, endpointToHostAction, hostEndpoints, encapInput: encap.input })) rs.chains.set(c.name, c);
    this.chains.endRun(run);
    let rules = 0;
    for (const c of rs.chains.values()) rules += c.rules.length;
    const ipSets = run.peerSets.size + run.npSets.size + run.literalSets.size;
    this.stats = { localEndpoints: this.locals.length, activePolicies: inputs.active.size, ipSets, chains: rs.chains.size, rules };
    this.lastRuleset = { rs, from, problems: [...problems] };
    return rs;
  }

  /**
   * The policies the last ruleset() applied to a local endpoint (key `wep/<ns>/<name>`), per direction, in
   * the order the packet meets them: by tier (tierLess), then by policy order (policyLess).
   */
  appliedTo(endpointKey: string): { tiers: TierInfo[]; Ingress: PolicyRef[]; Egress: PolicyRef[] } {
    if (!this.applied) throw new Error('PolicyCalculator.appliedTo() called before ruleset()');
    const tiers = [...this.applied.tiers.values()].sort(tierLess);
    const rank = new Map(tiers.map((t, i) => [t.name, i]));
    const all = [...(this.applied.perEndpoint.get(endpointKey) ?? [])]
      .sort((a, b) => (rank.get(a.tier) ?? Infinity) - (rank.get(b.tier) ?? Infinity) || policyLess(a, b));
    const inDir = (d: 'Ingress' | 'Egress') => all.filter((p) => effectiveTypes(p.spec).includes(d));
    return { tiers, Ingress: inDir('Ingress'), Egress: inDir('Egress') };
  }

  /** The policies that select each local workload endpoint, in Felix's order (untracked and pre-DNAT ones never do). */
  private policiesPerEndpoint(selected: Map<PolicyRef, SelectionKey>): Map<string, PolicyRef[]> {
    const selectionKeys = new Map<string, SelectionKey>();
    const selectionOf = new Map<PolicyRef, string>();
    for (const [p, key] of selected) {
      if (!appliesToWorkloads(p)) continue;
      const text = `${key.sel}|${scopeText(key.scope)}|${key.saAll ?? ''}:${key.saSel ?? ''}`;
      selectionKeys.set(text, key);
      selectionOf.set(p, text);
    }
    this.selectionIndex.setMatchers(selectionKeys);
    const perEndpoint = new Map<string, PolicyRef[]>();
    for (const [p, text] of selectionOf) {
      for (const ek of this.selectionIndex.members(text)) {
        let l = perEndpoint.get(ek);
        if (!l) perEndpoint.set(ek, (l = []));
        l.push(p);
      }
    }
    for (const l of perEndpoint.values()) l.sort(policyLess);
    return perEndpoint;
  }

  /** This node's host endpoints by interface, each with the policies selecting it, split by table. */
  private activeHostEndpoints(selected: Map<PolicyRef, SelectionKey>): ActiveHostEndpoint[] {
    const out: ActiveHostEndpoint[] = [];
    for (const [iface, hep] of resolveHostEndpoints(this.hostEndpoints, this.opts.nodeName, this.hostInterfaces)) {
      const applying = [...selected].filter(([, key]) => peerMatches(key, hep.item)).map(([p]) => p).sort(policyLess);
      out.push({ iface, hep, policies: splitHostPolicies(applying) });
    }
    return out;
  }

  /** Dispatch maps, anti-spoofing sets and per-endpoint chains; programs shared by identical endpoints. */
  private endpointPrograms(rs: RulesetModel, inp: ProgramInputs, perEndpoint: Map<string, PolicyRef[]>): void {
    const toMap: NftMapModel = { name: MAP_TO_WL, keyType: 'ifname', elements: new Map() };
    const fromMap: NftMapModel = { name: MAP_FROM_WL, keyType: 'ifname', elements: new Map() };
    const ifaces: NftSetModel = { name: SET_WL_IFACES, type: 'ifname', interval: false, elements: new Set() };
    const addrs4: NftSetModel = { name: SET_WL_ADDRS_V4, type: 'ifname . ipv4_addr', interval: false, elements: new Set() };
    const addrs6: NftSetModel = { name: SET_WL_ADDRS_V6, type: 'ifname . ipv6_addr', interval: false, elements: new Set() };
    const groups = new Map<string, { Ingress: string; Egress: string }>();
    for (const ep of this.locals) {
      const q = `"${ep.iface}"`;
      ifaces.elements.add(q);
      for (const a of ep.v4) addrs4.elements.add(`${q} . ${a}`);
      for (const a of ep.v6) addrs6.elements.add(`${q} . ${a}`);
      const applying = perEndpoint.get(ep.key) ?? [];
      // Endpoints with the same policies and profiles share programs: build each distinct one once.
      const groupKey = `${applying.map((p) => `${p.kind}/${p.id}`).join(',')}|${ep.profiles.join(',')}`;
      let group = groups.get(groupKey);
      if (!group) {
        const ingress = programChain('Ingress', programBody(inp, applying, ep.profiles, 'Ingress', ep.key));
        const egress = programChain('Egress', programBody(inp, applying, ep.profiles, 'Egress', ep.key));
        for (const c of [ingress, egress]) rs.chains.set(c.name, c);
        group = { Ingress: ingress.name, Egress: egress.name };
        groups.set(groupKey, group);
      }
      const tw: NftChainModel = { name: `cali-tw-${ep.iface}`, rules: [`goto ${group.Ingress}`] };
      const fw: NftChainModel = { name: `cali-fw-${ep.iface}`, rules: [`goto ${group.Egress}`] };
      rs.chains.set(tw.name, tw);
      rs.chains.set(fw.name, fw);
      toMap.elements.set(q, `goto ${tw.name}`);
      fromMap.elements.set(q, `goto ${fw.name}`);
    }
    for (const s of [ifaces, addrs4, addrs6]) rs.sets.set(s.name, s);
    for (const m of [toMap, fromMap]) rs.maps.set(m.name, m);
  }

  /**
   * Selector and named-port sets, plus the literal ones. Only sets whose membership changed are rebuilt;
   * unchanged ones keep their model object, which also lets the diff skip them by identity.
   */
  private selectorSets(rs: RulesetModel, run: ChainRun): void {
    this.peerIndex.setMatchers(new Map([...run.peerSets.values()].map((p) => [p.id, p.key])));
    this.namedPortIndex.setMatchers(new Map([...run.npSets.values()].map((p) => [p.id, p.key])));
    const dirty = new Set([...this.peerIndex.takeDirty(), ...this.namedPortIndex.takeDirty()]);
    const setCache = new Map<string, NftSetModel>();
    const build = (n: string, id: string, make: () => NftSetModel) => {
      const cached = this.setCache.get(n);
      const model = cached && !dirty.has(id) ? cached : make();
      rs.sets.set(n, model);
      setCache.set(n, model);
    };
    for (const [n, { id, family }] of run.peerSets) build(n, id, () => this.peerSet(n, id, family));
    for (const [n, { key, id, family }] of run.npSets) build(n, id, () => this.namedPortSet(n, key, id, family));
    this.setCache = setCache;
    for (const [n, set] of run.literalSets) rs.sets.set(n, set);
  }

  private peerSet(name: string, id: string, family: 4 | 6): NftSetModel {
    const cidrs: Net[] = [];
    for (const ik of this.peerIndex.members(id)) for (const c of this.peerIndex.item(ik)?.nets ?? []) if (c.family === family) cidrs.push(c);
    return { name, type: family === 4 ? 'ipv4_addr' : 'ipv6_addr', interval: true, elements: new Set(disjointCIDRs(cidrs).map(cidrElem)) };
  }

  private namedPortSet(name: string, k: NamedPortKey, id: string, family: 4 | 6): NftSetModel {
    const elems = new Set<string>();
    for (const ik of this.namedPortIndex.members(id)) {
      const item = this.namedPortIndex.item(ik);
      if (!item) continue;
      for (const p of item.ports) {
        if (p.name !== k.name || (p.protocol ?? 'TCP').toLowerCase() !== protoNameForPort(k.proto)) continue;
        for (const c of item.nets) if (c.family === family && c.prefix === (family === 4 ? 32 : 128)) elems.add(`${cidrElem(c)} . ${p.port}`);
      }
    }
    return { name, type: family === 4 ? 'ipv4_addr . inet_service' : 'ipv6_addr . inet_service', interval: false, elements: elems };
  }
}

/**
 * What ruleset() reads besides the membership indexes: every resource but the endpoints (by identity: the
 * agent's snapshot hands over the same object for an unchanged resource), the local endpoints (by content),
 * and the derived flags. Remote endpoints reach the ruleset only through the indexes' memberships.
 */
interface RulesetInputs { refs: readonly object[]; locals: string; hasIPv6: boolean; problems: string; hostInterfaces: HostInterfaces | undefined }

function rulesetInputs(snap: PolicySnapshot, localItems: Keyed, locals: LocalEndpoint[], hasIPv6: boolean, problems: string[], hostInterfaces: HostInterfaces | undefined): RulesetInputs {
  const refs: object[] = [];
  for (const list of [snap.networkPolicies, snap.globalNetworkPolicies, snap.profiles, snap.networkSets, snap.globalNetworkSets, snap.tiers,
    snap.hostEndpoints ?? [], snap.felixConfigurations ?? [], snap.nodes ?? [], snap.ipPools ?? []]) {
    refs.push(SEPARATOR, ...list);
  }
  const localKeys = [...localItems].map(([k, v]) => `${k}\0${v.fingerprint}`).join('\n');
  return { refs, locals: `${localKeys}\n${JSON.stringify(locals)}`, hasIPv6, problems: problems.join('\n'), hostInterfaces };
}
/** Marks where each list starts in `refs`. */
const SEPARATOR = {};

function sameRulesetInputs(a: RulesetInputs, b: RulesetInputs): boolean {
  if (a.hasIPv6 !== b.hasIPv6 || a.hostInterfaces !== b.hostInterfaces || a.locals !== b.locals || a.problems !== b.problems) return false;
  if (a.refs.length !== b.refs.length) return false;
  for (let i = 0; i < a.refs.length; i++) if (a.refs[i] !== b.refs[i]) return false;
  return true;
}

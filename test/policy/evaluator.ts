// An independent policy interpreter for the truth-table tests: given the pods and the policy resources,
// decides whether a connection should be allowed. It shares NO code with src/policy (only the selector
// language, which has its own tests): Kubernetes NetworkPolicies are interpreted with Kubernetes'
// semantics straight from the networking.k8s.io/v1 objects, Calico policies with Calico's documented
// semantics (tiers, order, Allow/Deny/Pass/Log, profiles), each written from the upstream file named beside
// it. Deliberately simple and slow.
import { evaluateNode, parseSelector, type SelectorNode } from '../../src/selector/index.ts';

export type Proto = 'TCP' | 'UDP';

export interface EvalPod {
  namespace: string;
  name: string;
  ip: string;
  labels: Record<string, string>;
  ports: { name: string; port: number; protocol: string }[];
  serviceAccount?: string;
}

export interface EvalNamespace { name: string; labels: Record<string, string> }

export interface EvalWorld {
  pods: EvalPod[];
  namespaces: EvalNamespace[];
  k8sPolicies: any[];
  networkPolicies: any[];
  globalNetworkPolicies: any[];
  tiers: any[];
  networkSets: any[];
  globalNetworkSets: any[];
  /** Profiles by name; each pod uses `kns.<namespace>` (allow-all unless overridden here). */
  profiles: Record<string, any>;
}

interface Packet { src: EvalPod; dst: EvalPod; proto: Proto; port: number }

// ---------------------------------------------------------------- addresses
function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
}
export function inCidr(ip: string, cidr: string): boolean {
  const [base, lenS] = cidr.split('/');
  const len = lenS === undefined ? 32 : Number(lenS);
  if (base!.includes(':')) return false; // the test world is IPv4
  const size = 2 ** (32 - len);
  const start = Math.floor(ipToInt(base!) / size) * size;
  const v = ipToInt(ip);
  return v >= start && v < start + size;
}

// ---------------------------------------------------------------- Kubernetes semantics
function k8sLabelSelectorMatches(sel: any, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !e.values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && e.values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`evaluator: operator ${e.operator}`);
    }
  }
  return true;
}

function k8sPolicyTypes(np: any): string[] {
  if (np.spec.policyTypes?.length) return np.spec.policyTypes;
  return (np.spec.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function nsLabels(world: EvalWorld, ns: string): Record<string, string> {
  return world.namespaces.find((n) => n.name === ns)?.labels ?? {};
}

function k8sPeerMatches(world: EvalWorld, np: any, peer: any, other: EvalPod): boolean {
  if (peer.ipBlock) {
    if (!inCidr(other.ip, peer.ipBlock.cidr)) return false;
    return !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip, c));
  }
  const nsOk = peer.namespaceSelector
    ? k8sLabelSelectorMatches(peer.namespaceSelector, nsLabels(world, other.namespace))
    : other.namespace === (np.metadata.namespace ?? 'default');
  if (!nsOk) return false;
  return peer.podSelector ? k8sLabelSelectorMatches(peer.podSelector, other.labels) : true;
}

function k8sPortMatches(p: any, target: EvalPod, proto: Proto, port: number): boolean {
  if ((p.protocol ?? 'TCP') !== proto) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'string') {
    return target.ports.some((tp) => tp.name === p.port && tp.protocol === proto && tp.port === port);
  }
  const end = p.endPort ?? p.port;
  return port >= p.port && port <= end;
}

/** A k8s policy as an evaluator policy: default tier, order 1000, rules that only Allow. */
function k8sAsPolicy(world: EvalWorld, np: any): EvalPolicy {
  const ns = np.metadata.namespace ?? 'default';
  const rules = (list: any[] | undefined, dir: 'ingress' | 'egress'): EvalRule[] => (list ?? []).map((r) => ({
    action: 'Allow' as const,
    matches: (pkt: Packet) => {
      const peerPod = dir === 'ingress' ? pkt.src : pkt.dst;
      const peers = dir === 'ingress' ? r.from : r.to;
      if (peers?.length && !peers.some((p: any) => k8sPeerMatches(world, np, p, peerPod))) return false;
      if (r.ports?.length && !r.ports.some((p: any) => k8sPortMatches(p, pkt.dst, pkt.proto, pkt.port))) return false;
      return true;
    },
  }));
  return {
    tier: 'default', order: 1000, name: `knp.default.${np.metadata.name}`, sortKey: `knp.default.${np.metadata.name}/${ns}/NetworkPolicy`,
    applies: (ep) => ep.namespace === ns && k8sLabelSelectorMatches(np.spec.podSelector, ep.labels),
    types: k8sPolicyTypes(np),
    ingress: rules(np.spec.ingress, 'ingress'),
    egress: rules(np.spec.egress, 'egress'),
  };
}

// ---------------------------------------------------------------- Calico semantics
interface EvalRule { action: 'Allow' | 'Deny' | 'Pass' | 'Log'; matches: (pkt: Packet) => boolean }
interface EvalPolicy {
  tier: string; order: number | undefined; name: string;
  /** felix/calc/policy_sorter.go PolKVLess breaks order ties on the text `name/namespace/kind`. */
  sortKey: string;
  applies: (ep: EvalPod) => boolean;
  types: string[];
  ingress: EvalRule[];
  egress: EvalRule[];
}

function sel(expr: string | undefined, labels: Record<string, string>): boolean {
  return parseSelector(expr ?? '').evaluate(labels);
}

function podLabels(p: EvalPod): Record<string, string> {
  return { ...p.labels, 'projectcalico.org/namespace': p.namespace, 'projectcalico.org/orchestrator': 'k8s' };
}

/** Everything an address can be, for selector purposes: the pod owning it and the network sets containing it. */
interface Identity { labels: Record<string, string>; namespace?: string }
function identitiesOf(world: EvalWorld, ip: string): Identity[] {
  const out: Identity[] = [];
  for (const p of world.pods) if (p.ip === ip) out.push({ labels: podLabels(p), namespace: p.namespace });
  for (const s of world.networkSets) {
    if ((s.spec?.nets ?? []).some((c: string) => inCidr(ip, c))) {
      out.push({ labels: { ...(s.metadata.labels ?? {}), 'projectcalico.org/namespace': s.metadata.namespace }, namespace: s.metadata.namespace });
    }
  }
  for (const s of world.globalNetworkSets) {
    if ((s.spec?.nets ?? []).some((c: string) => inCidr(ip, c))) out.push({ labels: { ...(s.metadata.labels ?? {}) } });
  }
  return out;
}

/**
 * A namespaceSelector as libcalico-go's updateprocessors/rules.go rewrites it: label keys get the `pcns.`
 * prefix (read from the namespace's labels, which namespaced endpoints and network sets inherit from their
 * kns.<ns> profile; non-namespaced items have none), all() becomes has(projectcalico.org/namespace) and
 * global() !has(projectcalico.org/namespace).
 */
function nsSelectorMatches(world: EvalWorld, node: SelectorNode, id: Identity): boolean {
  switch (node.type) {
    case 'all': return id.namespace !== undefined;
    case 'global': return id.namespace === undefined;
    case 'not': return !nsSelectorMatches(world, node.operand, id);
    case 'and': return node.operands.every((o) => nsSelectorMatches(world, o, id));
    case 'or': return node.operands.some((o) => nsSelectorMatches(world, o, id));
    default: {
      const labels = id.namespace === undefined ? {} : { 'projectcalico.org/name': id.namespace, ...nsLabels(world, id.namespace) };
      return evaluateNode(node, labels);
    }
  }
}

/** The namespace part of rules.go's getEndpointSelector: undefined = no namespace restriction. */
function inScope(world: EvalWorld, id: Identity, policyNs: string | undefined, nsSelector: string | undefined): boolean {
  if (nsSelector) return nsSelectorMatches(world, parseSelector(nsSelector).ast, id);
  return policyNs === undefined || id.namespace === policyNs;
}

function portMatches(spec: (number | string)[], target: EvalPod | undefined, proto: Proto, port: number): boolean {
  return spec.some((p) => {
    if (typeof p === 'number') return p === port;
    if (/^\d+:\d+$/.test(p)) { const [a, b] = p.split(':').map(Number); return port >= a! && port <= b!; }
    if (/^\d+$/.test(p)) return Number(p) === port;
    return !!target && target.ports.some((tp) => tp.name === p && tp.protocol === proto && tp.port === port);
  });
}

function entityMatches(world: EvalWorld, e: any, policyNs: string | undefined, ip: string, pod: EvalPod | undefined, pkt: Packet, isDst: boolean): boolean {
  if (!e) return true;
  if (e.nets?.length && !e.nets.some((c: string) => inCidr(ip, c))) return false;
  if (e.notNets?.length && e.notNets.some((c: string) => inCidr(ip, c))) return false;
  const ids = identitiesOf(world, ip);
  // rules.go getEndpointSelector: in a namespaced policy (or with a namespaceSelector) the positive side is
  // limited to the namespace(s) as soon as selector, notSelector or namespaceSelector is used; the
  // notSelector itself is passed through unscoped (NotSrcSelector = the rule's notSelector).
  const hasNsPart = !!e.namespaceSelector || policyNs !== undefined;
  if (e.selector || (hasNsPart && (e.notSelector || e.namespaceSelector))) {
    if (!ids.some((id) => inScope(world, id, policyNs, e.namespaceSelector) && sel(e.selector, id.labels))) return false;
  }
  if (e.notSelector && ids.some((id) => sel(e.notSelector, id.labels))) return false;
  if (isDst) {
    if (e.ports?.length && !portMatches(e.ports, pod, pkt.proto, pkt.port)) return false;
    if (e.notPorts?.length && portMatches(e.notPorts, pod, pkt.proto, pkt.port)) return false;
  }
  return true;
}

function calicoRule(world: EvalWorld, r: any, policyNs: string | undefined): EvalRule {
  return {
    action: r.action,
    matches: (pkt) => {
      if (r.protocol !== undefined && String(r.protocol).toUpperCase() !== pkt.proto) return false;
      if (r.notProtocol !== undefined && String(r.notProtocol).toUpperCase() === pkt.proto) return false;
      if (r.ipVersion === 6) return false;
      return entityMatches(world, r.source, policyNs, pkt.src.ip, pkt.src, pkt, false)
        && entityMatches(world, r.destination, policyNs, pkt.dst.ip, pkt.dst, pkt, true);
    },
  };
}

function calicoTypes(spec: any): string[] {
  if (spec.types?.length) return spec.types;
  const i = (spec.ingress?.length ?? 0) > 0;
  const e = (spec.egress?.length ?? 0) > 0;
  return e && !i ? ['Egress'] : e && i ? ['Ingress', 'Egress'] : ['Ingress'];
}

function calicoPolicy(world: EvalWorld, p: any, namespaced: boolean): EvalPolicy {
  const ns: string | undefined = namespaced ? p.metadata.namespace : undefined;
  return {
    tier: p.spec.tier ?? 'default', order: p.spec.order, name: p.metadata.name,
    sortKey: `${p.metadata.name}/${ns ?? ''}/${namespaced ? 'NetworkPolicy' : 'GlobalNetworkPolicy'}`,
    applies: (ep) => {
      // felix/calc/event_sequencer.go: workload endpoints get only the normal tiers; doNotTrack and preDNAT
      // policies go to host endpoints' untracked/preDNAT tiers. applyOnForward changes nothing for workloads.
      if (p.spec.doNotTrack || p.spec.preDNAT) return false;
      if (ns !== undefined && ep.namespace !== ns) return false;
      if (!namespaced && p.spec.namespaceSelector && !sel(p.spec.namespaceSelector, nsLabels(world, ep.namespace))) return false;
      return sel(p.spec.selector, podLabels(ep));
    },
    types: calicoTypes(p.spec),
    ingress: (p.spec.ingress ?? []).map((r: any) => calicoRule(world, r, ns)),
    egress: (p.spec.egress ?? []).map((r: any) => calicoRule(world, r, ns)),
  };
}

function orderCmp(a: { order: number | undefined; name: string }, b: { order: number | undefined; name: string }): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao - bo;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function policyCmp(a: EvalPolicy, b: EvalPolicy): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao - bo;
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}

type Verdict = 'allow' | 'deny';

/** Calico's evaluation for one endpoint and direction. */
function evaluateEndpoint(world: EvalWorld, policies: EvalPolicy[], ep: EvalPod, dir: 'Ingress' | 'Egress', pkt: Packet): Verdict {
  const tiers = [{ name: 'default', order: 1_000_000 as number | undefined, defaultAction: 'Deny' }];
  for (const t of world.tiers) {
    const existing = tiers.findIndex((x) => x.name === t.metadata.name);
    const entry = { name: t.metadata.name, order: t.spec?.order, defaultAction: t.spec?.defaultAction ?? 'Deny' };
    if (existing >= 0) tiers[existing] = entry; else tiers.push(entry);
  }
  tiers.sort(orderCmp);
  for (const tier of tiers) {
    const applicable = policies.filter((p) => p.tier === tier.name && p.types.includes(dir) && p.applies(ep)).sort(policyCmp);
    if (applicable.length === 0) continue;
    let passed = false;
    outer: for (const p of applicable) {
      for (const r of dir === 'Ingress' ? p.ingress : p.egress) {
        if (!r.matches(pkt)) continue;
        if (r.action === 'Allow') return 'allow';
        if (r.action === 'Deny') return 'deny';
        if (r.action === 'Pass') { passed = true; break outer; }
      }
    }
    if (!passed && tier.defaultAction === 'Deny') return 'deny';
  }
  // Profiles: the namespace profile (allow-all unless the case overrides it).
  const prof = world.profiles[`kns.${ep.namespace}`];
  const rules = prof ? (dir === 'Ingress' ? prof.spec?.ingress : prof.spec?.egress) ?? [] : [{ action: 'Allow' }];
  for (const r of rules) {
    const er = calicoRule(world, r, undefined);
    if (!er.matches(pkt)) continue;
    if (r.action === 'Allow') return 'allow';
    if (r.action === 'Deny') return 'deny';
  }
  return 'deny';
}

/** Should a connection from `src` to `dst` on proto/port be allowed? */
export function expectAllowed(world: EvalWorld, src: EvalPod, dst: EvalPod, proto: Proto, port: number): boolean {
  const policies: EvalPolicy[] = [
    ...world.k8sPolicies.map((np) => k8sAsPolicy(world, np)),
    ...world.networkPolicies.map((p) => calicoPolicy(world, p, true)),
    ...world.globalNetworkPolicies.map((p) => calicoPolicy(world, p, false)),
  ];
  const pkt: Packet = { src, dst, proto, port };
  return evaluateEndpoint(world, policies, src, 'Egress', pkt) === 'allow'
    && evaluateEndpoint(world, policies, dst, 'Ingress', pkt) === 'allow';
}

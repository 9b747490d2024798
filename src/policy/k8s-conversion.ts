// Kubernetes networking.k8s.io/v1 NetworkPolicy → Calico projectcalico.org/v3 NetworkPolicy, the way
// libcalico-go's conversion.go does it: tier default, order 1000, name `knp.default.<name>`, selectors
// prefixed with `projectcalico.org/orchestrator == 'k8s'`, one rule per (peer × port) combination.
// Pure; throws an Error naming the offending field on invalid input.
import { API_VERSION, type Resource } from '../api/resource.ts';
import { parseNet, cidrContains } from '../net/ip.ts';
import { LABEL_ORCHESTRATOR, type EntityRule, type PolicySpec, type PolicyType, type Rule } from './model.ts';

export const K8S_POLICY_NAME_PREFIX = 'knp.default.';
export const K8S_POLICY_ORDER = 1000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: string, problem: string): never {
  throw new Error(`invalid Kubernetes NetworkPolicy: ${where}: ${problem}`);
}

function optArray(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'must be a list');
  return v;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(k: string, where: string): void {
  if (!LABEL_KEY.test(k) || k.length > 317) fail(where, `"${k}" is not a valid label key`);
}
function checkValue(v: unknown, where: string): string {
  if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) fail(where, `${JSON.stringify(v)} is not a valid label value`);
  return v;
}

export type SelectorKind = 'pod' | 'namespace';

/** A metav1.LabelSelector as Calico selector text (conversion.go k8sSelectorToCalico). */
export function k8sSelectorToCalico(sel: unknown, kind: SelectorKind, where: string): string {
  const terms: string[] = [];
  if (kind === 'pod') terms.push(`${LABEL_ORCHESTRATOR} == 'k8s'`);
  if (sel === undefined || sel === null) return terms.join(' && ');
  if (!isObj(sel)) fail(where, 'must be a label selector object');
  const matchLabels = sel.matchLabels ?? {};
  if (!isObj(matchLabels)) fail(`${where}.matchLabels`, 'must be a map of label key to value');
  const exprs = optArray(sel.matchExpressions, `${where}.matchExpressions`);
  for (const k of Object.keys(sel)) {
    if (k !== 'matchLabels' && k !== 'matchExpressions') fail(where, `unknown field "${k}"`);
  }
  // An empty namespace selector selects every namespace.
  if (Object.keys(matchLabels).length === 0 && exprs.length === 0 && kind === 'namespace') return 'all()';
  for (const k of Object.keys(matchLabels).sort()) {
    checkKey(k, `${where}.matchLabels`);
    terms.push(`${k} == '${checkValue(matchLabels[k], `${where}.matchLabels.${k}`)}'`);
  }
  exprs.forEach((e, i) => {
    const w = `${where}.matchExpressions[${i}]`;
    if (!isObj(e)) fail(w, 'must be an object with key, operator, values');
    if (typeof e.key !== 'string') fail(`${w}.key`, 'is required');
    checkKey(e.key, `${w}.key`);
    const values = optArray(e.values, `${w}.values`).map((v, j) => checkValue(v, `${w}.values[${j}]`));
    const list = `{ ${values.map((v) => `'${v}'`).join(', ')} }`;
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) fail(`${w}.values`, `must be non-empty for operator ${e.operator}`);
        terms.push(e.operator === 'In' ? `${e.key} in ${list}` : `${e.key} not in ${list}`);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) fail(`${w}.values`, `must be empty for operator ${e.operator}`);
        terms.push(e.operator === 'Exists' ? `has(${e.key})` : `! has(${e.key})`);
        break;
      default:
        fail(`${w}.operator`, `${JSON.stringify(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
    }
  });
  return terms.join(' && ');
}

interface PeerFields { selector?: string; namespaceSelector?: string; nets?: string[]; notNets?: string[] }

function convertPeer(peer: unknown, where: string): PeerFields {
  if (!isObj(peer)) fail(where, 'must be an object');
  for (const k of Object.keys(peer)) {
    if (!['podSelector', 'namespaceSelector', 'ipBlock'].includes(k)) fail(where, `unknown field "${k}"`);
  }
  const hasPod = peer.podSelector !== undefined && peer.podSelector !== null;
  const hasNs = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  const hasBlock = peer.ipBlock !== undefined && peer.ipBlock !== null;
  if (hasBlock) {
    if (hasPod || hasNs) fail(where, 'ipBlock cannot be combined with podSelector or namespaceSelector');
    const b = peer.ipBlock;
    if (!isObj(b) || typeof b.cidr !== 'string') fail(`${where}.ipBlock.cidr`, 'is required');
    let cidr;
    try { cidr = parseNet(b.cidr); } catch (e) { fail(`${where}.ipBlock.cidr`, (e as Error).message); }
    const except = optArray(b.except, `${where}.ipBlock.except`).map((x, i) => {
      const w = `${where}.ipBlock.except[${i}]`;
      if (typeof x !== 'string') fail(w, 'must be a CIDR string');
      let c;
      try { c = parseNet(x); } catch (e) { fail(w, (e as Error).message); }
      if (!cidrContains(cidr, c) || c.prefix === cidr.prefix) fail(w, `"${x}" must be strictly within cidr ${b.cidr}`);
      return x;
    });
    const out: PeerFields = { nets: [b.cidr] };
    if (except.length) out.notNets = except;
    return out;
  }
  if (hasPod && hasNs) {
    return {
      selector: k8sSelectorToCalico(peer.podSelector, 'pod', `${where}.podSelector`),
      namespaceSelector: k8sSelectorToCalico(peer.namespaceSelector, 'namespace', `${where}.namespaceSelector`),
    };
  }
  if (hasPod) return { selector: k8sSelectorToCalico(peer.podSelector, 'pod', `${where}.podSelector`) };
  if (hasNs) {
    return {
      selector: k8sSelectorToCalico(undefined, 'pod', `${where}.podSelector`),
      namespaceSelector: k8sSelectorToCalico(peer.namespaceSelector, 'namespace', `${where}.namespaceSelector`),
    };
  }
  fail(where, 'a peer needs podSelector, namespaceSelector or ipBlock');
}

interface PortFields { protocol?: string; ports?: (number | string)[] }

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function convertPort(p: unknown, where: string): PortFields {
  if (!isObj(p)) fail(where, 'must be an object');
  for (const k of Object.keys(p)) {
    if (!['protocol', 'port', 'endPort'].includes(k)) fail(where, `unknown field "${k}"`);
  }
  const protocol = p.protocol ?? 'TCP';
  if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol)) {
    fail(`${where}.protocol`, `${JSON.stringify(p.protocol)} is not one of TCP, UDP, SCTP`);
  }
  const out: PortFields = { protocol };
  if (p.port === undefined || p.port === null) {
    if (p.endPort !== undefined && p.endPort !== null) fail(`${where}.endPort`, 'requires port');
    return out;
  }
  if (typeof p.port === 'number') {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) fail(`${where}.port`, `${p.port} is not a port number 1-65535`);
    if (p.endPort !== undefined && p.endPort !== null) {
      if (typeof p.endPort !== 'number' || !Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535) {
        fail(`${where}.endPort`, `must be a port number between port (${p.port}) and 65535`);
      }
      out.ports = p.endPort === p.port ? [p.port] : [`${p.port}:${p.endPort}`];
    } else {
      out.ports = [p.port];
    }
    return out;
  }
  if (typeof p.port === 'string') {
    if (p.endPort !== undefined && p.endPort !== null) fail(`${where}.endPort`, 'cannot be used with a named port');
    // Numeric strings are numbers in an IntOrString.
    if (/^\d+$/.test(p.port)) return convertPort({ ...p, port: Number(p.port) }, where);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.port) || p.port.length > 15) fail(`${where}.port`, `"${p.port}" is not a valid port name`);
    out.ports = [p.port];
    return out;
  }
  fail(`${where}.port`, 'must be a number or a port name');
}

function convertRules(list: unknown[], dir: 'ingress' | 'egress'): Rule[] {
  const rules: Rule[] = [];
  list.forEach((r, i) => {
    const where = `spec.${dir}[${i}]`;
    if (r === null) r = {};
    if (!isObj(r)) fail(where, 'must be an object');
    const peerKey = dir === 'ingress' ? 'from' : 'to';
    for (const k of Object.keys(r)) {
      if (k !== peerKey && k !== 'ports') fail(where, `unknown field "${k}"`);
    }
    const peers: (PeerFields | undefined)[] = optArray(r[peerKey], `${where}.${peerKey}`)
      .map((p, j) => convertPeer(p, `${where}.${peerKey}[${j}]`));
    const ports: (PortFields | undefined)[] = optArray(r.ports, `${where}.ports`)
      .map((p, j) => convertPort(p, `${where}.ports[${j}]`));
    if (peers.length === 0) peers.push(undefined);
    if (ports.length === 0) ports.push(undefined);
    for (const port of ports) {
      for (const peer of peers) {
        const rule: Rule = { action: 'Allow' };
        if (port?.protocol) rule.protocol = port.protocol;
        const peerEntity: EntityRule = {};
        if (peer?.selector !== undefined) peerEntity.selector = peer.selector;
        if (peer?.namespaceSelector !== undefined) peerEntity.namespaceSelector = peer.namespaceSelector;
        if (peer?.nets) peerEntity.nets = peer.nets;
        if (peer?.notNets) peerEntity.notNets = peer.notNets;
        const portEntity: EntityRule = port?.ports ? { ports: port.ports } : {};
        if (dir === 'ingress') {
          rule.source = peerEntity;
          rule.destination = portEntity;
        } else {
          rule.source = {};
          rule.destination = { ...peerEntity, ...portEntity };
        }
        rules.push(rule);
      }
    }
  });
  return rules;
}

/** Convert one Kubernetes NetworkPolicy object (as parsed from YAML/JSON) to a Calico v3 NetworkPolicy resource. */
export function convertK8sNetworkPolicy(obj: unknown): Resource<PolicySpec> {
  if (!isObj(obj)) throw new Error('invalid Kubernetes NetworkPolicy: expected an object');
  if (obj.apiVersion !== 'networking.k8s.io/v1') {
    fail('apiVersion', `expected "networking.k8s.io/v1", got ${JSON.stringify(obj.apiVersion)}`);
  }
  if (obj.kind !== 'NetworkPolicy') fail('kind', `expected "NetworkPolicy", got ${JSON.stringify(obj.kind)}`);
  const md = obj.metadata;
  if (!isObj(md)) fail('metadata', 'is required');
  const name = md.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    fail('metadata.name', `${JSON.stringify(name)} is not a valid name (lower-case DNS subdomain)`);
  }
  const namespace = md.namespace ?? 'default';
  if (typeof namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    fail('metadata.namespace', `${JSON.stringify(md.namespace)} is not a valid namespace name`);
  }
  const spec = obj.spec ?? {};
  if (!isObj(spec)) fail('spec', 'must be an object');
  for (const k of Object.keys(spec)) {
    if (!['podSelector', 'ingress', 'egress', 'policyTypes'].includes(k)) fail('spec', `unknown field "${k}"`);
  }
  const selector = k8sSelectorToCalico(spec.podSelector ?? {}, 'pod', 'spec.podSelector');
  const ingressIn = optArray(spec.ingress, 'spec.ingress');
  const egressIn = optArray(spec.egress, 'spec.egress');

  const declared = optArray(spec.policyTypes, 'spec.policyTypes');
  let ingress = false;
  let egress = false;
  declared.forEach((t, i) => {
    if (t === 'Ingress') ingress = true;
    else if (t === 'Egress') egress = true;
    else fail(`spec.policyTypes[${i}]`, `${JSON.stringify(t)} is not Ingress or Egress`);
  });
  if (declared.length === 0) {
    // Kubernetes' defaulting: Ingress always, Egress when egress rules are present.
    ingress = true;
    egress = egressIn.length > 0;
  }
  const types: PolicyType[] = [];
  if (ingress) types.push('Ingress');
  if (egress) types.push('Egress');

  const outSpec: PolicySpec = {
    tier: 'default',
    order: K8S_POLICY_ORDER,
    selector,
    types,
  };
  const ing = convertRules(ingressIn, 'ingress');
  const eg = convertRules(egressIn, 'egress');
  if (ing.length) outSpec.ingress = ing;
  if (eg.length) outSpec.egress = eg;

  const metadata: Resource['metadata'] = { name: K8S_POLICY_NAME_PREFIX + name, namespace };
  if (isObj(md.labels)) metadata.labels = { ...(md.labels as Record<string, string>) };
  if (typeof md.uid === 'string') metadata.uid = md.uid;
  if (typeof md.creationTimestamp === 'string') metadata.creationTimestamp = md.creationTimestamp;
  return { apiVersion: API_VERSION, kind: 'NetworkPolicy', metadata, spec: outSpec };
}

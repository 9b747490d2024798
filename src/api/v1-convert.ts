// Calico v1 API documents (`apiVersion: v1`, kinds policy, ipPool, bgpPeer, profile, hostEndpoint) →
// projectcalico.org/v3 resources, following libcalico-go's lib/upgrade/converters (v1 API → v1 backend → v3):
// names normalised (lower case, odd characters to "-", a sha1 qualifier when the name changed), policies become
// GlobalNetworkPolicies named `<tier>.<name>`, tags become selectors/labels, lower-case protocols upper-case,
// "next-tier" becomes Pass. Pure; throws V1ConvertError naming the document's field on bad input.
import { createHash } from 'node:crypto';
import { API_VERSION, type Resource } from './resource.ts';
import { isPlainObject } from './schema.ts';
import { encodeCidrName, formatIP, ipToBytes, parseNet, tryParseIP } from '../net/ip.ts';
import { TabbyError } from '../errors.ts';

export class V1ConvertError extends TabbyError {
  constructor(message: string) {
    super('V1Convert', message);
    this.name = 'V1ConvertError';
  }
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The v1 kinds `convert` handles (lower-cased), as calicoctl's getTypeConverter lists them. */
export const V1_KINDS = ['policy', 'ippool', 'bgppeer', 'profile', 'hostendpoint', 'node', 'workloadendpoint'];

export function isV1Document(d: unknown): boolean {
  return isPlainObject(d) && d.apiVersion === 'v1' && typeof d.kind === 'string' && V1_KINDS.includes(d.kind.toLowerCase());
}

/** names.go normalizeName: lower case, "/"→".", other odd characters → "-", ".-" runs → ".", trim. */
export function normalizeName(name: string): string {
  let n = name.toLowerCase().replace(/\//g, '.').replace(/[^-.a-z0-9]+/g, '-').replace(/[.-]*[.][.-]*/g, '.');
  n = n.replace(/^[.-]*/, '').replace(/[.-]*$/, '');
  return n;
}

function qualified(orig: string, final: string): string {
  if (orig === final) return orig;
  return `${final}-${createHash('sha1').update(orig).digest('hex').slice(0, 8)}`;
}

export const convertName = (v1: string): string => qualified(v1, normalizeName(v1));
export const convertNameNoDots = (v1: string): string => qualified(v1, normalizeName(v1).replace(/\./g, '-'));

/** An IP as a name: 10-0-0-1, or eight zero-padded IPv6 groups joined by "-". */
export function ipToName(ip: string): string {
  const a = tryParseIP(ip);
  if (!a) throw new V1ConvertError(`"${ip}" is not an IP address`);
  if (a.family === 4) return ip.replace(/\./g, '-');
  const b = ipToBytes(ip);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join('-');
}

/** v1 label `calico/k8s_ns` became `projectcalico.org/namespace`. */
function convertSelector(sel: string): string {
  return sel.replace(/calico\/k8s_ns/g, 'projectcalico.org/namespace');
}

function mergeTag(sel: string, tag: string): string {
  if (!tag) return sel;
  return sel ? `(${sel}) && ${tag} == ''` : `${tag} == ''`;
}

const V3_PROTOCOLS: Record<string, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', icmpv6: 'ICMPv6', sctp: 'SCTP', udplite: 'UDPLite' };

function protocol(p: unknown): unknown {
  return typeof p === 'string' ? V3_PROTOCOLS[p.toLowerCase()] ?? p : p;
}

/** A masked network, as normalizeIPNet does. */
function network(n: unknown, where: string): string {
  try {
    return parseNet(String(n)).text;
  } catch {
    throw new V1ConvertError(`${where}: "${String(n)}" is not a CIDR`);
  }
}

function entity(e: Obj, where: string): Obj {
  const out: Obj = {};
  const nets = [...(e.net ? [e.net] : []), ...(Array.isArray(e.nets) ? e.nets : [])].map((n) => network(n, `${where}.nets`));
  const notNets = [...(e.notNet ? [e.notNet] : []), ...(Array.isArray(e.notNets) ? e.notNets : [])].map((n) => network(n, `${where}.notNets`));
  if (nets.length) out.nets = nets;
  const sel = mergeTag(convertSelector(str(e.selector)), str(e.tag));
  if (sel) out.selector = sel;
  if (Array.isArray(e.ports)) out.ports = e.ports;
  if (notNets.length) out.notNets = notNets;
  const notSel = mergeTag(convertSelector(str(e.notSelector)), str(e.notTag));
  if (notSel) out.notSelector = notSel;
  if (Array.isArray(e.notPorts)) out.notPorts = e.notPorts;
  return out;
}

function action(a: unknown): string {
  const s = str(a);
  if (s === '' ) return 'Allow';
  if (s.toLowerCase() === 'next-tier' || s.toLowerCase() === 'pass') return 'Pass';
  const known = ['Allow', 'Deny', 'Log', 'Pass'].find((k) => k.toLowerCase() === s.toLowerCase());
  if (!known) throw new V1ConvertError(`unknown rule action "${s}"`);
  return known;
}

function rules(v: unknown, where: string): Obj[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new V1ConvertError(`${where}: must be a list of rules`);
  return v.map((raw, i) => {
    const r = obj(raw);
    const w = `${where}[${i}]`;
    const out: Obj = { action: action(r.action) };
    if (r.ipVersion !== undefined) out.ipVersion = r.ipVersion;
    if (r.protocol !== undefined) out.protocol = protocol(r.protocol);
    if (isPlainObject(r.icmp)) out.icmp = r.icmp;
    if (r.notProtocol !== undefined) out.notProtocol = protocol(r.notProtocol);
    if (isPlainObject(r.notICMP)) out.notICMP = r.notICMP;
    const src = entity(obj(r.source), `${w}.source`);
    const dst = entity(obj(r.destination), `${w}.destination`);
    if (Object.keys(src).length) out.source = src;
    if (Object.keys(dst).length) out.destination = dst;
    return out;
  });
}

const v3 = (kind: string, metadata: Obj, spec: Obj): Resource => ({ apiVersion: API_VERSION, kind, metadata: metadata as unknown as Resource['metadata'], spec });

function policyTypes(spec: Obj): string[] {
  const types = Array.isArray(spec.types) ? spec.types.map(String) : [];
  if (types.length === 0) {
    // The v1 API defaulted types from the rules present (ingress only when there are no egress rules).
    const ing = Array.isArray(spec.ingress) && spec.ingress.length > 0;
    const eg = Array.isArray(spec.egress) && spec.egress.length > 0;
    if (!eg) return ['Ingress'];
    return ing ? ['Ingress', 'Egress'] : ['Egress'];
  }
  return types.map((t) => {
    if (t.toLowerCase() === 'ingress') return 'Ingress';
    if (t.toLowerCase() === 'egress') return 'Egress';
    throw new V1ConvertError(`invalid policy type: '${t}'`);
  });
}

function convertPolicy(md: Obj, spec: Obj): Resource {
  const tier = convertNameNoDots(str(md.tier)) || 'default';
  const out: Obj = {};
  if (spec.order !== undefined) out.order = spec.order;
  const ingress = rules(spec.ingress, 'spec.ingress');
  const egress = rules(spec.egress, 'spec.egress');
  if (ingress) out.ingress = ingress;
  if (egress) out.egress = egress;
  if (spec.selector) out.selector = convertSelector(str(spec.selector));
  out.types = policyTypes(spec);
  if (spec.doNotTrack) out.doNotTrack = true;
  if (spec.preDNAT) out.preDNAT = true;
  // DoNotTrack and PreDNAT policies predate ApplyOnForward and apply to forwarded traffic by nature.
  if (spec.doNotTrack || spec.preDNAT || spec.applyOnForward) out.applyOnForward = true;
  out.tier = tier;
  const meta: Obj = { name: `${tier}.${convertNameNoDots(str(md.name))}`, labels: { 'projectcalico.org/tier': tier } };
  if (isPlainObject(md.annotations)) meta.annotations = md.annotations;
  return v3('GlobalNetworkPolicy', meta, out);
}

function convertIPPool(md: Obj, spec: Obj): Resource {
  const cidr = network(md.cidr, 'metadata.cidr');
  const ipip = obj(spec.ipip);
  const ipipMode = !ipip.enabled ? 'Never' : str(ipip.mode).toLowerCase() === 'cross-subnet' ? 'CrossSubnet' : 'Always';
  return v3('IPPool', { name: encodeCidrName(cidr) }, {
    cidr, ipipMode, vxlanMode: 'Never', natOutgoing: spec['nat-outgoing'] === true, disabled: spec.disabled === true,
    nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], blockSize: cidr.includes(':') ? 122 : 26,
  });
}

function convertBGPPeer(md: Obj, spec: Obj): Resource {
  if (!str(md.peerIP)) throw new V1ConvertError('metadata.peerIP: no PeerIP is set, invalid BGPPeer');
  const parsed = tryParseIP(str(md.peerIP));
  if (!parsed) throw new V1ConvertError(`metadata.peerIP: "${str(md.peerIP)}" is not an IP address`);
  const peerIP = formatIP(parsed);
  const out: Obj = { peerIP, asNumber: spec.asNumber };
  if (md.scope === 'global') {
    if (md.node) throw new V1ConvertError('metadata.node: with global scope having a node is invalid');
    return v3('BGPPeer', { name: ipToName(peerIP) }, out);
  }
  if (md.scope === 'node') {
    if (!md.node) throw new V1ConvertError('metadata.node: with node scope a node must be defined');
    const node = normalizeName(str(md.node));
    return v3('BGPPeer', { name: `${node}.${ipToName(peerIP)}` }, { ...out, node });
  }
  throw new V1ConvertError('metadata.scope: must be global or node');
}

function convertProfile(md: Obj, spec: Obj): Resource {
  const raw = str(md.name);
  const name = convertName(raw.startsWith('k8s_ns.') ? `kns.${raw.slice('k8s_ns.'.length)}` : raw);
  const labels: Record<string, string> = { ...(obj(md.labels) as Record<string, string>) };
  for (const t of Array.isArray(md.tags) ? md.tags.map(String) : []) {
    if (t in labels) throw new V1ConvertError(`Tag: '${t}' and Label '${t} == ${labels[t]}' have the same value for Profile: ${name}. Change the Label key before proceeding`);
    labels[t] = '';
  }
  const out: Obj = {};
  const ingress = rules(spec.ingress, 'spec.ingress');
  const egress = rules(spec.egress, 'spec.egress');
  if (ingress) out.ingress = ingress;
  if (egress) out.egress = egress;
  if (Object.keys(labels).length) out.labelsToApply = labels;
  return v3('Profile', { name }, out);
}

function convertHostEndpoint(md: Obj, spec: Obj): Resource {
  const node = normalizeName(str(md.node));
  const meta: Obj = { name: `${node}.${convertName(str(md.name))}` };
  if (isPlainObject(md.labels)) meta.labels = md.labels;
  const out: Obj = { node };
  if (spec.interfaceName) out.interfaceName = spec.interfaceName;
  if (Array.isArray(spec.expectedIPs)) out.expectedIPs = spec.expectedIPs;
  if (Array.isArray(spec.profiles)) out.profiles = spec.profiles.map((p) => convertName(String(p)));
  if (Array.isArray(spec.ports)) out.ports = spec.ports;
  return v3('HostEndpoint', meta, out);
}

/** Convert one v1 document. Node and WorkloadEndpoint are written by the node agent and the CNI plugin. */
export function convertV1(doc: unknown): Resource {
  const d = obj(doc);
  const kind = str(d.kind).toLowerCase();
  const md = obj(d.metadata);
  const spec = obj(d.spec);
  switch (kind) {
    case 'policy': return convertPolicy(md, spec);
    case 'ippool': return convertIPPool(md, spec);
    case 'bgppeer': return convertBGPPeer(md, spec);
    case 'profile': return convertProfile(md, spec);
    case 'hostendpoint': return convertHostEndpoint(md, spec);
    case 'node':
    case 'workloadendpoint':
      throw new V1ConvertError(`conversion for the resource type '${str(d.kind)}' is not supported by tabby: ` +
        `${kind === 'node' ? 'the node agent registers its Node at start-up' : 'the CNI plugin writes WorkloadEndpoints'}`);
    default:
      throw new V1ConvertError(`conversion for the resource type '${str(d.kind)}' is not supported`);
  }
}

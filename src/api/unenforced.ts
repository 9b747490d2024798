// Fields Tabby accepts (so Calico YAML applies unchanged) but does not act on yet. Accepting them silently
// would let a user believe, say, that a BGP session is TTL-protected. Each is either:
// - refused on create/apply/replace (ResourceClient.prepare): settings a user relies on for security, where
//   ignoring them leaves the user less protected than the object says (TTL security, encryption,
//   a drop that would not happen, rules whose match we cannot express, so Allow would match too much);
// - or warned about: on stderr by create/apply/replace (the write succeeds, exit 0) and, once per object
//   version, in the log of every agent that reads the object.
// Pure: no I/O (the reporter below writes through the logger it is given). docs/resources.md lists the same table for users; keep both in step.
import type { Resource } from './resource.ts';
import { resourceId } from './resource.ts';
import type { FieldError } from './schema.ts';

export type Verdict = 'refuse' | 'warn';

export interface UnenforcedField { field: string; value: unknown; verdict: Verdict; reason: string }

interface Rule {
  /** Dot path below spec; `*` matches every list element. */
  path: string;
  verdict: Verdict;
  reason: string;
  /** Values that mean what Tabby does anyway (defaults, the implemented mode): not reported. */
  fine?: readonly unknown[];
  /** Report only these values (e.g. `true` for a feature switch). */
  only?: readonly unknown[];
}

const BGP_CONFIGURATION: Rule[] = [
  { path: 'serviceClusterIPs', verdict: 'warn', reason: 'service cluster IPs are not advertised over BGP' },
  { path: 'serviceExternalIPs', verdict: 'warn', reason: 'service external IPs are not advertised over BGP' },
  { path: 'serviceLoadBalancerIPs', verdict: 'warn', reason: 'service load-balancer IPs are not advertised over BGP' },
  { path: 'communities', verdict: 'warn', reason: 'BGP communities are not attached to advertised routes' },
  { path: 'prefixAdvertisements', verdict: 'warn', reason: 'BGP communities are not attached to advertised routes' },
  { path: 'bindMode', verdict: 'warn', reason: 'the BGP speaker listens on every address', fine: ['None'] },
  { path: 'ignoredInterfaces', verdict: 'warn', reason: 'no interface routes are exported, so there is nothing to ignore' },
  { path: 'localWorkloadPeeringIPV4', verdict: 'warn', reason: 'BGP peering with local workloads is not implemented' },
  { path: 'localWorkloadPeeringIPV6', verdict: 'warn', reason: 'BGP peering with local workloads is not implemented' },
  { path: 'programClusterRoutes', verdict: 'warn', reason: 'cluster routes are always programmed by the agent', fine: ['Enabled'] },
  { path: 'ipv4NormalRoutePriority', verdict: 'warn', reason: 'route metrics are not set' },
  { path: 'ipv6NormalRoutePriority', verdict: 'warn', reason: 'route metrics are not set' },
  { path: 'ipv4ElevatedRoutePriority', verdict: 'warn', reason: 'route metrics are not set' },
  { path: 'ipv6ElevatedRoutePriority', verdict: 'warn', reason: 'route metrics are not set' },
  { path: 'nodeSelector', verdict: 'warn', reason: 'a BGPConfiguration applies by name (default, node.<name>), not by selector' },
];

const BGP_PEER: Rule[] = [
  { path: 'ttlSecurity', verdict: 'refuse', reason: 'TTL security (GTSM, RFC 5082) needs setsockopt(IP_MINTTL), which Node.js sockets do not offer; packets would not be checked', fine: [0] },
  { path: 'failureDetectionMode', verdict: 'warn', reason: 'BFD is not implemented; failures are detected by the hold timer', fine: ['None'] },
  { path: 'restartMode', verdict: 'warn', reason: 'long-lived graceful restart is not implemented; graceful restart (RFC 4724) is used', fine: ['GracefulRestart'] },
  { path: 'birdGatewayMode', verdict: 'warn', reason: 'next hops are always resolved recursively', fine: ['Recursive'] },
  { path: 'localASNumber', verdict: 'warn', reason: 'the node\'s AS number is always used for the session' },
  { path: 'reachableBy', verdict: 'warn', reason: 'no static route to the peer is added' },
  { path: 'localWorkloadSelector', verdict: 'warn', reason: 'BGP peering with local workloads is not implemented' },
];

/** One BGPFilter rule (every direction and family). */
const BGP_FILTER_RULE: Rule[] = [
  { path: 'interface', verdict: 'warn', reason: 'routes in Tabby\'s BGP speaker carry no outgoing interface, so a rule with interface matches no route' },
  { path: 'priority', verdict: 'refuse', reason: 'route priorities are not tracked by Tabby\'s BGP speaker; the rule could not match as Calico matches it' },
  { path: 'operations', verdict: 'refuse', reason: 'route modifications (addCommunity, prependASPath, setPriority) are not implemented; matching routes would be accepted unmodified' },
];

function bgpFilterFields(spec: Record<string, unknown>, out: UnenforcedField[]): void {
  for (const dir of ['exportV4', 'importV4', 'exportV6', 'importV6']) {
    const rules = spec[dir];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, i) => {
      applyRules(rule, BGP_FILTER_RULE, `spec.${dir}[${i}]`, out);
      for (const { field, value } of valuesAt(rule, 'communities.values.*', `spec.${dir}[${i}]`)) {
        if (typeof value === 'string' && value.split(':').length === 3) {
          out.push({ field, value, verdict: 'refuse', reason: 'large communities (aa:nn:mm) are not decoded by Tabby\'s BGP speaker; the rule could never match' });
        }
      }
    });
  }
}

// namespaceSelector and assignmentMode are enforced by the IPAM (src/ipam/pools.ts).
const IP_POOL: Rule[] = [];

const NODE: Rule[] = [
  { path: 'wireguard', verdict: 'warn', reason: 'WireGuard is not implemented' },
  { path: 'ipv6VXLANTunnelAddr', verdict: 'warn', reason: 'IPv6 VXLAN is not implemented' },
  { path: 'vxlanTunnelMACAddrV6', verdict: 'warn', reason: 'IPv6 VXLAN is not implemented' },
];

const WORKLOAD_ENDPOINT: Rule[] = [
  { path: 'ipNATs', verdict: 'warn', reason: 'floating IPs (1:1 NAT) are not programmed' },
  { path: 'allowSpoofedSourcePrefixes', verdict: 'warn', reason: 'strict reverse-path filtering stays on: packets from these prefixes are dropped' },
  { path: 'qosControls', verdict: 'warn', reason: 'bandwidth and packet-rate limits are not applied' },
  { path: 'qosPolicyName', verdict: 'warn', reason: 'QoS policies are not applied' },
  { path: 'awsElasticIPs', verdict: 'warn', reason: 'AWS elastic IPs are not managed' },
];

const NETWORK_SET: Rule[] = [
  { path: 'allowedEgressDomains', verdict: 'warn', reason: 'domain names are not resolved into the set; only nets match' },
];

/** Policy rules: a match we cannot express would make Allow match more (and Deny less) than written. */
const POLICY_RULE: Rule[] = [
  { path: 'http', verdict: 'refuse', reason: 'HTTP matches (application layer policy) are not implemented; the rule would match every HTTP request' },
  { path: 'source.services', verdict: 'refuse', reason: 'matching Kubernetes Services is not implemented; the rule would match any source' },
  { path: 'destination.services', verdict: 'refuse', reason: 'matching Kubernetes Services is not implemented; the rule would match any destination' },
];

/**
 * The FelixConfiguration fields the agent reads (src/agent/calc/graph.ts felixSettings; the policy
 * dataplane's in src/policy/failsafe.ts); others are reported.
 */
export const FELIX_ENFORCED = [
  'vxlanVNI', 'vxlanPort', 'vxlanMTU', 'ipipMTU', 'failsafeInboundHostPorts', 'failsafeOutboundHostPorts', 'defaultEndpointToHostAction',
];

const FELIX_REFUSED: Rule[] = [
  { path: 'wireguardEnabled', verdict: 'refuse', reason: 'WireGuard is not implemented: pod traffic would not be encrypted', only: [true] },
  { path: 'wireguardEnabledV6', verdict: 'refuse', reason: 'WireGuard is not implemented: pod traffic would not be encrypted', only: [true] },
  { path: 'wireguardHostEncryptionEnabled', verdict: 'refuse', reason: 'WireGuard is not implemented: host traffic would not be encrypted', only: [true] },
  { path: 'ipsecMode', verdict: 'refuse', reason: 'IPsec is not implemented: traffic would not be encrypted' },
];

/** Felix values that describe what Tabby does anyway (features off, pod-to-host accepted). */
const FELIX_AS_DONE: Record<string, unknown> = {
  wireguardEnabled: false, wireguardEnabledV6: false, wireguardHostEncryptionEnabled: false, bpfEnabled: false,
  defaultEndpointToHostAction: 'Accept', ipv6Support: false,
};

function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Values at `path` under `root` with their field paths (`*` expands list elements). */
function valuesAt(root: unknown, path: string, prefix: string): { field: string; value: unknown }[] {
  const [head, ...rest] = path.split('.');
  if (root === null || typeof root !== 'object') return [];
  if (head === '*') {
    if (!Array.isArray(root)) return [];
    return root.flatMap((el, i) => (rest.length ? valuesAt(el, rest.join('.'), `${prefix}[${i}]`) : [{ field: `${prefix}[${i}]`, value: el }]));
  }
  const v = (root as Record<string, unknown>)[head!];
  const field = `${prefix}.${head}`;
  return rest.length ? valuesAt(v, rest.join('.'), field) : [{ field, value: v }];
}

function applyRules(spec: unknown, rules: Rule[], prefix: string, out: UnenforcedField[]): void {
  for (const r of rules) {
    for (const { field, value } of valuesAt(spec, r.path, prefix)) {
      if (r.only ? !r.only.includes(value) : !isSet(value) || r.fine?.includes(value)) continue;
      out.push({ field, value, verdict: r.verdict, reason: r.reason });
    }
  }
}

function felixFields(spec: Record<string, unknown>, out: UnenforcedField[]): void {
  applyRules(spec, FELIX_REFUSED, 'spec', out);
  const refusedPaths = new Set(out.map((f) => f.field));
  for (const [k, v] of Object.entries(spec)) {
    if (FELIX_ENFORCED.includes(k) || refusedPaths.has(`spec.${k}`) || !isSet(v)) continue;
    if (k in FELIX_AS_DONE && FELIX_AS_DONE[k] === v) continue;
    out.push({ field: `spec.${k}`, value: v, verdict: 'warn', reason: `the agent reads only ${FELIX_ENFORCED.join(', ')} from FelixConfiguration` });
  }
}

function policyFields(spec: Record<string, unknown>, out: UnenforcedField[]): void {
  for (const dir of ['ingress', 'egress']) {
    const rules = spec[dir];
    if (Array.isArray(rules)) rules.forEach((rule, i) => applyRules(rule, POLICY_RULE, `spec.${dir}[${i}]`, out));
  }
}

/** Every field of `r` that Tabby accepts but does not enforce, with what it does about it. */
export function unenforcedFields(r: Resource): UnenforcedField[] {
  const spec = r.spec;
  if (!spec || typeof spec !== 'object') return [];
  const out: UnenforcedField[] = [];
  switch (r.kind) {
    case 'BGPConfiguration': applyRules(spec, BGP_CONFIGURATION, 'spec', out); break;
    case 'BGPPeer': applyRules(spec, BGP_PEER, 'spec', out); break;
    case 'BGPFilter': bgpFilterFields(spec as Record<string, unknown>, out); break;
    case 'IPPool': applyRules(spec, IP_POOL, 'spec', out); break;
    case 'Node': applyRules(spec, NODE, 'spec', out); break;
    case 'WorkloadEndpoint': applyRules(spec, WORKLOAD_ENDPOINT, 'spec', out); break;
    case 'NetworkSet': case 'GlobalNetworkSet': applyRules(spec, NETWORK_SET, 'spec', out); break;
    case 'FelixConfiguration': felixFields(spec as Record<string, unknown>, out); break;
    case 'NetworkPolicy': case 'GlobalNetworkPolicy': case 'Profile': policyFields(spec as Record<string, unknown>, out); break;
    default: break;
  }
  return out;
}

/** The refused fields of `r` as validation errors (empty when it may be written). */
export function refusedFields(r: Resource): FieldError[] {
  return unenforcedFields(r).filter((f) => f.verdict === 'refuse')
    .map((f) => ({ field: f.field, value: f.value, message: `not supported by Tabby: ${f.reason}` }));
}

/** One line naming every accepted-but-not-enforced field of `r`, or undefined when there is none. */
export function unenforcedWarning(r: Resource): string | undefined {
  const warn = unenforcedFields(r).filter((f) => f.verdict === 'warn');
  if (warn.length === 0) return undefined;
  const id = resourceId(r.kind, r.metadata.name, r.metadata.namespace);
  return `${id}: accepted but not enforced by Tabby: ` + warn.map((f) => `${f.field} (${f.reason})`).join('; ');
}

/** The logging the reporter needs (a pino Logger fits). */
export interface WarnLogger { warn(fields: object, msg: string): void }

/**
 * The agent's side: an object in the datastore with settings Tabby does not act on is logged (warning) once
 * per version of the object, not at every recalculation. Refused fields can still be stored by writers other
 * than `tabby` (etcdctl, an older version): they are logged as ignored.
 */
export class UnenforcedReporter {
  /** Object id → the version last checked. */
  private readonly checked = new Map<string, string>();

  constructor(private readonly log: WarnLogger) {}

  /** Checks the current objects (all of the kinds this reporter covers); forgets objects that are gone. */
  check(objects: Iterable<Resource>): void {
    const present = new Set<string>();
    for (const r of objects) {
      const id = resourceId(r.kind, r.metadata.name, r.metadata.namespace);
      present.add(id);
      const version = r.metadata.resourceVersion ?? JSON.stringify(r.spec);
      if (this.checked.get(id) === version) continue;
      this.checked.set(id, version);
      const fields = unenforcedFields(r);
      const refused = fields.filter((f) => f.verdict === 'refuse');
      const warned = fields.filter((f) => f.verdict === 'warn');
      if (refused.length) this.log.warn({ resource: id, fields: refused.map((f) => `${f.field}: ${f.reason}`) }, 'unsupported settings ignored (tabby apply refuses them)');
      if (warned.length) this.log.warn({ resource: id, fields: warned.map((f) => `${f.field}: ${f.reason}`) }, 'settings accepted but not enforced by Tabby');
    }
    for (const id of this.checked.keys()) if (!present.has(id)) this.checked.delete(id);
  }
}

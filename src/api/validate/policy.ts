// Policy rules and the two policy kinds (NetworkPolicy, GlobalNetworkPolicy), after libcalico-go's
// validateRule / validateNetworkPolicySpec / validateGlobalNetworkPolicySpec.
import { formatCIDR, isMasked, maskCIDR, tryParseCIDROrIP } from '../../net/ip.ts';
import { bool, int, list, mapOf, num, obj, oneOf, refine, str, type FieldError, type Schema, type ValueCheck } from '../schema.ts';
import { selectorError } from '../../selector/index.ts';
import { dnsLabel, isNamedPort, port, protocol, protocolSupportsPorts } from './fields.ts';

const icmpFields = refine<{ type?: number; code?: number }>(
  obj({ type: int(0, 254), code: int(0, 255) }),
  (v, path, errs) => {
    if (v.code !== undefined && v.type === undefined) errs.push({ field: `${path}.code`, value: v.code, message: 'ICMP code specified without an ICMP type' });
  },
);

/** Rule nets must be strictly masked (libcalico-go `net` validator); a bare address means /32 or /128. */
const maskedNet: ValueCheck<string> = (s) => {
  const c = tryParseCIDROrIP(s);
  if (!c) return 'invalid CIDR';
  if (!isMasked(c)) return `CIDR is not strictly masked; did you mean ${formatCIDR(maskCIDR(c))}?`;
  return undefined;
};

/** A selector in which global() is not allowed (everything except a rule's namespaceSelector). */
const localSelector: ValueCheck<string> = (s) => {
  const m = selectorError(s);
  if (m) return m;
  return /\bglobal\s*\(/.test(s) ? 'global() can only be used in an EntityRule namespaceSelector' : undefined;
};

/** A rule namespaceSelector: global() must stand alone. */
const ruleNamespaceSelector: ValueCheck<string> = (s) => {
  const m = selectorError(s);
  if (m) return m;
  return /\bglobal\s*\(/.test(s) && !/^\s*global\s*\(\s*\)\s*$/.test(s) ? 'global() cannot be combined with other selectors' : undefined;
};

interface EntityShape { nets?: string[]; notNets?: string[]; ports?: unknown[]; notPorts?: unknown[]; services?: { name?: string; namespace?: string }; selector?: string; notSelector?: string }

const entityRule = refine<EntityShape>(obj({
  nets: list(str(maskedNet)),
  notNets: list(str(maskedNet)),
  selector: str(localSelector),
  notSelector: str(localSelector),
  namespaceSelector: str(ruleNamespaceSelector),
  ports: list(port),
  notPorts: list(port),
  serviceAccounts: obj({ names: list(str()), selector: str(localSelector) }),
  services: obj({ name: str(), namespace: str() }, { required: ['name'] }),
}), (e, path, errs) => {
  if (!e.services) return;
  if (e.selector || e.notSelector) errs.push({ field: `${path}.services`, value: e.services, message: 'cannot specify selector/notSelector and services on the same rule' });
  if (e.nets?.length || e.notNets?.length) errs.push({ field: `${path}.services`, value: e.services, message: 'cannot specify nets/notNets and services on the same rule' });
});

interface RuleShape {
  action?: string;
  ipVersion?: number;
  protocol?: string | number;
  notProtocol?: string | number;
  icmp?: unknown;
  notICMP?: unknown;
  http?: unknown;
  source?: EntityShape;
  destination?: EntityShape;
}

/** libcalico-go validateRule: ports need a port protocol, nets agree on one IP version, ICMP needs ICMP. */
function checkRule(r: RuleShape, path: string, errs: FieldError[]): void {
  const seen = new Set<number>();
  for (const side of ['source', 'destination'] as const) {
    const e = r[side];
    if (!e) continue;
    for (const key of ['ports', 'notPorts'] as const) {
      const ports = e[key] ?? [];
      if (!ports.length) continue;
      if (r.protocol === undefined) {
        if (!ports.every(isNamedPort)) errs.push({ field: `${path}.${side}.${key}`, value: ports, message: 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP' });
      } else if (!protocolSupportsPorts(r.protocol)) {
        errs.push({ field: `${path}.${side}.${key}`, value: ports, message: 'rules that specify ports must set protocol to TCP or UDP or SCTP' });
      }
    }
    for (const key of ['nets', 'notNets'] as const) {
      const fams = new Set<number>();
      (e[key] ?? []).forEach((n, i) => {
        const c = tryParseCIDROrIP(n);
        if (!c) return;
        fams.add(c.family);
        if (r.ipVersion !== undefined && c.family !== r.ipVersion) {
          errs.push({ field: `${path}.${side}.${key}[${i}]`, value: n, message: `rule IP version ${r.ipVersion} doesn't match CIDR version` });
        }
        if (key === 'notNets' && c.prefix === 0) {
          errs.push({ field: `${path}.${side}.${key}[${i}]`, value: n, message: 'catch-all CIDR in negation creates logical contradiction (matches no traffic)' });
        }
      });
      if (fams.size > 1 || [...fams].some((f) => seen.size && !seen.has(f))) {
        errs.push({ field: `${path}.${side}.${key}`, value: e[key], message: 'rule contains both IPv4 and IPv6 CIDRs' });
      }
      for (const f of fams) seen.add(f);
    }
  }
  for (const key of ['icmp', 'notICMP'] as const) {
    if (r[key] === undefined) continue;
    if (!['ICMP', 'ICMPv6', 1, 58, '1', '58'].includes(r.protocol as string | number)) {
      errs.push({ field: `${path}.${key}`, value: r[key], message: 'ICMP fields require protocol ICMP or ICMPv6' });
    }
  }
  if (r.ipVersion === 6 && (r.protocol === 'ICMP' || r.protocol === 1)) errs.push({ field: `${path}.protocol`, value: r.protocol, message: 'protocol ICMP is IPv4 only; use ICMPv6 with ipVersion 6' });
  if (r.ipVersion === 4 && (r.protocol === 'ICMPv6' || r.protocol === 58)) errs.push({ field: `${path}.protocol`, value: r.protocol, message: 'protocol ICMPv6 is IPv6 only; use ICMP with ipVersion 4' });
}

const httpMatch = refine<{ methods?: string[]; paths?: { exact?: string; prefix?: string }[] }>(
  obj({ methods: list(str()), paths: list(obj({ exact: str(), prefix: str() })) }),
  (h, path, errs) => {
    if (h.methods && new Set(h.methods).size !== h.methods.length) errs.push({ field: `${path}.methods`, value: h.methods, message: 'invalid methods (duplicates)' });
    (h.paths ?? []).forEach((p, i) => {
      const v = p.exact || p.prefix;
      if (p.exact && p.prefix) errs.push({ field: `${path}.paths[${i}]`, value: p, message: "invalid path match: both 'exact' and 'prefix' are set" });
      else if (!v) errs.push({ field: `${path}.paths[${i}]`, value: p, message: "invalid path match: either 'exact' or 'prefix' must be set" });
      else if (!v.startsWith('/') || /[? #]/.test(v)) errs.push({ field: `${path}.paths[${i}]`, value: v, message: 'invalid path: must start with / and not contain ?, # or space' });
    });
  },
);

export const rule: Schema = refine<RuleShape>(obj({
  action: oneOf('Allow', 'Deny', 'Log', 'Pass'),
  ipVersion: (v, path, errs) => { if (v !== 4 && v !== 6) errs.push({ field: path, value: v, message: 'must be 4 or 6' }); },
  protocol,
  notProtocol: protocol,
  icmp: icmpFields,
  notICMP: icmpFields,
  source: entityRule,
  destination: entityRule,
  http: httpMatch,
  metadata: obj({ annotations: mapOf(str()) }),
}, { required: ['action'] }), checkRule);

const POLICY_TYPES = ['Ingress', 'Egress'];
const policyTypes: Schema = refine<string[]>(list(oneOf(...POLICY_TYPES), 2), (v, path, errs) => {
  if (new Set(v).size !== v.length) errs.push({ field: path, value: v, message: 'must not repeat a policy type' });
});

const policyCommon: Record<string, Schema> = {
  tier: str(dnsLabel),
  order: num(),
  selector: str(localSelector),
  types: policyTypes,
  ingress: list(rule, 1024),
  egress: list(rule, 1024),
  serviceAccountSelector: str(localSelector),
  performanceHints: list(oneOf('AssumeNeededOnEveryNode')),
};

interface PolicyShape { egress?: RuleShape[]; ingress?: RuleShape[] }

/** Direction rules shared by both policy kinds (validateNetworkPolicySpec / validateGlobalNetworkPolicySpec). */
function checkPolicyDirections(v: PolicyShape, path: string, errs: FieldError[], global: boolean): void {
  (v.egress ?? []).forEach((r, i) => {
    if (r.source?.services) errs.push({ field: `${path}.egress[${i}].source.services`, value: r.source.services, message: 'not allowed in egress rule source' });
    if (r.http) errs.push({ field: `${path}.egress[${i}].http`, value: r.http, message: 'not allowed in egress rule' });
    if (global && r.destination?.services && !r.destination.services.namespace) {
      errs.push({ field: `${path}.egress[${i}].destination.services.namespace`, value: '', message: 'must specify a namespace' });
    }
  });
  (v.ingress ?? []).forEach((r, i) => {
    if (r.destination?.services) errs.push({ field: `${path}.ingress[${i}].destination.services`, value: r.destination.services, message: 'not allowed in ingress rule destination' });
    if (global && r.source?.services && !r.source.services.namespace) {
      errs.push({ field: `${path}.ingress[${i}].source.services.namespace`, value: '', message: 'must specify a namespace' });
    }
  });
}

export const networkPolicySpec = refine<PolicyShape>(obj(policyCommon), (v, path, errs) => checkPolicyDirections(v, path, errs, false));

interface GnpShape extends PolicyShape { preDNAT?: boolean; doNotTrack?: boolean; applyOnForward?: boolean; types?: string[] }

export const globalPolicySpec = refine<GnpShape>(obj({
  ...policyCommon,
  namespaceSelector: str(localSelector),
  doNotTrack: bool(),
  preDNAT: bool(),
  applyOnForward: bool(),
}), (v, path, errs) => {
  checkPolicyDirections(v, path, errs, true);
  if (v.preDNAT && v.doNotTrack) errs.push({ field: `${path}.preDNAT`, value: true, message: 'preDNAT and doNotTrack cannot both be true' });
  if ((v.preDNAT || v.doNotTrack) && !v.applyOnForward) {
    errs.push({ field: `${path}.applyOnForward`, value: v.applyOnForward ?? false, message: 'applyOnForward must be true if either preDNAT or doNotTrack is true' });
  }
  if (v.preDNAT && v.egress?.length) errs.push({ field: `${path}.egress`, value: `${v.egress.length} rules`, message: 'preDNAT policy cannot have any egress rules' });
  if (v.preDNAT && v.types?.includes('Egress')) errs.push({ field: `${path}.types`, value: v.types, message: "preDNAT policy cannot have 'Egress' type" });
});

// Validation of projectcalico.org/v3 resources, following libcalico-go's validator: structural checks
// (types, unknown fields, enums) from per-kind schemas, then the cross-field rules Calico enforces
// (IPPool encapsulation, PreDNAT policy, BGPPeer exclusivity, ...). Pure: no datastore access; rules
// that need other resources (pool overlap, immutable fields) live in client.ts.
import { API_VERSION, resourceId, type Resource } from './resource.ts';
import { kindInfo } from './kinds.ts';
import {
  IPV4_LINK_LOCAL, IPV6_LINK_LOCAL, cidrContainsIP, cidrsOverlap, formatCIDR, isMAC, isMasked, maskCIDR, tryParseCIDR,
  tryParseCIDROrIP, tryParseIP,
} from '../net/ip.ts';
import {
  anything, bool, int, isPlainObject, list, mapOf, num, numberOrString, obj, oneOf, refine, refineAlways, str,
  type FieldError, type Schema, type ValueCheck,
} from './schema.ts';
import { selectorError } from '../selector/index.ts';
import { TabbyError } from '../errors.ts';

export type { FieldError } from './schema.ts';

/** A resource failed validation. The message follows libcalico-go's ErrorValidation and names the resource. */
export class ValidationError extends TabbyError {
  constructor(readonly resource: string, readonly errors: FieldError[]) {
    super('Invalid', formatValidationErrors(resource, errors));
    this.name = 'ValidationError';
  }
}

export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

export function formatValidationErrors(resource: string, errors: FieldError[]): string {
  if (errors.length === 1) {
    const e = errors[0]!;
    return `${resource}: error with field ${e.field} = '${formatValue(e.value)}' (${e.message})`;
  }
  return `${resource}: error(s) with fields:` +
    errors.map((e) => `\n-  ${e.field} = '${formatValue(e.value)}' (${e.message})`).join('');
}

// ---------------------------------------------------------------------------------------------------------
// Value checks

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_LABEL = new RegExp(`^${LABEL_FMT}$`);
const DNS_SUBDOMAIN = new RegExp(`^${LABEL_FMT}(\\.${LABEL_FMT})*$`);
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/;
const INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;

export const dnsSubdomain: ValueCheck<string> = (s) => {
  if (s.length > 253) return `name is too long by ${s.length - 253} bytes`;
  if (!DNS_SUBDOMAIN.test(s)) return "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  return undefined;
};

/** NetworkPolicy: a label, label.label, or a knp.default./ossg.default. prefixed subdomain (libcalico-go). */
const NP_NAME = new RegExp(`^((${LABEL_FMT})(\\.${LABEL_FMT})?|((?:knp|ossg)\\.default\\.(${LABEL_FMT}(\\.${LABEL_FMT})*)))$`);
const GNP_NAME = new RegExp(`^(${LABEL_FMT}\\.)?${LABEL_FMT}$`);

export const networkPolicyName: ValueCheck<string> = (s) => {
  if (s.length > 253) return `name is too long by ${s.length - 253} bytes`;
  return NP_NAME.test(s) ? undefined : "name must consist of lower case alphanumeric characters or '-', with at most one '.' (or be a knp.default.<name> Kubernetes policy)";
};

export const globalNetworkPolicyName: ValueCheck<string> = (s) => {
  if (s.length > 253) return `name is too long by ${s.length - 253} bytes`;
  return GNP_NAME.test(s) ? undefined : "name must consist of lower case alphanumeric characters or '-', with at most one '.'";
};

export const dnsLabel: ValueCheck<string> = (s) => {
  if (s.length > 63) return 'must be no more than 63 characters';
  if (!DNS_LABEL.test(s)) return "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  return undefined;
};

export const labelKey: ValueCheck<string> = (k) => {
  const slash = k.indexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (prefix !== undefined) {
    if (!prefix) return 'label key prefix must not be empty';
    const m = dnsSubdomain(prefix);
    if (m) return `label key prefix ${m}`;
  }
  if (!name) return 'label key name must not be empty';
  if (name.length > 63) return 'label key name must be no more than 63 characters';
  if (!QUALIFIED_NAME_PART.test(name)) return "label key name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
};

export const labelValue: ValueCheck<string> = (v) => {
  if (v.length > 63) return 'label value must be no more than 63 characters';
  if (!LABEL_VALUE.test(v)) return "label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
};

export const selector: ValueCheck<string> = (s) => selectorError(s);

export const duration: ValueCheck<string> = (s) => (GO_DURATION.test(s) ? undefined : 'must be a duration such as 30s, 5m or 1h30m');

export const ipAddress: ValueCheck<string> = (s) => (tryParseIP(s) ? undefined : 'must be a valid IP address');
export const ipv4Address: ValueCheck<string> = (s) => (tryParseIP(s)?.family === 4 ? undefined : 'must be a valid IPv4 address');
export const ipv6Address: ValueCheck<string> = (s) => (tryParseIP(s)?.family === 6 ? undefined : 'must be a valid IPv6 address');
/** A CIDR, host bits allowed (`nets`, interface addresses). Bare addresses count as /32 or /128. */
export const cidrOrIP: ValueCheck<string> = (s) => (tryParseCIDROrIP(s) ? undefined : 'must be a valid IP address or CIDR');
export const cidr: ValueCheck<string> = (s) => (tryParseCIDR(s) ? undefined : 'must be a valid CIDR such as 10.0.0.0/16');
/** An address with its subnet (`10.0.0.5/24`), as Node.spec.bgp.ipv4Address. */
const cidrFamily = (family: 4 | 6): ValueCheck<string> => (s) => {
  const c = tryParseCIDROrIP(s);
  return c && c.family === family ? undefined : `must be a valid IPv${family} address with prefix length, e.g. ${family === 4 ? '10.0.0.5/24' : 'fd00::5/64'}`;
};
export const maskedCIDR: ValueCheck<string> = (s) => {
  const c = tryParseCIDR(s);
  if (!c) return 'must be a valid CIDR such as 10.0.0.0/16';
  if (!isMasked(c)) return `IP pool CIDR is not strictly masked (did you mean ${formatCIDR(maskCIDR(c))}?)`;
  return undefined;
};
export const mac: ValueCheck<string> = (s) => (isMAC(s) ? undefined : 'must be a MAC address such as ee:ee:ee:ee:ee:ee');

/** AS numbers as numorstring.ASNumber: a 32-bit number (not 0) or the dotted `high.low` notation. */
export const asNumber: Schema = (v, path, errs) => {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1 || v > 4294967295) errs.push({ field: path, value: v, message: 'AS number must be between 1 and 4294967295' });
    return;
  }
  if (typeof v === 'string') {
    const plain = /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 4294967295;
    const dotted = /^(\d+)\.(\d+)$/.exec(v);
    const dottedOk = dotted !== null && Number(dotted[1]) <= 65535 && Number(dotted[2]) <= 65535 && Number(dotted[1]) + Number(dotted[2]) > 0;
    if (!plain && !dottedOk) errs.push({ field: path, value: v, message: 'AS number must be between 1 and 4294967295, or dotted notation such as 1.10' });
    return;
  }
  errs.push({ field: path, value: v, message: 'AS number must be a number' });
};

function portNumberRange(s: string): string | undefined {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi < 1 || lo > 65535 || hi > 65535) return 'port range invalid, port number must be between 1 and 65535';
  if (lo > hi) return `port range invalid: minimum ${lo} is greater than maximum ${hi}`;
  return '';
}

/** Kubernetes IANA_SVC_NAME rules, which Calico applies to named ports. */
export const portName: ValueCheck<string> = (s) => {
  if (s.length > 15) return 'port name must be no more than 15 characters';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) || s.includes('--')) return 'port name must be lower case alphanumerics and single "-", starting and ending with an alphanumeric';
  if (!/[a-z]/.test(s)) return 'port name must contain at least one letter';
  return undefined;
};

/** A policy port (numorstring.Port): number 1-65535, `"min:max"` range, or a named port. */
export const port: Schema = numberOrString(int(1, 65535), str((s) => {
  const r = portNumberRange(s);
  if (r !== undefined) return r || undefined;
  if (/^\d+$/.test(s)) return Number(s) < 1 || Number(s) > 65535 ? 'port number must be between 1 and 65535' : undefined;
  return portName(s);
}));

function isNamedPort(p: unknown): boolean {
  return typeof p === 'string' && !/^\d+(:\d+)?$/.test(p);
}

/** Protocol names are case-sensitive in Calico (`TCP`, not `tcp`). */
export const PROTOCOL_NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'];
export const protocol: Schema = numberOrString(int(1, 255), str((s) => {
  if (PROTOCOL_NAMES.includes(s)) return undefined;
  if (/^\d+$/.test(s)) return Number(s) >= 1 && Number(s) <= 255 ? undefined : 'protocol number invalid: must be 1-255';
  return `protocol name invalid: must be one of ${PROTOCOL_NAMES.join(', ')} or a number 1-255`;
}));

/** Does a protocol value carry ports (TCP, UDP, SCTP by name or number)? */
export function protocolSupportsPorts(p: unknown): boolean {
  if (typeof p === 'number') return p === 6 || p === 17 || p === 132;
  return typeof p === 'string' && ['TCP', 'UDP', 'SCTP', '6', '17', '132'].includes(p);
}

// ---------------------------------------------------------------------------------------------------------
// Shared sub-schemas

const secretKeyRef = obj({ secretKeyRef: obj({ name: str(dnsSubdomain), key: str(), optional: bool() }, { required: ['name', 'key'] }) });

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

const networkPolicySpec = refine<PolicyShape>(obj(policyCommon), (v, path, errs) => checkPolicyDirections(v, path, errs, false));

interface GnpShape extends PolicyShape { preDNAT?: boolean; doNotTrack?: boolean; applyOnForward?: boolean; types?: string[] }

const globalPolicySpec = refine<GnpShape>(obj({
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

/** Endpoint ports (HostEndpoint, WorkloadEndpoint): a name, a port protocol and a port. */
const endpointPort = refine<{ name?: string; protocol?: unknown; hostPort?: number }>(obj({
  name: str(portName), protocol, port: int(1, 65535), hostPort: int(0, 65535), hostIP: str(ipAddress),
}, { required: ['port', 'protocol'] }), (p, path, errs) => {
  if (!protocolSupportsPorts(p.protocol)) errs.push({ field: `${path}.protocol`, value: p.protocol, message: 'endpoint port protocol does not support ports (use TCP, UDP or SCTP)' });
  if (!p.name && !p.hostPort) errs.push({ field: `${path}.name`, value: '', message: 'port name must not be empty if no hostPort is specified' });
});

const logSeverity = oneOf('Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal', 'Panic', 'None');

// ---------------------------------------------------------------------------------------------------------
// Per-kind specs

interface IPPoolShape {
  cidr?: string; blockSize?: number; ipipMode?: string; vxlanMode?: string; allowedUses?: string[]; disabled?: boolean;
}

const ippoolSpec = refineAlways<IPPoolShape>(obj({
  cidr: str(maskedCIDR),
  blockSize: int(0, 128),
  ipipMode: oneOf('Never', 'Always', 'CrossSubnet'),
  vxlanMode: oneOf('Never', 'Always', 'CrossSubnet'),
  natOutgoing: bool(),
  disabled: bool(),
  disableBGPExport: bool(),
  nodeSelector: str(selector),
  namespaceSelector: str(selector),
  allowedUses: refine<string[]>(list(oneOf('Workload', 'Tunnel', 'LoadBalancer')), (v, path, errs) => {
    if (new Set(v).size !== v.length) errs.push({ field: path, value: v, message: 'must not repeat a use' });
  }),
  assignmentMode: oneOf('Automatic', 'Manual'),
}, { required: ['cidr'] }), (v, path, errs) => {
  // Runs even when fields had type errors, so every problem in a pool is reported at once.
  const c = typeof v.cidr === 'string' ? tryParseCIDR(v.cidr) : undefined;
  if (c?.family === 4 && cidrsOverlap(c, IPV4_LINK_LOCAL)) {
    errs.push({ field: `${path}.cidr`, value: v.cidr, message: 'IP pool range overlaps with IPv4 Link Local range 169.254.0.0/16' });
  }
  if (c?.family === 6 && cidrsOverlap(c, IPV6_LINK_LOCAL)) {
    errs.push({ field: `${path}.cidr`, value: v.cidr, message: 'IP pool range overlaps with IPv6 Link Local range fe80::/10' });
  }
  if (c && typeof v.blockSize === 'number' && Number.isInteger(v.blockSize)) {
    const [lo, hi] = c.family === 4 ? [20, 32] : [116, 128];
    if (v.blockSize < lo || v.blockSize > hi) {
      errs.push({ field: `${path}.blockSize`, value: v.blockSize, message: `block size for an IPv${c.family} pool must be between ${lo} and ${hi}` });
    } else if (c.prefix > v.blockSize && !v.disabled) {
      errs.push({ field: `${path}.cidr`, value: v.cidr, message: `IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size (/${v.blockSize}).` });
    }
  }
  const ipip = typeof v.ipipMode === 'string' ? v.ipipMode : 'Never';
  const vxlan = typeof v.vxlanMode === 'string' ? v.vxlanMode : 'Never';
  if (ipip !== 'Never' && c?.family === 6) errs.push({ field: `${path}.ipipMode`, value: ipip, message: 'IPIP is not supported on an IPv6 IP pool' });
  if (ipip !== 'Never' && vxlan !== 'Never') errs.push({ field: `${path}.vxlanMode`, value: vxlan, message: 'IPIP and VXLAN cannot both be enabled on the same IP pool' });
  const uses = Array.isArray(v.allowedUses) ? v.allowedUses : [];
  if (uses.includes('LoadBalancer')) {
    if (uses.length > 1) errs.push({ field: `${path}.allowedUses`, value: uses, message: 'LoadBalancer cannot be combined with other uses' });
    if (ipip !== 'Never' || vxlan !== 'Never') errs.push({ field: `${path}.allowedUses`, value: uses, message: 'LoadBalancer pools cannot use IPIP or VXLAN encapsulation' });
  }
});

const nodeSpec = obj({
  bgp: refine<Record<string, unknown>>(obj({
    ipv4Address: str(cidrFamily(4)),
    ipv6Address: str(cidrFamily(6)),
    asNumber,
    ipv4IPIPTunnelAddr: str(ipv4Address),
    routeReflectorClusterID: str(ipv4Address),
  }), (b, path, errs) => {
    if (Object.keys(b).length === 0) errs.push({ field: path, value: b, message: 'spec.bgp should not be empty (omit it instead)' });
  }),
  ipv4VXLANTunnelAddr: str(ipv4Address),
  vxlanTunnelMACAddr: str(mac),
  ipv6VXLANTunnelAddr: str(ipv6Address),
  vxlanTunnelMACAddrV6: str(mac),
  wireguard: obj({ interfaceIPv4Address: str(ipv4Address), interfaceIPv6Address: str(ipv6Address) }),
  addresses: list(obj({ address: str(cidrOrIP), type: oneOf('CalicoNodeIP', 'InternalIP', 'ExternalIP') }, { required: ['address'] })),
  orchRefs: list(obj({ nodeName: str(), orchestrator: str() }, { required: ['orchestrator'] })),
  interfaces: list(obj({ name: str(), addresses: list(str(cidrOrIP)) })),
});

interface BGPConfigShape { nodeToNodeMeshEnabled?: boolean; asNumber?: unknown; serviceClusterIPs?: unknown; serviceExternalIPs?: unknown; serviceLoadBalancerIPs?: unknown }

const cidrEntry = obj({ cidr: str(cidr) }, { required: ['cidr'] });

interface BGPCommunityShape { communities?: { name: string; value: string }[]; prefixAdvertisements?: { cidr: string; communities?: string[] }[] }

/** Standard community `aa:nn` (16-bit parts) or large community `aa:nn:mm` (32-bit parts). */
export function communityError(s: string): string | undefined {
  const parts = s.split(':');
  if ((parts.length !== 2 && parts.length !== 3) || !parts.every((p) => /^\d+$/.test(p))) return 'invalid community value or format used (aa:nn or aa:nn:mm)';
  const max = parts.length === 2 ? 65535 : 4294967295;
  return parts.every((p) => Number(p) <= max) ? undefined : `invalid community value, expected ${parts.length === 2 ? 16 : 32} bit values`;
}

const bgpConfigurationSpec = refine<BGPCommunityShape>(obj({
  logSeverityScreen: logSeverity,
  nodeToNodeMeshEnabled: bool(),
  asNumber,
  serviceLoadBalancerIPs: list(cidrEntry),
  serviceExternalIPs: list(cidrEntry),
  serviceClusterIPs: list(cidrEntry),
  communities: list(obj({ name: str(), value: str((s) => communityError(s)) }, { required: ['name', 'value'] })),
  prefixAdvertisements: list(obj({ cidr: str(cidr), communities: list(str()) }, { required: ['cidr'] })),
  listenPort: int(1, 65535),
  nodeMeshPassword: secretKeyRef,
  nodeMeshMaxRestartTime: str(duration),
  bindMode: oneOf('None', 'NodeIP'),
  ignoredInterfaces: list(str()),
  localWorkloadPeeringIPV4: str(ipv4Address),
  localWorkloadPeeringIPV6: str(ipv6Address),
  programClusterRoutes: oneOf('Enabled', 'Disabled', 'EnabledNoEncapOnly'),
  ipv4NormalRoutePriority: int(1, 2147483646),
  ipv6NormalRoutePriority: int(1, 2147483646),
  ipv4ElevatedRoutePriority: int(1, 2147483646),
  ipv6ElevatedRoutePriority: int(1, 2147483646),
  nodeSelector: str(selector),
}), (v, path, errs) => {
  // libcalico-go validateBGPConfigurationSpec: communities must be used, and used ones valid or defined.
  const defined = new Set((v.communities ?? []).map((c) => c.name));
  if (defined.size && !v.prefixAdvertisements?.length) {
    errs.push({ field: `${path}.communities`, value: v.communities, message: 'communities are defined but not used in spec.prefixAdvertisements' });
  }
  (v.prefixAdvertisements ?? []).forEach((pa, i) => (pa.communities ?? []).forEach((c, j) => {
    if (!defined.has(c) && communityError(c)) {
      errs.push({ field: `${path}.prefixAdvertisements[${i}].communities[${j}]`, value: c, message: 'community used is invalid or not defined' });
    }
  }));
});

/** The address family of a valid peerIP (`ip`, `ip:port`, `[v6]:port`). */
function peerAddressFamily(s: string): 4 | 6 | undefined {
  const bare = tryParseIP(s) ?? tryParseIP(/^\[([^\]]+)\]/.exec(s)?.[1] ?? s.replace(/:\d+$/, ''));
  return bare?.family;
}

/** `ip`, `ip:port`, `[v6]` or `[v6]:port` as BGPPeer.peerIP accepts. */
const peerIP: ValueCheck<string> = (s) => {
  if (tryParseIP(s)) return undefined;
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (v6) return tryParseIP(v6[1]!)?.family === 6 && (v6[2] === undefined || Number(v6[2]) <= 65535) ? undefined : 'must be an IP address, ip:port or [ipv6]:port';
  const v4 = /^([^:]+):(\d{1,5})$/.exec(s);
  if (v4 && tryParseIP(v4[1]!)?.family === 4 && Number(v4[2]) >= 1 && Number(v4[2]) <= 65535) return undefined;
  return 'must be an IP address, ip:port or [ipv6]:port';
};

interface BGPPeerShape { reachableBy?: string; node?: string; nodeSelector?: string; peerIP?: string; peerSelector?: string; asNumber?: unknown; keepOriginalNextHop?: boolean; nextHopMode?: string }

const bgpPeerSpec = refine<BGPPeerShape>(obj({
  node: str(dnsSubdomain),
  peerIP: str(peerIP),
  asNumber,
  nodeSelector: str(selector),
  peerSelector: str(selector),
  password: secretKeyRef,
  sourceAddress: oneOf('UseNodeIP', 'None'),
  failureDetectionMode: oneOf('None', 'BFDIfDirectlyConnected'),
  restartMode: oneOf('GracefulRestart', 'LongLivedGracefulRestart'),
  maxRestartTime: str(duration),
  birdGatewayMode: oneOf('Recursive', 'DirectIfDirectlyConnected'),
  numAllowedLocalASNumbers: int(1, 10),
  ttlSecurity: int(0, 255),
  keepaliveTime: str(duration),
  keepOriginalNextHop: bool(),
  nextHopMode: oneOf('Auto', 'Self', 'Keep'),
  localASNumber: asNumber,
  reachableBy: str(ipAddress),
  filters: list(str(dnsSubdomain)),
  localWorkloadSelector: str(selector),
  reversePeering: oneOf('Auto', 'Manual'),
}), (v, path, errs) => {
  if (v.node && v.nodeSelector) errs.push({ field: `${path}.nodeSelector`, value: v.nodeSelector, message: 'node and nodeSelector cannot both be set' });
  if (v.peerIP && v.peerSelector) errs.push({ field: `${path}.peerSelector`, value: v.peerSelector, message: 'peerIP and peerSelector cannot both be set' });
  if (v.peerSelector && v.asNumber !== undefined) errs.push({ field: `${path}.asNumber`, value: v.asNumber, message: 'asNumber cannot be set with peerSelector (the AS comes from the selected nodes)' });
  if (!v.peerIP && !v.peerSelector) errs.push({ field: `${path}.peerIP`, value: '', message: 'one of peerIP or peerSelector is required' });
  if (v.peerIP && v.asNumber === undefined) errs.push({ field: `${path}.asNumber`, value: '', message: 'asNumber is required with peerIP' });
  if (v.keepOriginalNextHop && v.nextHopMode !== undefined) errs.push({ field: `${path}.nextHopMode`, value: v.nextHopMode, message: 'nextHopMode and keepOriginalNextHop cannot both be set' });
  if (v.reachableBy !== undefined) {
    if (!v.peerIP) errs.push({ field: `${path}.reachableBy`, value: v.reachableBy, message: 'reachableBy requires peerIP' });
    else if (peerAddressFamily(v.peerIP) !== tryParseIP(v.reachableBy)?.family) errs.push({ field: `${path}.reachableBy`, value: v.reachableBy, message: 'reachableBy and peerIP address family mismatched' });
  }
});

const protoPortList = list(obj({ protocol: oneOf('TCP', 'UDP', 'SCTP'), port: int(0, 65535), net: str(cidrOrIP) }, { required: ['port'] }));

// FelixConfiguration: the parameters Tabby's agent reads are typed; the rest of Felix's long list is
// accepted by name so Calico YAML applies unchanged, and unknown names are still rejected.
const felixTyped: Record<string, Schema> = {
  logSeverityScreen: logSeverity, logSeverityFile: logSeverity, logSeveritySys: logSeverity,
  logFilePath: str(), logPrefix: str(), logDebugFilenameRegex: str(),
  ipipEnabled: bool(), ipipMTU: int(0, 65535), vxlanEnabled: bool(), vxlanMTU: int(0, 65535), vxlanMTUV6: int(0, 65535),
  vxlanPort: int(1, 65535), vxlanVNI: int(0, 16777215), wireguardEnabled: bool(), wireguardEnabledV6: bool(),
  wireguardMTU: int(0, 65535), wireguardMTUV6: int(0, 65535), wireguardListeningPort: int(1, 65535),
  wireguardListeningPortV6: int(1, 65535), wireguardRoutingRulePriority: int(1, 32765), wireguardInterfaceName: str(),
  wireguardInterfaceNameV6: str(), wireguardHostEncryptionEnabled: bool(), wireguardKeepAlive: str(duration),
  wireguardThreadingEnabled: bool(),
  bpfEnabled: bool(), bpfLogLevel: oneOf('Off', 'Info', 'Debug'), bpfDataIfacePattern: str(), bpfConnectTimeLoadBalancing: oneOf('TCP', 'Enabled', 'Disabled'),
  bpfExternalServiceMode: oneOf('Tunnel', 'DSR'), bpfKubeProxyIptablesCleanupEnabled: bool(),
  defaultEndpointToHostAction: oneOf('Drop', 'Accept', 'Return'),
  iptablesFilterAllowAction: oneOf('Accept', 'Return'), iptablesMangleAllowAction: oneOf('Accept', 'Return'),
  iptablesFilterDenyAction: oneOf('Drop', 'Reject'), iptablesBackend: oneOf('Legacy', 'NFT', 'Auto'),
  iptablesRefreshInterval: str(duration), iptablesPostWriteCheckInterval: str(duration), iptablesLockTimeout: str(duration),
  iptablesLockProbeInterval: str(duration), iptablesMarkMask: int(0, 4294967295), iptablesNATOutgoingInterfaceFilter: str(),
  iptablesLockFilePath: str(), ipsetsRefreshInterval: str(duration), nftablesMode: oneOf('Disabled', 'Enabled', 'Auto'),
  nftablesRefreshInterval: str(duration), nftablesFilterAllowAction: oneOf('Accept', 'Return'),
  nftablesMangleAllowAction: oneOf('Accept', 'Return'), nftablesFilterDenyAction: oneOf('Drop', 'Reject'), nftablesMarkMask: int(0, 4294967295),
  routeRefreshInterval: str(duration), routeSyncDisabled: bool(), routeSource: oneOf('WorkloadIPs', 'CalicoIPAM'),
  routeTableRange: obj({ min: int(1, 250), max: int(1, 250) }, { required: ['min', 'max'] }),
  routeTableRanges: list(obj({ min: int(1, 4294967295), max: int(1, 4294967295) }, { required: ['min', 'max'] })),
  deviceRouteSourceAddress: str(ipv4Address), deviceRouteSourceAddressIPv6: str(ipv6Address), deviceRouteProtocol: int(0, 255),
  removeExternalRoutes: bool(), programClusterRoutes: oneOf('Enabled', 'Disabled'),
  interfacePrefix: str(), interfaceExclude: str(), interfaceRefreshInterval: str(duration),
  chainInsertMode: oneOf('Insert', 'Append'), dataplaneWatchdogTimeout: str(duration), dataplaneDriver: str(),
  netlinkTimeout: str(duration), reportingInterval: str(duration), reportingTTL: str(duration),
  endpointReportingEnabled: bool(), endpointReportingDelay: str(duration), endpointStatusPathPrefix: str(),
  failsafeInboundHostPorts: protoPortList, failsafeOutboundHostPorts: protoPortList,
  natPortRange: port, natOutgoingAddress: str(ipv4Address), natOutgoingExclusions: oneOf('IPPoolsOnly', 'IPPoolsAndHostIPs'),
  healthEnabled: bool(), healthHost: str(), healthPort: int(1, 65535), healthTimeoutOverrides: list(obj({ name: str(), timeout: str(duration) })),
  prometheusMetricsEnabled: bool(), prometheusMetricsHost: str(), prometheusMetricsPort: int(1, 65535),
  prometheusGoMetricsEnabled: bool(), prometheusProcessMetricsEnabled: bool(), prometheusWireGuardMetricsEnabled: bool(),
  ipv6Support: bool(), mtuIfacePattern: str(), featureDetectOverride: str(), featureGates: str(),
  floatingIPs: oneOf('Enabled', 'Disabled'), externalNodesCIDRList: list(str(cidrOrIP)), allowVXLANPacketsFromWorkloads: bool(),
  allowIPIPPacketsFromWorkloads: bool(), useInternalDataplaneDriver: bool(), xdpEnabled: bool(), xdpRefreshInterval: str(duration),
  sidecarAccelerationEnabled: bool(), serviceLoopPrevention: oneOf('Drop', 'Reject', 'Disabled'),
  workloadSourceSpoofing: oneOf('Disabled', 'Any'), kubeNodePortRanges: list(port), policySyncPathPrefix: str(),
  maxIpsetSize: int(0, 2147483647), genericXDPEnabled: bool(), openstackRegion: str(), metadataAddr: str(), metadataPort: int(0, 65535),
  usageReportingEnabled: bool(), usageReportingInitialDelay: str(duration), usageReportingInterval: str(duration),
  flowLogsFlushInterval: str(duration), flowLogsCollectorDebugTrace: bool(), flowLogsGoldmaneServer: str(),
  flowLogsLocalReporter: oneOf('Enabled', 'Disabled'), flowLogsPolicyEvaluationMode: oneOf('None', 'Continuous'),
  ipForwarding: oneOf('Enabled', 'Disabled'), bpfHostNetworkedNATWithoutCTLB: oneOf('Enabled', 'Disabled'),
  ipsetsRefreshIntervalV6: str(duration), vxlanMTUv6: int(0, 65535), debugMemoryProfilePath: str(), debugDisableLogDropping: bool(),
  debugSimulateCalcGraphHangAfter: str(duration), debugSimulateDataplaneHangAfter: str(duration), debugHost: str(), debugPort: int(0, 65535),
  awsSrcDstCheck: oneOf('DoNothing', 'Enable', 'Disable'), awsSecondaryIPSupport: oneOf('Enabled', 'EnabledENIPerWorkload', 'Disabled'),
  awsSecondaryIPRoutingRulePriority: int(0, 4294967295), awsRequestTimeout: str(duration),
  bpfCTLBLogFilter: str(), bpfDisableUnprivileged: bool(), bpfDSROptoutCIDRs: list(str(cidrOrIP)), bpfEnforceRPF: oneOf('Disabled', 'Strict', 'Loose'),
  bpfExtToServiceConnmark: int(0, 4294967295), bpfForceTrackPacketsFromIfaces: list(str()), bpfHostConntrackBypass: bool(),
  bpfL3IfacePattern: str(), bpfLogFilters: mapOf(str()), bpfMapSizeConntrack: int(0, 2147483647), bpfMapSizeIPSets: int(0, 2147483647),
  bpfMapSizeIfState: int(0, 2147483647), bpfMapSizeNATAffinity: int(0, 2147483647), bpfMapSizeNATBackend: int(0, 2147483647),
  bpfMapSizeNATFrontend: int(0, 2147483647), bpfMapSizeRoute: int(0, 2147483647), bpfPSNATPorts: port, bpfPolicyDebugEnabled: bool(),
  bpfRedirectToPeer: oneOf('Disabled', 'Enabled', 'L2Only'), bpfAttachType: oneOf('TC', 'TCX'),
  bpfConntrackCleanupMode: oneOf('Auto', 'Userspace', 'BPFProgram'), bpfConntrackLogLevel: oneOf('Off', 'Debug'),
  bpfConntrackTimeouts: anything(), bpfExcludeCIDRsFromNAT: list(str(cidrOrIP)), bpfExportBufferSizeMB: int(0, 2147483647),
  bpfKubeProxyEndpointSlicesEnabled: bool(), bpfKubeProxyMinSyncPeriod: str(duration), bpfMapSizePerCPUConntrack: int(0, 2147483647),
  bpfProfiling: oneOf('Enabled', 'Disabled'), bpfMaglevMaxEndpointsPerService: int(0, 2147483647), bpfMaglevMaxServices: int(0, 2147483647),
  bpfJITHardening: oneOf('Auto', 'Strict'), bpfIpv6SourceAddress: str(ipv6Address), bpfRedirectToPeerV6: str(),
  goGCThreshold: int(-1, 2147483647), goMemoryLimitMB: int(-1, 2147483647), goMaxProcs: int(-1, 2147483647),
  cgroupV2Path: str(), ipForwardingV6: str(), requireMTUFile: bool(), logActionRateLimit: str(), logActionRateLimitBurst: int(0, 2147483647),
  logDropActionOverride: str(), egressIPSupport: str(), nfNetlinkBufSize: str(), statusReportingInterval: str(duration),
  windowsManageFirewallRules: oneOf('Enabled', 'Disabled'), liveMigrationRouteConvergenceTime: str(duration),
  iptablesNATOutgoingInterfaceFilterV6: str(), tproxyMode: oneOf('Disabled', 'Enabled', 'EnabledDefaultDeny'),
  tproxyPort: int(0, 65535), tproxyUpstreamConnMark: int(0, 4294967295), ipsecMode: str(), dnsCacheFile: str(),
  bpfKubeProxyHealthzPort: int(0, 65535), bpfConnectTimeLoadBalancingEnabled: bool(), bpfDisableGROForIfaces: str(),
  bpfMapSizePerCpuConntrack: int(0, 2147483647), bpfCTLBLogFilterV6: str(), bpfMaglevLUTSize: int(0, 2147483647),
  nftablesMarkMaskV6: int(0, 4294967295), ipipMTUV6: int(0, 65535), routeTableRangeV6: anything(),
};

const felixConfigurationSpec = obj(felixTyped);

const hostEndpointSpec = refine<{ interfaceName?: string; expectedIPs?: string[] }>(obj({
  node: str(dnsSubdomain),
  // "*" = all of the node's interfaces (libcalico-go validateInterface).
  interfaceName: str((s) => (s === '*' || INTERFACE_NAME.test(s) ? undefined : 'must be an interface name (up to 15 characters) or "*"')),
  expectedIPs: list(str(ipAddress)),
  profiles: list(str(dnsSubdomain)),
  ports: list(endpointPort),
}, { required: ['node'] }), (v, path, errs) => {
  if (!v.interfaceName && !v.expectedIPs?.length) errs.push({ field: `${path}.interfaceName`, value: '', message: 'either interfaceName or expectedIPs must be set' });
});

interface WepShape { ipNetworks?: string[]; ipNATs?: { internalIP: string; externalIP: string }[] }

const workloadEndpointSpec = refine<WepShape>(obj({
  orchestrator: str(),
  workload: str(),
  node: str(dnsSubdomain),
  containerID: str(),
  pod: str(),
  endpoint: str(),
  serviceAccountName: str(),
  ipNetworks: list(str(cidrOrIP)),
  ipNATs: list(obj({ internalIP: str(ipAddress), externalIP: str(ipAddress) }, { required: ['internalIP', 'externalIP'] })),
  ipv4Gateway: str(ipv4Address),
  ipv6Gateway: str(ipv6Address),
  profiles: list(str(dnsSubdomain)),
  interfaceName: str((s) => (INTERFACE_NAME.test(s) ? undefined : 'must be a Linux interface name of 1-15 characters')),
  mac: str(mac),
  ports: list(endpointPort),
  allowSpoofedSourcePrefixes: list(str(cidrOrIP)),
  qosControls: anything(),
  awsElasticIPs: list(str(ipv4Address)),
  qosPolicyName: str(),
}, { required: ['node', 'interfaceName'] }), (w, path, errs) => {
  // libcalico-go validateWorkloadEndpointSpec: single addresses only; NATs inside the endpoint's networks.
  const nets = (w.ipNetworks ?? []).map((n) => tryParseCIDROrIP(n));
  nets.forEach((c, i) => {
    if (c && c.prefix !== (c.family === 4 ? 32 : 128)) errs.push({ field: `${path}.ipNetworks[${i}]`, value: w.ipNetworks![i], message: 'IP network contains multiple addresses (use /32 or /128)' });
  });
  (w.ipNATs ?? []).forEach((n, i) => {
    const internal = tryParseIP(n.internalIP);
    const external = tryParseIP(n.externalIP);
    if (internal && external && internal.family !== external.family) errs.push({ field: `${path}.ipNATs[${i}].externalIP`, value: n.externalIP, message: 'mismatched IP versions' });
    if (internal && !nets.some((c) => c && cidrContainsIP(c, internal))) errs.push({ field: `${path}.ipNATs[${i}].internalIP`, value: n.internalIP, message: 'NAT is not in the endpoint networks' });
  });
});

const profileSpec = obj({ ingress: list(rule, 1024), egress: list(rule, 1024), labelsToApply: mapOf(str(labelValue), labelKey) });

const networkSetSpec = obj({ nets: list(str(cidrOrIP)), allowedEgressDomains: list(str()) });

/** Network sets may not carry the namespace label Felix derives itself. */
const noNamespaceLabel = (r: Resource, errs: FieldError[]): void => {
  if (r.metadata.labels && 'projectcalico.org/namespace' in r.metadata.labels) {
    errs.push({ field: 'metadata.labels["projectcalico.org/namespace"]', value: 'projectcalico.org/namespace', message: 'projectcalico.org/namespace is not a valid label name' });
  }
};

const clusterInformationSpec = obj({ clusterGUID: str(), clusterType: str(), calicoVersion: str(), datastoreReady: bool(), variant: str(), cnxVersion: str() });

const ipamConfigurationSpec = obj({
  strictAffinity: bool(),
  autoAllocateBlocks: bool(),
  maxBlocksPerHost: int(0, 2147483647),
  kubeVirtVMAddressPersistence: oneOf('Enabled', 'Disabled'),
  ipCooldownSeconds: int(0, 1200),
});

const tierSpec = obj({ order: num(), defaultAction: oneOf('Deny', 'Pass') });

// IPAM internals (shown by `get`, written only by the allocator): structure checked loosely.
const ipamBlockSpec = obj({}, { open: true });

interface KindRules {
  spec: Schema;
  /** Name check (metadata.name). */
  name: ValueCheck<string>;
  /** Whether a spec is required (most kinds). */
  specRequired?: boolean;
  /** Kind-level rules needing the name and the spec together. */
  check?: (r: Resource, errs: FieldError[]) => void;
  /** Allow and keep a status stanza. */
  status?: boolean;
}

const singletonDefault = (kind: string): ValueCheck<string> => (s) => (s === 'default' ? undefined : `the only valid ${kind} name is "default"`);
// `default` (global) or `node.<nodename>` (per node); other names are stored but Calico ignores them.
const defaultOrNodeName: ValueCheck<string> = dnsSubdomain;

const RULES: Record<string, KindRules> = {
  IPPool: { spec: ippoolSpec, name: dnsSubdomain, specRequired: true, status: true },
  Node: { spec: nodeSpec, name: dnsSubdomain, status: true },
  BGPConfiguration: {
    spec: bgpConfigurationSpec, name: defaultOrNodeName,
    check: (r, errs) => {
      if (r.metadata.name === 'default') return;
      const s = (r.spec ?? {}) as BGPConfigShape;
      for (const f of ['nodeToNodeMeshEnabled', 'asNumber', 'serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs'] as const) {
        if (s[f] !== undefined) errs.push({ field: `spec.${f}`, value: s[f], message: 'is only valid on the global BGPConfiguration "default"' });
      }
    },
  },
  BGPPeer: { spec: bgpPeerSpec, name: dnsSubdomain, specRequired: true },
  FelixConfiguration: { spec: felixConfigurationSpec, name: defaultOrNodeName },
  ClusterInformation: { spec: clusterInformationSpec, name: singletonDefault('ClusterInformation') },
  WorkloadEndpoint: { spec: workloadEndpointSpec, name: dnsSubdomain, specRequired: true },
  HostEndpoint: { spec: hostEndpointSpec, name: dnsSubdomain, specRequired: true },
  Profile: { spec: profileSpec, name: dnsSubdomain },
  NetworkPolicy: { spec: networkPolicySpec, name: networkPolicyName },
  GlobalNetworkPolicy: { spec: globalPolicySpec, name: globalNetworkPolicyName },
  NetworkSet: { spec: networkSetSpec, name: dnsSubdomain, check: noNamespaceLabel },
  GlobalNetworkSet: { spec: networkSetSpec, name: dnsSubdomain, check: noNamespaceLabel },
  Tier: { spec: tierSpec, name: dnsLabel },
  IPAMConfiguration: { spec: ipamConfigurationSpec, name: singletonDefault('IPAMConfiguration') },
  IPAMBlock: { spec: ipamBlockSpec, name: dnsSubdomain },
  BlockAffinity: { spec: ipamBlockSpec, name: (s) => (s.length <= 253 ? undefined : 'must be no more than 253 characters') },
  IPAMHandle: { spec: ipamBlockSpec, name: (s) => (s.length > 0 && s.length <= 253 ? undefined : 'must be 1-253 characters') },
};

const metadataSchema = obj({
  name: str(),
  namespace: str(dnsLabel),
  resourceVersion: str(),
  uid: str(),
  creationTimestamp: str(),
  generation: int(0),
  labels: mapOf(str(labelValue), labelKey),
  annotations: mapOf(str(), (k) => labelKey(k.toLowerCase())?.replace('label key', 'annotation key')),
  generateName: str(),
  finalizers: list(str()),
  ownerReferences: anything(),
  managedFields: anything(),
  deletionTimestamp: str(),
  deletionGracePeriodSeconds: int(0),
});

/** `Kind(name)` / `Kind(ns/name)` for an object that may be malformed. */
export function describeResource(r: unknown): string {
  if (!isPlainObject(r)) return 'resource';
  const kind = typeof r.kind === 'string' && r.kind ? r.kind : 'resource';
  const md = isPlainObject(r.metadata) ? r.metadata : {};
  const name = typeof md.name === 'string' ? md.name : '';
  const ns = typeof md.namespace === 'string' ? md.namespace : undefined;
  return resourceId(kind, name, ns);
}

/**
 * Check a v3 resource completely (envelope, metadata, spec). Returns every problem found; empty = valid.
 * Checks the object as given: apply defaults (defaults.ts) first when validating what will be stored.
 */
export function validateResource(r: unknown): FieldError[] {
  const errs: FieldError[] = [];
  if (!isPlainObject(r)) return [{ field: '(document)', value: r, message: 'a resource must be a YAML/JSON object' }];
  if (r.apiVersion !== API_VERSION) errs.push({ field: 'apiVersion', value: r.apiVersion ?? '', message: `must be ${API_VERSION}` });
  const kind = typeof r.kind === 'string' ? r.kind : '';
  const info = kindInfo(kind);
  const rules = RULES[kind];
  if (!info || !rules) {
    errs.push({ field: 'kind', value: r.kind ?? '', message: 'unknown resource kind' });
    return errs;
  }
  for (const k of Object.keys(r)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k)) errs.push({ field: k, value: r[k], message: `unknown field "${k}"` });
  }
  if (r.status !== undefined && !rules.status) errs.push({ field: 'status', value: r.status, message: `${kind} has no status` });
  if (!isPlainObject(r.metadata)) {
    errs.push({ field: 'metadata', value: r.metadata ?? '', message: 'is required' });
  } else {
    const md = r.metadata;
    metadataSchema(md, 'metadata', errs);
    if (typeof md.name !== 'string' || md.name === '') {
      errs.push({ field: 'metadata.name', value: md.name ?? '', message: 'is required' });
    } else {
      const m = rules.name(md.name);
      if (m) errs.push({ field: 'metadata.name', value: md.name, message: m });
    }
    if (info.namespaced && (typeof md.namespace !== 'string' || md.namespace === '')) {
      errs.push({ field: 'metadata.namespace', value: md.namespace ?? '', message: `is required for namespaced kind ${kind}` });
    }
    if (!info.namespaced && md.namespace !== undefined && md.namespace !== '') {
      errs.push({ field: 'metadata.namespace', value: md.namespace, message: `must not be set: ${kind} is not namespaced` });
    }
  }
  if (r.spec === undefined || r.spec === null) {
    if (rules.specRequired) errs.push({ field: 'spec', value: '', message: 'is required' });
  } else {
    rules.spec(r.spec, 'spec', errs);
  }
  // Kind-level rules assume well-typed fields, so they run only on an otherwise clean object.
  if (errs.length === 0 && rules.check) rules.check(r as unknown as Resource, errs);
  return errs;
}

/** Throws ValidationError when the resource is invalid. */
export function assertValid(r: unknown): asserts r is Resource {
  const errs = validateResource(r);
  if (errs.length) throw new ValidationError(describeResource(r), errs);
}

// Field-level checks shared by every kind: names and labels (Kubernetes rules), addresses and CIDRs, ports,
// protocols, AS numbers and durations, each as libcalico-go's validator accepts them.
import {
  formatCIDR, isMAC, isMasked, maskCIDR, tryParseCIDR, tryParseCIDROrIP, tryParseIP,
} from '../../net/ip.ts';
import { int, numberOrString, oneOf, str, type Schema, type ValueCheck } from '../schema.ts';
import { selectorError } from '../../selector/index.ts';

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_LABEL = new RegExp(`^${LABEL_FMT}$`);
const DNS_SUBDOMAIN = new RegExp(`^${LABEL_FMT}(\\.${LABEL_FMT})*$`);
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/;
export const INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;

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

/**
 * The most labels one resource may carry (metadata.labels, a Profile's labelsToApply). Kubernetes and
 * Calico set no count (only the size of the whole object); Tabby does, because every label of every
 * endpoint is matched against every selector on every node: real objects carry tens, 256 leaves room.
 */
export const MAX_LABELS = 256;
export const LABEL_COUNT_LIMIT = { max: MAX_LABELS, what: 'labels' };

/**
 * The most nets one NetworkSet/GlobalNetworkSet may list. Calico sets no count; 50,000 is far beyond
 * hand-written sets yet bounds the set every node programs for each selector that matches it.
 */
export const MAX_NETS_PER_SET = 50_000;

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
export const cidrFamily = (family: 4 | 6): ValueCheck<string> => (s) => {
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

export function isNamedPort(p: unknown): boolean {
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

export const logSeverity = oneOf('Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal', 'Panic', 'None');

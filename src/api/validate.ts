// Validation of projectcalico.org/v3 resources, following libcalico-go's validator: structural checks
// (types, unknown fields, enums) from per-kind schemas, then the cross-field rules Calico enforces
// (IPPool encapsulation, PreDNAT policy, BGPPeer exclusivity, ...). Pure: no datastore access; rules
// that need other resources (pool overlap, immutable fields) live in client.ts. This module holds the
// envelope and metadata checks and the kind table; the field checks and the per-kind schemas live in
// validate/ by family (fields, policy, networking, endpoints, felix).
import { API_VERSION, MAX_RESOURCE_BYTES, resourceId, type Resource } from './resource.ts';
import { kindInfo } from './kinds.ts';
import { TabbyError } from '../errors.ts';
import {
  anything, bool, int, isPlainObject, list, mapOf, num, obj, oneOf, str, type FieldError, type Schema, type ValueCheck,
} from './schema.ts';
import { LABEL_COUNT_LIMIT, cidrOrIP as cidrOrIPEntry, dnsLabel, dnsSubdomain, globalNetworkPolicyName, labelKey, labelValue, networkPolicyName } from './validate/fields.ts';
import { globalPolicySpec, networkPolicySpec } from './validate/policy.ts';
import { bgpConfigurationSpec, bgpPeerSpec, checkBgpConfigurationScope, ippoolSpec, nodeSpec } from './validate/networking.ts';
import { bgpFilterSpec } from './validate/bgpfilter.ts';
import { felixConfigurationSpec } from './validate/felix.ts';
import { hostEndpointSpec, networkSetSpec, noNamespaceLabel, profileSpec, workloadEndpointSpec } from './validate/endpoints.ts';

export type { FieldError } from './schema.ts';
// The field checks were exported from here before the per-family split; they stay importable from here.
export {
  asNumber, cidr, cidrOrIP, dnsLabel, dnsSubdomain, duration, globalNetworkPolicyName, ipAddress, ipv4Address, ipv6Address,
  labelKey, labelValue, mac, MAX_LABELS, MAX_NETS_PER_SET, maskedCIDR, networkPolicyName, port, portName, protocol, PROTOCOL_NAMES, protocolSupportsPorts,
  selector,
} from './validate/fields.ts';
export { rule } from './validate/policy.ts';
export { communityError } from './validate/networking.ts';

/** A resource failed validation. The message follows libcalico-go's ErrorValidation and names the resource. */
export class ValidationError extends TabbyError {
  constructor(readonly resource: string, readonly errors: FieldError[]) {
    super('Invalid', formatValidationErrors(resource, errors));
    this.name = 'ValidationError';
  }
}

/** Values are echoed back in messages; a huge one (a 1 MB label) is cut so the error stays readable. */
const MAX_ECHOED_VALUE = 80;

/** C0 and C1 control characters and DEL: echoed raw, bytes from a binary file could drive the reader's terminal. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

export function formatValue(v: unknown): string {
  const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v) ?? String(v);
  const cut = text.length <= MAX_ECHOED_VALUE ? text : text.slice(0, MAX_ECHOED_VALUE);
  const shown = cut.replace(CONTROL_CHARACTERS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return cut === text ? shown : `${shown}… (${text.length} characters)`;
}

export { MAX_RESOURCE_BYTES };

function sizeError(r: unknown): FieldError | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(r) ?? '');
  if (bytes <= MAX_RESOURCE_BYTES) return undefined;
  return { field: '(document)', value: `${(bytes / 1048576).toFixed(1)} MiB`, message: `a resource may be at most 1.5 MiB (etcd's default request limit)` };
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
// The kinds: small specs here, the rest per family in validate/

const clusterInformationSpec = obj({ clusterGUID: str(), clusterType: str(), calicoVersion: str(), datastoreReady: bool(), variant: str(), cnxVersion: str() });

const ipamConfigurationSpec = obj({
  strictAffinity: bool(),
  autoAllocateBlocks: bool(),
  maxBlocksPerHost: int(0, 2147483647),
  kubeVirtVMAddressPersistence: oneOf('Enabled', 'Disabled'),
  ipCooldownSeconds: int(0, 1200),
});

// libcalico-go's `cidrs` validator: each entry an address or a CIDR, host bits allowed (ParseCIDROrIP).
const ipReservationSpec = obj({ reservedCIDRs: list(str(cidrOrIPEntry)) });

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
  BGPConfiguration: { spec: bgpConfigurationSpec, name: defaultOrNodeName, check: checkBgpConfigurationScope },
  BGPPeer: { spec: bgpPeerSpec, name: dnsSubdomain, specRequired: true },
  BGPFilter: { spec: bgpFilterSpec, name: dnsSubdomain, specRequired: true },
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
  IPReservation: { spec: ipReservationSpec, name: dnsSubdomain },
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
  labels: mapOf(str(labelValue), labelKey, LABEL_COUNT_LIMIT),
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
  const tooBig = sizeError(r);
  if (tooBig) return [tooBig];
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

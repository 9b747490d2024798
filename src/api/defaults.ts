// Defaults Calico's client fills in before storing a resource, so `get -o yaml` shows what will be used.
// Pure: returns a defaulted copy and never changes fields the user set.
import type { Resource } from './resource.ts';
import { formatCIDR, isMasked, tryParseCIDR } from '../net/ip.ts';
import { isPlainObject } from './schema.ts';

export const DEFAULT_IPV4_BLOCK_SIZE = 26;
export const DEFAULT_IPV6_BLOCK_SIZE = 122;
export const DEFAULT_AS_NUMBER = 64512;
export const DEFAULT_TIER = 'default';
export const DEFAULT_NAMESPACE = 'default';

type Spec = Record<string, unknown>;

function defaultIPPool(spec: Spec): void {
  const c = typeof spec.cidr === 'string' ? tryParseCIDR(spec.cidr) : undefined;
  // Calico normalizes the pool CIDR before storing it (`FD00:0::/64` → `fd00::/64`); unmasked ones are left for validation to report.
  if (c && isMasked(c)) spec.cidr = formatCIDR(c);
  if (spec.blockSize === undefined && c) spec.blockSize = c.family === 4 ? DEFAULT_IPV4_BLOCK_SIZE : DEFAULT_IPV6_BLOCK_SIZE;
  spec.ipipMode ??= 'Never';
  spec.vxlanMode ??= 'Never';
  // libcalico-go treats an empty selector as all() and stores it explicitly.
  if (spec.nodeSelector === undefined || spec.nodeSelector === '') spec.nodeSelector = 'all()';
  if (spec.allowedUses === undefined || (Array.isArray(spec.allowedUses) && spec.allowedUses.length === 0)) spec.allowedUses = ['Workload', 'Tunnel'];
}

/** libcalico-go defaultPolicyTypesField: Ingress unless there are only egress rules; both when both exist. */
export function inferPolicyTypes(spec: Spec): string[] {
  const ingress = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (!egress) return ['Ingress'];
  if (!ingress) return ['Egress'];
  return ['Ingress', 'Egress'];
}

function defaultPolicy(spec: Spec): void {
  if (spec.tier === undefined || spec.tier === '') spec.tier = DEFAULT_TIER;
  if (spec.types === undefined || (Array.isArray(spec.types) && spec.types.length === 0)) spec.types = inferPolicyTypes(spec);
}

function defaultBGPConfiguration(name: string, spec: Spec): void {
  // Only the global object carries cluster-wide defaults; per-node objects override selectively.
  if (name !== 'default') return;
  spec.asNumber ??= DEFAULT_AS_NUMBER;
  spec.nodeToNodeMeshEnabled ??= true;
  spec.logSeverityScreen ??= 'Info';
}

function defaultIPAMConfiguration(spec: Spec): void {
  spec.strictAffinity ??= false;
  spec.autoAllocateBlocks ??= true;
}

/**
 * A copy of `r` with Calico's defaults filled in. Tolerates malformed input (validation reports it later):
 * a field of the wrong type is left alone.
 */
export function applyDefaults(r: Resource, opts: { defaultNamespace?: string; namespaced?: boolean } = {}): Resource {
  const out = structuredClone(r);
  if (opts.namespaced && isPlainObject(out.metadata) && (out.metadata.namespace === undefined || out.metadata.namespace === '')) {
    out.metadata.namespace = opts.defaultNamespace ?? DEFAULT_NAMESPACE;
  }
  const needsSpec = ['IPPool', 'NetworkPolicy', 'GlobalNetworkPolicy', 'BGPConfiguration', 'IPAMConfiguration'].includes(out.kind);
  if (out.spec === undefined && needsSpec && out.kind !== 'IPPool') out.spec = {};
  if (!isPlainObject(out.spec)) return out;
  const spec = out.spec as Spec;
  const name = isPlainObject(out.metadata) && typeof out.metadata.name === 'string' ? out.metadata.name : '';
  switch (out.kind) {
    case 'IPPool': defaultIPPool(spec); break;
    case 'NetworkPolicy':
    case 'GlobalNetworkPolicy': defaultPolicy(spec); break;
    case 'BGPConfiguration': defaultBGPConfiguration(name, spec); break;
    case 'IPAMConfiguration': defaultIPAMConfiguration(spec); break;
    default: break;
  }
  return out;
}

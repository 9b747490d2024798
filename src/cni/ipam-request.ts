// What a pod asks of IPAM beyond the netconf, as Calico's CNI plugin reads it (cni-plugin/pkg/k8s/k8s.go):
// the pod annotations `cni.projectcalico.org/ipv4pools` (pools to use, overriding ipam.ipv4_pools),
// `cni.projectcalico.org/ipAddrs` (this address, through IPAM) and `cni.projectcalico.org/ipAddrsNoIpam`
// (this address, bypassing IPAM; only with feature_control.ip_addrs_no_ipam), and the namespace's labels
// for pools' namespaceSelector. Calico reads annotations and the Namespace from the Kubernetes API; Tabby has
// none, so the runtime passes annotations in CNI_ARGS under their own names (`tabby lab run --annotation`),
// and namespace labels come from the Profile kns.<namespace>, which is how Calico's datastore holds a
// Namespace (labels as `pcns.<key>`).
import type { Datastore } from '../datastore/types.ts';
import { tryParseIP } from '../net/ip.ts';
import { CNI_ERR, CniError } from './errors.ts';
import type { CniEnv, NetConf } from './netconf.ts';
import type { WorkloadIdentity } from './names.ts';

export const ANNOTATION_IPV4_POOLS = 'cni.projectcalico.org/ipv4pools';
export const ANNOTATION_IP_ADDRS = 'cni.projectcalico.org/ipAddrs';
export const ANNOTATION_IP_ADDRS_NO_IPAM = 'cni.projectcalico.org/ipAddrsNoIpam';

/** Calico's own IPAM types: the only ones its annotations work with. */
const CALICO_IPAM_TYPES = new Set(['calico-ipam', 'tabby-ipam']);

export type PodIpamRequest =
  | { kind: 'auto'; pools?: string[] }
  | { kind: 'ipAddrs'; ips: string[] }
  | { kind: 'noIpam'; ips: string[] };

function fail(msg: string, code: number = CNI_ERR.internal): never {
  throw new CniError(code, msg);
}

/**
 * The IPAM request the pod's annotations (CNI_ARGS) make, with Calico's checks and messages: both address
 * annotations at once, an annotation the configured IPAM cannot serve, the feature not enabled, bad JSON,
 * an empty list, a malformed address, two IPv4 addresses.
 */
export function podIpamRequest(env: CniEnv, conf: NetConf): PodIpamRequest {
  const ipamType = conf.ipam.type;
  const ipAddrs = env.args[ANNOTATION_IP_ADDRS] ?? '';
  const noIpam = env.args[ANNOTATION_IP_ADDRS_NO_IPAM] ?? '';
  if (ipAddrs && noIpam) fail("can't have both annotations: 'ipAddrs' and 'ipAddrsNoIpam' in use at the same time");
  if (noIpam) {
    if (!CALICO_IPAM_TYPES.has(ipamType)) fail(`ipAddrsNoIpam is not compatible with configured IPAM: ${ipamType}`);
    if (conf.feature_control?.ip_addrs_no_ipam !== true) fail('requested feature is not enabled: ip_addrs_no_ipam');
    return { kind: 'noIpam', ips: annotationIPs(noIpam, ANNOTATION_IP_ADDRS_NO_IPAM) };
  }
  if (ipAddrs) {
    if (!CALICO_IPAM_TYPES.has(ipamType)) fail(`ipAddrs is not compatible with configured IPAM: ${ipamType}`);
    return { kind: 'ipAddrs', ips: annotationIPs(ipAddrs, ANNOTATION_IP_ADDRS) };
  }
  const pools = env.args[ANNOTATION_IPV4_POOLS];
  // Calico applies the pools annotation only for its own IPAM (other IPAM plugins never see it).
  if (pools && CALICO_IPAM_TYPES.has(ipamType)) return { kind: 'auto', pools: poolList(pools) };
  return { kind: 'auto' };
}

function parseJsonStrings(value: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(value);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function poolList(value: string): string[] {
  const pools = parseJsonStrings(value);
  if (!pools) fail(`failed to parse annotation "${ANNOTATION_IPV4_POOLS}" value '${value}': must be a JSON list of IP pool names or CIDRs, e.g. ["pool-a"]`, CNI_ERR.invalidNetworkConfig);
  return pools;
}

/** validateAndExtractIPs: a JSON list holding one IPv4 address (and, in Calico, optionally one IPv6). */
function annotationIPs(value: string, annotation: string): string[] {
  const ips = parseJsonStrings(value);
  if (!ips) fail(`failed to parse IPs ${value} for annotation "${annotation}": failed to parse '${value}' as JSON list of strings`);
  if (ips.length === 0) fail(`annotation "${annotation}" specified but empty`);
  let v4 = 0;
  for (const ip of ips) {
    const a = tryParseIP(ip);
    if (!a) fail(`invalid IP format: ${ip}`);
    if (a.family === 6) fail(`annotation "${annotation}": IPv6 address ${ip} is not supported by Tabby yet (IPv4 only)`);
    if (++v4 > 1) fail(`cannot have more than one IPv4 address for "${annotation}" annotation`);
  }
  return ips;
}

/**
 * The labels of the workload's namespace, from the Profile kns.<namespace> (`pcns.<key>` labels), plus
 * `kubernetes.io/metadata.name`, which the Kubernetes API server sets on every Namespace. Undefined for a
 * workload without a Kubernetes namespace: Calico then evaluates namespaceSelector against no labels.
 */
export async function namespaceLabels(ds: Datastore, id: Pick<WorkloadIdentity, 'orchestrator' | 'namespace'>): Promise<Record<string, string> | undefined> {
  if (id.orchestrator !== 'k8s') return undefined;
  const profile = await ds.get('Profile', `kns.${id.namespace}`);
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': id.namespace };
  const applied = (profile?.spec as { labelsToApply?: Record<string, string> } | undefined)?.labelsToApply ?? {};
  for (const [k, v] of Object.entries(applied)) {
    // pcns.projectcalico.org/name is Calico's own marker on the profile, not a label of the Namespace.
    if (k.startsWith('pcns.') && k !== 'pcns.projectcalico.org/name') labels[k.slice('pcns.'.length)] = v;
  }
  return labels;
}

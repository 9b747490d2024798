// Calico's identifiers for a pod attachment (cni-plugin utils + libcalico-go names): the host veth name,
// the WorkloadEndpoint name, and the IPAM handle. Pure functions.
import { createHash } from 'node:crypto';

export type Orchestrator = 'k8s' | 'cni';

export interface WorkloadIdentity {
  orchestrator: Orchestrator;
  /** k8s: the pod's namespace; cni: 'default'. */
  namespace: string;
  /** k8s: pod name; cni: container ID. */
  workload: string;
  node: string;
  containerId: string;
  /** CNI_IFNAME, e.g. eth0. */
  endpoint: string;
}

/** Host-side veth: prefix + sha1("<ns>.<pod>")[:11] for k8s (stable across sandboxes), prefix + containerID[:11] otherwise. */
export function hostVethName(id: Pick<WorkloadIdentity, 'orchestrator' | 'namespace' | 'workload' | 'containerId'>, prefixEnv?: string): string {
  const prefix = (prefixEnv ?? '').split(',')[0].trim() || 'cali';
  if (id.orchestrator === 'k8s') {
    return prefix + createHash('sha1').update(`${id.namespace}.${id.workload}`).digest('hex').slice(0, 11);
  }
  return prefix + id.containerId.slice(0, 11);
}

/** One name segment: every '-' doubled, so segments can be joined with single dashes unambiguously. */
export function escapeSegment(s: string): string { return s.replace(/-/g, '--'); }

/** `<node>-k8s-<pod>-<endpoint>` / `<node>-cni-<containerID>-<endpoint>`, each segment escaped. */
export function workloadEndpointName(id: WorkloadIdentity): string {
  return workloadEndpointPrefix(id) + escapeSegment(id.endpoint);
}

/** The name up to (and including the dash before) the endpoint segment; used to find a pod's existing WEP. */
export function workloadEndpointPrefix(id: Omit<WorkloadIdentity, 'endpoint'>): string {
  const wl = id.orchestrator === 'k8s' ? id.workload : id.containerId;
  return [id.node, id.orchestrator, wl].map(escapeSegment).join('-') + '-';
}

/** IPAM handle: `<network name>.<containerID>`. */
export function ipamHandle(networkName: string, containerId: string): string { return `${networkName}.${containerId}`; }

/** Calico's legacy handle (workload ID): `<ns>.<pod>` for k8s, the container ID otherwise; also released on DEL. */
export function legacyWorkloadHandle(id: Pick<WorkloadIdentity, 'orchestrator' | 'namespace' | 'workload' | 'containerId'>): string {
  return id.orchestrator === 'k8s' ? `${id.namespace}.${id.workload}` : id.containerId;
}

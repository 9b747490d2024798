// The WorkloadEndpoint the plugin writes for an attachment, named and labelled as Calico's CNI plugin does
// (k8s.go / conversion). Pure.
import { API_VERSION, type Resource } from '../api/resource.ts';
import type { WorkloadIdentity } from './names.ts';
import { workloadEndpointName } from './names.ts';
import { hostCIDR } from '../net/ip.ts';

export const WEP_KIND = 'WorkloadEndpoint';
export const LABEL_NAMESPACE = 'projectcalico.org/namespace';
export const LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator';
export const LABEL_SERVICEACCOUNT = 'projectcalico.org/serviceaccount';

export interface WorkloadEndpointSpec {
  orchestrator: string;
  workload?: string;
  node: string;
  pod?: string;
  containerID: string;
  endpoint: string;
  serviceAccountName?: string;
  ipNetworks: string[];
  profiles: string[];
  interfaceName: string;
  mac?: string;
  ports?: Array<{ name: string; port: number; protocol: string }>;
}

export interface WepInput {
  id: WorkloadIdentity;
  networkName: string;
  /** 'k8s' when netconf policy.type is k8s (profiles kns./ksa.); otherwise the network name is the profile. */
  policyType?: string | undefined;
  podLabels?: Record<string, string> | undefined;
  serviceAccount?: string | undefined;
  /** The pod's named container ports (Calico's conversion keeps those with a name). */
  ports?: Array<{ name: string; port: number; protocol: string }> | undefined;
  /** Addresses as assigned; forced to /32 (/128). */
  ips: string[];
  hostVeth: string;
  containerMac?: string | undefined;
}

export { hostCIDR as hostCidr } from '../net/ip.ts';

export function buildWorkloadEndpoint(w: WepInput): Resource<WorkloadEndpointSpec> {
  const { id } = w;
  const labels: Record<string, string> = { ...(w.podLabels ?? {}) };
  let profiles: string[];
  if (id.orchestrator === 'k8s') {
    labels[LABEL_NAMESPACE] = id.namespace;
    labels[LABEL_ORCHESTRATOR] = 'k8s';
    // Calico only sets the service-account label when it is a valid label value (<63 chars).
    if (w.serviceAccount && w.serviceAccount.length < 63) labels[LABEL_SERVICEACCOUNT] = w.serviceAccount;
    profiles = w.policyType === 'k8s'
      ? [`kns.${id.namespace}`, ...(w.serviceAccount ? [`ksa.${id.namespace}.${w.serviceAccount}`] : [])]
      : [w.networkName];
  } else {
    labels[LABEL_NAMESPACE] = id.namespace;
    labels[LABEL_ORCHESTRATOR] = 'cni';
    profiles = [w.networkName];
  }
  const spec: WorkloadEndpointSpec = {
    orchestrator: id.orchestrator,
    node: id.node,
    containerID: id.containerId,
    endpoint: id.endpoint,
    ipNetworks: w.ips.map(hostCIDR),
    profiles,
    interfaceName: w.hostVeth,
  };
  if (id.orchestrator === 'k8s') { spec.pod = id.workload; if (w.serviceAccount) spec.serviceAccountName = w.serviceAccount; }
  else spec.workload = id.containerId;
  if (w.containerMac) spec.mac = w.containerMac;
  if (w.ports?.length) spec.ports = w.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
  return {
    apiVersion: API_VERSION,
    kind: WEP_KIND,
    metadata: { name: workloadEndpointName(id), namespace: id.namespace, labels },
    spec,
  };
}

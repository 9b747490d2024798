// The network's Profile. Calico's plugin (cni-plugin/pkg/plugin/plugin.go, "Handle profile creation")
// creates it when the netconf has no `policy.type`, because its WorkloadEndpoints then carry the network's
// name as their profile and without that Profile the default deny drops every packet. It is created once
// and never updated. One deliberate difference: a workload without Kubernetes args (podman, a bare
// runtime) also gets the network's name as its profile under `policy.type: k8s`, where Calico creates no
// profile and the container can reach nothing; we create it in that case too (docs/cni.md).
import { API_VERSION, type Resource } from '../api/resource.ts';
import { isDatastoreError, type Datastore } from '../datastore/types.ts';

export const PROFILE_KIND = 'Profile';

/**
 * The Profile Calico's plugin creates for network `name`: egress allowed; ingress allowed from anywhere
 * for Kubernetes workloads, otherwise only from endpoints of the same network (the profile applies the
 * label `<name>: ""` to its endpoints, and ingress is allowed from `has(<name>)`).
 */
export function networkProfile(name: string, orchestrator: string): Resource {
  const ingress = orchestrator === 'k8s'
    ? [{ action: 'Allow' }]
    : [{ action: 'Allow', source: { selector: `has(${name})` } }];
  return {
    apiVersion: API_VERSION,
    kind: PROFILE_KIND,
    metadata: { name },
    spec: { ingress, egress: [{ action: 'Allow' }], labelsToApply: { [name]: '' } },
  };
}

/** Creates the network's Profile unless it exists; returns true when this call created it. */
export async function ensureNetworkProfile(ds: Datastore, name: string, orchestrator: string): Promise<boolean> {
  if (await ds.get(PROFILE_KIND, name)) return false;
  try {
    await ds.create(networkProfile(name, orchestrator));
    return true;
  } catch (e) {
    // Another ADD on this network created it first: that one is as good as ours.
    if (isDatastoreError(e, 'AlreadyExists')) return false;
    throw e;
  }
}

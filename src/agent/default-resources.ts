// The cluster-wide objects calico-node creates at start-up when they are missing, so that `get tier default`
// or the edit-and-apply habit on `felixconfiguration default` work on a fresh cluster as they do in Calico
// (node/pkg/lifecycle/startup ensureDefaultConfig, libcalico-go clientv3 EnsureInitialized). Each is created
// only if absent: an object a user edited is never touched (a restarted agent changes nothing).
//
// What we create, and where we differ from Calico on purpose:
// - Tier `default`: order 1,000,000 (v3.DefaultTierOrder), defaultAction Deny. Calico ≥ 3.30 also creates the
//   `kube-admin` / `kube-baseline` tiers; they hold Kubernetes (Baseline)AdminNetworkPolicy, which Tabby does
//   not read, so we do not suggest otherwise by creating them.
// - FelixConfiguration `default`: empty. Calico writes reportingInterval 0s and logSeverityScreen Info into it;
//   Tabby's agent takes its log level from --log-level/TABBY_LOG_LEVEL and reports no status, so writing those
//   fields would store settings nothing reads. Calico's per-node `node.<name>` object
//   (defaultEndpointToHostAction Return) is not created either: the policy dataplane reads that field now,
//   and in Calico's manifests the environment's ACCEPT overrides it, so Accept is what users see.
// - BGPConfiguration `default`: empty (as calico-node creates it); the BGP code fills Calico's defaults.
// - IPAMConfiguration `default`: strictAffinity false, autoAllocateBlocks true, maxBlocksPerHost 0 (all read by
//   src/ipam); Calico's kubeVirtVMAddressPersistence is left out (no KubeVirt here).
import { API_VERSION, type Resource } from '../api/resource.ts';
import { isDatastoreError, type Datastore } from '../datastore/types.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_TIER_ORDER } from '../policy/model.ts';

export function defaultResources(): Resource[] {
  const r = (kind: string, spec: Record<string, unknown>): Resource => ({ apiVersion: API_VERSION, kind, metadata: { name: 'default' }, spec });
  return [
    r('Tier', { order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' }),
    r('FelixConfiguration', {}),
    r('BGPConfiguration', {}),
    r('IPAMConfiguration', { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 }),
  ];
}

/** Creates each default object that does not exist; returns the kinds created. */
export async function ensureDefaultResources(ds: Datastore, log: Logger): Promise<string[]> {
  const created: string[] = [];
  for (const res of defaultResources()) {
    if (await ds.get(res.kind, res.metadata.name)) continue;
    try {
      await ds.create(res);
      created.push(res.kind);
    } catch (e) {
      if (!isDatastoreError(e, 'AlreadyExists')) throw e; // another node got there first
    }
  }
  if (created.length) log.info({ created }, 'created default cluster objects');
  return created;
}

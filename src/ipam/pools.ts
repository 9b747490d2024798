// Which IP pools a node may allocate from.
import type { Datastore } from '../datastore/types.ts';
import { IpamError } from './errors.ts';
import { log } from './log.ts';
import { isIPv6Pool, KIND_NODE, KIND_POOL, poolAllows, poolFromResource, type PoolView } from './model.ts';
import type { IntendedUse } from './types.ts';

/** The IPv4 pools, by name; a pool that cannot be interpreted is logged and skipped. */
export async function listPools(ds: Datastore): Promise<PoolView[]> {
  const { items } = await ds.list(KIND_POOL);
  const pools: PoolView[] = [];
  for (const r of items) {
    if (isIPv6Pool(r)) continue;
    try {
      pools.push(poolFromResource(r));
    } catch (e) {
      log.warn({ pool: r.metadata.name, err: (e as Error).message }, 'ignoring unusable IP pool');
    }
  }
  // Byte order, as etcd lists them to Calico (and without loading the ICU collation data into a node process).
  return pools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function nodeLabels(ds: Datastore, node: string): Promise<Record<string, string>> {
  const n = await ds.get(KIND_NODE, node);
  return n?.metadata.labels ?? {};
}

/**
 * The pools a node may allocate from for this use: enabled, allowing the use, and selecting the node
 * (`nodeSelector`) and the workload's namespace (`namespaceSelector`, against `namespaceLabels`; no labels
 * when undefined, as Calico evaluates it with no Namespace). Pools the request names (by name or CIDR, the
 * `ipv4_pools` netconf / `cni.projectcalico.org/ipv4pools` annotation) are used as Calico uses them: the
 * selectors are ignored, but each must exist, be enabled and allow the use, or the error names the reason.
 * A pool with assignmentMode Manual is used only when named.
 */
export async function candidatePools(
  ds: Datastore, node: string, use: IntendedUse, requested?: string[], namespaceLabels?: Record<string, string>,
): Promise<PoolView[]> {
  const [pools, labels] = await Promise.all([listPools(ds), nodeLabels(ds, node)]);
  if (requested && requested.length) {
    return requested.map((want) => {
      const p = pools.find((x) => x.name === want || x.cidr === want);
      if (!p) throw new IpamError('NoPools', `the requested IP pool ${want} does not exist`);
      if (p.disabled) throw new IpamError('NoPools', `the requested IP pool ${p.name} (${p.cidr}) is disabled`);
      if (!poolAllows(p, use)) throw new IpamError('NoPools', `the requested IP pool ${p.name} does not allow use ${use} (allowedUses: ${p.allowedUses.join(', ')})`);
      return p;
    });
  }
  const nsLabels = namespaceLabels ?? {};
  return pools.filter((p) => !p.disabled && p.assignmentMode === 'Automatic' && poolAllows(p, use) &&
    p.nodeSelector.evaluate(labels) && p.namespaceSelector.evaluate(nsLabels));
}

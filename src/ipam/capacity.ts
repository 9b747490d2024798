// Whether a node could get an address for a new pod right now: what the CNI plugin's STATUS reports (CNI
// spec 1.1.0: a plugin whose resources are exhausted answers STATUS with an error). The same choices as
// autoAssign makes, without writing: a free address in one of the node's affine blocks, else a new block it
// may claim, else (without strictAffinity) a free address to borrow from another node's block.
import type { Datastore } from '../datastore/types.ts';
import { cidr4ContainsIP, parseCidr4 } from '../net/ipv4.ts';
import {
  affinityNode, configFromResource, CONFIG_NAME, effectiveMaxBlocks, freeCount, KIND_BLOCK, KIND_CONFIG,
  type AddressFilter, type IPAMBlockSpec, type IPAMConfigurationSpec, type PoolView,
} from './model.ts';
import { candidatePools } from './pools.ts';
import { loadReservations } from './reservations.ts';

export type Capacity = { ok: true; how: 'affine block' | 'new block' | 'borrow' } | { ok: false; reason: string };

/** Pure: `pools` are those the node may use for workloads (candidatePools). */
export function allocationCapacity(
  node: string, pools: PoolView[], blocks: IPAMBlockSpec[], config: IPAMConfigurationSpec, reserved?: AddressFilter,
): Capacity {
  if (!pools.length) return { ok: false, reason: `no enabled IP pool selects node ${node} for workloads` };
  const live = blocks.filter((b) => !b.deleted);
  const inPool = (p: PoolView) => live.filter((b) => cidr4ContainsIP(p.net, parseCidr4(b.cidr).base));
  const free = (b: IPAMBlockSpec) => freeCount(b, reserved) > 0;
  const mine = (b: IPAMBlockSpec) => affinityNode(b.affinity) === node;
  if (pools.some((p) => inPool(p).some((b) => mine(b) && free(b)))) return { ok: true, how: 'affine block' };
  const myBlocks = live.filter(mine).length;
  if (config.autoAllocateBlocks && myBlocks < effectiveMaxBlocks(config)) {
    // A pool with room for another block (a fully reserved block CIDR is not worth claiming: ignored here).
    if (pools.some((p) => inPool(p).length < 2 ** (p.blockSize - p.net.prefix))) return { ok: true, how: 'new block' };
  }
  if (!config.strictAffinity && pools.some((p) => inPool(p).some(free))) return { ok: true, how: 'borrow' };
  const limit = myBlocks >= effectiveMaxBlocks(config) ? `; the node holds ${myBlocks} blocks, the most maxBlocksPerHost allows` : '';
  return { ok: false, reason: `no IP addresses available to node ${node} in IP pools ${pools.map((p) => p.cidr).join(', ')}${limit}` };
}

/** allocationCapacity() for `node` from the datastore. */
export async function nodeCapacity(ds: Datastore, node: string): Promise<Capacity> {
  const [pools, blocks, cfg, reserved] = await Promise.all([
    candidatePools(ds, node, 'Workload'), ds.list(KIND_BLOCK), ds.get(KIND_CONFIG, CONFIG_NAME), loadReservations(ds),
  ]);
  return allocationCapacity(node, pools, blocks.items.map((b) => b.spec as IPAMBlockSpec), configFromResource(cfg), reserved);
}

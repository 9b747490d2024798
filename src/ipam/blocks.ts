// Blocks and their affinity to nodes: which blocks a node owns, finding and claiming a block (a pending →
// confirmed BlockAffinity around creating the IPAMBlock, AlreadyExists deciding races), reclaiming an empty
// block from another node, and releasing a node's empty blocks.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { isDatastoreError } from '../datastore/types.ts';
import { cidr4ContainsIP, compareIPv4, formatCidr4, parseCidr4, type Cidr4 } from '../net/ipv4.ts';
import { ignoreConflict, ipamStats, isConflict, MAX_CAS_RETRIES, tooManyRetries } from './cas.ts';
import { log } from './log.ts';
import {
  affinityName, affinityNode, blockName, blockOrder, EMPTY_BLOCK_MIN_RECLAIM_AGE_MS, freeCount, inUseCount, KIND_AFFINITY,
  KIND_BLOCK, makeResource, newBlockSpec, type AddressFilter, type BlockAffinitySpec, type IPAMBlockSpec, type PoolView,
} from './model.ts';

/** CIDRs of blocks with a confirmed affinity to the node, inside the given pools, in address order. */
export async function affineBlocks(ds: Datastore, node: string, pools: PoolView[], listed?: Resource[]): Promise<string[]> {
  const items = listed ?? (await ds.list(KIND_AFFINITY, { namePrefix: `${node}-` })).items;
  const out: string[] = [];
  for (const r of items) {
    const s = r.spec as BlockAffinitySpec;
    if (s.node !== node || s.state !== 'confirmed' || s.deleted === 'true') continue;
    let c: Cidr4;
    try {
      c = parseCidr4(s.cidr);
    } catch {
      continue;
    }
    if (pools.some((p) => cidr4ContainsIP(p.net, c.base))) out.push(s.cidr);
  }
  return out.sort(compareIPv4);
}

/**
 * A block CIDR this node can use: one of its own blocks with free space whose affinity isn't confirmed (left
 * half-claimed), else (if under the block cap) the first CIDR without a block in the node's order, else an
 * empty block of another node claimed over a minute ago, which is reclaimed.
 */
export async function findUsableBlock(
  ds: Datastore, node: string, pools: PoolView[], affine: Set<string>, atCap: boolean, now: () => Date, reserved?: AddressFilter,
): Promise<Cidr4 | undefined> {
  const { items } = await ds.list(KIND_BLOCK);
  const blocks = new Map<string, Resource<IPAMBlockSpec>>();
  for (const b of items) blocks.set((b.spec as IPAMBlockSpec).cidr, b as Resource<IPAMBlockSpec>);
  const reclaimable: Array<Resource<IPAMBlockSpec>> = [];
  const nowMs = now().getTime();
  for (const pool of pools) {
    for (const c of blockOrder(pool, node)) {
      // A block an IPReservation covers entirely could hand out nothing: never claim it (Calico skips it too).
      if (reserved?.matchesWholeCidr(c)) continue;
      const b = blocks.get(formatCidr4(c));
      if (!b) {
        if (!atCap) return c;
        continue;
      }
      const s = b.spec!;
      if (s.deleted) continue;
      const owner = affinityNode(s.affinity);
      if (owner === node && !affine.has(s.cidr) && freeCount(s, reserved) > 0) return c;
      if (owner !== undefined && owner !== node && inUseCount(s) === 0) {
        const claimed = s.affinityClaimTime ? Date.parse(s.affinityClaimTime) : 0;
        if (nowMs - claimed >= EMPTY_BLOCK_MIN_RECLAIM_AGE_MS) reclaimable.push(b);
      }
    }
  }
  if (atCap) return undefined;
  for (const b of reclaimable) {
    if (await reclaimEmptyBlock(ds, b)) return parseCidr4(b.spec!.cidr);
  }
  return undefined;
}

/** Take an empty block away from its node: CAS-delete the block (fails if it changed), then its affinity. */
async function reclaimEmptyBlock(ds: Datastore, b: Resource<IPAMBlockSpec>): Promise<boolean> {
  const owner = affinityNode(b.spec!.affinity)!;
  const affName = affinityName(owner, b.spec!.cidr);
  const aff = await ds.get(KIND_AFFINITY, affName);
  try {
    await ds.delete(KIND_BLOCK, b.metadata.name, undefined, b.metadata.resourceVersion);
  } catch (e) {
    if (isConflict(e)) return false;
    throw e;
  }
  if (aff) await ds.delete(KIND_AFFINITY, affName, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
  ipamStats.blocksReclaimed++;
  log.info({ block: b.spec!.cidr, from: owner }, 'reclaimed empty block from another node');
  return true;
}

/**
 * Claim a block for the node: BlockAffinity pending → create the IPAMBlock → affinity confirmed.
 * Returns false when the block turned out to belong to another node.
 */
export async function claimAffineBlock(ds: Datastore, node: string, cidr: Cidr4, now: () => Date): Promise<boolean> {
  const cidrText = formatCidr4(cidr);
  const affName = affinityName(node, cidrText);
  const affSpec: BlockAffinitySpec = { state: 'pending', node, cidr: cidrText, type: 'host', deleted: 'false' };
  try {
    await ds.create(makeResource(KIND_AFFINITY, affName, affSpec));
  } catch (e) {
    if (!isDatastoreError(e, 'AlreadyExists')) throw e; // ours already (pending or confirmed)
  }
  try {
    await ds.create(makeResource(KIND_BLOCK, blockName(cidrText), newBlockSpec(cidr, node, now())));
  } catch (e) {
    if (!isDatastoreError(e, 'AlreadyExists')) throw e;
    const existing = await ds.get(KIND_BLOCK, blockName(cidrText));
    const ownerNow = affinityNode((existing?.spec as IPAMBlockSpec | undefined)?.affinity);
    if (ownerNow !== node) {
      // Lost the race: remove our pending affinity so it doesn't linger.
      const aff = await ds.get(KIND_AFFINITY, affName);
      if (aff && (aff.spec as BlockAffinitySpec).state === 'pending') {
        await ds.delete(KIND_AFFINITY, affName, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
      }
      return false;
    }
  }
  for (let i = 0; i < MAX_CAS_RETRIES; i++) {
    const aff = await ds.get(KIND_AFFINITY, affName);
    try {
      if (!aff) await ds.create(makeResource(KIND_AFFINITY, affName, { ...affSpec, state: 'confirmed' }));
      else if ((aff.spec as BlockAffinitySpec).state === 'confirmed') return true;
      else await ds.update({ ...aff, spec: { ...(aff.spec as BlockAffinitySpec), state: 'confirmed' } });
      ipamStats.blocksClaimed++;
      log.debug({ node, block: cidrText }, 'claimed block');
      return true;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
  throw tooManyRetries(`BlockAffinity ${affName}`);
}

/**
 * Release blocks affine to `node` that hold no addresses (as kube-controllers does for deleted nodes; with
 * `keepOne`, a node keeps one empty block as Calico does for live nodes). Returns the released CIDRs.
 */
export async function releaseEmptyAffineBlocks(ds: Datastore, node: string, keepOne = false): Promise<string[]> {
  const { items } = await ds.list(KIND_AFFINITY, { namePrefix: `${node}-` });
  const mine = items.filter((a) => (a.spec as BlockAffinitySpec).node === node);
  const released: string[] = [];
  let kept = false;
  for (const aff of mine) {
    const cidr = (aff.spec as BlockAffinitySpec).cidr;
    const b = await ds.get(KIND_BLOCK, blockName(cidr));
    const spec = b?.spec as IPAMBlockSpec | undefined;
    if (spec && inUseCount(spec) > 0) {
      kept = true;
      continue;
    }
    if (keepOne && !kept && spec) {
      kept = true;
      continue;
    }
    if (b) {
      try {
        await ds.delete(KIND_BLOCK, b.metadata.name, undefined, b.metadata.resourceVersion);
      } catch (e) {
        if (isConflict(e)) continue; // changed meanwhile: leave it
        throw e;
      }
    }
    await ds.delete(KIND_AFFINITY, aff.metadata.name, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
    released.push(cidr);
  }
  return released;
}

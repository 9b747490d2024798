// Releasing empty affine blocks after a cool-down, as Calico's kube-controllers IPAM controller does
// (kube-controllers/pkg/controllers/node/ipam.go releaseUnusedBlocks + ipam_allocation.go blockReleaseTracker):
//  - a block is a candidate when it is affine to a node, holds no allocation, and that node has at least one
//    other affine block (a node always keeps one, so its next pod does not have to claim a block);
//  - the first sync that sees a candidate empty records the time; a later sync releases it once it has been
//    empty for longer than the grace period (KubeControllersConfiguration leakGracePeriod, default 15m; 0
//    disables block release). Any sync that sees the block in use forgets that time;
//  - release is the affinity release with "must be empty": the block is deleted by compare-and-swap on the
//    version that was seen empty (an allocation since then makes the delete fail and the block stays), then
//    its BlockAffinity.
// Calico runs this once per cluster; Tabby has no kube-controllers, so each node agent runs it for its own
// node's blocks (`node` option), which releases the same blocks at the same moments.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { ignoreConflict, isConflict } from './cas.ts';
import { log } from './log.ts';
import { affinityName, affinityNode, inUseCount, KIND_AFFINITY, KIND_BLOCK, type IPAMBlockSpec } from './model.ts';

/** kube-controllers' default leakGracePeriod (runconfig.go). */
export const DEFAULT_LEAK_GRACE_PERIOD_MS = 15 * 60_000;

/** How often the controller syncs: half the grace period, or 5 minutes without one (ipam.go). */
export function blockGcIntervalMs(gracePeriodMs: number): number {
  return gracePeriodMs > 0 ? gracePeriodMs / 2 : 5 * 60_000;
}

export interface EmptyBlockReleaserOptions {
  /** Empty for longer than this before release; 0 (or less) disables release, as in Calico. */
  gracePeriodMs?: number;
  /** Milliseconds since the epoch (the agent passes its clock's; tests a manual one). */
  now?: () => number;
  /** Only this node's blocks (a node agent); all nodes' blocks when undefined. */
  node?: string | undefined;
}

export class EmptyBlockReleaser {
  /** Block CIDR → when a sync first saw it empty (Calico's blockReleaseTracker). */
  private readonly emptySince = new Map<string, number>();
  private readonly gracePeriodMs: number;
  private readonly now: () => number;
  private readonly node: string | undefined;

  constructor(private readonly ds: Datastore, opts: EmptyBlockReleaserOptions = {}) {
    this.gracePeriodMs = opts.gracePeriodMs ?? DEFAULT_LEAK_GRACE_PERIOD_MS;
    this.now = opts.now ?? Date.now;
    this.node = opts.node;
  }

  /** One sync: track empty blocks, release those empty for longer than the grace period. Returns their CIDRs. */
  async sync(): Promise<string[]> {
    const { items } = await this.ds.list(KIND_BLOCK);
    const blocksByNode = new Map<string, number>();
    const empty: Array<Resource<IPAMBlockSpec>> = [];
    const seen = new Set<string>();
    for (const b of items as Array<Resource<IPAMBlockSpec>>) {
      const s = b.spec!;
      const owner = affinityNode(s.affinity);
      if (owner === undefined || (this.node !== undefined && owner !== this.node)) continue;
      seen.add(s.cidr);
      blocksByNode.set(owner, (blocksByNode.get(owner) ?? 0) + 1);
      if (inUseCount(s) === 0 && !s.deleted) empty.push(b);
      else this.emptySince.delete(s.cidr); // markInUse
    }
    for (const cidr of this.emptySince.keys()) if (!seen.has(cidr)) this.emptySince.delete(cidr); // onBlockDeleted
    const released: string[] = [];
    for (const b of empty) {
      const s = b.spec!;
      const owner = affinityNode(s.affinity)!;
      if ((blocksByNode.get(owner) ?? 0) <= 1) continue; // the node's last block stays
      if (!this.markEmpty(s.cidr)) continue;
      if (!(await this.release(b, owner))) continue;
      blocksByNode.set(owner, blocksByNode.get(owner)! - 1); // never release all of a node's blocks in one sync
      this.emptySince.delete(s.cidr);
      released.push(s.cidr);
    }
    return released;
  }

  /** True when the block has been empty for longer than the grace period (the first sighting starts the clock). */
  private markEmpty(cidr: string): boolean {
    if (this.gracePeriodMs <= 0) return false; // no grace period: block GC disabled
    const first = this.emptySince.get(cidr);
    if (first === undefined) {
      this.emptySince.set(cidr, this.now());
      return false;
    }
    return this.now() - first > this.gracePeriodMs;
  }

  private async release(b: Resource<IPAMBlockSpec>, owner: string): Promise<boolean> {
    try {
      await this.ds.delete(KIND_BLOCK, b.metadata.name, undefined, b.metadata.resourceVersion);
    } catch (e) {
      if (isConflict(e)) return false; // allocated from (or changed) since this sync read it: keep it
      throw e;
    }
    const affName = affinityName(owner, b.spec!.cidr);
    const aff = await this.ds.get(KIND_AFFINITY, affName);
    if (aff) await this.ds.delete(KIND_AFFINITY, affName, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
    log.info({ block: b.spec!.cidr, node: owner, emptyForMs: this.gracePeriodMs }, 'released affinity of empty block after the grace period');
    return true;
  }
}

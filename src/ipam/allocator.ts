// Calico's block-affinity allocator (libcalico-go ipam.go + ipam_block_reader_writer.go) over any Datastore.
// Every write is a compare-and-swap on resourceVersion, retried on conflict, so allocators for many nodes in
// many processes can share one datastore and never hand out an address twice:
//  - an address is handed out only by a successful CAS update of its block;
//  - a block is claimed by creating it (AlreadyExists decides races), with a pending→confirmed BlockAffinity;
//  - handles are incremented before the block write and decremented if that write loses (as Calico does), so a
//    crash leaves at worst a handle count too high, never an allocation without a handle.
// This module is the allocation itself and the allocator's face; its parts live beside it: pools.ts (which
// pools a node may use), blocks.ts (block affinity: claim, reclaim, release empty), handles.ts (handle
// counts), release.ts, tunnel.ts (node tunnel addresses) and cas.ts (the retry rules all of them follow).
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { DatastoreError } from '../datastore/types.ts';
import { blockFor, cidr4ContainsIP, formatCidr4, parseCidr4, parseIPv4, type Cidr4 } from '../net/ipv4.ts';
import {
  affinityNode, assignOrdinal, assignOrdinals, blockName, configFromResource, CONFIG_NAME, effectiveMaxBlocks, freeCount,
  KIND_AFFINITY, KIND_BLOCK, KIND_CONFIG, makeResource, ordinalToIP, poolAllows, type IPAMBlockSpec, type IPAMConfigurationSpec, type PoolView,
} from './model.ts';
import type { AllocationAttrs, AutoAssignRequest, AutoAssignResult, IntendedUse, IpamAdmin } from './types.ts';
import { IpamError } from './errors.ts';
import { ipamStats, isConflict, MAX_CAS_RETRIES, tooManyRetries } from './cas.ts';
import { log } from './log.ts';
import { candidatePools, listPools } from './pools.ts';
import { affineBlocks, claimAffineBlock, findUsableBlock, releaseEmptyAffineBlocks } from './blocks.ts';
import { changeHandle } from './handles.ts';
import { ipsByHandle, releaseByHandle, releaseIPs } from './release.ts';
import { loadReservations, type ReservedRanges } from './reservations.ts';
import { ensureTunnelAddress, releaseTunnelAddress, type TunnelType } from './tunnel.ts';

export { IpamError, type IpamErrorCode } from './errors.ts';
export { ipamStats } from './cas.ts';
export { TUNNEL_ATTR_TYPE, tunnelHandle, type TunnelType } from './tunnel.ts';

/** What one autoAssign request hands out under: its handle, the attributes, the reserved addresses to skip. */
interface Claim {
  handleId: string;
  attrs: AllocationAttrs;
  reserved: ReservedRanges;
}

export interface IpamOptions {
  /** Clock, for block claim times and reclaim age (tests move it). */
  now?: () => Date;
  /** Randomness for the borrowing order (tests may fix it). */
  random?: () => number;
}

export class BlockAffinityAllocator implements IpamAdmin {
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(readonly ds: Datastore, opts: IpamOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
  }

  // ---------------------------------------------------------------- reads

  async getConfig(): Promise<IPAMConfigurationSpec> {
    return configFromResource(await this.ds.get(KIND_CONFIG, CONFIG_NAME));
  }

  /** Change IPAMConfiguration `default` (fields not given keep their value). */
  async setConfig(patch: Partial<IPAMConfigurationSpec>): Promise<IPAMConfigurationSpec> {
    if (patch.maxBlocksPerHost !== undefined && (!Number.isInteger(patch.maxBlocksPerHost) || patch.maxBlocksPerHost < 0)) {
      throw new IpamError('InvalidRequest', `maxBlocksPerHost must be a non-negative integer, got ${patch.maxBlocksPerHost}`);
    }
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const cur = await this.ds.get(KIND_CONFIG, CONFIG_NAME);
      const spec: IPAMConfigurationSpec = { ...configFromResource(cur), ...stripUndefined(patch) };
      try {
        if (cur) await this.ds.update({ ...cur, spec: { ...(cur.spec ?? {}), ...spec } });
        else await this.ds.create(makeResource(KIND_CONFIG, CONFIG_NAME, spec));
        return spec;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries('IPAMConfiguration default');
  }

  listPools(): Promise<PoolView[]> {
    return listPools(this.ds);
  }

  /**
   * The pools a node may allocate from for this use: enabled, allowing the use, selecting the node, and (when
   * `requested` is given) named by it. A requested pool that can't be used is an error naming the reason.
   */
  candidatePools(node: string, use: IntendedUse, requested?: string[]): Promise<PoolView[]> {
    return candidatePools(this.ds, node, use, requested);
  }

  /** CIDRs of blocks with a confirmed affinity to the node, inside the given pools, in address order. */
  affineBlocks(node: string, pools: PoolView[], listed?: Resource[]): Promise<string[]> {
    return affineBlocks(this.ds, node, pools, listed);
  }

  // ---------------------------------------------------------------- allocation

  async autoAssign(req: AutoAssignRequest): Promise<AutoAssignResult> {
    if (!req.handleId) throw new IpamError('InvalidRequest', 'autoAssign needs a handle ID');
    if (!req.node) throw new IpamError('InvalidRequest', 'autoAssign needs a node name');
    if (!Number.isInteger(req.num4) || req.num4 < 0) throw new IpamError('InvalidRequest', `num4 must be a non-negative integer, got ${req.num4}`);
    if (req.num4 === 0) return { ips: [] };
    const use = req.intendedUse ?? 'Workload';
    const node = req.node;
    const attrs: AllocationAttrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(req.attrs ?? {}) };
    // Independent reads in parallel: each is a datastore round trip.
    const [cfg, pools, affinities, reserved] = await Promise.all([
      this.getConfig(), candidatePools(this.ds, node, use, req.pools, req.namespaceLabels), this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` }),
      loadReservations(this.ds),
    ]);
    if (!pools.length) {
      const ns = req.namespaceLabels ? ', a namespaceSelector matching the namespace' : '';
      throw new IpamError('NoPools', `no IP pools are usable by node ${node} for ${use} addresses: a pool must be enabled, allow ${use} and have a nodeSelector matching the node${ns}`);
    }
    const got: string[] = [];
    const need = () => req.num4 - got.length;
    const claim: Claim = { handleId: req.handleId, attrs, reserved };
    try {
      // 1. The node's own blocks first (skipping any an IPReservation covers entirely).
      for (const cidr of await affineBlocks(this.ds, node, pools, affinities.items)) {
        if (need() <= 0) break;
        if (reserved.matchesWholeCidr(parseCidr4(cidr))) continue;
        got.push(...(await this.assignFromBlock(cidr, need(), claim, node)));
      }
      // 2. Claim more blocks while allowed.
      if (need() > 0 && cfg.autoAllocateBlocks) await this.assignFromNewBlocks(node, pools, cfg, claim, got, need);
      // 3. Borrow from other nodes' blocks unless strict affinity forbids it.
      if (need() > 0 && !cfg.strictAffinity) await this.borrow(node, pools, claim, got, need);
    } catch (e) {
      // Keep the original error; a failed rollback leaves leaks that `tabby ipam check` reports.
      await this.rollback(got).catch((re) => log.error({ err: (re as Error).message, ips: got }, 'could not roll back a failed allocation'));
      throw e;
    }
    if (need() > 0) {
      const allocated = got.length;
      await this.rollback(got);
      const poolList = pools.map((p) => `${p.name} (${p.cidr})`).join(', ');
      const why = (cfg.strictAffinity ? ' (strictAffinity is on, so other nodes\' blocks are not borrowed)' : '') +
        (reserved.empty ? '' : ' (addresses an IPReservation covers are not counted as free)');
      throw new IpamError(
        'PoolsExhausted',
        `failed to request ${req.num4} IPv4 address${req.num4 === 1 ? '' : 'es'} for node ${node}: only ${allocated} free in pools ${poolList}${why}; nothing was allocated`,
      );
    }
    return { ips: got };
  }

  private async assignFromNewBlocks(node: string, pools: PoolView[], cfg: IPAMConfigurationSpec, claim: Claim, got: string[], need: () => number): Promise<void> {
    const max = effectiveMaxBlocks(cfg);
    for (let attempt = 0; need() > 0 && attempt < MAX_CAS_RETRIES; attempt++) {
      const owned = await affineBlocks(this.ds, node, pools);
      const found = await findUsableBlock(this.ds, node, pools, new Set(owned), owned.length >= max, this.now, claim.reserved);
      if (!found) return;
      if (!(await claimAffineBlock(this.ds, node, found, this.now))) continue; // another node won it; look again
      got.push(...(await this.assignFromBlock(formatCidr4(found), need(), claim, node)));
    }
  }

  /**
   * Claim a block for the node: BlockAffinity pending → create the IPAMBlock → affinity confirmed.
   * Returns false when the block turned out to belong to another node.
   */
  claimAffineBlock(node: string, cidr: Cidr4): Promise<boolean> {
    return claimAffineBlock(this.ds, node, cidr, this.now);
  }

  private async borrow(node: string, pools: PoolView[], claim: Claim, got: string[], need: () => number): Promise<void> {
    const { items } = await this.ds.list(KIND_BLOCK);
    const candidates = items
      .map((b) => b.spec as IPAMBlockSpec)
      .filter((s) => !s.deleted && affinityNode(s.affinity) !== node && freeCount(s, claim.reserved) > 0)
      .filter((s) => {
        const c = parseCidr4(s.cidr);
        return pools.some((p) => cidr4ContainsIP(p.net, c.base));
      });
    shuffle(candidates, this.random);
    for (const s of candidates) {
      if (need() <= 0) return;
      const borrowed = await this.assignFromBlock(s.cidr, need(), claim);
      ipamStats.addressesBorrowed += borrowed.length;
      got.push(...borrowed);
    }
  }

  /**
   * Assign up to `num` addresses from an existing block. With `requireNode`, only while the block is still
   * affine to that node (it may have been reclaimed since we listed it). Returns the addresses (block-masked CIDRs).
   */
  private async assignFromBlock(cidr: string, num: number, claim: Claim, requireNode?: string): Promise<string[]> {
    const { handleId, attrs, reserved } = claim;
    const name = blockName(cidr);
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = (await this.ds.get(KIND_BLOCK, name)) as Resource<IPAMBlockSpec> | undefined;
      if (!res || res.spec!.deleted) return [];
      if (requireNode !== undefined && affinityNode(res.spec!.affinity) !== requireNode) return [];
      const take = Math.min(num, freeCount(res.spec!, reserved));
      if (take === 0) return [];
      await changeHandle(this.ds, handleId, cidr, take, true);
      const spec = res.spec!;
      const ords = assignOrdinals(spec, take, handleId, attrs, reserved);
      try {
        await this.ds.update(res);
      } catch (e) {
        // Only a lost compare-and-swap is known not to have been written. Any other failure (a timeout) may
        // still commit, so the handle stays: the DEL that follows then finds and frees the address.
        if (!isConflict(e)) throw e;
        await changeHandle(this.ds, handleId, cidr, -take);
        continue;
      }
      const prefix = parseCidr4(cidr).prefix;
      return ords.map((o) => `${ordinalToIP(spec, o)}/${prefix}`);
    }
    throw tooManyRetries(`IPAMBlock ${cidr}`);
  }

  /** Undo allocations made by a request that could not complete. */
  private async rollback(ips: string[]): Promise<void> {
    if (!ips.length) return;
    const left = await releaseIPs(this.ds, ips.map((c) => c.split('/')[0]!));
    if (left.length) log.error({ ips: left }, 'rollback found addresses already released');
    ips.length = 0;
  }

  async assignIP(ip: string, handleId: string, node: string, attrs?: AllocationAttrs, intendedUse?: IntendedUse): Promise<void> {
    if (!handleId) throw new IpamError('InvalidRequest', 'assignIP needs a handle ID');
    let addr: number;
    try {
      addr = parseIPv4(ip.split('/')[0]!);
    } catch (e) {
      throw new IpamError('InvalidRequest', (e as Error).message);
    }
    const pools = await listPools(this.ds);
    const pool = pools.find((p) => cidr4ContainsIP(p.net, addr));
    if (!pool) throw new IpamError('NotInPool', `${ip} is not in any configured IP pool`);
    if (pool.disabled) throw new IpamError('NotInPool', `${ip} is in IP pool ${pool.name} (${pool.cidr}), which is disabled`);
    // As Calico's AssignIP: the pool's allowedUses apply when the caller says what the address is for.
    if (intendedUse && !poolAllows(pool, intendedUse)) {
      throw new IpamError('NotInPool', `IP address ${ip} is in IP pool ${pool.name}, which is not allowed for use ${intendedUse} (allowedUses: ${pool.allowedUses.join(', ')})`);
    }
    const cfg = await this.getConfig();
    const cidr = blockFor(addr, pool.blockSize);
    const cidrText = formatCidr4(cidr);
    const fullAttrs: AllocationAttrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(attrs ?? {}) };
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = (await this.ds.get(KIND_BLOCK, blockName(cidrText))) as Resource<IPAMBlockSpec> | undefined;
      if (!res) {
        if (!cfg.autoAllocateBlocks) throw new IpamError('PoolsExhausted', `block ${cidrText} for ${ip} does not exist and autoAllocateBlocks is off`);
        await claimAffineBlock(this.ds, node, cidr, this.now); // if another node wins, we assign from its block below
        continue;
      }
      const spec = res.spec!;
      const ord = addr - cidr.base;
      if (spec.allocations[ord] !== null) {
        const holder = spec.attributes[spec.allocations[ord]!]?.handle_id;
        throw new IpamError('AlreadyAllocated', `${ip} is already allocated${holder ? ` (handle ${holder})` : ''}`);
      }
      await changeHandle(this.ds, handleId, cidrText, 1);
      assignOrdinal(spec, ord, handleId, fullAttrs);
      try {
        await this.ds.update(res);
        return;
      } catch (e) {
        if (!isConflict(e)) throw e; // outcome unknown: keep the handle (see assignFromBlock)
        await changeHandle(this.ds, handleId, cidrText, -1);
      }
    }
    throw tooManyRetries(`IPAMBlock ${cidrText}`);
  }

  // ---------------------------------------------------------------- release

  releaseIPs(ips: string[]): Promise<string[]> {
    return releaseIPs(this.ds, ips);
  }

  releaseByHandle(handleId: string): Promise<number> {
    return releaseByHandle(this.ds, handleId);
  }

  ipsByHandle(handleId: string): Promise<string[]> {
    return ipsByHandle(this.ds, handleId);
  }

  // ---------------------------------------------------------------- tunnel addresses

  /**
   * The node's IPIP or VXLAN tunnel address (allocate-tunnel-addrs): reuse the one its handle holds, else
   * allocate one (IntendedUse Tunnel) from a pool with that encapsulation on; record it on the Node
   * (spec.bgp.ipv4IPIPTunnelAddr / spec.ipv4VXLANTunnelAddr) when the Node exists. Undefined when no pool
   * for the node has that encapsulation enabled.
   */
  ensureTunnelAddress(node: string, type: TunnelType): Promise<string | undefined> {
    return ensureTunnelAddress(this.ds, (req) => this.autoAssign(req), node, type);
  }

  /** Release the node's tunnel address of this type and clear it from the Node. */
  releaseTunnelAddress(node: string, type: TunnelType): Promise<number> {
    return releaseTunnelAddress(this.ds, node, type);
  }

  // ---------------------------------------------------------------- admin

  /**
   * Release blocks affine to `node` that hold no addresses (as kube-controllers does for deleted nodes; with
   * `keepOne`, a node keeps one empty block as Calico does for live nodes). Returns the released CIDRs.
   */
  releaseEmptyAffineBlocks(node: string, keepOne = false): Promise<string[]> {
    return releaseEmptyAffineBlocks(this.ds, node, keepOne);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as any)[k] = v;
  return out;
}

function shuffle<T>(arr: T[], random: () => number): void {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [arr[i], arr[j]] = [arr[j]!, arr[i]!];
  }
}

export { DatastoreError };

// Calico's block-affinity allocator (libcalico-go ipam.go + ipam_block_reader_writer.go) over any Datastore.
// Every write is a compare-and-swap on resourceVersion, retried on conflict, so allocators for many nodes in
// many processes can share one datastore and never hand out an address twice:
//  - an address is handed out only by a successful CAS update of its block;
//  - a block is claimed by creating it (AlreadyExists decides races), with a pending→confirmed BlockAffinity;
//  - handles are incremented before the block write and decremented if that write loses (as Calico does), so a
//    crash leaves at worst a handle count too high, never an allocation without a handle.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { DatastoreError, isDatastoreError } from '../datastore/types.ts';
import { createLogger } from '../log.ts';
import { blockFor, cidr4ContainsIP, compareIPv4, formatCidr4, parseCidr4, parseIPv4, type Cidr4 } from '../net/ipv4.ts';
import {
  affinityName, affinityNode, assignOrdinal, assignOrdinals, blockName, blockOrder, configFromResource, CONFIG_NAME,
  effectiveMaxBlocks, EMPTY_BLOCK_MIN_RECLAIM_AGE_MS, freeCount, hostAffinity, inUseCount, KIND_AFFINITY, KIND_BLOCK,
  KIND_CONFIG, KIND_HANDLE, KIND_NODE, KIND_POOL, makeResource, newBlockSpec, ordinalsOfHandle, ordinalToIP,
  isIPv6Pool, poolAllows, poolFromResource, releaseOrdinals, type BlockAffinitySpec, type IPAMBlockSpec, type IPAMConfigurationSpec,
  type IPAMHandleSpec, type PoolView,
} from './model.ts';
import type { AllocationAttrs, AutoAssignRequest, AutoAssignResult, IntendedUse, IpamAdmin } from './types.ts';
import { TabbyError } from '../errors.ts';

/** Calico retries a conflicting write up to 100 times. */
const MAX_CAS_RETRIES = 100;
const log = createLogger('ipam');

export type IpamErrorCode = 'PoolsExhausted' | 'NoPools' | 'InvalidRequest' | 'AlreadyAllocated' | 'NotInPool' | 'TooManyRetries';

export class IpamError extends TabbyError<IpamErrorCode> {
  constructor(override readonly code: IpamErrorCode, message: string) {
    super(code, message);
    this.name = 'IpamError';
  }
}

export interface IpamOptions {
  /** Clock, for block claim times and reclaim age (tests move it). */
  now?: () => Date;
  /** Randomness for the borrowing order (tests may fix it). */
  random?: () => number;
}

export type TunnelType = 'ipip' | 'vxlan';

export const TUNNEL_ATTR_TYPE: Record<TunnelType, string> = { ipip: 'ipipTunnelAddress', vxlan: 'vxlanTunnelAddress' };

export function tunnelHandle(type: TunnelType, node: string): string {
  return `${type}-tunnel-addr-${node}`;
}

/** Process-wide counters (for metrics and benchmarks). */
export const ipamStats = { casConflicts: 0, blocksClaimed: 0, blocksReclaimed: 0, addressesBorrowed: 0 };

/** A lost compare-and-swap (or create/delete race): the caller re-reads and retries. */
function isConflict(e: unknown): boolean {
  const lost = isDatastoreError(e, 'Conflict') || isDatastoreError(e, 'AlreadyExists') || isDatastoreError(e, 'NotFound');
  if (lost) ipamStats.casConflicts++;
  return lost;
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

  async listPools(): Promise<PoolView[]> {
    const { items } = await this.ds.list(KIND_POOL);
    const pools: PoolView[] = [];
    for (const r of items) {
      if (isIPv6Pool(r)) continue;
      try {
        pools.push(poolFromResource(r));
      } catch (e) {
        log.warn({ pool: r.metadata.name, err: (e as Error).message }, 'ignoring unusable IP pool');
      }
    }
    return pools.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async nodeLabels(node: string): Promise<Record<string, string>> {
    const n = await this.ds.get(KIND_NODE, node);
    return n?.metadata.labels ?? {};
  }

  /**
   * The pools a node may allocate from for this use: enabled, allowing the use, selecting the node, and (when
   * `requested` is given) named by it. A requested pool that can't be used is an error naming the reason.
   */
  async candidatePools(node: string, use: IntendedUse, requested?: string[]): Promise<PoolView[]> {
    const [pools, labels] = await Promise.all([this.listPools(), this.nodeLabels(node)]);
    if (requested && requested.length) {
      return requested.map((want) => {
        const p = pools.find((x) => x.name === want || x.cidr === want);
        if (!p) throw new IpamError('NoPools', `the requested IP pool ${want} does not exist`);
        if (p.disabled) throw new IpamError('NoPools', `the requested IP pool ${p.name} (${p.cidr}) is disabled`);
        if (!poolAllows(p, use)) throw new IpamError('NoPools', `the requested IP pool ${p.name} does not allow use ${use} (allowedUses: ${p.allowedUses.join(', ')})`);
        if (!p.nodeSelector.evaluate(labels)) throw new IpamError('NoPools', `the requested IP pool ${p.name} does not select node ${node} (nodeSelector: ${p.nodeSelector})`);
        return p;
      });
    }
    return pools.filter((p) => !p.disabled && poolAllows(p, use) && p.nodeSelector.evaluate(labels));
  }

  /** CIDRs of blocks with a confirmed affinity to the node, inside the given pools, in address order. */
  async affineBlocks(node: string, pools: PoolView[], listed?: Resource[]): Promise<string[]> {
    const items = listed ?? (await this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` })).items;
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
    const [cfg, pools, affinities] = await Promise.all([
      this.getConfig(), this.candidatePools(node, use, req.pools), this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` }),
    ]);
    if (!pools.length) {
      throw new IpamError('NoPools', `no IP pools are usable by node ${node} for ${use} addresses: a pool must be enabled, allow ${use} and have a nodeSelector matching the node`);
    }
    const got: string[] = [];
    const need = () => req.num4 - got.length;
    try {
      // 1. The node's own blocks first.
      for (const cidr of await this.affineBlocks(node, pools, affinities.items)) {
        if (need() <= 0) break;
        got.push(...(await this.assignFromBlock(cidr, need(), req.handleId, attrs, node)));
      }
      // 2. Claim more blocks while allowed.
      if (need() > 0 && cfg.autoAllocateBlocks) await this.assignFromNewBlocks(node, pools, cfg, req.handleId, attrs, got, need);
      // 3. Borrow from other nodes' blocks unless strict affinity forbids it.
      if (need() > 0 && !cfg.strictAffinity) await this.borrow(node, pools, req.handleId, attrs, got, need);
    } catch (e) {
      // Keep the original error; a failed rollback leaves leaks that `tabby ipam check` reports.
      await this.rollback(got).catch((re) => log.error({ err: (re as Error).message, ips: got }, 'could not roll back a failed allocation'));
      throw e;
    }
    if (need() > 0) {
      const allocated = got.length;
      await this.rollback(got);
      const poolList = pools.map((p) => `${p.name} (${p.cidr})`).join(', ');
      const why = cfg.strictAffinity ? ' (strictAffinity is on, so other nodes\' blocks are not borrowed)' : '';
      throw new IpamError(
        'PoolsExhausted',
        `failed to request ${req.num4} IPv4 address${req.num4 === 1 ? '' : 'es'} for node ${node}: only ${allocated} free in pools ${poolList}${why}; nothing was allocated`,
      );
    }
    return { ips: got };
  }

  private async assignFromNewBlocks(
    node: string, pools: PoolView[], cfg: IPAMConfigurationSpec, handleId: string, attrs: AllocationAttrs,
    got: string[], need: () => number,
  ): Promise<void> {
    const max = effectiveMaxBlocks(cfg);
    for (let attempt = 0; need() > 0 && attempt < MAX_CAS_RETRIES; attempt++) {
      const owned = await this.affineBlocks(node, pools);
      const found = await this.findUsableBlock(node, pools, new Set(owned), owned.length >= max);
      if (!found) return;
      if (!(await this.claimAffineBlock(node, found))) continue; // another node won it; look again
      got.push(...(await this.assignFromBlock(formatCidr4(found), need(), handleId, attrs, node)));
    }
  }

  /**
   * A block CIDR this node can use: one of its own blocks with free space whose affinity isn't confirmed (left
   * half-claimed), else (if under the block cap) the first CIDR without a block in the node's order, else an
   * empty block of another node claimed over a minute ago, which is reclaimed.
   */
  private async findUsableBlock(node: string, pools: PoolView[], affine: Set<string>, atCap: boolean): Promise<Cidr4 | undefined> {
    const { items } = await this.ds.list(KIND_BLOCK);
    const blocks = new Map<string, Resource<IPAMBlockSpec>>();
    for (const b of items) blocks.set((b.spec as IPAMBlockSpec).cidr, b as Resource<IPAMBlockSpec>);
    const reclaimable: Array<Resource<IPAMBlockSpec>> = [];
    const nowMs = this.now().getTime();
    for (const pool of pools) {
      for (const c of blockOrder(pool, node)) {
        const b = blocks.get(formatCidr4(c));
        if (!b) {
          if (!atCap) return c;
          continue;
        }
        const s = b.spec!;
        if (s.deleted) continue;
        const owner = affinityNode(s.affinity);
        if (owner === node && !affine.has(s.cidr) && freeCount(s) > 0) return c;
        if (owner !== undefined && owner !== node && inUseCount(s) === 0) {
          const claimed = s.affinityClaimTime ? Date.parse(s.affinityClaimTime) : 0;
          if (nowMs - claimed >= EMPTY_BLOCK_MIN_RECLAIM_AGE_MS) reclaimable.push(b);
        }
      }
    }
    if (atCap) return undefined;
    for (const b of reclaimable) {
      if (await this.reclaimEmptyBlock(b)) return parseCidr4(b.spec!.cidr);
    }
    return undefined;
  }

  /** Take an empty block away from its node: CAS-delete the block (fails if it changed), then its affinity. */
  private async reclaimEmptyBlock(b: Resource<IPAMBlockSpec>): Promise<boolean> {
    const owner = affinityNode(b.spec!.affinity)!;
    const affName = affinityName(owner, b.spec!.cidr);
    const aff = await this.ds.get(KIND_AFFINITY, affName);
    try {
      await this.ds.delete(KIND_BLOCK, b.metadata.name, undefined, b.metadata.resourceVersion);
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
    if (aff) await this.ds.delete(KIND_AFFINITY, affName, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
    ipamStats.blocksReclaimed++;
    log.info({ block: b.spec!.cidr, from: owner }, 'reclaimed empty block from another node');
    return true;
  }

  /**
   * Claim a block for the node: BlockAffinity pending → create the IPAMBlock → affinity confirmed.
   * Returns false when the block turned out to belong to another node.
   */
  async claimAffineBlock(node: string, cidr: Cidr4): Promise<boolean> {
    const cidrText = formatCidr4(cidr);
    const affName = affinityName(node, cidrText);
    const affSpec: BlockAffinitySpec = { state: 'pending', node, cidr: cidrText, type: 'host', deleted: 'false' };
    try {
      await this.ds.create(makeResource(KIND_AFFINITY, affName, affSpec));
    } catch (e) {
      if (!isDatastoreError(e, 'AlreadyExists')) throw e; // ours already (pending or confirmed)
    }
    try {
      await this.ds.create(makeResource(KIND_BLOCK, blockName(cidrText), newBlockSpec(cidr, node, this.now())));
    } catch (e) {
      if (!isDatastoreError(e, 'AlreadyExists')) throw e;
      const existing = await this.ds.get(KIND_BLOCK, blockName(cidrText));
      const ownerNow = affinityNode((existing?.spec as IPAMBlockSpec | undefined)?.affinity);
      if (ownerNow !== node) {
        // Lost the race: remove our pending affinity so it doesn't linger.
        const aff = await this.ds.get(KIND_AFFINITY, affName);
        if (aff && (aff.spec as BlockAffinitySpec).state === 'pending') {
          await this.ds.delete(KIND_AFFINITY, affName, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
        }
        return false;
      }
    }
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const aff = await this.ds.get(KIND_AFFINITY, affName);
      try {
        if (!aff) await this.ds.create(makeResource(KIND_AFFINITY, affName, { ...affSpec, state: 'confirmed' }));
        else if ((aff.spec as BlockAffinitySpec).state === 'confirmed') return true;
        else await this.ds.update({ ...aff, spec: { ...(aff.spec as BlockAffinitySpec), state: 'confirmed' } });
        ipamStats.blocksClaimed++;
        log.debug({ node, block: cidrText }, 'claimed block');
        return true;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`BlockAffinity ${affName}`);
  }

  private async borrow(node: string, pools: PoolView[], handleId: string, attrs: AllocationAttrs, got: string[], need: () => number): Promise<void> {
    const { items } = await this.ds.list(KIND_BLOCK);
    const candidates = items
      .map((b) => b.spec as IPAMBlockSpec)
      .filter((s) => !s.deleted && affinityNode(s.affinity) !== node && freeCount(s) > 0)
      .filter((s) => {
        const c = parseCidr4(s.cidr);
        return pools.some((p) => cidr4ContainsIP(p.net, c.base));
      });
    shuffle(candidates, this.random);
    for (const s of candidates) {
      if (need() <= 0) return;
      const borrowed = await this.assignFromBlock(s.cidr, need(), handleId, attrs);
      ipamStats.addressesBorrowed += borrowed.length;
      got.push(...borrowed);
    }
  }

  /**
   * Assign up to `num` addresses from an existing block. With `requireNode`, only while the block is still
   * affine to that node (it may have been reclaimed since we listed it). Returns the addresses (block-masked CIDRs).
   */
  private async assignFromBlock(cidr: string, num: number, handleId: string, attrs: AllocationAttrs, requireNode?: string): Promise<string[]> {
    const name = blockName(cidr);
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = (await this.ds.get(KIND_BLOCK, name)) as Resource<IPAMBlockSpec> | undefined;
      if (!res || res.spec!.deleted) return [];
      if (requireNode !== undefined && affinityNode(res.spec!.affinity) !== requireNode) return [];
      const take = Math.min(num, freeCount(res.spec!));
      if (take === 0) return [];
      await this.changeHandle(handleId, cidr, take, true);
      const spec = res.spec!;
      const ords = assignOrdinals(spec, take, handleId, attrs);
      try {
        await this.ds.update(res);
      } catch (e) {
        await this.changeHandle(handleId, cidr, -take);
        if (isConflict(e)) continue;
        throw e;
      }
      const prefix = parseCidr4(cidr).prefix;
      return ords.map((o) => `${ordinalToIP(spec, o)}/${prefix}`);
    }
    throw tooManyRetries(`IPAMBlock ${cidr}`);
  }

  /** Add `delta` to the handle's count for a block (creating / deleting the handle as needed). */
  private async changeHandle(handleId: string, cidr: string, delta: number, createFirst = false): Promise<void> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      // createFirst: a new pod's handle doesn't exist yet, so try creating it before reading (one round trip
      // instead of two); AlreadyExists falls through to read-modify-write.
      const h = (i === 0 && createFirst && delta > 0 ? undefined : await this.ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
      try {
        if (!h) {
          if (delta <= 0) return;
          await this.ds.create(makeResource<IPAMHandleSpec>(KIND_HANDLE, handleId, { handleID: handleId, block: { [cidr]: delta }, deleted: false }));
          return;
        }
        const block = { ...h.spec!.block };
        const n = (block[cidr] ?? 0) + delta;
        if (n > 0) block[cidr] = n;
        else delete block[cidr];
        if (Object.keys(block).length === 0) await this.ds.delete(KIND_HANDLE, handleId, undefined, h.metadata.resourceVersion);
        else await this.ds.update({ ...h, spec: { ...h.spec!, block } });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMHandle ${handleId}`);
  }

  /** Set the handle's count for a block to what the block really holds for it (after a release). */
  private async setHandleCount(handleId: string, cidr: string, count: number, prefetched?: Resource): Promise<void> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      // A prefetched copy saves a round trip; if it is stale the CAS fails and we re-read.
      const h = (i === 0 && prefetched ? prefetched : await this.ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
      if (!h) return;
      const block = { ...h.spec!.block };
      if (count > 0) block[cidr] = count;
      else delete block[cidr];
      try {
        if (Object.keys(block).length === 0) await this.ds.delete(KIND_HANDLE, handleId, undefined, h.metadata.resourceVersion);
        else await this.ds.update({ ...h, spec: { ...h.spec!, block } });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMHandle ${handleId}`);
  }

  /** Undo allocations made by a request that could not complete. */
  private async rollback(ips: string[]): Promise<void> {
    if (!ips.length) return;
    const left = await this.releaseIPs(ips.map((c) => c.split('/')[0]!));
    if (left.length) log.error({ ips: left }, 'rollback found addresses already released');
    ips.length = 0;
  }

  async assignIP(ip: string, handleId: string, node: string, attrs?: AllocationAttrs): Promise<void> {
    if (!handleId) throw new IpamError('InvalidRequest', 'assignIP needs a handle ID');
    let addr: number;
    try {
      addr = parseIPv4(ip.split('/')[0]!);
    } catch (e) {
      throw new IpamError('InvalidRequest', (e as Error).message);
    }
    const pools = await this.listPools();
    const pool = pools.find((p) => cidr4ContainsIP(p.net, addr));
    if (!pool) throw new IpamError('NotInPool', `${ip} is not in any configured IP pool`);
    if (pool.disabled) throw new IpamError('NotInPool', `${ip} is in IP pool ${pool.name} (${pool.cidr}), which is disabled`);
    const cfg = await this.getConfig();
    const cidr = blockFor(addr, pool.blockSize);
    const cidrText = formatCidr4(cidr);
    const fullAttrs: AllocationAttrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(attrs ?? {}) };
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = (await this.ds.get(KIND_BLOCK, blockName(cidrText))) as Resource<IPAMBlockSpec> | undefined;
      if (!res) {
        if (!cfg.autoAllocateBlocks) throw new IpamError('PoolsExhausted', `block ${cidrText} for ${ip} does not exist and autoAllocateBlocks is off`);
        await this.claimAffineBlock(node, cidr); // if another node wins, we assign from its block below
        continue;
      }
      const spec = res.spec!;
      const ord = addr - cidr.base;
      if (spec.allocations[ord] !== null) {
        const holder = spec.attributes[spec.allocations[ord]!]?.handle_id;
        throw new IpamError('AlreadyAllocated', `${ip} is already allocated${holder ? ` (handle ${holder})` : ''}`);
      }
      await this.changeHandle(handleId, cidrText, 1);
      assignOrdinal(spec, ord, handleId, fullAttrs);
      try {
        await this.ds.update(res);
        return;
      } catch (e) {
        await this.changeHandle(handleId, cidrText, -1);
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMBlock ${cidrText}`);
  }

  // ---------------------------------------------------------------- release

  async releaseIPs(ips: string[]): Promise<string[]> {
    const pools = await this.listPools();
    const byBlock = new Map<string, number[]>();
    const notAllocated: string[] = [];
    let allBlocks: Array<IPAMBlockSpec> | undefined;
    for (const ipText of ips) {
      const addr = parseIPv4(ipText.split('/')[0]!);
      let cidr: string | undefined;
      const pool = pools.find((p) => cidr4ContainsIP(p.net, addr));
      if (pool) cidr = formatCidr4(blockFor(addr, pool.blockSize));
      else {
        // The pool may be gone while its blocks remain: find the block that holds the address.
        allBlocks ??= (await this.ds.list(KIND_BLOCK)).items.map((r) => r.spec as IPAMBlockSpec);
        cidr = allBlocks.find((b) => cidr4ContainsIP(parseCidr4(b.cidr), addr))?.cidr;
      }
      if (!cidr) {
        notAllocated.push(ipText);
        continue;
      }
      const list = byBlock.get(cidr) ?? [];
      list.push(addr);
      byBlock.set(cidr, list);
    }
    for (const [cidr, addrs] of byBlock) {
      const base = parseCidr4(cidr).base;
      const released = await this.releaseFromBlock(cidr, (spec) => addrs.map((a) => a - base).filter((o) => spec.allocations[o] !== null));
      const releasedAddrs = new Set([...released.keys()].map((o) => base + o));
      for (const a of addrs) if (!releasedAddrs.has(a)) notAllocated.push(ips.find((t) => parseIPv4(t.split('/')[0]!) === a)!);
      const perHandle = new Map<string, number>();
      for (const h of released.values()) if (h) perHandle.set(h, (perHandle.get(h) ?? 0) + 1);
      for (const [h, n] of perHandle) await this.changeHandle(h, cidr, -n);
    }
    return notAllocated;
  }

  /** CAS-release the ordinals `pick` chooses from the current block; returns ordinal → handle released. */
  private async releaseFromBlock(cidr: string, pick: (spec: IPAMBlockSpec) => number[]): Promise<Map<number, string | undefined>> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = (await this.ds.get(KIND_BLOCK, blockName(cidr))) as Resource<IPAMBlockSpec> | undefined;
      if (!res) return new Map();
      const ords = pick(res.spec!);
      if (!ords.length) return new Map();
      const released = releaseOrdinals(res.spec!, ords);
      try {
        await this.ds.update(res);
        return released;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMBlock ${cidr}`);
  }

  async releaseByHandle(handleId: string): Promise<number> {
    const h = (await this.ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
    if (!h) return 0;
    let total = 0;
    const cidrs = Object.keys(h.spec!.block);
    for (const [i, cidr] of cidrs.entries()) {
      const released = await this.releaseFromBlock(cidr, (spec) => ordinalsOfHandle(spec, handleId));
      total += released.size;
      // Whatever the handle's count said, the block now holds no address for it.
      await this.setHandleCount(handleId, cidr, 0, i === 0 ? h : undefined);
    }
    return total;
  }

  async ipsByHandle(handleId: string): Promise<string[]> {
    const h = (await this.ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
    if (!h) return [];
    const out: string[] = [];
    for (const cidr of Object.keys(h.spec!.block)) {
      const b = (await this.ds.get(KIND_BLOCK, blockName(cidr)))?.spec as IPAMBlockSpec | undefined;
      if (!b) continue;
      const prefix = parseCidr4(cidr).prefix;
      for (const o of ordinalsOfHandle(b, handleId)) out.push(`${ordinalToIP(b, o)}/${prefix}`);
    }
    return out.sort(compareIPv4);
  }

  // ---------------------------------------------------------------- tunnel addresses

  /**
   * The node's IPIP or VXLAN tunnel address (allocate-tunnel-addrs): reuse the one its handle holds, else
   * allocate one (IntendedUse Tunnel) from a pool with that encapsulation on; record it on the Node
   * (spec.bgp.ipv4IPIPTunnelAddr / spec.ipv4VXLANTunnelAddr) when the Node exists. Undefined when no pool
   * for the node has that encapsulation enabled.
   */
  async ensureTunnelAddress(node: string, type: TunnelType): Promise<string | undefined> {
    const handleId = tunnelHandle(type, node);
    const pools = (await this.candidatePools(node, 'Tunnel')).filter((p) => (type === 'ipip' ? p.ipipMode : p.vxlanMode) !== 'Never');
    let ip: string | undefined;
    for (const held of await this.ipsByHandle(handleId)) {
      const addr = parseIPv4(held.split('/')[0]!);
      if (!ip && pools.some((p) => cidr4ContainsIP(p.net, addr))) ip = held.split('/')[0];
      else await this.releaseIPs([held]); // a second address, or one from a pool that no longer qualifies
    }
    if (!ip) {
      if (!pools.length) {
        await this.writeNodeTunnelAddr(node, type, undefined);
        return undefined;
      }
      const res = await this.autoAssign({
        handleId, node, num4: 1, pools: pools.map((p) => p.name), intendedUse: 'Tunnel',
        attrs: { node, type: TUNNEL_ATTR_TYPE[type] },
      });
      ip = res.ips[0]!.split('/')[0]!;
    }
    await this.writeNodeTunnelAddr(node, type, ip);
    return ip;
  }

  /** Release the node's tunnel address of this type and clear it from the Node. */
  async releaseTunnelAddress(node: string, type: TunnelType): Promise<number> {
    const n = await this.releaseByHandle(tunnelHandle(type, node));
    await this.writeNodeTunnelAddr(node, type, undefined);
    return n;
  }

  private async writeNodeTunnelAddr(node: string, type: TunnelType, ip: string | undefined): Promise<void> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const n = await this.ds.get(KIND_NODE, node);
      if (!n) return;
      const spec: Record<string, any> = structuredClone(n.spec ?? {});
      if (type === 'ipip') {
        spec.bgp ??= {};
        if (spec.bgp.ipv4IPIPTunnelAddr === ip) return;
        if (ip) spec.bgp.ipv4IPIPTunnelAddr = ip;
        else if (spec.bgp.ipv4IPIPTunnelAddr !== undefined) delete spec.bgp.ipv4IPIPTunnelAddr;
        else return;
      } else {
        if (spec.ipv4VXLANTunnelAddr === ip) return;
        if (ip) spec.ipv4VXLANTunnelAddr = ip;
        else if (spec.ipv4VXLANTunnelAddr !== undefined) delete spec.ipv4VXLANTunnelAddr;
        else return;
      }
      try {
        await this.ds.update({ ...n, spec });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
        if (isDatastoreError(e, 'NotFound')) return;
      }
    }
    throw tooManyRetries(`Node ${node}`);
  }

  // ---------------------------------------------------------------- admin

  /**
   * Release blocks affine to `node` that hold no addresses (as kube-controllers does for deleted nodes; with
   * `keepOne`, a node keeps one empty block as Calico does for live nodes). Returns the released CIDRs.
   */
  async releaseEmptyAffineBlocks(node: string, keepOne = false): Promise<string[]> {
    const { items } = await this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` });
    const mine = items.filter((a) => (a.spec as BlockAffinitySpec).node === node);
    const released: string[] = [];
    let kept = false;
    for (const aff of mine) {
      const cidr = (aff.spec as BlockAffinitySpec).cidr;
      const b = await this.ds.get(KIND_BLOCK, blockName(cidr));
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
          await this.ds.delete(KIND_BLOCK, b.metadata.name, undefined, b.metadata.resourceVersion);
        } catch (e) {
          if (isConflict(e)) continue; // changed meanwhile: leave it
          throw e;
        }
      }
      await this.ds.delete(KIND_AFFINITY, aff.metadata.name, undefined, aff.metadata.resourceVersion).catch(ignoreConflict);
      released.push(cidr);
    }
    return released;
  }
}

function ignoreConflict(e: unknown): void {
  if (!isConflict(e)) throw e;
}

function tooManyRetries(what: string): IpamError {
  return new IpamError('TooManyRetries', `gave up writing ${what} after ${MAX_CAS_RETRIES} conflicting updates`);
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

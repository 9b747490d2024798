import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
  createLogger
} from "./chunk-FRKRQA4V.mjs";
import {
  isDatastoreError
} from "./chunk-QSLHBRLO.mjs";
import {
  CONFIG_NAME,
  DEFAULT_IPAM_CONFIG,
  DEFAULT_MAX_BLOCKS_PER_HOST,
  EMPTY_BLOCK_MIN_RECLAIM_AGE_MS,
  KIND_AFFINITY,
  KIND_BLOCK,
  KIND_CONFIG,
  KIND_HANDLE,
  KIND_NODE,
  KIND_POOL,
  affinityName,
  affinityNode,
  assignOrdinal,
  assignOrdinals,
  blockFor,
  blockName,
  blockNet,
  blockOrder,
  cidrContains,
  cidrSize,
  compareIPv4,
  configFromResource,
  effectiveMaxBlocks,
  formatCidr4,
  formatIPv4,
  freeCount,
  handleOfOrdinal,
  hostAffinity,
  inUseCount,
  ip_exports,
  isIPv4,
  isIPv6Pool,
  makeResource,
  newBlockSpec,
  ordinalToIP,
  ordinalsOfHandle,
  parseCidr4,
  parseIPv4,
  poolAllows,
  poolFromResource,
  releaseOrdinals,
  validateBlock
} from "./chunk-SEE7PMEM.mjs";
import "./chunk-TO6PQJKH.mjs";
import "./chunk-ORRNK5GL.mjs";

// src/ipam/allocator.ts
var MAX_CAS_RETRIES = 100;
var log = createLogger("ipam");
var IpamError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
    this.name = "IpamError";
  }
  code;
};
var TUNNEL_ATTR_TYPE = { ipip: "ipipTunnelAddress", vxlan: "vxlanTunnelAddress" };
function tunnelHandle(type, node) {
  return `${type}-tunnel-addr-${node}`;
}
var ipamStats = { casConflicts: 0, blocksClaimed: 0, blocksReclaimed: 0, addressesBorrowed: 0 };
function isConflict(e) {
  const lost = isDatastoreError(e, "Conflict") || isDatastoreError(e, "AlreadyExists") || isDatastoreError(e, "NotFound");
  if (lost) ipamStats.casConflicts++;
  return lost;
}
var BlockAffinityAllocator = class {
  constructor(ds, opts = {}) {
    this.ds = ds;
    this.now = opts.now ?? (() => /* @__PURE__ */ new Date());
    this.random = opts.random ?? Math.random;
  }
  ds;
  now;
  random;
  // ---------------------------------------------------------------- reads
  async getConfig() {
    return configFromResource(await this.ds.get(KIND_CONFIG, CONFIG_NAME));
  }
  /** Change IPAMConfiguration `default` (fields not given keep their value). */
  async setConfig(patch) {
    if (patch.maxBlocksPerHost !== void 0 && (!Number.isInteger(patch.maxBlocksPerHost) || patch.maxBlocksPerHost < 0)) {
      throw new IpamError("InvalidRequest", `maxBlocksPerHost must be a non-negative integer, got ${patch.maxBlocksPerHost}`);
    }
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const cur = await this.ds.get(KIND_CONFIG, CONFIG_NAME);
      const spec = { ...configFromResource(cur), ...stripUndefined(patch) };
      try {
        if (cur) await this.ds.update({ ...cur, spec: { ...cur.spec ?? {}, ...spec } });
        else await this.ds.create(makeResource(KIND_CONFIG, CONFIG_NAME, spec));
        return spec;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries("IPAMConfiguration default");
  }
  async listPools() {
    const { items } = await this.ds.list(KIND_POOL);
    const pools = [];
    for (const r of items) {
      if (isIPv6Pool(r)) continue;
      try {
        pools.push(poolFromResource(r));
      } catch (e) {
        log.warn({ pool: r.metadata.name, err: e.message }, "ignoring unusable IP pool");
      }
    }
    return pools.sort((a, b) => a.name.localeCompare(b.name));
  }
  async nodeLabels(node) {
    const n = await this.ds.get(KIND_NODE, node);
    return n?.metadata.labels ?? {};
  }
  /**
   * The pools a node may allocate from for this use: enabled, allowing the use, selecting the node, and (when
   * `requested` is given) named by it. A requested pool that can't be used is an error naming the reason.
   */
  async candidatePools(node, use, requested) {
    const [pools, labels] = await Promise.all([this.listPools(), this.nodeLabels(node)]);
    if (requested && requested.length) {
      return requested.map((want) => {
        const p = pools.find((x) => x.name === want || x.cidr === want);
        if (!p) throw new IpamError("NoPools", `the requested IP pool ${want} does not exist`);
        if (p.disabled) throw new IpamError("NoPools", `the requested IP pool ${p.name} (${p.cidr}) is disabled`);
        if (!poolAllows(p, use)) throw new IpamError("NoPools", `the requested IP pool ${p.name} does not allow use ${use} (allowedUses: ${p.allowedUses.join(", ")})`);
        if (!p.nodeSelector.evaluate(labels)) throw new IpamError("NoPools", `the requested IP pool ${p.name} does not select node ${node} (nodeSelector: ${p.nodeSelector})`);
        return p;
      });
    }
    return pools.filter((p) => !p.disabled && poolAllows(p, use) && p.nodeSelector.evaluate(labels));
  }
  /** CIDRs of blocks with a confirmed affinity to the node, inside the given pools, in address order. */
  async affineBlocks(node, pools, listed) {
    const items = listed ?? (await this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` })).items;
    const out = [];
    for (const r of items) {
      const s = r.spec;
      if (s.node !== node || s.state !== "confirmed" || s.deleted === "true") continue;
      let c;
      try {
        c = parseCidr4(s.cidr);
      } catch {
        continue;
      }
      if (pools.some((p) => cidrContains(p.net, c.base))) out.push(s.cidr);
    }
    return out.sort(compareIPv4);
  }
  // ---------------------------------------------------------------- allocation
  async autoAssign(req) {
    if (!req.handleId) throw new IpamError("InvalidRequest", "autoAssign needs a handle ID");
    if (!req.node) throw new IpamError("InvalidRequest", "autoAssign needs a node name");
    if (!Number.isInteger(req.num4) || req.num4 < 0) throw new IpamError("InvalidRequest", `num4 must be a non-negative integer, got ${req.num4}`);
    if (req.num4 === 0) return { ips: [] };
    const use = req.intendedUse ?? "Workload";
    const node = req.node;
    const attrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(req.attrs ?? {}) };
    const [cfg, pools, affinities] = await Promise.all([
      this.getConfig(),
      this.candidatePools(node, use, req.pools),
      this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` })
    ]);
    if (!pools.length) {
      throw new IpamError("NoPools", `no IP pools are usable by node ${node} for ${use} addresses: a pool must be enabled, allow ${use} and have a nodeSelector matching the node`);
    }
    const got = [];
    const need = () => req.num4 - got.length;
    try {
      for (const cidr of await this.affineBlocks(node, pools, affinities.items)) {
        if (need() <= 0) break;
        got.push(...await this.assignFromBlock(cidr, need(), req.handleId, attrs, node));
      }
      if (need() > 0 && cfg.autoAllocateBlocks) await this.assignFromNewBlocks(node, pools, cfg, req.handleId, attrs, got, need);
      if (need() > 0 && !cfg.strictAffinity) await this.borrow(node, pools, req.handleId, attrs, got, need);
    } catch (e) {
      await this.rollback(got);
      throw e;
    }
    if (need() > 0) {
      const allocated = got.length;
      await this.rollback(got);
      const poolList = pools.map((p) => `${p.name} (${p.cidr})`).join(", ");
      const why = cfg.strictAffinity ? " (strictAffinity is on, so other nodes' blocks are not borrowed)" : "";
      throw new IpamError(
        "PoolsExhausted",
        `failed to request ${req.num4} IPv4 address${req.num4 === 1 ? "" : "es"} for node ${node}: only ${allocated} free in pools ${poolList}${why}; nothing was allocated`
      );
    }
    return { ips: got };
  }
  async assignFromNewBlocks(node, pools, cfg, handleId, attrs, got, need) {
    const max = effectiveMaxBlocks(cfg);
    for (let attempt = 0; need() > 0 && attempt < MAX_CAS_RETRIES; attempt++) {
      const owned = await this.affineBlocks(node, pools);
      const found = await this.findUsableBlock(node, pools, owned.length >= max);
      if (!found) return;
      if (!await this.claimAffineBlock(node, found)) continue;
      got.push(...await this.assignFromBlock(formatCidr4(found), need(), handleId, attrs, node));
    }
  }
  /**
   * A block CIDR this node can use: one of its own blocks with free space whose affinity isn't confirmed (left
   * half-claimed), else (if under the block cap) the first CIDR without a block in the node's order, else an
   * empty block of another node claimed over a minute ago, which is reclaimed.
   */
  async findUsableBlock(node, pools, atCap) {
    const { items } = await this.ds.list(KIND_BLOCK);
    const blocks = /* @__PURE__ */ new Map();
    for (const b of items) blocks.set(b.spec.cidr, b);
    const affine = new Set(await this.affineBlocks(node, pools));
    const reclaimable = [];
    const nowMs = this.now().getTime();
    for (const pool of pools) {
      for (const c of blockOrder(pool, node)) {
        const b = blocks.get(formatCidr4(c));
        if (!b) {
          if (!atCap) return c;
          continue;
        }
        const s = b.spec;
        if (s.deleted) continue;
        const owner = affinityNode(s.affinity);
        if (owner === node && !affine.has(s.cidr) && freeCount(s) > 0) return c;
        if (owner !== void 0 && owner !== node && inUseCount(s) === 0) {
          const claimed = s.affinityClaimTime ? Date.parse(s.affinityClaimTime) : 0;
          if (nowMs - claimed >= EMPTY_BLOCK_MIN_RECLAIM_AGE_MS) reclaimable.push(b);
        }
      }
    }
    if (atCap) return void 0;
    for (const b of reclaimable) {
      if (await this.reclaimEmptyBlock(b)) return parseCidr4(b.spec.cidr);
    }
    return void 0;
  }
  /** Take an empty block away from its node: CAS-delete the block (fails if it changed), then its affinity. */
  async reclaimEmptyBlock(b) {
    const owner = affinityNode(b.spec.affinity);
    const affName = affinityName(owner, b.spec.cidr);
    const aff = await this.ds.get(KIND_AFFINITY, affName);
    try {
      await this.ds.delete(KIND_BLOCK, b.metadata.name, void 0, b.metadata.resourceVersion);
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
    if (aff) await this.ds.delete(KIND_AFFINITY, affName, void 0, aff.metadata.resourceVersion).catch(ignoreConflict);
    ipamStats.blocksReclaimed++;
    log.info({ block: b.spec.cidr, from: owner }, "reclaimed empty block from another node");
    return true;
  }
  /**
   * Claim a block for the node: BlockAffinity pending → create the IPAMBlock → affinity confirmed.
   * Returns false when the block turned out to belong to another node.
   */
  async claimAffineBlock(node, cidr) {
    const cidrText = formatCidr4(cidr);
    const affName = affinityName(node, cidrText);
    const affSpec = { state: "pending", node, cidr: cidrText, type: "host", deleted: "false" };
    try {
      await this.ds.create(makeResource(KIND_AFFINITY, affName, affSpec));
    } catch (e) {
      if (!isDatastoreError(e, "AlreadyExists")) throw e;
    }
    try {
      await this.ds.create(makeResource(KIND_BLOCK, blockName(cidrText), newBlockSpec(cidr, node, this.now())));
    } catch (e) {
      if (!isDatastoreError(e, "AlreadyExists")) throw e;
      const existing = await this.ds.get(KIND_BLOCK, blockName(cidrText));
      const ownerNow = affinityNode(existing?.spec?.affinity);
      if (ownerNow !== node) {
        const aff = await this.ds.get(KIND_AFFINITY, affName);
        if (aff && aff.spec.state === "pending") {
          await this.ds.delete(KIND_AFFINITY, affName, void 0, aff.metadata.resourceVersion).catch(ignoreConflict);
        }
        return false;
      }
    }
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const aff = await this.ds.get(KIND_AFFINITY, affName);
      try {
        if (!aff) await this.ds.create(makeResource(KIND_AFFINITY, affName, { ...affSpec, state: "confirmed" }));
        else if (aff.spec.state === "confirmed") return true;
        else await this.ds.update({ ...aff, spec: { ...aff.spec, state: "confirmed" } });
        ipamStats.blocksClaimed++;
        log.debug({ node, block: cidrText }, "claimed block");
        return true;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`BlockAffinity ${affName}`);
  }
  async borrow(node, pools, handleId, attrs, got, need) {
    const { items } = await this.ds.list(KIND_BLOCK);
    const candidates = items.map((b) => b.spec).filter((s) => !s.deleted && affinityNode(s.affinity) !== node && freeCount(s) > 0).filter((s) => {
      const c = parseCidr4(s.cidr);
      return pools.some((p) => cidrContains(p.net, c.base));
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
  async assignFromBlock(cidr, num, handleId, attrs, requireNode) {
    const name = blockName(cidr);
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const [res, handle] = await Promise.all([
        this.ds.get(KIND_BLOCK, name),
        this.ds.get(KIND_HANDLE, handleId)
      ]);
      if (!res || res.spec.deleted) return [];
      if (requireNode !== void 0 && affinityNode(res.spec.affinity) !== requireNode) return [];
      const take = Math.min(num, freeCount(res.spec));
      if (take === 0) return [];
      await this.changeHandle(handleId, cidr, take, handle ?? null);
      const spec = res.spec;
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
  async changeHandle(handleId, cidr, delta, prefetched) {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const h = i === 0 && prefetched !== void 0 ? prefetched ?? void 0 : await this.ds.get(KIND_HANDLE, handleId);
      try {
        if (!h) {
          if (delta <= 0) return;
          await this.ds.create(makeResource(KIND_HANDLE, handleId, { handleID: handleId, block: { [cidr]: delta }, deleted: false }));
          return;
        }
        const block = { ...h.spec.block };
        const n = (block[cidr] ?? 0) + delta;
        if (n > 0) block[cidr] = n;
        else delete block[cidr];
        if (Object.keys(block).length === 0) await this.ds.delete(KIND_HANDLE, handleId, void 0, h.metadata.resourceVersion);
        else await this.ds.update({ ...h, spec: { ...h.spec, block } });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMHandle ${handleId}`);
  }
  /** Set the handle's count for a block to what the block really holds for it (after a release). */
  async setHandleCount(handleId, cidr, count) {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const h = await this.ds.get(KIND_HANDLE, handleId);
      if (!h) return;
      const block = { ...h.spec.block };
      if (count > 0) block[cidr] = count;
      else delete block[cidr];
      try {
        if (Object.keys(block).length === 0) await this.ds.delete(KIND_HANDLE, handleId, void 0, h.metadata.resourceVersion);
        else await this.ds.update({ ...h, spec: { ...h.spec, block } });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMHandle ${handleId}`);
  }
  /** Undo allocations made by a request that could not complete. */
  async rollback(ips) {
    if (!ips.length) return;
    const left = await this.releaseIPs(ips.map((c) => c.split("/")[0]));
    if (left.length) log.error({ ips: left }, "rollback found addresses already released");
    ips.length = 0;
  }
  async assignIP(ip, handleId, node, attrs) {
    if (!handleId) throw new IpamError("InvalidRequest", "assignIP needs a handle ID");
    let addr;
    try {
      addr = parseIPv4(ip.split("/")[0]);
    } catch (e) {
      throw new IpamError("InvalidRequest", e.message);
    }
    const pools = await this.listPools();
    const pool = pools.find((p) => cidrContains(p.net, addr));
    if (!pool) throw new IpamError("NotInPool", `${ip} is not in any configured IP pool`);
    const cfg = await this.getConfig();
    const cidr = blockFor(addr, pool.blockSize);
    const cidrText = formatCidr4(cidr);
    const fullAttrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(attrs ?? {}) };
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = await this.ds.get(KIND_BLOCK, blockName(cidrText));
      if (!res) {
        if (!cfg.autoAllocateBlocks) throw new IpamError("PoolsExhausted", `block ${cidrText} for ${ip} does not exist and autoAllocateBlocks is off`);
        await this.claimAffineBlock(node, cidr);
        continue;
      }
      const spec = res.spec;
      const ord = addr - cidr.base;
      if (spec.allocations[ord] !== null) {
        const holder = spec.attributes[spec.allocations[ord]]?.handle_id;
        throw new IpamError("AlreadyAllocated", `${ip} is already allocated${holder ? ` (handle ${holder})` : ""}`);
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
  async releaseIPs(ips) {
    const pools = await this.listPools();
    const byBlock = /* @__PURE__ */ new Map();
    const notAllocated = [];
    let allBlocks;
    for (const ipText of ips) {
      const addr = parseIPv4(ipText.split("/")[0]);
      let cidr;
      const pool = pools.find((p) => cidrContains(p.net, addr));
      if (pool) cidr = formatCidr4(blockFor(addr, pool.blockSize));
      else {
        allBlocks ??= (await this.ds.list(KIND_BLOCK)).items.map((r) => r.spec);
        cidr = allBlocks.find((b) => cidrContains(parseCidr4(b.cidr), addr))?.cidr;
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
      for (const a of addrs) if (!releasedAddrs.has(a)) notAllocated.push(ips.find((t) => parseIPv4(t.split("/")[0]) === a));
      const perHandle = /* @__PURE__ */ new Map();
      for (const h of released.values()) if (h) perHandle.set(h, (perHandle.get(h) ?? 0) + 1);
      for (const [h, n] of perHandle) await this.changeHandle(h, cidr, -n);
    }
    return notAllocated;
  }
  /** CAS-release the ordinals `pick` chooses from the current block; returns ordinal → handle released. */
  async releaseFromBlock(cidr, pick) {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const res = await this.ds.get(KIND_BLOCK, blockName(cidr));
      if (!res) return /* @__PURE__ */ new Map();
      const ords = pick(res.spec);
      if (!ords.length) return /* @__PURE__ */ new Map();
      const released = releaseOrdinals(res.spec, ords);
      try {
        await this.ds.update(res);
        return released;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw tooManyRetries(`IPAMBlock ${cidr}`);
  }
  async releaseByHandle(handleId) {
    const h = await this.ds.get(KIND_HANDLE, handleId);
    if (!h) return 0;
    let total = 0;
    for (const cidr of Object.keys(h.spec.block)) {
      const released = await this.releaseFromBlock(cidr, (spec) => ordinalsOfHandle(spec, handleId));
      total += released.size;
      await this.setHandleCount(handleId, cidr, 0);
    }
    return total;
  }
  async ipsByHandle(handleId) {
    const h = await this.ds.get(KIND_HANDLE, handleId);
    if (!h) return [];
    const out = [];
    for (const cidr of Object.keys(h.spec.block)) {
      const b = (await this.ds.get(KIND_BLOCK, blockName(cidr)))?.spec;
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
  async ensureTunnelAddress(node, type) {
    const handleId = tunnelHandle(type, node);
    const pools = (await this.candidatePools(node, "Tunnel")).filter((p) => (type === "ipip" ? p.ipipMode : p.vxlanMode) !== "Never");
    let ip;
    for (const held of await this.ipsByHandle(handleId)) {
      const addr = parseIPv4(held.split("/")[0]);
      if (!ip && pools.some((p) => cidrContains(p.net, addr))) ip = held.split("/")[0];
      else await this.releaseIPs([held]);
    }
    if (!ip) {
      if (!pools.length) {
        await this.writeNodeTunnelAddr(node, type, void 0);
        return void 0;
      }
      const res = await this.autoAssign({
        handleId,
        node,
        num4: 1,
        pools: pools.map((p) => p.name),
        intendedUse: "Tunnel",
        attrs: { node, type: TUNNEL_ATTR_TYPE[type] }
      });
      ip = res.ips[0].split("/")[0];
    }
    await this.writeNodeTunnelAddr(node, type, ip);
    return ip;
  }
  /** Release the node's tunnel address of this type and clear it from the Node. */
  async releaseTunnelAddress(node, type) {
    const n = await this.releaseByHandle(tunnelHandle(type, node));
    await this.writeNodeTunnelAddr(node, type, void 0);
    return n;
  }
  async writeNodeTunnelAddr(node, type, ip) {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const n = await this.ds.get(KIND_NODE, node);
      if (!n) return;
      const spec = structuredClone(n.spec ?? {});
      if (type === "ipip") {
        spec.bgp ??= {};
        if (spec.bgp.ipv4IPIPTunnelAddr === ip) return;
        if (ip) spec.bgp.ipv4IPIPTunnelAddr = ip;
        else if (spec.bgp.ipv4IPIPTunnelAddr !== void 0) delete spec.bgp.ipv4IPIPTunnelAddr;
        else return;
      } else {
        if (spec.ipv4VXLANTunnelAddr === ip) return;
        if (ip) spec.ipv4VXLANTunnelAddr = ip;
        else if (spec.ipv4VXLANTunnelAddr !== void 0) delete spec.ipv4VXLANTunnelAddr;
        else return;
      }
      try {
        await this.ds.update({ ...n, spec });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
        if (isDatastoreError(e, "NotFound")) return;
      }
    }
    throw tooManyRetries(`Node ${node}`);
  }
  // ---------------------------------------------------------------- admin
  /**
   * Release blocks affine to `node` that hold no addresses (as kube-controllers does for deleted nodes; with
   * `keepOne`, a node keeps one empty block as Calico does for live nodes). Returns the released CIDRs.
   */
  async releaseEmptyAffineBlocks(node, keepOne = false) {
    const { items } = await this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` });
    const mine = items.filter((a) => a.spec.node === node);
    const released = [];
    let kept = false;
    for (const aff of mine) {
      const cidr = aff.spec.cidr;
      const b = await this.ds.get(KIND_BLOCK, blockName(cidr));
      const spec = b?.spec;
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
          await this.ds.delete(KIND_BLOCK, b.metadata.name, void 0, b.metadata.resourceVersion);
        } catch (e) {
          if (isConflict(e)) continue;
          throw e;
        }
      }
      await this.ds.delete(KIND_AFFINITY, aff.metadata.name, void 0, aff.metadata.resourceVersion).catch(ignoreConflict);
      released.push(cidr);
    }
    return released;
  }
};
function ignoreConflict(e) {
  if (!isConflict(e)) throw e;
}
function tooManyRetries(what) {
  return new IpamError("TooManyRetries", `gave up writing ${what} after ${MAX_CAS_RETRIES} conflicting updates`);
}
function stripUndefined(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) if (v !== void 0) out[k] = v;
  return out;
}
function shuffle(arr, random) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
}

// src/ipam/report.ts
async function loadSnapshot(ds) {
  const [pools, blocks, affs, handles, cfg, nodes, weps] = await Promise.all([
    ds.list(KIND_POOL),
    ds.list(KIND_BLOCK),
    ds.list(KIND_AFFINITY),
    ds.list(KIND_HANDLE),
    ds.get(KIND_CONFIG, CONFIG_NAME),
    ds.list(KIND_NODE),
    ds.list("WorkloadEndpoint")
  ]);
  const snap = {
    pools: [],
    badPools: [],
    blocks: blocks.items.map((b) => b.spec).sort((a, b) => compareIPv4(a.cidr, b.cidr)),
    affinities: affs.items,
    handles: handles.items,
    config: configFromResource(cfg),
    nodes: nodes.items,
    workloadEndpoints: weps.items
  };
  for (const p of pools.items) {
    if (isIPv6Pool(p)) continue;
    try {
      snap.pools.push(poolFromResource(p));
    } catch (e) {
      snap.badPools.push({ name: p.metadata.name, reason: e.message });
    }
  }
  snap.pools.sort((a, b) => compareIPv4(a.cidr, b.cidr));
  return snap;
}
function usageRows(snap, showBlocks) {
  const rows = [];
  for (const p of snap.pools) {
    const blocks = snap.blocks.filter((b) => cidrContains(p.net, parseCidr4(b.cidr).base));
    const total = cidrSize(p.net);
    const inUse = blocks.reduce((n, b) => n + inUseCount(b), 0);
    rows.push({ grouping: "IP Pool", cidr: p.cidr, total, inUse, free: total - inUse });
    if (showBlocks) {
      for (const b of blocks) {
        const t = b.allocations.length;
        const u = inUseCount(b);
        rows.push({ grouping: "Block", cidr: b.cidr, total: t, inUse: u, free: t - u });
      }
    }
  }
  return rows;
}
function allAllocations(snap) {
  const out = [];
  for (const b of snap.blocks) {
    const base = parseCidr4(b.cidr).base;
    const owner = affinityNode(b.affinity);
    b.allocations.forEach((a, ord) => {
      if (a === null) return;
      const attr = b.attributes[a];
      out.push({ ip: formatIPv4(base + ord), block: b.cidr, blockOwner: owner, handle: attr?.handle_id, attrs: { ...attr?.secondary ?? {} } });
    });
  }
  return out;
}
function borrowedRows(snap) {
  return allAllocations(snap).filter((a) => a.attrs.node !== void 0 && a.attrs.node !== a.blockOwner).map((a) => ({
    ip: a.ip,
    borrowingNode: a.attrs.node,
    block: a.block,
    blockOwner: a.blockOwner ?? "",
    type: a.attrs.type ?? (a.attrs.pod ? "pod" : ""),
    allocatedTo: a.attrs.pod ? `${a.attrs.namespace ?? ""}/${a.attrs.pod}` : a.attrs.node
  }));
}
function lookupIP(snap, ip) {
  const addr = parseIPv4(ip);
  for (const b of snap.blocks) {
    const net = parseCidr4(b.cidr);
    if (!cidrContains(net, addr)) continue;
    const a = b.allocations[addr - net.base];
    if (a === null || a === void 0) return void 0;
    const attr = b.attributes[a];
    return { ip, block: b.cidr, blockOwner: affinityNode(b.affinity), handle: attr?.handle_id, attrs: { ...attr?.secondary ?? {} } };
  }
  return void 0;
}
function inUseIPs(snap) {
  const out = [];
  for (const n of snap.nodes) {
    const s = n.spec ?? {};
    const name = n.metadata.name;
    const ipip = s.bgp?.ipv4IPIPTunnelAddr;
    if (typeof ipip === "string" && ipip) out.push({ ip: ipip.split("/")[0], user: `Node(${name}) ipip tunnel`, node: name });
    const vx = s.ipv4VXLANTunnelAddr;
    if (typeof vx === "string" && vx) out.push({ ip: vx.split("/")[0], user: `Node(${name}) vxlan tunnel`, node: name });
  }
  for (const w of snap.workloadEndpoints) {
    const s = w.spec ?? {};
    for (const net of Array.isArray(s.ipNetworks) ? s.ipNetworks : []) {
      const ip = String(net).split("/")[0];
      if (!isIPv4(ip)) continue;
      out.push({ ip, user: `WorkloadEndpoint(${w.metadata.namespace ?? ""}/${w.metadata.name})`, node: s.node });
    }
  }
  return out;
}
function checkIpam(snap) {
  const allocs = allAllocations(snap);
  const used = inUseIPs(snap);
  const usedSet = new Set(used.map((u) => u.ip));
  const allocSet = new Set(allocs.map((a) => a.ip));
  const nodeNames = new Set(snap.nodes.map((n) => n.metadata.name));
  const perNode = /* @__PURE__ */ new Map();
  for (const a of allocs) {
    const n = a.attrs.node ?? a.blockOwner ?? "(unknown)";
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const topNodes = [...perNode.entries()].map(([node, allocations]) => ({ node, allocations })).sort((a, b) => b.allocations - a.allocations || a.node.localeCompare(b.node)).slice(0, 20);
  const blockByCidr = new Map(snap.blocks.map((b) => [b.cidr, b]));
  const handleNames = new Set(snap.handles.map((h) => h.spec?.handleID ?? h.metadata.name));
  const orphanedHandles = [];
  const handleCountMismatches = [];
  const allocsByHandle = /* @__PURE__ */ new Map();
  for (const a of allocs) {
    if (!a.handle) continue;
    const m = allocsByHandle.get(a.handle) ?? /* @__PURE__ */ new Map();
    m.set(a.block, (m.get(a.block) ?? 0) + 1);
    allocsByHandle.set(a.handle, m);
  }
  for (const h of snap.handles) {
    const id = h.spec?.handleID ?? h.metadata.name;
    const actual = allocsByHandle.get(id);
    if (!actual || actual.size === 0) {
      orphanedHandles.push(id);
      continue;
    }
    const cidrs = /* @__PURE__ */ new Set([...Object.keys(h.spec?.block ?? {}), ...actual.keys()]);
    for (const cidr of cidrs) {
      const hc = h.spec?.block?.[cidr] ?? 0;
      const b = blockByCidr.get(cidr);
      const bc = b ? ordinalsOfHandle(b, id).length : 0;
      if (hc !== bc) handleCountMismatches.push({ handle: id, block: cidr, handleCount: hc, blockCount: bc });
    }
  }
  const missingHandles = [...new Set(allocs.map((a) => a.handle).filter((h) => !!h && !handleNames.has(h)))].sort();
  const invalidBlocks = snap.blocks.map((b) => ({ block: b.cidr, problems: validateBlock(b) })).filter((x) => x.problems.length);
  const emptyAffineBlocks = snap.blocks.filter((b) => affinityNode(b.affinity) !== void 0 && inUseCount(b) === 0).map((b) => ({ block: b.cidr, node: affinityNode(b.affinity), nodeExists: nodeNames.has(affinityNode(b.affinity)) }));
  const danglingAffinities = snap.affinities.filter((a) => a.spec?.state === "confirmed" && a.spec.deleted !== "true" && !blockByCidr.has(a.spec.cidr)).map((a) => ({ affinity: a.metadata.name, node: a.spec.node, cidr: a.spec.cidr }));
  const allocatedNotInUse = allocs.filter((a) => !usedSet.has(a.ip));
  const inUseNotAllocated = used.filter((u) => !allocSet.has(u.ip));
  const problems = allocatedNotInUse.length + inUseNotAllocated.length + orphanedHandles.length + handleCountMismatches.length + missingHandles.length + invalidBlocks.length + emptyAffineBlocks.filter((e) => !e.nodeExists).length + danglingAffinities.length + snap.badPools.length;
  return {
    blocks: snap.blocks.length,
    allocations: allocs.length,
    pools: snap.pools.filter((p) => !p.disabled).map((p) => p.cidr),
    tunnelIPs: used.filter((u) => u.user.startsWith("Node(")).length,
    workloadIPs: used.filter((u) => u.user.startsWith("WorkloadEndpoint(")).length,
    topNodes,
    allocatedNotInUse,
    inUseNotAllocated,
    orphanedHandles: orphanedHandles.sort(),
    handleCountMismatches,
    missingHandles,
    invalidBlocks,
    emptyAffineBlocks,
    danglingAffinities,
    problems
  };
}
function formatCheckReport(r, snap, opts = {}) {
  const L = [];
  L.push("Checking IPAM for inconsistencies...", "", "Loading all IPAM blocks...", `Found ${r.blocks} IPAM blocks.`);
  for (const b of snap.blocks) L.push(` IPAM block ${b.cidr} affinity=${b.affinity ?? "<none>"}:`);
  L.push(`IPAM blocks record ${r.allocations} allocations.`, "", "Loading all IPAM pools...");
  for (const p of r.pools) L.push(`  ${p}`);
  L.push(`Found ${r.pools.length} active IP pools.`);
  for (const b of snap.badPools) L.push(`  invalid IP pool ${b.name}: ${b.reason}`);
  L.push("", "Loading all nodes.", `Found ${r.tunnelIPs} node tunnel IPs.`, "", "Loading all workload endpoints.", `Found ${r.workloadIPs} workload IPs.`);
  L.push(`Workloads and nodes are using ${r.tunnelIPs + r.workloadIPs} IPs.`, "");
  if (opts.showAllIPs) {
    for (const u of inUseIPs(snap)) L.push(`  ${u.ip} in use by ${u.user}`);
    L.push("");
  }
  L.push("Looking for top (up to 20) nodes by allocations...");
  for (const t of r.topNodes) L.push(`  ${t.node} has ${t.allocations} allocations`);
  if (r.topNodes.length) {
    const counts = r.topNodes.map((t) => t.allocations).sort((a, b) => a - b);
    L.push(`Node with most allocations has ${counts[counts.length - 1]}; median is ${counts[Math.floor(counts.length / 2)]}`);
  }
  L.push("", "Scanning for IPs that are allocated but not actually in use...");
  for (const a of r.allocatedNotInUse) {
    if (opts.showProblemIPs || r.allocatedNotInUse.length <= 50) L.push(`  ${a.ip} leaked; attrs ${JSON.stringify({ handle: a.handle, ...a.attrs })}`);
  }
  L.push(`Found ${r.allocatedNotInUse.length} IPs that are allocated in IPAM but not actually in use.`);
  L.push("Scanning for IPs that are in use by a workload or node but are not allocated in IPAM...");
  for (const u of r.inUseNotAllocated) L.push(`  ${u.ip} in use by ${u.user} but not allocated`);
  const outside = r.inUseNotAllocated.filter((u) => !snap.pools.some((p) => cidrContains(p.net, parseIPv4(u.ip)))).length;
  L.push(`Found ${outside} in-use IPs that are not in active IP pools.`);
  L.push(`Found ${r.inUseNotAllocated.length - outside} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.`, "");
  L.push("Scanning for IPAM handles with no matching IPs...");
  for (const h of r.orphanedHandles) L.push(`  handle ${h} holds no addresses`);
  for (const m of r.handleCountMismatches) L.push(`  handle ${m.handle} counts ${m.handleCount} in block ${m.block} but the block holds ${m.blockCount}`);
  L.push(`Found ${r.orphanedHandles.length} handles with no matching IPs (and ${snap.handles.length - r.orphanedHandles.length} handles with matching IPs).`);
  L.push("Scanning for IPs with missing handle...");
  for (const h of r.missingHandles) L.push(`  handle ${h} is used by allocations but has no IPAMHandle`);
  L.push(`Found ${r.missingHandles.length} handles mentioned in blocks with no matching handle resource.`);
  L.push("Scanning for invalid blocks...");
  for (const b of r.invalidBlocks) L.push(`  block ${b.block}: ${b.problems.join("; ")}`);
  L.push(`Found ${r.invalidBlocks.length} invalid blocks.`);
  L.push("Scanning for empty affine blocks...");
  for (const e of r.emptyAffineBlocks) L.push(`  block ${e.block} affine to ${e.node} is empty${e.nodeExists ? "" : " and the node does not exist"}`);
  L.push(`Found ${r.emptyAffineBlocks.length} empty affine blocks (${r.emptyAffineBlocks.filter((e) => !e.nodeExists).length} of nodes that no longer exist).`);
  L.push("Scanning for block affinities with no block...");
  for (const a of r.danglingAffinities) L.push(`  affinity ${a.affinity} (node ${a.node}, ${a.cidr}) has no block`);
  L.push(`Found ${r.danglingAffinities.length} block affinities with no block.`);
  L.push(`Check complete; found ${r.problems} problems.`);
  return L.join("\n") + "\n";
}

// src/ipam/index.ts
function createIpam(ds, opts) {
  return new BlockAffinityAllocator(ds, opts);
}
export {
  BlockAffinityAllocator,
  CONFIG_NAME,
  DEFAULT_IPAM_CONFIG,
  DEFAULT_MAX_BLOCKS_PER_HOST,
  EMPTY_BLOCK_MIN_RECLAIM_AGE_MS,
  IpamError,
  KIND_AFFINITY,
  KIND_BLOCK,
  KIND_CONFIG,
  KIND_HANDLE,
  KIND_NODE,
  KIND_POOL,
  TUNNEL_ATTR_TYPE,
  affinityName,
  affinityNode,
  allAllocations,
  assignOrdinal,
  assignOrdinals,
  blockName,
  blockNet,
  blockOrder,
  borrowedRows,
  checkIpam,
  configFromResource,
  createIpam,
  effectiveMaxBlocks,
  formatCheckReport,
  freeCount,
  handleOfOrdinal,
  hostAffinity,
  inUseCount,
  inUseIPs,
  ip_exports as ip4,
  ipamStats,
  isIPv6Pool,
  loadSnapshot,
  lookupIP,
  makeResource,
  newBlockSpec,
  ordinalToIP,
  ordinalsOfHandle,
  poolAllows,
  poolFromResource,
  releaseOrdinals,
  tunnelHandle,
  usageRows,
  validateBlock
};

// IPAM data model in Calico's v3 shape (IPAMBlock, BlockAffinity, IPAMHandle, IPAMConfiguration, IPPool view)
// and the pure operations on a block: assign ordinals, release them, count. No I/O here: the allocator reads a
// block, applies one of these to a copy, and compare-and-swaps it back.
import { createHash } from 'node:crypto';
import type { Resource } from '../api/resource.ts';
import { API_VERSION } from '../api/resource.ts';
import { parseSelector, type Selector } from '../selector/index.ts';
import { cidr4Size, encodeCidrName, formatCidr4, formatIPv4, parseCidr4, type Cidr4 } from '../net/ipv4.ts';
import type { AllocationAttrs, IntendedUse } from './types.ts';

export const KIND_BLOCK = 'IPAMBlock';
export const KIND_AFFINITY = 'BlockAffinity';
export const KIND_HANDLE = 'IPAMHandle';
export const KIND_CONFIG = 'IPAMConfiguration';
export const KIND_POOL = 'IPPool';
export const KIND_NODE = 'Node';
export const CONFIG_NAME = 'default';

/** Calico's EmptyBlockMinReclaimAge: another host's empty block may be taken over only after this long. */
export const EMPTY_BLOCK_MIN_RECLAIM_AGE_MS = 60_000;
/** maxBlocksPerHost 0 means this many (calico-behaviour.md §2.2). */
export const DEFAULT_MAX_BLOCKS_PER_HOST = 20;

export interface AllocationAttribute {
  handle_id?: string;
  secondary?: Record<string, string>;
  releasedAt?: string;
}

export interface IPAMBlockSpec {
  cidr: string;
  /** `host:<node>`; absent = unaffine. */
  affinity?: string;
  affinityClaimTime?: string;
  strictAffinity: boolean;
  /** One entry per ordinal: index into attributes, or null when free. */
  allocations: Array<number | null>;
  /** Free ordinals, FIFO: allocate from the head, release to the tail. */
  unallocated: number[];
  attributes: AllocationAttribute[];
  deleted: boolean;
  sequenceNumber: number;
  sequenceNumberForAllocation: Record<string, number>;
}

export interface BlockAffinitySpec {
  state: 'pending' | 'confirmed' | 'pendingDeletion';
  node: string;
  cidr: string;
  type: 'host' | 'virtual';
  /** A string in Calico's v3 API ("true"/"false") for compatibility with old releases. */
  deleted: string;
}

export interface IPAMHandleSpec {
  handleID: string;
  /** Block CIDR → number of addresses this handle holds there. */
  block: Record<string, number>;
  deleted: boolean;
}

export interface IPAMConfigurationSpec {
  strictAffinity: boolean;
  autoAllocateBlocks: boolean;
  maxBlocksPerHost: number;
}

export const DEFAULT_IPAM_CONFIG: IPAMConfigurationSpec = { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 };

export function effectiveMaxBlocks(cfg: IPAMConfigurationSpec): number {
  return cfg.maxBlocksPerHost > 0 ? cfg.maxBlocksPerHost : DEFAULT_MAX_BLOCKS_PER_HOST;
}

export function configFromResource(res: Resource | undefined): IPAMConfigurationSpec {
  const s = (res?.spec ?? {}) as Partial<IPAMConfigurationSpec>;
  return {
    strictAffinity: s.strictAffinity ?? DEFAULT_IPAM_CONFIG.strictAffinity,
    autoAllocateBlocks: s.autoAllocateBlocks ?? DEFAULT_IPAM_CONFIG.autoAllocateBlocks,
    maxBlocksPerHost: s.maxBlocksPerHost ?? DEFAULT_IPAM_CONFIG.maxBlocksPerHost,
  };
}

/** An IPPool with defaults applied (blockSize 26, nodeSelector and namespaceSelector all(), allowedUses [Workload, Tunnel]). */
export interface PoolView {
  name: string;
  cidr: string;
  net: Cidr4;
  blockSize: number;
  nodeSelector: Selector;
  /** Selects the workload's namespace by its labels (all() when unset). */
  namespaceSelector: Selector;
  disabled: boolean;
  /** `Manual` pools are used only when a request names them (Calico's assignmentMode). */
  assignmentMode: 'Automatic' | 'Manual';
  allowedUses: string[];
  ipipMode: string;
  vxlanMode: string;
}

export function poolFromResource(res: Resource): PoolView {
  const s = (res.spec ?? {}) as Record<string, any>;
  const name = res.metadata.name;
  if (typeof s.cidr !== 'string') throw new Error(`IPPool ${name}: spec.cidr is missing`);
  if (s.cidr.includes(':')) throw new Error(`IPPool ${name}: IPv6 pools are not supported by this IPAM yet (${s.cidr})`);
  const net = parseCidr4(s.cidr);
  const blockSize = s.blockSize ?? 26;
  if (!Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) {
    throw new Error(`IPPool ${name}: blockSize ${blockSize} is out of range 20-32`);
  }
  if (blockSize < net.prefix) throw new Error(`IPPool ${name}: blockSize /${blockSize} is larger than the pool ${s.cidr}`);
  let nodeSelector: Selector;
  try {
    nodeSelector = parseSelector(s.nodeSelector ?? '');
  } catch (e) {
    throw new Error(`IPPool ${name}: bad nodeSelector: ${(e as Error).message}`);
  }
  let namespaceSelector: Selector;
  try {
    namespaceSelector = parseSelector(s.namespaceSelector ?? '');
  } catch (e) {
    throw new Error(`IPPool ${name}: bad namespaceSelector: ${(e as Error).message}`);
  }
  return {
    name,
    cidr: formatCidr4(net),
    net,
    blockSize,
    nodeSelector,
    namespaceSelector,
    disabled: s.disabled === true,
    assignmentMode: s.assignmentMode === 'Manual' ? 'Manual' : 'Automatic',
    allowedUses: Array.isArray(s.allowedUses) && s.allowedUses.length ? s.allowedUses : ['Workload', 'Tunnel'],
    ipipMode: s.ipipMode ?? 'Never',
    vxlanMode: s.vxlanMode ?? 'Never',
  };
}

/** IPv6 pools are valid configuration but outside this (IPv4-only) allocator: skipped, not errors. */
export function isIPv6Pool(res: Resource): boolean {
  const cidr = (res.spec as { cidr?: unknown } | undefined)?.cidr;
  return typeof cidr === 'string' && cidr.includes(':');
}

export function poolAllows(pool: PoolView, use: IntendedUse): boolean {
  return pool.allowedUses.includes(use);
}

/** Resource name for a block CIDR (`10.244.1.0/26` → `10-244-1-0-26`). */
export function blockName(cidr: string): string {
  return encodeCidrName(cidr);
}

/** `<node>-<cidr-encoded>`, truncated with a hash suffix when longer than a Kubernetes name may be. */
export function affinityName(node: string, cidr: string): string {
  const name = `${node}-${encodeCidrName(cidr)}`;
  if (name.length <= 253) return name;
  const h = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${name.slice(0, 253 - 17)}-${h}`;
}

export function hostAffinity(node: string): string {
  return `host:${node}`;
}

/** The node of a `host:<node>` affinity, else undefined. */
export function affinityNode(affinity: string | undefined): string | undefined {
  return affinity?.startsWith('host:') ? affinity.slice(5) : undefined;
}

export function makeResource<S>(kind: string, name: string, spec: S): Resource<S> {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec };
}

export function newBlockSpec(cidr: Cidr4, node: string | undefined, now: Date): IPAMBlockSpec {
  const n = cidr4Size(cidr);
  return {
    cidr: formatCidr4(cidr),
    ...(node !== undefined ? { affinity: hostAffinity(node), affinityClaimTime: now.toISOString() } : {}),
    strictAffinity: false,
    allocations: new Array<number | null>(n).fill(null),
    unallocated: Array.from({ length: n }, (_, i) => i),
    attributes: [],
    deleted: false,
    sequenceNumber: 0,
    sequenceNumberForAllocation: {},
  };
}

export function blockNet(spec: IPAMBlockSpec): Cidr4 {
  return parseCidr4(spec.cidr);
}

export function ordinalToIP(spec: IPAMBlockSpec, ord: number): string {
  return formatIPv4(blockNet(spec).base + ord);
}

export function inUseCount(spec: IPAMBlockSpec): number {
  return spec.allocations.length - spec.unallocated.length;
}

/** Free addresses a new automatic assignment could take: unallocated and not reserved. */
export function freeCount(spec: IPAMBlockSpec, reserved?: AddressFilter): number {
  if (!reserved || reserved.empty) return spec.unallocated.length;
  const net = blockNet(spec);
  if (reserved.matchesWholeCidr(net)) return 0;
  return spec.unallocated.filter((o) => !reserved.matchesIP(net.base + o)).length;
}

/** What autoAssign must skip (IPReservations: src/ipam/reservations.ts ReservedRanges). */
export interface AddressFilter {
  readonly empty: boolean;
  matchesIP(addr: number): boolean;
  matchesWholeCidr(c: Cidr4): boolean;
}

function secondaryOf(attrs: AllocationAttrs | undefined): Record<string, string> | undefined {
  if (!attrs) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

function sameSecondary(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b ?? {}).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a![k] === b![k]);
}

function findOrAddAttribute(spec: IPAMBlockSpec, handleId: string, attrs: AllocationAttrs | undefined): number {
  const secondary = secondaryOf(attrs);
  const idx = spec.attributes.findIndex((a) => a.handle_id === handleId && !a.releasedAt && sameSecondary(a.secondary, secondary));
  if (idx >= 0) return idx;
  spec.attributes.push({ handle_id: handleId, ...(secondary ? { secondary } : {}) });
  return spec.attributes.length - 1;
}

/**
 * Take up to `num` free ordinals from the head of `unallocated`, skipping reserved addresses, which keep their
 * place in the list (libcalico-go allocationBlock.autoAssign). Mutates spec; returns the ordinals.
 */
export function assignOrdinals(spec: IPAMBlockSpec, num: number, handleId: string, attrs?: AllocationAttrs, reserved?: AddressFilter): number[] {
  if (num <= 0) return [];
  const base = blockNet(spec).base;
  const ords: number[] = [];
  const kept: number[] = [];
  for (const o of spec.unallocated) {
    if (ords.length < num && !reserved?.matchesIP(base + o)) ords.push(o);
    else kept.push(o);
  }
  if (!ords.length) return [];
  spec.unallocated = kept;
  const attrIdx = findOrAddAttribute(spec, handleId, attrs);
  for (const o of ords) {
    spec.allocations[o] = attrIdx;
    spec.sequenceNumberForAllocation[String(o)] = spec.sequenceNumber;
  }
  spec.sequenceNumber++;
  return ords;
}

/** Assign one specific ordinal; returns false if it is already allocated. Mutates spec. */
export function assignOrdinal(spec: IPAMBlockSpec, ord: number, handleId: string, attrs?: AllocationAttrs): boolean {
  if (ord < 0 || ord >= spec.allocations.length) throw new Error(`ordinal ${ord} outside block ${spec.cidr}`);
  if (spec.allocations[ord] !== null) return false;
  const pos = spec.unallocated.indexOf(ord);
  if (pos >= 0) spec.unallocated.splice(pos, 1);
  spec.allocations[ord] = findOrAddAttribute(spec, handleId, attrs);
  spec.sequenceNumberForAllocation[String(ord)] = spec.sequenceNumber;
  spec.sequenceNumber++;
  return true;
}

export function handleOfOrdinal(spec: IPAMBlockSpec, ord: number): string | undefined {
  const a = spec.allocations[ord];
  return a === null || a === undefined ? undefined : spec.attributes[a]?.handle_id;
}

export function ordinalsOfHandle(spec: IPAMBlockSpec, handleId: string): number[] {
  const out: number[] = [];
  spec.allocations.forEach((a, i) => {
    if (a !== null && spec.attributes[a]?.handle_id === handleId) out.push(i);
  });
  return out;
}

/**
 * Free the given ordinals (those not allocated are skipped). Mutates spec; returns the handle of each
 * released ordinal, so the caller can decrement the handles.
 */
export function releaseOrdinals(spec: IPAMBlockSpec, ords: number[]): Map<number, string | undefined> {
  const released = new Map<number, string | undefined>();
  for (const o of ords) {
    if (o < 0 || o >= spec.allocations.length || spec.allocations[o] === null || released.has(o)) continue;
    released.set(o, handleOfOrdinal(spec, o));
    spec.allocations[o] = null;
    spec.unallocated.push(o); // tail: the longest-free address is reused first
    delete spec.sequenceNumberForAllocation[String(o)];
  }
  if (released.size) {
    compactAttributes(spec);
    spec.sequenceNumber++;
  }
  return released;
}

/** Drop attributes no allocation refers to and renumber the references (Calico's deleteUnusedAttributes). */
function compactAttributes(spec: IPAMBlockSpec): void {
  const used = new Set<number>();
  for (const a of spec.allocations) if (a !== null) used.add(a);
  const remap = new Map<number, number>();
  const kept: AllocationAttribute[] = [];
  spec.attributes.forEach((attr, i) => {
    if (used.has(i)) {
      remap.set(i, kept.length);
      kept.push(attr);
    }
  });
  spec.attributes = kept;
  spec.allocations = spec.allocations.map((a) => (a === null ? null : remap.get(a)!));
}

/**
 * Blocks of a pool in the order a node tries them: a start chosen from a hash of the node name, then
 * sequentially with wrap-around (libcalico-go randomBlockGenerator). Stable for one node, differs between nodes,
 * so nodes rarely race for the same block.
 */
export function* blockOrder(pool: PoolView, node: string): Generator<Cidr4> {
  const count = 2 ** (pool.blockSize - pool.net.prefix);
  const seed = createHash('sha256').update(node).digest().readUIntBE(0, 6);
  const start = seed % count;
  const step = 2 ** (32 - pool.blockSize);
  for (let i = 0; i < count; i++) {
    const idx = (start + i) % count;
    yield { base: (pool.net.base + idx * step) >>> 0, prefix: pool.blockSize };
  }
}

/** Check a stored block for internal consistency; returns a list of problems (empty when fine). */
export function validateBlock(spec: IPAMBlockSpec): string[] {
  const problems: string[] = [];
  let net: Cidr4;
  try {
    net = parseCidr4(spec.cidr);
  } catch (e) {
    return [`bad cidr: ${(e as Error).message}`];
  }
  const n = cidr4Size(net);
  if (!Array.isArray(spec.allocations) || spec.allocations.length !== n) problems.push(`has ${spec.allocations?.length} allocation slots, want ${n}`);
  const free = new Set(spec.unallocated ?? []);
  if (free.size !== (spec.unallocated ?? []).length) problems.push('unallocated list has duplicates');
  (spec.allocations ?? []).forEach((a, i) => {
    if (a === null && !free.has(i)) problems.push(`ordinal ${i} is neither allocated nor in the free list`);
    if (a !== null && free.has(i)) problems.push(`ordinal ${i} is allocated but also in the free list`);
    if (a !== null && !spec.attributes?.[a]) problems.push(`ordinal ${i} points at missing attribute ${a}`);
  });
  return problems;
}

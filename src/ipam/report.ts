// What `tabby ipam show` and `tabby ipam check` compute, as pure functions over a snapshot of the datastore
// (pools, blocks, affinities, handles, nodes, workload endpoints). loadSnapshot() is the only I/O here.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { cidr4ContainsIP, cidr4Size, compareIPv4, formatIPv4, isIPv4, parseCidr4, parseIPv4 } from '../net/ipv4.ts';
import {
  affinityNode, configFromResource, CONFIG_NAME, inUseCount, KIND_AFFINITY, KIND_BLOCK, KIND_CONFIG, KIND_HANDLE,
  KIND_NODE, KIND_POOL, isIPv6Pool, ordinalsOfHandle, poolFromResource, validateBlock, type BlockAffinitySpec, type IPAMBlockSpec,
  type IPAMConfigurationSpec, type IPAMHandleSpec, type PoolView,
} from './model.ts';
import { KIND_RESERVATION, ReservedRanges, reservationFor, reservedCidrs } from './reservations.ts';

export interface IpamSnapshot {
  pools: PoolView[];
  /** Pools that could not be interpreted (name → reason). */
  badPools: Array<{ name: string; reason: string }>;
  blocks: IPAMBlockSpec[];
  affinities: Array<Resource<BlockAffinitySpec>>;
  handles: Array<Resource<IPAMHandleSpec>>;
  config: IPAMConfigurationSpec;
  nodes: Resource[];
  workloadEndpoints: Resource[];
  /** IPReservation resources. */
  reservations: Resource[];
}

export async function loadSnapshot(ds: Datastore): Promise<IpamSnapshot> {
  const [pools, blocks, affs, handles, cfg, nodes, weps, reservations] = await Promise.all([
    ds.list(KIND_POOL), ds.list(KIND_BLOCK), ds.list(KIND_AFFINITY), ds.list(KIND_HANDLE), ds.get(KIND_CONFIG, CONFIG_NAME),
    ds.list(KIND_NODE), ds.list('WorkloadEndpoint'), ds.list(KIND_RESERVATION),
  ]);
  const snap: IpamSnapshot = {
    pools: [], badPools: [],
    blocks: blocks.items.map((b) => b.spec as IPAMBlockSpec).sort((a, b) => compareIPv4(a.cidr, b.cidr)),
    affinities: affs.items as Array<Resource<BlockAffinitySpec>>,
    handles: handles.items as Array<Resource<IPAMHandleSpec>>,
    config: configFromResource(cfg),
    nodes: nodes.items,
    workloadEndpoints: weps.items,
    reservations: reservations.items,
  };
  for (const p of pools.items) {
    if (isIPv6Pool(p)) continue;
    try {
      snap.pools.push(poolFromResource(p));
    } catch (e) {
      snap.badPools.push({ name: p.metadata.name, reason: (e as Error).message });
    }
  }
  snap.pools.sort((a, b) => compareIPv4(a.cidr, b.cidr));
  return snap;
}

// ---------------------------------------------------------------- show

export interface UsageRow {
  grouping: 'IP Pool' | 'Block';
  cidr: string;
  total: number;
  inUse: number;
  /** Addresses an IPReservation covers, allocated or not (calicoctl's IPS RESERVED). */
  reserved: number;
  /** Neither allocated nor reserved. */
  free: number;
}

/** Pool rows, each followed (with showBlocks) by its blocks' rows, like `calicoctl ipam show --show-blocks`. */
export function usageRows(snap: IpamSnapshot, showBlocks: boolean): UsageRow[] {
  const reserved = new ReservedRanges(reservedCidrs(snap.reservations));
  const rows: UsageRow[] = [];
  for (const p of snap.pools) {
    const blocks = snap.blocks.filter((b) => cidr4ContainsIP(p.net, parseCidr4(b.cidr).base));
    const blockRows = blocks.map((b) => blockUsage(b, reserved));
    const sum = (f: (r: UsageRow) => number) => blockRows.reduce((n, r) => n + f(r), 0);
    const total = cidr4Size(p.net);
    const poolReserved = reserved.countIn(p.net);
    // Outside blocks nothing is allocated: there every address that is not reserved is free.
    const freeOutsideBlocks = total - sum((r) => r.total) - (poolReserved - sum((r) => r.reserved));
    rows.push({ grouping: 'IP Pool', cidr: p.cidr, total, inUse: sum((r) => r.inUse), reserved: poolReserved, free: sum((r) => r.free) + freeOutsideBlocks });
    if (showBlocks) rows.push(...blockRows);
  }
  return rows;
}

function blockUsage(b: IPAMBlockSpec, reserved: ReservedRanges): UsageRow {
  const net = parseCidr4(b.cidr);
  let free = 0;
  b.allocations.forEach((a, ord) => { if (a === null && !reserved.matchesIP(net.base + ord)) free++; });
  return { grouping: 'Block', cidr: b.cidr, total: b.allocations.length, inUse: inUseCount(b), reserved: reserved.countIn(net), free };
}

export interface AllocationInfo {
  ip: string;
  block: string;
  /** Node the block is affine to, if any. */
  blockOwner?: string;
  handle?: string;
  attrs: Record<string, string>;
}

/** Fields with no value stay absent: the check report is written out as JSON. */
function allocationInfo(ip: string, b: IpamSnapshot['blocks'][number], attr: IpamSnapshot['blocks'][number]['attributes'][number] | undefined): AllocationInfo {
  const owner = affinityNode(b.affinity);
  const handle = attr?.handle_id;
  return {
    ip, block: b.cidr, ...(owner !== undefined ? { blockOwner: owner } : {}), ...(handle !== undefined ? { handle } : {}),
    attrs: { ...(attr?.secondary ?? {}) },
  };
}

/** Calls `fn` for every allocated address of the blocks, in block then address order. */
export function forEachAllocation(
  blocks: IPAMBlockSpec[], fn: (ip: string, block: IPAMBlockSpec, ordinal: number, attr: IPAMBlockSpec['attributes'][number] | undefined) => void,
): void {
  for (const b of blocks) {
    const base = parseCidr4(b.cidr).base;
    b.allocations.forEach((a, ord) => { if (a !== null) fn(formatIPv4(base + ord), b, ord, b.attributes[a]); });
  }
}

/** Every allocated address, in address order. */
export function allAllocations(snap: IpamSnapshot): AllocationInfo[] {
  const out: AllocationInfo[] = [];
  forEachAllocation(snap.blocks, (ip, b, _ord, attr) => out.push(allocationInfo(ip, b, attr)));
  return out;
}

export interface BorrowedRow {
  ip: string;
  borrowingNode: string;
  block: string;
  blockOwner: string;
  type: string;
  allocatedTo: string;
}

/** Addresses allocated to a node from a block affine to another node (`--show-borrowed`). */
export function borrowedRows(snap: IpamSnapshot): BorrowedRow[] {
  return allAllocations(snap)
    .filter((a) => a.attrs.node !== undefined && a.attrs.node !== a.blockOwner)
    .map((a) => ({
      ip: a.ip,
      borrowingNode: a.attrs.node!,
      block: a.block,
      blockOwner: a.blockOwner ?? '',
      type: a.attrs.type ?? (a.attrs.pod ? 'pod' : ''),
      allocatedTo: a.attrs.pod ? `${a.attrs.namespace ?? ''}/${a.attrs.pod}` : a.attrs.node!,
    }));
}

/** The allocation holding `ip`, or undefined when it is not assigned. */
export function lookupIP(snap: IpamSnapshot, ip: string): AllocationInfo | undefined {
  const addr = parseIPv4(ip);
  for (const b of snap.blocks) {
    const net = parseCidr4(b.cidr);
    if (!cidr4ContainsIP(net, addr)) continue;
    const a = b.allocations[addr - net.base];
    if (a === null || a === undefined) return undefined;
    const attr = b.attributes[a];
    return allocationInfo(ip, b, attr);
  }
  return undefined;
}

// ---------------------------------------------------------------- check

export interface InUseIP {
  ip: string;
  /** `Node(<name>) ipip tunnel`, `WorkloadEndpoint(<ns>/<name>)`. */
  user: string;
  node?: string;
}

export interface CheckReport {
  blocks: number;
  allocations: number;
  pools: string[];
  tunnelIPs: number;
  workloadIPs: number;
  topNodes: Array<{ node: string; allocations: number }>;
  /** Allocated in IPAM but used by no workload endpoint or node tunnel (leaks). */
  allocatedNotInUse: AllocationInfo[];
  /** Used by a workload or tunnel but not allocated in IPAM. */
  inUseNotAllocated: InUseIP[];
  /** IPAMHandles that hold no address any block attributes to them. */
  orphanedHandles: string[];
  /** IPAMHandles whose per-block counts disagree with the blocks. */
  handleCountMismatches: Array<{ handle: string; block: string; handleCount: number; blockCount: number }>;
  /** Handles named by block allocations with no IPAMHandle. */
  missingHandles: string[];
  invalidBlocks: Array<{ block: string; problems: string[] }>;
  /** Allocated addresses an IPReservation covers (allocated before the reservation, or asked for by address). */
  reservedButAllocated: Array<AllocationInfo & { reservation: string }>;
  /** Affine blocks holding no address; a problem when the node no longer exists. */
  emptyAffineBlocks: Array<{ block: string; node: string; nodeExists: boolean }>;
  /** Confirmed affinities with no block. */
  danglingAffinities: Array<{ affinity: string; node: string; cidr: string }>;
  problems: number;
}

export function inUseIPs(snap: IpamSnapshot): InUseIP[] {
  const out: InUseIP[] = [];
  for (const n of snap.nodes) {
    const s = (n.spec ?? {}) as Record<string, any>;
    const name = n.metadata.name;
    const ipip = s.bgp?.ipv4IPIPTunnelAddr;
    if (typeof ipip === 'string' && ipip) out.push({ ip: ipip.split('/')[0]!, user: `Node(${name}) ipip tunnel`, node: name });
    const vx = s.ipv4VXLANTunnelAddr;
    if (typeof vx === 'string' && vx) out.push({ ip: vx.split('/')[0]!, user: `Node(${name}) vxlan tunnel`, node: name });
  }
  for (const w of snap.workloadEndpoints) {
    const s = (w.spec ?? {}) as Record<string, any>;
    for (const net of Array.isArray(s.ipNetworks) ? s.ipNetworks : []) {
      const ip = String(net).split('/')[0]!;
      if (!isIPv4(ip)) continue; // IPv6 is outside this IPAM
      out.push({ ip, user: `WorkloadEndpoint(${w.metadata.namespace ?? ''}/${w.metadata.name})`, node: s.node });
    }
  }
  return out;
}

export function checkIpam(snap: IpamSnapshot): CheckReport {
  const allocs = allAllocations(snap);
  const used = inUseIPs(snap);
  const usedSet = new Set(used.map((u) => u.ip));
  const allocSet = new Set(allocs.map((a) => a.ip));
  const blockByCidr = new Map(snap.blocks.map((b) => [b.cidr, b]));
  const { orphanedHandles, handleCountMismatches, missingHandles } = checkHandles(snap, allocs, blockByCidr);
  const invalidBlocks = snap.blocks.map((b) => ({ block: b.cidr, problems: validateBlock(b) })).filter((x) => x.problems.length);
  const emptyAffineBlocks = findEmptyAffineBlocks(snap);
  const danglingAffinities = snap.affinities
    .filter((a) => a.spec?.state === 'confirmed' && a.spec.deleted !== 'true' && !blockByCidr.has(a.spec.cidr))
    .map((a) => ({ affinity: a.metadata.name, node: a.spec!.node, cidr: a.spec!.cidr }));
  const allocatedNotInUse = allocs.filter((a) => !usedSet.has(a.ip));
  const reservedButAllocated = reservedAllocations(snap, allocs);
  const inUseNotAllocated = used.filter((u) => !allocSet.has(u.ip));

  const problems =
    allocatedNotInUse.length + inUseNotAllocated.length + orphanedHandles.length + handleCountMismatches.length +
    missingHandles.length + invalidBlocks.length + emptyAffineBlocks.filter((e) => !e.nodeExists).length +
    danglingAffinities.length + snap.badPools.length;

  return {
    blocks: snap.blocks.length,
    allocations: allocs.length,
    pools: snap.pools.filter((p) => !p.disabled).map((p) => p.cidr),
    tunnelIPs: used.filter((u) => u.user.startsWith('Node(')).length,
    workloadIPs: used.filter((u) => u.user.startsWith('WorkloadEndpoint(')).length,
    topNodes: topNodesByAllocations(allocs),
    allocatedNotInUse,
    inUseNotAllocated,
    orphanedHandles: orphanedHandles.sort(),
    handleCountMismatches,
    missingHandles,
    invalidBlocks,
    reservedButAllocated,
    emptyAffineBlocks,
    danglingAffinities,
    problems,
  };
}

/**
 * Allocations inside an IPReservation. Reported, not counted as problems: Calico's reservations only stop new
 * automatic assignments and say nothing wrong of addresses already held.
 */
function reservedAllocations(snap: IpamSnapshot, allocs: AllocationInfo[]): CheckReport['reservedButAllocated'] {
  const ranges = new ReservedRanges(reservedCidrs(snap.reservations));
  if (ranges.empty) return [];
  return allocs.flatMap((a) => {
    const addr = parseIPv4(a.ip);
    if (!ranges.matchesIP(addr)) return [];
    const r = reservationFor(snap.reservations, addr)!;
    return [{ ...a, reservation: `${r.name} (${r.cidr})` }];
  });
}

/** The (up to) 20 nodes holding the most allocations, most first, ties by name. */
function topNodesByAllocations(allocs: AllocationInfo[]): CheckReport['topNodes'] {
  const perNode = new Map<string, number>();
  for (const a of allocs) {
    const n = a.attrs.node ?? a.blockOwner ?? '(unknown)';
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  return [...perNode.entries()]
    .map(([node, allocations]) => ({ node, allocations }))
    .sort((a, b) => b.allocations - a.allocations || a.node.localeCompare(b.node))
    .slice(0, 20);
}

/** Compare each handle's per-block counts with what the blocks attribute to it, both ways. */
function checkHandles(
  snap: IpamSnapshot, allocs: AllocationInfo[], blockByCidr: Map<string, IPAMBlockSpec>,
): Pick<CheckReport, 'orphanedHandles' | 'handleCountMismatches' | 'missingHandles'> {
  const handleNames = new Set(snap.handles.map((h) => h.spec?.handleID ?? h.metadata.name));
  const orphanedHandles: string[] = [];
  const handleCountMismatches: CheckReport['handleCountMismatches'] = [];
  const allocsByHandle = new Map<string, Map<string, number>>();
  for (const a of allocs) {
    if (!a.handle) continue;
    const m = allocsByHandle.get(a.handle) ?? new Map<string, number>();
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
    const cidrs = new Set([...Object.keys(h.spec?.block ?? {}), ...actual.keys()]);
    for (const cidr of cidrs) {
      const hc = h.spec?.block?.[cidr] ?? 0;
      const b = blockByCidr.get(cidr);
      const bc = b ? ordinalsOfHandle(b, id).length : 0;
      if (hc !== bc) handleCountMismatches.push({ handle: id, block: cidr, handleCount: hc, blockCount: bc });
    }
  }
  const missingHandles = [...new Set(allocs.map((a) => a.handle).filter((h): h is string => !!h && !handleNames.has(h)))].sort();
  return { orphanedHandles, handleCountMismatches, missingHandles };
}

/** Blocks affine to a node that hold no address; a problem only when that node no longer exists. */
function findEmptyAffineBlocks(snap: IpamSnapshot): CheckReport['emptyAffineBlocks'] {
  const nodeNames = new Set(snap.nodes.map((n) => n.metadata.name));
  return snap.blocks
    .filter((b) => affinityNode(b.affinity) !== undefined && inUseCount(b) === 0)
    .map((b) => ({ block: b.cidr, node: affinityNode(b.affinity)!, nodeExists: nodeNames.has(affinityNode(b.affinity)!) }));
}

/** The human-readable check output, following `calicoctl ipam check`. */
export function formatCheckReport(r: CheckReport, snap: IpamSnapshot, opts: { showAllIPs?: boolean | undefined; showProblemIPs?: boolean | undefined } = {}): string {
  const L: string[] = [];
  L.push('Checking IPAM for inconsistencies...', '', 'Loading all IPAM blocks...', `Found ${r.blocks} IPAM blocks.`);
  for (const b of snap.blocks) L.push(` IPAM block ${b.cidr} affinity=${b.affinity ?? '<none>'}:`);
  L.push(`IPAM blocks record ${r.allocations} allocations.`, '', 'Loading all IPAM pools...');
  for (const p of r.pools) L.push(`  ${p}`);
  L.push(`Found ${r.pools.length} active IP pools.`);
  for (const b of snap.badPools) L.push(`  invalid IP pool ${b.name}: ${b.reason}`);
  L.push('', 'Loading all nodes.', `Found ${r.tunnelIPs} node tunnel IPs.`, '', 'Loading all workload endpoints.', `Found ${r.workloadIPs} workload IPs.`);
  L.push(`Workloads and nodes are using ${r.tunnelIPs + r.workloadIPs} IPs.`, '');
  if (opts.showAllIPs) {
    for (const u of inUseIPs(snap)) L.push(`  ${u.ip} in use by ${u.user}`);
    L.push('');
  }
  L.push('Looking for top (up to 20) nodes by allocations...');
  for (const t of r.topNodes) L.push(`  ${t.node} has ${t.allocations} allocations`);
  if (r.topNodes.length) {
    const counts = r.topNodes.map((t) => t.allocations).sort((a, b) => a - b);
    L.push(`Node with most allocations has ${counts[counts.length - 1]}; median is ${counts[Math.floor(counts.length / 2)]}`);
  }
  L.push('', 'Scanning for IPs that are allocated but not actually in use...');
  for (const a of r.allocatedNotInUse) {
    if (opts.showProblemIPs || r.allocatedNotInUse.length <= 50) L.push(`  ${a.ip} leaked; attrs ${JSON.stringify({ handle: a.handle, ...a.attrs })}`);
  }
  L.push(`Found ${r.allocatedNotInUse.length} IPs that are allocated in IPAM but not actually in use.`);
  L.push('Scanning for IPs that are in use by a workload or node but are not allocated in IPAM...');
  for (const u of r.inUseNotAllocated) L.push(`  ${u.ip} in use by ${u.user} but not allocated`);
  const outside = r.inUseNotAllocated.filter((u) => !snap.pools.some((p) => cidr4ContainsIP(p.net, parseIPv4(u.ip)))).length;
  L.push(`Found ${outside} in-use IPs that are not in active IP pools.`);
  L.push(`Found ${r.inUseNotAllocated.length - outside} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.`, '');
  L.push('Scanning for IPAM handles with no matching IPs...');
  for (const h of r.orphanedHandles) L.push(`  handle ${h} holds no addresses`);
  for (const m of r.handleCountMismatches) L.push(`  handle ${m.handle} counts ${m.handleCount} in block ${m.block} but the block holds ${m.blockCount}`);
  L.push(`Found ${r.orphanedHandles.length} handles with no matching IPs (and ${snap.handles.length - r.orphanedHandles.length} handles with matching IPs).`);
  L.push('Scanning for IPs with missing handle...');
  for (const h of r.missingHandles) L.push(`  handle ${h} is used by allocations but has no IPAMHandle`);
  L.push(`Found ${r.missingHandles.length} handles mentioned in blocks with no matching handle resource.`);
  L.push('Scanning for invalid blocks...');
  for (const b of r.invalidBlocks) L.push(`  block ${b.block}: ${b.problems.join('; ')}`);
  L.push(`Found ${r.invalidBlocks.length} invalid blocks.`);
  L.push('Scanning for allocated IPs that an IPReservation covers...');
  for (const a of r.reservedButAllocated) L.push(`  ${a.ip} is allocated (handle ${a.handle ?? '<none>'}) but reserved by IPReservation ${a.reservation}`);
  L.push(`Found ${r.reservedButAllocated.length} allocated IPs that are reserved (kept: reservations only stop new automatic assignments).`);
  L.push('Scanning for empty affine blocks...');
  for (const e of r.emptyAffineBlocks) L.push(`  block ${e.block} affine to ${e.node} is empty${e.nodeExists ? '' : ' and the node does not exist'}`);
  L.push(`Found ${r.emptyAffineBlocks.length} empty affine blocks (${r.emptyAffineBlocks.filter((e) => !e.nodeExists).length} of nodes that no longer exist).`);
  L.push('Scanning for block affinities with no block...');
  for (const a of r.danglingAffinities) L.push(`  affinity ${a.affinity} (node ${a.node}, ${a.cidr}) has no block`);
  L.push(`Found ${r.danglingAffinities.length} block affinities with no block.`);
  L.push(`Check complete; found ${r.problems} problems.`);
  return L.join('\n') + '\n';
}

// ---------------------------------------------------------------- metrics

export interface IpamMetrics {
  /** ipam_ippool_size{ippool}: addresses per pool. */
  poolSize: Record<string, number>;
  /** ipam_allocations_in_use{ippool,node}: allocations per pool and node (the node the allocation is for). */
  inUse: Array<{ pool: string; node: string; count: number }>;
  /** ipam_allocations_borrowed{ippool,node}: allocations from a block affine to another node. */
  borrowed: Array<{ pool: string; node: string; count: number }>;
  /** ipam_blocks{ippool,node}: blocks per pool and affine node. */
  blocks: Array<{ pool: string; node: string; count: number }>;
}

/** The numbers behind Calico kube-controllers' IPAM metrics, from a snapshot. */
export function ipamMetrics(snap: IpamSnapshot): IpamMetrics {
  const poolOf = (ip: string) => snap.pools.find((p) => cidr4ContainsIP(p.net, parseIPv4(ip.split('/')[0]!)))?.name ?? '';
  const count = (m: Map<string, number>, pool: string, node: string) => m.set(`${pool}\0${node}`, (m.get(`${pool}\0${node}`) ?? 0) + 1);
  const rows = (m: Map<string, number>) => [...m].map(([k, c]) => ({ pool: k.split('\0')[0]!, node: k.split('\0')[1]!, count: c })).sort((a, b) => a.pool.localeCompare(b.pool) || a.node.localeCompare(b.node));
  const inUse = new Map<string, number>();
  const borrowed = new Map<string, number>();
  const blocks = new Map<string, number>();
  for (const a of allAllocations(snap)) {
    const node = a.attrs.node ?? a.blockOwner ?? '';
    count(inUse, poolOf(a.ip), node);
    if (a.attrs.node !== undefined && a.attrs.node !== a.blockOwner) count(borrowed, poolOf(a.ip), node);
  }
  for (const b of snap.blocks) count(blocks, poolOf(b.cidr), affinityNode(b.affinity) ?? '');
  return {
    poolSize: Object.fromEntries(snap.pools.map((p) => [p.name, cidr4Size(p.net)])),
    inUse: rows(inUse),
    borrowed: rows(borrowed),
    blocks: rows(blocks),
  };
}

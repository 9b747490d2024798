// Releasing leaked addresses, as Calico's kube-controllers IPAM controller does (kube-controllers/pkg/
// controllers/node/ipam.go checkAllocations + ipam_allocation.go allocation/handleTracker):
//  - an allocation is a *candidate* leak when nothing uses it: no WorkloadEndpoint or node tunnel holds its
//    address, no WorkloadEndpoint belongs to its handle's container, and no ADD for that container is in flight
//    on the node (Calico asks whether the pod still exists; here the sandbox is alive while its endpoint exists
//    or its ADD runs). The first sync that sees it records the time;
//  - it is a *confirmed* leak once a candidate for longer than the grace period (leakGracePeriod, default 15m;
//    0 or less: candidates are still counted but nothing is confirmed, as in Calico). Any sync that sees it in
//    use forgets it (markValid);
//  - a handle is released only when every allocation it holds is confirmed (all-or-none per handle);
//  - before release the endpoints and in-flight ADDs are read again, and each address is released only if the
//    block still holds it for the same handle with the same sequence number (Calico's ReleaseOptions with
//    SequenceNumber), so an address re-allocated since the scan is never freed.
// Tunnel addresses (type ipipTunnelAddress / vxlanTunnelAddress) are the node's and never candidates; nor is an
// allocation without the `namespace` and `pod` attributes (kube-controllers: "cannot confirm or deny validity").
// decideLeaks() is the whole decision, pure; LeakCollector does the I/O around it.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { log } from './log.ts';
import { affinityNode } from './model.ts';
import { releaseAllocations } from './release.ts';
import { forEachAllocation, inUseIPs, loadSnapshot, type IpamSnapshot } from './report.ts';
import { TUNNEL_ATTR_TYPE } from './tunnel.ts';

/** One allocation as the collector sees it. */
export interface LeakAllocation {
  ip: string;
  handle: string;
  block: string;
  /** The block's sequenceNumberForAllocation for this address (-1 without one): changes when it is re-allocated. */
  seq: number;
  /** The node the allocation is for (attribute `node`, else the block's affine node). */
  node: string | undefined;
  attrs: Record<string, string>;
}

export interface LeakInput {
  allocations: LeakAllocation[];
  /** Addresses a WorkloadEndpoint or a node tunnel uses. */
  usedIPs: ReadonlySet<string>;
  /** Container IDs of WorkloadEndpoints, and `<namespace>.<pod>` of Kubernetes ones (Calico's legacy handle). */
  endpointKeys: ReadonlySet<string>;
  /** Container IDs whose ADD is in flight on this node. */
  inFlight: ReadonlySet<string>;
  /** Only this node's allocations (a node agent); every node's when undefined (`tabby ipam release --leaked`). */
  node: string | undefined;
  /** Milliseconds since the epoch. */
  now: number;
  /** Candidate for longer than this → confirmed; 0 or less confirms nothing. */
  gracePeriodMs: number;
  /** Allocation id → when it was first seen a candidate (the previous sync's `candidates`). */
  since: ReadonlyMap<string, number>;
}

export interface LeakDecision {
  /** Allocation id → first seen a candidate: this sync's candidates, for the next sync. */
  candidates: Map<string, number>;
  /** Allocations to release now (whole handles, every allocation confirmed). */
  release: LeakAllocation[];
  /** Confirmed allocations kept because another allocation of their handle is not confirmed. */
  heldByHandle: number;
}

/** An allocation's identity across syncs: the same address for the same handle, not re-allocated since. */
export function allocationId(a: LeakAllocation): string { return `${a.handle}/${a.ip}/${a.seq}`; }

const TUNNEL_TYPES = new Set(Object.values(TUNNEL_ATTR_TYPE));

/** Whether the handle belongs to a live sandbox: handle `<network>.<containerID>`, or a legacy handle. */
export function handleIsLive(handle: string, keys: ReadonlySet<string>): boolean {
  if (keys.has(handle)) return true;
  // Network names and container IDs may both contain dots: try every split.
  for (let i = handle.indexOf('.'); i >= 0; i = handle.indexOf('.', i + 1)) if (keys.has(handle.slice(i + 1))) return true;
  return false;
}

/** Why the allocation is not a leak candidate (undefined: it is one). */
function liveReason(a: LeakAllocation, input: Pick<LeakInput, 'usedIPs' | 'endpointKeys' | 'inFlight' | 'node'>): string | undefined {
  if (input.node !== undefined && a.node !== input.node) return 'another node\'s';
  if (TUNNEL_TYPES.has(a.attrs.type ?? '')) return 'a tunnel address';
  if (input.usedIPs.has(a.ip)) return 'in use';
  // As kube-controllers: without the pod attributes the plugin records, an allocation's validity cannot be
  // judged (made by hand, or by something else), so it is assumed valid.
  if (!a.attrs.namespace || !a.attrs.pod) return 'not a pod\'s address (no namespace/pod attributes): release it by hand';
  if (handleIsLive(a.handle, input.endpointKeys)) return 'its container has a WorkloadEndpoint';
  if (handleIsLive(a.handle, input.inFlight)) return 'an ADD for its container is in flight';
  return undefined;
}

/** Releases whole handles only: the confirmed allocations of handles whose every allocation is confirmed. */
function wholeHandles(allocs: LeakAllocation[], confirmed: Set<LeakAllocation>): { release: LeakAllocation[]; held: LeakAllocation[] } {
  const byHandle = new Map<string, LeakAllocation[]>();
  for (const a of allocs) byHandle.set(a.handle, [...(byHandle.get(a.handle) ?? []), a]);
  const release: LeakAllocation[] = [], held: LeakAllocation[] = [];
  for (const list of byHandle.values()) {
    const mine = list.filter((a) => confirmed.has(a));
    (mine.length === list.length ? release : held).push(...mine);
  }
  return { release, held };
}

/** One sync's decision: which allocations are candidates now, and which handles to release. Pure. */
export function decideLeaks(input: LeakInput): LeakDecision {
  const candidates = new Map<string, number>();
  const confirmed = new Set<LeakAllocation>();
  for (const a of input.allocations) {
    if (liveReason(a, input) !== undefined) continue;
    const id = allocationId(a);
    const first = input.since.get(id) ?? input.now;
    candidates.set(id, first);
    if (input.gracePeriodMs > 0 && input.now - first > input.gracePeriodMs) confirmed.add(a);
  }
  const { release, held } = wholeHandles(input.allocations, confirmed);
  return { candidates, release, heldByHandle: held.length };
}

/**
 * `tabby ipam release --leaked`: every node's leaked allocations at once, none younger than `minAgeMs` by its
 * `timestamp` attribute (an allocation without one predates timestamps and counts as old), whole handles only.
 * `kept` says why each allocation that no endpoint or tunnel uses stays. Pure.
 */
export function decideOnDemand(input: Pick<LeakInput, 'allocations' | 'usedIPs' | 'endpointKeys' | 'now'>, minAgeMs: number):
  { release: LeakAllocation[]; kept: Array<{ allocation: LeakAllocation; reason: string }> } {
  const confirmed = new Set<LeakAllocation>();
  const kept: Array<{ allocation: LeakAllocation; reason: string }> = [];
  for (const a of input.allocations) {
    if (input.usedIPs.has(a.ip)) continue; // not a leak by any account
    let reason = liveReason(a, { ...input, inFlight: new Set(), node: undefined });
    const at = a.attrs.timestamp ? Date.parse(a.attrs.timestamp) : NaN;
    if (!reason && Number.isFinite(at) && input.now - at < minAgeMs) reason = `allocated ${Math.round((input.now - at) / 1000)} s ago, less than --min-age`;
    if (reason) kept.push({ allocation: a, reason });
    else confirmed.add(a);
  }
  const { release, held } = wholeHandles(input.allocations, confirmed);
  for (const a of held) kept.push({ allocation: a, reason: 'another address of its handle is in use' });
  return { release, kept };
}

/** Every allocation with a handle, from a snapshot (allocations without a handle cannot be attributed and stay). */
export function leakAllocations(snap: IpamSnapshot): LeakAllocation[] {
  const out: LeakAllocation[] = [];
  forEachAllocation(snap.blocks, (ip, b, ord, attr) => {
    if (!attr?.handle_id) return;
    const attrs = { ...(attr.secondary ?? {}) };
    out.push({
      ip, handle: attr.handle_id, block: b.cidr, seq: b.sequenceNumberForAllocation[String(ord)] ?? -1,
      node: attrs.node ?? affinityNode(b.affinity), attrs,
    });
  });
  return out;
}

/** Container IDs (and `<namespace>.<pod>`) of the endpoints: what makes a handle live. */
export function endpointKeys(weps: Resource[]): Set<string> {
  const keys = new Set<string>();
  for (const w of weps) {
    const s = (w.spec ?? {}) as { containerID?: string; orchestrator?: string; pod?: string };
    if (s.containerID) keys.add(s.containerID);
    if (s.orchestrator === 'k8s' && s.pod && w.metadata.namespace) keys.add(`${w.metadata.namespace}.${s.pod}`);
  }
  return keys;
}

/** Everything decideLeaks needs but the clock, the in-flight set and the candidates, from a snapshot. */
export function leakInputFrom(snap: IpamSnapshot): Pick<LeakInput, 'allocations' | 'usedIPs' | 'endpointKeys'> {
  return { allocations: leakAllocations(snap), usedIPs: new Set(inUseIPs(snap).map((u) => u.ip)), endpointKeys: endpointKeys(snap.workloadEndpoints) };
}

export interface LeakCollectorOptions {
  /** Only this node's allocations. */
  node: string;
  gracePeriodMs: number;
  now: () => number;
  /** Container IDs whose ADD runs now on this node (the agent's CNI server). */
  inFlight: () => ReadonlySet<string>;
}

export interface LeakSyncResult {
  /** Allocations that are candidates after this sync (confirmed or not). */
  candidates: number;
  /** Addresses released, with their handles. */
  released: Array<{ ip: string; handle: string }>;
}

/** The agent's leak collector for its node: keeps the candidates between syncs; sync() reads, decides, releases. */
export class LeakCollector {
  private since = new Map<string, number>();

  constructor(private readonly ds: Datastore, private readonly opts: LeakCollectorOptions) {}

  async sync(): Promise<LeakSyncResult> {
    const snap = await loadSnapshot(this.ds);
    const now = this.opts.now();
    const d = decideLeaks({
      ...leakInputFrom(snap), inFlight: this.opts.inFlight(), node: this.opts.node, now,
      gracePeriodMs: this.opts.gracePeriodMs, since: this.since,
    });
    for (const [id, first] of d.candidates) if (first === now && !this.since.has(id)) log.info({ allocation: id }, 'candidate IP leak');
    this.since = d.candidates;
    if (!d.release.length) return { candidates: d.candidates.size, released: [] };
    // Confirmation: the endpoints and ADDs in flight as they are now, not as they were when the scan began.
    const weps = await this.ds.list('WorkloadEndpoint');
    const keys = endpointKeys(weps.items);
    const inFlight = this.opts.inFlight();
    const confirmed = d.release.filter((a) => !handleIsLive(a.handle, keys) && !handleIsLive(a.handle, inFlight));
    const released = await releaseAllocations(this.ds, confirmed);
    for (const a of released) {
      this.since.delete(allocationId(a));
      log.warn({ ip: a.ip, handle: a.handle, node: a.node, gracePeriodMs: this.opts.gracePeriodMs }, 'released leaked IP address');
    }
    return { candidates: this.since.size, released: released.map((a) => ({ ip: a.ip, handle: a.handle })) };
  }
}

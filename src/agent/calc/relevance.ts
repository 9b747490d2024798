// Which datastore changes can alter this node's desired kernel state. In a cluster most changes are other
// nodes' pods: each makes an IPAM block change (its allocations) and a new WorkloadEndpoint, and every agent
// receives both. calculate() reads neither allocations nor another node's endpoint unless that endpoint's
// address is borrowed (outside its node's own blocks), so the agent skips the calculation for them and
// keeps its last desired state. With BGP on, another node's block in a pool without VXLAN changes no route
// either: the speaker learns it and hands it over. Nor does any kind calculate() does not read: the agent's
// one watch also carries BGP's kinds (a BlockAffinity is written twice for every block claimed) and policy's.
// Pure; checked against calculate() over random change sequences.
import { isProblem } from './model.ts';
import { parsedBlock, parsedNode, parsedPool, parsedWorkload } from './parsed.ts';
import type { Resource } from '../../api/resource.ts';
import type { ResourceChange } from '../../api/resource.ts';
import { AGENT_KINDS, type Snapshot } from './snapshot.ts';
import { cidr4ContainsIP, parseIPv4 } from '../../net/ipv4.ts';

/** What the calculation is run for: this node, and whether a BGP speaker supplies the routes to other nodes. */
export interface RelevanceContext { nodeName: string; bgpEnabled: boolean }

/** The kinds calculate() reads: AGENT_KINDS (indexSnapshot and felixSettings read nothing else). */
const CALCULATION_KINDS: ReadonlySet<string> = new Set(AGENT_KINDS);

/** `snap` is the snapshot after the change. Of the kinds calculate() reads, all but blocks and endpoints always count. */
export function affectsDesiredState(kind: string, change: ResourceChange, snap: Snapshot, at: RelevanceContext): boolean {
  if (!CALCULATION_KINDS.has(kind)) return false;
  if (kind === 'IPAMBlock') {
    if (blockKey(change.old) === blockKey(change.now)) return false;
    return !(at.bgpEnabled && [change.old, change.now].every((r) => learnedOverBgp(r, snap, at.nodeName)));
  }
  if (kind === 'WorkloadEndpoint') return workloadAffects(change, snap, at.nodeName);
  return true;
}

/**
 * With BGP on, calculate() makes nothing of another node's block outside VXLAN pools (no route: the speaker
 * learns it; no borrowed-address route either, for the same reason) unless a VTEP's tunnel address lies in
 * it (the VTEP's device route depends on who owns that address). An absent block is nothing too.
 */
function learnedOverBgp(r: Resource | undefined, snap: Snapshot, nodeName: string): boolean {
  if (!r) return true;
  const b = parsedBlock(r);
  if (b === undefined) return true;
  if (isProblem(b) || b.affinityNode === nodeName) return false;
  for (const p of snap.items('IPPool')) {
    const pool = parsedPool(p);
    if (!isProblem(pool) && pool.vxlanMode !== 'Never' && cidr4ContainsIP(pool.net, b.net.base)) return false;
  }
  for (const r of snap.items('Node')) {
    const n = parsedNode(r);
    if (!isProblem(n) && n.vxlanTunnelAddr && cidr4ContainsIP(b.net, parseIPv4(n.vxlanTunnelAddr))) return false;
  }
  return true;
}

/** What calculate() reads of a block: validity, CIDR and affinity (parseBlock). */
function blockKey(r: Resource | undefined): string {
  if (!r) return 'absent';
  const b = parsedBlock(r);
  if (b === undefined) return 'ignored';
  if (isProblem(b)) return `problem ${b.reason}`;
  return `${b.cidr} ${b.affinityNode ?? ''}`;
}

function workloadAffects(change: ResourceChange, snap: Snapshot, nodeName: string): boolean {
  const parsed = [change.old, change.now].filter((r): r is Resource => r !== undefined).map(parsedWorkload);
  for (const w of parsed) {
    if (isProblem(w)) return true; // reported among the calculation's problems
    if (w.node === nodeName) return true; // our own: its route and interface
  }
  const key = (r: Resource | undefined) => {
    if (!r) return 'absent';
    const w = parsedWorkload(r);
    return isProblem(w) ? '' : `${w.node} ${w.ipv4s.join(',')}`;
  };
  if (key(change.old) === key(change.now)) return false; // labels, ports, profiles: not routing
  // Another node's endpoint gets a route here only for an address outside that node's own blocks.
  for (const w of parsed) {
    if (isProblem(w)) continue;
    for (const ip of w.ipv4s) if (ownerOf(snap, parseIPv4(ip)) !== w.node) return true;
  }
  return false;
}

/** The affine node of the most specific valid block holding `ip` (as calculate()'s block index finds it). */
function ownerOf(snap: Snapshot, ip: number): string | undefined {
  let best: { prefix: number; node: string | undefined } | undefined;
  for (const r of snap.items('IPAMBlock')) {
    const b = parsedBlock(r);
    if (b === undefined || isProblem(b) || !cidr4ContainsIP(b.net, ip)) continue;
    if (!best || b.net.prefix > best.prefix) best = { prefix: b.net.prefix, node: b.affinityNode };
  }
  return best?.node;
}

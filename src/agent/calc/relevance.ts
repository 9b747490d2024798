// Which datastore changes can alter this node's desired kernel state. In a cluster most changes are other
// nodes' pods: each makes an IPAM block change (its allocations) and a new WorkloadEndpoint, and every agent
// receives both. calculate() reads neither allocations nor another node's endpoint unless that endpoint's
// address is borrowed (outside its node's own blocks), so the agent skips the calculation for them and
// keeps its last desired state. Pure; checked against calculate() over random change sequences.
import { isProblem, parseBlock, parseWorkload } from './model.ts';
import type { Resource } from '../../api/resource.ts';
import type { ResourceChange } from '../../api/resource.ts';
import type { Snapshot } from './snapshot.ts';
import { cidr4ContainsIP, parseIPv4 } from '../../net/ipv4.ts';

/** `snap` is the snapshot after the change. Kinds other than blocks and endpoints always count. */
export function affectsDesiredState(kind: string, change: ResourceChange, snap: Snapshot, nodeName: string): boolean {
  if (kind === 'IPAMBlock') return blockKey(change.old) !== blockKey(change.now);
  if (kind === 'WorkloadEndpoint') return workloadAffects(change, snap, nodeName);
  return true;
}

/** What calculate() reads of a block: validity, CIDR and affinity (parseBlock). */
function blockKey(r: Resource | undefined): string {
  if (!r) return 'absent';
  const b = parseBlock(r);
  if (b === undefined) return 'ignored';
  if (isProblem(b)) return `problem ${b.reason}`;
  return `${b.cidr} ${b.affinityNode ?? ''}`;
}

function workloadAffects(change: ResourceChange, snap: Snapshot, nodeName: string): boolean {
  const parsed = [change.old, change.now].filter((r): r is Resource => r !== undefined).map(parseWorkload);
  for (const w of parsed) {
    if (isProblem(w)) return true; // reported among the calculation's problems
    if (w.node === nodeName) return true; // our own: its route and interface
  }
  const key = (r: Resource | undefined) => {
    if (!r) return 'absent';
    const w = parseWorkload(r);
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
    const b = parseBlock(r);
    if (b === undefined || isProblem(b) || !cidr4ContainsIP(b.net, ip)) continue;
    if (!best || b.net.prefix > best.prefix) best = { prefix: b.net.prefix, node: b.affinityNode };
  }
  return best?.node;
}

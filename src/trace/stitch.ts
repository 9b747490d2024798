// Stitching: ask the node where the packet starts for its segment, then each node the packet is forwarded
// to, until it is delivered, dropped or leaves the cluster. The asking is a function (HTTP to each node's
// agent for `tabby trace`, or a direct call in tests), so this stays free of I/O. Also: turning what the
// user typed (a pod, an endpoint, a pod IP, a node, any IP) into where the trace starts and ends.
import { isIPv4, isIPv6 } from '../net/ip.ts';
import { TabbyError } from '../errors.ts';
import type { Arrival, Segment, TraceResult, TracePacket } from './types.ts';

export type AskNode = (node: string, pkt: TracePacket, arrival: Arrival) => Promise<Segment>;

/** Nodes a packet may cross before the trace calls it a loop. */
const MAX_NODES = 8;

export async function stitch(startNode: string, start: Arrival, pkt: TracePacket, ask: AskNode): Promise<TraceResult> {
  const hops: TraceResult['hops'] = [];
  let node = startNode, arrival = start, packet = pkt;
  const visited: string[] = [];
  for (let i = 0; i < MAX_NODES; i++) {
    visited.push(node);
    const seg = await ask(node, packet, arrival);
    hops.push(...seg.hops);
    const o = seg.outcome;
    if (o.kind === 'delivered') return { verdict: 'delivered', hops, packet: pkt };
    if (o.kind === 'left-cluster') return { verdict: 'delivered', reason: `left the cluster via ${o.via}`, hops, packet: pkt };
    if (o.kind === 'dropped') return { verdict: 'dropped', reason: o.reason, hops, packet: pkt };
    node = o.node; arrival = o.arrival; packet = o.packet;
  }
  return { verdict: 'dropped', reason: `routing loop: ${visited.join(' → ')} → …`, hops, packet: pkt };
}

// ---- endpoints of the trace ---------------------------------------------------------------------------

export interface KnownEndpoint { name: string; namespace: string; pod: string; node: string; iface: string; ips: string[] }
export interface KnownNode { name: string; addresses: string[] }

export type TraceEnd =
  | { kind: 'pod'; endpoint: KnownEndpoint; ip: string }
  | { kind: 'node'; node: KnownNode; ip: string }
  | { kind: 'ip'; ip: string };

export class TraceInputError extends TabbyError {
  constructor(message: string) { super('TRACE_INPUT', message); }
}

/** SRC or DST as typed: `NAMESPACE/NAME`, a WorkloadEndpoint name, a pod IP, a node name or address, any IP. */
export function resolveEnd(text: string, endpoints: KnownEndpoint[], nodes: KnownNode[], role: 'SRC' | 'DST'): TraceEnd {
  const slash = text.indexOf('/');
  if (slash > 0 && !text.includes(':') && !isIPv4(text.split('/')[0]!)) {
    const [ns, name] = [text.slice(0, slash), text.slice(slash + 1)];
    const ep = endpoints.find((e) => e.namespace === ns && (e.pod === name || e.name === name));
    if (!ep) throw new TraceInputError(`${role} ${text}: no pod ${name} in namespace ${ns} has an endpoint`);
    return podEnd(ep, role, text);
  }
  const byName = endpoints.filter((e) => e.name === text || (e.pod === text));
  if (byName.length === 1) return podEnd(byName[0]!, role, text);
  if (byName.length > 1) throw new TraceInputError(`${role} ${text}: more than one pod has that name (${byName.map((e) => `${e.namespace}/${e.pod}`).join(', ')}); write NAMESPACE/NAME`);
  const node = nodes.find((n) => n.name === text);
  if (node) {
    const ip = node.addresses[0];
    if (!ip) throw new TraceInputError(`${role} ${text}: node has no address in the datastore`);
    return { kind: 'node', node, ip };
  }
  if (!isIPv4(text) && !isIPv6(text)) throw new TraceInputError(`${role} ${text}: not a pod (NAMESPACE/NAME), endpoint, node or IP address`);
  const ep = endpoints.find((e) => e.ips.includes(text));
  if (ep) return { kind: 'pod', endpoint: ep, ip: text };
  const n = nodes.find((x) => x.addresses.includes(text));
  if (n) return { kind: 'node', node: n, ip: text };
  return { kind: 'ip', ip: text };
}

function podEnd(ep: KnownEndpoint, role: string, text: string): TraceEnd {
  const ip = ep.ips.find((i) => isIPv4(i)) ?? ep.ips[0];
  if (!ip) throw new TraceInputError(`${role} ${text}: the endpoint has no address`);
  return { kind: 'pod', endpoint: ep, ip };
}

/** Where the trace starts: a pod's veth on its node, or a node's own stack. */
export function startOf(src: TraceEnd): { node: string; arrival: Arrival } {
  if (src.kind === 'pod') return { node: src.endpoint.node, arrival: { from: 'workload', iface: src.endpoint.iface } };
  if (src.kind === 'node') return { node: src.node.name, arrival: { from: 'host' } };
  throw new TraceInputError(`SRC ${src.ip}: a trace starts in the cluster (a pod or a node), and ${src.ip} is neither`);
}

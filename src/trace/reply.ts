// The reply's path, when it is not the forward path reversed: after NAT outgoing the reply comes back to the
// node's address and conntrack returns it to the pod; between pods of pools with different encapsulation (or
// with asymmetric routes) each direction takes its own. The reply is asked of the nodes like the forward
// packet, as a packet of an established flow (accepted before policy). Pure: the asking is the caller's.
import { stitch, startOf, type AskNode, type TraceEnd } from './stitch.ts';
import type { Hop, TracePacket, TraceReply, TraceResult } from './types.ts';

/** Where the packet crosses between nodes, and how: `node01 → controlplane over IPIP`. */
function crossings(hops: Hop[]): string[] {
  const out: string[] = [];
  for (const h of hops) {
    if (h.action === 'transmit') out.push(`${h.node} ${h.encap ? `over ${h.encap.type === 'ipip' ? 'IPIP' : 'VXLAN'}` : `unencapsulated on ${h.interface}`}`);
    if (h.action === 'leave-cluster') out.push(`${h.node} out of the cluster`);
  }
  return out;
}

const nodesOf = (hops: Hop[]) => hops.map((h) => h.node).filter((n, i, a) => i === 0 || a[i - 1] !== n);

function replyPacket(pkt: TracePacket): TracePacket {
  return {
    src: pkt.dst, dst: pkt.src, protocol: pkt.protocol, established: true,
    ...(pkt.srcPort !== undefined ? { port: pkt.srcPort } : {}), ...(pkt.port !== undefined ? { srcPort: pkt.port } : {}),
    ...(pkt.size !== undefined ? { size: pkt.size } : {}),
  };
}

/** The reply's own hops when they differ from the forward path's; undefined when it mirrors it (or cannot be told). */
export async function traceReply(forward: TraceResult, dst: TraceEnd, ask: AskNode): Promise<TraceReply | undefined> {
  const pkt = forward.packet;
  if (forward.verdict !== 'delivered' || !pkt) return undefined;
  const snat = forward.hops.find((h) => h.action === 'snat');
  const natSrc = snat ? /masqueraded to (\S+)/.exec(snat.detail ?? '')?.[1] : undefined;
  if (snat && natSrc) {
    const reply = { ...replyPacket(pkt), dst: natSrc, unNatTo: pkt.src };
    const r = await stitch(snat.node, { from: 'fabric', iface: '' }, reply, ask);
    return { differs: `NAT outgoing: the reply comes back to ${snat.node}'s address ${natSrc}, not to ${pkt.src}`, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}), packet: reply, hops: r.hops };
  }
  if (dst.kind === 'ip') return undefined;
  const start = startOf(dst);
  const reply = replyPacket(pkt);
  const r = await stitch(start.node, start.arrival, reply, ask);
  const there = crossings(forward.hops), back = crossings(r.hops);
  const mirrored = r.verdict === 'delivered' && nodesOf(r.hops).join() === nodesOf(forward.hops).reverse().join()
    && there.map((c) => c.split(' ').slice(1).join(' ')).reverse().join() === back.map((c) => c.split(' ').slice(1).join(' ')).join();
  if (mirrored) return undefined;
  const differs = r.verdict === 'dropped'
    ? `the reply is dropped: ${r.reason}`
    : `the packet goes ${there.join(', ') || 'within one node'}; the reply ${back.join(', ') || 'within one node'}`;
  return { differs, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}), packet: reply, hops: r.hops };
}

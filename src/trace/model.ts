// The pure model of `tabby trace`: one node's part of a packet's life, read from a snapshot of that node's
// kernel (RTM_GETROUTE answers, neighbours, FDB, links, the applied nft policy table) and its datastore
// view (endpoints, pools, blocks, BGP peers). No I/O: the agent fills the snapshot (src/agent/trace.ts),
// the command stitches the nodes' segments (stitch.ts). Policy verdicts walk the ruleset the policy
// calculation produced (src/policy/walk.ts), never a second reading of the policy resources.
import { ipInCIDR, isIPv4 } from '../net/ip.ts';
import { walkRuleset, type PolicyDecision } from '../policy/walk.ts';
import type { Arrival, Hop, HopEncap, HopPolicy, LocalEndpoint, NodeSnapshot, RouteAnswer, Segment, TracePacket } from './types.ts';

export const IPIP_DEVICE = 'tunl0';
export const VXLAN_DEVICE = 'vxlan.calico';
export const WORKLOAD_GATEWAY = '169.254.1.1';
export const PROXY_ARP_MAC = 'ee:ee:ee:ee:ee:ee';

/** iproute2's one-line rendering of a route answer. */
export function routeText(r: RouteAnswer, dst?: string): string {
  if (r.error) return `${dst ?? r.dst ?? ''}: ${r.error}`.trim();
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(dst ?? r.dst ?? '');
  if (r.gateway) parts.push('via', r.gateway);
  if (r.dev) parts.push('dev', r.dev);
  if (r.protocol && r.protocol !== 'boot') parts.push('proto', r.protocol);
  if (r.onlink) parts.push('onlink');
  if (r.prefsrc) parts.push('src', r.prefsrc);
  return parts.join(' ');
}

/** Longest-prefix match over a route listing (to explain what the kernel's lookup refused). */
export function longestMatch(routes: RouteAnswer[], ip: string): RouteAnswer | undefined {
  let best: RouteAnswer | undefined;
  let bestLen = -1;
  for (const r of routes) {
    if (!r.dst) continue;
    const dst = r.dst.includes('/') ? r.dst : `${r.dst}/${isIPv4(r.dst) ? 32 : 128}`;
    let inside = false;
    try { inside = ipInCIDR(ip, dst); } catch { inside = false; }
    const len = Number(dst.split('/')[1]);
    if (inside && len > bestLen) { best = r; bestLen = len; }
  }
  return best;
}

function policyOf(d: PolicyDecision): HopPolicy {
  const name = d.name === undefined ? null : d.kind === 'NetworkPolicy' && d.namespace ? `${d.namespace}/${d.name}` : d.name;
  return { tier: d.tier ?? null, name, rule: d.rule ?? null, action: d.action, kind: d.kind };
}

/** Why a policy decision dropped, in words. */
export function policyReason(p: HopPolicy, dir: 'egress' | 'ingress', comment?: string): string {
  switch (p.kind) {
    case 'EndOfTier': return `${dir} policy: end of tier "${p.tier}" — policies of the tier select the endpoint but none allowed this packet (default deny)`;
    case 'NoProfileAllowed': return `${dir} policy: no policy decided and no profile allowed the packet`;
    case 'Dispatch': return `${comment ?? 'dropped before policy'}`;
    default: return `${dir} policy: ${p.kind} ${p.name} (tier ${p.tier ?? '-'}) rule ${p.rule} denies it`;
  }
}

function endpointOf(s: NodeSnapshot, iface: string | undefined): LocalEndpoint | undefined {
  return iface ? s.endpoints.find((e) => e.iface === iface) : undefined;
}

/** The pod's two steps: its route to the gateway, and the proxy-ARP answer from the host's veth end. */
function podHops(s: NodeSnapshot, pkt: TracePacket, ep: LocalEndpoint | undefined, iface: string): Hop[] {
  const link = s.links.find((l) => l.name === iface);
  const ns = ep ? `${ep.namespace}/${ep.pod}` : iface;
  const arpDetail = link
    ? `${WORKLOAD_GATEWAY} is answered by proxy ARP on the host end ${iface} (proxy_arp=${link.proxyArp ? 1 : 0}) with its MAC ${link.mac}`
    : `the host end ${iface} does not exist on ${s.node}`;
  return [
    {
      node: s.node, namespace: ns, interface: 'eth0', action: 'route',
      detail: `in pod ${ns}: default via ${WORKLOAD_GATEWAY} dev eth0 (the only route the CNI plugin installs; ${pkt.dst} goes to the gateway)`,
      command: `ip route get ${pkt.dst}`, verified: null,
    },
    { node: s.node, namespace: ns, interface: 'eth0', action: 'arp', detail: arpDetail, command: `ip neigh show ${WORKLOAD_GATEWAY}`, verified: null },
  ];
}

interface PolicyStep { hop: Hop; dropped?: string }

/** Egress (from a cali*) and ingress (to a cali*) policy on this node's forward path. */
function policySteps(s: NodeSnapshot, pkt: TracePacket, iif: string | undefined, oif: string | undefined): PolicyStep[] {
  const out: PolicyStep[] = [];
  const cali = (i?: string) => !!i && i.startsWith('cali');
  if (!cali(iif) && !cali(oif)) return out;
  if (!s.ruleset) {
    out.push({ hop: { node: s.node, action: cali(iif) ? 'egress-policy' : 'ingress-policy', detail: `policy is not enforced on ${s.node} (agent started with --no-policy)`, verified: null } });
    return out;
  }
  const base = {
    family: (isIPv4(pkt.dst) ? 4 : 6) as 4 | 6, saddr: pkt.src, daddr: pkt.dst, l4proto: pkt.protocol,
    sport: pkt.srcPort, dport: pkt.port, icmpType: pkt.protocol === 'icmp' ? (pkt.established ? 0 : 8) : undefined, icmpCode: pkt.protocol === 'icmp' ? 0 : undefined,
    ctState: pkt.established ? 'established' as const : undefined,
  };
  // Each direction is walked on its own so that both decisions can be named (cali-FORWARD runs the
  // from-workload dispatch, then the to-workload one; the packet passes only if both accept).
  const dirs: Array<['egress' | 'ingress', string | undefined, string | undefined, string]> = [];
  if (cali(iif)) dirs.push(['egress', iif, cali(oif) ? undefined : oif, iif!]);
  if (cali(oif)) dirs.push(['ingress', cali(iif) ? undefined : iif, oif, oif!]);
  for (const [dir, i, o, at] of dirs) {
    const w = walkRuleset(s.ruleset, 'forward', { ...base, iifname: i, oifname: o });
    const ep = endpointOf(s, at);
    const who = ep ? `${ep.namespace}/${ep.pod}` : at;
    const chain = dir === 'egress' ? `cali-fw-${at}` : `cali-tw-${at}`;
    const hop: Hop = {
      node: s.node, interface: at, action: dir === 'egress' ? 'egress-policy' : 'ingress-policy',
      command: `nft list chain inet tabby ${chain}`, verified: null,
    };
    if (w.decision) hop.policy = policyOf(w.decision);
    if (w.verdict === 'drop') {
      const reason = hop.policy ? policyReason(hop.policy, dir, w.decision?.comment) : `${dir} policy drops it`;
      hop.action = 'drop';
      hop.detail = hop.policy?.kind === 'Dispatch' ? `${dir === 'egress' ? 'from' : 'to'} ${who}: ${reason}` : `${who}: ${reason}`;
      out.push({ hop, dropped: reason });
      return out;
    }
    if (pkt.established && !w.decision) {
      hop.detail = `${dir} policy of ${who}: a reply of an accepted flow (ct state established) is accepted before any policy`;
      out.push({ hop });
      continue;
    }
    hop.detail = `${dir} policy of ${who}: allowed by ${hop.policy ? `${hop.policy.kind} ${hop.policy.name}${hop.policy.rule !== null ? ` rule ${hop.policy.rule}` : ''}${hop.policy.tier ? ` (tier ${hop.policy.tier})` : ''}` : 'no policy on this path'}`;
    out.push({ hop });
  }
  return out;
}

/** Why there is no usable route, with the datastore's side of the story (block affinity, BGP). */
export function explainNoRoute(s: NodeSnapshot, dst: string, answer: RouteAnswer | undefined): string {
  const listed = longestMatch(s.routes, dst);
  const block = s.blocks.find((b) => { try { return ipInCIDR(dst, b.cidr); } catch { return false; } });
  if (listed && (listed.type === 'blackhole' || answer?.type === 'blackhole')) {
    const affine = block?.node === s.node ? `the block ${block.cidr} is affine to ${s.node}, ` : '';
    return `blackhole route ${routeText(listed)}: ${affine}but no pod on ${s.node} has ${dst}`;
  }
  const inPool = s.pools.some((p) => { try { return ipInCIDR(dst, p.cidr); } catch { return false; } });
  if (!block || !inPool) return `no route to ${dst} on ${s.node}${answer?.error ? ` (${answer.error})` : ''}`;
  const owner = block.node ? ` affine to ${block.node}` : ' with no affinity';
  let why = '';
  const peer = (s.peers ?? []).find((p) => p.node === block.node);
  if (peer && peer.state !== 'Established') why = `; the BGP session with ${block.node} (${peer.address}) is ${peer.state}, so its routes are not learned`;
  else if (peer) why = `; the BGP session with ${block.node} is Established but it does not advertise ${block.cidr} (is its agent running and the block still affine?)`;
  return `no route to ${dst} on ${s.node}: its block ${block.cidr} is${owner}${why}`;
}

function decapHop(s: NodeSnapshot, arrival: Extract<Arrival, { from: 'fabric' }>): Hop {
  const e = arrival.encap!;
  const ipipKernel = s.links.find((l) => l.name === IPIP_DEVICE)?.kind === 'ipip';
  const iface = e.type === 'vxlan' ? VXLAN_DEVICE : ipipKernel ? IPIP_DEVICE : arrival.iface;
  const how = e.type === 'vxlan'
    ? `UDP ${e.udpPort ?? 4789} VNI ${e.vni ?? '?'} from ${e.outerSrc} is decapsulated by ${VXLAN_DEVICE}`
    : `IP protocol 4 from ${e.outerSrc} is decapsulated ${ipipKernel ? 'by tunl0 (kernel ipip)' : `on ${arrival.iface} ingress (tc eBPF)`}`;
  return {
    node: s.node, interface: arrival.iface, action: 'decapsulate', detail: `${how}; the inner packet is routed again`, encap: e,
    command: e.type === 'vxlan' ? `tcpdump -ni ${arrival.iface} udp port ${e.udpPort ?? 4789}` : `tcpdump -ni ${arrival.iface} ip proto 4`,
    verified: null, ...(iface !== arrival.iface ? { detail: `${how}; the inner packet is routed again from ${iface}` } : {}),
  };
}

/** The interface the decapsulated (or plain) packet appears to come from, for policy's iifname. */
function inboundInterface(s: NodeSnapshot, arrival: Arrival): string | undefined {
  if (arrival.from === 'workload') return arrival.iface;
  if (arrival.from === 'host') return undefined;
  if (arrival.encap?.type === 'vxlan') return VXLAN_DEVICE;
  if (arrival.encap?.type === 'ipip' && s.links.find((l) => l.name === IPIP_DEVICE)?.kind === 'ipip') return IPIP_DEVICE;
  return arrival.iface;
}

/**
 * A packet larger than the MTU of the device it must leave by, with DF set (ping's and TCP's path MTU
 * discovery): a pod's or node's own stack refuses to send it (EMSGSIZE); a forwarding node drops it before
 * its forward hook and answers ICMP "fragmentation needed" with the MTU.
 */
export function mtuDrop(s: NodeSnapshot, pkt: TracePacket, dev: string, forwarded: boolean, inPod?: string): Hop | undefined {
  const mtu = s.links.find((l) => l.name === dev)?.mtu;
  if (pkt.size === undefined || mtu === undefined || pkt.size <= mtu) return undefined;
  const overhead = dev === IPIP_DEVICE ? ' (the fabric\'s MTU less the 20-byte IPIP header)' : dev === VXLAN_DEVICE ? ' (the fabric\'s MTU less the 50-byte VXLAN header)' : '';
  const device = inPod ? `eth0 in pod ${inPod} (its veth ${dev} has MTU ${mtu})` : `${dev} (MTU ${mtu}${overhead})`;
  const what = inPod || !forwarded
    ? `the sender's kernel refuses it (EMSGSIZE, "message too long") rather than fragment it with DF set`
    : `with DF set ${s.node} drops it and answers ICMP "fragmentation needed, mtu ${mtu}" to ${pkt.src}`;
  return {
    node: s.node, ...(inPod ? { namespace: inPod, interface: 'eth0' } : { interface: dev }), action: 'drop',
    detail: `MTU: ${pkt.size} bytes exceed ${device}; ${what}`, command: inPod ? 'ip link show eth0' : `ip link show ${dev}`, verified: null,
  };
}

/** A reply to a masqueraded packet reaching the node: conntrack gives it back its pod destination. */
function reverseNat(s: NodeSnapshot, pkt: TracePacket, iface: string | undefined): { hop: Hop; pkt: TracePacket } | undefined {
  if (!pkt.unNatTo || !s.addresses.includes(pkt.dst)) return undefined;
  const hop: Hop = {
    node: s.node, ...(iface ? { interface: iface } : {}), action: 'reverse-nat',
    detail: `${pkt.src} → ${pkt.dst} is the reply of the masqueraded flow: conntrack turns its destination back into ${pkt.unNatTo}`,
    command: `conntrack -L -s ${pkt.unNatTo} -d ${pkt.src}`, verified: null,
  };
  return { hop, pkt: { ...pkt, dst: pkt.unNatTo, unNatTo: undefined } };
}

/** One node's part of the packet's life. */
export function nodeSegment(s: NodeSnapshot, pktAsked: TracePacket, arrivalAsked: Arrival): Segment {
  const hops: Hop[] = [];
  let pkt = pktAsked;
  // The sender does not know the receiver's interface names: a fabric arrival lands on the fabric interface.
  const arrival: Arrival = arrivalAsked.from === 'fabric' && !arrivalAsked.iface ? { ...arrivalAsked, iface: s.fabricInterface } : arrivalAsked;
  if (arrival.from === 'workload') {
    const ep = endpointOf(s, arrival.iface);
    hops.push(...podHops(s, pkt, ep, arrival.iface));
    const tooBig = mtuDrop(s, pkt, arrival.iface, false, ep ? `${ep.namespace}/${ep.pod}` : arrival.iface);
    if (tooBig) { hops.push(tooBig); return { hops, outcome: { kind: 'dropped', reason: tooBig.detail! } }; }
  }
  if (arrival.from === 'fabric' && arrival.encap) hops.push(decapHop(s, arrival));
  const unNat = reverseNat(s, pkt, arrival.from === 'fabric' ? arrival.iface : undefined);
  if (unNat) { hops.push(unNat.hop); pkt = unNat.pkt; }
  const iif = inboundInterface(s, arrival);
  if (s.addresses.includes(pkt.dst)) {
    hops.push({ node: s.node, interface: 'host', action: 'deliver', detail: `${pkt.dst} is ${s.node}'s own address: delivered to the host`, command: `ip route get ${pkt.dst}`, verified: null });
    return { hops, outcome: { kind: 'delivered' } };
  }
  const answer = s.lookups[pkt.dst];
  const listed = longestMatch(s.routes, pkt.dst);
  const usable = answer && !answer.error && answer.type === 'unicast' ? answer : undefined;
  const routeHop: Hop = { node: s.node, action: 'route', command: `ip route get ${pkt.dst}`, verified: null };
  if (!usable) {
    const reason = explainNoRoute(s, pkt.dst, answer ?? listed);
    hops.push({ ...routeHop, action: 'drop', detail: reason, ...(listed?.type === 'blackhole' ? { command: `ip route show type blackhole` } : {}) });
    return { hops, outcome: { kind: 'dropped', reason } };
  }
  const pool = s.pools.find((p) => ipInCIDR(pkt.dst, p.cidr));
  if (pool && listed?.dst && Number(listed.dst.split('/')[1]) < Number(pool.cidr.split('/')[1])) {
    // A pod address that only a route wider than its pool matches (the default) would leave the cluster.
    // The kernel still forwards it (to the default gateway), so the trace shows it leaving: no node gets it.
    const reason = `${explainNoRoute(s, pkt.dst, undefined)} (only ${routeText(listed)} matches, which leads out of the cluster)`;
    hops.push({ ...routeHop, interface: usable.dev!, detail: `route lookup on ${s.node}: ${routeText({ ...usable, dst: pkt.dst })}: ${reason}` });
    hops.push({
      node: s.node, interface: usable.dev!, action: 'leave-cluster', detail: `leaves ${s.node} towards ${usable.gateway ?? usable.dev}, where no node will deliver it`,
      command: `tcpdump -ni ${usable.dev} host ${pkt.dst}`, verified: null,
    });
    return { hops, outcome: { kind: 'dropped', reason } };
  }
  routeHop.interface = usable.dev!;
  routeHop.detail = `route lookup on ${s.node}: ${routeText({ ...usable, dst: pkt.dst })}${listed?.dst && listed.dst !== `${pkt.dst}/32` ? ` (matches ${routeText(listed)})` : ''}`;
  hops.push(routeHop);
  const tooBig = mtuDrop(s, pkt, usable.dev!, arrival.from !== 'host');
  if (tooBig) { hops.push(tooBig); return { hops, outcome: { kind: 'dropped', reason: `${s.node}: ${tooBig.detail}` } }; }
  for (const p of policySteps(s, pkt, iif, usable.dev)) {
    hops.push(p.hop);
    if (p.dropped) return { hops, outcome: { kind: 'dropped', reason: `${s.node}: ${p.dropped}` } };
  }
  return leaveNode(s, pkt, usable, hops);
}

/** After the route and policy: delivery to a local pod, a tunnel, the fabric, or out of the cluster. */
function leaveNode(s: NodeSnapshot, pkt: TracePacket, route: RouteAnswer, hops: Hop[]): Segment {
  const dev = route.dev ?? '';
  if (dev.startsWith('cali')) {
    const ep = endpointOf(s, dev);
    const who = ep ? `pod ${ep.namespace}/${ep.pod}` : `interface ${dev} (no endpoint known for it)`;
    hops.push({
      node: s.node, interface: dev, ...(ep ? { namespace: `${ep.namespace}/${ep.pod}` } : {}), action: 'deliver',
      detail: `over the veth ${dev} to ${who}, which receives it on eth0`, command: `tcpdump -ni ${dev} host ${pkt.dst}`, verified: null,
    });
    return { hops, outcome: { kind: 'delivered' } };
  }
  if (dev === IPIP_DEVICE || dev === VXLAN_DEVICE) return tunnel(s, pkt, route, hops);
  const inPool = s.pools.some((p) => ipInCIDR(pkt.dst, p.cidr));
  const nextNode = route.gateway ? s.nodeAddresses[route.gateway] : undefined;
  if (inPool && nextNode) {
    hops.push({
      node: s.node, interface: dev, action: 'transmit', detail: `unencapsulated on ${dev} to ${nextNode} (${route.gateway}), MTU ${mtuOf(s, dev)}`,
      command: `tcpdump -ni ${dev} host ${pkt.src} and host ${pkt.dst}`, verified: null,
    });
    return { hops, outcome: { kind: 'forward', node: nextNode, address: route.gateway!, arrival: { from: 'fabric', iface: '' }, packet: pkt } };
  }
  return external(s, pkt, route, hops);
}

function mtuOf(s: NodeSnapshot, dev: string): number | string {
  return s.links.find((l) => l.name === dev)?.mtu ?? '?';
}

/** Out of the cluster: masquerade when the source pool has natOutgoing, then the node's route onward. */
function external(s: NodeSnapshot, pkt: TracePacket, route: RouteAnswer, hops: Hop[]): Segment {
  const dev = route.dev ?? '';
  const srcPool = s.pools.find((p) => ipInCIDR(pkt.src, p.cidr));
  const dstPool = s.pools.some((p) => ipInCIDR(pkt.dst, p.cidr));
  let out = pkt;
  if (srcPool?.natOutgoing && !dstPool) {
    const natSrc = route.prefsrc ?? s.addresses[0] ?? '?';
    hops.push({
      node: s.node, interface: dev, action: 'snat',
      detail: `NAT outgoing: pool ${srcPool.cidr} has natOutgoing and ${pkt.dst} is outside every pool, so ${pkt.src} is masqueraded to ${natSrc}`,
      command: 'nft list table ip tabby-nat', verified: null,
    });
    out = { ...pkt, src: natSrc };
  } else if (srcPool && !dstPool) {
    hops.push({ node: s.node, interface: dev, action: 'route', detail: `pool ${srcPool.cidr} has no natOutgoing: the packet leaves with the pod's address ${pkt.src} (replies need a route back)`, verified: null });
  }
  const via = route.gateway ? `via ${route.gateway} ` : '';
  hops.push({
    node: s.node, interface: dev, action: 'leave-cluster', detail: `leaves ${s.node} ${via}on ${dev} (MTU ${mtuOf(s, dev)}), as ${out.src} → ${out.dst}`,
    command: `tcpdump -ni ${dev} host ${out.dst}`, verified: null,
  });
  return { hops, outcome: { kind: 'left-cluster', via: route.gateway ?? dev } };
}

/** IPIP or VXLAN: the outer header, the VTEP's MAC, and the outer packet's own route across the fabric. */
function tunnel(s: NodeSnapshot, pkt: TracePacket, route: RouteAnswer, hops: Hop[]): Segment {
  const dev = route.dev!;
  let outerDst = route.gateway ?? '';
  let encap: HopEncap;
  let encapCommand: string;
  if (dev === VXLAN_DEVICE) {
    const neigh = s.neighbours.find((n) => n.dev === dev && n.ip === route.gateway);
    const fdb = neigh?.mac ? s.fdb.find((f) => f.dev === dev && f.mac === neigh.mac) : undefined;
    if (!neigh?.mac || !fdb) {
      const reason = `no ${!neigh?.mac ? `ARP entry for the VTEP ${route.gateway}` : `FDB entry for ${neigh.mac}`} on ${dev}: the agent has not programmed that node's VTEP`;
      hops.push({ node: s.node, interface: dev, action: 'drop', detail: reason, command: `ip neigh show dev ${dev}; bridge fdb show dev ${dev}`, verified: null });
      return { hops, outcome: { kind: 'dropped', reason } };
    }
    outerDst = fdb.dst;
    const vx = s.links.find((l) => l.name === dev)?.vxlan;
    encap = { type: 'vxlan', outerSrc: '', outerDst, ipProtocol: 17, vni: vx?.vni ?? 4096, udpPort: vx?.port ?? 4789, vtepMac: neigh.mac };
    encapCommand = `ip neigh show dev ${dev}; bridge fdb show dev ${dev}`;
  } else {
    encap = { type: 'ipip', outerSrc: '', outerDst, ipProtocol: 4 };
    encapCommand = `ip route show dev ${IPIP_DEVICE}`;
  }
  const outer = s.lookups[outerDst];
  if (!outer || outer.error || outer.type !== 'unicast') {
    const reason = `the tunnel endpoint ${outerDst} is unreachable from ${s.node}${outer?.error ? ` (${outer.error})` : ''}`;
    hops.push({ node: s.node, interface: dev, action: 'drop', detail: reason, command: `ip route get ${outerDst}`, verified: null });
    return { hops, outcome: { kind: 'dropped', reason } };
  }
  encap.outerSrc = outer.prefsrc ?? s.addresses[0] ?? '?';
  const what = encap.type === 'vxlan'
    ? `VXLAN: outer ${encap.outerSrc} → ${outerDst} UDP ${encap.udpPort} VNI ${encap.vni}, inner destination MAC ${encap.vtepMac} (the VTEP of ${s.nodeAddresses[outerDst] ?? outerDst})`
    : `IPIP: outer ${encap.outerSrc} → ${outerDst}, IP protocol 4`;
  hops.push({ node: s.node, interface: dev, action: 'encapsulate', detail: `${what}; ${dev} MTU ${mtuOf(s, dev)}`, encap, command: encapCommand, verified: null });
  const nextNode = s.nodeAddresses[outerDst];
  const across = outer.gateway ? `through the router ${outer.gateway} (another subnet)` : 'on the same subnet';
  hops.push({
    node: s.node, interface: outer.dev!, action: 'transmit', detail: `the outer packet leaves on ${outer.dev} ${across}: ${routeText({ ...outer, dst: outerDst })}`,
    encap, command: `tcpdump -ni ${outer.dev} ${encap.type === 'vxlan' ? `udp port ${encap.udpPort}` : 'ip proto 4'} and host ${outerDst}`, verified: null,
  });
  if (!nextNode) {
    const reason = `${outerDst} is not a known node address`;
    return { hops, outcome: { kind: 'dropped', reason } };
  }
  return { hops, outcome: { kind: 'forward', node: nextNode, address: outerDst, arrival: { from: 'fabric', iface: '', encap }, packet: pkt } };
}

// A node's snapshot for `tabby trace`, read from this node's kernel (netlink: RTM_GETROUTE lookups, the
// route table, links, ARP and FDB of vxlan.calico, proxy_arp of the veth asked about) and the agent's
// datastore view (endpoints, pools, blocks, nodes) plus the policy table as the policy manager applied it.
// The pure model (src/trace/model.ts) then tells this node's part.
import type { BgpStatus } from '../bgp/status.ts';
import type { Resource } from '../api/resource.ts';
import { AF_BRIDGE, AF_INET, isNetlinkError, readSysctl, type Link, type Netlink, type Route } from '../netlink/index.ts';
import type { RulesetModel } from '../policy/ruleset-model.ts';
import { VXLAN_DEVICE } from '../trace/model.ts';
import type { Arrival, NodeSnapshot, PeerInfo, RouteAnswer, TracePacket } from '../trace/types.ts';

export interface TraceSources {
  nodeName: string;
  items(kind: string): Iterable<Resource>;
  /** The policy table as last applied; null when this agent does not enforce policy. */
  ruleset(): RulesetModel | null;
  bgpPeers(): { address: string; state: string }[];
  /** The speaker's whole status, for GET /trace/status (the web view); BGP_NOT_RUNNING without BGP. */
  bgpStatus?(): BgpStatus;
  /** The agent's readiness (/readiness), for GET /trace/status. */
  ready?(): boolean;
  vxlan(): { vni: number; port: number } | undefined;
  /** A netlink socket in the node's namespace (closed by the caller). */
  openNetlink(): Netlink;
}

const PROTOCOL_NAMES: Record<number, string> = { 2: 'kernel', 3: 'boot', 4: 'static', 12: 'bird', 16: 'dhcp' };

function typeName(t: Route['type']): string { return typeof t === 'number' ? String(t) : t; }

function answerOf(r: Route, links: Map<number, Link>): RouteAnswer {
  const dev = r.oif !== undefined ? links.get(r.oif)?.name : undefined;
  return {
    dst: r.dst, type: typeName(r.type), protocol: PROTOCOL_NAMES[r.protocol] ?? String(r.protocol),
    ...(r.gateway ? { gateway: r.gateway } : {}), ...(dev ? { dev } : {}), ...(r.onlink ? { onlink: true } : {}), ...(r.src ? { prefsrc: r.src } : {}),
  };
}

/** `ip route get` and `ip route get fibmatch` together: the matched entry, and the source the kernel picks. */
async function lookup(nl: Netlink, ip: string, links: Map<number, Link>): Promise<RouteAnswer> {
  let fib: Route | undefined;
  try { fib = await nl.getRoute(ip, { fibMatch: true }); } catch (e) { if (!isNetlinkError(e)) throw e; }
  try {
    const got = await nl.getRoute(ip);
    const a = answerOf(got, links);
    return fib ? { ...answerOf(fib, links), ...(a.prefsrc ? { prefsrc: a.prefsrc } : {}) } : a;
  } catch (e) {
    if (!isNetlinkError(e)) throw e;
    return { ...(fib ? answerOf(fib, links) : { type: 'unreachable' }), error: `the kernel refuses the lookup (${e.code})` };
  }
}

function nodeAddresses(nodes: Resource[]): { byAddress: Record<string, string>; own: (name: string) => string[] } {
  const byAddress: Record<string, string> = {};
  const perNode = new Map<string, string[]>();
  for (const n of nodes) {
    const spec = (n.spec ?? {}) as Record<string, any>;
    const addrs = [spec.bgp?.ipv4Address, spec.bgp?.ipv4IPIPTunnelAddr, spec.ipv4VXLANTunnelAddr]
      .filter((a): a is string => typeof a === 'string' && a.length > 0).map((a) => a.split('/')[0]!);
    perNode.set(n.metadata.name, addrs);
    for (const a of addrs) byAddress[a] = n.metadata.name;
  }
  return { byAddress, own: (name) => perNode.get(name) ?? [] };
}

function datastoreView(src: TraceSources): Pick<NodeSnapshot, 'endpoints' | 'pools' | 'blocks' | 'nodeAddresses'> & { own: string[] } {
  const nodes = nodeAddresses([...src.items('Node')]);
  const endpoints = [...src.items('WorkloadEndpoint')].filter((w) => (w.spec as any)?.node === src.nodeName).map((w) => {
    const s = w.spec as Record<string, any>;
    return {
      iface: String(s.interfaceName ?? ''), name: w.metadata.name, namespace: w.metadata.namespace ?? '', pod: String(s.pod ?? w.metadata.name),
      ips: ((s.ipNetworks ?? []) as string[]).map((n) => n.split('/')[0]!),
    };
  });
  const pools = [...src.items('IPPool')].map((p) => {
    const s = p.spec as Record<string, any>;
    return { cidr: String(s.cidr), natOutgoing: !!s.natOutgoing, ipipMode: String(s.ipipMode ?? 'Never'), vxlanMode: String(s.vxlanMode ?? 'Never') };
  });
  const blocks = [...src.items('IPAMBlock')].map((b) => {
    const s = b.spec as Record<string, any>;
    const aff = typeof s.affinity === 'string' && s.affinity.startsWith('host:') ? s.affinity.slice(5) : undefined;
    return { cidr: String(s.cidr), ...(aff ? { node: aff } : {}) };
  });
  return { endpoints, pools, blocks, nodeAddresses: nodes.byAddress, own: nodes.own(src.nodeName) };
}

/** The addresses the model will ask the kernel about: the destination, its gateway, VTEP nodes. */
async function lookups(nl: Netlink, dst: string, links: Map<number, Link>, fdbDsts: string[]): Promise<Record<string, RouteAnswer>> {
  const out: Record<string, RouteAnswer> = {};
  const first = await lookup(nl, dst, links);
  out[dst] = first;
  for (const ip of [first.gateway, ...fdbDsts]) if (ip && !out[ip]) out[ip] = await lookup(nl, ip, links);
  return out;
}

export async function gatherSnapshot(src: TraceSources, pkt: TracePacket, arrival: Arrival): Promise<NodeSnapshot> {
  const view = datastoreView(src);
  const nl = src.openNetlink();
  try {
    const linkList = await nl.listLinks();
    const links = new Map(linkList.map((l) => [l.index, l]));
    const addrs = await nl.listAddresses({ family: 4 });
    const fabricAddr = addrs.find((a) => view.own.includes(a.ip));
    const fabricInterface = fabricAddr ? links.get(fabricAddr.index)?.name ?? '' : '';
    const vx = linkList.find((l) => l.name === VXLAN_DEVICE);
    const neighbours = vx ? (await nl.listNeighbors(AF_INET, vx.index)).map((n) => ({ dev: VXLAN_DEVICE, ip: n.dst ?? '', ...(n.lladdr ? { mac: n.lladdr } : {}), permanent: n.permanent })) : [];
    const fdb = vx ? (await nl.listNeighbors(AF_BRIDGE, vx.index)).filter((n) => n.dst && n.lladdr).map((n) => ({ dev: VXLAN_DEVICE, mac: n.lladdr!, dst: n.dst! })) : [];
    const vxlan = src.vxlan();
    const askedIface = arrival.from === 'workload' ? arrival.iface : undefined;
    const routes = (await nl.listRoutes({ family: 4 })).map((r) => answerOf(r, links));
    const peers: PeerInfo[] = src.bgpPeers().map((p) => ({ address: p.address, state: p.state, ...(view.nodeAddresses[p.address] ? { node: view.nodeAddresses[p.address]! } : {}) }));
    return {
      node: src.nodeName,
      addresses: [...new Set([...(fabricAddr ? [fabricAddr.ip] : []), ...view.own, ...addrs.map((a) => a.ip).filter((a) => a !== '127.0.0.1')])],
      fabricInterface,
      links: linkList.map((l) => ({
        name: l.name, mtu: l.mtu, mac: l.mac, ...(l.kind ? { kind: l.kind } : {}),
        ...(l.name === askedIface ? { proxyArp: readSysctl(`net.ipv4.conf.${l.name}.proxy_arp`) === '1' } : {}),
        ...(l.name === VXLAN_DEVICE && vxlan ? { vxlan } : {}),
      })),
      routes,
      // A reply to a masqueraded flow is routed on to the pod once conntrack has reversed the NAT.
      lookups: { ...(pkt.unNatTo ? await lookups(nl, pkt.unNatTo, links, []) : {}), ...await lookups(nl, pkt.dst, links, fdb.map((f) => f.dst)) },
      neighbours, fdb,
      endpoints: view.endpoints, ruleset: src.ruleset(), pools: view.pools, blocks: view.blocks, peers, nodeAddresses: view.nodeAddresses,
    };
  } finally {
    nl.close();
  }
}

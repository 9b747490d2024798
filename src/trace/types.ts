// `tabby trace`: the shapes. The JSON answer (TraceResult, stable and documented in docs/trace.md), the
// packet asked about, and the snapshot of one node's kernel and datastore view that the pure model reads.
import type { RulesetModel } from '../policy/ruleset-model.ts';

export type TraceProtocol = 'tcp' | 'udp' | 'icmp';

export interface TracePacket {
  src: string;
  dst: string;
  protocol: TraceProtocol;
  /** Destination port (tcp/udp). */
  port?: number | undefined;
  /** Source port (tcp/udp); the probe's, when verifying. */
  srcPort?: number | undefined;
  /** IP total length in bytes (--size); the packet has DF set, so a larger MTU-exceeding packet is dropped. */
  size?: number | undefined;
  /** A reply of an accepted flow (conntrack state established), not the first packet of a connection. */
  established?: boolean | undefined;
  /** A reply to a masqueraded packet: conntrack turns its destination (the node's address) back into this one. */
  unNatTo?: string | undefined;
}

export interface HopPolicy {
  /** The tier; null for profiles and for drops outside any tier (anti-spoofing, unknown interface). */
  tier: string | null;
  /** `namespace/name` for a NetworkPolicy, the name otherwise; null for an end-of-tier drop. */
  name: string | null;
  /** Index of the rule in the policy's ingress/egress list; null when no rule decided. */
  rule: number | null;
  action: 'Allow' | 'Deny';
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'Profile' | 'EndOfTier' | 'NoProfileAllowed' | 'Dispatch';
}

export interface HopEncap {
  type: 'ipip' | 'vxlan';
  outerSrc: string;
  outerDst: string;
  /** IP protocol of the outer header: 4 (IPIP) or 17 (UDP, VXLAN). */
  ipProtocol: 4 | 17;
  vni?: number;
  udpPort?: number;
  /** The remote VTEP's MAC (inner destination MAC), from the ARP/FDB entries of vxlan.calico. */
  vtepMac?: string;
}

export type HopAction =
  | 'route' | 'arp' | 'egress-policy' | 'ingress-policy' | 'encapsulate' | 'transmit' | 'fabric'
  | 'decapsulate' | 'snat' | 'reverse-nat' | 'deliver' | 'leave-cluster' | 'drop';

export interface Hop {
  node: string;
  /** The network namespace, for hops inside a pod. */
  namespace?: string;
  interface?: string;
  action: HopAction;
  detail?: string;
  policy?: HopPolicy;
  encap?: HopEncap;
  /** What a user runs to see this hop for themselves. */
  command?: string;
  /** true/false: seen/not seen by --verify's capture; null: not verified. */
  verified: boolean | null;
  /** What the capture saw, when verified. */
  observed?: string;
}

export interface TraceResult {
  verdict: 'delivered' | 'dropped';
  reason?: string;
  hops: Hop[];
  /** Where a verified capture disagreed with the prediction. */
  contradictions?: string[];
  /** The packet traced (addresses resolved from SRC and DST). */
  packet?: TracePacket;
  /** The reply's own path, when it differs from the forward path's (NAT outgoing, another encapsulation or route). */
  reply?: TraceReply;
}

export interface TraceReply {
  /** Why the reply is told separately. */
  differs: string;
  verdict: 'delivered' | 'dropped';
  reason?: string;
  packet: TracePacket;
  hops: Hop[];
}

// ---- one node's state, as its agent reads it --------------------------------------------------------------

export interface RouteAnswer {
  /** The matched route's destination (CIDR) when known. */
  dst?: string;
  type: string;
  gateway?: string;
  dev?: string;
  /** iproute2's name for the protocol (bird, kernel, boot, 80…). */
  protocol?: string;
  onlink?: boolean;
  prefsrc?: string;
  /** Set when the kernel refused the lookup (e.g. ENETUNREACH, EINVAL for a blackhole). */
  error?: string;
}

export interface LinkInfo {
  name: string;
  mtu: number;
  mac: string;
  kind?: string;
  /** net.ipv4.conf.<if>.proxy_arp, read for cali* interfaces. */
  proxyArp?: boolean;
  vxlan?: { vni: number; port: number };
}

export interface NeighbourInfo { dev: string; ip: string; mac?: string; permanent: boolean }
export interface FdbInfo { dev: string; mac: string; dst: string }

export interface LocalEndpoint {
  iface: string;
  /** WorkloadEndpoint name. */
  name: string;
  namespace: string;
  pod: string;
  ips: string[];
}

export interface PoolInfo { cidr: string; natOutgoing: boolean; ipipMode: string; vxlanMode: string }
export interface BlockInfo { cidr: string; node?: string }
export interface PeerInfo { address: string; state: string; node?: string }

export interface NodeSnapshot {
  node: string;
  /** The node's addresses (fabric first, then tunnel). */
  addresses: string[];
  /** The interface holding the node's fabric address (ens3, eth0). */
  fabricInterface: string;
  links: LinkInfo[];
  /** The main table, as `ip route` lists it (to explain blackholes and missing routes). */
  routes: RouteAnswer[];
  /** RTM_GETROUTE answers, by destination address. */
  lookups: Record<string, RouteAnswer>;
  neighbours: NeighbourInfo[];
  fdb: FdbInfo[];
  endpoints: LocalEndpoint[];
  /** The policy table as applied; null when this node's agent does not enforce policy. */
  ruleset: RulesetModel | null;
  pools: PoolInfo[];
  blocks: BlockInfo[];
  /** BGP sessions (bird backend), to explain a missing route. */
  peers?: PeerInfo[];
  /** Cluster nodes by address: where a next hop lives. */
  nodeAddresses: Record<string, string>;
}

/** How the packet reaches the node asked. */
export type Arrival =
  | { from: 'workload'; iface: string }
  | { from: 'host' }
  | { from: 'fabric'; iface: string; encap?: HopEncap };

/** What one node says about its part. */
export interface Segment {
  hops: Hop[];
  outcome:
    | { kind: 'delivered' }
    | { kind: 'dropped'; reason: string }
    | { kind: 'forward'; node: string; address: string; arrival: Arrival; packet: TracePacket }
    | { kind: 'left-cluster'; via: string };
}

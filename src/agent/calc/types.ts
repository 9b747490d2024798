// The desired kernel state the pure calculation produces and the reconcilers converge to.

/** Route protocols (rtm_protocol). 80 marks the agent's own routes, as Felix does; 12 is `proto bird`. */
export const PROTO_BOOT = 3;
export const PROTO_BIRD = 12;
export const PROTO_AGENT = 80;

export const VXLAN_DEVICE = 'vxlan.calico';
export const VXLAN_VNI = 4096;
export const VXLAN_PORT = 4789;
export const IPIP_DEVICE = 'tunl0';
export const VXLAN_OVERHEAD = 50;
export const IPIP_OVERHEAD = 20;

/** Why a route exists; the reconciler uses it for ownership and adoption decisions. */
export type RouteClass = 'workload' | 'blackhole' | 'vxlan' | 'ipip' | 'direct' | 'bgp';

export interface DesiredRoute {
  /** Destination CIDR, always with its prefix length (10.244.1.5/32). */
  dst: string;
  type: 'unicast' | 'blackhole';
  dev?: string;
  gateway?: string;
  onlink?: boolean;
  scope?: 'link';
  proto: number;
  class: RouteClass;
}

/** A remote node's VXLAN tunnel endpoint: ARP (tunnelIp → mac) and FDB (mac → nodeIp) entries. */
export interface Vtep {
  node: string;
  tunnelIp: string;
  mac: string;
  nodeIp: string;
}

/** This node's vxlan.calico device. */
export interface LocalVtep {
  tunnelIp: string;
  mac: string;
  nodeIp: string;
  parentIface: string;
  mtu: number;
  vni: number;
  port: number;
}

export interface IpipDevice {
  tunnelIp: string;
  mtu: number;
}

export interface NatState {
  /** Pools whose traffic is masqueraded when leaving every pool (natOutgoing). */
  masqPools: string[];
  /** Every pool: destinations inside them are never masqueraded. */
  allPools: string[];
}

export interface DesiredState {
  routes: Map<string, DesiredRoute>;
  localVtep?: LocalVtep | undefined;
  /** Remote VTEPs by node name. */
  vteps: Map<string, Vtep>;
  ipip?: IpipDevice | undefined;
  nat: NatState;
  /** Host-side interfaces of local workloads (per-interface sysctls). */
  workloadInterfaces: string[];
  /** MTU pods should use (host MTU minus the largest enabled encapsulation overhead). */
  podMtu: number;
  /** Resources the calculation skipped, with the reason. */
  problems: string[];
}

/** A route the BGP speaker learned (its best path per prefix). */
export interface LearnedRoute {
  prefix: string;
  nextHop: string;
  peer: string;
}

/** The speaker's learned routes as handed over (read when iterated, not copied), or any list of them. */
export interface LearnedRouteSet extends Iterable<LearnedRoute> { readonly size: number }

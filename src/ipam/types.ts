// The IPAM contract used by the CNI plugin (calico-ipam role), the node agent (tunnel addresses) and
// `tabby ipam`. Implemented by src/ipam/allocator.ts on top of any Datastore.

export type IntendedUse = 'Workload' | 'Tunnel';

/** Attributes recorded with an allocation (Calico's `attributes[].secondary`). */
export interface AllocationAttrs {
  node?: string;
  namespace?: string;
  pod?: string;
  /** e.g. 'ipipTunnelAddress', 'vxlanTunnelAddress' for tunnel allocations. */
  type?: string;
  timestamp?: string;
}

export interface AutoAssignRequest {
  /** Handle ID, `<network>.<containerID>` for pods, `vxlan-tunnel-addr-<node>` for tunnels. */
  handleId: string;
  /** The node whose blocks are used / claimed. */
  node: string;
  /** Number of IPv4 addresses wanted (usually 1). */
  num4: number;
  /** Restrict to these pools (names or CIDRs); omitted = every enabled pool that allows the use and selects the node. */
  pools?: string[] | undefined;
  intendedUse?: IntendedUse;
  attrs?: AllocationAttrs;
  /**
   * Labels of the workload's namespace, for pools' `namespaceSelector`. Undefined (tunnel addresses, a
   * workload without one) evaluates selectors against no labels, as Calico does with no Namespace.
   */
  namespaceLabels?: Record<string, string> | undefined;
}

export interface AutoAssignResult {
  /** Assigned addresses as `a.b.c.d/<blockPrefix>` (Calico returns block-masked CIDRs; CNI narrows to /32). */
  ips: string[];
}

export interface Ipam {
  autoAssign(req: AutoAssignRequest): Promise<AutoAssignResult>;
  /**
   * Assign one specific address (e.g. a requested IP). Fails if taken, outside every pool, or (with
   * `intendedUse`) in a pool whose allowedUses lack that use. IPReservations do not apply, as in Calico.
   */
  assignIP(ip: string, handleId: string, node: string, attrs?: AllocationAttrs, intendedUse?: IntendedUse): Promise<void>;
  /** Release every address held by the handle. A missing handle is not an error (returns 0). */
  releaseByHandle(handleId: string): Promise<number>;
  /** Release addresses; returns those that were not allocated (a no-op for them). */
  releaseIPs(ips: string[]): Promise<string[]>;
  /** Addresses currently held by a handle. */
  ipsByHandle(handleId: string): Promise<string[]>;
}

/** What createIpam() (src/ipam/index.ts) returns beyond Ipam: tunnel addresses for the node agent, block cleanup. */
export interface IpamAdmin extends Ipam {
  /** The node's IPIP/VXLAN tunnel address (handle `<type>-tunnel-addr-<node>`), allocated once from a pool with
   *  that encapsulation and written to the Node; undefined when no such pool selects the node. */
  ensureTunnelAddress(node: string, type: 'ipip' | 'vxlan'): Promise<string | undefined>;
  /** Release the node's tunnel address of this type and clear it from the Node; returns how many were released. */
  releaseTunnelAddress(node: string, type: 'ipip' | 'vxlan'): Promise<number>;
  /** Release the node's empty affine blocks (keepOne: leave one, as Calico does for live nodes). */
  releaseEmptyAffineBlocks(node: string, keepOne?: boolean): Promise<string[]>;
}

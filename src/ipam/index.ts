// IPAM: Calico's block-affinity allocator plus the helpers `tabby ipam` uses.
import type { Datastore } from '../datastore/types.ts';
import { BlockAffinityAllocator, type IpamOptions } from './allocator.ts';

export type * from './types.ts';
export { BlockAffinityAllocator, IpamError, ipamStats, tunnelHandle, TUNNEL_ATTR_TYPE } from './allocator.ts';
export type { IpamErrorCode, IpamOptions, TunnelType } from './allocator.ts';
export * from './model.ts';
export * from './report.ts';
export * as ip4 from '../net/ipv4.ts';

/** The allocator for a datastore: the Ipam contract plus admin methods (config, tunnel addresses, block release). */
export function createIpam(ds: Datastore, opts?: IpamOptions): BlockAffinityAllocator {
  return new BlockAffinityAllocator(ds, opts);
}

// Node tunnel addresses (calico-node's allocate-tunnel-addrs): one IPIP or VXLAN address per node, held by a
// well-known handle and recorded on the Node resource.
import type { Datastore } from '../datastore/types.ts';
import { isDatastoreError } from '../datastore/types.ts';
import { cidr4ContainsIP, parseIPv4 } from '../net/ipv4.ts';
import { isConflict, MAX_CAS_RETRIES, tooManyRetries } from './cas.ts';
import { KIND_NODE } from './model.ts';
import { candidatePools } from './pools.ts';
import { ipsByHandle, releaseByHandle, releaseIPs } from './release.ts';
import type { Ipam } from './types.ts';

export type TunnelType = 'ipip' | 'vxlan';

export const TUNNEL_ATTR_TYPE: Record<TunnelType, string> = { ipip: 'ipipTunnelAddress', vxlan: 'vxlanTunnelAddress' };

export function tunnelHandle(type: TunnelType, node: string): string {
  return `${type}-tunnel-addr-${node}`;
}

/**
 * The node's IPIP or VXLAN tunnel address (allocate-tunnel-addrs): reuse the one its handle holds, else
 * allocate one (IntendedUse Tunnel) from a pool with that encapsulation on; record it on the Node
 * (spec.bgp.ipv4IPIPTunnelAddr / spec.ipv4VXLANTunnelAddr) when the Node exists. Undefined when no pool
 * for the node has that encapsulation enabled.
 */
export async function ensureTunnelAddress(
  ds: Datastore, autoAssign: Ipam['autoAssign'], node: string, type: TunnelType,
): Promise<string | undefined> {
  const handleId = tunnelHandle(type, node);
  const pools = (await candidatePools(ds, node, 'Tunnel')).filter((p) => (type === 'ipip' ? p.ipipMode : p.vxlanMode) !== 'Never');
  let ip: string | undefined;
  for (const held of await ipsByHandle(ds, handleId)) {
    const addr = parseIPv4(held.split('/')[0]!);
    if (!ip && pools.some((p) => cidr4ContainsIP(p.net, addr))) ip = held.split('/')[0];
    else await releaseIPs(ds, [held]); // a second address, or one from a pool that no longer qualifies
  }
  if (!ip) {
    if (!pools.length) {
      await writeNodeTunnelAddr(ds, node, type, undefined);
      return undefined;
    }
    const res = await autoAssign({
      handleId, node, num4: 1, pools: pools.map((p) => p.name), intendedUse: 'Tunnel',
      attrs: { node, type: TUNNEL_ATTR_TYPE[type] },
    });
    ip = res.ips[0]!.split('/')[0]!;
  }
  await writeNodeTunnelAddr(ds, node, type, ip);
  return ip;
}

/** Release the node's tunnel address of this type and clear it from the Node. */
export async function releaseTunnelAddress(ds: Datastore, node: string, type: TunnelType): Promise<number> {
  const n = await releaseByHandle(ds, tunnelHandle(type, node));
  await writeNodeTunnelAddr(ds, node, type, undefined);
  return n;
}

async function writeNodeTunnelAddr(ds: Datastore, node: string, type: TunnelType, ip: string | undefined): Promise<void> {
  for (let i = 0; i < MAX_CAS_RETRIES; i++) {
    const n = await ds.get(KIND_NODE, node);
    if (!n) return;
    const spec: Record<string, any> = structuredClone(n.spec ?? {});
    if (type === 'ipip') {
      spec.bgp ??= {};
      if (spec.bgp.ipv4IPIPTunnelAddr === ip) return;
      if (ip) spec.bgp.ipv4IPIPTunnelAddr = ip;
      else if (spec.bgp.ipv4IPIPTunnelAddr !== undefined) delete spec.bgp.ipv4IPIPTunnelAddr;
      else return;
    } else {
      if (spec.ipv4VXLANTunnelAddr === ip) return;
      if (ip) spec.ipv4VXLANTunnelAddr = ip;
      else if (spec.ipv4VXLANTunnelAddr !== undefined) delete spec.ipv4VXLANTunnelAddr;
      else return;
    }
    try {
      await ds.update({ ...n, spec });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
      if (isDatastoreError(e, 'NotFound')) return;
    }
  }
  throw tooManyRetries(`Node ${node}`);
}

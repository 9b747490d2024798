// Resource builders for agent tests, in the shapes the other components write.
import type { Resource } from '../../src/api/resource.ts';

const API = 'projectcalico.org/v3';
let rv = 1;

export function pool(name: string, cidr: string, spec: Record<string, unknown> = {}): Resource {
  return { apiVersion: API, kind: 'IPPool', metadata: { name, resourceVersion: String(rv++) }, spec: { cidr, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: false, ...spec } };
}

export function node(name: string, ipCidr: string, extra: { vxlan?: string; mac?: string; ipip?: string } = {}): Resource {
  const spec: Record<string, any> = { bgp: { ipv4Address: ipCidr } };
  if (extra.vxlan) spec.ipv4VXLANTunnelAddr = extra.vxlan;
  if (extra.mac) spec.vxlanTunnelMACAddr = extra.mac;
  if (extra.ipip) spec.bgp.ipv4IPIPTunnelAddr = extra.ipip;
  return { apiVersion: API, kind: 'Node', metadata: { name, resourceVersion: String(rv++) }, spec };
}

export function block(cidr: string, nodeName?: string, extra: Record<string, unknown> = {}): Resource {
  return {
    apiVersion: API, kind: 'IPAMBlock', metadata: { name: cidr.replace(/[./]/g, '-'), resourceVersion: String(rv++) },
    spec: { cidr, affinity: nodeName ? `host:${nodeName}` : undefined, allocations: [], unallocated: [], attributes: [], ...extra },
  };
}

export function wep(ns: string, pod: string, nodeName: string, ip: string, iface: string): Resource {
  return {
    apiVersion: API, kind: 'WorkloadEndpoint', metadata: { name: `${nodeName}-k8s-${pod}-eth0`, namespace: ns, resourceVersion: String(rv++) },
    spec: { node: nodeName, pod, endpoint: 'eth0', orchestrator: 'k8s', interfaceName: iface, ipNetworks: [`${ip}/32`] },
  };
}

// Typed, validated views of the datastore resources the agent's calculation reads. Parsing is lenient in
// the way Felix is: a resource that cannot be understood is skipped (and reported), never fatal, so one
// bad object cannot stop a node from programming everything else. Pure: no I/O.
import type { Resource } from '../../api/resource.ts';
import { cidr4ContainsIP, formatCidr4, parseCidr4, parseIPv4, type Cidr4 } from '../../net/ipv4.ts';

export type EncapMode = 'Never' | 'Always' | 'CrossSubnet';

export interface PoolInfo {
  name: string;
  cidr: string;
  net: Cidr4;
  ipipMode: EncapMode;
  vxlanMode: EncapMode;
  natOutgoing: boolean;
  disabled: boolean;
}

export interface NodeInfo {
  name: string;
  /** Node address with its subnet, e.g. 10.0.0.5/24 (spec.bgp.ipv4Address). */
  ipv4Cidr?: string;
  /** The bare address of ipv4Cidr. */
  ipv4?: string;
  vxlanTunnelAddr?: string;
  /** spec.vxlanTunnelMACAddr, else Calico's derivation from the node name. */
  vxlanTunnelMac: string;
  ipipTunnelAddr?: string;
}

export interface BlockInfo {
  cidr: string;
  net: Cidr4;
  /** Node name for `host:<node>` affinity; undefined when unaffine or virtual. */
  affinityNode?: string | undefined;
}

export interface WorkloadInfo {
  /** `<namespace>/<name>` */
  key: string;
  node: string;
  interfaceName: string;
  /** IPv4 addresses (bare, no prefix) from spec.ipNetworks. */
  ipv4s: string[];
}

export type Problem = { resource: string; reason: string };

function encapMode(v: unknown, field: string, problems: string[]): EncapMode {
  if (v === undefined || v === null || v === '') return 'Never';
  if (v === 'Never' || v === 'Always' || v === 'CrossSubnet') return v;
  problems.push(`${field} "${String(v)}" is not Never, Always or CrossSubnet`);
  return 'Never';
}

export function parsePool(r: Resource): PoolInfo | Problem {
  const s = (r.spec ?? {}) as Record<string, unknown>;
  const id = `IPPool(${r.metadata.name})`;
  if (typeof s.cidr !== 'string') return { resource: id, reason: 'spec.cidr missing' };
  if (s.cidr.includes(':')) return { resource: id, reason: 'IPv6 pools are not handled by the agent' };
  let net: Cidr4;
  try { net = parseCidr4(s.cidr); } catch (e) { return { resource: id, reason: (e as Error).message }; }
  const problems: string[] = [];
  const pool: PoolInfo = {
    name: r.metadata.name, cidr: formatCidr4(net), net,
    ipipMode: encapMode(s.ipipMode, 'ipipMode', problems),
    vxlanMode: encapMode(s.vxlanMode, 'vxlanMode', problems),
    natOutgoing: s.natOutgoing === true,
    disabled: s.disabled === true,
  };
  if (problems.length) return { resource: id, reason: problems.join('; ') };
  return pool;
}

/**
 * Calico's VTEP MAC for a node without spec.vxlanTunnelMACAddr (felix calc/vxlan_resolver.go): the byte
 * 'f' (0x66) followed by the first five bytes of sha1(nodename). Takes the digest so this file stays pure
 * of crypto imports' side effects; see vtepMacForNode in vtep-mac.ts.
 */
export function macFromDigest(digest: Uint8Array): string {
  return [0x66, ...digest.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function parseNode(r: Resource, defaultMac: (node: string) => string): NodeInfo | Problem {
  const s = (r.spec ?? {}) as Record<string, any>;
  const id = `Node(${r.metadata.name})`;
  const node: NodeInfo = { name: r.metadata.name, vxlanTunnelMac: defaultMac(r.metadata.name) };
  const addr = s.bgp?.ipv4Address;
  if (typeof addr === 'string' && addr !== '') {
    const ip = addr.split('/')[0]!;
    try {
      parseIPv4(ip);
      node.ipv4 = ip;
      node.ipv4Cidr = addr.includes('/') ? addr : `${ip}/32`;
      parseCidr4(node.ipv4Cidr);
    } catch (e) { return { resource: id, reason: `spec.bgp.ipv4Address: ${(e as Error).message}` }; }
  }
  const vx = s.ipv4VXLANTunnelAddr;
  if (typeof vx === 'string' && vx !== '') {
    const ip = vx.split('/')[0]!;
    try { parseIPv4(ip); node.vxlanTunnelAddr = ip; } catch (e) { return { resource: id, reason: `spec.ipv4VXLANTunnelAddr: ${(e as Error).message}` }; }
  }
  if (typeof s.vxlanTunnelMACAddr === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(s.vxlanTunnelMACAddr)) {
    node.vxlanTunnelMac = s.vxlanTunnelMACAddr.toLowerCase();
  }
  const ipip = s.bgp?.ipv4IPIPTunnelAddr;
  if (typeof ipip === 'string' && ipip !== '') {
    const ip = ipip.split('/')[0]!;
    try { parseIPv4(ip); node.ipipTunnelAddr = ip; } catch (e) { return { resource: id, reason: `spec.bgp.ipv4IPIPTunnelAddr: ${(e as Error).message}` }; }
  }
  return node;
}

export function parseBlock(r: Resource): BlockInfo | Problem | undefined {
  const s = (r.spec ?? {}) as Record<string, unknown>;
  const id = `IPAMBlock(${r.metadata.name})`;
  if (s.deleted === true) return undefined; // soft-deleted: readers ignore it (calico-behaviour §2.4)
  if (typeof s.cidr !== 'string') return { resource: id, reason: 'spec.cidr missing' };
  if (s.cidr.includes(':')) return undefined;
  let net: Cidr4;
  try { net = parseCidr4(s.cidr); } catch (e) { return { resource: id, reason: (e as Error).message }; }
  const aff = typeof s.affinity === 'string' && s.affinity.startsWith('host:') ? s.affinity.slice(5) : undefined;
  return { cidr: formatCidr4(net), net, affinityNode: aff || undefined };
}

export function parseWorkload(r: Resource): WorkloadInfo | Problem {
  const s = (r.spec ?? {}) as Record<string, unknown>;
  const key = `${r.metadata.namespace ?? ''}/${r.metadata.name}`;
  const id = `WorkloadEndpoint(${key})`;
  if (typeof s.node !== 'string' || s.node === '') return { resource: id, reason: 'spec.node missing' };
  if (typeof s.interfaceName !== 'string' || s.interfaceName === '') return { resource: id, reason: 'spec.interfaceName missing' };
  const ipv4s: string[] = [];
  for (const n of Array.isArray(s.ipNetworks) ? s.ipNetworks : []) {
    if (typeof n !== 'string' || n.includes(':')) continue;
    const ip = n.split('/')[0]!;
    try { parseIPv4(ip); ipv4s.push(ip); } catch { return { resource: id, reason: `bad ipNetworks entry "${n}"` }; }
  }
  return { key, node: s.node, interfaceName: s.interfaceName, ipv4s };
}

export function isProblem(v: unknown): v is Problem {
  return typeof v === 'object' && v !== null && 'reason' in v && 'resource' in v;
}

/** True if `ip` (bare IPv4) lies in `cidr` (a.b.c.d/n). */
export function inCidr(ip: string, cidr: string): boolean {
  return cidr4ContainsIP(parseCidr4(cidr), parseIPv4(ip));
}

// How the cluster is addressed and routed: IPPool, Node, BGPConfiguration and BGPPeer specs, with the
// cross-field rules libcalico-go enforces on them (encapsulation, block size, peer exclusivity, communities).
import type { Resource } from '../resource.ts';
import { IPV4_LINK_LOCAL, IPV6_LINK_LOCAL, cidrsOverlap, tryParseCIDR, tryParseIP } from '../../net/ip.ts';
import { bool, int, list, obj, oneOf, refine, refineAlways, str, type FieldError, type ValueCheck } from '../schema.ts';
import {
  asNumber, cidr, cidrFamily, cidrOrIP, dnsSubdomain, duration, ipAddress, ipv4Address, ipv6Address, logSeverity, mac,
  maskedCIDR, selector,
} from './fields.ts';

// A Kubernetes Secret data key (IsConfigMapKey): the node reads the key from <secrets dir>/<name>/<key> (docs/bgp.md).
const secretDataKey: ValueCheck<string> = (k) => {
  if (k.length > 253) return `key is too long by ${k.length - 253} bytes`;
  if (k === '.' || k === '..') return `a Secret key may not be '${k}'`;
  return /^[-._a-zA-Z0-9]+$/.test(k) ? undefined : "a Secret key must consist of alphanumeric characters, '-', '_' or '.'";
};
// BGPPeer password / BGPConfiguration nodeMeshPassword: only secretKeyRef says where a password is, so it is required.
const secretKeyRef = obj({ secretKeyRef: obj({ name: str(dnsSubdomain), key: str(secretDataKey), optional: bool() }, { required: ['name', 'key'] }) }, { required: ['secretKeyRef'] });

interface IPPoolShape {
  cidr?: string; blockSize?: number; ipipMode?: string; vxlanMode?: string; allowedUses?: string[]; disabled?: boolean;
}

export const ippoolSpec = refineAlways<IPPoolShape>(obj({
  cidr: str(maskedCIDR),
  blockSize: int(), // its range depends on the pool's family: checked below
  ipipMode: oneOf('Never', 'Always', 'CrossSubnet'),
  vxlanMode: oneOf('Never', 'Always', 'CrossSubnet'),
  natOutgoing: bool(),
  disabled: bool(),
  disableBGPExport: bool(),
  nodeSelector: str(selector),
  namespaceSelector: str(selector),
  allowedUses: refine<string[]>(list(oneOf('Workload', 'Tunnel', 'LoadBalancer')), (v, path, errs) => {
    if (new Set(v).size !== v.length) errs.push({ field: path, value: v, message: 'must not repeat a use' });
  }),
  assignmentMode: oneOf('Automatic', 'Manual'),
}, { required: ['cidr'] }), (v, path, errs) => {
  // Runs even when fields had type errors, so every problem in a pool is reported at once.
  const c = typeof v.cidr === 'string' ? tryParseCIDR(v.cidr) : undefined;
  if (c?.prefix === 0) {
    // Calico reports a /0 as overlapping the link-local range; the real problem is that it is everything.
    errs.push({ field: `${path}.cidr`, value: v.cidr, message: 'an IP pool cannot cover the whole address space (/0)' });
  } else if (c?.family === 4 && cidrsOverlap(c, IPV4_LINK_LOCAL)) {
    errs.push({ field: `${path}.cidr`, value: v.cidr, message: 'IP pool range overlaps with IPv4 Link Local range 169.254.0.0/16' });
  }
  if (c?.family === 6 && c.prefix > 0 && cidrsOverlap(c, IPV6_LINK_LOCAL)) {
    errs.push({ field: `${path}.cidr`, value: v.cidr, message: 'IP pool range overlaps with IPv6 Link Local range fe80::/10' });
  }
  if (!c && typeof v.blockSize === 'number' && Number.isInteger(v.blockSize) && (v.blockSize < 0 || v.blockSize > 128)) {
    errs.push({ field: `${path}.blockSize`, value: v.blockSize, message: 'must be between 0 and 128' });
  }
  if (c && typeof v.blockSize === 'number' && Number.isInteger(v.blockSize)) {
    const [lo, hi] = c.family === 4 ? [20, 32] : [116, 128];
    if (v.blockSize < lo || v.blockSize > hi) {
      errs.push({ field: `${path}.blockSize`, value: v.blockSize, message: `block size for an IPv${c.family} pool must be between ${lo} and ${hi}` });
    } else if (c.prefix > v.blockSize && !v.disabled) {
      errs.push({ field: `${path}.cidr`, value: v.cidr, message: `IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size (/${v.blockSize}).` });
    }
  }
  const ipip = typeof v.ipipMode === 'string' ? v.ipipMode : 'Never';
  const vxlan = typeof v.vxlanMode === 'string' ? v.vxlanMode : 'Never';
  if (ipip !== 'Never' && c?.family === 6) errs.push({ field: `${path}.ipipMode`, value: ipip, message: 'IPIP is not supported on an IPv6 IP pool' });
  if (ipip !== 'Never' && vxlan !== 'Never') errs.push({ field: `${path}.vxlanMode`, value: vxlan, message: 'IPIP and VXLAN cannot both be enabled on the same IP pool' });
  const uses = Array.isArray(v.allowedUses) ? v.allowedUses : [];
  if (uses.includes('LoadBalancer')) {
    if (uses.length > 1) errs.push({ field: `${path}.allowedUses`, value: uses, message: 'LoadBalancer cannot be combined with other uses' });
    if (ipip !== 'Never' || vxlan !== 'Never') errs.push({ field: `${path}.allowedUses`, value: uses, message: 'LoadBalancer pools cannot use IPIP or VXLAN encapsulation' });
  }
});

export const nodeSpec = obj({
  bgp: refine<Record<string, unknown>>(obj({
    ipv4Address: str(cidrFamily(4)),
    ipv6Address: str(cidrFamily(6)),
    asNumber,
    ipv4IPIPTunnelAddr: str(ipv4Address),
    routeReflectorClusterID: str(ipv4Address),
  }), (b, path, errs) => {
    if (Object.keys(b).length === 0) errs.push({ field: path, value: b, message: 'spec.bgp should not be empty (omit it instead)' });
  }),
  ipv4VXLANTunnelAddr: str(ipv4Address),
  vxlanTunnelMACAddr: str(mac),
  ipv6VXLANTunnelAddr: str(ipv6Address),
  vxlanTunnelMACAddrV6: str(mac),
  wireguard: obj({ interfaceIPv4Address: str(ipv4Address), interfaceIPv6Address: str(ipv6Address) }),
  addresses: list(obj({ address: str(cidrOrIP), type: oneOf('CalicoNodeIP', 'InternalIP', 'ExternalIP') }, { required: ['address'] })),
  orchRefs: list(obj({ nodeName: str(), orchestrator: str() }, { required: ['orchestrator'] })),
  interfaces: list(obj({ name: str(), addresses: list(str(cidrOrIP)) })),
});

interface BGPConfigShape { nodeToNodeMeshEnabled?: boolean; asNumber?: unknown; serviceClusterIPs?: unknown; serviceExternalIPs?: unknown; serviceLoadBalancerIPs?: unknown }

const cidrEntry = obj({ cidr: str(cidr) }, { required: ['cidr'] });

interface BGPCommunityShape { communities?: { name: string; value: string }[]; prefixAdvertisements?: { cidr: string; communities?: string[] }[] }

/** Standard community `aa:nn` (16-bit parts) or large community `aa:nn:mm` (32-bit parts). */
export function communityError(s: string): string | undefined {
  const parts = s.split(':');
  if ((parts.length !== 2 && parts.length !== 3) || !parts.every((p) => /^\d+$/.test(p))) return 'invalid community value or format used (aa:nn or aa:nn:mm)';
  const max = parts.length === 2 ? 65535 : 4294967295;
  return parts.every((p) => Number(p) <= max) ? undefined : `invalid community value, expected ${parts.length === 2 ? 16 : 32} bit values`;
}

export const bgpConfigurationSpec = refine<BGPCommunityShape>(obj({
  logSeverityScreen: logSeverity,
  nodeToNodeMeshEnabled: bool(),
  asNumber,
  serviceLoadBalancerIPs: list(cidrEntry),
  serviceExternalIPs: list(cidrEntry),
  serviceClusterIPs: list(cidrEntry),
  communities: list(obj({ name: str(), value: str((s) => communityError(s)) }, { required: ['name', 'value'] })),
  prefixAdvertisements: list(obj({ cidr: str(cidr), communities: list(str()) }, { required: ['cidr'] })),
  listenPort: int(1, 65535),
  nodeMeshPassword: secretKeyRef,
  nodeMeshMaxRestartTime: str(duration),
  bindMode: oneOf('None', 'NodeIP'),
  ignoredInterfaces: list(str()),
  localWorkloadPeeringIPV4: str(ipv4Address),
  localWorkloadPeeringIPV6: str(ipv6Address),
  programClusterRoutes: oneOf('Enabled', 'Disabled', 'EnabledNoEncapOnly'),
  ipv4NormalRoutePriority: int(1, 2147483646),
  ipv6NormalRoutePriority: int(1, 2147483646),
  ipv4ElevatedRoutePriority: int(1, 2147483646),
  ipv6ElevatedRoutePriority: int(1, 2147483646),
  nodeSelector: str(selector),
}), (v, path, errs) => {
  // libcalico-go validateBGPConfigurationSpec: communities must be used, and used ones valid or defined.
  const defined = new Set((v.communities ?? []).map((c) => c.name));
  if (defined.size && !v.prefixAdvertisements?.length) {
    errs.push({ field: `${path}.communities`, value: v.communities, message: 'communities are defined but not used in spec.prefixAdvertisements' });
  }
  (v.prefixAdvertisements ?? []).forEach((pa, i) => (pa.communities ?? []).forEach((c, j) => {
    if (!defined.has(c) && communityError(c)) {
      errs.push({ field: `${path}.prefixAdvertisements[${i}].communities[${j}]`, value: c, message: 'community used is invalid or not defined' });
    }
  }));
});

/** The address family of a valid peerIP (`ip`, `ip:port`, `[v6]:port`). */
function peerAddressFamily(s: string): 4 | 6 | undefined {
  const bare = tryParseIP(s) ?? tryParseIP(/^\[([^\]]+)\]/.exec(s)?.[1] ?? s.replace(/:\d+$/, ''));
  return bare?.family;
}

/** `ip`, `ip:port`, `[v6]` or `[v6]:port` as BGPPeer.peerIP accepts. */
const peerIP: ValueCheck<string> = (s) => {
  if (tryParseIP(s)) return undefined;
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (v6) return tryParseIP(v6[1]!)?.family === 6 && (v6[2] === undefined || Number(v6[2]) <= 65535) ? undefined : 'must be an IP address, ip:port or [ipv6]:port';
  const v4 = /^([^:]+):(\d{1,5})$/.exec(s);
  if (v4 && tryParseIP(v4[1]!)?.family === 4 && Number(v4[2]) >= 1 && Number(v4[2]) <= 65535) return undefined;
  return 'must be an IP address, ip:port or [ipv6]:port';
};

interface BGPPeerShape { reachableBy?: string; node?: string; nodeSelector?: string; peerIP?: string; peerSelector?: string; asNumber?: unknown; keepOriginalNextHop?: boolean; nextHopMode?: string }

export const bgpPeerSpec = refine<BGPPeerShape>(obj({
  node: str(dnsSubdomain),
  peerIP: str(peerIP),
  asNumber,
  nodeSelector: str(selector),
  peerSelector: str(selector),
  password: secretKeyRef,
  sourceAddress: oneOf('UseNodeIP', 'None'),
  failureDetectionMode: oneOf('None', 'BFDIfDirectlyConnected'),
  restartMode: oneOf('GracefulRestart', 'LongLivedGracefulRestart'),
  maxRestartTime: str(duration),
  birdGatewayMode: oneOf('Recursive', 'DirectIfDirectlyConnected'),
  numAllowedLocalASNumbers: int(1, 10),
  ttlSecurity: int(0, 255),
  keepaliveTime: str(duration),
  keepOriginalNextHop: bool(),
  nextHopMode: oneOf('Auto', 'Self', 'Keep'),
  localASNumber: asNumber,
  reachableBy: str(ipAddress),
  filters: list(str(dnsSubdomain)),
  localWorkloadSelector: str(selector),
  reversePeering: oneOf('Auto', 'Manual'),
}), (v, path, errs) => {
  if (v.node && v.nodeSelector) errs.push({ field: `${path}.nodeSelector`, value: v.nodeSelector, message: 'node and nodeSelector cannot both be set' });
  if (v.peerIP && v.peerSelector) errs.push({ field: `${path}.peerSelector`, value: v.peerSelector, message: 'peerIP and peerSelector cannot both be set' });
  if (v.peerSelector && v.asNumber !== undefined) errs.push({ field: `${path}.asNumber`, value: v.asNumber, message: 'asNumber cannot be set with peerSelector (the AS comes from the selected nodes)' });
  if (!v.peerIP && !v.peerSelector) errs.push({ field: `${path}.peerIP`, value: '', message: 'one of peerIP or peerSelector is required' });
  if (v.peerIP && v.asNumber === undefined) errs.push({ field: `${path}.asNumber`, value: '', message: 'asNumber is required with peerIP' });
  if (v.keepOriginalNextHop && v.nextHopMode !== undefined) errs.push({ field: `${path}.nextHopMode`, value: v.nextHopMode, message: 'nextHopMode and keepOriginalNextHop cannot both be set' });
  if (v.reachableBy !== undefined) {
    if (!v.peerIP) errs.push({ field: `${path}.reachableBy`, value: v.reachableBy, message: 'reachableBy requires peerIP' });
    else if (peerAddressFamily(v.peerIP) !== tryParseIP(v.reachableBy)?.family) errs.push({ field: `${path}.reachableBy`, value: v.reachableBy, message: 'reachableBy and peerIP address family mismatched' });
  }
});

/** Fields of BGPConfiguration that only the global `default` may set (per-node configurations ignore them). */
export function checkBgpConfigurationScope(r: Resource, errs: FieldError[]): void {
  if (r.metadata.name === 'default') return;
  const s = (r.spec ?? {}) as BGPConfigShape;
  for (const f of ['nodeToNodeMeshEnabled', 'asNumber', 'serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs'] as const) {
    if (s[f] !== undefined) errs.push({ field: `spec.${f}`, value: s[f], message: 'is only valid on the global BGPConfiguration "default"' });
  }
}

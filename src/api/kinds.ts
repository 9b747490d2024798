// The kinds Tabby knows: their plural (etcd key path and `tabby get` argument), scope, and calicoctl aliases.
// Backends use `plural`/`namespaced` to lay out keys; the CLI uses `aliases` to resolve what users type.

export interface KindInfo {
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Lower-case names accepted on the command line besides kind and plural (calicoctl's short names). */
  aliases: string[];
  /** IPAM internals: stored under /calico/ipam/v2/… in etcd, changed only by the allocator. */
  ipam?: boolean;
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'IPPool', plural: 'ippools', namespaced: false, aliases: ['ippool', 'ipp', 'ipps', 'pool', 'pools'] },
  { kind: 'Node', plural: 'nodes', namespaced: false, aliases: ['node', 'no', 'nos'] },
  { kind: 'BGPConfiguration', plural: 'bgpconfigurations', namespaced: false, aliases: ['bgpconfiguration', 'bgpconfig', 'bgpconfigs', 'bgpc'] },
  { kind: 'BGPPeer', plural: 'bgppeers', namespaced: false, aliases: ['bgppeer', 'bgpp', 'bgpps', 'bp', 'bps'] },
  { kind: 'BGPFilter', plural: 'bgpfilters', namespaced: false, aliases: ['bgpfilter', 'bgpf', 'bgpfs', 'bf', 'bfs'] },
  { kind: 'FelixConfiguration', plural: 'felixconfigurations', namespaced: false, aliases: ['felixconfiguration', 'felixconfig', 'felixconfigs', 'fc'] },
  { kind: 'ClusterInformation', plural: 'clusterinformations', namespaced: false, aliases: ['clusterinformation', 'clusterinfo', 'clusterinfos'] },
  { kind: 'WorkloadEndpoint', plural: 'workloadendpoints', namespaced: true, aliases: ['workloadendpoint', 'wep', 'weps'] },
  { kind: 'HostEndpoint', plural: 'hostendpoints', namespaced: false, aliases: ['hostendpoint', 'hep', 'heps'] },
  { kind: 'Profile', plural: 'profiles', namespaced: false, aliases: ['profile', 'pro', 'pros'] },
  { kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, aliases: ['networkpolicy', 'np', 'nps', 'policy', 'policies', 'pol', 'pols'] },
  { kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', namespaced: false, aliases: ['globalnetworkpolicy', 'gnp', 'gnps'] },
  { kind: 'NetworkSet', plural: 'networksets', namespaced: true, aliases: ['networkset', 'netset', 'netsets'] },
  { kind: 'GlobalNetworkSet', plural: 'globalnetworksets', namespaced: false, aliases: ['globalnetworkset', 'gnetset', 'gnetsets'] },
  { kind: 'Tier', plural: 'tiers', namespaced: false, aliases: ['tier'] },
  { kind: 'IPReservation', plural: 'ipreservations', namespaced: false, aliases: ['ipreservation', 'reservation', 'reservations'] },
  { kind: 'IPAMConfiguration', plural: 'ipamconfigurations', namespaced: false, aliases: ['ipamconfiguration', 'ipamconfig', 'ipamconfigs'] },
  { kind: 'IPAMBlock', plural: 'ipamblocks', namespaced: false, aliases: ['ipamblock'], ipam: true },
  { kind: 'BlockAffinity', plural: 'blockaffinities', namespaced: false, aliases: ['blockaffinity'], ipam: true },
  { kind: 'IPAMHandle', plural: 'ipamhandles', namespaced: false, aliases: ['ipamhandle'], ipam: true },
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));
const byName = new Map<string, KindInfo>();
for (const k of KINDS) for (const n of [k.kind.toLowerCase(), k.plural, ...k.aliases]) byName.set(n, k);

/** Exact kind name → info, or undefined. */
export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

/** Resolve what a user typed (`ippool`, `ipp`, `IPPools`, `wep`…) to a kind, or undefined. */
export function resolveKind(name: string): KindInfo | undefined {
  return byKind.get(name) ?? byName.get(name.toLowerCase());
}

/** Like kindInfo but throws a clear error for an unknown kind. */
export function mustKindInfo(kind: string): KindInfo {
  const k = byKind.get(kind);
  if (!k) throw new Error(`unknown resource kind "${kind}"`);
  return k;
}

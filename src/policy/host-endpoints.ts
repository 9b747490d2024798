// Host endpoints: the node's own interfaces under policy. Pure. Semantics as Felix:
//   * which HostEndpoint governs an interface (felix/dataplane/linux/endpoint_mgr.go resolveHostEndpoints):
//     the node's non-workload interfaces are matched by `interfaceName`, or, for a HostEndpoint without
//     one, by an `expectedIPs` address on the interface; several matches → the alphabetically first name
//     wins. The first `*` HostEndpoint becomes the default for every interface no other one governs;
//   * which policies it gets (felix/calc/event_sequencer.go tierInfoToProtoTierInfo): doNotTrack policies
//     go to its untracked tiers, preDNAT ones to its pre-DNAT tiers (both with tier default Pass), the
//     others to its normal tiers, and applyOnForward ones to its forward tiers as well;
//   * the chains (felix/rules/endpoints.go endpointIptablesChain, HostEndpointTo*Chains): conntrack
//     (not in raw), failsafe jump (not for forward), policy tiers, then, for normal chains only, profiles
//     and "Drop if no profiles matched". So a host endpoint without policy or profile drops everything
//     but failsafe traffic. Forward chains with no applyOnForward policy at all allow;
//   * untracked policy is not supported on a `*` host endpoint (endpoint_mgr.go: logged and ignored).
import { parseNet, type Net } from '../net/ip.ts';
import { effectiveTypes, type HostEndpoint, type PolicySnapshot } from './model.ts';
import { chainName, type Direction, type PolicyRef } from './chains.ts';
import type { ProgramInputs } from './program.ts';
import { CHAIN_FAILSAFE_IN, CHAIN_FAILSAFE_OUT } from './failsafe.ts';
import {
  IS_ACCEPTED, MARK_CLEAR_BOTH, MARK_CLEAR_PASS, NOT_PASSED, SET_ACCEPT, WORKLOAD_IFACE_PREFIX, nftString, type NftChainModel,
} from './ruleset-model.ts';
import type { Item, Labels } from './selection.ts';

/** Felix's name for the `*` host endpoint's "interface" (endpoint_mgr.go allInterfaces). */
export const ALL_INTERFACES = 'any-interface-at-all';

/** The node's interfaces and their addresses (no prefix length), as `ip addr` shows them. */
export type HostInterfaces = ReadonlyMap<string, readonly string[]>;

export interface DerivedHostEndpoint { key: string; name: string; item: Item; fingerprint: string; profiles: string[]; spec: NonNullable<HostEndpoint['spec']> }

/** A HostEndpoint as a selectable item: its labels over its profiles' labels; expectedIPs as its addresses. */
export function deriveHostEndpoint(h: HostEndpoint, profileLabels: Map<string, Labels>, problems: string[]): DerivedHostEndpoint {
  const spec = h.spec ?? {};
  const key = `hep/${h.metadata.name}`;
  const profiles = spec.profiles ?? [];
  const labels: Labels = {};
  for (const p of profiles) Object.assign(labels, profileLabels.get(p) ?? {});
  Object.assign(labels, h.metadata.labels ?? {});
  const nets: Net[] = [];
  for (const ip of spec.expectedIPs ?? []) {
    try { nets.push(parseNet(ip.split('/')[0]!)); } catch (e) { problems.push(`HostEndpoint(${h.metadata.name}).spec.expectedIPs: ${(e as Error).message}`); }
  }
  const nsView: Labels = {};
  const saView: Labels = {};
  const item: Item = { key, kind: 'hep', labels, nsView, saView, nets, node: spec.node, ports: spec.ports ?? [] };
  return { key, name: h.metadata.name, item, profiles, spec, fingerprint: JSON.stringify([labels, nets.map((n) => n.text), item.ports]) };
}

/** Felix's InterfaceExclude default (config_params.go): never a host endpoint's interface. */
const EXCLUDED_INTERFACES = new Set(['kube-ipvs0']);

/** An address in one spelling (`fd00:0::1` and `fd00::1` compare equal). */
function canonicalIP(ip: string): string {
  try { return parseNet(ip.split('/')[0]!).text.split('/')[0]!; } catch { return ip; }
}

/**
 * Interface → the HostEndpoint governing it on `nodeName` (ALL_INTERFACES → the `*` one). Without an
 * interface list (undefined), named HostEndpoints govern their interface and expectedIPs-only ones nothing.
 */
export function resolveHostEndpoints(heps: readonly DerivedHostEndpoint[], nodeName: string, ifaces: HostInterfaces | undefined): Map<string, DerivedHostEndpoint> {
  const mine = heps.filter((h) => h.spec.node === nodeName).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out = new Map<string, DerivedHostEndpoint>();
  const names = ifaces ? [...ifaces.keys()] : [...new Set(mine.map((h) => h.spec.interfaceName).filter((n): n is string => !!n && n !== '*'))];
  for (const iface of names) {
    // Workload interfaces (Felix's InterfacePrefix) and excluded ones are never host endpoints.
    if (iface.startsWith(WORKLOAD_IFACE_PREFIX) || EXCLUDED_INTERFACES.has(iface)) continue;
    const addrs = new Set((ifaces?.get(iface) ?? []).map(canonicalIP));
    const best = mine.find((h) => {
      const n = h.spec.interfaceName;
      if (n === '*') return false;
      if (n) return n === iface;
      return (h.spec.expectedIPs ?? []).some((ip) => addrs.has(canonicalIP(ip)));
    });
    if (best) out.set(iface, best);
  }
  const wildcard = mine.find((h) => h.spec.interfaceName === '*');
  if (wildcard) out.set(ALL_INTERFACES, wildcard);
  return out;
}

/** The policies a host endpoint gets, by the table they are enforced in. */
export interface HostPolicies { normal: PolicyRef[]; forward: PolicyRef[]; preDNAT: PolicyRef[]; untracked: PolicyRef[] }

export function splitHostPolicies(applying: readonly PolicyRef[]): HostPolicies {
  const out: HostPolicies = { normal: [], forward: [], preDNAT: [], untracked: [] };
  for (const p of applying) {
    if (p.spec.doNotTrack) out.untracked.push(p);
    else if (p.spec.preDNAT) out.preDNAT.push(p);
    else {
      if (p.spec.applyOnForward) out.forward.push(p);
      out.normal.push(p);
    }
  }
  return out;
}

type ChainType = 'normal' | 'forward' | 'preDNAT' | 'untracked';

interface EndpointChainSpec {
  type: ChainType;
  dir: Direction;
  /** How an allowed packet leaves: accept (filter, raw, mangle ingress) or return with the mark (mangle egress). */
  allow: 'accept' | 'return';
  failsafe?: string;
  profiles: string[];
  endpointKey: string;
}

/** Felix's endpointIptablesChain for a host endpoint, as nft rules. */
function endpointChainRules(inp: ProgramInputs, applying: readonly PolicyRef[], s: EndpointChainSpec): string[] {
  const rules: string[] = [];
  if (s.type !== 'untracked') {
    if (s.allow === 'return') rules.push(`ct state established,related ${SET_ACCEPT}`);
    rules.push(`ct state established,related ${s.allow}`, 'ct state invalid drop');
  }
  if (s.failsafe) rules.push(`jump ${s.failsafe}`);
  rules.push(`meta mark set meta mark and ${MARK_CLEAR_BOTH}`);
  for (const tier of inp.tiers) {
    const inTier = applying.filter((p) => p.tier === tier.name && effectiveTypes(p.spec).includes(s.dir));
    if (inTier.length === 0) continue;
    rules.push(`meta mark set meta mark and ${MARK_CLEAR_PASS} comment ${nftString(`Start of tier ${tier.name}`)}`);
    for (const p of inTier) {
      inp.active.add(p);
      rules.push(`${NOT_PASSED} jump ${inp.compiler.policyChain(inp.run, p, s.dir)}`);
      if (s.type === 'untracked') rules.push(`${IS_ACCEPTED} notrack`);
      rules.push(`${IS_ACCEPTED} return comment "Return if policy accepted"`);
    }
    // Untracked and pre-DNAT tiers end with Pass: the normal policy still has its say in the filter table.
    if ((s.type === 'normal' || s.type === 'forward') && tier.defaultAction !== 'Pass') {
      rules.push(`${NOT_PASSED} drop comment ${nftString(`End of tier ${tier.name}. Drop if no policies passed packet`)}`);
    }
  }
  if (s.type === 'forward' && applying.length === 0) {
    rules.push(`${SET_ACCEPT} comment "Allow forwarded traffic by default"`, 'return comment "Return for accepted forward traffic"');
  }
  if (s.type === 'normal') {
    for (const prof of s.profiles) {
      const pc = inp.compiler.profileChain(inp.run, inp.profiles, prof, s.dir);
      if (!pc) { inp.run.problems.push(`${s.endpointKey}: profile ${prof} does not exist`); continue; }
      rules.push(`jump ${pc}`, `${IS_ACCEPTED} return comment "Return if profile accepted"`);
    }
    rules.push('drop comment "Drop if no profiles matched"');
  }
  return rules;
}

/** Per-interface chain names, Felix's prefixes (rules/rule_defs.go), with the table as a prefix outside filter. */
export const hostChain = {
  fromFilter: (i: string) => chainName('cali-fh-', i),
  toFilter: (i: string) => chainName('cali-th-', i),
  fromForward: (i: string) => chainName('cali-fhfw-', i),
  toForward: (i: string) => chainName('cali-thfw-', i),
  fromMangle: (i: string) => chainName('mangle-cali-fh-', i),
  toMangle: (i: string) => chainName('mangle-cali-th-', i),
  fromRaw: (i: string) => chainName('raw-cali-fh-', i),
  toRaw: (i: string) => chainName('raw-cali-th-', i),
};

export const DISPATCH = {
  fromFilter: 'cali-from-host-endpoint', toFilter: 'cali-to-host-endpoint',
  fromForward: 'cali-from-hep-forward', toForward: 'cali-to-hep-forward',
  fromMangle: 'mangle-cali-from-host-endpoint', toMangle: 'mangle-cali-to-host-endpoint',
  fromRaw: 'raw-cali-from-host-endpoint', toRaw: 'raw-cali-to-host-endpoint',
} as const;

export interface ActiveHostEndpoint { iface: string; hep: DerivedHostEndpoint; policies: HostPolicies }

/** A dispatch chain: one goto per interface, the `*` endpoint's chain (if any) as the default. */
function dispatch(name: string, match: 'iifname' | 'oifname', entries: { iface: string; chain: string }[], skipWorkloads = false): NftChainModel {
  const rules: string[] = [];
  let fallback: string | undefined;
  for (const e of [...entries].sort((a, b) => (a.iface < b.iface ? -1 : 1))) {
    if (e.iface === ALL_INTERFACES) fallback = e.chain;
    else rules.push(`${match} ${JSON.stringify(e.iface)} goto ${e.chain}`);
  }
  if (fallback) {
    // Felix never applies the `*` endpoint's egress policy to host traffic going to a local workload.
    if (skipWorkloads) rules.push(`oifname "${WORKLOAD_IFACE_PREFIX}*" return comment "Skip egress WHEP policy for traffic to local workload"`);
    rules.push(`goto ${fallback}`);
  }
  return { name, rules };
}

/** Every per-endpoint and dispatch chain for the active host endpoints. */
export function hostEndpointChains(inp: ProgramInputs, active: readonly ActiveHostEndpoint[], problems: string[]): NftChainModel[] {
  const chains: NftChainModel[] = [];
  const d: Record<keyof typeof DISPATCH, { iface: string; chain: string }[]> = {
    fromFilter: [], toFilter: [], fromForward: [], toForward: [], fromMangle: [], toMangle: [], fromRaw: [], toRaw: [],
  };
  const add = (k: keyof typeof DISPATCH, iface: string, applying: readonly PolicyRef[], s: Omit<EndpointChainSpec, 'endpointKey'>, endpointKey: string) => {
    const name = hostChain[k](iface);
    chains.push({ name, rules: endpointChainRules(inp, applying, { ...s, endpointKey }) });
    d[k].push({ iface, chain: name });
  };
  for (const { iface, hep, policies } of active) {
    const key = `HostEndpoint(${hep.name})`;
    const profiles = hep.profiles;
    add('toFilter', iface, policies.normal, { type: 'normal', dir: 'Egress', allow: 'accept', failsafe: CHAIN_FAILSAFE_OUT, profiles }, key);
    add('fromFilter', iface, policies.normal, { type: 'normal', dir: 'Ingress', allow: 'accept', failsafe: CHAIN_FAILSAFE_IN, profiles }, key);
    add('toForward', iface, policies.forward, { type: 'forward', dir: 'Egress', allow: 'accept', profiles }, key);
    add('fromForward', iface, policies.forward, { type: 'forward', dir: 'Ingress', allow: 'accept', profiles }, key);
    // DNAT'd host traffic gets the normal egress policy in mangle postrouting (Felix: the output interface
    // is only known there); allowed packets return with the mark so later hooks still see them.
    add('toMangle', iface, policies.normal, { type: 'normal', dir: 'Egress', allow: 'return', failsafe: `mangle-${CHAIN_FAILSAFE_OUT}`, profiles }, key);
    if (policies.preDNAT.length > 0) {
      add('fromMangle', iface, policies.preDNAT, { type: 'preDNAT', dir: 'Ingress', allow: 'accept', failsafe: `mangle-${CHAIN_FAILSAFE_IN}`, profiles: [] }, key);
    }
    if (policies.untracked.length > 0) {
      if (iface === ALL_INTERFACES) {
        problems.push(`${key}: doNotTrack policy is not supported for a host endpoint with interfaceName "*"; ignored`);
      } else {
        add('toRaw', iface, policies.untracked, { type: 'untracked', dir: 'Egress', allow: 'accept', failsafe: `raw-${CHAIN_FAILSAFE_OUT}`, profiles: [] }, key);
        add('fromRaw', iface, policies.untracked, { type: 'untracked', dir: 'Ingress', allow: 'accept', failsafe: `raw-${CHAIN_FAILSAFE_IN}`, profiles: [] }, key);
      }
    }
  }
  chains.push(
    dispatch(DISPATCH.fromFilter, 'iifname', d.fromFilter), dispatch(DISPATCH.toFilter, 'oifname', d.toFilter),
    dispatch(DISPATCH.fromForward, 'iifname', d.fromForward), dispatch(DISPATCH.toForward, 'oifname', d.toForward),
    dispatch(DISPATCH.fromMangle, 'iifname', d.fromMangle), dispatch(DISPATCH.toMangle, 'oifname', d.toMangle, true),
    dispatch(DISPATCH.fromRaw, 'iifname', d.fromRaw), dispatch(DISPATCH.toRaw, 'oifname', d.toRaw),
  );
  return chains;
}

const ACCEPTED_ACCEPT = `${IS_ACCEPTED} accept`;

/** Felix's all-hosts IP set: every node's address, which encapsulated traffic may come from or go to. */
export const SET_ALL_HOSTS_V4 = 'cali40-all-hosts-net';

/** What of the node's own encapsulated traffic host endpoint policy must not see (Felix rules/static.go). */
export interface EncapAllowance { ipip: boolean; vxlan: boolean; vxlanPort: number; hosts: Set<string> }

/**
 * IPIP / VXLAN in use (an enabled pool with that mode) and the nodes' addresses (BGP ipv4Address and
 * spec.addresses). Felix auto-allows encapsulated traffic from and to these before host endpoint policy,
 * so that a host policy cannot silently cut pod traffic between nodes.
 */
export function encapAllowance(snap: PolicySnapshot, vxlanPort: number): EncapAllowance {
  const pools = (snap.ipPools ?? []).map((p) => (p.spec ?? {}) as { ipipMode?: string; vxlanMode?: string; disabled?: boolean }).filter((p) => !p.disabled);
  const hosts = new Set<string>();
  for (const n of snap.nodes ?? []) {
    const spec = (n.spec ?? {}) as { bgp?: { ipv4Address?: string }; addresses?: Array<{ address?: string }> };
    for (const a of [spec.bgp?.ipv4Address, ...(spec.addresses ?? []).map((x) => x.address)]) {
      const ip = a?.split('/')[0];
      if (ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) hosts.add(ip);
    }
  }
  return {
    ipip: pools.some((p) => (p.ipipMode ?? 'Never') !== 'Never'),
    vxlan: pools.some((p) => (p.vxlanMode ?? 'Never') !== 'Never'),
    vxlanPort, hosts,
  };
}

/** The allow rules for cali-INPUT (from other nodes) and cali-OUTPUT (to them), before host endpoint policy. */
export function encapRules(e: EncapAllowance): { input: string[]; output: string[] } {
  const input: string[] = [];
  const output: string[] = [];
  if (e.ipip) {
    input.push(`meta nfproto ipv4 meta l4proto 4 ip saddr @${SET_ALL_HOSTS_V4} accept comment "Allow IPIP packets from Calico hosts"`);
    output.push(`meta nfproto ipv4 meta l4proto 4 ip daddr @${SET_ALL_HOSTS_V4} accept comment "Allow IPIP packets to other Calico hosts"`);
  }
  if (e.vxlan) {
    input.push(`meta nfproto ipv4 udp dport ${e.vxlanPort} ip saddr @${SET_ALL_HOSTS_V4} accept comment "Allow IPv4 VXLAN packets from allowed hosts"`);
    output.push(`meta nfproto ipv4 udp dport ${e.vxlanPort} ip daddr @${SET_ALL_HOSTS_V4} accept comment "Allow IPv4 VXLAN packets to other allowed hosts"`);
  }
  return { input, output };
}

/**
 * The base chains added while host endpoints exist (Felix rules/static.go): raw PREROUTING/OUTPUT
 * (untracked policy), mangle PREROUTING (pre-DNAT policy), filter OUTPUT (host egress) and mangle
 * POSTROUTING (egress of DNAT'd host traffic). Filter INPUT and FORWARD change shape too (program.ts).
 */
export function hostBaseChains(encapOutput: readonly string[] = []): NftChainModel[] {
  return [
    {
      name: 'raw-cali-PREROUTING', base: { type: 'filter', hook: 'prerouting', priority: -300, policy: 'accept' },
      rules: [
        `meta mark set meta mark and ${MARK_CLEAR_BOTH}`,
        `iifname != "${WORKLOAD_IFACE_PREFIX}*" jump ${DISPATCH.fromRaw}`,
        ACCEPTED_ACCEPT,
      ],
    },
    {
      name: 'raw-cali-OUTPUT', base: { type: 'filter', hook: 'output', priority: -300, policy: 'accept' },
      rules: [`meta mark set meta mark and ${MARK_CLEAR_BOTH}`, `jump ${DISPATCH.toRaw}`, ACCEPTED_ACCEPT],
    },
    {
      name: 'mangle-cali-PREROUTING', base: { type: 'filter', hook: 'prerouting', priority: -150, policy: 'accept' },
      rules: [
        'ct state established,related accept',
        ACCEPTED_ACCEPT,
        `jump ${DISPATCH.fromMangle}`,
        `${ACCEPTED_ACCEPT} comment "Host endpoint policy accepted packet."`,
      ],
    },
    {
      name: 'cali-OUTPUT', base: { type: 'filter', hook: 'output', priority: 0, policy: 'accept' },
      rules: [
        ACCEPTED_ACCEPT,
        // Host → local workload is not policed (Felix: pragmatism; a compromised host could lift it anyway).
        `oifname "${WORKLOAD_IFACE_PREFIX}*" return`,
        ...encapOutput,
        `meta mark set meta mark and ${MARK_CLEAR_BOTH}`,
        // DNAT'd packets still carry the pre-DNAT output interface here: mangle POSTROUTING polices them.
        `ct status & dnat == 0 jump ${DISPATCH.toFilter}`,
        `${ACCEPTED_ACCEPT} comment "Host endpoint policy accepted packet."`,
      ],
    },
    {
      name: 'mangle-cali-POSTROUTING', base: { type: 'filter', hook: 'postrouting', priority: -150, policy: 'accept' },
      rules: [
        // Forwarded traffic (marked at the end of cali-FORWARD) is not subject to normal host endpoint policy.
        `${IS_ACCEPTED} return`,
        `meta mark set meta mark and ${MARK_CLEAR_BOTH}`,
        `ct status dnat jump ${DISPATCH.toMangle}`,
        `${IS_ACCEPTED} return comment "Host endpoint policy accepted packet."`,
      ],
    },
  ];
}

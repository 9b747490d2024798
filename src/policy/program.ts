// Per-endpoint policy programs (cali-pgi-/pgo-<hash>) and the fixed base chains. Ordering and tier
// semantics as Felix: calc/policy_sorter.go (TierLess, PolKVLess), calc/policy_resolver.go (a tier takes
// part for an endpoint only if one of its policies selects it; a policy naming a tier that does not exist
// still applies, its tier sorted last), calc/event_sequencer.go (which policies govern which direction) and
// rules/endpoints.go (chain layout, "End of tier" drop unless defaultAction is Pass, then profiles).
import { DEFAULT_TIER, DEFAULT_TIER_ORDER, effectiveTypes, type PolicySnapshot } from './model.ts';
import type { ChainCompiler, ChainRun, Direction, PolicyRef } from './chains.ts';
import {
  IS_ACCEPTED, MARK_ACCEPT, MARK_CLEAR_BOTH, MARK_CLEAR_PASS, NOT_PASSED, SET_ACCEPT, SET_WL_ADDRS_V4, SET_WL_ADDRS_V6, SET_WL_IFACES,
  MAP_FROM_WL, MAP_TO_WL, WORKLOAD_IFACE_PREFIX, nftString, type NftChainModel,
} from './ruleset-model.ts';
import { hashOf } from './selection.ts';
import type { Profile } from './model.ts';

export interface TierInfo {
  name: string;
  order: number | undefined;
  defaultAction: 'Deny' | 'Pass';
  /** False for a tier that policies name but no Tier resource defines. */
  valid: boolean;
}

/** Felix's TierLess: valid tiers first, then by order (unset last), then by name. */
export function tierLess(a: TierInfo, b: TierInfo): number {
  if (a.valid !== b.valid) return a.valid ? -1 : 1;
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Felix's PolKVLess: by order (unset = +Inf), ties by the text `name/namespace/kind`. */
export function policyLess(a: PolicyRef, b: PolicyRef): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  const at = `${a.name}/${a.namespace ?? ''}/${a.kind}`;
  const bt = `${b.name}/${b.namespace ?? ''}/${b.kind}`;
  return at < bt ? -1 : at > bt ? 1 : 0;
}

/** The tiers: the default tier (order 1,000,000, Deny) unless a Tier resource redefines it. */
export function resolveTiers(snap: PolicySnapshot, problems: string[]): Map<string, TierInfo> {
  const tiers = new Map<string, TierInfo>();
  tiers.set(DEFAULT_TIER, { name: DEFAULT_TIER, order: DEFAULT_TIER_ORDER, defaultAction: 'Deny', valid: true });
  for (const t of snap.tiers) {
    const da = t.spec?.defaultAction ?? 'Deny';
    if (da !== 'Deny' && da !== 'Pass') { problems.push(`Tier(${t.metadata.name}): defaultAction must be Deny or Pass`); continue; }
    const order = t.spec?.order ?? (t.metadata.name === DEFAULT_TIER ? DEFAULT_TIER_ORDER : undefined);
    tiers.set(t.metadata.name, { name: t.metadata.name, order, defaultAction: da, valid: true });
  }
  return tiers;
}

export interface ProgramInputs {
  compiler: ChainCompiler;
  run: ChainRun;
  /** Tiers in Felix's order. */
  tiers: TierInfo[];
  profiles: Map<string, Profile>;
  /** Policies seen in some program (for stats). */
  active: Set<PolicyRef>;
}

/**
 * One direction of an endpoint's program: per tier with a policy governing this direction, clear the pass
 * mark, jump to each policy (skipped once one passed), return if one accepted, "End of tier" drop unless the
 * tier's defaultAction is Pass; then the profiles; then drop.
 */
export interface ProgramBody { rules: string[]; ruleTier: (string | undefined)[] }

export function programBody(inp: ProgramInputs, applying: PolicyRef[], profiles: string[], dir: Direction, endpointKey: string): ProgramBody {
  const body: string[] = [`meta mark set meta mark and ${MARK_CLEAR_BOTH}`];
  const ruleTier: (string | undefined)[] = [];
  const tierUpTo = (tier: string | undefined) => { while (ruleTier.length < body.length) ruleTier.push(tier); };
  for (const tier of inp.tiers) {
    const inTier = applying.filter((p) => p.tier === tier.name && effectiveTypes(p.spec).includes(dir));
    if (inTier.length === 0) continue;
    tierUpTo(undefined);
    body.push(`meta mark set meta mark and ${MARK_CLEAR_PASS} comment ${nftString(`Start of tier ${tier.name}`)}`);
    for (const p of inTier) {
      inp.active.add(p);
      body.push(`${NOT_PASSED} jump ${inp.compiler.policyChain(inp.run, p, dir)}`);
      body.push(`${IS_ACCEPTED} return comment "Return if policy accepted"`);
    }
    if (tier.defaultAction !== 'Pass') {
      body.push(`${NOT_PASSED} drop comment ${nftString(`End of tier ${tier.name}. Drop if no policies passed packet`)}`);
    }
    tierUpTo(tier.name);
  }
  for (const prof of profiles) {
    const pc = inp.compiler.profileChain(inp.run, inp.profiles, prof, dir);
    if (!pc) { inp.run.problems.push(`${endpointKey}: profile ${prof} does not exist`); continue; }
    body.push(`jump ${pc}`);
    body.push(`${IS_ACCEPTED} return comment "Return if profile accepted"`);
  }
  body.push('drop comment "Drop if no profiles matched"');
  tierUpTo(undefined);
  return { rules: body, ruleTier };
}

/** A program chain named by its content, so endpoints with the same policies share it. */
export function programChain(dir: Direction, body: ProgramBody): NftChainModel {
  const prefix = dir === 'Ingress' ? 'cali-pgi-' : 'cali-pgo-';
  return { name: prefix + hashOf(body.rules.join('\n'), 16), rules: body.rules, ruleTier: body.ruleTier };
}

export interface BaseChainOptions {
  endpointToHostAction: 'Accept' | 'Drop' | 'Return';
  allowVXLANFromWorkloads: boolean;
  allowIPIPFromWorkloads: boolean;
  /** Host endpoints are active: INPUT and FORWARD dispatch to them too (Felix rules/static.go). */
  hostEndpoints?: boolean;
  /** With host endpoints: cali-INPUT's allowances for encapsulated traffic from other nodes, first. */
  encapInput?: readonly string[];
}

export function baseChains(opts: BaseChainOptions): NftChainModel[] {
  const wlFrom: string[] = [
    `iifname != @${SET_WL_IFACES} drop comment "Unknown interface"`,
    `meta nfproto ipv4 iifname . ip saddr != @${SET_WL_ADDRS_V4} drop comment "Anti-spoofing: source address is not the workload's"`,
    `meta nfproto ipv6 ip6 saddr != fe80::/10 iifname . ip6 saddr != @${SET_WL_ADDRS_V6} drop comment "Anti-spoofing: source address is not the workload's"`,
    'ct state established,related accept',
    'ct state invalid drop',
  ];
  if (!opts.allowVXLANFromWorkloads) wlFrom.push('meta l4proto udp udp dport 4789 drop comment "Drop VXLAN encapped packets originating in workloads"');
  if (!opts.allowIPIPFromWorkloads) wlFrom.push('meta l4proto 4 drop comment "Drop IPinIP encapped packets originating in workloads"');
  wlFrom.push(`iifname vmap @${MAP_FROM_WL}`, 'drop comment "Unknown interface"');
  const wlTo: string[] = [
    `oifname != @${SET_WL_IFACES} drop comment "Unknown interface"`,
    'ct state established,related accept',
    'ct state invalid drop',
    `oifname vmap @${MAP_TO_WL}`,
    'drop comment "Unknown interface"',
  ];
  const hostAction = opts.endpointToHostAction === 'Accept' ? 'accept' : opts.endpointToHostAction === 'Drop' ? 'drop' : 'return';
  return [
    { name: 'cali-from-wl-dispatch', rules: wlFrom },
    { name: 'cali-to-wl-dispatch', rules: wlTo },
    { name: 'cali-wl-to-host', rules: ['jump cali-from-wl-dispatch', `${hostAction} comment "Configured DefaultEndpointToHostAction"`] },
    opts.hostEndpoints ? hostForward() : {
      name: 'cali-FORWARD', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'accept' },
      rules: [
        `meta mark set meta mark and ${MARK_CLEAR_BOTH}`,
        `iifname "${WORKLOAD_IFACE_PREFIX}*" jump cali-from-wl-dispatch`,
        `oifname "${WORKLOAD_IFACE_PREFIX}*" jump cali-to-wl-dispatch`,
        `${IS_ACCEPTED} accept comment "Policy explicitly accepted packet."`,
      ],
    },
    {
      name: 'cali-INPUT', base: { type: 'filter', hook: 'input', priority: 0, policy: 'accept' },
      rules: opts.hostEndpoints
        ? [
          ...(opts.encapInput ?? []),
          `iifname "${WORKLOAD_IFACE_PREFIX}*" goto cali-wl-to-host`,
          // Accepted by untracked or pre-DNAT policy already (raw/mangle set the mark).
          `${IS_ACCEPTED} accept`,
          `meta mark set meta mark and ${MARK_CLEAR_BOTH}`,
          'jump cali-from-host-endpoint',
          `${IS_ACCEPTED} accept comment "Host endpoint policy accepted packet."`,
        ]
        : [`meta mark set meta mark and ${MARK_CLEAR_BOTH}`, `iifname "${WORKLOAD_IFACE_PREFIX}*" goto cali-wl-to-host`],
    },
  ];
}

/**
 * cali-FORWARD with host endpoints (Felix StaticFilterForwardChains): the accept bit survives from raw /
 * mangle (untracked or pre-DNAT policy accepted); the host endpoint forward chains run around the workload
 * ones; and whatever reaches the end is marked, so mangle POSTROUTING leaves forwarded traffic alone.
 */
function hostForward(): NftChainModel {
  return {
    name: 'cali-FORWARD', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'accept' },
    rules: [
      `meta mark set meta mark and ${MARK_CLEAR_PASS}`,
      `meta mark and 0x${MARK_ACCEPT.toString(16)} == 0 jump cali-from-hep-forward`,
      `iifname "${WORKLOAD_IFACE_PREFIX}*" jump cali-from-wl-dispatch`,
      `oifname "${WORKLOAD_IFACE_PREFIX}*" jump cali-to-wl-dispatch`,
      'jump cali-to-hep-forward',
      `${IS_ACCEPTED} accept comment "Policy explicitly accepted packet."`,
      `${SET_ACCEPT} comment "Forwarded: no normal host endpoint policy in mangle POSTROUTING"`,
    ],
  };
}

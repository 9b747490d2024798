// The desired nftables state for one node, as the calculation hands it to the renderer (nft.ts), plus the
// names and mark bits shared by both. Pure types and constants; no I/O.
//
// Ruleset shape (one table, `inet tabby`; Calico's chain names inside):
//   cali-FORWARD / cali-INPUT (base chains) ─ iifname "cali*" → cali-from-wl-dispatch, oifname "cali*" → cali-to-wl-dispatch
//   cali-*-wl-dispatch: unknown interface → drop, anti-spoofing (iface . saddr set), conntrack, then ONE verdict-map
//                       lookup keyed by interface → goto cali-fw-<iface> / cali-tw-<iface>
//   cali-fw-/tw-<iface>: goto the endpoint's policy program (cali-pgo-/pgi-<hash>), shared by every endpoint
//                        with the same tiers/policies/profiles
//   program: per tier: clear pass mark, jump cali-pi-/po-<policy> per policy, return if accepted, end-of-tier drop;
//            then profiles cali-pri-/pro-<profile>; final drop
//   cali-pi-/po-<policy>: one nft rule per (rule × port alternative); Allow = set accept mark + return,
//                         Deny = drop, Pass = set pass mark + return, Log = log and continue
//   selectors → sets cali40s-<hash> (addresses, interval), named ports → cali40n-<hash> (addr . port),
//   and cali60s-/cali60n- twins once the cluster has IPv6 addresses,
//   literal net/port lists → shared sets cali40nets-/cali60nets-/cali-ports-<hash>

export const TABLE_FAMILY = 'inet';
export const TABLE_NAME = 'tabby';
export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
export const MARK_CLEAR_BOTH = '0xfffcffff';
export const MARK_CLEAR_PASS = '0xfffdffff';
export const SET_ACCEPT = `meta mark set meta mark or 0x${MARK_ACCEPT.toString(16)}`;
export const SET_PASS = `meta mark set meta mark or 0x${MARK_PASS.toString(16)}`;
export const IS_ACCEPTED = `meta mark and 0x${MARK_ACCEPT.toString(16)} == 0x${MARK_ACCEPT.toString(16)}`;
export const NOT_PASSED = `meta mark and 0x${MARK_PASS.toString(16)} == 0`;

export const WORKLOAD_IFACE_PREFIX = 'cali';
export const SET_WL_IFACES = 'cali-wl-ifaces';
export const SET_WL_ADDRS_V4 = 'cali40-wl-addrs';
export const SET_WL_ADDRS_V6 = 'cali60-wl-addrs';
export const MAP_TO_WL = 'cali-to-wl-dispatch';
export const MAP_FROM_WL = 'cali-from-wl-dispatch';

export interface NftSetModel {
  name: string;
  /** nft type expression, e.g. `ipv4_addr`, `ifname . ipv4_addr`. */
  type: string;
  interval: boolean;
  /** Elements as nft text (`10.0.0.5`, `"cali0a" . 10.0.0.5`). */
  elements: Set<string>;
}

export interface NftMapModel {
  name: string;
  /** Key type; the value type is always `verdict`. */
  keyType: string;
  /** Element key text → verdict text (`"cali0a"` → `goto cali-tw-cali0a`). */
  elements: Map<string, string>;
}

export interface BaseChainHook { type: 'filter'; hook: 'prerouting' | 'forward' | 'input' | 'output' | 'postrouting'; priority: number; policy: 'accept' | 'drop' }

/** Which resource a policy or profile chain was compiled from (for `tabby trace`; not rendered to nft). */
export interface ChainOrigin {
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'Profile';
  name: string;
  namespace?: string;
  tier?: string;
}

export interface NftChainModel {
  name: string;
  base?: BaseChainHook;
  /** Rule bodies as nft text, in order. */
  rules: string[];
  /** Policy/profile chains: the resource they come from. */
  origin?: ChainOrigin;
  /** Policy/profile chains: per nft rule, the index of the Calico rule it was compiled from. */
  ruleSource?: number[];
  /** Program chains: per nft rule, the tier it belongs to (undefined in the profiles' part). */
  ruleTier?: (string | undefined)[];
}

export interface RulesetModel {
  family: string;
  table: string;
  sets: Map<string, NftSetModel>;
  maps: Map<string, NftMapModel>;
  chains: Map<string, NftChainModel>;
}

export function emptyRuleset(): RulesetModel {
  return { family: TABLE_FAMILY, table: TABLE_NAME, sets: new Map(), maps: new Map(), chains: new Map() };
}

export function nftString(s: string): string {
  // nft strings cannot contain double quotes; comments are limited to 128 bytes.
  return `"${s.replace(/["\\\n]/g, "'").slice(0, 120)}"`;
}

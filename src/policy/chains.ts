// Policy and profile chains (cali-pi-/po-/pri-/pro-), compiled once and cached across calculations by the
// rules' content; collects the selector, named-port and literal sets the chains use.
import { compileRule, literalOperand, type RuleContext, type SetRegistry } from './rule-compiler.ts';
import type { PolicySpec, Profile, Rule } from './model.ts';
import { nftString, type ChainOrigin, type NftSetModel } from './ruleset-model.ts';
import { hashOf, namedPortKeyText, peerKeyText, type NamedPortKey, type PeerKey } from './selection.ts';
import { NAMESPACE_PROFILE_PREFIX } from './items.ts';

export type Direction = 'Ingress' | 'Egress';

/** A NetworkPolicy or GlobalNetworkPolicy as the calculation sees it. */
export interface PolicyRef {
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  /** `<ns>/<name>` or `<name>`: unique, and the chain name's suffix. */
  id: string;
  name: string;
  namespace?: string;
  spec: PolicySpec;
  tier: string;
  order: number | undefined;
}

export interface CompiledChain {
  fingerprint: string;
  rules: string[];
  /** Per nft rule, the index of the Calico rule it came from. */
  ruleSource: number[];
  /** Set name → what it holds; `id` keys the shared membership (both families use one). */
  peers: Map<string, { key: PeerKey; id: string; family: 4 | 6 }>;
  namedPorts: Map<string, { key: NamedPortKey; id: string; family: 4 | 6 }>;
  literals: Map<string, NftSetModel>;
  error?: string;
}

const NAME_OK = /^[A-Za-z0-9_./-]+$/;
export function chainName(prefix: string, id: string): string {
  const full = prefix + id;
  return NAME_OK.test(id) && full.length <= 64 ? full : `${prefix}_${hashOf(id, 20)}`;
}

/** What one calculation needs: chains, and the sets their rules reference. */
export interface ChainRun {
  ipv6: boolean;
  problems: string[];
  chains: Map<string, CompiledChain>;
  peerSets: CompiledChain['peers'];
  npSets: CompiledChain['namedPorts'];
  literalSets: Map<string, NftSetModel>;
  /** Chain name → the policy or profile it was compiled from (the tier can change without the rules). */
  origins: Map<string, ChainOrigin>;
}

export class ChainCompiler {
  private readonly compiled = new Map<string, CompiledChain>();
  /** Rules arrays are treated as immutable: their JSON is computed once per object. */
  private readonly rulesJson = new WeakMap<object, string>();

  newRun(ipv6: boolean, problems: string[]): ChainRun {
    return { ipv6, problems, chains: new Map(), peerSets: new Map(), npSets: new Map(), literalSets: new Map(), origins: new Map() };
  }

  /** Forget compiled chains the last run did not need, so the cache tracks the live policy set. */
  endRun(run: ChainRun): void {
    for (const n of this.compiled.keys()) if (!run.chains.has(n)) this.compiled.delete(n);
  }

  policyChain(run: ChainRun, p: PolicyRef, dir: Direction): string {
    const name = chainName(dir === 'Ingress' ? 'cali-pi-' : 'cali-po-', p.id);
    const rules = (dir === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
    const where = `${p.kind}(${p.id})`;
    this.compile(run, name, p.namespace, rules, `${where}.spec.${dir.toLowerCase()}`, where);
    run.origins.set(name, { kind: p.kind, name: p.name, tier: p.tier, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}) });
    return name;
  }

  /** The profile's chain, or undefined if the profile does not exist (kns.<ns> always exists: allow all). */
  profileChain(run: ChainRun, profiles: Map<string, Profile>, name: string, dir: Direction): string | undefined {
    let prof = profiles.get(name);
    if (!prof) {
      // Kubernetes namespace profiles exist implicitly (Calico synthesises them from namespaces): allow all.
      if (!name.startsWith(NAMESPACE_PROFILE_PREFIX)) return undefined;
      prof = { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name }, spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] } };
    }
    const cname = chainName(dir === 'Ingress' ? 'cali-pri-' : 'cali-pro-', name);
    const rules = (dir === 'Ingress' ? prof.spec?.ingress : prof.spec?.egress) ?? [];
    this.compile(run, cname, undefined, rules, `Profile(${name}).spec.${dir.toLowerCase()}`, `Profile(${name})`);
    run.origins.set(cname, { kind: 'Profile', name });
    return cname;
  }

  private compile(run: ChainRun, name: string, namespace: string | undefined, rules: Rule[], rulesWhere: string, where: string): void {
    let rulesJson = this.rulesJson.get(rules);
    if (rulesJson === undefined) { rulesJson = JSON.stringify(rules); this.rulesJson.set(rules, rulesJson); }
    const fingerprint = `${run.ipv6 ? 6 : 4}|${namespace ?? ''}|${rulesJson}`;
    let c = this.compiled.get(name);
    if (!c || c.fingerprint !== fingerprint) {
      c = compileChainRules(fingerprint, namespace, rules, rulesWhere, run.ipv6);
      this.compiled.set(name, c);
    }
    if (c.error) run.problems.push(`${where}: ${c.error}; its rules deny all`);
    run.chains.set(name, c);
    for (const [n, k] of c.peers) run.peerSets.set(n, k);
    for (const [n, k] of c.namedPorts) run.npSets.set(n, k);
    for (const [n, set] of c.literals) run.literalSets.set(n, set);
  }
}

function compileChainRules(fingerprint: string, namespace: string | undefined, rules: Rule[], rulesWhere: string, ipv6: boolean): CompiledChain {
  const peers: CompiledChain['peers'] = new Map();
  const namedPorts: CompiledChain['namedPorts'] = new Map();
  const literals = new Map<string, NftSetModel>();
  const sets: SetRegistry = {
    peer: (k, family) => { const id = hashOf(peerKeyText(k), 20); const n = `cali${family}0s-${id}`; peers.set(n, { key: k, id, family }); return n; },
    namedPort: (k, family) => { const id = hashOf(namedPortKeyText(k), 20); const n = `cali${family}0n-${id}`; namedPorts.set(n, { key: k, id, family }); return n; },
    literal: (kind, elems) => literalOperand(kind, elems, literals),
  };
  try {
    const out: string[] = [];
    const ruleSource: number[] = [];
    rules.forEach((r, i) => {
      const ctx: RuleContext = { sets, ipv6, where: `${rulesWhere}[${i}]`, ...(namespace !== undefined ? { namespace } : {}) };
      for (const text of compileRule(r, ctx)) { out.push(text); ruleSource.push(i); }
    });
    return { fingerprint, rules: out, ruleSource, peers, namedPorts, literals };
  } catch (e) {
    // A rule we cannot compile must not open a hole: the whole chain denies instead.
    const msg = (e as Error).message;
    return { fingerprint, rules: [`drop comment ${nftString(`invalid: ${msg}`)}`], ruleSource: [-1], peers: new Map(), namedPorts: new Map(), literals: new Map(), error: msg };
  }
}

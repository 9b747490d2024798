// Workload endpoints and network sets as selectable items, with the labels Felix sees for them. Pure.
// Labels as libcalico-go's updateprocessors give them to Felix:
//   * workloadendpointprocessor.go: the endpoint's own `pcns.*`/`pcsa.*` labels are dropped (an endpoint
//     cannot pretend to be in another namespace); projectcalico.org/serviceaccount = spec.serviceAccountName;
//   * networksetprocessor.go: projectcalico.org/namespace is forced to the set's namespace, and the set
//     inherits the kns.<ns> profile;
//   * profile labels (kns.<ns>: pcns.<namespace label> and pcns.projectcalico.org/name; ksa.<ns>.<sa>:
//     pcsa.*) are inherited; the item's own labels win over inherited ones.
import { parseNet, type Net } from '../net/ip.ts';
import {
  LABEL_NAMESPACE, LABEL_ORCHESTRATOR, LABEL_SERVICE_ACCOUNT, type PolicySnapshot, type WorkloadEndpoint,
} from './model.ts';
import type { Item, Labels } from './selection.ts';

const NS_PREFIX = 'pcns.';
const SA_PREFIX = 'pcsa.';
export const NAMESPACE_PROFILE_PREFIX = 'kns.';

/** Labels each profile applies, keyed by profile name; kns.<ns> always carries pcns.projectcalico.org/name. */
export function profileLabelMap(snap: PolicySnapshot): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const p of snap.profiles) {
    const name = p.metadata.name;
    const labels: Labels = { ...(p.spec?.labelsToApply ?? {}) };
    if (name.startsWith(NAMESPACE_PROFILE_PREFIX)) labels[`${NS_PREFIX}projectcalico.org/name`] ??= name.slice(NAMESPACE_PROFILE_PREFIX.length);
    out.set(name, labels);
  }
  return out;
}

/** Inherited labels of a profile, synthesising the kns.<ns> profile Calico always has. */
function inherited(profile: string, profileLabels: Map<string, Labels>): Labels {
  const l = profileLabels.get(profile);
  if (l) return l;
  if (profile.startsWith(NAMESPACE_PROFILE_PREFIX)) return { [`${NS_PREFIX}projectcalico.org/name`]: profile.slice(NAMESPACE_PROFILE_PREFIX.length) };
  return {};
}

function unprefixed(labels: Labels, prefix: string): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

function withoutPrefixes(labels: Labels | undefined): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!k.startsWith(NS_PREFIX) && !k.startsWith(SA_PREFIX)) out[k] = v;
  return out;
}

function views(labels: Labels): Pick<Item, 'nsView' | 'saView'> {
  return { nsView: unprefixed(labels, NS_PREFIX), saView: unprefixed(labels, SA_PREFIX) };
}

export interface DerivedEndpoint {
  ctx: string;
  key: string;
  item: Item;
  fingerprint: string;
  spec: NonNullable<WorkloadEndpoint['spec']>;
  nets: Net[];
  profiles: string[];
  problems: string[];
  /** The index entry ({item, fingerprint}), one object per derivation: an update re-uses it, not a copy. */
  entry: { item: Item; fingerprint: string };
  /** Whether any of its addresses is IPv6. */
  v6: boolean;
}

/** A workload endpoint as a selectable item: labels merged with its profiles' labels, parsed addresses. */
export function deriveEndpoint(w: WorkloadEndpoint, profileLabels: Map<string, Labels>, ctx: string): DerivedEndpoint {
  const problems: string[] = [];
  const ns = w.metadata.namespace;
  const spec = w.spec ?? {};
  const key = `wep/${ns ?? ''}/${w.metadata.name}`;
  const profiles = spec.profiles ?? (ns ? [`${NAMESPACE_PROFILE_PREFIX}${ns}`] : []);
  const labels: Labels = {};
  for (const p of profiles) Object.assign(labels, inherited(p, profileLabels));
  Object.assign(labels, withoutPrefixes(w.metadata.labels));
  if (ns && labels[LABEL_NAMESPACE] === undefined) labels[LABEL_NAMESPACE] = ns;
  if (spec.orchestrator && labels[LABEL_ORCHESTRATOR] === undefined) labels[LABEL_ORCHESTRATOR] = spec.orchestrator;
  if (spec.serviceAccountName) labels[LABEL_SERVICE_ACCOUNT] = spec.serviceAccountName;
  const nets: Net[] = [];
  for (const n of spec.ipNetworks ?? []) {
    try { nets.push(parseNet(n.split('/')[0]!)); } catch (e) { problems.push(`${key}: ${(e as Error).message}`); }
  }
  const item: Item = {
    key, kind: 'wep', namespace: ns, labels, ...views(labels), nets,
    node: spec.node, ports: spec.ports ?? [], serviceAccount: spec.serviceAccountName,
  };
  const fingerprint = JSON.stringify([labels, nets.map((c) => c.text), item.ports, item.serviceAccount]);
  return { ctx, key, item, fingerprint, spec, nets, profiles, problems, entry: { item, fingerprint }, v6: nets.some((c) => c.family === 6) };
}

function parseNets(nets: string[] | undefined, where: string, problems: string[]): Net[] {
  const out: Net[] = [];
  for (const n of nets ?? []) {
    try { out.push(parseNet(n)); } catch (e) { problems.push(`${where}: ${(e as Error).message}`); }
  }
  return out;
}

/** NetworkSets and GlobalNetworkSets as items, keyed; invalid nets are reported and skipped. */
export function networkSetItems(snap: PolicySnapshot, profileLabels: Map<string, Labels>, problems: string[]): Map<string, { item: Item; fingerprint: string }> {
  const items = new Map<string, { item: Item; fingerprint: string }>();
  for (const s of snap.networkSets) {
    const ns = s.metadata.namespace;
    const key = `netset/${ns ?? ''}/${s.metadata.name}`;
    const labels: Labels = ns ? { ...inherited(`${NAMESPACE_PROFILE_PREFIX}${ns}`, profileLabels) } : {};
    Object.assign(labels, s.metadata.labels ?? {});
    if (ns) labels[LABEL_NAMESPACE] = ns;
    const nets = parseNets(s.spec?.nets, key, problems);
    const item: Item = { key, kind: 'netset', namespace: ns, labels, ...views(labels), nets, ports: [] };
    items.set(key, { item, fingerprint: JSON.stringify([labels, nets.map((c) => c.text)]) });
  }
  for (const s of snap.globalNetworkSets) {
    const key = `gnetset/${s.metadata.name}`;
    const labels: Labels = { ...(s.metadata.labels ?? {}) };
    const nets = parseNets(s.spec?.nets, key, problems);
    items.set(key, { item: { key, kind: 'gnetset', labels, ...views(labels), nets, ports: [] }, fingerprint: JSON.stringify([labels, nets.map((c) => c.text)]) });
  }
  return items;
}

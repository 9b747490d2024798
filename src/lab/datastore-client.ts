// The lab reads and writes the datastore the way an administrator does: with `tabby` (calicoctl) run on the
// controlplane node, where the lab's datastore is reachable (etcd listens on the controlplane's node IP).
import YAML from 'yaml';
import type { Resource } from '../api/resource.ts';
import { CommandError, execIn } from './kernel.ts';
import { nodeShellEnv, tabbyBin } from './env.ts';
import type { LabState } from './state.ts';
import { TabbyError } from '../errors.ts';

export class LabDatastoreError extends TabbyError {
  constructor(message: string) {
    super('LabDatastoreFailed', message);
    this.name = 'LabDatastoreError';
  }
}

function tabby(state: LabState, args: string[], input?: string): string {
  const cp = state.nodes[0];
  if (!cp) throw new LabDatastoreError(`lab ${state.name} has no nodes`);
  try {
    return execIn(cp.ns, ['env', '-i', ...Object.entries(nodeShellEnv(state, cp)).map(([k, v]) => `${k}=${v}`), tabbyBin(), ...args], { input });
  } catch (e) {
    if (e instanceof CommandError) {
      throw new LabDatastoreError(`\`tabby ${args.join(' ')}\` failed (exit ${e.status}): ${(e.stderr || e.stdout).trim()}`);
    }
    throw e;
  }
}

/** `tabby apply -f -` with the given resources (one YAML stream). */
export function applyResources(state: LabState, objs: Resource[]): void {
  if (objs.length === 0) return;
  tabby(state, ['apply', '-f', '-'], objs.map((o) => YAML.stringify(o)).join('---\n'));
}

/** `tabby patch KIND NAME -t merge -p PATCH` (RFC 7386: null removes a field). */
export function patchResource(state: LabState, kind: string, name: string, patch: unknown): void {
  tabby(state, ['patch', kind, name, '-t', 'merge', '-p', JSON.stringify(patch)]);
}

/** `tabby delete KIND NAME --skip-not-exists`. */
export function deleteResource(state: LabState, kind: string, name: string): void {
  tabby(state, ['delete', kind, name, '--skip-not-exists']);
}

/** `tabby get KIND -o yaml` (all namespaces for namespaced kinds), as a list of resources. */
export function listResources(state: LabState, plural: string, namespaced: boolean): Resource[] {
  const out = tabby(state, ['get', plural, ...(namespaced ? ['--all-namespaces'] : []), '-o', 'yaml']);
  return parseResourceList(out);
}

/** Accepts what calicoctl prints: one object, a `…List` with items, or a stream of documents. */
export function parseResourceList(text: string): Resource[] {
  const items: Resource[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new LabDatastoreError(`unparseable \`tabby get\` output: ${doc.errors[0]!.message}`);
    const v = doc.toJS() as any;
    if (!v) continue;
    if (Array.isArray(v.items)) items.push(...v.items);
    else if (Array.isArray(v)) items.push(...v);
    else if (v.kind) items.push(v);
  }
  return items;
}

/**
 * The Profile Calico synthesises for a Kubernetes Namespace: its labels as `pcns.<k>` plus
 * `pcns.projectcalico.org/name`, allowing all traffic (policy comes from NetworkPolicies).
 */
export function namespaceProfile(ns: string, labels: Record<string, string>): Resource {
  const labelsToApply: Record<string, string> = { 'pcns.projectcalico.org/name': ns };
  for (const [k, v] of Object.entries(labels)) labelsToApply[`pcns.${k}`] = v;
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'Profile',
    metadata: { name: `kns.${ns}` },
    spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }], labelsToApply },
  };
}

/** The Profile Calico synthesises for a namespace's `default` ServiceAccount (WorkloadEndpoints list ksa.<ns>.default). */
export function serviceAccountProfile(ns: string, sa = 'default'): Resource {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'Profile',
    metadata: { name: `ksa.${ns}.${sa}` },
    spec: { labelsToApply: { 'pcsa.projectcalico.org/name': sa } },
  };
}

/** What a Kubernetes Namespace becomes in Calico: kns.<ns> and ksa.<ns>.default. */
export function namespaceResources(ns: string, labels: Record<string, string>): Resource[] {
  return [namespaceProfile(ns, labels), serviceAccountProfile(ns)];
}

/** Labels a WorkloadEndpoint carries for a pod: the pod's own plus Calico's projectcalico.org/* ones. */
export function workloadLabels(namespace: string, podLabels: Record<string, string>, existing: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(existing)) if (k.startsWith('projectcalico.org/')) out[k] = v;
  Object.assign(out, podLabels);
  out['projectcalico.org/namespace'] = namespace;
  out['projectcalico.org/orchestrator'] = 'k8s';
  if (!('projectcalico.org/serviceaccount' in out)) out['projectcalico.org/serviceaccount'] = 'default';
  return out;
}

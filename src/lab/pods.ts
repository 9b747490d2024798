// Pods in the lab, as kubelet + a container runtime + the scheduler + kube-controllers would handle them:
// a pod is a network namespace; it is scheduled onto the least-loaded node; the runtime calls the node's
// CNI config (real executables, K8S_POD_* in CNI_ARGS); a relabel is carried to its WorkloadEndpoint;
// a Kubernetes Namespace's labels become the Profile kns.<ns>.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Resource } from '../api/resource.ts';
import { CniRuntime, resultIPv4, type CniAttachment } from './cni-runtime.ts';
import { addNetns, delNetns } from './kernel.ts';
import { writeState, type LabNodeState, type LabPodRuntime, type LabPodState, type LabState } from './state.ts';
import { podNode, type PodRuntime } from './pod-runtime.ts';
import { applyResources, listResources, namespaceProfile, namespaceResources, serviceAccountProfile, workloadLabels } from './datastore-client.ts';
import type { PodPort } from '../api/resource.ts';
import type { Say } from './lab.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes' safe alphabet for generated name suffixes (no vowels, no look-alikes). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

export function validateName(what: string, name: string, max = 40): void {
  if (!DNS_LABEL.test(name) || name.length > max) {
    throw new Error(`invalid ${what} "${name}": use at most ${max} lower-case letters, digits or '-', starting and ending with a letter or digit`);
  }
}

/** `k=v,k2=v2` (or separate `k=v` words) → map; `k-` entries are removals (returned separately). */
export function parseLabels(items: string[]): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const item of items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (item.endsWith('-') && !item.includes('=')) {
      remove.push(item.slice(0, -1));
      continue;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${item}": expected key=value (or key- to remove)`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!/^([a-zA-Z0-9.-]+\/)?[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/.test(key)) throw new Error(`invalid label key "${key}"`);
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?)?$/.test(value)) throw new Error(`invalid label value "${value}" for key "${key}"`);
    set[key] = value;
  }
  return { set, remove };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A ServiceAccount name: a DNS subdomain (Kubernetes' rule for object names). */
export function validateServiceAccount(name: string): void {
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    throw new Error(`invalid service account "${name}": use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253)`);
  }
}

/**
 * `NAME:PORT[/PROTO]` (protocol TCP when left out, any case) → a named container port. Names follow
 * Kubernetes' IANA_SVC_NAME rule, as Calico validates endpoint port names; a name may be used once.
 */
export function parsePortSpecs(specs: string[]): PodPort[] {
  const out: PodPort[] = [];
  for (const spec of specs) {
    const m = /^([^:]+):(\d+)(?:\/([A-Za-z]+))?$/.exec(spec);
    if (!m) throw new Error(`invalid --port "${spec}": expected NAME:PORT/PROTO, e.g. http:8080/TCP`);
    const [, name, portText, protoText] = m as unknown as [string, string, string, string | undefined];
    if (name.length > 15 || !/^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes('--')) {
      throw new Error(`invalid --port "${spec}": port name "${name}" must be up to 15 lower-case letters, digits and single '-', with at least one letter`);
    }
    const port = Number(portText);
    if (port < 1 || port > 65535) throw new Error(`invalid --port "${spec}": port ${portText} is not 1-65535`);
    const protocol = (protoText ?? 'TCP').toUpperCase();
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') throw new Error(`invalid --port "${spec}": protocol "${protoText}" is not TCP, UDP or SCTP`);
    if (out.some((p) => p.name === name)) throw new Error(`invalid --port "${spec}": port name "${name}" is given twice`);
    out.push({ name, port, protocol });
  }
  return out;
}

function safeString(bytes: Buffer, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SAFE[bytes[i % bytes.length]! % SAFE.length];
  return s;
}

/** A deployment's pod-template-hash: stable for the same name, namespace and labels. */
export function templateHash(app: string, namespace: string, labels: Record<string, string>): string {
  const h = createHash('sha256').update(JSON.stringify([app, namespace, Object.entries(labels).sort()])).digest();
  return safeString(h, 10);
}

/** Picks nodes as the default scheduler's spreading would: the node with fewest pods, first in order on ties. */
export function schedule(nodes: string[], podCounts: Map<string, number>, replicas: number): string[] {
  const counts = new Map(nodes.map((n) => [n, podCounts.get(n) ?? 0]));
  const out: string[] = [];
  for (let i = 0; i < replicas; i++) {
    let best = nodes[0]!;
    for (const n of nodes) if (counts.get(n)! < counts.get(best)!) best = n;
    counts.set(best, counts.get(best)! + 1);
    out.push(best);
  }
  return out;
}

export function cniRuntimeFor(state: LabState, node: LabNodeState, timeoutMs?: number): CniRuntime {
  return new CniRuntime({
    ...(timeoutMs ? { timeoutMs } : {}),
    confDir: node.cniConfDir,
    // Tabby's plugins first, then the distribution's reference plugins (portmap, bandwidth, …).
    binDirs: [state.cniBinDir, '/opt/cni/bin', '/usr/lib/cni'],
    hostNetns: node.ns,
    cacheDir: path.join(state.dir, 'cni-cache', node.name),
    ...(process.env.TABBY_LOG_LEVEL ? { extraEnv: { TABBY_LOG_LEVEL: process.env.TABBY_LOG_LEVEL } } : {}),
  });
}

/** What the runtime passes the plugins for a pod (CNI_ARGS, labels in the netconf's args). */
export function attachment(pod: LabPodState): CniAttachment {
  return {
    containerId: pod.containerId,
    netnsPath: `/run/netns/${pod.netns}`,
    ifname: 'eth0',
    args: {
      K8S_POD_NAMESPACE: pod.namespace,
      K8S_POD_NAME: pod.name,
      K8S_POD_INFRA_CONTAINER_ID: pod.containerId,
      K8S_POD_UID: pod.uid,
      // Calico reads a pod's annotations from the Kubernetes API; with none here they travel in CNI_ARGS.
      ...(pod.annotations ?? {}),
    },
    // With no Kubernetes API to ask, the pod's labels travel in the netconf: Tabby's `args.tabby` extension
    // and the CNI conventions' `args.cni.labels`.
    confArgs: {
      tabby: { labels: { ...pod.labels }, serviceAccount: pod.serviceAccount ?? 'default', ...(pod.ports?.length ? { ports: pod.ports } : {}) },
      cni: { labels: Object.entries(pod.labels).map(([key, value]) => ({ key, value })) },
    },
  };
}

export interface RunOptions {
  app: string;
  replicas: number;
  /** False when the caller used the default count: an existing deployment is then not scaled (refused). */
  replicasGiven?: boolean;
  node?: string;
  namespace: string;
  labels: Record<string, string>;
  /** The pods' ServiceAccount (default: `default`). */
  serviceAccount?: string | undefined;
  /** Named container ports. */
  ports?: PodPort[] | undefined;
  /** Pod annotations (e.g. cni.projectcalico.org/ipv4pools), carried to the CNI plugin in CNI_ARGS. */
  annotations?: Record<string, string> | undefined;
  concurrency?: number;
  /** Who makes the pods' sandboxes (default: the lab's bare namespaces). */
  runtime?: LabPodRuntime | undefined;
}

export interface RunResult {
  /** The pods this call created. */
  pods: LabPodState[];
  warnings: string[];
  /** created: a new deployment; scaled: an existing one brought to `replicas`; unchanged: it had that many. */
  action: 'created' | 'scaled' | 'unchanged';
  /** Pods of the deployment before the call, the ones this call deleted (scaling down) and why others were not. */
  before: number;
  deleted: string[];
  deleteErrors: string[];
  /** Pods of the deployment running after the call, and their total. */
  running: number;
  total: number;
}

/**
 * `lab run NAME`: creates the deployment, or, when it exists in that namespace, scales it to `replicas` as
 * `kubectl scale` would (new pods from the same template; surplus pods deleted in the ReplicaSet
 * controller's order). Changing an existing deployment's pod template (--labels) is refused.
 */
export async function runPods(state: LabState, opts: RunOptions, say: Say = () => {}): Promise<RunResult> {
  validateName('deployment name', opts.app);
  validateName('namespace', opts.namespace, 63);
  if (opts.serviceAccount !== undefined) validateServiceAccount(opts.serviceAccount);
  const existing = state.pods.filter((p) => p.app === opts.app && p.namespace === opts.namespace);
  const min = existing.length > 0 ? 0 : 1;
  if (!Number.isInteger(opts.replicas) || opts.replicas < min || opts.replicas > 10_000) {
    throw new Error(`--replicas must be an integer from ${min} to 10000, got ${opts.replicas}`);
  }
  const nodeNames = state.nodes.map((n) => n.name);
  if (opts.node && !nodeNames.includes(opts.node)) throw new Error(`no node "${opts.node}" in lab ${state.name} (nodes: ${nodeNames.join(', ')})`);
  if (existing.length === 0) {
    const template: PodTemplate = { labels: { app: opts.app, ...opts.labels }, serviceAccount: opts.serviceAccount, ports: opts.ports, runtime: opts.runtime };
    const r = await createPods(state, opts, template, opts.replicas, say);
    return { ...r, action: 'created', before: 0, deleted: [], deleteErrors: [], ...runningOf(state, opts) };
  }
  return scalePods(state, opts, existing, say);
}

function runningOf(state: LabState, opts: RunOptions): { running: number; total: number } {
  const mine = state.pods.filter((p) => p.app === opts.app && p.namespace === opts.namespace);
  return { running: mine.filter((p) => p.status === 'Running').length, total: mine.length };
}

async function scalePods(state: LabState, opts: RunOptions, existing: LabPodState[], say: Say): Promise<RunResult> {
  const what = `deployment.apps/${opts.app} already exists in namespace ${opts.namespace} with ${existing.length} pod(s)`;
  if (opts.replicasGiven === false) throw new Error(`${what}: give --replicas N to scale it (as kubectl scale does), or delete it first`);
  const first = existing[0]!;
  const labels = { ...first.labels };
  delete labels['pod-template-hash'];
  const asked = { app: opts.app, ...opts.labels };
  if (Object.keys(opts.labels).length > 0 && Object.entries(asked).some(([k, v]) => labels[k] !== v)) {
    throw new Error(`${what} and labels ${formatLabels(labels)}: changing the pod template of a deployment is not supported; delete it first`);
  }
  if (opts.serviceAccount !== undefined && opts.serviceAccount !== (first.serviceAccount ?? 'default')) {
    throw new Error(`${what} and service account ${first.serviceAccount ?? 'default'}: changing the pod template of a deployment is not supported; delete it first`);
  }
  if (opts.ports !== undefined && JSON.stringify(opts.ports) !== JSON.stringify(first.ports ?? [])) {
    throw new Error(`${what} and other ports: changing the pod template of a deployment is not supported; delete it first`);
  }
  if (opts.runtime !== undefined && opts.runtime !== (first.runtime ?? 'netns')) {
    throw new Error(`${what} on runtime ${first.runtime ?? 'netns'}: changing the runtime of a deployment is not supported; delete it first`);
  }
  const template: PodTemplate = { labels, serviceAccount: first.serviceAccount, ports: first.ports, runtime: first.runtime };
  const base = { before: existing.length, deleted: [] as string[], deleteErrors: [] as string[], warnings: [] as string[], pods: [] as LabPodState[] };
  if (opts.replicas === existing.length) return { ...base, action: 'unchanged', ...runningOf(state, opts) };
  if (opts.replicas > existing.length) {
    // New pods come from the same template: its annotations too, unless the call gives them.
    const annotations = opts.annotations && Object.keys(opts.annotations).length ? opts.annotations : existing[0]!.annotations;
    const r = await createPods(state, { ...opts, annotations }, template, opts.replicas - existing.length, say);
    return { ...base, ...r, action: 'scaled', ...runningOf(state, opts) };
  }
  const victims = scaleDownOrder(existing).slice(0, existing.length - opts.replicas);
  for (const pod of victims) {
    const e = await deletePod(state, pod);
    if (e) base.deleteErrors.push(e); else { base.deleted.push(pod.name); say(`pod "${pod.name}" deleted`); }
  }
  return { ...base, action: 'scaled', ...runningOf(state, opts) };
}

const formatLabels = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',');

/**
 * Which pods a ReplicaSet deletes first when scaled down (kubernetes pkg/controller ActivePodsWithRanks,
 * the parts that apply here): pods not running before running ones, then pods sharing their node with
 * more pods of the same deployment, then the most recently created.
 */
export function scaleDownOrder(pods: LabPodState[]): LabPodState[] {
  const perNode = new Map<string, number>();
  for (const p of pods) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
  return [...pods].sort((a, b) => Number(a.status === 'Running') - Number(b.status === 'Running')
    || perNode.get(b.node)! - perNode.get(a.node)!
    || Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.name.localeCompare(a.name));
}

/** What every pod of a deployment shares. */
interface PodTemplate { labels: Record<string, string>; serviceAccount?: string | undefined; ports?: PodPort[] | undefined; runtime?: LabPodRuntime | undefined }

/** Creates `count` pods of the deployment from `template` (its labels include app=<name>). */
async function createPods(state: LabState, opts: RunOptions, template: PodTemplate, count: number, say: Say): Promise<{ pods: LabPodState[]; warnings: string[] }> {
  const labels = template.labels;
  const nodeNames = state.nodes.map((n) => n.name);
  const warnings: string[] = [];
  if (!(opts.namespace in state.k8sNamespaces)) {
    state.k8sNamespaces[opts.namespace] = {};
    try {
      applyResources(state, namespaceResources(opts.namespace, {}));
    } catch (e: any) {
      warnings.push(`could not write Profile kns.${opts.namespace}: ${e.message}`);
    }
  }
  const sa = template.serviceAccount;
  if (sa && sa !== 'default') {
    // kube-controllers' job: a ServiceAccount becomes the Profile ksa.<ns>.<sa> (pcsa.* labels).
    try {
      applyResources(state, [serviceAccountProfile(opts.namespace, sa)]);
    } catch (e: any) {
      warnings.push(`could not write Profile ksa.${opts.namespace}.${sa}: ${e.message}`);
    }
  }
  const hash = templateHash(opts.app, opts.namespace, labels);
  const counts = new Map<string, number>();
  for (const p of state.pods) counts.set(p.node, (counts.get(p.node) ?? 0) + 1);
  const placement = opts.node ? Array(count).fill(opts.node) as string[] : schedule(nodeNames, counts, count);
  const taken = new Set(state.pods.map((p) => p.name));
  const pods: LabPodState[] = placement.map((node) => {
    let name: string;
    do name = `${opts.app}-${hash}-${safeString(randomBytes(5), 5)}`; while (taken.has(name));
    taken.add(name);
    return {
      name, namespace: opts.namespace, app: opts.app, node, netns: `${state.name}-${name}`,
      containerId: randomBytes(32).toString('hex'), uid: randomUUID(),
      labels: { ...labels, 'pod-template-hash': hash }, status: 'ContainerCreating', createdAt: new Date().toISOString(),
      ...(template.serviceAccount ? { serviceAccount: template.serviceAccount } : {}),
      ...(template.ports?.length ? { ports: template.ports } : {}),
      ...(template.runtime && template.runtime !== 'netns' ? { runtime: template.runtime } : {}),
      ...(opts.annotations && Object.keys(opts.annotations).length ? { annotations: { ...opts.annotations } } : {}),
    };
  });
  // Recorded before their namespaces exist, so a crash leaves nothing `lab down` doesn't know of.
  state.pods.push(...pods);
  writeState(state);

  const queue = [...pods];
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 4, pods.length) }, async () => {
    for (let pod = queue.shift(); pod; pod = queue.shift()) await startPod(state, pod);
  });
  await Promise.all(workers);
  writeState(state);
  const failed = pods.filter((p) => p.status === 'Failed');
  for (const p of failed) warnings.push(`pod ${p.name} on ${p.node}: ${p.error}`);
  const ok = pods.filter((p) => p.status === 'Running');
  say(`${ok.length}/${pods.length} pod(s) running`);
  if (ok.length > 0) {
    try {
      warnings.push(...syncWorkloadEndpoints(state, ok));
    } catch (e: any) {
      warnings.push(`could not check the pods' WorkloadEndpoints: ${e.message}`);
    }
  }
  return { pods, warnings };
}

/** Attempts per pod: kubelet, too, retries a failed sandbox creation (after a DEL) instead of giving up. */
const ADD_ATTEMPTS = 3;

async function startPod(state: LabState, pod: LabPodState): Promise<void> {
  const rt = await runtimeOf(pod);
  for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
    try {
      await rt.start(state, pod, attempt);
      pod.status = 'Running';
      delete pod.error;
      break;
    } catch (e: any) {
      pod.status = 'Failed';
      pod.error = attempt > 1 ? `${e.message} (after ${attempt} attempts)` : e.message;
      // A runtime calls DEL after a failed ADD so the plugin can release what it took (kubelet stops and
      // removes a failed sandbox).
      try { await rt.cleanup(state, pod); } catch { /* the start error is the one to report */ }
      if (/no IPv4 address|failed to find plugin|no CNI network config|ContainerdUnavailable|SandboxImageUnavailable/.test(e.message + (e.code ?? ''))) break; // retrying cannot help
      if (attempt < ADD_ATTEMPTS) await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  writeState(state);
}

/** The lab as the runtime: it makes the namespace and calls the node's CNI config itself. */
const netnsRuntime: PodRuntime = {
  name: 'netns',
  async start(state, pod, attempt) {
    if (attempt === 1) addNetns(pod.netns);
    const result = await cniRuntimeFor(state, podNode(state, pod)).add(attachment(pod));
    const ip = resultIPv4(result);
    if (!ip) {
      delete pod.ip;
      throw new Error(`CNI ADD returned no IPv4 address: ${JSON.stringify(result)}`);
    }
    pod.ip = ip;
  },
  async cleanup(state, pod) {
    await cniRuntimeFor(state, podNode(state, pod)).del(attachment(pod));
  },
  async remove(state, pod) {
    await cniRuntimeFor(state, podNode(state, pod)).del(attachment(pod));
  },
};

/** The pod's runtime; containerd's and podman's modules are loaded when first used (gRPC is not small). */
export async function runtimeOf(pod: LabPodState): Promise<PodRuntime> {
  switch (pod.runtime ?? 'netns') {
    case 'containerd': return (await import('./containerd.ts')).containerdRuntime;
    case 'podman': return (await import('./podman.ts')).podmanRuntime;
    default: return netnsRuntime;
  }
}

/**
 * kube-controllers' job: a WorkloadEndpoint carries its pod's labels. Fixes the ones that differ and
 * returns warnings for pods without a WorkloadEndpoint.
 */
export function syncWorkloadEndpoints(state: LabState, pods: LabPodState[]): string[] {
  const weps = listResources(state, 'workloadendpoints', true);
  const warnings: string[] = [];
  const updates: Resource[] = [];
  for (const pod of pods) {
    // A workload without Kubernetes args (orchestrator cni) is found by its container ID.
    const wep = weps.find((w) => w.metadata.namespace === pod.namespace && w.spec?.pod === pod.name)
      ?? weps.find((w) => w.spec?.containerID === pod.containerId);
    if (!wep) {
      warnings.push(`pod ${pod.name} has no WorkloadEndpoint in the datastore (the CNI plugin writes it at ADD)`);
      continue;
    }
    const want = workloadLabels(pod.namespace, pod.labels, wep.metadata.labels ?? {});
    if (!sameLabels(want, wep.metadata.labels ?? {})) {
      updates.push({ ...wep, metadata: { ...wep.metadata, labels: want } });
    }
  }
  applyResources(state, updates);
  return warnings;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/** Deletes a pod by name, or every pod of a deployment. */
export async function deletePods(state: LabState, name: string, say: Say = () => {}): Promise<string[]> {
  const pods = state.pods.filter((p) => p.name === name || p.app === name);
  if (pods.length === 0) throw new Error(`no pod or deployment named "${name}" in lab ${state.name}`);
  const errors: string[] = [];
  for (const pod of pods) {
    const e = await deletePod(state, pod);
    if (e) errors.push(e); else say(`pod "${pod.name}" deleted`);
  }
  return errors;
}

/** CNI DEL (by the runtime), then the namespace; a running pod whose removal fails is kept. Returns the error, if any. */
async function deletePod(state: LabState, pod: LabPodState): Promise<string | undefined> {
  const rt = await runtimeOf(pod);
  try {
    await rt.remove(state, pod);
  } catch (e: any) {
    if (pod.status === 'Running') return `pod ${pod.name}: ${rt.name === 'netns' ? 'CNI DEL' : `removing its ${rt.name} sandbox`} failed, pod kept: ${e.message}`;
  }
  if (rt.name === 'netns') delNetns(pod.netns);
  state.pods = state.pods.filter((p) => p !== pod);
  writeState(state);
  return undefined;
}

export function relabelPod(state: LabState, podName: string, items: string[]): LabPodState {
  const pod = state.pods.find((p) => p.name === podName);
  if (!pod) throw new Error(`no pod named "${podName}" in lab ${state.name}`);
  const { set, remove } = parseLabels(items);
  if (Object.keys(set).length === 0 && remove.length === 0) throw new Error('no labels given (k=v to set, k- to remove)');
  for (const k of remove) delete pod.labels[k];
  Object.assign(pod.labels, set);
  writeState(state);
  if (pod.status === 'Running') {
    const warnings = syncWorkloadEndpoints(state, [pod]);
    if (warnings.length > 0) throw new Error(warnings.join('; '));
  }
  return pod;
}

/** Creates or relabels a Kubernetes Namespace: its Profile kns.<ns>. */
export function setNamespace(state: LabState, ns: string, items: string[]): Record<string, string> {
  validateName('namespace', ns, 63);
  const { set, remove } = parseLabels(items);
  const labels = { ...(state.k8sNamespaces[ns] ?? {}) };
  for (const k of remove) delete labels[k];
  Object.assign(labels, set);
  applyResources(state, [namespaceProfile(ns, labels)]);
  state.k8sNamespaces[ns] = labels;
  writeState(state);
  return labels;
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60}m` : `${Math.floor(h / 24)}d`;
}

/** `kubectl get pods [-o wide] [-A]`. */
export function formatPods(state: LabState, opts: { wide?: boolean; namespace?: string; allNamespaces?: boolean } = {}): string {
  const ns = opts.namespace ?? 'default';
  const pods = state.pods.filter((p) => opts.allNamespaces || p.namespace === ns);
  if (pods.length === 0) return opts.allNamespaces ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`;
  const header = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE',
    ...(opts.wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : [])];
  const now = Date.now();
  const rows = pods.map((p) => [
    ...(opts.allNamespaces ? [p.namespace] : []), p.name, p.status === 'Running' ? '1/1' : '0/1',
    p.status === 'Failed' ? 'Error' : p.status, '0', formatAge(now - Date.parse(p.createdAt)),
    ...(opts.wide ? [p.ip ?? '<none>', p.node, '<none>', '<none>'] : []),
  ]);
  return table([header, ...rows]);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

// Pods made by containerd, as on a Kubernetes node: each lab node runs its own containerd (Debian's 1.6)
// inside the node's network namespace, with its config, root, state, socket and log under the lab's
// directory; its CRI plugin's CNI `bin_dir`/`conf_dir` point at Tabby's plugins and the node's conflist.
// The lab plays kubelet: RunPodSandbox / StopPodSandbox / RemovePodSandbox over the CRI gRPC API; containerd
// makes the pod's netns (/run/netns/cni-…) and calls CNI ADD and DEL with kubelet's CNI_ARGS itself.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CriClient, isNotFound, type PodSandboxConfig } from './cri-client.ts';
import { basePath } from './env.ts';
import { isOurContainerd, podNode, runtimeCniBinDir, type PodRuntime } from './pod-runtime.ts';
import { buildSandboxImage, SANDBOX_IMAGE } from './sandbox-image.ts';
import { pidAlive, writeState, type LabContainerdState, type LabNodeState, type LabPodState, type LabState } from './state.ts';
import { mustRun } from '../exec.ts';
import { TabbyError } from '../errors.ts';

/** How long a (re)started containerd may take to answer CRI Version. */
const READY_TIMEOUT_MS = Number(process.env.TABBY_LAB_CONTAINERD_TIMEOUT_MS ?? 30_000);

export class ContainerdError extends TabbyError {
  constructor(message: string) {
    super('ContainerdUnavailable', message);
    this.name = 'ContainerdError';
  }
}

function containerdFiles(state: LabState, node: LabNodeState): LabContainerdState {
  const dir = path.join(state.dir, 'nodes', node.name, 'containerd');
  return { pid: 0, dir, socket: path.join(dir, 'containerd.sock'), config: path.join(dir, 'config.toml'), logFile: path.join(dir, 'containerd.log') };
}

/** containerd's config: private root/state/socket; the CRI plugin on Tabby's CNI and the local sandbox image. */
export function containerdConfig(files: LabContainerdState, cniBinDir: string, cniConfDir: string): string {
  const q = JSON.stringify;
  return [
    'version = 2',
    `root = ${q(path.join(files.dir, 'root'))}`,
    `state = ${q(path.join(files.dir, 'state'))}`,
    '[grpc]',
    `  address = ${q(files.socket)}`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = ${q(SANDBOX_IMAGE)}`,
    '  disable_tcp_service = true',
    // Kubelet's sandbox asks for oom_score_adj -998; this machine's sandbox may not lower it (runc fails).
    '  restrict_oom_score_adj = true',
    '[plugins."io.containerd.grpc.v1.cri".cni]',
    `  bin_dir = ${q(cniBinDir)}`,
    `  conf_dir = ${q(cniConfDir)}`,
    '  max_conf_num = 1',
    '',
  ].join('\n');
}

/**
 * The node's containerd, started when it does not run (first use, or after it died: what systemd's
 * Restart=always does on a node). Resolves with a CRI client once containerd answers and has the image.
 */
export async function ensureContainerd(state: LabState, node: LabNodeState): Promise<CriClient> {
  // Pods are started a few at a time: the first one starts containerd (or checks its image), the others wait.
  const alive = isOurContainerd(node.containerd);
  let ready = readyNow.get(node);
  if (!ready || (ready.settled && (!alive || ready.pid !== node.containerd!.pid))) {
    const entry: ReadyEntry = { pid: 0, settled: false, promise: Promise.resolve() };
    entry.promise = (async () => {
      if (!isOurContainerd(node.containerd)) await startContainerd(state, node);
      await importImage(state, node.containerd!);
      entry.pid = node.containerd!.pid;
    })().finally(() => { entry.settled = true; });
    entry.promise.catch(() => readyNow.delete(node));
    readyNow.set(node, entry);
    ready = entry;
  }
  await ready.promise;
  return new CriClient(node.containerd!.socket);
}

interface ReadyEntry { pid: number; settled: boolean; promise: Promise<void> }
/** Per node record (a new lab, even of the same name, has new ones): the containerd checked ready. */
const readyNow = new WeakMap<LabNodeState, ReadyEntry>();

async function startContainerd(state: LabState, node: LabNodeState): Promise<void> {
  const files = containerdFiles(state, node);
  fs.mkdirSync(files.dir, { recursive: true });
  fs.writeFileSync(files.config, containerdConfig(files, runtimeCniBinDir(state), node.cniConfDir));
  fs.rmSync(files.socket, { force: true });
  const log = fs.openSync(files.logFile, 'a');
  const env: NodeJS.ProcessEnv = { PATH: basePath(), ...(process.env.TABBY_LOG_LEVEL ? { TABBY_LOG_LEVEL: process.env.TABBY_LOG_LEVEL } : {}) };
  // nsenter execs containerd: the PID is containerd's. Only the network namespace is entered (the mount
  // namespace stays the host's, so its /run/netns/cni-… pins are visible to `ip netns`).
  const child = spawn('nsenter', [`--net=/run/netns/${node.ns}`, '--', 'containerd', '--config', files.config], {
    detached: true, stdio: ['ignore', log, log], env,
  });
  fs.closeSync(log);
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once('error', (e) => reject(new ContainerdError(`cannot start containerd on ${node.name}: ${e.message} (install Debian's containerd)`)));
    child.once('spawn', () => resolve(child.pid!));
  });
  child.unref();
  node.containerd = { ...files, pid: spawned };
  state.processMarkers[String(spawned)] = files.config;
  writeState(state);
  await waitReady(node, child);
}

async function waitReady(node: LabNodeState, child: ReturnType<typeof spawn>): Promise<void> {
  const rec = node.containerd!;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || !pidAlive(rec.pid)) {
      throw new ContainerdError(`containerd on ${node.name} exited at start (code ${child.exitCode}): ${logTail(rec.logFile)}`);
    }
    if (fs.existsSync(rec.socket)) {
      const cri = new CriClient(rec.socket, 2_000);
      try {
        await cri.version();
        return;
      } catch (e) {
        last = (e as Error).message;
      } finally {
        cri.close();
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ContainerdError(`containerd on ${node.name} (PID ${rec.pid}) does not answer CRI Version on ${rec.socket} after ${READY_TIMEOUT_MS} ms${last ? `: ${last}` : ''}; log ${rec.logFile}`);
}

/** The sandbox image into containerd's k8s.io namespace (where the CRI plugin looks), when not there yet. */
async function importImage(state: LabState, rec: LabContainerdState): Promise<void> {
  const ctr = ['ctr', '--address', rec.socket, '--namespace', 'k8s.io'];
  const have = await mustRun([...ctr, 'images', 'ls', '-q']);
  if (have.split('\n').includes(SANDBOX_IMAGE)) return;
  await mustRun([...ctr, 'images', 'import', buildSandboxImage(state.dir)], { timeoutMs: 120_000 });
}

function logTail(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const bad = lines.filter((l) => /level=(error|fatal)/.test(l));
    return (bad.length ? bad : lines).slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** Labels kubelet puts on a sandbox (kubelet's kuberuntime labels) plus the pod's own. */
export function sandboxConfig(state: LabState, pod: LabPodState, attempt: number): PodSandboxConfig {
  return {
    metadata: { name: pod.name, uid: pod.uid, namespace: pod.namespace, attempt },
    hostname: pod.name,
    log_directory: path.join(state.dir, 'nodes', pod.node, 'pods', `${pod.namespace}_${pod.name}_${pod.uid}`),
    labels: { ...pod.labels, 'io.kubernetes.pod.name': pod.name, 'io.kubernetes.pod.namespace': pod.namespace, 'io.kubernetes.pod.uid': pod.uid },
    annotations: { ...(pod.annotations ?? {}), 'kubernetes.io/config.source': 'api' },
    linux: { security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
  };
}

/** The sandbox's netns path, from containerd's verbose status (the runtime spec it gave runc). */
export function netnsFromInfo(info: Record<string, string>): string | undefined {
  try {
    const parsed = JSON.parse(info.info ?? '{}') as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    return parsed.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path;
  } catch {
    return undefined;
  }
}

async function withCri<T>(state: LabState, pod: LabPodState, fn: (cri: CriClient) => Promise<T>): Promise<T> {
  const cri = await ensureContainerd(state, podNode(state, pod));
  try {
    return await fn(cri);
  } finally {
    cri.close();
  }
}

/** StopPodSandbox then RemovePodSandbox, both idempotent (NOT_FOUND is done), as kubelet does. */
async function stopAndRemove(cri: CriClient, id: string): Promise<void> {
  for (const step of [() => cri.stopPodSandbox(id), () => cri.removePodSandbox(id)]) {
    try { await step(); } catch (e) { if (!isNotFound(e)) throw e; }
  }
}

/** Every sandbox of the pod (a failed attempt leaves a NOTREADY one behind until it is removed). */
async function sandboxesOf(cri: CriClient, pod: LabPodState): Promise<string[]> {
  const ids = new Set((await cri.listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': pod.uid } })).map((s) => s.id));
  if (pod.runtime === 'containerd' && /^[0-9a-f]{64}$/.test(pod.containerId)) ids.add(pod.containerId);
  return [...ids];
}

export const containerdRuntime: PodRuntime = {
  name: 'containerd',
  async start(state, pod, attempt) {
    await withCri(state, pod, async (cri) => {
      const id = await cri.runPodSandbox(sandboxConfig(state, pod, attempt - 1));
      pod.containerId = id;
      const st = await cri.podSandboxStatus(id, true);
      const netns = netnsFromInfo(st.info);
      if (!netns) throw new ContainerdError(`sandbox ${id} of pod ${pod.name}: containerd's status names no network namespace`);
      pod.netns = path.basename(netns);
      const ip = st.status.network?.ip;
      if (!ip) throw new ContainerdError(`sandbox ${id} of pod ${pod.name} is ${st.status.state} with no IP address`);
      pod.ip = ip;
    });
  },
  async cleanup(state, pod) {
    await withCri(state, pod, async (cri) => {
      for (const id of await sandboxesOf(cri, pod)) await stopAndRemove(cri, id);
    });
  },
  async remove(state, pod) {
    await this.cleanup(state, pod);
  },
};

/**
 * `lab down`: every sandbox of the lab's containerds stopped and removed (CNI DEL through containerd). A
 * containerd that died while it had pods is started again first, so its sandboxes are removed properly.
 */
export async function removeAllSandboxes(state: LabState): Promise<string[]> {
  const problems: string[] = [];
  for (const node of state.nodes.filter((n) => n.containerd)) {
    const hasPods = state.pods.some((p) => p.node === node.name && p.runtime === 'containerd');
    if (!isOurContainerd(node.containerd) && !hasPods) continue;
    let cri: CriClient | undefined;
    try {
      cri = await ensureContainerd(state, node);
      for (const s of await cri.listPodSandbox()) await stopAndRemove(cri, s.id);
    } catch (e) {
      problems.push(`containerd on ${node.name}: ${(e as Error).message}`);
    } finally {
      cri?.close();
    }
  }
  return problems;
}

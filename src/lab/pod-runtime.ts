// What makes a lab pod's sandbox: the lab itself (bare namespaces, CNI called by the lab's small libcni),
// containerd through the CRI (as kubelet drives it; containerd calls CNI), or podman (its CNI backend).
// `lab exec`, `check`, `delete` and the demo only need what every runtime records on the pod: the name of
// its network namespace under /run/netns, its CNI container ID and its address.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processCmdline } from './kernel.ts';
import { pidAlive, type LabContainerdState, type LabNodeState, type LabPodRuntime, type LabPodState, type LabState } from './state.ts';

export const POD_RUNTIMES: readonly LabPodRuntime[] = ['netns', 'containerd', 'podman'];

export interface PodRuntime {
  readonly name: LabPodRuntime;
  /**
   * Creates the pod's sandbox and networks it (attempt 1, 2, … as kubelet counts them); sets the pod's
   * `netns`, `containerId` and `ip`. On failure it throws, and `cleanup` is called before a new attempt.
   */
  start(state: LabState, pod: LabPodState, attempt: number): Promise<void>;
  /** Undoes a failed start (kubelet's StopPodSandbox + RemovePodSandbox of the failed sandbox). */
  cleanup(state: LabState, pod: LabPodState): Promise<void>;
  /** Stops and removes the pod's sandbox (CNI DEL included); idempotent. */
  remove(state: LabState, pod: LabPodState): Promise<void>;
}

export function parsePodRuntime(name: string): LabPodRuntime {
  if (!(POD_RUNTIMES as readonly string[]).includes(name)) throw new Error(`unknown runtime "${name}": use one of ${POD_RUNTIMES.join(', ')}`);
  return name as LabPodRuntime;
}

/**
 * The CNI bin dir a runtime is given: containerd takes one directory, and its CRI plugin also runs
 * `loopback`; so Tabby's plugins and the distribution's reference plugins are linked into one directory
 * (Tabby's win on a name clash).
 */
export function runtimeCniBinDir(state: LabState): string {
  const dir = path.join(state.dir, 'cni', 'runtime-bin');
  fs.mkdirSync(dir, { recursive: true });
  for (const src of [state.cniBinDir, '/usr/lib/cni', '/opt/cni/bin']) {
    let names: string[];
    try { names = fs.readdirSync(src); } catch { continue; }
    for (const name of names) {
      const link = path.join(dir, name);
      try {
        fs.symlinkSync(path.join(src, name), link);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
  return dir;
}

/** The node a pod is scheduled on (the state is the lab's own; a missing node is a corrupted state file). */
export function podNode(state: LabState, pod: LabPodState): LabNodeState {
  const node = state.nodes.find((n) => n.name === pod.node);
  if (!node) throw new Error(`pod ${pod.name} is on node "${pod.node}", which lab ${state.name} does not have`);
  return node;
}

/** A recorded containerd that still runs and is still the one the lab started (its config path on its command line). */
export function isOurContainerd(rec: LabContainerdState | undefined): rec is LabContainerdState {
  return !!rec && rec.pid > 0 && pidAlive(rec.pid) && processCmdline(rec.pid).includes(rec.config);
}

/** The PIDs of the lab's running containerds (stopped by `lab down` with the lab's other processes). */
export function containerdPids(state: LabState): number[] {
  return state.nodes.map((n) => n.containerd).filter(isOurContainerd).map((c) => c.pid);
}

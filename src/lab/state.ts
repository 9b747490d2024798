// What a lab made, written down before it is made, so `lab down` (or the next `lab up`) can always clean up,
// also after the lab command was killed midway. One directory per lab: /run/tabby-lab/<name>/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateLabName, type LabDatastore, type LabMode } from './topology.ts';
import type { PodPort } from '../api/resource.ts';

export const LAB_ROOT = process.env.TABBY_LAB_ROOT ?? '/run/tabby-lab';

export interface LabNodeState {
  name: string;
  ns: string;
  ip: string;
  subnet: number;
  /** PID of `tabby node run` as `lab up` last saw it; the supervisor's record (agentPid) is current. */
  pid: number;
  stateDir: string;
  cniConfDir: string;
  logFile: string;
  /** The node's containerd (`lab run --runtime containerd` starts it): its PID, files and socket. */
  containerd?: LabContainerdState;
}

export interface LabContainerdState {
  /** PID of containerd (0 when stopped). */
  pid: number;
  /** Its gRPC unix socket (the CRI endpoint kubelet would be given). */
  socket: string;
  /** config.toml, root, state and the log live here. */
  dir: string;
  config: string;
  logFile: string;
}

/** Who made a pod's sandbox: bare namespaces made by the lab, containerd through CRI, or podman. */
export type LabPodRuntime = 'netns' | 'containerd' | 'podman';

export interface LabPodState {
  name: string;
  /** Kubernetes namespace. */
  namespace: string;
  /** The deployment (`lab run NAME`) it belongs to. */
  app: string;
  node: string;
  /** Its network namespace's name under /run/netns (made by the lab, or by the runtime: cni-…, netns-…). */
  netns: string;
  /** CNI_CONTAINERID: the lab's, or the runtime's sandbox/container ID. */
  containerId: string;
  /** Absent: 'netns' (what the lab did before runtimes). */
  runtime?: LabPodRuntime;
  uid: string;
  labels: Record<string, string>;
  /** The pod's ServiceAccount (`lab run --service-account`); absent = `default`. */
  serviceAccount?: string;
  /** Named container ports (`lab run --port NAME:PORT/PROTO`). */
  ports?: PodPort[];
  /** Pod annotations the CNI plugin reads (Calico's cni.projectcalico.org/*), passed in CNI_ARGS. */
  annotations?: Record<string, string>;
  ip?: string;
  /** 'ContainerCreating' until CNI ADD succeeded, then 'Running'; 'Failed' keeps the CNI error. */
  status: 'ContainerCreating' | 'Running' | 'Failed';
  error?: string;
  createdAt: string;
}

export interface LabEtcdMember {
  /** etcd's --name. */
  name: string;
  ns: string;
  ip: string;
  /** PID of etcd (0 until started). */
  pid: number;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  /** The command that started it (run again to restart it: the data dir makes it rejoin as itself). */
  argv: string[];
}

/** Client credentials (and the CA) of a TLS etcd, files 0600 in the lab's directory. */
export interface LabEtcdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface LabEtcdState {
  /** Every member's client URL: what ETCD_ENDPOINTS and the CNI config get. */
  endpoints: string[];
  members: LabEtcdMember[];
  tls?: LabEtcdTls;
  /** The first member's PID, client URL and data dir (what a one-member lab recorded before clusters). */
  pid: number;
  endpoint: string;
  dataDir: string;
}

export interface LabState {
  name: string;
  dir: string;
  /** 'creating' while `lab up` runs; 'up' once complete. */
  phase: 'creating' | 'up';
  ownerPid: number;
  mode: LabMode;
  datastore: LabDatastore;
  subnets: 1 | 2;
  podCidr: string;
  createdAt: string;
  /** Every namespace, recorded before it is created. */
  namespaces: string[];
  nodes: LabNodeState[];
  pods: LabPodState[];
  /** Kubernetes namespaces and their labels (written as Profiles kns.<ns>). */
  k8sNamespaces: Record<string, Record<string, string>>;
  etcd?: LabEtcdState;
  /** The lab's supervisor (supervisor.ts): it starts and restarts the agents; its record holds their PIDs. */
  supervisor?: { pid: number };
  datastorePath?: string;
  cniBinDir: string;
  /** Command line of every process the lab started, to make sure a recorded PID is still ours before killing. */
  processMarkers: Record<string, string>;
}

/** The lab's directory; the name is checked first so it can never point outside LAB_ROOT. */
export function labDir(name: string): string {
  validateLabName(name);
  return path.join(LAB_ROOT, name);
}

export function statePath(name: string): string {
  return path.join(labDir(name), 'state.json');
}

export function readState(name: string): LabState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(name), 'utf8')) as LabState;
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw new Error(`lab state ${statePath(name)} is unreadable: ${e.message}`);
  }
}

/** Atomic replace, so a crash never leaves half a state file. */
export function writeState(state: LabState): void {
  fs.mkdirSync(state.dir, { recursive: true });
  const file = statePath(state.name);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}

export function listLabs(): string[] {
  try {
    return fs.readdirSync(LAB_ROOT).filter((n) => {
      try { return fs.existsSync(statePath(n)); } catch { return false; } // not a lab name: not ours
    }).sort();
  } catch {
    return [];
  }
}

export function pidAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e: any) {
    return e.code === 'EPERM';
  }
  // A zombie (killed, not yet reaped by its parent) answers signal 0 but runs nothing: dead. This process is
  // the parent of what it restarted itself, and reaps only when its event loop next runs.
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/**
 * One lab command at a time per lab: an exclusive lock file holding the owner's PID. A lock whose owner
 * died (kill -9) is stale and taken over.
 */
export async function withLabLock<T>(name: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const dir = labDir(name);
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(lock, 'utf8').trim() || '0');
      if (!pidAlive(owner) || owner === process.pid) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`lab ${name} is busy: another lab command (PID ${owner}) holds ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (fs.readFileSync(lock, 'utf8').trim() === String(process.pid)) fs.rmSync(lock, { force: true });
    } catch { /* lab directory removed by `down` */ }
  }
}

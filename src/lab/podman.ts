// Pods made by podman (Debian's 4.3) on its CNI backend: podman runs inside the node's network namespace
// (entered with nsenter, not `ip netns exec`, which remounts /sys and hides the cgroups), with runc and
// cgroupfs, storage and run dirs under the lab's directory, and a containers.conf whose CNI config dir holds
// a copy of the node's conflist. Podman makes the netns (/run/netns/netns-…) and calls CNI ADD/DEL itself.
// Podman itself passes only `IgnoreUnknown=1;K8S_POD_NAME=<container name>` in CNI_ARGS, but it appends the
// pairs of a CNI_ARGS in its own environment (containers/common libnetwork/cni getRuntimeConfig): the lab
// gives it kubelet's K8S_POD_NAMESPACE/K8S_POD_NAME/K8S_POD_UID that way, and names the container as the pod.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { basePath } from './env.ts';
import { podNode, runtimeCniBinDir, type PodRuntime } from './pod-runtime.ts';
import { buildSandboxImage, SANDBOX_IMAGE } from './sandbox-image.ts';
import type { LabNodeState, LabPodState, LabState } from './state.ts';
import { formatCniArgs } from './cni-runtime.ts';
import { runCommand, type CommandResult } from '../exec.ts';
import { TabbyError } from '../errors.ts';

export class PodmanError extends TabbyError {
  constructor(message: string) {
    super('PodmanFailed', message);
    this.name = 'PodmanError';
  }
}

/** Ulimits within this machine's hard limits (podman's default NOFILE is above them and runc fails). */
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

interface PodmanFiles { dir: string; conf: string; netDir: string; root: string; runroot: string; tmp: string }

function podmanFiles(state: LabState, node: LabNodeState): PodmanFiles {
  const dir = path.join(state.dir, 'nodes', node.name, 'podman');
  // Podman refuses a runroot longer than 50 characters: a short one per node (lab names have ≤ 16).
  const runroot = path.join(state.dir, 'pr', String(state.nodes.indexOf(node)));
  if (runroot.length > 50) throw new PodmanError(`podman's run dir ${runroot} is longer than the 50 characters podman allows: use a shorter TABBY_LAB_ROOT`);
  return {
    dir, conf: path.join(dir, 'containers.conf'), netDir: path.join(dir, 'net.d'),
    root: path.join(dir, 'storage'), runroot, tmp: path.join(dir, 'tmp'),
  };
}

export function containersConf(files: PodmanFiles, cniBinDir: string): string {
  const q = JSON.stringify;
  return [
    '[network]',
    'network_backend = "cni"',
    `cni_plugin_dirs = [${q(cniBinDir)}]`,
    `network_config_dir = ${q(files.netDir)}`,
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = ${q(path.join(files.dir, 'events.log'))}`,
    `tmp_dir = ${q(files.tmp)}`,
    '',
  ].join('\n');
}

/** The node's conflist, copied into podman's own CNI config dir; returns its network name. */
function syncNetworkConfig(node: LabNodeState, files: PodmanFiles): string {
  const lists = fs.readdirSync(node.cniConfDir).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort();
  if (lists.length === 0) throw new PodmanError(`no CNI config in ${node.cniConfDir} on ${node.name}: was \`tabby cni install\` run by \`lab up\`?`);
  const text = fs.readFileSync(path.join(node.cniConfDir, lists[0]!), 'utf8');
  fs.mkdirSync(files.netDir, { recursive: true });
  fs.writeFileSync(path.join(files.netDir, lists[0]!), text);
  const name = (JSON.parse(text) as { name?: unknown }).name;
  if (typeof name !== 'string' || !name) throw new PodmanError(`CNI config ${lists[0]} on ${node.name} has no "name"`);
  return name;
}

/** Runs podman on the node (its netns) with the lab's storage and config. */
function podman(state: LabState, node: LabNodeState, args: string[], timeoutMs = 120_000, cniArgs?: string): Promise<CommandResult> {
  const f = podmanFiles(state, node);
  return runCommand(['nsenter', `--net=/run/netns/${node.ns}`, '--', 'podman', '--root', f.root, '--runroot', f.runroot,
    '--runtime', '/usr/sbin/runc', '--cgroup-manager=cgroupfs', ...args], {
    env: {
      PATH: basePath(), CONTAINERS_CONF: f.conf, ...(cniArgs ? { CNI_ARGS: cniArgs } : {}),
      ...(process.env.TABBY_LOG_LEVEL ? { TABBY_LOG_LEVEL: process.env.TABBY_LOG_LEVEL } : {}),
    },
    timeoutMs,
  });
}

async function mustPodman(state: LabState, node: LabNodeState, args: string[], cniArgs?: string): Promise<string> {
  const r = await podman(state, node, args, 120_000, cniArgs);
  if (r.code !== 0) throw new PodmanError(`podman ${args.slice(0, 2).join(' ')} on ${node.name} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}

/** Per node record (a new lab, even of the same name, has new ones). */
const readyNodes = new WeakMap<LabNodeState, Promise<string>>();

/** Config files and the sandbox image on the node, once per process; resolves with the network's name. */
function preparePodman(state: LabState, node: LabNodeState): Promise<string> {
  let ready = readyNodes.get(node);
  if (!ready) {
    ready = (async () => {
      const files = podmanFiles(state, node);
      for (const d of [files.dir, files.tmp]) fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(files.conf, containersConf(files, runtimeCniBinDir(state)));
      const network = syncNetworkConfig(node, files);
      if ((await podman(state, node, ['image', 'exists', SANDBOX_IMAGE])).code !== 0) {
        await mustPodman(state, node, ['load', '-q', '-i', buildSandboxImage(state.dir)]);
      }
      return network;
    })();
    ready.catch(() => readyNodes.delete(node));
    readyNodes.set(node, ready);
  }
  return ready;
}

/**
 * What the lab adds to podman's CNI_ARGS: the pod's namespace, name (the container's name too) and UID, as
 * kubelet's runtime passes them, and its annotations (Calico's cni.projectcalico.org/* travel there).
 */
export function podCniArgs(pod: Pick<LabPodState, 'namespace' | 'name' | 'uid' | 'annotations'>): string {
  return formatCniArgs({ K8S_POD_NAMESPACE: pod.namespace, K8S_POD_NAME: pod.name, K8S_POD_UID: pod.uid, ...(pod.annotations ?? {}) });
}

interface PodmanInspect { Id: string; NetworkSettings?: { SandboxKey?: string; Networks?: Record<string, { IPAddress?: string }> } }

export const podmanRuntime: PodRuntime = {
  name: 'podman',
  async start(state, pod) {
    const node = podNode(state, pod);
    const network = await preparePodman(state, node);
    const labels = Object.entries({ ...pod.labels, 'io.kubernetes.pod.namespace': pod.namespace, 'io.kubernetes.pod.uid': pod.uid }).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    await mustPodman(state, node, ['run', '-d', '--name', pod.name, '--hostname', pod.name, '--network', network, ...ULIMITS, ...labels, SANDBOX_IMAGE], podCniArgs(pod));
    const [info] = JSON.parse(await mustPodman(state, node, ['inspect', '--type', 'container', pod.name])) as PodmanInspect[];
    if (!info) throw new PodmanError(`podman inspect ${pod.name} on ${node.name} returned nothing`);
    pod.containerId = info.Id;
    const sandbox = info.NetworkSettings?.SandboxKey;
    if (!sandbox) throw new PodmanError(`container ${pod.name} on ${node.name} has no network namespace`);
    pod.netns = path.basename(sandbox);
    const ip = info.NetworkSettings?.Networks?.[network]?.IPAddress;
    if (!ip) throw new PodmanError(`container ${pod.name} on ${node.name} got no address on network ${network}`);
    pod.ip = ip;
  },
  async cleanup(state, pod) {
    await this.remove(state, pod);
  },
  async remove(state, pod) {
    // `rm -f -t 0`: stop (SIGKILL at once), CNI DEL, netns and storage gone; --ignore: absent is done.
    await mustPodman(state, podNode(state, pod), ['rm', '-f', '--ignore', '-t', '0', pod.name], podCniArgs(pod));
  },
};

/** `lab down`: every container of the lab's podman storage removed, per node. */
export async function removeAllPodmanContainers(state: LabState): Promise<string[]> {
  const problems: string[] = [];
  for (const node of state.nodes) {
    if (!fs.existsSync(podmanFiles(state, node).conf)) continue;
    const r = await podman(state, node, ['rm', '-af', '-t', '0'], 60_000);
    if (r.code !== 0) problems.push(`podman on ${node.name}: ${(r.stderr || r.stdout).trim()}`);
  }
  return problems;
}

// Shared by the lab's container-runtime tests (containerd, podman): what a node has left of a pod — its
// WorkloadEndpoint, its host veth, its route, its IPAM allocation — and the installed CNI plugin called
// directly, as a runtime calls it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isStaticElf } from '../../src/lab/sandbox-image.ts';
import { mustTabby, readState, tabby } from './helpers.ts';

/** Why a runtime test cannot run: the binary (or busybox-static for the image) is missing. */
export function runtimeSkip(binary: string, pkg: string): string | false {
  if (spawnSync(binary, ['--version']).status !== 0) return `${binary} is not installed (Debian package ${pkg}; scripts/setup.sh installs it)`;
  if (!isStaticElf('/bin/busybox')) return '/bin/busybox is not static (Debian package busybox-static builds the sandbox image)';
  return false;
}

export interface Wep { metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: { pod?: string; containerID?: string; workload?: string; orchestrator?: string; interfaceName?: string; ipNetworks?: string[] } }

/** Every WorkloadEndpoint of the lab (as `tabby get workloadendpoints -A -o json` prints them). */
export function weps(lab: string): Wep[] {
  const out = JSON.parse(mustTabby(['lab', 'exec-node', 'controlplane', '--name', lab, '--', 'tabby', 'get', 'workloadendpoints', '-A', '-o', 'json']));
  return (Array.isArray(out) ? out : out.items ?? [out]) as Wep[];
}

/** The `cali*` links of a node namespace. */
export function caliLinks(ns: string): string[] {
  const r = spawnSync('ip', ['-n', ns, '-o', 'link', 'show'], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/^\d+: (cali[0-9a-f]+)[@:]/gm)].map((m) => m[1]!);
}

/** Routes of a node namespace that name the address. */
export function routesTo(ns: string, ip: string): string[] {
  const r = spawnSync('ip', ['-n', ns, 'route', 'show'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.startsWith(`${ip} `));
}

/** `tabby ipam check` on the lab: leaked or orphaned addresses fail it. */
export function assertIpamClean(lab: string, hint = ''): void {
  const r = tabby(['lab', 'exec-node', 'controlplane', '--name', lab, '--', 'tabby', 'ipam', 'check']);
  assert.equal(r.status, 0, `ipam check found problems:\n${r.stdout}\n${r.stderr}${hint ? `\n${hint}` : ''}`);
}

/** Asserts a removed pod left nothing: no endpoint, no host veth, no route, no address in IPAM. */
export function assertNothingLeft(lab: string, pod: { ip: string; nodeNs: string; hostVeth?: string | undefined; containerId: string }): void {
  const left = weps(lab).filter((w) => w.spec.containerID === pod.containerId || w.spec.ipNetworks?.includes(`${pod.ip}/32`));
  assert.deepEqual(left.map((w) => w.metadata.name), [], 'WorkloadEndpoint left');
  if (pod.hostVeth) assert.ok(!caliLinks(pod.nodeNs).includes(pod.hostVeth), `${pod.hostVeth} left on the node`);
  assert.deepEqual(routesTo(pod.nodeNs, pod.ip), [], 'route left');
  const show = tabby(['lab', 'exec-node', 'controlplane', '--name', lab, '--', 'tabby', 'ipam', 'show', '--ip', pod.ip]);
  assert.doesNotMatch(show.stdout, /in use|allocated to/i, `address ${pod.ip} still allocated:\n${show.stdout}`);
}

/** Calls the node's installed CNI plugin (the conflist's first) with `command`, as a runtime on the node would. */
export function callPlugin(lab: string, nodeName: string, command: string, env: { containerId: string; netns: string; args: string }, prevResult?: unknown) {
  const state = readState(lab);
  const node = state.nodes.find((n: { name: string }) => n.name === nodeName);
  const conf = fs.readdirSync(node.cniConfDir).filter((f: string) => f.endsWith('.conflist')).sort()[0]!;
  const list = JSON.parse(fs.readFileSync(path.join(node.cniConfDir, conf), 'utf8'));
  const plugin = { cniVersion: list.cniVersion, name: list.name, ...list.plugins[0], ...(prevResult ? { prevResult } : {}) };
  const r = spawnSync('nsenter', [`--net=/run/netns/${node.ns}`, path.join(state.cniBinDir, plugin.type)], {
    input: JSON.stringify(plugin), encoding: 'utf8', timeout: 60_000,
    env: { PATH: process.env.PATH!, CNI_COMMAND: command, CNI_CONTAINERID: env.containerId, CNI_NETNS: env.netns, CNI_IFNAME: 'eth0', CNI_ARGS: env.args, CNI_PATH: state.cniBinDir },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, cniVersion: list.cniVersion as string };
}

/** CNI_ARGS as kubelet's runtime (containerd's CRI) passes them. */
export function kubeletCniArgs(pod: { namespace: string; name: string; containerId: string; uid: string }): string {
  return `K8S_POD_UID=${pod.uid};IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`;
}

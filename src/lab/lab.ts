// Bringing a lab up and down. Every namespace and process is written into the lab's state before it is
// created or started, so `down` (or the next `up`) removes exactly what the lab made, also after a crash.
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import {
  addNetns, addVeth, delNetns, ipBatch, netnsExists, processCmdline, sysctlIn, unmountUnder,
} from './kernel.ts';
import {
  labDir, pidAlive, readState, statePath, withLabLock, writeState, type LabEtcdState, type LabNodeState, type LabState,
} from './state.ts';
import { fabricMac, fabricNeighbours, planNamespaces, planTopology, type LabOptions, type TopologyPlan } from './topology.ts';
import { nodeShellEnv, tabbyBin, traceTokenFile } from './env.ts';
import { etcdPids, startEtcdCluster } from './etcd-cluster.ts';
import { applyResources, namespaceResources } from './datastore-client.ts';
import { runCommand, type CommandResult } from '../exec.ts';
import { SUPERVISOR_ENV, agentHealthy, agentPid, readSupervisor, spawnSupervisor } from './supervisor.ts';
import { containerdPids } from './pod-runtime.ts';

export type Say = (line: string) => void;

export interface UpResult {
  state: LabState;
  warnings: string[];
}

/** Directory of the CNI executables (shared by every node: one machine, one filesystem). */
function cniBinDir(dir: string): string {
  return path.join(dir, 'cni', 'bin');
}

export async function labUp(opts: LabOptions, say: Say = () => {}): Promise<UpResult> {
  const plan = planTopology(opts);
  return withLabLock(opts.name, async () => {
    const existing = readState(opts.name);
    if (existing) {
      if (existing.phase === 'up' && existing.nodes.some((n) => pidAlive(agentPid(existing, n)))) {
        throw new Error(`lab ${opts.name} is already up (${existing.nodes.length} nodes); run \`tabby lab down --name ${opts.name}\` first`);
      }
      say(existing.phase === 'up'
        ? `lab ${opts.name} exists but none of its node agents is running: replacing it`
        : `cleaning up what an earlier, unfinished lab ${opts.name} left behind`);
      await stopRuntimes(existing, say);
      teardown(existing, say);
    }
    const dir = labDir(opts.name);
    const state: LabState = {
      name: opts.name,
      dir,
      phase: 'creating',
      ownerPid: process.pid,
      mode: opts.mode,
      datastore: opts.datastore,
      subnets: opts.subnets,
      podCidr: opts.podCidr,
      createdAt: new Date().toISOString(),
      namespaces: [],
      nodes: plan.nodes.map((n) => nodeState(dir, n.name, n.ns, n.ip, n.subnet)),
      pods: [],
      k8sNamespaces: { default: {}, 'kube-system': {} },
      // Absent (not undefined) in the saved state file when the lab runs etcd.
      ...(opts.datastore === 'embedded' ? { datastorePath: path.join(dir, 'datastore.db') } : {}),
      cniBinDir: cniBinDir(dir),
      processMarkers: {},
    };
    // Written down before anything exists: a crash from here on is cleaned up by the next up/down.
    state.namespaces = planNamespaces(plan);
    writeState(state);

    const warnings: string[] = [];
    const t0 = Date.now();
    buildTopology(plan, say);
    say(`fabric up: ${plan.nodes.length} node(s), ${opts.subnets} subnet(s) (${Date.now() - t0} ms)`);

    if (opts.datastore === 'etcd') {
      await startEtcdCluster(state, plan.etcdMembers, opts.etcdTls ?? false, say);
    }
    fs.mkdirSync(state.cniBinDir, { recursive: true });
    // The cluster's trace token (docs/trace.md): every agent and node shell reads it; only root can.
    fs.writeFileSync(traceTokenFile(state), randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
    for (const node of state.nodes) {
      fs.mkdirSync(node.stateDir, { recursive: true });
      fs.mkdirSync(node.cniConfDir, { recursive: true });
    }

    // The supervisor starts calico-node on every node (controlplane first: it creates the default pool) and
    // restarts it when it dies; meanwhile the install-cni job's work on every node.
    const supervisorPid = spawnSupervisor(state);
    state.supervisor = { pid: supervisorPid };
    state.processMarkers[String(supervisorPid)] = `env:${SUPERVISOR_ENV}=${state.name}`;
    writeState(state);
    say(`supervisor running (PID ${supervisorPid})`);
    const [agentProblems, cniProblems] = await Promise.all([waitForAgents(state), installCni(state)]);
    for (const node of state.nodes) node.pid = agentPid(state, node);
    if (agentProblems.length > 0) warnings.push(...agentProblems);
    else say(`node agents running on ${state.nodes.length} node(s)`);
    if (cniProblems) warnings.push(cniProblems);
    else say(`CNI plugin installed (${state.cniBinDir}, one config dir per node)`);

    try {
      applyResources(state, Object.entries(state.k8sNamespaces).flatMap(([ns, labels]) => namespaceResources(ns, labels)));
    } catch (e: any) {
      warnings.push(`could not write the namespace Profiles (kns.default, kns.kube-system): ${e.message}`);
    }
    state.phase = 'up';
    writeState(state);
    return { state, warnings };
  });
}

function nodeState(dir: string, name: string, ns: string, ip: string, subnet: number): LabNodeState {
  const nodeDir = path.join(dir, 'nodes', name);
  return {
    name, ns, ip, subnet, pid: 0,
    stateDir: path.join(nodeDir, 'state'),
    cniConfDir: path.join(nodeDir, 'net.d'),
    logFile: path.join(nodeDir, 'node.log'),
  };
}

function buildTopology(plan: TopologyPlan, say: Say): void {
  for (const ns of planNamespaces(plan)) addNetns(ns);
  ipBatch(plan.fabricNs, plan.bridges.flatMap((br) => [`link add ${br} type bridge`, `link set ${br} up`]));
  // Per namespace, the commands to run once every veth exists (one `ip -batch` each).
  const pending = new Map<string, string[]>();
  const queue = (ns: string, line: string) => { const l = pending.get(ns) ?? []; l.push(line); pending.set(ns, l); };
  for (const v of plan.veths) {
    addVeth(v.a.ns, v.a.ifname, v.b.ns, v.b.ifname, v.bridge && 'address' in v.a ? fabricMac(v.a.address) : undefined);
    for (const end of [v.a, v.b]) {
      if ('address' in end) queue(end.ns, `address add ${end.address} dev ${end.ifname}`);
      queue(end.ns, `link set ${end.ifname} up`);
    }
    if (v.bridge) queue(v.b.ns, `link set ${v.b.ifname} master ${v.bridge}`);
  }
  for (const a of plan.loopbackAddresses) queue(a.ns, `address add ${a.address} dev lo`);
  for (const r of plan.routes) queue(r.ns, `route add ${r.args.join(' ')}`);
  for (const n of fabricNeighbours(plan)) queue(n.ns, `neigh replace ${n.ip} lladdr ${n.mac} dev ${n.dev} nud permanent`);
  for (const [ns, lines] of pending) ipBatch(ns, lines);
  for (const ns of plan.forwarding) sysctlIn(ns, { 'net.ipv4.ip_forward': '1' });
  say(`namespaces: ${plan.fabricNs} (bridge ${plan.bridges.join(', ')}), ${plan.routerNs}, ${plan.externalNs}, ${plan.nodes.map((n) => n.ns).join(', ')}${plan.etcdMembers.length > 1 ? `, ${plan.etcdMembers.map((m) => m.ns).join(', ')}` : ''}`);
}

/**
 * Waits until every node's agent (started by the supervisor) answers its health endpoint. An agent that
 * exited before that is reported at once with its exit and log (the supervisor keeps restarting it).
 */
async function waitForAgents(state: LabState): Promise<string[]> {
  const deadline = Date.now() + Number(process.env.TABBY_LAB_AGENT_TIMEOUT_MS ?? 60_000);
  const waiting = new Set(state.nodes);
  const problems: string[] = [];
  while (waiting.size > 0) {
    await sleep(250);
    const sup = readSupervisor(state);
    if (!state.supervisor || !pidAlive(state.supervisor.pid)) {
      return [...problems, `the lab supervisor (PID ${state.supervisor?.pid}) exited; see ${path.join(state.dir, 'supervisor.log')}`];
    }
    // Probed in parallel: one at a time, 50 nodes' probes (a process each) took a second per pass.
    await Promise.all([...waiting].map(async (node) => {
      const rec = sup?.agents[node.name];
      if (rec?.lastExit) {
        problems.push(`node agent on ${node.name} exited (${rec.lastExit.replace(/^exit code/, 'code')}) at start: ${tail(node.logFile)}`);
        waiting.delete(node);
      } else if (rec?.pid && await agentHealthy(node)) {
        waiting.delete(node);
      }
    }));
    if (Date.now() > deadline) {
      for (const node of waiting) {
        problems.push(`node agent on ${node.name} (PID ${sup?.agents[node.name]?.pid || 'none'}) is not answering its health endpoint :9099/liveness; log: ${node.logFile}`);
      }
      break;
    }
  }
  return problems;
}

/** The lines of a log that explain a failure: its error lines if any, else its last lines. */
function tail(file: string, lines = 4): string {
  try {
    const all = fs.readFileSync(file, 'utf8').trim().split('\n').filter((l) => l.trim());
    const errors = all.filter((l) => /error|fatal|panic/i.test(l));
    const t = (errors.length > 0 ? errors : all).slice(-lines).join(' | ');
    return t || '(empty log)';
  } catch {
    return '(no log)';
  }
}

/** `tabby cni install` on every node (a few at a time); returns a description of what failed, or undefined. */
async function installCni(state: LabState): Promise<string | undefined> {
  const queue = [...state.nodes];
  const problems: string[] = [];
  const worker = async () => {
    for (let node = queue.shift(); node; node = queue.shift()) {
      const env = nodeShellEnv(state, node);
      const args = ['cni', 'install', '--bin-dir', state.cniBinDir, '--conf-dir', node.cniConfDir, '--nodename', node.name,
        '--state-dir', node.stateDir, '--log-file', path.join(path.dirname(node.logFile), 'cni.log')];
      if (state.etcd) args.push('--datastore-type', 'etcdv3', ...cniEtcdFlags(state.etcd));
      else args.push('--datastore-type', 'embedded', '--datastore-path', state.datastorePath!);
      // Run on the node, like the install-cni init container of the calico-node pod.
      const r = await runAsync(['ip', 'netns', 'exec', node.ns, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), tabbyBin(), ...args]);
      if (r.code !== 0) {
        problems.push(`CNI plugin not installed on ${node.name} (\`tabby ${args.join(' ')}\`): ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, state.nodes.length) }, worker));
  return problems.length > 0 ? problems.join('\n') : undefined;
}

/** `tabby cni install` flags that put every endpoint and the client credentials into the CNI config. */
function cniEtcdFlags(etcd: LabEtcdState): string[] {
  const flags = ['--etcd-endpoints', etcd.endpoints?.join(',') ?? etcd.endpoint];
  if (etcd.tls) flags.push('--etcd-ca-cert-file', etcd.tls.caFile, '--etcd-cert-file', etcd.tls.certFile, '--etcd-key-file', etcd.tls.keyFile);
  return flags;
}

/** Like a shell: a command that cannot start is exit 127. */
function runAsync(argv: string[]): Promise<CommandResult> {
  return runCommand(argv).catch((e: Error) => ({ code: 127, stdout: '', stderr: e.message }));
}

export async function labDown(name: string, say: Say = () => {}): Promise<boolean> {
  if (!fs.existsSync(statePath(name))) return false;
  await withLabLock(name, async () => {
    const state = readState(name);
    if (!state) return;
    await stopRuntimes(state, say);
    teardown(state, say);
  });
  fs.rmSync(labDir(name), { recursive: true, force: true });
  return true;
}

/**
 * Pods made by containerd or podman are stopped and removed through their runtime first (as kubelet would
 * when draining), so each gets its CNI DEL and the runtime's mounts and namespaces go; what a dead runtime
 * leaves is removed by `teardown`.
 */
async function stopRuntimes(state: LabState, say: Say): Promise<void> {
  const runtimes = new Set(state.pods.map((p) => p.runtime ?? 'netns'));
  const problems = [
    // Loaded only when used: the CRI client brings gRPC, which a plain `tabby` start should not pay for.
    ...(runtimes.has('containerd') || state.nodes.some((n) => n.containerd) ? await (await import('./containerd.ts')).removeAllSandboxes(state) : []),
    ...(runtimes.has('podman') ? await (await import('./podman.ts')).removeAllPodmanContainers(state) : []),
  ];
  for (const p of problems) say(`warning: ${p}`);
}

/** Stops the lab's processes (by PID, only if still ours) and removes its namespaces, newest first. */
function teardown(state: LabState, say: Say): void {
  // The supervisor first, so that nothing restarts what is being stopped; then what it had started.
  const supervisorPids = [state.supervisor?.pid ?? 0, readSupervisor(state)?.pid ?? 0].filter((p) => p > 0);
  for (const pid of supervisorPids) state.processMarkers[String(pid)] ??= `env:${SUPERVISOR_ENV}=${state.name}`;
  const supervisor = [...new Set(supervisorPids)].filter((pid) => isOurProcess(state, pid));
  stopProcesses(supervisor);
  const agentPids = Object.values(readSupervisor(state)?.agents ?? {}).map((a) => a.pid);
  for (const pid of agentPids) state.processMarkers[String(pid)] ??= `env:TABBY_LAB=${state.name}`;
  const pids = [...new Set([...state.nodes.map((n) => n.pid), ...agentPids, state.etcd?.pid ?? 0, ...etcdPids(state), ...containerdPids(state)])].filter((p) => p > 0);
  const ours = pids.filter((pid) => isOurProcess(state, pid));
  stopProcesses(ours);
  const namespaces = [...state.pods.map((p) => p.netns), ...state.namespaces];
  // A runtime names its pods' namespaces itself (cni-…, netns-…): those recorded on our pods are ours too.
  const runtimeNamespaces = new Set(state.pods.filter((p) => p.runtime && p.runtime !== 'netns').map((p) => p.netns));
  const seen = new Set<string>();
  let removed = 0;
  for (const ns of namespaces.reverse()) {
    if (seen.has(ns)) continue;
    seen.add(ns);
    if (!ns.startsWith(`${state.name}-`) && !runtimeNamespaces.has(ns)) continue; // never anything the lab did not make
    if (netnsExists(ns)) { delNetns(ns); removed++; }
  }
  for (const node of state.nodes) node.pid = 0;
  if (state.etcd) {
    state.etcd.pid = 0;
    for (const m of state.etcd.members ?? []) m.pid = 0;
  }
  // A runtime killed midway leaves its mounts (rootfs overlays, shm) under the lab's directory.
  unmountUnder(state.dir);
  for (const sub of ['nodes', 'cni', 'etcd', 'etcd-pki', 'cni-cache', 'pr']) fs.rmSync(path.join(state.dir, sub), { recursive: true, force: true });
  for (const f of ['datastore.db', 'datastore.db-wal', 'datastore.db-shm']) fs.rmSync(path.join(state.dir, f), { force: true });
  if (state.supervisor) state.supervisor.pid = 0;
  fs.rmSync(path.join(state.dir, 'supervisor.json'), { force: true });
  say(`lab ${state.name}: stopped ${ours.length + supervisor.length} process(es), removed ${removed} namespace(s)`);
}

/** SIGTERM, up to 3 s to exit, then SIGKILL. */
function stopProcesses(pids: number[]): void {
  for (const pid of pids) {
    // SIGCONT too: a process frozen with SIGSTOP (an etcd member in a chaos test) would otherwise hold
    // SIGTERM until the SIGKILL.
    try { process.kill(pid, 'SIGTERM'); process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
  }
  const deadline = Date.now() + 3000;
  while (pids.some(pidAlive) && Date.now() < deadline) sleepSync(50);
  for (const pid of pids.filter(pidAlive)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function isOurProcess(state: LabState, pid: number): boolean {
  const cmd = processCmdline(pid);
  if (!cmd) return false;
  const marker = state.processMarkers[String(pid)];
  if (!marker) return false;
  if (marker.startsWith('env:')) {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker.slice(4));
    } catch {
      return false;
    }
  }
  return cmd.includes(marker);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface NodeStatusRow { name: string; ip: string; ns: string; agent: string; state: string; restarts: string; lastExit: string }

/** Per node, as `kubectl get pods` shows the calico-node pod: its PID, state, RESTARTS and last exit. */
export function nodeRows(state: LabState): NodeStatusRow[] {
  const sup = readSupervisor(state);
  const supervised = state.supervisor !== undefined && pidAlive(state.supervisor.pid);
  return state.nodes.map((n) => {
    const rec = sup?.agents[n.name];
    const pid = rec?.pid ?? n.pid;
    const running = pid > 0 && pidAlive(pid);
    const since = rec?.lastExitAt ? ` (${Math.round((Date.now() - Date.parse(rec.lastExitAt)) / 1000)}s ago)` : '';
    return {
      name: n.name, ip: n.ip, ns: n.ns,
      agent: running ? `running (PID ${pid})` : 'not running',
      state: !supervised ? (running ? 'Running (unsupervised)' : 'Stopped (no supervisor)') : rec?.state ?? 'Unknown',
      restarts: String(rec?.restarts ?? 0),
      lastExit: rec?.lastExit ? `${rec.lastExit}${since}` : '-',
    };
  });
}

export function mustState(name: string): LabState {
  const s = readState(name);
  if (!s) throw new Error(`no lab named "${name}" (run \`tabby lab up --name ${name}\`)`);
  if (s.phase !== 'up') throw new Error(`lab ${name} is not fully up (an earlier \`lab up\` did not finish); run \`tabby lab down --name ${name}\``);
  return s;
}


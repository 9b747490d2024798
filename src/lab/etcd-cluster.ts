// The lab's etcd: one member on the controlplane (kubeadm's layout) or a cluster of 3 or 5 members, each in
// its own namespace on the fabric; plain http, or TLS with client-certificate authentication for clients
// and peers. Each member's PID is written into the lab state before it can matter, so `lab down` stops
// every member by PID.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from '../exec.ts';
import { execIn } from './kernel.ts';
import { pidAlive, writeState, type LabEtcdMember, type LabEtcdState, type LabState } from './state.ts';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, type EtcdMemberPlan } from './topology.ts';
import { generateEtcdPki, type MemberCert } from './etcd-tls.ts';

type Say = (line: string) => void;

const HEALTHY_WITHIN_MS = 30_000;

/** etcdctl's connection flags for this lab's etcd (endpoints and, with TLS, the client credentials). */
export function etcdctlFlags(etcd: LabEtcdState, endpoints: string[] = etcd.endpoints): string[] {
  const flags = [`--endpoints=${endpoints.join(',')}`];
  if (etcd.tls) flags.push(`--cacert=${etcd.tls.caFile}`, `--cert=${etcd.tls.certFile}`, `--key=${etcd.tls.keyFile}`);
  return flags;
}

function memberArgv(state: LabState, m: LabEtcdMember, cluster: string, cert: MemberCert | undefined, ca: string | undefined): string[] {
  const argv = [
    'ip', 'netns', 'exec', m.ns, 'etcd', '--name', m.name, '--data-dir', m.dataDir,
    '--listen-client-urls', `${m.clientUrl},${m.clientUrl.replace(m.ip, '127.0.0.1')}`, '--advertise-client-urls', m.clientUrl,
    '--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl,
    '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `${state.name}-etcd`,
  ];
  if (cert && ca) {
    argv.push('--cert-file', cert.certFile, '--key-file', cert.keyFile, '--client-cert-auth', '--trusted-ca-file', ca,
      '--peer-cert-file', cert.certFile, '--peer-key-file', cert.keyFile, '--peer-client-cert-auth', '--peer-trusted-ca-file', ca);
  }
  return argv;
}

/** Records the members (and makes the certificates) without starting anything. */
function planState(state: LabState, plan: EtcdMemberPlan[], tls: boolean): { etcd: LabEtcdState; certs: MemberCert[] | undefined } {
  const scheme = tls ? 'https' : 'http';
  const members: LabEtcdMember[] = plan.map((p) => ({
    name: p.name, ns: p.ns, ip: p.ip, pid: 0,
    clientUrl: `${scheme}://${p.ip}:${ETCD_CLIENT_PORT}`, peerUrl: `${scheme}://${p.ip}:${ETCD_PEER_PORT}`,
    dataDir: path.join(state.dir, 'etcd', p.name), logFile: path.join(state.dir, 'etcd', `${p.name}.log`), argv: [],
  }));
  const pki = tls ? generateEtcdPki(path.join(state.dir, 'etcd-pki'), state.name, plan) : undefined;
  const first = members[0]!;
  const etcd: LabEtcdState = {
    endpoints: members.map((m) => m.clientUrl), members,
    ...(pki ? { tls: pki.client } : {}),
    pid: 0, endpoint: first.clientUrl, dataDir: first.dataDir,
  };
  return { etcd, certs: pki?.members };
}

/** Starts every member, then waits until all of them report healthy. */
export async function startEtcdCluster(state: LabState, plan: EtcdMemberPlan[], tls: boolean, say: Say): Promise<void> {
  const { etcd, certs } = planState(state, plan, tls);
  state.etcd = etcd;
  writeState(state);
  fs.mkdirSync(path.join(state.dir, 'etcd'), { recursive: true });
  const cluster = etcd.members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  etcd.members.forEach((m, i) => {
    m.argv = memberArgv(state, m, cluster, certs?.[i], etcd.tls?.caFile);
    spawnMember(state, m);
  });
  await waitHealthy(etcd);
  const where = etcd.members.length === 1 ? `on ${state.nodes[0]!.name} (${etcd.endpoint}, PID ${etcd.pid})`
    : `as a ${etcd.members.length}-member cluster (${etcd.members.map((m) => `${m.ns} ${m.clientUrl} PID ${m.pid}`).join('; ')})`;
  say(`etcd running ${where}${etcd.tls ? `, TLS with client certificates (${path.dirname(etcd.tls.caFile)})` : ''}`);
}

function spawnMember(state: LabState, m: LabEtcdMember): void {
  const log = fs.openSync(m.logFile, 'a');
  const child = spawn(m.argv[0]!, m.argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.unref();
  // `ip netns exec` execs etcd in place, so this PID is etcd's; its data dir on the command line proves it.
  m.pid = child.pid!;
  state.processMarkers[String(child.pid)] = m.dataDir;
  if (state.etcd && state.etcd.members[0] === m) state.etcd.pid = m.pid;
  writeState(state);
}

/**
 * Brings a member back after a chaos test: SIGCONT if it is frozen, else (killed) starts it again from its
 * data dir, where it rejoins the cluster as itself; then waits until every member is healthy.
 */
export async function recoverEtcdMember(state: LabState, member: LabEtcdMember): Promise<void> {
  if (pidAlive(member.pid)) {
    process.kill(member.pid, 'SIGCONT');
    return waitHealthy(state.etcd!);
  }
  if (!member.argv?.length) throw new Error(`etcd member ${member.name} was started by an older Tabby that did not record its command; recreate the lab`);
  for (let attempt = 1; ; attempt++) {
    const logStart = fileSize(member.logFile);
    spawnMember(state, member);
    try {
      return await waitHealthy(state.etcd!);
    } catch (e) {
      // A port still held (a socket of the killed process not yet released) is worth another try; the
      // rest is reported with the member's own last words.
      const said = logTail(member.logFile, logStart);
      if (attempt < 3 && !pidAlive(member.pid) && /address already in use/.test(said)) { await new Promise((r) => setTimeout(r, 1000)); continue; }
      throw new Error(`${(e as Error).message}${said ? `\n${member.name} said: ${said}` : ''}`);
    }
  }
}

function fileSize(file: string): number {
  try { return fs.statSync(file).size; } catch { return 0; }
}

/** The last lines a member wrote to its log since byte `from`. */
function logTail(file: string, from: number): string {
  try {
    const text = fs.readFileSync(file).subarray(from).toString('utf8');
    return text.trim().split('\n').slice(-5).join('\n');
  } catch { return ''; }
}

async function waitHealthy(etcd: LabEtcdState): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  const probeNs = etcd.members[0]!.ns;
  for (;;) {
    try {
      execIn(probeNs, ['etcdctl', ...etcdctlFlags(etcd), 'endpoint', 'health'], { timeoutMs: 10_000 });
      return;
    } catch (e: any) {
      const dead = etcd.members.find((m) => !pidAlive(m.pid));
      if (dead) throw new Error(`etcd member ${dead.name} exited at start; see ${dead.logFile}`);
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy in ${HEALTHY_WITHIN_MS / 1000} s: ${String(e.message).trim().split('\n').slice(-2).join(' ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export interface EtcdMemberStatus {
  member: LabEtcdMember;
  /** running, stopped (SIGSTOP), not running. */
  process: 'running' | 'stopped' | 'not running';
  /** Whether it answered `endpoint status` in time. */
  answering: boolean;
  isLeader: boolean;
  raftTerm?: string;
  error?: string;
}

/** 'T' (stopped) or 't' in /proc/PID/stat means SIGSTOP'ed (or traced). */
function processState(pid: number): EtcdMemberStatus['process'] {
  if (!pid || !pidAlive(pid)) return 'not running';
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'T' || state === 't' ? 'stopped' : 'running';
  } catch {
    return 'not running';
  }
}

/**
 * Each member's process state and `etcdctl endpoint status` (asked from the controlplane, over the fabric),
 * and which member is the leader. Member and leader IDs are compared as text: they exceed 2^53.
 */
export async function etcdMemberStatuses(state: LabState, timeoutMs = 2000): Promise<EtcdMemberStatus[]> {
  const etcd = state.etcd;
  if (!etcd) return [];
  const from = state.nodes[0]!.ns;
  return Promise.all(etcd.members.map(async (member): Promise<EtcdMemberStatus> => {
    const proc = processState(member.pid);
    if (proc === 'not running') return { member, process: proc, answering: false, isLeader: false };
    const r = await runCommand(['ip', 'netns', 'exec', from, 'etcdctl', ...etcdctlFlags(etcd, [member.clientUrl]),
      `--command-timeout=${timeoutMs}ms`, `--dial-timeout=${timeoutMs}ms`, '-w', 'json', 'endpoint', 'status'], { timeoutMs: timeoutMs + 3000 });
    const memberId = /"member_id":(\d+)/.exec(r.stdout)?.[1];
    const leader = /"leader":(\d+)/.exec(r.stdout)?.[1];
    const term = /"raft_term":(\d+)/.exec(r.stdout)?.[1];
    if (r.code !== 0 || !memberId) {
      return { member, process: proc, answering: false, isLeader: false, error: (r.stderr || r.stdout).trim().split('\n')[0] ?? '' };
    }
    return { member, process: proc, answering: true, isLeader: memberId === leader, ...(term ? { raftTerm: term } : {}) };
  }));
}

/** The current leader (asked of the members that answer), or undefined while there is none. */
export async function etcdLeader(state: LabState): Promise<LabEtcdMember | undefined> {
  return (await etcdMemberStatuses(state)).find((s) => s.isLeader)?.member;
}

/** Every etcd PID the lab started. */
export function etcdPids(state: LabState): number[] {
  return (state.etcd?.members ?? []).map((m) => m.pid).filter((p) => p > 0);
}

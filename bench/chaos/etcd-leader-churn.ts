// "Leader killed under pod churn", as a function a test or a chaos suite calls on a running lab whose
// datastore is an etcd cluster (`tabby lab up --datastore etcd --etcd-members 3 [--etcd-tls]`):
//   - CNI ADD/DEL loops through the lab's runtime (real executables, one attempt per ADD, DEL retried as
//     kubelet retries a teardown), on pods that exist only for the loop;
//   - a writer on the controlplane creating GlobalNetworkSets one after another, each acknowledged write noted;
//   - after `killAfterMs`, the etcd leader gets SIGKILL (or SIGSTOP);
// then every acknowledged write is looked for, `tabby ipam check` must be clean, and the member is brought
// back. The figures: writes acknowledged/lost, ADDs ok/failed, and how long the failover took.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/project-root.ts';
import { runCommand } from '../../src/exec.ts';
import { etcdLeader, recoverEtcdMember } from '../../src/lab/etcd-cluster.ts';
import { addNetns, delNetns } from '../../src/lab/kernel.ts';
import { mustState } from '../../src/lab/lab.ts';
import { nodeShellEnv, tabbyBin } from '../../src/lab/env.ts';
import { attachment, cniRuntimeFor } from '../../src/lab/pods.ts';
import { withLabLock, writeState, type LabEtcdMember, type LabPodState, type LabState } from '../../src/lab/state.ts';

export interface LeaderKillOptions {
  /** The lab (must be up, with an etcd cluster of 3 or more members). */
  lab: string;
  /** When the leader is hit, counted from the writer's first acknowledged write (default 4 s). */
  killAfterMs?: number;
  /** How long the churn goes on after the hit (default 15 s)... */
  afterKillMs?: number;
  /** ...and at least until this many ADDs started after the hit have finished (default 3; cap 120 s). */
  minAddsAfterKill?: number;
  /** SIGKILL (default: kill -9) or SIGSTOP (a frozen member). */
  signal?: 'SIGKILL' | 'SIGSTOP';
  /** ADD/DEL loops running side by side (default 2). */
  concurrency?: number;
  /** Restart (or SIGCONT) the member afterwards and wait until the cluster is healthy (default true). */
  recover?: boolean;
  say?: (line: string) => void;
}

export interface LeaderKillResult {
  writesAcked: number;
  /** Acknowledged writes not found afterwards (must be 0). */
  writesLost: number;
  /** Writes that reported an error (not acknowledged: allowed, and may or may not have been applied). */
  writesFailed: number;
  addsOk: number;
  addsFailed: number;
  /** Successful ADDs started after the kill. */
  addsOkAfterKill: number;
  delsFailed: number;
  /** From the kill to the first acknowledged write issued after it (-1: none). */
  failoverMs: number;
  /** From the kill to the end of the first successful ADD started after it (-1: none). */
  addFailoverMs: number;
  /** From the kill until etcd reports a new leader (-1: none seen). */
  electionMs: number;
  /** Longest time without an acknowledged write, over the whole run. */
  maxWriteGapMs: number;
  killedMember: string;
  newLeader: string | undefined;
  ipamCheckClean: boolean;
  ipamCheckOutput: string;
  lostWrites: string[];
  /** The first few ADD errors, for the report. */
  addErrors: string[];
  /** The slowest ADD, successful or not. */
  longestAddMs: number;
}

interface WriteRecord { acked?: string; failed?: string; start: number; end: number; error?: string }

/** Starts the writer child in the controlplane's namespace, collecting its records. */
function startWriter(state: LabState, prefix: string, mode: 'write' | 'verify' | 'cleanup') {
  const cp = state.nodes[0]!;
  const root = projectRoot();
  const env = Object.entries(nodeShellEnv(state, cp)).map(([k, v]) => `${k}=${v}`);
  const child = spawn('ip', ['netns', 'exec', cp.ns, 'env', '-i', ...env, process.execPath, '--import',
    path.join(root, 'node_modules/tsx/dist/esm/index.mjs'), path.join(root, 'bench/chaos/etcd-churn-writer.ts'), mode, prefix], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const records: Record<string, unknown>[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (l) => { try { records.push(JSON.parse(l)); } catch { /* not ours */ } });
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return { child, records, done, stderr: () => stderr };
}

async function runWriterOnce(state: LabState, prefix: string, mode: 'verify' | 'cleanup'): Promise<Record<string, unknown>[]> {
  const w = startWriter(state, prefix, mode);
  w.child.stdin!.end();
  const code = await w.done;
  if (code !== 0) throw new Error(`etcd-churn-writer ${mode} failed (exit ${code}): ${w.stderr().trim()}`);
  return w.records;
}

interface ChurnCounts { addsOk: number; addsFailed: number; delsFailed: number; addStarts: { start: number; end: number; ok: boolean }[]; addErrors: string[] }

/** One pod's life: namespace, ADD (once), DEL (retried like kubelet's teardown), namespace gone. */
async function churnOnce(state: LabState, i: number, runId: string, counts: ChurnCounts): Promise<void> {
  const node = state.nodes[i % state.nodes.length]!;
  const name = `chaos-${runId}-${i}`;
  const pod: LabPodState = {
    name, namespace: 'default', app: `chaos-${runId}`, node: node.name, netns: `${state.name}-${name}`,
    containerId: randomBytes(32).toString('hex'), uid: randomUUID(), labels: { app: `chaos-${runId}` },
    status: 'ContainerCreating', createdAt: new Date().toISOString(),
  };
  state.pods.push(pod); // recorded before its namespace exists: `lab down` removes it after a crash
  writeState(state);
  // A plugin call that hangs is killed after 30 s (the lab's default is 120 s): one stuck call must not stretch
  // the scenario; it counts as a failed ADD (and shows in the longest-ADD figure).
  const rt = cniRuntimeFor(state, node, 30_000);
  addNetns(pod.netns);
  const start = Date.now();
  try {
    await rt.add(attachment(pod));
    counts.addsOk++;
    counts.addStarts.push({ start, end: Date.now(), ok: true });
  } catch (e) {
    counts.addsFailed++;
    counts.addStarts.push({ start, end: Date.now(), ok: false });
    if (counts.addErrors.length < 5) counts.addErrors.push((e as Error).message);
  }
  let deleted = false;
  for (let attempt = 1; attempt <= 5 && !deleted; attempt++) {
    try { await rt.del(attachment(pod)); deleted = true; } catch { await new Promise((r) => setTimeout(r, 1000 * attempt)); }
  }
  if (!deleted) counts.delsFailed++;
  delNetns(pod.netns);
  state.pods = state.pods.filter((p) => p !== pod);
  writeState(state);
}

/** The writer runs from source (slow to start on a busy machine): the clock starts at its first acknowledged write. */
async function waitFirstAck(records: Record<string, unknown>[], exited: Promise<number>): Promise<void> {
  let gone = false;
  void exited.then(() => { gone = true; });
  const deadline = Date.now() + 120_000;
  while (!records.some((r) => r.acked)) {
    if (gone) throw new Error(`etcd-churn-writer exited before its first write: ${JSON.stringify(records.slice(0, 2))}`);
    if (Date.now() > deadline) throw new Error('etcd-churn-writer acknowledged no write within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until a member other than `killed` leads; returns when that was seen (or -1 after `withinMs`). */
async function waitNewLeader(state: LabState, killed: LabEtcdMember, withinMs: number): Promise<{ at: number; leader?: string }> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const leader = await etcdLeader(state);
    if (leader && leader.name !== killed.name) return { at: Date.now(), leader: leader.name };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { at: -1 };
}

function writeFigures(records: WriteRecord[], killAt: number) {
  const acked = records.filter((r) => r.acked);
  const firstAfter = acked.find((r) => r.start >= killAt);
  let maxGap = 0;
  for (let k = 1; k < acked.length; k++) maxGap = Math.max(maxGap, acked[k]!.end - acked[k - 1]!.end);
  return { acked, failoverMs: firstAfter ? firstAfter.end - killAt : -1, maxWriteGapMs: maxGap };
}

/** Runs the scenario on lab `opts.lab` (under its lock) and returns the figures; see the file comment. */
export async function runLeaderKillUnderChurn(opts: LeaderKillOptions): Promise<LeaderKillResult> {
  const say = opts.say ?? (() => {});
  const first = mustState(opts.lab);
  if ((first.etcd?.members?.length ?? 0) < 3) throw new Error(`lab ${opts.lab} has no etcd cluster: bring it up with --datastore etcd --etcd-members 3`);
  return withLabLock(opts.lab, async () => {
    const state = mustState(opts.lab);
    const leader = await etcdLeader(state);
    if (!leader) throw new Error(`etcd in lab ${opts.lab} has no leader before the test`);
    const runId = randomBytes(3).toString('hex');
    const prefix = `chaos-${runId}`;
    const writer = startWriter(state, prefix, 'write');
    const counts: ChurnCounts = { addsOk: 0, addsFailed: 0, delsFailed: 0, addStarts: [], addErrors: [] };
    let killAt = Infinity;
    const goOn = () => {
      if (Date.now() < killAt + (opts.afterKillMs ?? 15_000)) return true;
      const afterKill = counts.addStarts.filter((a) => a.start >= killAt).length;
      return afterKill < (opts.minAddsAfterKill ?? 3) && Date.now() < killAt + 120_000;
    };
    let next = 0;
    const loops = Array.from({ length: opts.concurrency ?? 2 }, async () => {
      while (goOn()) await churnOnce(state, next++, runId, counts);
    });
    await waitFirstAck(writer.records, writer.done);
    await new Promise((r) => setTimeout(r, opts.killAfterMs ?? 4000));
    const signal = opts.signal ?? 'SIGKILL';
    killAt = Date.now();
    process.kill(leader.pid, signal);
    say(`${signal} to etcd leader ${leader.name} (PID ${leader.pid})`);
    const election = waitNewLeader(state, leader, 30_000);
    // The writer stops when the window after the hit closes, not when the last pod's teardown does: on a slow
    // machine a DEL retried for a minute kept it writing, and every write is work for every agent (CI once saw
    // 33k writes, slower ADDs, and a longer run: a feedback loop).
    const windowEnd = setTimeout(() => writer.child.stdin!.end(), opts.afterKillMs ?? 15_000);
    await Promise.all(loops);
    clearTimeout(windowEnd);
    writer.child.stdin!.end();
    await writer.done;
    const { at: electedAt, leader: newLeader } = await election;
    return finish(state, opts, { leader, prefix, killAt, electedAt, newLeader, counts, records: writer.records as unknown as WriteRecord[], say });
  });
}

interface Run {
  leader: LabEtcdMember; prefix: string; killAt: number; electedAt: number; newLeader: string | undefined;
  counts: ChurnCounts; records: WriteRecord[]; say: (line: string) => void;
}

/** Checks what survived, brings the member back, removes the scenario's objects, and adds up the figures. */
async function finish(state: LabState, opts: LeaderKillOptions, run: Run): Promise<LeaderKillResult> {
  const { acked, failoverMs, maxWriteGapMs } = writeFigures(run.records, run.killAt);
  let present: Set<string>;
  let ipam: { code: number; stdout: string; stderr: string };
  try {
    const answer = (await runWriterOnce(state, run.prefix, 'verify')).find((r) => Array.isArray(r.present));
    // No answer is a broken check, not a datastore that lost everything.
    if (!answer) throw new Error('etcd-churn-writer verify printed no {"present": […]} line');
    present = new Set(answer.present as string[]);
    const cp = state.nodes[0]!;
    const env = Object.entries(nodeShellEnv(state, cp)).map(([k, v]) => `${k}=${v}`);
    ipam = await runCommand(['ip', 'netns', 'exec', cp.ns, 'env', '-i', ...env, tabbyBin(), 'ipam', 'check'], { timeoutMs: 120_000 });
  } finally {
    // Also when a check fails: a member left frozen or dead would take the next scenario's quorum with it.
    if (opts.recover !== false) {
      await recoverEtcdMember(state, run.leader);
      run.say(`etcd member ${run.leader.name} back (PID ${run.leader.pid})`);
    }
    await runWriterOnce(state, run.prefix, 'cleanup');
  }
  const lostWrites = acked.map((r) => r.acked!).filter((n) => !present.has(n));
  const firstAdd = run.counts.addStarts.find((a) => a.ok && a.start >= run.killAt);
  return {
    writesAcked: acked.length, writesLost: lostWrites.length, writesFailed: run.records.filter((r) => r.failed).length,
    addsOk: run.counts.addsOk, addsFailed: run.counts.addsFailed,
    addsOkAfterKill: run.counts.addStarts.filter((a) => a.ok && a.start >= run.killAt).length,
    delsFailed: run.counts.delsFailed,
    failoverMs, addFailoverMs: firstAdd ? firstAdd.end - run.killAt : -1,
    electionMs: run.electedAt > 0 ? run.electedAt - run.killAt : -1, maxWriteGapMs,
    killedMember: run.leader.name, newLeader: run.newLeader,
    ipamCheckClean: ipam.code === 0, ipamCheckOutput: `(exit ${ipam.code}) ${(ipam.stdout + ipam.stderr).trim()}`,
    lostWrites, addErrors: run.counts.addErrors,
    longestAddMs: Math.max(0, ...run.counts.addStarts.map((a) => a.end - a.start)),
  };
}

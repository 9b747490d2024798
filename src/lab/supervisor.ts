// The lab's kubelet, for the one DaemonSet it runs: a long-lived process per lab (`tabby lab supervise`,
// started by `lab up`, stopped by `lab down` by its PID) that starts every node's agent as its own child,
// so it learns each exit (code or signal) at once, and restarts a dead agent with exponential back-off as
// kubelet restarts a crashed pod's container. A process of its own because every other lab command is
// short-lived: nothing else is there when an agent dies. What it knows is written to supervisor.json in
// the lab's directory (it is the only writer; `lab status` and `lab down` read it).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readState, type LabNodeState, type LabState } from './state.ts';
import { nodeAgentEnv, tabbyBin } from './env.ts';
import { runCommand } from '../exec.ts';

/**
 * Restart back-off: 1 s after the first crash, doubling to 30 s, back to 1 s once an agent has run for
 * 60 s. Kubelet uses 10 s → 5 min, reset after 10 min; a lab on one machine wants the same shape, faster.
 */
export const RESTART_BACKOFF = { initialMs: 1000, maxMs: 30_000, stableMs: 60_000 } as const;

/** The wait before restarting after the n-th consecutive crash (n ≥ 1). */
export function restartDelayMs(consecutiveCrashes: number, policy = RESTART_BACKOFF): number {
  const n = Math.max(1, consecutiveCrashes);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n - 1, 30));
}

/** Consecutive crashes after one more exit: a run of at least `stableMs` starts the count again. */
export function nextConsecutiveCrashes(previous: number, ranMs: number, policy = RESTART_BACKOFF): number {
  return ranMs >= policy.stableMs ? 1 : previous + 1;
}

/** How an exit is shown (like kubectl's last state: the signal, else the exit code). */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code ?? '?'}`;
}

export type AgentState = 'Starting' | 'Running' | 'CrashLoopBackOff' | 'Stopped';

export interface AgentRecord {
  node: string;
  /** The agent's PID while it runs; 0 while waiting to restart. */
  pid: number;
  state: AgentState;
  restarts: number;
  consecutiveCrashes: number;
  startedAt?: string;
  lastExit?: string;
  lastExitAt?: string;
  /** The wait before the latest (re)start; while CrashLoopBackOff, nextStartAt is when it is due. */
  backoffMs?: number;
  nextStartAt?: string;
}

export interface SupervisorRecord {
  pid: number;
  agents: Record<string, AgentRecord>;
}

export function supervisorPath(state: Pick<LabState, 'dir'>): string {
  return path.join(state.dir, 'supervisor.json');
}

export function readSupervisor(state: Pick<LabState, 'dir'>): SupervisorRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(supervisorPath(state), 'utf8')) as SupervisorRecord;
  } catch {
    return undefined;
  }
}

/** The agent's PID now (the supervisor's record wins over the one `lab up` wrote), 0 if none. */
export function agentPid(state: LabState, node: LabNodeState): number {
  return readSupervisor(state)?.agents[node.name]?.pid ?? node.pid;
}

/** Marks the supervisor's environment so `lab down` kills it only if the PID is still this lab's. */
export const SUPERVISOR_ENV = 'TABBY_LAB_SUPERVISOR';

/** Starts `tabby lab supervise --name N` detached, logging to supervisor.log; returns its PID. */
export function spawnSupervisor(state: LabState): number {
  const log = fs.openSync(path.join(state.dir, 'supervisor.log'), 'a');
  const child = spawn(tabbyBin(), ['lab', 'supervise', '--name', state.name], {
    detached: true, stdio: ['ignore', log, log], env: { ...process.env, [SUPERVISOR_ENV]: state.name },
  });
  fs.closeSync(log);
  child.unref();
  return child.pid!;
}

/**
 * GET :9099/liveness inside the node's namespace (bash's /dev/tcp: no HTTP client needed on the machine).
 * --norc: Node gives children a socketpair as stdin, and bash then runs ~/.bashrc as if started by rshd (a slow
 * `pyenv init` there alone outlasted the 2 s and the probe never passed).
 */
const LIVENESS_PROBE = 'exec 3<>/dev/tcp/127.0.0.1/9099 && printf "GET /liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3 && head -n 1 <&3';

export async function agentHealthy(node: Pick<LabNodeState, 'ns'>): Promise<boolean> {
  const r = await runCommand(['ip', 'netns', 'exec', node.ns, 'timeout', '2', 'bash', '--norc', '--noprofile', '-c', LIVENESS_PROBE], { timeoutMs: 3000 })
    .catch(() => ({ code: 1, stdout: '' }));
  return r.code === 0 && /^HTTP\/1\.[01] 2\d\d/.test(r.stdout);
}

/** The supervisor PID the lab's state records (undefined: no lab, or none recorded). */
function labSupervisorPid(name: string): number | undefined | 'unreadable' {
  try { return readState(name)?.supervisor?.pid; } catch { return 'unreadable'; }
}

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

/** The supervising loop of one lab; runs until SIGTERM/SIGINT or until the lab is gone. */
export class Supervisor {
  private readonly record: SupervisorRecord;
  private readonly children = new Map<string, ChildProcess>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopping = false;

  constructor(private readonly state: LabState) {
    this.record = { pid: process.pid, agents: {} };
    for (const n of state.nodes) this.record.agents[n.name] = { node: n.name, pid: 0, state: 'Starting', restarts: 0, consecutiveCrashes: 0 };
  }

  /** Controlplane first (its agent creates the default pool), then every other node, as `lab up` did. */
  async run(): Promise<void> {
    this.save();
    const [first, ...rest] = this.state.nodes;
    if (!first) return;
    this.start(first);
    const deadline = Date.now() + Number(process.env.TABBY_LAB_AGENT_TIMEOUT_MS ?? 60_000);
    // Until it answers, or has died once (then the others start anyway, as before the supervisor existed).
    const firstRecord = this.record.agents[first.name]!;
    while (!this.stopping && Date.now() < deadline && firstRecord.lastExit === undefined && !(await agentHealthy(first))) {
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const n of rest) if (!this.stopping) this.start(n);
    // The lab's directory going away means `lab down` ran (or someone removed it): nothing left to supervise.
    // This interval also keeps the process alive while no agent runs and no restart is due.
    setInterval(() => this.checkStillWanted(), 2000);
  }

  /**
   * `lab down` removes the lab; a `lab up` killed between starting this process and recording its PID, and
   * then cleaned up, recorded none: either way this supervisor is no longer the lab's and takes its agents with it.
   */
  private checkStillWanted(): void {
    const recorded = labSupervisorPid(this.state.name);
    if (recorded === 'unreadable' || recorded === process.pid) return;
    for (const child of this.children.values()) {
      try { if (child.pid) process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
    }
    this.stop(recorded === undefined ? 'the lab is gone' : `the lab is supervised by PID ${recorded} now`);
  }

  stop(why: string): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    log(`stopping (${why}); the agents are left to \`lab down\``);
    this.save();
    process.exit(0);
  }

  private start(node: LabNodeState): void {
    const rec = this.record.agents[node.name]!;
    const env = nodeAgentEnv(this.state, node);
    const out = fs.openSync(node.logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', node.ns, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), tabbyBin(), 'node', 'run'], {
      detached: true, stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const startedAt = Date.now();
    Object.assign(rec, { pid: child.pid ?? 0, state: 'Running', startedAt: new Date(startedAt).toISOString() });
    delete rec.nextStartAt; // backoffMs stays: the wait that preceded this start
    this.children.set(node.name, child);
    this.save();
    log(`${node.name}: agent started (PID ${child.pid}, restarts ${rec.restarts})`);
    child.on('error', (e) => log(`${node.name}: could not start the agent: ${e.message}`));
    child.on('exit', (code, signal) => this.exited(node, rec, Date.now() - startedAt, describeExit(code, signal)));
  }

  private exited(node: LabNodeState, rec: AgentRecord, ranMs: number, how: string): void {
    this.children.delete(node.name);
    if (this.stopping) return;
    rec.consecutiveCrashes = nextConsecutiveCrashes(rec.consecutiveCrashes, ranMs);
    const delay = restartDelayMs(rec.consecutiveCrashes);
    Object.assign(rec, {
      pid: 0, state: 'CrashLoopBackOff', lastExit: how, lastExitAt: new Date().toISOString(),
      backoffMs: delay, nextStartAt: new Date(Date.now() + delay).toISOString(),
    });
    this.save();
    log(`${node.name}: agent ${how} after ${(ranMs / 1000).toFixed(1)} s; restarting in ${delay} ms`);
    this.timers.set(node.name, setTimeout(() => {
      this.timers.delete(node.name);
      if (this.stopping) return;
      rec.restarts++;
      this.start(node);
    }, delay));
  }

  /** Atomic replace: readers never see half a record. */
  private save(): void {
    const file = supervisorPath(this.state);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(this.record, null, 2));
      fs.renameSync(tmp, file);
    } catch (e) {
      log(`cannot write ${file}: ${(e as Error).message}`);
    }
  }
}

export async function runSupervisor(name: string): Promise<void> {
  const state = readState(name);
  if (!state) throw new Error(`no lab named "${name}"`);
  const sup = new Supervisor(state);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => sup.stop(sig));
  await sup.run();
}

// Scenarios 2 and 4: faults under a ping flood between pods on two nodes of a `tabby lab` (VXLAN, etcd on the
// controlplane). The flood is `ping -i 0.01` from a pod on the controlplane to a pod on node01 across the
// fault; its loss must be 0 (the dataplane does not depend on the datastore or on the agent being alive).
// Recovery is read from the agents' own logs: the first "in-sync" after the datastore is back.
//   etcd-outage:  etcd frozen (SIGSTOP … SIGCONT), then killed (SIGKILL) and started again as the lab starts it.
//   agent-kill:   each node's agent kill -9'd in turn and started again with its exact command and environment.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFixture, LAB_ROOT, readState, TABBY } from '../../test/lab/helpers.ts';
import { numberFlag } from '../harness.ts';
import { sleep, waitUntil, type Scenario, type ScenarioContext } from './common.ts';
import { parsePing, type PingSummary } from './leaks.ts';

interface Captured { argv: string[]; env: string[] }

/**
 * `tabby lab …` with room for an overloaded machine: an agent's first health answer can take minutes when
 * other work has the CPUs (the lab tests allow 45 s), and a degraded `lab up` would end the scenario early.
 */
export function tabby(args: string[], opts: { timeoutMs?: number } = {}) {
  const r = spawnSync(TABBY, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 900_000, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '300000' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function mustTabby(args: string[], opts: { timeoutMs?: number } = {}): string {
  const r = tabby(args, opts);
  if (r.status !== 0) throw new Error(`tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A process's exact command line and environment, read before it is killed so it can be started again. */
function capture(pid: number): Captured {
  const split = (f: string) => readFileSync(`/proc/${pid}/${f}`, 'utf8').split('\0').filter(Boolean);
  return { argv: split('cmdline'), env: split('environ') };
}

function alive(pid: number): boolean { try { process.kill(pid, 0); return true; } catch { return false; } }

async function killAndWait(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  await waitUntil(() => !alive(pid), 10_000, 20);
}

class FloodLab {
  private constructor(readonly name: string) {}

  /** A 2-node VXLAN lab with etcd and one pod on each node; its `lab down` + sweep is a clean-up of ctx. */
  static async up(ctx: ScenarioContext): Promise<FloodLab> {
    const { name, cleanup } = labFixture();
    ctx.onCleanup(() => {
      const st = readState(name);
      if (st?.etcd?.pid) try { process.kill(st.etcd.pid, 'SIGCONT'); } catch { /* gone */ }
      cleanup();
    });
    const t0 = performance.now();
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan', '--datastore', 'etcd'], { timeoutMs: 900_000 });
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '2'], { timeoutMs: 600_000 });
    ctx.figure('lab up + 2 pods, s', Math.round((performance.now() - t0) / 100) / 10);
    const lab = new FloodLab(name);
    const [a, b] = lab.pair();
    const reach = await waitUntil(() => spawnSync('ip', ['netns', 'exec', a.netns, 'ping', '-c', '1', '-W', '1', b.ip!]).status === 0, 120_000, 500);
    if (reach === null) throw new Error(`pod ${a.name} never reached pod ${b.name} (${b.ip})`);
    return lab;
  }

  state(): any { return readState(this.name); }

  /** The pod on the controlplane and the pod on node01. */
  pair(): [any, any] {
    const pods = this.state().pods as any[];
    const a = pods.find((p) => p.node === 'controlplane' && p.ip);
    const b = pods.find((p) => p.node === 'node01' && p.ip);
    if (!a || !b) throw new Error(`expected a pod on controlplane and one on node01: ${JSON.stringify(pods.map((p) => [p.name, p.node, p.ip]))}`);
    return [a, b];
  }

  /** `ping -i 0.01` from pod A to pod B for `seconds`; resolves with the summary when it ends. */
  flood(seconds: number): { done: Promise<PingSummary | null>; child: ChildProcess } {
    const [a, b] = this.pair();
    const child = spawn('ip', ['netns', 'exec', a.netns, 'ping', '-n', '-q', '-i', '0.01', '-W', '1', '-c', String(seconds * 100), b.ip],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    const done = new Promise<PingSummary | null>((r) => child.on('close', () => r(parsePing(out))));
    return { done, child };
  }

  /** Start a captured process again in `ns` (as the lab does: detached, log appended) and record its PID. */
  respawn(ns: string, c: Captured, logFile: string, record: (st: any, pid: number) => void): number {
    const log = openSync(logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', ns, 'env', '-i', ...c.env, ...c.argv], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    const file = join(LAB_ROOT, this.name, 'state.json');
    const st = JSON.parse(readFileSync(file, 'utf8'));
    record(st, child.pid!);
    writeFileSync(file, JSON.stringify(st, null, 2));
    return child.pid!;
  }

  /** ms from `sinceMs` (epoch) to the first log line of every agent matching `msg` (and status), or null. */
  async agentsLogged(sinceMs: number, match: (l: any) => boolean, timeoutMs: number): Promise<number | null> {
    const nodes = this.state().nodes as Array<{ logFile: string }>;
    let latest = 0;
    const found = await waitUntil(() => nodes.every((n) => {
      const hit = readFileSync(n.logFile, 'utf8').split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return {}; } })
        .find((l) => l.time >= sinceMs && match(l));
      if (hit) latest = Math.max(latest, hit.time);
      return Boolean(hit);
    }), timeoutMs, 250);
    return found === null ? null : latest - sinceMs;
  }
}

const inSync = (l: any) => l.msg === 'datastore sync status' && l.status === 'in-sync';
const connected = (l: any) => l.msg === 'datastore connected';

function reportFlood(ctx: ScenarioContext, ping: PingSummary | null): void {
  ctx.figure('ping requests sent', ping?.transmitted ?? null);
  ctx.figure('ping replies lost', ping?.lost ?? null);
  ctx.check('the ping flood ran', ping !== null && ping.transmitted > 0);
  ctx.check('the dataplane lost no packet (loss 0)', ping !== null && ping.lost === 0, ping ? `${ping.lost} of ${ping.transmitted} lost` : 'no ping summary');
}

export const etcdOutage: Scenario = {
  name: 'etcd-outage',
  title: 'etcd paused, then killed, under a ping flood between pods on two nodes',
  async run(ctx) {
    const pauseS = numberFlag(ctx.args, 'outage', ctx.quick ? 6 : 15);
    const lab = await FloodLab.up(ctx);
    const flood = lab.flood(2 * pauseS + 40);
    ctx.onCleanup(() => { flood.child.kill('SIGKILL'); });
    await sleep(3000);
    const etcdPid = lab.state().etcd.pid as number;
    process.kill(etcdPid, 'SIGSTOP');
    await sleep(pauseS * 1000);
    const resumed = Date.now();
    process.kill(etcdPid, 'SIGCONT');
    const afterPause = await lab.agentsLogged(resumed, connected, 120_000);
    ctx.figure(`etcd paused, s`, pauseS);
    ctx.figure('resume → every agent connected again, ms', afterPause);

    const cp = lab.state().nodes[0];
    const captured = capture(etcdPid);
    await killAndWait(etcdPid);
    await sleep(pauseS * 1000);
    const restarted = Date.now();
    lab.respawn(cp.ns, captured, join(LAB_ROOT, lab.name, 'etcd.log'), (st, pid) => { st.etcd.pid = pid; st.processMarkers[String(pid)] = st.etcd.dataDir; });
    const afterKill = await lab.agentsLogged(restarted, inSync, 120_000);
    ctx.figure('etcd killed, s', pauseS);
    ctx.figure('etcd started again → every agent in sync again, ms', afterKill);
    ctx.check('every agent reconnected after the pause', afterPause !== null);
    ctx.check('every agent resynced after etcd was killed and started again', afterKill !== null);
    // What the datastore holds still works end to end: two new pods (CNI through etcd) reach the old ones.
    mustTabby(['lab', 'run', 'web2', '--name', lab.name, '--replicas', '2'], { timeoutMs: 600_000 });
    const check = tabby(['lab', 'check', '--name', lab.name], { timeoutMs: 600_000 });
    ctx.check('pods created after the outage reach every pod (lab check)', check.status === 0, (check.stdout + check.stderr).trim().split('\n').slice(-3).join(' '));
    reportFlood(ctx, await flood.done);
  },
};

export const agentKill: Scenario = {
  name: 'agent-kill',
  title: 'agent kill -9 on each node under a ping flood, restarted',
  async run(ctx) {
    const downS = numberFlag(ctx.args, 'outage', ctx.quick ? 3 : 10);
    const lab = await FloodLab.up(ctx);
    const flood = lab.flood(2 * downS + 60);
    ctx.onCleanup(() => { flood.child.kill('SIGKILL'); });
    await sleep(3000);
    for (const [i, node] of (lab.state().nodes as any[]).entries()) {
      const captured = capture(node.pid);
      await killAndWait(node.pid);
      await sleep(downS * 1000);
      const restarted = Date.now();
      lab.respawn(node.ns, captured, node.logFile, (st, pid) => { st.nodes[i].pid = pid; st.processMarkers[String(pid)] = `env:TABBY_LAB=${lab.name}`; });
      const nodes = lab.state().nodes as Array<{ logFile: string }>;
      const back = await waitUntil(() => readFileSync(nodes[i]!.logFile, 'utf8').split('\n').some((l) => {
        try { const j = JSON.parse(l); return j.time >= restarted && j.msg === 'dataplane in sync'; } catch { return false; }
      }), 240_000, 250);
      ctx.figure(`${node.name}: restart → dataplane in sync, ms`, back === null ? null : Math.round(back));
      ctx.check(`${node.name}'s agent came back after kill -9`, back !== null);
    }
    ctx.figure('agent down, s', downS);
    reportFlood(ctx, await flood.done);
  },
};

// Scenario 3: the etcd leader killed under churn — ADAPTER to the 3-member etcd lab built on branch `etcd`
// (src/lab/etcd-chaos.ts: runLeaderKillUnderChurn, `tabby lab up --datastore etcd --etcd-members 3`).
// INTEGRATOR: once that branch is merged this runs as is; check the result field names below against
// LeaderKillResult. Until then the module is absent and the scenario reports SKIPPED with the reason, never
// passed. The module is loaded by a computed path so this file type-checks with or without it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labFixture, mustTabby } from '../../test/lab/helpers.ts';
import { numberFlag } from '../harness.ts';
import { SkipScenario, type Scenario, type ScenarioContext } from './common.ts';

const MODULE = new URL('../../src/lab/etcd-chaos.ts', import.meta.url);

/** The part of LeaderKillResult (branch `etcd`) this scenario reports and judges. */
interface LeaderKillFigures {
  writesAcked: number; writesLost: number; writesFailed: number; addsOk: number; addsFailed: number; addsOkAfterKill: number;
  delsFailed: number; failoverMs: number; addFailoverMs: number; electionMs: number; maxWriteGapMs: number;
  killedMember: string; newLeader: string | undefined; ipamCheckClean: boolean; ipamCheckOutput: string; lostWrites: string[];
}
type RunLeaderKill = (opts: { lab: string; signal?: 'SIGKILL' | 'SIGSTOP'; concurrency?: number; afterKillMs?: number; say?: (l: string) => void }) => Promise<LeaderKillFigures>;

/** The cluster function, or the reason it cannot run here (SKIPPED). */
export async function loadLeaderKill(path = fileURLToPath(MODULE)): Promise<RunLeaderKill | string> {
  if (!existsSync(path)) return `the 3-member etcd lab is not merged yet (no ${path.replace(/.*\/src\//, 'src/')}; branch \`etcd\`)`;
  const mod = (await import(path)) as { runLeaderKillUnderChurn?: RunLeaderKill };
  return typeof mod.runLeaderKillUnderChurn === 'function' ? mod.runLeaderKillUnderChurn : `${path} has no runLeaderKillUnderChurn export`;
}

export const etcdLeader: Scenario = {
  name: 'etcd-leader',
  title: 'etcd leader killed under churn (3-member etcd lab)',
  async run(ctx: ScenarioContext) {
    const run = await loadLeaderKill();
    if (typeof run === 'string') throw new SkipScenario(run);
    const { name, cleanup } = labFixture();
    ctx.onCleanup(cleanup);
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan', '--datastore', 'etcd', '--etcd-members', '3'], { timeoutMs: 900_000 });
    for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
      const r = await run({ lab: name, signal, concurrency: numberFlag(ctx.args, 'pods', 2), afterKillMs: ctx.quick ? 10_000 : 20_000, say: (l) => ctx.log(l) });
      const tag = signal === 'SIGKILL' ? 'leader killed' : 'leader frozen';
      ctx.figure(`${tag}: acknowledged writes`, r.writesAcked);
      ctx.figure(`${tag}: acknowledged writes lost`, r.writesLost);
      ctx.figure(`${tag}: ADDs ok / failed (ok after the hit)`, `${r.addsOk} / ${r.addsFailed} (${r.addsOkAfterKill})`);
      ctx.figure(`${tag}: election, ms`, r.electionMs);
      ctx.figure(`${tag}: hit → first acknowledged write, ms`, r.failoverMs);
      ctx.figure(`${tag}: hit → first successful ADD, ms`, r.addFailoverMs);
      ctx.figure(`${tag}: longest gap between acknowledged writes, ms`, r.maxWriteGapMs);
      ctx.check(`${tag}: no acknowledged write lost`, r.writesLost === 0, r.lostWrites.slice(0, 5).join(', '));
      ctx.check(`${tag}: a new leader was elected and writes resumed`, r.electionMs >= 0 && r.failoverMs >= 0, `election ${r.electionMs} ms, failover ${r.failoverMs} ms`);
      ctx.check(`${tag}: pods are created after the hit`, r.addsOkAfterKill > 0);
      ctx.check(`${tag}: every DEL succeeded, IPAM check clean`, r.delsFailed === 0 && r.ipamCheckClean, r.ipamCheckOutput.split('\n').slice(-3).join(' '));
    }
  },
};

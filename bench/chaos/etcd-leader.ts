// Scenario 3: the etcd leader killed (SIGKILL), then frozen (SIGSTOP), under pod churn in a lab with a
// 3-member etcd cluster. The scenario itself lives with the cluster (etcd-leader-churn.ts:
// runLeaderKillUnderChurn); this file brings the lab up, runs it for both signals and judges the figures.
import { runLeaderKillUnderChurn } from './etcd-leader-churn.ts';
import { labFixture, mustTabby } from '../../test/lab/helpers.ts';
import { numberFlag } from '../harness.ts';
import type { Scenario, ScenarioContext } from './common.ts';

export const etcdLeader: Scenario = {
  name: 'etcd-leader',
  title: 'etcd leader killed under churn (3-member etcd lab)',
  async run(ctx: ScenarioContext) {
    const { name, cleanup } = labFixture();
    ctx.onCleanup(cleanup);
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan', '--datastore', 'etcd', '--etcd-members', '3'], { timeoutMs: 900_000 });
    for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
      const r = await runLeaderKillUnderChurn({ lab: name, signal, concurrency: numberFlag(ctx.args, 'pods', 2), afterKillMs: ctx.quick ? 10_000 : 20_000, say: (l) => ctx.log(l) });
      const tag = signal === 'SIGKILL' ? 'leader killed' : 'leader frozen';
      ctx.figure(`${tag}: acknowledged writes`, r.writesAcked);
      ctx.figure(`${tag}: acknowledged writes lost`, r.writesLost);
      ctx.figure(`${tag}: ADDs ok / failed (ok after the hit)`, `${r.addsOk} / ${r.addsFailed} (${r.addsOkAfterKill})`);
      ctx.figure(`${tag}: election, ms`, r.electionMs);
      ctx.figure(`${tag}: hit → first acknowledged write, ms`, r.failoverMs);
      ctx.figure(`${tag}: hit → first successful ADD, ms`, r.addFailoverMs);
      ctx.figure(`${tag}: longest gap between acknowledged writes, ms`, r.maxWriteGapMs);
      ctx.figure(`${tag}: slowest ADD, ms`, r.longestAddMs);
      ctx.check(`${tag}: no acknowledged write lost`, r.writesLost === 0, r.lostWrites.slice(0, 5).join(', '));
      ctx.check(`${tag}: a new leader was elected and writes resumed`, r.electionMs >= 0 && r.failoverMs >= 0, `election ${r.electionMs} ms, failover ${r.failoverMs} ms`);
      ctx.check(`${tag}: pods are created after the hit`, r.addsOkAfterKill > 0);
      ctx.check(`${tag}: every DEL succeeded, IPAM check clean`, r.delsFailed === 0 && r.ipamCheckClean, r.ipamCheckOutput.split('\n').slice(-3).join(' '));
    }
  },
};

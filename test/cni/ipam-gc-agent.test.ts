// The node agent's IPAM GC as a real process (`tabby node run`, grace period from TABBY_IPAM_LEAK_GRACE_PERIOD
// in seconds): a leak injected on purpose beside a pod it served is released, the pod's address is not.
// Decision and timing with a manual clock: test/ipam/leak-gc.test.ts, test/agent/agent.test.ts. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { netnsSkipReason } from '../helpers/netns.ts';
import { checkIpam, createIpam, loadSnapshot } from '../../src/ipam/index.ts';
import { CniNode, ensureBuilt } from './harness.ts';

const skip = netnsSkipReason();

describe('the node agent releases leaked addresses after TABBY_IPAM_LEAK_GRACE_PERIOD', { skip }, () => {
  let n: CniNode;
  let agent: ChildProcess | undefined;
  before(async () => {
    ensureBuilt();
    n = new CniNode('node-l', '10.248.0.0/16');
    await n.init();
    agent = await n.startAgent([], { TABBY_IPAM_LEAK_GRACE_PERIOD: '2s' });
  });
  after(async () => { if (agent) await n.stopAgent(agent); n?.cleanup(); });

  test('the leak goes within 1.5 grace periods and a little; the served pod keeps its address', async () => {
    const p = n.newPod();
    const add = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'gc-web'), conf: n.conf() });
    assert.equal(add.code, 0, add.stdout + add.stderr);
    const ds = await n.openDs();
    try {
      const leaked = (await createIpam(ds).autoAssign({ handleId: 'k8s-pod-network.leaked0', node: 'node-l', num4: 1, attrs: { node: 'node-l', namespace: 'default', pod: 'gone-0' } })).ips[0]!.split('/')[0]!;
      const t0 = Date.now();
      assert.ok(checkIpam(await loadSnapshot(ds)).allocatedNotInUse.some((a) => a.ip === leaked), 'ipam check reports the leak');
      while (await ds.get('IPAMHandle', 'k8s-pod-network.leaked0')) {
        assert.ok(Date.now() - t0 < 15_000, `the leak was not released within 15 s:\n${n.agentLog()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(Date.now() - t0 > 2_000, 'not before the grace period');
      const report = checkIpam(await loadSnapshot(ds));
      assert.deepEqual(report.allocatedNotInUse, []);
      assert.ok(await ds.get('IPAMHandle', `k8s-pod-network.${p.containerId}`), 'the pod\'s address is kept');
      assert.match(n.agentLog(), new RegExp(`"msg":"released leaked IP address".*"ip":"${leaked.replace(/\./g, '\\.')}"|"ip":"${leaked.replace(/\./g, '\\.')}".*"msg":"released leaked IP address"`));
    } finally { await ds.close(); }
    const del = await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'gc-web'), conf: n.conf() });
    assert.equal(del.code, 0, del.stdout);
  });
});

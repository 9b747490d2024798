// Safety of the executables: a failure injected at each step of ADD leaves nothing behind. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { assertClean, CniNode, ensureBuilt } from './harness.ts';

const skip = netnsSkipReason();
const FAULT_STEPS = ['ipam', 'veth', 'sysctl', 'link-up', 'address', 'routes', 'host-route', 'wep', 'result'];


describe('failures leave nothing behind', { skip }, () => {
  let n: CniNode;
  before(async () => { ensureBuilt(); n = new CniNode('node-1'); await n.init(); });
  after(() => n?.cleanup());

  test('a fault injected at each step of ADD is undone completely', async () => {
    const p = n.newPod();
    for (const step of FAULT_STEPS) {
      const r = await n.invoke({
        command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'faulty'), conf: n.conf(),
        extraEnv: { TABBY_CNI_TEST_FAULTS: '1', TABBY_CNI_FAULT: step },
      });
      assert.equal(r.code, 1, `ADD with fault at ${step} should fail`);
      assert.equal(r.json.msg, `injected fault at step "${step}"`);
      await assertClean(n, [p.ns], `fault at ${step}`);
    }
    // Without the opt-in variable the fault variable is ignored.
    const ok = await n.invoke({
      command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'faulty'), conf: n.conf(),
      extraEnv: { TABBY_CNI_FAULT: 'veth' },
    });
    assert.equal(ok.code, 0, ok.stdout);
    const d = await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'faulty'), conf: n.conf() });
    assert.equal(d.code, 0);
    await assertClean(n, [p.ns], 'after the successful ADD/DEL');
  });
});

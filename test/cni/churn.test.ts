// Churn: 200 ADD/DEL cycles of the executables, 8 pods at a time, leave no address, link, route or
// endpoint behind and never hand out one address twice. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { assertClean, CniNode, ensureBuilt } from './harness.ts';

describe('churn', { skip: netnsSkipReason() }, () => {
  let n: CniNode;
  before(async () => { ensureBuilt(); n = new CniNode('node-1'); await n.init(); });
  after(() => n?.cleanup());

  test('200 ADD/DEL cycles, 8 pods at a time, leave nothing behind and never share an address', async () => {
    const pods = Array.from({ length: 8 }, () => n.newPod());
    for (let round = 0; round < 25; round++) {
      const ids = pods.map((p, i) => ({ ...p, containerId: `r${round}p${i}${p.containerId}`.slice(0, 40), pod: `churn-${i}` }));
      const adds = await Promise.all(ids.map((p) => n.invoke({
        command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('churn', p.pod), conf: n.conf(),
      })));
      for (const r of adds) assert.equal(r.code, 0, `round ${round} ADD: ${r.stdout} ${r.stderr}`);
      const ips = adds.map((r) => r.json.ips[0].address);
      assert.equal(new Set(ips).size, ips.length, `round ${round}: duplicate addresses ${ips}`);
      const dels = await Promise.all(ids.map((p) => n.invoke({
        command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('churn', p.pod), conf: n.conf(),
      })));
      for (const r of dels) assert.equal(r.code, 0, `round ${round} DEL: ${r.stdout} ${r.stderr}`);
      // Every round ends clean, so a leak is caught at the round that made it (25 rounds x 8 pods = 200 cycles).
      await assertClean(n, pods.map((p) => p.ns), `after round ${round}`);
    }
  });
});

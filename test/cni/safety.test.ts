// Safety of the executables: a failure injected at each step of ADD leaves nothing behind, and many
// ADD/DEL cycles (concurrent ones included) leave no address, link, route or endpoint behind. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { CniNode, ensureBuilt } from './harness.ts';

const skip = netnsSkipReason();
const FAULT_STEPS = ['ipam', 'veth', 'sysctl', 'link-up', 'address', 'routes', 'host-route', 'wep', 'result'];

async function assertClean(n: CniNode, podNamespaces: string[], context: string): Promise<void> {
  assert.doesNotMatch(n.sh(n.host, ['ip', '-o', 'link']), /cali/, `${context}: a cali link is left in the host`);
  assert.doesNotMatch(n.sh(n.host, ['ip', 'route']), /cali|10\.244\./, `${context}: a pod route is left in the host`);
  for (const ns of podNamespaces) assert.doesNotMatch(n.sh(ns, ['ip', '-o', 'link']), /eth0/, `${context}: eth0 is left in ${ns}`);
  const ds = await n.openDs();
  try {
    assert.deepEqual((await ds.list('WorkloadEndpoint')).items.map((w) => w.metadata.name), [], `${context}: endpoints left`);
    assert.deepEqual((await ds.list('IPAMHandle')).items.map((h) => h.metadata.name), [], `${context}: IPAM handles left`);
    for (const b of (await ds.list('IPAMBlock')).items) {
      const used = (b.spec.allocations as Array<number | null>).filter((x) => x !== null).length;
      assert.equal(used, 0, `${context}: block ${b.spec.cidr} still has ${used} allocated addresses`);
    }
  } finally { await ds.close(); }
}

describe('failures and churn leave nothing behind', { skip }, () => {
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

  test('200 ADD/DEL cycles, 8 pods at a time, leave nothing behind and never share an address', async () => {
    const pods = Array.from({ length: 8 }, () => n.newPod());
    let cycles = 0;
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
      cycles += ids.length;
    }
    assert.equal(cycles, 200);
    await assertClean(n, pods.map((p) => p.ns), 'after 200 cycles');
  });
});

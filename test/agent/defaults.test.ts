// Issue #20 item 4: the objects calico-node creates at start-up exist after the agent starts (`get tier
// default`, `get felixconfiguration default` …), and a restarted agent never overwrites a user's edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { Agent } from '../../src/agent/main.ts';
import { FakeKernel } from './fake-kernel.ts';

async function runAgentOnce(ds: MemoryDatastore): Promise<void> {
  const k = new FakeKernel();
  k.addLink('lo'); k.addLink('eth0'); k.links.get('eth0')!.addrs = ['10.0.1.11/24'];
  const stateDir = mkdtempSync(join(tmpdir(), 'tabby-agent-defaults-'));
  const agent = new Agent({
    ds, nodeName: 'node-a', log: pino({ level: 'silent' }), kernel: k, stateDir, backend: 'vxlan', healthPort: 0, metricsPort: 0,
    foreignNetns: true, env: { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'Always' },
  });
  try { await agent.start(); } finally { await agent.stop(); rmSync(stateDir, { recursive: true, force: true }); }
}

test('the agent creates Calico\'s default Tier, FelixConfiguration, BGPConfiguration and IPAMConfiguration', async () => {
  const ds = new MemoryDatastore();
  await runAgentOnce(ds);
  assert.deepEqual((await ds.get('Tier', 'default'))?.spec, { order: 1_000_000, defaultAction: 'Deny' });
  assert.deepEqual((await ds.get('FelixConfiguration', 'default'))?.spec, {});
  assert.deepEqual((await ds.get('BGPConfiguration', 'default'))?.spec, {});
  assert.deepEqual((await ds.get('IPAMConfiguration', 'default'))?.spec, { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 });
  assert.equal((await ds.get('ClusterInformation', 'default'))?.spec?.datastoreReady, true);
});

test('a restarted agent leaves user edits alone (also an explicit datastoreReady: false)', async () => {
  const ds = new MemoryDatastore();
  await runAgentOnce(ds);
  const edit = async (kind: string, spec: Record<string, unknown>) => {
    const cur = (await ds.get(kind, 'default'))!;
    await ds.update({ ...cur, spec: { ...(cur.spec as object), ...spec } });
  };
  await edit('Tier', { order: 500 });
  await edit('FelixConfiguration', { vxlanVNI: 5000 });
  await edit('BGPConfiguration', { asNumber: 65010 });
  await edit('IPAMConfiguration', { strictAffinity: true });
  await edit('ClusterInformation', { datastoreReady: false });
  const before = await Promise.all(['Tier', 'FelixConfiguration', 'BGPConfiguration', 'IPAMConfiguration'].map((k) => ds.get(k, 'default')));
  await runAgentOnce(ds);
  const after = await Promise.all(['Tier', 'FelixConfiguration', 'BGPConfiguration', 'IPAMConfiguration'].map((k) => ds.get(k, 'default')));
  assert.deepEqual(after, before);
  assert.equal((await ds.get('ClusterInformation', 'default'))?.spec?.datastoreReady, false);
});

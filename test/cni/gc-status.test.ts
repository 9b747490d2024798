// CNI 1.1.0 GC and STATUS on the plugin's orchestration (in-memory datastore, real IPAM, recording fake
// dataplane; no root): what GC removes and what it must leave, its errors, and STATUS's readiness answers.
// The executables (both entries, embedded datastore, etcd when available): gc-status-exec.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION } from '../../src/api/resource.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { createIpam } from '../../src/ipam/index.ts';
import { runPlugin } from '../../src/cni/plugin.ts';
import { silentLogger } from '../../src/cni/log.ts';
import { FakeDataplane } from './fakes.ts';

const conf = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: '1.1.0', name: 'k8s-pod-network', type: 'calico', nodename: 'node-1', mtu: 1400, ipam: { type: 'calico-ipam' }, ...extra });
const env = (cmd: string, containerId = 'c1', pod?: string) => ({
  CNI_COMMAND: cmd, CNI_CONTAINERID: containerId, CNI_NETNS: `/run/netns/${containerId}`, CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin',
  ...(pod ? { CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod}` } : {}),
});
const gcConf = (valid: unknown) => conf({ 'cni.dev/valid-attachments': valid });
const parsed = (o: { stdout: string }) => JSON.parse(o.stdout) as { code: number; msg: string; details?: string };

async function setup(pool = { cidr: '10.70.0.0/16', blockSize: 26 }) {
  const ds = new MemoryDatastore();
  await ds.create({ apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'pool' }, spec: { ...pool, nodeSelector: 'all()' } });
  await ds.create({ apiVersion: API_VERSION, kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { datastoreReady: true } });
  const ipam = createIpam(ds);
  const dp = new FakeDataplane();
  const d = { openBackend: async () => ({ ds, ipam, close: async () => {} }), dataplane: dp, log: silentLogger };
  const handles = async () => (await ds.list('IPAMHandle')).items.map((h) => h.metadata.name).sort();
  const weps = async () => (await ds.list('WorkloadEndpoint')).items.map((w) => w.spec.containerID).sort();
  return { ds, ipam, dp, d, handles, weps };
}

describe('GC (spec 1.1.0)', () => {
  test('removes the handles and endpoints of attachments not listed, keeps the listed, other networks\' and other nodes\'', async () => {
    const { ipam, dp, d, handles, weps } = await setup();
    for (const [cid, pod] of [['keep1', 'web'], ['gone1', 'api'], ['gone2', undefined]] as const) {
      assert.equal((await runPlugin(env('ADD', cid, pod), conf(), d)).exitCode, 0);
    }
    await ipam.autoAssign({ handleId: 'other-net.gone3', node: 'node-1', num4: 1, attrs: { node: 'node-1' } });
    await ipam.autoAssign({ handleId: 'k8s-pod-network.remote', node: 'node-2', num4: 1, attrs: { node: 'node-2' } });
    const r = await runPlugin(env('GC', ''), gcConf([{ containerID: 'keep1', ifname: 'eth0' }, { containerID: 'neverseen', ifname: 'eth0' }]), d);
    assert.equal(r.exitCode, 0, r.stdout);
    assert.equal(r.stdout, '', 'no output on success');
    assert.deepEqual(await handles(), ['k8s-pod-network.keep1', 'k8s-pod-network.remote', 'other-net.gone3']);
    assert.deepEqual(await weps(), ['keep1']);
    // The non-Kubernetes workload's veth is named after its container: removed. The pod's is per pod: left to the netns.
    assert.ok(dp.calls.includes('remove caligone2'), dp.calls.join('; '));
    assert.equal(dp.calls.filter((c) => c.startsWith('remove')).length, 1);
    // Repeated GC: nothing more to do, still success.
    assert.equal((await runPlugin(env('GC', ''), gcConf([{ containerID: 'keep1', ifname: 'eth0' }]), d)).exitCode, 0);
    assert.deepEqual(await handles(), ['k8s-pod-network.keep1', 'k8s-pod-network.remote', 'other-net.gone3']);
  });

  test('an empty list removes every attachment of this network on this node', async () => {
    const { d, handles, weps } = await setup();
    assert.equal((await runPlugin(env('ADD', 'a1', 'p1'), conf(), d)).exitCode, 0);
    assert.equal((await runPlugin(env('GC', ''), gcConf([]), d)).exitCode, 0);
    assert.deepEqual([await handles(), await weps()], [[], []]);
  });

  test('a malformed valid-attachments list is an invalid network configuration (code 7) naming the entry', async () => {
    const { d } = await setup();
    for (const [valid, re] of [[undefined, /needs "cni\.dev\/valid-attachments"/], ['keep1', /needs/], [[{ ifname: 'eth0' }], /\[0\] must be an object with a string "containerID"/],
      [[{ containerID: 'a', ifname: 'eth0' }, 7], /\[1\]/]] as const) {
      const r = await runPlugin(env('GC', ''), valid === undefined ? conf() : gcConf(valid), d);
      assert.equal(r.exitCode, 1);
      assert.equal(parsed(r).code, 7);
      assert.match(parsed(r).msg, re);
    }
  });

  test('a failure on one attachment does not stop the others; all failures are reported', async () => {
    const { ipam, d, handles } = await setup();
    for (const cid of ['x1', 'x2']) assert.equal((await runPlugin(env('ADD', cid, cid), conf(), d)).exitCode, 0);
    const release = ipam.releaseByHandle.bind(ipam);
    ipam.releaseByHandle = async (h: string) => { if (h.endsWith('.x1')) throw new Error('injected: block write failed'); return release(h); };
    const r = await runPlugin(env('GC', ''), gcConf([]), d);
    assert.equal(r.exitCode, 1);
    assert.match(parsed(r).msg, /GC could not remove everything \(1 failed; the rest was removed\)/);
    assert.match(parsed(r).details ?? '', /handle k8s-pod-network\.x1: injected: block write failed/);
    assert.deepEqual(await handles(), ['k8s-pod-network.x1']);
  });
});

describe('STATUS (spec 1.1.0)', () => {
  test('ready: exit 0 and no output', async () => {
    const { d } = await setup();
    const r = await runPlugin(env('STATUS', ''), conf(), d);
    assert.deepEqual(r, { stdout: '', exitCode: 0 });
  });

  test('no address left for this node: code 50 saying so', async () => {
    const { ipam, d } = await setup({ cidr: '10.71.0.0/30', blockSize: 30 });
    await ipam.autoAssign({ handleId: 'k8s-pod-network.fill', node: 'node-1', num4: 4 });
    const r = await runPlugin(env('STATUS', ''), conf(), d);
    assert.equal(r.exitCode, 1);
    assert.deepEqual(parsed(r), { cniVersion: '1.1.0', code: 50, msg: 'cannot service ADD: no IP addresses available to node node-1 in IP pools 10.71.0.0/30' });
    await ipam.releaseByHandle('k8s-pod-network.fill');
    assert.equal((await runPlugin(env('STATUS', ''), conf(), d)).exitCode, 0, 'ready again once an address is free');
  });

  test('no pool for this node, datastore not ready, no node name: code 50 naming the cause', async () => {
    const { ds, d } = await setup();
    const pool = (await ds.get('IPPool', 'pool'))!;
    await ds.update({ ...pool, spec: { ...pool.spec, disabled: true } });
    assert.match(parsed(await runPlugin(env('STATUS', ''), conf(), d)).msg, /no enabled IP pool selects node node-1/);
    const ci = (await ds.get('ClusterInformation', 'default'))!;
    await ds.update({ ...ci, spec: { datastoreReady: false } });
    const notReady = parsed(await runPlugin(env('STATUS', ''), conf(), d));
    assert.deepEqual([notReady.code, notReady.msg], [50, 'cannot service ADD: Calico is currently not ready to process requests']);
    const noName = parsed(await runPlugin(env('STATUS', ''), conf({ nodename: undefined, nodename_file: '/nonexistent/nodename' }), d));
    assert.equal(noName.code, 50);
    assert.match(noName.msg, /nodename/);
  });
});

// The plugin on the etcdv3 datastore (netconf datastore_type/etcd_endpoints, as Calico's): etcd runs inside
// the test's host namespace, since the plugin runs there and reaches the store from there. Needs root + etcd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { netnsSkipReason } from '../helpers/netns.ts';
import { CniNode, ensureBuilt, ROOT } from './harness.ts';

const skip = netnsSkipReason() || (spawnSync('etcd', ['--version']).status !== 0 ? 'etcd is not installed' : false);
const ENDPOINT = 'http://127.0.0.1:2379';

describe('tabby-cni with datastore_type etcdv3', { skip }, () => {
  let n: CniNode;
  const prefix = `/tabby-cni-test-${process.pid}`;
  const helper = (...args: string[]) => JSON.parse(n.sh(n.host, [process.execPath, '--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'),
    join(ROOT, 'test/cni/ds-helper.ts'), ENDPOINT, prefix, ...args]));
  before(async () => {
    ensureBuilt();
    n = new CniNode('node-1');
    n.fx.spawn(n.host, ['etcd', '--name', 'cni', '--data-dir', join(n.dir, 'etcd'), '--listen-client-urls', ENDPOINT, '--advertise-client-urls', ENDPOINT,
      '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'cni=http://127.0.0.1:2380'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && n.fx.run(n.host, ['etcdctl', '--endpoints', ENDPOINT, 'endpoint', 'health']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    helper('init', '10.246.0.0/16');
  });
  after(() => n?.cleanup());

  test('ADD, CHECK, DEL against etcd; an unreachable etcd is "try again later" (11)', async () => {
    const conf = n.conf({ datastore_type: 'etcdv3', etcd_endpoints: ENDPOINT, etcd_key_prefix: prefix, datastore_path: undefined });
    const p = n.newPod();
    const add = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'etcd-pod'), conf });
    assert.equal(add.code, 0, add.stdout + add.stderr);
    assert.match(add.json.ips[0].address, /^10\.246\./);
    assert.deepEqual(helper('state'), { handles: [`k8s-pod-network.${p.containerId}`], weps: ['node--1-k8s-etcd--pod-eth0'] });
    const check = await n.invoke({ command: 'CHECK', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'etcd-pod'), conf: { ...conf, prevResult: add.json } });
    assert.equal(check.code, 0, check.stdout);
    const del = await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'etcd-pod'), conf });
    assert.equal(del.code, 0, del.stdout);
    assert.deepEqual(helper('state'), { handles: [], weps: [] });
    const down = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'etcd-pod'),
      conf: { ...conf, etcd_endpoints: 'http://127.0.0.1:2999' } });
    assert.equal(down.json.code, 11, down.stdout);
    assert.doesNotMatch(n.sh(p.ns, ['ip', 'link']), /eth0/);
  });

  test('GC and STATUS (spec 1.1.0) against etcd: stale attachments go, the listed one stays; STATUS 0, or 50 when etcd is down', async () => {
    const conf = n.conf({ datastore_type: 'etcdv3', etcd_endpoints: ENDPOINT, etcd_key_prefix: prefix, datastore_path: undefined }, '1.1.0');
    const pods = [n.newPod(), n.newPod()];
    for (const [i, p] of pods.entries()) {
      const add = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', `gc-${i}`), conf });
      assert.equal(add.code, 0, add.stdout + add.stderr);
    }
    const gc = await n.invoke({ command: 'GC', conf: { ...conf, 'cni.dev/valid-attachments': [{ containerID: pods[0]!.containerId, ifname: 'eth0' }] } });
    assert.equal(gc.code, 0, gc.stdout + gc.stderr);
    assert.deepEqual(helper('state'), { handles: [`k8s-pod-network.${pods[0]!.containerId}`], weps: ['node--1-k8s-gc--0-eth0'] });
    const st = await n.invoke({ command: 'STATUS', conf });
    assert.deepEqual([st.code, st.stdout], [0, '']);
    const down = await n.invoke({ command: 'STATUS', conf: { ...conf, etcd_endpoints: 'http://127.0.0.1:2999' } });
    assert.equal(down.json.code, 50, down.stdout);
    const del = await n.invoke({ command: 'DEL', containerId: pods[0]!.containerId, netns: pods[0]!.path, cniArgs: n.k8sArgs('default', 'gc-0'), conf });
    assert.equal(del.code, 0, del.stdout);
  });
});

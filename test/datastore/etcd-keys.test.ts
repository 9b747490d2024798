// The etcd key codec, without an etcd: Calico's layout, and key → kind for watch events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindInfo } from '../../src/api/kinds.ts';
import type { Resource } from '../../src/api/resource.ts';
import { affinityName, EtcdKeys, prefixEnd } from '../../src/datastore/etcd-keys.ts';
import { isDatastoreError } from '../../src/datastore/types.ts';

const k = new EtcdKeys('');
const info = (kind: string) => kindInfo(kind)!;
const obj = (kind: string, name: string, spec?: unknown, namespace?: string): Resource =>
  ({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec });

test('v3 resources live under /calico/resources/v3/projectcalico.org/<plural>/[<namespace>/]<name>', () => {
  assert.equal(k.objectKey(info('IPPool'), obj('IPPool', 'default-ipv4-ippool')), '/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool');
  assert.equal(k.objectKey(info('WorkloadEndpoint'), obj('WorkloadEndpoint', 'n1-k8s-p-eth0', {}, 'ns1')),
    '/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/n1-k8s-p-eth0');
  assert.equal(k.objectKey(info('GlobalNetworkPolicy'), obj('GlobalNetworkPolicy', 'deny')), '/calico/resources/v3/projectcalico.org/globalnetworkpolicies/deny');
});

test('IPAM objects live under /calico/ipam/v2/', () => {
  assert.equal(k.objectKey(info('IPAMBlock'), obj('IPAMBlock', '10-244-1-0-26')), '/calico/ipam/v2/assignment/ipv4/block/10-244-1-0-26');
  assert.equal(k.objectKey(info('IPAMHandle'), obj('IPAMHandle', 'k8s-pod-network.abc')), '/calico/ipam/v2/handle/k8s-pod-network.abc');
  assert.equal(k.objectKey(info('BlockAffinity'), obj('BlockAffinity', 'whatever', { node: 'node01', cidr: '10.244.1.0/26' })),
    '/calico/ipam/v2/host/node01/ipv4/block/10.244.1.0-26');
  assert.equal(k.objectKey(info('BlockAffinity'), obj('BlockAffinity', 'v6', { node: 'node01', cidr: 'fd00:10:244::/122' })),
    '/calico/ipam/v2/host/node01/ipv6/block/fd00:10:244::-122');
  assert.throws(() => k.objectKey(info('BlockAffinity'), obj('BlockAffinity', 'x', { node: 'node01' })),
    (e: unknown) => isDatastoreError(e, 'Invalid') && /spec.cidr/.test(e.message));
});

test('a Calico-named BlockAffinity is found from its name alone; others need a search', () => {
  assert.equal(affinityName('node-01', '10.244.1.0/26'), 'node-01-10-244-1-0-26');
  assert.equal(k.nameKey(info('BlockAffinity'), 'node-01-10-244-1-0-26'), '/calico/ipam/v2/host/node-01/ipv4/block/10.244.1.0-26');
  assert.equal(k.nameKey(info('BlockAffinity'), 'custom'), undefined);
});

test('keys parse back to kind, namespace and name; foreign keys are not Tabby objects', () => {
  const p = new EtcdKeys('/t1');
  assert.deepEqual(p.parseKey('/t1/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/w1'), { info: info('WorkloadEndpoint'), namespace: 'ns1', name: 'w1' });
  assert.deepEqual(p.parseKey('/t1/calico/resources/v3/projectcalico.org/ippools/p1'), { info: info('IPPool'), name: 'p1' });
  assert.deepEqual(p.parseKey('/t1/calico/ipam/v2/assignment/ipv6/block/fd00-122'), { info: info('IPAMBlock'), name: 'fd00-122' });
  assert.deepEqual(p.parseKey('/t1/calico/ipam/v2/host/n1/ipv4/block/10.0.0.0-26'), { info: info('BlockAffinity') });
  assert.deepEqual(p.parseKey('/t1/calico/ipam/v2/handle/h1'), { info: info('IPAMHandle'), name: 'h1' });
  for (const foreign of [
    '/t1/calico/ipam/v2/config', '/t1/calico/v1/Ready', '/t1/calico/resources/v3/projectcalico.org/unknown/x',
    '/t1/calico/resources/v3/projectcalico.org/ippools/ns/x', '/t1/calico/resources/v3/projectcalico.org/workloadendpoints/x',
    '/t2/calico/resources/v3/projectcalico.org/ippools/p1',
  ]) assert.equal(p.parseKey(foreign), undefined, foreign);
});

test('list ranges narrow by namespace and name prefix; prefix ends are exclusive upper bounds', () => {
  const r = k.listRange(info('WorkloadEndpoint'), 'ns1', 'n1-');
  assert.equal(r.key, '/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/n1-');
  assert.equal(r.rangeEnd.toString(), '/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/n1.');
  assert.equal(k.listRange(info('WorkloadEndpoint')).key, '/calico/resources/v3/projectcalico.org/workloadendpoints/');
  assert.deepEqual([...prefixEnd('a\xff')], [0x61, 0xc3, 0xc0]); // UTF-8 bytes of 'ÿ' are c3 bf
  assert.deepEqual([...prefixEnd('')], [0]);
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { columnsFor, listOf, renderJson, renderTable, renderYaml, tabwrite } from '../../src/ctl/output.ts';
import type { Resource } from '../../src/api/resource.ts';

const wep: Resource = {
  apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
  metadata: { name: 'node1-k8s-nginx-eth0', namespace: 'web' },
  spec: { node: 'node1', pod: 'nginx', interfaceName: 'cali1234567890a', ipNetworks: ['10.244.1.5/32', 'fd00::5/128'], profiles: ['kns.web', 'ksa.web.default'], ipNATs: [{ internalIP: '10.244.1.5', externalIP: '172.16.0.5' }] },
};

describe('tables', () => {
  test('tabwriter pads every cell to longest + 3 with a minimum width of 5', () => {
    assert.equal(tabwrite([['NAME', 'A'], ['x', 'longer']]), 'NAME   A        \nx      longer   \n');
    assert.equal(tabwrite([['A'], ['b']]), 'A    \nb    \n', 'minwidth 5');
  });

  test('workload endpoint columns (ps and wide) and NAMESPACE with -A', () => {
    assert.deepEqual(columnsFor('WorkloadEndpoint', false).map((c) => c.header), ['WORKLOAD', 'NODE', 'NETWORKS', 'INTERFACE']);
    const wide = renderTable('WorkloadEndpoint', [wep], { wide: true, withNamespace: true });
    const [head, row] = wide.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(head, ['NAMESPACE', 'NAME', 'WORKLOAD', 'NODE', 'NETWORKS', 'INTERFACE', 'PROFILES', 'NATS']);
    assert.deepEqual(row, ['web', 'node1-k8s-nginx-eth0', 'nginx', 'node1', '10.244.1.5/32,fd00::5/128', 'cali1234567890a', 'kns.web,ksa.web.default', '10.244.1.5<->172.16.0.5']);
  });

  test('calicoctl headers per kind', () => {
    const h = (k: string, wide: boolean) => columnsFor(k, wide).map((c) => c.header).join(' ');
    assert.equal(h('IPPool', false), 'NAME CIDR SELECTOR');
    assert.equal(h('IPPool', true), 'NAME CIDR NAT IPIPMODE VXLANMODE DISABLED DISABLEBGPEXPORT SELECTOR');
    assert.equal(h('Node', false), 'NAME');
    assert.equal(h('Node', true), 'NAME ASN IPV4 IPV6');
    assert.equal(h('BGPPeer', false), 'NAME PEERIP NODE ASN');
    assert.equal(h('BGPConfiguration', true), 'NAME LOGSEVERITY MESHENABLED ASNUMBER');
    assert.equal(h('HostEndpoint', false), 'NAME NODE');
    assert.equal(h('HostEndpoint', true), 'NAME NODE INTERFACE IPS PROFILES');
    assert.equal(h('GlobalNetworkPolicy', false), 'NAME TIER');
    assert.equal(h('NetworkPolicy', true), 'NAME TIER ORDER SELECTOR');
    assert.equal(h('Profile', true), 'NAME LABELS');
    assert.equal(h('NetworkSet', true), 'NAME NETS');
    assert.equal(h('IPAMConfiguration', false), 'NAME STRICTAFFINITY AUTOALLOCATEBLOCKS');
    assert.equal(h('IPAMConfiguration', true), 'NAME STRICTAFFINITY AUTOALLOCATEBLOCKS MAXBLOCKSPERHOST');
    assert.equal(h('Tier', false), 'NAME ORDER');
  });

  test('global BGP peers show (global) in NODE', () => {
    const peer: Resource = { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'p' }, spec: { peerIP: '10.0.0.1', asNumber: 65000 } };
    assert.deepEqual(renderTable('BGPPeer', [peer], { wide: false, withNamespace: false }).split('\n')[1]!.trim().split(/\s+/), ['p', '10.0.0.1', '(global)', '65000']);
  });
});

describe('yaml and json', () => {
  test('YAML keys are sorted and lists are not indented (as calicoctl prints)', () => {
    const y = renderYaml(wep);
    assert.ok(y.startsWith('apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata:\n'), y);
    assert.match(y, /\n {2}ipNetworks:\n {2}- 10\.244\.1\.5\/32\n/);
    assert.deepEqual(parse(y), wep);
  });

  test('JSON lists put kind and apiVersion first', () => {
    const j = JSON.parse(renderJson(listOf('WorkloadEndpoint', [wep], '42')));
    assert.deepEqual(Object.keys(j), ['kind', 'apiVersion', 'metadata', 'items']);
    assert.equal(j.kind, 'WorkloadEndpointList');
    assert.deepEqual(j.metadata, { resourceVersion: '42' });
    assert.deepEqual(Object.keys(j.items[0]), ['kind', 'apiVersion', 'metadata', 'spec']);
  });
});

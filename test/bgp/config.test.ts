import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { affectsBgp, desiredBgp, exportedPrefixes, parseDurationSeconds, parsePeerIP, type BgpInputs } from '../../src/bgp/config.ts';
import { formatNodeStatus, formatTable, type BgpStatus } from '../../src/bgp/status.ts';
import type { Resource } from '../../src/api/resource.ts';

const r = (kind: string, name: string, spec: any, labels?: Record<string, string>): Resource => ({
  apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(labels ? { labels } : {}) }, spec,
});
const node = (name: string, ip: string, extra: any = {}, labels?: Record<string, string>) => r('Node', name, { bgp: { ipv4Address: `${ip}/24`, ...extra } }, labels);

const base = (over: Partial<BgpInputs> = {}): BgpInputs => ({
  nodeName: 'node01',
  nodes: [node('controlplane', '172.17.0.40'), node('node01', '172.17.0.41'), node('node02', '172.17.0.42')],
  bgpConfigurations: [], bgpPeers: [], ipPools: [], blocks: [], affinities: [], ...over,
});

describe('desired BGP configuration (confd rules)', () => {
  test('defaults: AS 64512, port 179, full mesh with the lower IP dialling', () => {
    const d = desiredBgp(base());
    const c = d.config!;
    assert.equal(c.routerId, '172.17.0.41');
    assert.equal(c.asNumber, 64512);
    assert.equal(c.listenPort, 179);
    assert.deepEqual(c.peers.map((p) => [p.name, p.type, p.passive]), [
      ['Mesh_172_17_0_40', 'node-to-node mesh', false],
      ['Mesh_172_17_0_42', 'node-to-node mesh', true],
    ]);
    assert.equal(c.peers[0]!.sourceAddress, '172.17.0.41');
    assert.equal(d.logSeverityScreen, 'Info');
  });

  test('BGPConfiguration: AS, mesh off, listen port, log level; per-node AS wins', () => {
    const d = desiredBgp(base({
      bgpConfigurations: [r('BGPConfiguration', 'default', { asNumber: 65000, nodeToNodeMeshEnabled: false, listenPort: 1179, logSeverityScreen: 'Debug' })],
      nodes: [node('node01', '172.17.0.41', { asNumber: 65123 }), node('node02', '172.17.0.42')],
    }));
    assert.equal(d.config!.asNumber, 65123);
    assert.equal(d.config!.listenPort, 1179);
    assert.equal(d.config!.peers.length, 0);
    assert.equal(d.logSeverityScreen, 'Debug');
  });

  test('BGPPeers: global, per node, by nodeSelector, peerSelector; options carried', () => {
    const d = desiredBgp(base({
      nodes: [node('node01', '172.17.0.41', {}, { rack: 'a' }), node('node02', '172.17.0.42', {}, { rr: 'true' }), node('node03', '172.17.0.43')],
      bgpConfigurations: [r('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false })],
      bgpPeers: [
        r('BGPPeer', 'tor', { peerIP: '10.99.0.1:1179', asNumber: 65001, keepOriginalNextHop: true, maxRestartTime: '30s' }),
        r('BGPPeer', 'mine', { node: 'node01', peerIP: '10.99.0.2', asNumber: 65002, sourceAddress: 'None' }),
        r('BGPPeer', 'other-node', { node: 'node03', peerIP: '10.99.0.3', asNumber: 65003 }),
        r('BGPPeer', 'rack-a', { nodeSelector: "rack == 'a'", peerIP: '10.99.0.4', asNumber: 65004 }),
        r('BGPPeer', 'to-rr', { nodeSelector: 'all()', peerSelector: "rr == 'true'" }),
      ],
    }));
    const byName = new Map(d.config!.peers.map((p) => [p.name, p]));
    assert.deepEqual([...byName.keys()].sort(), ['Global_10_99_0_1_port_1179', 'Node_10_99_0_2', 'Node_10_99_0_4', 'Node_172_17_0_42'].sort());
    const tor = byName.get('Global_10_99_0_1_port_1179')!;
    assert.equal(tor.type, 'global');
    assert.equal(tor.port, 1179);
    assert.equal(tor.keepOriginalNextHop, true);
    assert.equal(tor.maxRestartTime, 30);
    assert.equal(byName.get('Node_10_99_0_2')!.sourceAddress, undefined);
    assert.equal(byName.get('Node_172_17_0_42')!.type, 'node specific');
    assert.equal(byName.get('Node_172_17_0_42')!.asNumber, 64512);
  });

  test('route reflector: leaves the mesh, others skip it, iBGP peers without its cluster id are clients', () => {
    const nodes = [node('rr1', '172.17.0.10', { routeReflectorClusterID: '244.0.0.1' }), node('node01', '172.17.0.41'), node('node02', '172.17.0.42')];
    const peers = [r('BGPPeer', 'all-to-rr', { nodeSelector: 'all()', peerSelector: "has(rr)" })];
    nodes[0]!.metadata.labels = { rr: '' };
    const rr = desiredBgp(base({ nodeName: 'rr1', nodes, bgpPeers: [...peers, r('BGPPeer', 'rr-to-all', { nodeSelector: 'has(rr)', peerSelector: 'all()' })] })).config!;
    assert.equal(rr.clusterId, '244.0.0.1');
    assert.deepEqual(rr.peers.map((p) => [p.address, p.rrClient]).sort(), [['172.17.0.41', true], ['172.17.0.42', true]]);
    const n1 = desiredBgp(base({ nodes, bgpPeers: peers })).config!;
    assert.deepEqual(n1.peers.map((p) => [p.name, p.rrClient]).sort(), [['Mesh_172_17_0_42', false], ['Node_172_17_0_10', false]]);
  });

  test('one BGPPeer `nodeSelector: all()`, `peerSelector: route-reflector == "true"` peers every node with every reflector, both ways', () => {
    const nodes = [
      node('rr1', '172.17.0.10', { routeReflectorClusterID: '244.0.0.1' }, { 'route-reflector': 'true' }),
      node('rr2', '172.17.0.11', { routeReflectorClusterID: '244.0.0.1' }, { 'route-reflector': 'true' }),
      node('node01', '172.17.0.41'), node('node02', '172.17.0.42'),
    ];
    const bgpPeers = [r('BGPPeer', 'peer-with-rrs', { nodeSelector: 'all()', peerSelector: "route-reflector == 'true'" })];
    const mesh = [r('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false })];
    const peersOf = (nodeName: string) => desiredBgp(base({ nodeName, nodes, bgpPeers, bgpConfigurations: mesh })).config!.peers
      .map((p) => [p.name, p.type, p.rrClient]).sort();
    // confd's reverse peerings: the reflectors are the peerSelector side, so they peer back with every
    // node the nodeSelector picks; the other reflector of the same cluster is a forward peering, no client.
    assert.deepEqual(peersOf('rr1'), [
      ['Node_172_17_0_11', 'node specific', false], ['Node_172_17_0_41', 'node specific', true], ['Node_172_17_0_42', 'node specific', true],
    ]);
    assert.deepEqual(peersOf('rr2').map((p) => p[0]), ['Node_172_17_0_10', 'Node_172_17_0_41', 'Node_172_17_0_42']);
    assert.deepEqual(peersOf('node01'), [['Node_172_17_0_10', 'node specific', false], ['Node_172_17_0_11', 'node specific', false]]);
  });

  test('reverse peerings: a peerIP that is a node (same AS) peers back; reversePeering Manual turns it off', () => {
    const tor = r('BGPPeer', 'to-node02', { node: 'node01', peerIP: '172.17.0.42', asNumber: 64512, filters: ['f'] });
    const filters = [r('BGPFilter', 'f', { exportV4: [{ action: 'Reject' }] })];
    const mesh = [r('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false })];
    const n2 = desiredBgp(base({ nodeName: 'node02', bgpPeers: [tor], bgpFilters: filters, bgpConfigurations: mesh })).config!;
    assert.deepEqual(n2.peers.map((p) => [p.name, p.passive]), [['Node_172_17_0_41', false]]);
    assert.equal(n2.peers[0]!.filters?.export.length, 1, 'the reverse peering takes the BGPPeer\'s filters');
    const manual = r('BGPPeer', 'to-node02', { ...tor.spec, reversePeering: 'Manual' });
    assert.deepEqual(desiredBgp(base({ nodeName: 'node02', bgpPeers: [manual], bgpConfigurations: mesh })).config!.peers, []);
    const otherAs = r('BGPPeer', 'to-node02', { ...tor.spec, asNumber: 65000 });
    assert.deepEqual(desiredBgp(base({ nodeName: 'node02', bgpPeers: [otherAs], bgpConfigurations: mesh })).config!.peers, [], 'not this node: another AS');
  });

  test('BGPPeer filters go to its peerings, not to the mesh; numAllowedLocalASNumbers only to peerIP peerings (as confd)', () => {
    const filters = [r('BGPFilter', 'no-default', { importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Reject' }] })];
    const bgpPeers = [
      r('BGPPeer', 'tor', { peerIP: '10.99.0.1', asNumber: 65001, filters: ['no-default', 'absent'], numAllowedLocalASNumbers: 2 }),
      r('BGPPeer', 'sel', { nodeSelector: 'all()', peerSelector: 'has(x)', filters: ['no-default'], numAllowedLocalASNumbers: 3 }),
    ];
    const nodes = [node('node01', '172.17.0.41'), node('node02', '172.17.0.42', {}, { x: '' }), node('node03', '172.17.0.43')];
    const d = desiredBgp(base({ nodes, bgpPeers, bgpFilters: filters }));
    const byName = new Map(d.config!.peers.map((p) => [p.name, p]));
    assert.equal(byName.get('Global_10_99_0_1')!.filters?.import[0]!.origin, 'BGPFilter no-default importV4[0]');
    assert.equal(byName.get('Global_10_99_0_1')!.allowLocalAs, 2);
    assert.equal(byName.get('Node_172_17_0_42')!.filters?.import.length, 1);
    assert.equal(byName.get('Node_172_17_0_42')!.allowLocalAs, undefined);
    assert.equal(byName.get('Mesh_172_17_0_43')!.filters, undefined);
    assert.deepEqual(d.warnings, ['BGPPeer tor: BGPFilter "absent" not found; skipped']);
  });

  test('learned routes are passed on inside the pools whose BGP export is not disabled (disabled pools too, as confd)', () => {
    const ipPools = [
      r('IPPool', 'a', { cidr: '10.244.0.0/16' }), r('IPPool', 'quiet', { cidr: '10.245.0.0/16', disableBGPExport: true }),
      r('IPPool', 'off', { cidr: '10.246.0.0/16', disabled: true }), r('IPPool', 'v6', { cidr: 'fd00:10:244::/48' }),
    ];
    assert.deepEqual(desiredBgp(base({ ipPools })).config!.exportPools, ['10.244.0.0/16', '10.246.0.0/16', 'fd00:10:244::/48']);
  });

  test('maxRestartTime and keepaliveTime in whole seconds, rounded as confd renders them', () => {
    const d = desiredBgp(base({ bgpPeers: [r('BGPPeer', 'tor', { peerIP: '10.99.0.1', asNumber: 65001, maxRestartTime: '1m30.6s', keepaliveTime: '2.4s' })] }));
    const tor = d.config!.peers.find((p) => p.name === 'Global_10_99_0_1')!;
    assert.equal(tor.maxRestartTime, 91);
    assert.equal(tor.keepaliveTime, 2);
  });

  test('bad BGPPeers become warnings naming the resource, not failures', () => {
    const d = desiredBgp(base({ bgpPeers: [r('BGPPeer', 'bad', { peerIP: 'not-an-ip', asNumber: 1 }), r('BGPPeer', 'noas', { peerIP: '10.1.1.1' })] }));
    assert.ok(d.config);
    assert.equal(d.warnings.length, 2);
    assert.match(d.warnings[0]!, /BGPPeer bad/);
    assert.match(d.warnings[1]!, /BGPPeer noas: asNumber is required/);
  });

  test('no Node / no address → a problem, no config', () => {
    assert.match(desiredBgp(base({ nodeName: 'ghost' })).problem!, /no Node resource named "ghost"/);
    assert.match(desiredBgp(base({ nodes: [r('Node', 'node01', {})] })).problem!, /no spec.bgp.ipv4Address/);
  });

  test('exports: confirmed affine blocks, borrowed /32s, not pending or disabled pools', () => {
    const blocks = [
      r('IPAMBlock', '192-168-196-128-26', { cidr: '192.168.196.128/26', affinity: 'host:node01', allocations: [], attributes: [] }),
      r('IPAMBlock', '192-168-196-192-26', { cidr: '192.168.196.192/26', affinity: 'host:node01', allocations: [], attributes: [] }),
      r('IPAMBlock', '192-168-196-0-26', { cidr: '192.168.196.0/26', affinity: 'host:node02', allocations: [0, null, 1], attributes: [{ handle_id: 'x', secondary: { node: 'node02' } }, { handle_id: 'y', secondary: { node: 'node01' } }] }),
      r('IPAMBlock', '10-50-0-0-26', { cidr: '10.50.0.0/26', affinity: 'host:node01', allocations: [], attributes: [] }),
    ];
    const affinities = [
      r('BlockAffinity', 'a', { node: 'node01', cidr: '192.168.196.128/26', state: 'confirmed', deleted: 'false' }),
      r('BlockAffinity', 'b', { node: 'node01', cidr: '192.168.196.192/26', state: 'pending', deleted: 'false' }),
    ];
    const ipPools = [r('IPPool', 'p', { cidr: '10.50.0.0/16', disableBGPExport: true })];
    assert.deepEqual(exportedPrefixes({ nodeName: 'node01', blocks, affinities, ipPools }), ['192.168.196.128/26', '192.168.196.2/32']);
  });

  test('helpers', () => {
    assert.equal(parseDurationSeconds('2m30s'), 150);
    assert.equal(parseDurationSeconds(45), 45);
    assert.throws(() => parseDurationSeconds('soon'), /invalid duration/);
    assert.deepEqual(parsePeerIP('[2001:db8::1]:1179'), { address: '2001:db8::1', port: 1179 });
    assert.deepEqual(parsePeerIP('10.0.0.1'), { address: '10.0.0.1' });
  });
});

describe('which changes reach the speaker (affectsBgp)', () => {
  const blk = (cidr: string, affinity: string, borrowers: string[] = []): Resource => ({
    apiVersion: 'projectcalico.org/v3', kind: 'IPAMBlock', metadata: { name: cidr.replace(/[./]/g, '-') },
    spec: { cidr, affinity, allocations: borrowers.map((_, i) => i), attributes: borrowers.map((node, i) => ({ handle_id: `h${i}`, secondary: { node, pod: `p${i}` } })) },
  });
  const aff = (node: string): Resource => ({ apiVersion: 'projectcalico.org/v3', kind: 'BlockAffinity', metadata: { name: `${node}-x` }, spec: { node, cidr: '10.0.0.0/26', state: 'confirmed' } });
  test('each case against what exportedPrefixes reads', () => {
    const me = 'node-a';
    assert.equal(affectsBgp('IPAMBlock', { now: blk('10.0.0.0/26', 'host:node-a') }, me), true, 'our own block');
    assert.equal(affectsBgp('IPAMBlock', { old: blk('10.0.1.0/26', 'host:node-b'), now: blk('10.0.1.0/26', 'host:node-b', ['node-b']) }, me), false, 'another node\'s pod in its own block');
    assert.equal(affectsBgp('IPAMBlock', { old: blk('10.0.1.0/26', 'host:node-b'), now: blk('10.0.1.0/26', 'host:node-b', ['node-a']) }, me), true, 'an address we borrowed there');
    assert.equal(affectsBgp('IPAMBlock', { old: blk('10.0.1.0/26', 'host:node-b', ['node-a']), now: blk('10.0.1.0/26', 'host:node-b') }, me), true, 'and released');
    assert.equal(affectsBgp('IPAMBlock', { old: blk('10.0.2.0/26', 'host:node-a') }, me), true, 'our block deleted');
    assert.equal(affectsBgp('IPAMBlock', { old: blk('10.0.2.0/26', 'host:node-a'), now: blk('10.0.2.0/26', 'host:node-b') }, me), true, 'our block given away');
    assert.equal(affectsBgp('BlockAffinity', { now: aff('node-b') }, me), false);
    assert.equal(affectsBgp('BlockAffinity', { now: aff('node-a') }, me), true);
    for (const kind of ['Node', 'BGPPeer', 'BGPConfiguration', 'BGPFilter', 'IPPool']) assert.equal(affectsBgp(kind, {}, me), true, kind);
    // The claim behind the filter: for a change it lets pass by, the exports are the same before and after.
    const pools: Resource[] = [{ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.0.0.0/16' } }];
    const before = exportedPrefixes({ nodeName: me, ipPools: pools, blocks: [blk('10.0.0.0/26', 'host:node-a'), blk('10.0.1.0/26', 'host:node-b')], affinities: [] });
    const after = exportedPrefixes({ nodeName: me, ipPools: pools, blocks: [blk('10.0.0.0/26', 'host:node-a'), blk('10.0.1.0/26', 'host:node-b', ['node-b', 'node-c'])], affinities: [aff('node-b')] });
    assert.deepEqual(after, before);
  });
});

describe('node status table', () => {
  test('calicoctl layout', () => {
    const since = new Date(2026, 0, 1, 23, 30, 4).toISOString();
    const st: BgpStatus = {
      running: true, routerId: '172.17.8.101', asNumber: 64512, listenPort: 179, locRibRoutes: 0, exportedPrefixes: [],
      peers: [{ name: 'Mesh_172_17_8_102', address: '172.17.8.102', port: 179, peerType: 'node-to-node mesh', localAs: 64512, peerAs: 64512, ibgp: true, rrClient: false, state: 'Established', since, info: 'Established', prefixesReceived: 1, prefixesAccepted: 1, prefixesSent: 1, staleRoutes: 0 }],
    };
    assert.equal(formatNodeStatus(st, new Date(2026, 0, 2, 1, 0, 0)), [
      'Calico process is running.',
      '',
      'IPv4 BGP status',
      '+--------------+-------------------+-------+----------+-------------+',
      '| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |',
      '+--------------+-------------------+-------+----------+-------------+',
      '| 172.17.8.102 | node-to-node mesh | up    | 23:30:04 | Established |',
      '+--------------+-------------------+-------+----------+-------------+',
      '',
      'IPv6 BGP status',
      'No IPv6 peers found.',
      '',
    ].join('\n'));
    assert.match(formatTable(['A'], [['xyz']]), /\| xyz \|/);
  });

  test('peers in address order, whatever order the sessions came up in', () => {
    const peer = st0.peers[0]!;
    const st: BgpStatus = { ...st0, peers: ['172.17.0.41', '172.17.0.9', '172.17.0.40'].map((address) => ({ ...peer, address })) };
    const order = formatNodeStatus(st).split('\n').filter((l) => l.startsWith('| 172')).map((l) => l.split('|')[1]!.trim());
    assert.deepEqual(order, ['172.17.0.9', '172.17.0.40', '172.17.0.41']);
  });
});

const st0: BgpStatus = {
  running: true, routerId: '172.17.8.101', asNumber: 64512, listenPort: 179, locRibRoutes: 0, exportedPrefixes: [],
  peers: [{ name: 'Mesh', address: '', port: 179, peerType: 'node-to-node mesh', localAs: 64512, peerAs: 64512, ibgp: true, rrClient: false, state: 'Established', since: new Date().toISOString(), info: 'Established', prefixesReceived: 1, prefixesAccepted: 1, prefixesSent: 1, staleRoutes: 0 }],
};

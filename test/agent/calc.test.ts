// The pure calculation: snapshot + node → desired routes, VTEPs, NAT sets, MTU. No root needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { calculate, calculateFromSnapshot, podMtu, withLearnedRoutes, type CalcContext } from '../../src/agent/calc/graph.ts';
import { Snapshot } from '../../src/agent/calc/snapshot.ts';
import { vtepMacForNode } from '../../src/agent/calc/vtep-mac.ts';
import { describe as describeRoute } from '../../src/agent/dataplane/route-table.ts';
import type { Resource } from '../../src/api/resource.ts';
import { block, node, pool, wep } from './fixtures.ts';

function snap(...rs: Resource[]): Snapshot {
  const s = new Snapshot();
  for (const r of rs) s.set(r);
  return s;
}

const ctxA: CalcContext = { nodeName: 'node-a', parentIface: 'eth0', hostMtu: 1500, bgpEnabled: false };

function routeLines(s: Snapshot, ctx = ctxA): string[] {
  return [...calculate(s, ctx).routes.values()].map(describeRoute).sort();
}

describe('VTEP MAC', () => {
  test('is 0x66 followed by sha1(node name)[0:5], as Felix derives it', () => {
    const d = createHash('sha1').update('node01').digest();
    const want = ['66', ...[...d.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
    assert.equal(vtepMacForNode('node01'), want);
    assert.match(vtepMacForNode('controlplane'), /^66(:[0-9a-f]{2}){5}$/);
    assert.notEqual(vtepMacForNode('a'), vtepMacForNode('b'));
    assert.notEqual(vtepMacForNode('a'), vtepMacForNode('a', true));
  });
});

describe('VXLAN mode (the article\'s demo)', () => {
  const objs = [
    pool('default-ipv4-ippool', '192.168.0.0/16', { vxlanMode: 'Always', natOutgoing: true }),
    node('node-a', '172.17.0.15/16', { vxlan: '192.168.49.64' }),
    node('node-b', '172.17.0.16/16', { vxlan: '192.168.196.128' }),
    block('192.168.49.64/26', 'node-a'),
    block('192.168.196.128/26', 'node-b'),
    wep('default', 'busybox-1', 'node-a', '192.168.49.65', 'calif5cc38277c7'),
    wep('default', 'busybox-2', 'node-a', '192.168.49.66', 'cali840c047460a'),
    wep('default', 'busybox-3', 'node-b', '192.168.196.130', 'cali00000000001'),
  ];

  test('routes: local /32s, a blackhole for the local block, remote block via the remote VTEP onlink', () => {
    assert.deepEqual(routeLines(snap(...objs)), [
      '192.168.196.128/26 via 192.168.196.128 dev vxlan.calico proto 80 onlink',
      '192.168.49.65/32 dev calif5cc38277c7 proto 3',
      '192.168.49.66/32 dev cali840c047460a proto 3',
      'blackhole 192.168.49.64/26 proto 80',
    ]);
  });

  test('VTEPs: the local device and one ARP/FDB pair per remote node', () => {
    const d = calculate(snap(...objs), ctxA);
    assert.deepEqual(d.localVtep, { tunnelIp: '192.168.49.64', mac: vtepMacForNode('node-a'), nodeIp: '172.17.0.15', parentIface: 'eth0', mtu: 1450, vni: 4096, port: 4789 });
    assert.deepEqual([...d.vteps.values()], [{ node: 'node-b', tunnelIp: '192.168.196.128', mac: vtepMacForNode('node-b'), nodeIp: '172.17.0.16' }]);
    assert.equal(d.podMtu, 1450);
    assert.deepEqual(d.workloadInterfaces, ['cali840c047460a', 'calif5cc38277c7']);
  });

  test('the Node\'s vxlanTunnelMACAddr wins over the derived MAC', () => {
    const d = calculate(snap(...objs.slice(0, 2), node('node-b', '172.17.0.16/16', { vxlan: '192.168.196.128', mac: '66:AA:99:2F:DC:24' })), ctxA);
    assert.equal(d.vteps.get('node-b')!.mac, '66:aa:99:2f:dc:24');
  });

  test('a remote node without a tunnel address yet gets no route (reported), and no VTEP', () => {
    const d = calculate(snap(objs[0]!, objs[1]!, node('node-b', '172.17.0.16/16'), objs[4]!), ctxA);
    assert.equal(d.routes.has('192.168.196.128/26'), false);
    assert.equal(d.vteps.size, 0);
    assert.ok(d.problems.some((p) => p.includes('node-b')));
  });

  test('a tunnel address outside its node\'s blocks gets a device route', () => {
    const d = calculate(snap(objs[0]!, objs[1]!, node('node-b', '172.17.0.16/16', { vxlan: '192.168.7.1' }), objs[4]!), ctxA);
    assert.equal(describeRoute(d.routes.get('192.168.7.1/32')!), '192.168.7.1/32 dev vxlan.calico proto 80');
  });
});

describe('CrossSubnet', () => {
  const objs = [
    pool('p', '10.244.0.0/16', { vxlanMode: 'CrossSubnet' }),
    node('node-a', '10.0.1.11/24', { vxlan: '10.244.0.0' }),
    node('node-b', '10.0.1.12/24', { vxlan: '10.244.1.0' }),
    node('node-c', '10.0.2.13/24', { vxlan: '10.244.2.0' }),
    block('10.244.0.0/26', 'node-a'), block('10.244.1.0/26', 'node-b'), block('10.244.2.0/26', 'node-c'),
  ];
  test('same subnet → unencapsulated via the node IP on eth0; other subnet → VXLAN', () => {
    assert.deepEqual(routeLines(snap(...objs)), [
      '10.244.1.0/26 via 10.0.1.12 dev eth0 proto 80 onlink',
      '10.244.2.0/26 via 10.244.2.0 dev vxlan.calico proto 80 onlink',
      'blackhole 10.244.0.0/26 proto 80',
    ]);
  });
  test('node-c sees both others across the router', () => {
    assert.deepEqual(routeLines(snap(...objs), { ...ctxA, nodeName: 'node-c' }), [
      '10.244.0.0/26 via 10.244.0.0 dev vxlan.calico proto 80 onlink',
      '10.244.1.0/26 via 10.244.1.0 dev vxlan.calico proto 80 onlink',
      'blackhole 10.244.2.0/26 proto 80',
    ]);
  });
});

describe('IPIP and BGP', () => {
  const objs = [
    pool('p', '10.244.0.0/16', { ipipMode: 'Always' }),
    node('node-a', '10.0.1.11/24', { ipip: '10.244.0.1' }),
    node('node-b', '10.0.1.12/24', { ipip: '10.244.1.1' }),
    block('10.244.0.0/26', 'node-a'), block('10.244.1.0/26', 'node-b'),
  ];
  test('without BGP the agent routes IPIP blocks via tunl0 onlink (proto 80) and wants tunl0', () => {
    const d = calculate(snap(...objs), ctxA);
    assert.equal(describeRoute(d.routes.get('10.244.1.0/26')!), '10.244.1.0/26 via 10.0.1.12 dev tunl0 proto 80 onlink');
    assert.deepEqual(d.ipip, { tunnelIp: '10.244.0.1', mtu: 1480 });
    assert.equal(d.podMtu, 1480);
  });
  test('with BGP the learned route is programmed as proto bird via tunl0 onlink; datastore routes step aside', () => {
    const ctx = { ...ctxA, bgpEnabled: true, learnedRoutes: [{ prefix: '10.244.1.0/26', nextHop: '10.0.1.12', peer: '10.0.1.12' }, { prefix: '172.30.0.0/16', nextHop: '10.0.1.1', peer: '10.0.1.1' }] };
    assert.deepEqual(routeLines(snap(...objs), ctx), [
      '10.244.1.0/26 via 10.0.1.12 dev tunl0 proto 12 onlink',
      '172.30.0.0/16 via 10.0.1.1 dev eth0 proto 12',
      'blackhole 10.244.0.0/26 proto 12',
    ]);
  });
  test('a learned route never displaces a local blackhole or workload route', () => {
    const ctx = { ...ctxA, bgpEnabled: true, learnedRoutes: [{ prefix: '10.244.0.0/26', nextHop: '10.0.1.12', peer: 'x' }] };
    assert.equal(calculate(snap(...objs), ctx).routes.get('10.244.0.0/26')!.type, 'blackhole');
  });
  test('a learned no-encap route whose next hop is beyond the local subnet goes through the default route (BIRD: gateway recursive)', () => {
    const s = snap(pool('p', '10.244.0.0/16'), node('node-a', '10.0.1.11/24'), node('node-c', '10.0.2.13/24'),
      block('10.244.0.0/26', 'node-a'), block('10.244.2.0/26', 'node-c'));
    const learned = [{ prefix: '10.244.2.0/26', nextHop: '10.0.2.13', peer: '10.0.2.13' }];
    const viaDefault = { ...ctxA, bgpEnabled: true, learnedRoutes: learned, underlayDefaultRoute: { gateway: '10.0.1.1', dev: 'eth0' } };
    assert.deepEqual(routeLines(s, viaDefault), ['10.244.2.0/26 via 10.0.1.1 dev eth0 proto 12', 'blackhole 10.244.0.0/26 proto 12']);
    // No default route: nothing the kernel would accept, so no route and a problem that says why.
    const d = calculate(s, { ...ctxA, bgpEnabled: true, learnedRoutes: learned });
    assert.equal(d.routes.get('10.244.2.0/26'), undefined);
    assert.match(d.problems.join('\n'), /10\.244\.2\.0\/26 via 10\.0\.2\.13: next hop is outside this node's subnet \(10\.0\.1\.11\/24\) and the host has no default route/);
  });
  test('learned routes: malformed prefixes and next hops are problems; a prefix is programmed as written', () => {
    const s = snap(pool('p', '10.244.0.0/16', { ipipMode: 'CrossSubnet' }), node('node-a', '10.0.1.11/24', { ipip: '10.244.0.1' }));
    const learnedRoutes = [
      { prefix: '10.244.1.0/26', nextHop: '10.0.1.12', peer: 'b' }, // IPIP pool, neighbour: CrossSubnet goes direct
      { prefix: '10.244.2.0/26', nextHop: '10.0.2.13', peer: 'c' }, // IPIP pool, beyond the subnet: tunl0
      { prefix: '10.244.2.0/26x', nextHop: '10.0.2.13', peer: 'c' },
      { prefix: '10.244.3.0/26', nextHop: '10.0.2.300', peer: 'c' },
      { prefix: '10.244.4.0/026', nextHop: '10.0.1.12', peer: 'b' },
      { prefix: '172.30.0.0/16', nextHop: '10.0.2.13', peer: 'c' }, // no pool, beyond the subnet, no default route
    ];
    const d = calculate(s, { ...ctxA, bgpEnabled: true, learnedRoutes });
    assert.deepEqual([...d.routes.values()].map(describeRoute).sort(), [
      '10.244.1.0/26 via 10.0.1.12 dev eth0 proto 12',
      '10.244.2.0/26 via 10.0.2.13 dev tunl0 proto 12 onlink',
    ]);
    assert.deepEqual(d.problems, [
      'learned route 10.244.2.0/26x via 10.0.2.13: malformed',
      'learned route 10.244.3.0/26 via 10.0.2.300: malformed',
      'learned route 10.244.4.0/026 via 10.0.1.12: malformed',
      "learned route 172.30.0.0/16 via 10.0.2.13: next hop is outside this node's subnet (10.0.1.11/24) and the host has no default route to resolve it through",
    ]);
  });
  test('the snapshot part computed once, then each learned set added to it, gives what calculate() gives', () => {
    // The agent keeps calculateFromSnapshot()'s result while the datastore part stands and re-adds only the
    // learned routes on each BGP hand-over: each result must equal a whole calculation, and the kept part
    // must not be changed by it (the next hand-over starts from it again).
    const s = snap(pool('p', '10.244.0.0/16', { ipipMode: 'CrossSubnet' }), pool('v', '10.96.0.0/16', { vxlanMode: 'Always' }),
      node('node-a', '10.0.1.11/24', { ipip: '10.244.0.1', vxlan: '10.96.0.1' }), node('node-b', '10.0.1.12/24', { vxlan: '10.96.1.1' }),
      node('node-c', '10.0.2.13/24'), block('10.244.0.0/26', 'node-a'), block('10.244.1.0/26', 'node-b'), block('10.96.1.0/26', 'node-b'),
      wep('default', 'p1', 'node-a', '10.244.0.5', 'cali1'));
    const ctx: CalcContext = { ...ctxA, bgpEnabled: true, underlayDefaultRoute: { gateway: '10.0.1.1', dev: 'eth0' } };
    const base = calculateFromSnapshot(s, ctx);
    const kept = JSON.stringify([[...base.desired.routes], base.desired.problems]);
    const sets = [
      [],
      [{ prefix: '10.244.1.0/26', nextHop: '10.0.1.12', peer: 'b' }],
      [{ prefix: '10.244.1.0/26', nextHop: '10.0.1.12', peer: 'b' }, { prefix: '10.244.2.0/26', nextHop: '10.0.2.13', peer: 'c' },
        { prefix: '10.244.0.0/26', nextHop: '10.0.1.12', peer: 'b' }, { prefix: '10.96.1.0/26', nextHop: '10.0.1.12', peer: 'b' },
        { prefix: '10.244.0.5/32', nextHop: '10.0.1.12', peer: 'b' }, { prefix: 'bad', nextHop: '10.0.1.12', peer: 'b' }],
    ];
    for (const learnedRoutes of sets) {
      const c = { ...ctx, learnedRoutes };
      const got = withLearnedRoutes(base, c);
      const want = calculate(s, c);
      assert.deepEqual([...got.routes.entries()], [...want.routes.entries()]);
      assert.deepEqual({ ...got, routes: undefined }, { ...want, routes: undefined });
      assert.equal(JSON.stringify([[...base.desired.routes], base.desired.problems]), kept);
    }
    assert.ok(withLearnedRoutes(base, { ...ctx, learnedRoutes: sets[2] }).routes.size > base.desired.routes.size);
    const off = calculateFromSnapshot(s, ctxA); // BGP off: learned routes are not read, the snapshot part is the whole
    assert.equal(withLearnedRoutes(off, { ...ctxA, learnedRoutes: sets[2]! }), off.desired);
  });
  test('no-encap pools without BGP: direct route only to a same-subnet node', () => {
    const s = snap(pool('p', '10.244.0.0/16'), node('node-a', '10.0.1.11/24'), node('node-b', '10.0.1.12/24'), node('node-c', '10.0.2.13/24'),
      block('10.244.1.0/26', 'node-b'), block('10.244.2.0/26', 'node-c'));
    assert.deepEqual(routeLines(s), ['10.244.1.0/26 via 10.0.1.12 dev eth0 proto 80 onlink']);
  });
});

describe('other rules', () => {
  test('NAT sets: masquerade pools with natOutgoing, exclude every pool', () => {
    const d = calculate(snap(pool('a', '10.244.0.0/16', { natOutgoing: true }), pool('b', '10.99.0.0/16'), pool('c', '10.98.0.0/16', { natOutgoing: true, disabled: true })), ctxA);
    assert.deepEqual(d.nat, { masqPools: ['10.244.0.0/16', '10.98.0.0/16'], allPools: ['10.244.0.0/16', '10.98.0.0/16', '10.99.0.0/16'] });
  });
  test('a /32 block gets no blackhole; unaffine and soft-deleted blocks are ignored', () => {
    const s = snap(pool('p', '10.244.0.0/16'), node('node-a', '10.0.1.11/24'), block('10.244.0.7/32', 'node-a'), block('10.244.5.0/26'), block('10.244.6.0/26', 'node-a', { deleted: true }));
    assert.deepEqual(routeLines(s), []);
  });
  test('a borrowed address (remote workload in a block affine to another node) gets a /32 to its node', () => {
    const s = snap(pool('p', '10.244.0.0/16', { vxlanMode: 'Always' }),
      node('node-a', '10.0.1.11/24', { vxlan: '10.244.0.0' }), node('node-b', '10.0.1.12/24', { vxlan: '10.244.1.0' }), node('node-c', '10.0.1.13/24', { vxlan: '10.244.2.0' }),
      block('10.244.0.0/26', 'node-a'), block('10.244.1.0/26', 'node-b'), block('10.244.2.0/26', 'node-c'),
      wep('ns', 'p1', 'node-c', '10.244.1.9', 'cali1'));
    assert.equal(describeRoute(calculate(s, ctxA).routes.get('10.244.1.9/32')!), '10.244.1.9/32 via 10.244.2.0 dev vxlan.calico proto 80 onlink');
  });
  test('bad objects are reported and skipped, the rest is still programmed', () => {
    const bad = pool('bad', 'not-a-cidr');
    const s = snap(bad, pool('p', '10.244.0.0/16'), node('node-a', '10.0.1.11/24'), block('10.244.0.0/26', 'node-a'),
      { ...wep('ns', 'x', 'node-a', '10.244.0.3', 'cali9'), spec: { node: 'node-a' } });
    const d = calculate(s, ctxA);
    assert.equal(d.routes.size, 1);
    assert.equal(d.problems.length, 2);
    assert.match(d.problems.join('\n'), /IPPool\(bad\)/);
    assert.match(d.problems.join('\n'), /interfaceName missing/);
  });
  test('FelixConfiguration default, overridden per node: VXLAN VNI, port and MTU (0 = auto); bad values reported', () => {
    const fc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name, resourceVersion: name }, spec });
    const base = [pool('p', '10.244.0.0/16', { vxlanMode: 'Always' }), node('node-a', '10.0.1.11/24', { vxlan: '10.244.0.0' })];
    let d = calculate(snap(...base, fc('default', { vxlanVNI: 7, vxlanPort: 8472, vxlanMTU: 1400 })), ctxA);
    assert.deepEqual([d.localVtep?.vni, d.localVtep?.port, d.localVtep?.mtu, d.podMtu], [7, 8472, 1400, 1400]);
    d = calculate(snap(...base, fc('default', { vxlanVNI: 7, vxlanMTU: 1400 }), fc('node.node-a', { vxlanMTU: 0, vxlanVNI: 9 })), ctxA);
    assert.deepEqual([d.localVtep?.vni, d.localVtep?.mtu], [9, 1400]);
    d = calculate(snap(...base, fc('default', { vxlanPort: 'x' })), ctxA);
    assert.equal(d.localVtep?.port, 4789);
    assert.match(d.problems.join(), /vxlanPort "x" is not an integer/);
  });
  test('pod MTU: host MTU minus the largest enabled overhead', () => {
    assert.equal(podMtu(1500, false, false), 1500);
    assert.equal(podMtu(1500, true, false), 1450);
    assert.equal(podMtu(1500, false, true), 1480);
    assert.equal(podMtu(9000, true, true), 8950);
  });
});

describe('state sequences', () => {
  // The calculation depends only on the final state, never on the order the datastore delivered it.
  const states: Resource[][] = [
    [pool('p', '10.244.0.0/16', { vxlanMode: 'Always' }), node('node-a', '10.0.1.11/24', { vxlan: '10.244.0.0' })],
    [node('node-b', '10.0.1.12/24', { vxlan: '10.244.1.0' }), block('10.244.0.0/26', 'node-a'), block('10.244.1.0/26', 'node-b')],
    [wep('ns', 'p1', 'node-a', '10.244.0.2', 'calia'), wep('ns', 'p2', 'node-b', '10.244.1.2', 'calib')],
    [block('10.244.2.0/26', 'node-b'), node('node-c', '10.0.2.13/24', { vxlan: '10.244.3.0' }), block('10.244.3.0/26', 'node-c')],
  ];
  const flat = states.flat();
  const fingerprint = (s: Snapshot) => {
    const d = calculate(s, ctxA);
    return JSON.stringify({ r: [...d.routes.values()].map(describeRoute).sort(), v: [...d.vteps.keys()].sort(), l: d.localVtep, n: d.nat, m: d.podMtu });
  };
  const expected = fingerprint(snap(...flat));

  for (const [name, order] of [['forward', flat], ['reversed', [...flat].reverse()], ['interleaved', flat.filter((_, i) => i % 2).concat(flat.filter((_, i) => !(i % 2)))]] as const) {
    test(`applying every update ${name} converges to the same desired state`, () => {
      const s = new Snapshot();
      for (const r of order) s.set(r);
      assert.equal(fingerprint(s), expected);
    });
  }

  test('add then remove returns to the earlier state; removals in any order give the same result', () => {
    const s = snap(...states[0]!, ...states[1]!);
    const before = fingerprint(s);
    for (const r of [...states[2]!, ...states[3]!]) s.set(r);
    assert.notEqual(fingerprint(s), before);
    for (const r of [...states[3]!].reverse().concat(states[2]!)) s.delete(r);
    assert.equal(fingerprint(s), before);
  });

  test('each intermediate state yields routes only for what exists (no dangling VXLAN routes)', () => {
    const s = new Snapshot();
    for (const st of states) {
      for (const r of st) s.set(r);
      const d = calculate(s, ctxA);
      for (const r of d.routes.values()) {
        if (r.class !== 'vxlan' || !r.gateway) continue;
        assert.ok([...d.vteps.values()].some((v) => v.tunnelIp === r.gateway), `route ${describeRoute(r)} has its VTEP`);
      }
    }
  });

  test('a modified object replaces the old one (node moves subnet → CrossSubnet decision flips)', () => {
    const base = [pool('p', '10.244.0.0/16', { vxlanMode: 'CrossSubnet' }), node('node-a', '10.0.1.11/24', { vxlan: '10.244.0.0' }), block('10.244.1.0/26', 'node-b')];
    const s = snap(...base, node('node-b', '10.0.1.12/24', { vxlan: '10.244.1.0' }));
    assert.equal(calculate(s, ctxA).routes.get('10.244.1.0/26')!.class, 'direct');
    s.set(node('node-b', '10.0.2.12/24', { vxlan: '10.244.1.0' }));
    assert.equal(calculate(s, ctxA).routes.get('10.244.1.0/26')!.class, 'vxlan');
  });
});

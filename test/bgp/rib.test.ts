import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePaths, exportPath, Rib, type ExportTarget, type Path, type PeerInfo } from '../../src/bgp/rib.ts';
import { Community, type PathAttributes } from '../../src/bgp/codec.ts';
import { peerFilters } from '../../src/bgp/filter.ts';
import { LearnedRoutes } from '../../src/bgp/learned.ts';

const self = { asn: 64512, routerId: '10.0.0.1' };
const peer = (id: string, over: Partial<PeerInfo> = {}): PeerInfo => ({ id, address: id, asn: 64512, routerId: id, ibgp: true, rrClient: false, ...over });
const seq = (...asns: number[]) => [{ type: 2, asns }];
const attrs = (over: PathAttributes = {}): PathAttributes => ({ origin: 0, asPath: [], nextHop: '10.0.0.9', ...over });
const path = (p: PeerInfo | undefined, a: PathAttributes): Path => ({ ...(p ? { source: p } : {}), attrs: a, stale: false, eligible: true });
const target = (info: PeerInfo, over: Partial<ExportTarget> = {}): ExportTarget => ({ info, localAddressV4: '10.0.0.1', keepOriginalNextHop: false, cache: new WeakMap(), ...over });

describe('decision process', () => {
  const a = peer('10.0.0.2'), b = peer('10.0.0.3');
  const ladder: [string, Path, Path][] = [
    ['higher LOCAL_PREF', path(a, attrs({ localPref: 200 })), path(b, attrs({ localPref: 100 }))],
    ['locally originated', path(undefined, attrs()), path(b, attrs())],
    ['shorter AS_PATH', path(a, attrs({ asPath: seq(1) })), path(b, attrs({ asPath: seq(1, 2) }))],
    ['AS_SET counts as one', path(a, attrs({ asPath: [{ type: 1, asns: [1, 2, 3] }] })), path(b, attrs({ asPath: seq(1, 2) }))],
    ['lower ORIGIN', path(a, attrs({ origin: 0 })), path(b, attrs({ origin: 2 }))],
    ['lower MED from the same AS', path(a, attrs({ asPath: seq(7), med: 5 })), path(b, attrs({ asPath: seq(7), med: 10 }))],
    ['eBGP over iBGP', path(peer('10.0.0.5', { ibgp: false, asn: 65000 }), attrs({ asPath: seq(65000) })), path(b, attrs({ asPath: seq(65001) }))],
    ['lower router id', path(a, attrs()), path(b, attrs())],
    ['ORIGINATOR_ID stands in for router id', path(b, attrs({ originatorId: '1.1.1.1' })), path(a, attrs())],
    ['shorter CLUSTER_LIST', path(a, attrs({ originatorId: '1.1.1.1', clusterList: ['2.2.2.2'] })), path(b, attrs({ originatorId: '1.1.1.1', clusterList: ['2.2.2.2', '3.3.3.3'] }))],
    ['fresh over stale', path(b, attrs()), { ...path(a, attrs()), stale: true }],
  ];
  for (const [name, better, worse] of ladder) {
    test(name, () => {
      assert.ok(comparePaths(better, worse) < 0, 'better wins');
      assert.ok(comparePaths(worse, better) > 0, 'symmetric');
    });
  }
  test('MED is not compared between different neighbour ASes', () => {
    assert.ok(comparePaths(path(b, attrs({ asPath: seq(7), med: 50 })), path(a, attrs({ asPath: seq(8), med: 5 }))) > 0, 'falls through to router id: a wins');
  });
});

describe('Rib', () => {
  test('best path changes with announcements and withdrawals', () => {
    const rib = new Rib(self);
    const a = peer('10.0.0.2'), b = peer('10.0.0.3');
    rib.receive(a, '10.1.0.0/16', attrs({ localPref: 100 }));
    assert.deepEqual(rib.takeChanges(), ['10.1.0.0/16']);
    rib.receive(b, '10.1.0.0/16', attrs({ localPref: 300 }));
    assert.deepEqual(rib.takeChanges(), ['10.1.0.0/16']);
    assert.equal(rib.best('10.1.0.0/16')!.source!.id, '10.0.0.3');
    rib.withdraw(b, '10.1.0.0/16');
    rib.takeChanges();
    assert.equal(rib.best('10.1.0.0/16')!.source!.id, '10.0.0.2');
    rib.withdraw(a, '10.1.0.0/16');
    assert.deepEqual(rib.takeChanges(), ['10.1.0.0/16']);
    assert.equal(rib.best('10.1.0.0/16'), undefined);
    assert.equal(rib.loc.size, 0);
  });

  test('loop checks: own AS on eBGP, ORIGINATOR_ID, CLUSTER_LIST', () => {
    const rib = new Rib({ ...self, clusterId: '244.0.0.1' });
    const e = peer('10.0.0.7', { ibgp: false, asn: 65000 });
    rib.receive(e, '10.2.0.0/16', attrs({ asPath: seq(65000, 64512) }));
    rib.receive(peer('10.0.0.2'), '10.3.0.0/16', attrs({ originatorId: '10.0.0.1' }));
    rib.receive(peer('10.0.0.3'), '10.4.0.0/16', attrs({ clusterList: ['244.0.0.1'] }));
    rib.takeChanges();
    assert.equal(rib.loc.size, 0);
    assert.equal(rib.receivedCount('10.0.0.7'), 1);
    assert.equal(rib.acceptedCount('10.0.0.7'), 0);
  });

  test('graceful restart: stale routes kept, refreshed ones kept, the rest swept', () => {
    const rib = new Rib(self);
    const a = peer('10.0.0.2');
    rib.receive(a, '10.1.0.0/16', attrs());
    rib.receive(a, '10.2.0.0/16', attrs());
    rib.takeChanges();
    assert.equal(rib.markStale('10.0.0.2'), 2);
    assert.equal(rib.best('10.1.0.0/16')!.stale, true);
    assert.equal(rib.staleCount('10.0.0.2'), 2);
    rib.receive(a, '10.1.0.0/16', attrs());
    assert.equal(rib.staleCount('10.0.0.2'), 1);
    assert.equal(rib.acceptedCount('10.0.0.2'), 2);
    assert.equal(rib.sweepStale('10.0.0.2'), 1);
    assert.equal(rib.staleCount('10.0.0.2'), 0);
    assert.equal(rib.acceptedCount('10.0.0.2'), 1);
    rib.takeChanges();
    assert.ok(rib.best('10.1.0.0/16'));
    assert.equal(rib.best('10.2.0.0/16'), undefined);
  });
});

describe('Rib: the prefixes of one UPDATE share one path', () => {
  const prefixes = ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'];
  const loaded = () => {
    const rib = new Rib(self);
    const a = peer('10.0.0.2'), shared = attrs();
    for (const p of prefixes) rib.receive(a, p, shared);
    rib.takeChanges();
    return { rib, a };
  };

  test('one Path object for the three routes; a new UPDATE for one prefix gets its own', () => {
    const { rib, a } = loaded();
    assert.equal(rib.best(prefixes[0]!), rib.best(prefixes[2]!));
    rib.receive(a, prefixes[1]!, attrs({ med: 5 }));
    assert.deepEqual(rib.takeChanges(), [prefixes[1]]);
    assert.notEqual(rib.best(prefixes[1]!), rib.best(prefixes[0]!));
    assert.equal(rib.best(prefixes[1]!)!.attrs.med, 5);
    assert.equal(rib.best(prefixes[0]!)!.attrs.med, undefined, 'the others keep theirs');
    assert.equal(rib.receivedCount(a.id), 3);
  });

  test('graceful restart counts every route of a shared path, once', () => {
    const { rib, a } = loaded();
    assert.equal(rib.markStale(a.id), 3);
    assert.equal(rib.staleCount(a.id), 3);
    assert.equal(rib.markStale(a.id), 3);
    assert.equal(rib.staleCount(a.id), 3, 'marking again counts nothing twice');
    rib.receive(a, prefixes[0]!, attrs());
    assert.equal(rib.staleCount(a.id), 2);
    assert.equal(rib.best(prefixes[1]!)!.stale, true, 'the refreshed route does not refresh the others');
    assert.equal(rib.sweepStale(a.id), 2);
    assert.deepEqual([...rib.adjRibIn(a.id).keys()], [prefixes[0]]);
    assert.equal(rib.acceptedCount(a.id), 1);
  });

  test('re-evaluation that rejects one prefix leaves the shared path to the others', () => {
    const { rib, a } = loaded();
    const before = rib.best(prefixes[0]);
    assert.equal(rib.reevaluate(a.id, (prefix) => (prefix === prefixes[1] ? 'rejected by test' : undefined)), 1);
    assert.deepEqual(rib.takeChanges(), [prefixes[1]]);
    assert.equal(rib.best(prefixes[0]!), before);
    assert.equal(rib.best(prefixes[2]!), before);
    assert.equal(rib.adjRibIn(a.id).get(prefixes[1]!)?.rejected, 'rejected by test');
    assert.equal(before!.rejected, undefined);
    assert.equal(rib.acceptedCount(a.id), 2);
    assert.equal(rib.receivedCount(a.id), 3);
    rib.withdraw(a, prefixes[1]!);
    assert.equal(rib.receivedCount(a.id), 2, 'a rejected route can be withdrawn');
    assert.equal(rib.adjRibIn(a.id).size, 2);
  });

  test('re-evaluation decides each route once, even the routes it moves between accepted and rejected', () => {
    const { rib, a } = loaded();
    let calls = 0;
    assert.equal(rib.reevaluate(a.id, () => { calls++; return 'rejected by test'; }), 3);
    assert.equal(calls, 3);
    calls = 0;
    assert.equal(rib.reevaluate(a.id, () => { calls++; return 'rejected by another rule'; }), 0, 'still rejected: no eligibility change');
    assert.equal(calls, 3);
    assert.equal(rib.adjRibIn(a.id).get(prefixes[2]!)?.rejected, 'rejected by another rule', 'the reason is kept up to date');
    calls = 0;
    assert.equal(rib.reevaluate(a.id, () => { calls++; return undefined; }), 3);
    assert.equal(calls, 3);
    assert.equal(rib.acceptedCount(a.id), 3);
    assert.equal(rib.loc.size, 3);
  });

  test('dropping one peer leaves another peer\'s paths for the same prefixes as best', () => {
    const { rib, a } = loaded();
    const b = peer('10.0.0.3');
    const fromB = attrs({ localPref: 50 });
    for (const p of prefixes) rib.receive(b, p, fromB);
    rib.receive(b, '10.9.0.0/16', fromB);
    rib.takeChanges();
    assert.equal(rib.best(prefixes[0]!)!.source, a, 'LOCAL_PREF 100 beats 50');
    rib.dropPeer(a.id);
    assert.deepEqual(rib.takeChanges(), prefixes);
    for (const p of prefixes) assert.equal(rib.best(p)!.source, b);
    assert.equal(rib.loc.size, 4);
    assert.equal(rib.receivedCount(a.id), 0);
    assert.equal(rib.receivedCount(b.id), 4);
  });
});

describe('export rules', () => {
  const client = peer('10.0.0.2', { rrClient: true }), nonClient = peer('10.0.0.3'), other = peer('10.0.0.4');
  const ebgp = peer('10.0.0.9', { ibgp: false, asn: 65000 });

  test('local route to iBGP: next hop self, LOCAL_PREF 100, empty AS path', () => {
    const out = exportPath(self, target(other), '10.1.0.0/16', path(undefined, { origin: 0, asPath: [] }))!;
    assert.equal(out.nextHop, '10.0.0.1');
    assert.equal(out.localPref, 100);
    assert.deepEqual(out.asPath, []);
  });

  test('iBGP split horizon without route reflection', () => {
    assert.equal(exportPath(self, target(other), '10.1.0.0/16', path(nonClient, attrs())), null);
  });

  test('route reflector: client → everyone with ORIGINATOR_ID/CLUSTER_LIST; non-client → clients only', () => {
    const rr = { ...self, clusterId: '244.0.0.1' };
    const out = exportPath(rr, target(other), '10.1.0.0/16', path(client, attrs({ nextHop: '10.0.0.2' })))!;
    assert.equal(out.originatorId, '10.0.0.2');
    assert.deepEqual(out.clusterList, ['244.0.0.1']);
    assert.equal(out.nextHop, '10.0.0.2', 'reflection keeps the next hop');
    assert.equal(exportPath(rr, target(other), '10.1.0.0/16', path(nonClient, attrs())), null);
    assert.ok(exportPath(rr, target(client), '10.1.0.0/16', path(nonClient, attrs())));
    assert.equal(exportPath(rr, target(client), '10.1.0.0/16', path(client, attrs())), null, 'never back to the source');
  });

  test('eBGP: prepend our AS, next hop self, no LOCAL_PREF, MED not passed on', () => {
    const out = exportPath(self, target(ebgp), '10.1.0.0/16', path(other, attrs({ asPath: seq(65100), localPref: 300, med: 7 })))!;
    assert.deepEqual(out.asPath, [{ type: 2, asns: [64512, 65100] }]);
    assert.equal(out.nextHop, '10.0.0.1');
    assert.equal(out.localPref, undefined);
    assert.equal(out.med, undefined);
    const keep = exportPath(self, target(ebgp, { keepOriginalNextHop: true }), '10.1.0.0/16', path(other, attrs({ nextHop: '10.0.0.4' })))!;
    assert.equal(keep.nextHop, '10.0.0.4');
  });

  test('well-known communities', () => {
    assert.equal(exportPath(self, target(ebgp), '10.1.0.0/16', path(undefined, attrs({ communities: [Community.NO_EXPORT] }))), null);
    assert.ok(exportPath(self, target(other), '10.1.0.0/16', path(undefined, attrs({ communities: [Community.NO_EXPORT] }))));
    assert.equal(exportPath(self, target(other), '10.1.0.0/16', path(undefined, attrs({ communities: [Community.NO_ADVERTISE] }))), null);
    const out = exportPath(self, target(ebgp), '10.1.0.0/16', path(undefined, attrs({ communities: [(65000 << 16) + 5] })))!;
    assert.deepEqual(out.communities, [(65000 << 16) + 5]);
  });
});

describe('allow local as (BGPPeer numAllowedLocalASNumbers → BIRD `allow local as N`)', () => {
  const rib = new Rib(self);
  const ebgp = (allowLocalAs?: number) => peer('10.0.0.7', { ibgp: false, asn: 65000, ...(allowLocalAs ? { allowLocalAs } : {}) });
  test('our AS in the path: rejected by default, accepted up to N times', () => {
    assert.match(rib.importCheck(ebgp(), attrs({ asPath: seq(65000, 64512) }))!, /AS path contains our AS 64512/);
    assert.equal(rib.importCheck(ebgp(1), attrs({ asPath: seq(65000, 64512) })), undefined);
    assert.match(rib.importCheck(ebgp(1), attrs({ asPath: seq(65000, 64512, 64512) }))!, /64512 2 times \(at most 1 allowed\)/);
    assert.equal(rib.importCheck(ebgp(2), attrs({ asPath: [...seq(65000, 64512), { type: 1, asns: [64512] }] })), undefined, 'sets count too');
  });
});

describe('BGPFilter in the RIB', () => {
  test('export rules act after the protocol rules, per prefix, and never override them', () => {
    const ebgp = peer('10.0.0.7', { ibgp: false, asn: 65000 });
    const rules = peerFilters(['f'], [{ apiVersion: 'projectcalico.org/v3', kind: 'BGPFilter', metadata: { name: 'f' }, spec: {
      exportV4: [{ cidr: '10.1.0.0/16', matchOperator: 'Equal', action: 'Reject' }, { action: 'Accept' }],
    } }], 'BGPPeer p', [])!.export;
    const to = target(ebgp, { exportRules: rules });
    const shared = attrs();
    assert.equal(exportPath(self, to, '10.1.0.0/16', path(undefined, shared)), null);
    assert.ok(exportPath(self, to, '10.2.0.0/16', path(undefined, shared)), 'same attributes, other prefix: advertised');
    assert.equal(exportPath(self, to, '10.2.0.0/16', path(undefined, attrs({ communities: [Community.NO_EXPORT] }))), null, 'Accept does not beat NO_EXPORT');
  });

  test('reevaluate re-decides kept paths, keeping counts and the Loc-RIB right', () => {
    const rib = new Rib(self);
    const p = peer('10.0.0.2');
    rib.receive(p, '10.1.0.0/16', attrs());
    rib.receive(p, '10.2.0.0/16', attrs());
    rib.takeChanges();
    assert.equal(rib.reevaluate(p.id, (prefix) => (prefix === '10.1.0.0/16' ? 'rejected by test' : undefined)), 1);
    assert.deepEqual(rib.takeChanges(), ['10.1.0.0/16']);
    assert.equal(rib.best('10.1.0.0/16'), undefined);
    assert.equal(rib.acceptedCount(p.id), 1);
    assert.equal(rib.receivedCount(p.id), 2);
    assert.equal(rib.reevaluate(p.id, () => undefined), 1);
    assert.ok(rib.best('10.1.0.0/16'));
    assert.equal(rib.acceptedCount(p.id), 2);
  });
});

describe('Calico\'s default export (calico_export_to_bgp_peers): learned routes only inside the IP pools', () => {
  const ebgp = peer('10.0.0.7', { ibgp: false, asn: 65000 });
  const tor = peer('10.0.0.8', { ibgp: false, asn: 65001 });
  const pools = [{ family: 4 as const, ip: 0x0af40000n, prefix: 16 }]; // 10.244.0.0/16
  const learned = path(tor, attrs({ asPath: seq(65001) }));
  test('a learned route outside the pools is not passed on (no transit); inside, it is; our own routes always are', () => {
    const to = target(ebgp, { exportPools: pools });
    assert.equal(exportPath(self, to, '0.0.0.0/0', learned), null);
    assert.ok(exportPath(self, to, '10.244.3.0/26', learned));
    assert.ok(exportPath(self, to, '192.168.0.0/24', path(undefined, attrs())));
    assert.ok(exportPath(self, target(ebgp), '0.0.0.0/0', learned), 'no pools given: everything (the standalone speaker)');
  });
  test('an export Accept rule passes a route the default would hold back; Reject holds back one it would pass', () => {
    const exportRules = peerFilters(['f'], [{ apiVersion: 'projectcalico.org/v3', kind: 'BGPFilter', metadata: { name: 'f' }, spec: {
      exportV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Accept' }, { cidr: '10.244.3.0/26', matchOperator: 'Equal', action: 'Reject' }],
    } }], 'BGPPeer p', [])!.export;
    const to = target(ebgp, { exportPools: pools, exportRules });
    assert.ok(exportPath(self, to, '0.0.0.0/0', learned));
    assert.equal(exportPath(self, to, '10.244.3.0/26', learned), null);
    assert.ok(exportPath(self, to, '10.244.4.0/26', learned));
  });
});

describe('LearnedRoutes: the hand-over to the agent is a view of the Loc-RIB', () => {
  test('lists best learned routes (not local ones); read when iterated; size as of the hand-over', () => {
    const rib = new Rib(self);
    const a = peer('10.0.0.2');
    rib.receive(a, '10.1.0.0/16', attrs({ nextHop: '10.0.0.2' }));
    rib.originate('10.9.0.0/26');
    rib.takeChanges();
    const handed = new LearnedRoutes(rib);
    assert.equal(handed.size, 1);
    assert.deepEqual(handed.toArray(), [{ prefix: '10.1.0.0/16', nextHop: '10.0.0.2', peer: '10.0.0.2' }]);
    rib.receive(a, '10.2.0.0/16', attrs({ nextHop: '10.0.0.2' }));
    rib.takeChanges();
    assert.deepEqual([...handed].map((r) => r.prefix), ['10.1.0.0/16', '10.2.0.0/16'], 'no copy: a later read sees the later table');
    assert.equal(handed.size, 1);
  });
});

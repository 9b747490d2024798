// IPAM leak collection (kube-controllers' allocation GC): the pure decision over allocations, endpoints, ADDs in
// flight and the clock; then the collector and the compare-and-swap release on the in-memory datastore.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, type Resource } from '../../src/api/resource.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { createIpam, checkIpam, loadSnapshot } from '../../src/ipam/index.ts';
import { allocationId, decideLeaks, LeakCollector, type LeakAllocation, type LeakInput } from '../../src/ipam/leak-gc.ts';
import { releaseAllocations } from '../../src/ipam/release.ts';

const MIN = 60_000;
const alloc = (ip: string, handle: string, extra: Partial<LeakAllocation> = {}): LeakAllocation =>
  ({ ip, handle, block: '10.9.0.0/26', seq: 1, node: 'node-a', attrs: { node: 'node-a', namespace: 'default', pod: `pod-${ip}` }, ...extra });

function input(over: Partial<LeakInput>): LeakInput {
  return {
    allocations: [], usedIPs: new Set(), endpointKeys: new Set(), inFlight: new Set(), node: 'node-a',
    now: 0, gracePeriodMs: 15 * MIN, since: new Map(), ...over,
  };
}

/** Runs decideLeaks at each time in `times`, carrying the candidates over; returns the last decision. */
function syncs(base: Partial<LeakInput>, times: number[]) {
  let since: ReadonlyMap<string, number> = new Map();
  let d = decideLeaks(input({ ...base, since }));
  for (const now of times) {
    d = decideLeaks(input({ ...base, now, since }));
    since = d.candidates;
  }
  return d;
}

describe('decideLeaks (pure)', () => {
  test('an allocation nothing uses is a candidate from its first sighting and released only after the grace period', () => {
    const leak = alloc('10.9.0.5', 'k8s-pod-network.c1');
    const first = decideLeaks(input({ allocations: [leak], now: 1_000 }));
    assert.deepEqual([...first.candidates], [[allocationId(leak), 1_000]]);
    assert.deepEqual(first.release, []);
    assert.deepEqual(syncs({ allocations: [leak] }, [1_000, 1_000 + 15 * MIN]).release, [], 'exactly the grace period: kept');
    assert.deepEqual(syncs({ allocations: [leak] }, [1_000, 1_001 + 15 * MIN]).release, [leak]);
  });

  test('in use by an endpoint, by a tunnel, by a live sandbox or an ADD in flight: never a candidate', () => {
    const byIp = alloc('10.9.0.1', 'net.c1');
    const byHandle = alloc('10.9.0.2', 'k8s-pod-network.c2');
    const legacy = alloc('10.9.0.3', 'ns1.pod-x');
    const inFlight = alloc('10.9.0.4', 'k8s-pod-network.c4');
    const tunnel = alloc('10.9.0.6', 'vxlan-tunnel-addr-node-a', { attrs: { node: 'node-a', type: 'vxlanTunnelAddress' } });
    const d = syncs({
      allocations: [byIp, byHandle, legacy, inFlight, tunnel], usedIPs: new Set(['10.9.0.1']),
      endpointKeys: new Set(['c2', 'ns1.pod-x']), inFlight: new Set(['c4']),
    }, [0, 16 * MIN, 32 * MIN]);
    assert.equal(d.candidates.size, 0);
    assert.deepEqual(d.release, []);
  });

  test('an allocation without pod attributes (made by hand, or by something else) is never a candidate, as in kube-controllers', () => {
    const byHand = alloc('10.9.0.20', 'my-reservation', { attrs: { node: 'node-a' } });
    const half = alloc('10.9.0.21', 'net.c21', { attrs: { node: 'node-a', namespace: 'default' } });
    const d = syncs({ allocations: [byHand, half] }, [0, 20 * MIN, 40 * MIN]);
    assert.deepEqual([d.candidates.size, d.release], [0, []]);
  });

  test('network names and container IDs with dots still match their endpoint', () => {
    const a = alloc('10.9.0.7', 'my.net.abc.def');
    assert.equal(syncs({ allocations: [a], endpointKeys: new Set(['abc.def']) }, [0, 20 * MIN]).candidates.size, 0);
    assert.equal(syncs({ allocations: [a], endpointKeys: new Set(['def']) }, [0, 20 * MIN]).candidates.size, 0);
    assert.equal(syncs({ allocations: [a], endpointKeys: new Set(['bc.def']) }, [0, 20 * MIN]).release.length, 1, 'a suffix that is not a whole segment does not count');
  });

  test('a candidate seen in use again forgets its time (a later leak starts the grace period again)', () => {
    const a = alloc('10.9.0.8', 'net.c8');
    let d = decideLeaks(input({ allocations: [a], now: 0 }));
    d = decideLeaks(input({ allocations: [a], now: 10 * MIN, since: d.candidates, inFlight: new Set(['c8']) }));
    assert.equal(d.candidates.size, 0);
    d = decideLeaks(input({ allocations: [a], now: 12 * MIN, since: d.candidates }));
    d = decideLeaks(input({ allocations: [a], now: 20 * MIN, since: d.candidates }));
    assert.deepEqual(d.release, [], '8 minutes since it was last seen a candidate');
    d = decideLeaks(input({ allocations: [a], now: 28 * MIN, since: d.candidates }));
    assert.deepEqual(d.release, [a]);
  });

  test('an address released and allocated again (new sequence number) is a new allocation', () => {
    const old = alloc('10.9.0.9', 'net.c9', { seq: 3 });
    const again = { ...old, seq: 7 };
    const d1 = decideLeaks(input({ allocations: [old], now: 0 }));
    const d2 = decideLeaks(input({ allocations: [again], now: 20 * MIN, since: d1.candidates }));
    assert.deepEqual(d2.release, []);
    assert.deepEqual([...d2.candidates.values()], [20 * MIN]);
  });

  test('all or none per handle: one live address keeps the whole handle', () => {
    const a = alloc('10.9.0.10', 'net.c10'), b = alloc('10.9.0.11', 'net.c10');
    const d = syncs({ allocations: [a, b], usedIPs: new Set(['10.9.0.11']) }, [0, 20 * MIN]);
    assert.deepEqual(d.release, []);
    assert.equal(d.heldByHandle, 1);
    assert.deepEqual(syncs({ allocations: [a, b] }, [0, 20 * MIN]).release, [a, b]);
  });

  test('only the given node\'s allocations; every node\'s without one', () => {
    const mine = alloc('10.9.0.12', 'net.a'), theirs = alloc('10.9.0.13', 'net.b', { node: 'node-b' });
    assert.deepEqual(syncs({ allocations: [mine, theirs] }, [0, 20 * MIN]).release, [mine]);
    assert.deepEqual(syncs({ allocations: [mine, theirs], node: undefined }, [0, 20 * MIN]).release, [mine, theirs]);
  });

  test('a grace period of 0 counts candidates and releases nothing (GC disabled, as in Calico)', () => {
    const d = syncs({ allocations: [alloc('10.9.0.14', 'net.c14')], gracePeriodMs: 0 }, [0, 100 * MIN]);
    assert.equal(d.candidates.size, 1);
    assert.deepEqual(d.release, []);
  });
});

describe('LeakCollector and releaseAllocations (in-memory datastore)', () => {
  async function setup() {
    const ds = new MemoryDatastore();
    await ds.create({ apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.9.0.0/16', blockSize: 26, nodeSelector: 'all()' } });
    const ipam = createIpam(ds);
    const assign = async (handle: string) => (await ipam.autoAssign({ handleId: handle, node: 'node-a', num4: 1, attrs: { node: 'node-a', namespace: 'default', pod: handle } })).ips[0]!.split('/')[0]!;
    return { ds, ipam, assign };
  }
  const wep = (name: string, containerID: string, ip: string): Resource => ({
    apiVersion: API_VERSION, kind: 'WorkloadEndpoint', metadata: { name, namespace: 'default' },
    spec: { orchestrator: 'k8s', node: 'node-a', pod: name, containerID, endpoint: 'eth0', ipNetworks: [`${ip}/32`], profiles: [], interfaceName: 'cali1' },
  });

  test('releases the leak after the grace period, keeps the live and in-flight ones; ipam check is clean after', async () => {
    const { ds, assign } = await setup();
    const leaked = await assign('k8s-pod-network.dead');
    const live = await assign('k8s-pod-network.live');
    await ds.create(wep('live', 'live', live));
    const adding = await assign('k8s-pod-network.adding');
    let now = 0;
    const inFlight = new Set(['adding']);
    const gc = new LeakCollector(ds, { node: 'node-a', gracePeriodMs: 15 * MIN, now: () => now, inFlight: () => inFlight });
    assert.deepEqual((await gc.sync()).candidates, 1);
    now = 15 * MIN + 1;
    const r = await gc.sync();
    assert.deepEqual(r.released, [{ ip: leaked, handle: 'k8s-pod-network.dead' }]);
    const report = checkIpam(await loadSnapshot(ds));
    assert.deepEqual(report.allocatedNotInUse.map((a) => a.ip), [adding], 'only the in-flight ADD\'s address is unused, and it is kept');
    assert.equal(report.orphanedHandles.length + report.handleCountMismatches.length + report.missingHandles.length, 0);
    assert.equal(await ds.get('IPAMHandle', 'k8s-pod-network.dead'), undefined, 'the emptied handle is gone');
  });

  test('an endpoint written between the scan and the release saves the address (confirmation)', async () => {
    const { ds, assign } = await setup();
    const ip = await assign('k8s-pod-network.late');
    let now = 0;
    let onRead: (() => Promise<void>) | undefined;
    const gc = new LeakCollector(ds, {
      node: 'node-a', gracePeriodMs: MIN, now: () => now,
      inFlight: () => { const f = onRead; onRead = undefined; void f?.(); return new Set(); },
    });
    await gc.sync();
    now = 2 * MIN;
    onRead = () => ds.create(wep('late', 'late', ip)).then(() => {}); // runs during the scan's in-flight read
    const r = await gc.sync();
    assert.deepEqual(r.released, []);
    assert.equal(checkIpam(await loadSnapshot(ds)).allocatedNotInUse.length, 0);
  });

  test('releaseAllocations frees nothing that was re-allocated since it was read', async () => {
    const { ds, ipam, assign } = await setup();
    const ip = await assign('net.one');
    const snap = await loadSnapshot(ds);
    const b = snap.blocks[0]!;
    const ord = b.allocations.findIndex((x) => x !== null && b.attributes[x]!.handle_id === 'net.one');
    const read = { ip, handle: 'net.one', block: b.cidr, seq: b.sequenceNumberForAllocation[String(ord)]! };
    await ipam.releaseByHandle('net.one');
    await ipam.assignIP(ip, 'net.one', 'node-a'); // same address, same handle, new allocation
    assert.deepEqual(await releaseAllocations(ds, [read]), []);
    assert.deepEqual(await ipam.ipsByHandle('net.one'), [`${ip}/26`]);
  });
});

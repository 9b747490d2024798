// The allocator on the real datastore backends (embedded SQLite file, etcd), in one process with one
// connection per node: nodes racing for a pool that ends up exactly full, and a full pool's error and rollback.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatastore, resolveDatastoreConfig } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import { checkIpam, createIpam, IpamError, ipamStats, loadSnapshot, usageRows } from '../../src/ipam/index.ts';
import { LeakCollector } from '../../src/ipam/leak-gc.ts';
import { embeddedBackend, etcdBackend, etcdSkipReason, stopPrivateEtcd, type Backend } from './fixtures.ts';

async function open(b: Backend): Promise<Datastore> {
  return openDatastore(resolveDatastoreConfig({ env: b.env }));
}

async function racingNodesFillPool(b: Backend): Promise<void> {
  const admin = await open(b);
  const conns: Datastore[] = [];
  try {
    // 16 addresses in four /30 blocks; four nodes want 4 each at once, one address per request
    await admin.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'tiny' }, spec: { cidr: '10.77.0.0/28', blockSize: 30 } });
    const nodes = ['n0', 'n1', 'n2', 'n3'];
    for (let i = 0; i < nodes.length; i++) conns.push(await open(b));
    const before = ipamStats.casConflicts;
    const results = await Promise.all(nodes.flatMap((n, i) =>
      Array.from({ length: 4 }, (_, j) => createIpam(conns[i]!).autoAssign({ handleId: `net.${n}-${j}`, node: n, num4: 1 }))));
    const ips = results.flatMap((r) => r.ips);
    assert.equal(ips.length, 16);
    assert.equal(new Set(ips).size, 16, 'an address was handed out twice');
    assert.ok(ipamStats.casConflicts > before, 'the race should have produced compare-and-swap conflicts');
    const snap = await loadSnapshot(admin);
    assert.equal(snap.blocks.length, 4);
    const r = checkIpam(snap);
    assert.equal(r.missingHandles.length + r.orphanedHandles.length + r.handleCountMismatches.length + r.invalidBlocks.length, 0);
    // the pool is full: a clear error naming the pool and the request, and nothing left behind
    await assert.rejects(createIpam(admin).autoAssign({ handleId: 'net.extra', node: 'n0', num4: 2 }), (e: unknown) =>
      e instanceof IpamError && e.code === 'PoolsExhausted' && /failed to request 2 IPv4 addresses for node n0: only 0 free in pools tiny \(10\.77\.0\.0\/28\)/.test(e.message));
    assert.equal(await admin.get('IPAMHandle', 'net.extra'), undefined);
    // release everything through the other connections
    await Promise.all(nodes.flatMap((n, i) => Array.from({ length: 4 }, (_, j) => createIpam(conns[i]!).releaseByHandle(`net.${n}-${j}`))));
    const after = await loadSnapshot(admin);
    assert.equal(usageRows(after, false)[0]!.inUse, 0);
    assert.equal(after.handles.length, 0);
  } finally {
    for (const c of conns) await c.close();
    await admin.close();
  }
}

async function partialRequestRollsBack(b: Backend): Promise<void> {
  const ds = await open(b);
  try {
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'small' }, spec: { cidr: '10.78.0.0/29', blockSize: 29 } });
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'net.keep', node: 'n1', num4: 3 });
    await assert.rejects(ipam.autoAssign({ handleId: 'net.keep', node: 'n1', num4: 6 }), /failed to request 6 IPv4 addresses for node n1: only 5 free in pools small \(10\.78\.0\.0\/29\); nothing was allocated/);
    assert.equal((await ipam.ipsByHandle('net.keep')).length, 3, 'earlier addresses of the same handle are kept');
    const snap = await loadSnapshot(ds);
    assert.equal(usageRows(snap, false)[0]!.inUse, 3);
    assert.equal(checkIpam(snap).handleCountMismatches.length, 0);
  } finally {
    await ds.close();
  }
}

/** The leak collector on a real backend: a leak released after the grace period while another connection
 *  writes the endpoint of a pod allocated at the same time (kept), and the compare-and-swap on the sequence number. */
async function leakCollectorOnBackend(b: Backend): Promise<void> {
  const ds = await open(b), other = await open(b);
  try {
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'gc' }, spec: { cidr: '10.79.0.0/26', blockSize: 28 } });
    const assign = async (handleId: string) => (await createIpam(ds).autoAssign({ handleId, node: 'n1', num4: 1, attrs: { namespace: 'default', pod: handleId } })).ips[0]!.split('/')[0]!;
    const leaked = await assign('net.dead'), live = await assign('net.live');
    let now = 0;
    const gc = new LeakCollector(ds, { node: 'n1', gracePeriodMs: 1_000, now: () => now, inFlight: () => new Set() });
    assert.equal((await gc.sync()).candidates, 2);
    await other.create({ apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'n1-k8s-live-eth0', namespace: 'default' },
      spec: { orchestrator: 'k8s', node: 'n1', pod: 'live', containerID: 'live', endpoint: 'eth0', ipNetworks: [`${live}/32`], profiles: [], interfaceName: 'cali0' } });
    now = 1_001;
    assert.deepEqual((await gc.sync()).released, [{ ip: leaked, handle: 'net.dead' }]);
    const r = checkIpam(await loadSnapshot(ds));
    assert.deepEqual([r.allocatedNotInUse.length, r.orphanedHandles.length, r.handleCountMismatches.length], [0, 0, 0]);
  } finally {
    await other.close();
    await ds.close();
  }
}

for (const [name, make, skip] of [
  ['embedded', async () => embeddedBackend(), undefined],
  ['etcd', etcdBackend, etcdSkipReason()],
] as const) {
  describe(`allocator on the ${name} datastore`, { skip }, () => {
    after(stopPrivateEtcd);
    const onFreshBackend = (body: (b: Backend) => Promise<void>) => async () => {
      const b = await make();
      try { await body(b); } finally { await b.cleanup(); }
    };
    test('nodes racing for a small pool fill it exactly, with no address twice', { timeout: 60_000 }, onFreshBackend(racingNodesFillPool));
    test('a request the pools cannot satisfy is rolled back', { timeout: 60_000 }, onFreshBackend(partialRequestRollsBack));
    test('the leak collector releases a leak and keeps a pod whose endpoint another connection wrote', { timeout: 60_000 }, onFreshBackend(leakCollectorOnBackend));
  });
}

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { DatastoreError, type Datastore } from '../../src/datastore/types.ts';
import type { Resource } from '../../src/api/resource.ts';
import {
  createIpam, IpamError, loadSnapshot, checkIpam, blockOrder, poolFromResource, ip4, type IPAMBlockSpec,
  type IPAMHandleSpec, type BlockAffinitySpec,
} from '../../src/ipam/index.ts';

function pool(name: string, cidr: string, extra: Record<string, unknown> = {}): Resource {
  return { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name }, spec: { cidr, ...extra } };
}
function node(name: string, labels: Record<string, string> = {}): Resource {
  return { apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name, labels }, spec: {} };
}
async function setup(pools: Resource[], nodes: Resource[] = []): Promise<MemoryDatastore> {
  const ds = new MemoryDatastore();
  for (const p of pools) await ds.create(p);
  for (const n of nodes) await ds.create(n);
  return ds;
}
async function blocks(ds: Datastore): Promise<IPAMBlockSpec[]> {
  return (await ds.list('IPAMBlock')).items.map((b) => b.spec as IPAMBlockSpec);
}
function blockOf(ip: string, size = 26): string {
  const c = ip4.blockFor(ip4.parseIPv4(ip.split('/')[0]!), size);
  return ip4.formatCidr4(c);
}

describe('block affinity', () => {
  test('a node claims a block (affinity confirmed) and the first address is the block .0', async () => {
    const ds = await setup([pool('p', '10.0.0.0/16')], [node('n1')]);
    const ipam = createIpam(ds);
    const { ips } = await ipam.autoAssign({ handleId: 'net.c1', node: 'n1', num4: 1 });
    assert.equal(ips.length, 1);
    const bs = await blocks(ds);
    assert.equal(ips[0], bs[0]!.cidr, 'the block base address, with the block prefix');
    assert.equal(bs.length, 1);
    assert.equal(bs[0]!.affinity, 'host:n1');
    assert.equal(bs[0]!.cidr, blockOf(ips[0]!));
    const affs = (await ds.list('BlockAffinity')).items;
    assert.equal(affs.length, 1);
    assert.equal(affs[0]!.metadata.name, `n1-${bs[0]!.cidr.replace(/[./]/g, '-')}`);
    assert.deepEqual(affs[0]!.spec, { state: 'confirmed', node: 'n1', cidr: bs[0]!.cidr, type: 'host', deleted: 'false' });
    const h = await ds.get('IPAMHandle', 'net.c1');
    assert.deepEqual((h!.spec as IPAMHandleSpec).block, { [bs[0]!.cidr]: 1 });
    assert.equal(bs[0]!.attributes[0]!.handle_id, 'net.c1');
    assert.equal(bs[0]!.attributes[0]!.secondary!.node, 'n1');
  });

  test('block order: stable for one node, differs between nodes, covers every block once', () => {
    const p = poolFromResource(pool('p', '10.0.0.0/20'));
    const a1 = [...blockOrder(p, 'node-a')].map(ip4.formatCidr4);
    const a2 = [...blockOrder(p, 'node-a')].map(ip4.formatCidr4);
    const b = [...blockOrder(p, 'node-b')].map(ip4.formatCidr4);
    assert.deepEqual(a1, a2);
    assert.notDeepEqual(a1, b);
    assert.equal(new Set(a1).size, 64);
    assert.equal(a1.length, 64);
  });

  test('fills its own blocks first, then claims another; nodes get different blocks', async () => {
    const ds = await setup([pool('p', '10.0.0.0/16')], [node('n1'), node('n2')]);
    const ipam = createIpam(ds);
    const a = await ipam.autoAssign({ handleId: 'h1', node: 'n1', num4: 64 });
    assert.equal(new Set(a.ips.map((i) => blockOf(i))).size, 1, 'one full block');
    const b = await ipam.autoAssign({ handleId: 'h2', node: 'n1', num4: 10 });
    const second = blockOf(b.ips[0]!);
    assert.notEqual(second, blockOf(a.ips[0]!));
    const c = await ipam.autoAssign({ handleId: 'h3', node: 'n2', num4: 5 });
    const bs = await blocks(ds);
    const owner = new Map(bs.map((x) => [x.cidr, x.affinity]));
    for (const ip of c.ips) assert.equal(owner.get(blockOf(ip)), 'host:n2');
    // the partly used block is filled before any new claim
    await ipam.autoAssign({ handleId: 'h4', node: 'n1', num4: 54 });
    assert.equal((await blocks(ds)).filter((x) => x.affinity === 'host:n1').length, 2);
  });

  test('borrows from another node\'s block when the pool has no free block (strictAffinity off)', async () => {
    // /28 pool, /30 blocks: 4 blocks of 4 addresses
    const ds = await setup([pool('p', '10.9.0.0/28', { blockSize: 30 })], [node('n1'), node('n2')]);
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'h1', node: 'n1', num4: 2 }); // n1 claims one block, 2 used
    const big = await ipam.autoAssign({ handleId: 'h2', node: 'n2', num4: 14 }); // n2 claims 3 blocks (12) + borrows 2
    assert.equal(big.ips.length, 14);
    const bs = await blocks(ds);
    const n1Block = bs.find((b) => b.affinity === 'host:n1')!;
    const borrowed = big.ips.filter((ip) => blockOf(ip, 30) === n1Block.cidr);
    assert.equal(borrowed.length, 2);
    const snap = await loadSnapshot(ds);
    const { borrowedRows, ipamMetrics } = await import('../../src/ipam/report.ts');
    assert.deepEqual(borrowedRows(snap).map((r) => [r.borrowingNode, r.blockOwner]), [['n2', 'n1'], ['n2', 'n1']]);
    const m = ipamMetrics(snap);
    assert.deepEqual(m.poolSize, { p: 16 });
    assert.deepEqual(m.inUse, [{ pool: 'p', node: 'n1', count: 2 }, { pool: 'p', node: 'n2', count: 14 }]);
    assert.deepEqual(m.borrowed, [{ pool: 'p', node: 'n2', count: 2 }]);
    assert.deepEqual(m.blocks, [{ pool: 'p', node: 'n1', count: 1 }, { pool: 'p', node: 'n2', count: 3 }]);
    // pool now full
    await assert.rejects(ipam.autoAssign({ handleId: 'h3', node: 'n1', num4: 1 }), (e: unknown) => e instanceof IpamError && e.code === 'PoolsExhausted');
  });

  test('strictAffinity on: no borrowing, a clear error', async () => {
    const ds = await setup([pool('p', '10.9.0.0/28', { blockSize: 30 })], [node('n1'), node('n2')]);
    const ipam = createIpam(ds);
    await ipam.setConfig({ strictAffinity: true });
    await ipam.autoAssign({ handleId: 'h1', node: 'n1', num4: 1 });
    await ipam.autoAssign({ handleId: 'h2', node: 'n2', num4: 12 });
    await assert.rejects(
      ipam.autoAssign({ handleId: 'h3', node: 'n2', num4: 1 }),
      (e: unknown) => e instanceof IpamError && /failed to request 1 IPv4 address for node n2: only 0 free in pools p \(10\.9\.0\.0\/28\) \(strictAffinity is on/.test(e.message),
    );
  });

  test('maxBlocksPerHost caps claims; beyond it the node borrows (strictAffinity off) or fails (on)', async () => {
    const ds = await setup([pool('p', '10.0.0.0/24', { blockSize: 28 })], [node('n1'), node('n2')]);
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'other', node: 'n2', num4: 1 }); // n2 block with 15 free
    await ipam.setConfig({ maxBlocksPerHost: 2 });
    const r = await ipam.autoAssign({ handleId: 'h', node: 'n1', num4: 40 });
    assert.equal(r.ips.length, 40);
    const bs = await blocks(ds);
    assert.equal(bs.filter((b) => b.affinity === 'host:n1').length, 2);
    assert.equal(r.ips.filter((ip) => bs.find((b) => b.cidr === blockOf(ip, 28))!.affinity === 'host:n2').length, 8);
    await ipam.setConfig({ strictAffinity: true });
    await assert.rejects(ipam.autoAssign({ handleId: 'h2', node: 'n1', num4: 1 }), /only 0 free/);
    assert.equal((await ipam.getConfig()).maxBlocksPerHost, 2);
  });

  test('reclaims another node\'s empty block only after it has been claimed for a minute', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const ds = await setup([pool('p', '10.9.0.0/30', { blockSize: 30 })], [node('n1'), node('n2')]);
    const ipam = createIpam(ds, { now: () => new Date(now) });
    await ipam.autoAssign({ handleId: 'h1', node: 'n1', num4: 1 });
    await ipam.releaseByHandle('h1'); // n1's only block is now empty but still affine to n1
    now += 30_000;
    // Young empty block: n2 may not take it over, but may borrow from it.
    const b = await ipam.autoAssign({ handleId: 'h2', node: 'n2', num4: 1 });
    assert.equal((await blocks(ds))[0]!.affinity, 'host:n1');
    await ipam.releaseByHandle('h2');
    now += 31_000;
    const c = await ipam.autoAssign({ handleId: 'h3', node: 'n2', num4: 1 });
    const bs = await blocks(ds);
    assert.equal(bs.length, 1);
    assert.equal(bs[0]!.affinity, 'host:n2');
    assert.equal(blockOf(c.ips[0]!, 30), blockOf(b.ips[0]!, 30));
    const affs = (await ds.list('BlockAffinity')).items.map((a) => (a.spec as BlockAffinitySpec).node);
    assert.deepEqual(affs, ['n2']);
  });
});

describe('pool selection', () => {
  test('nodeSelector, disabled and allowedUses decide the pools', async () => {
    const ds = await setup(
      [
        pool('rack-a', '10.1.0.0/16', { nodeSelector: 'rack == "a"' }),
        pool('rack-b', '10.2.0.0/16', { nodeSelector: "rack == 'b' || has(edge)" }),
        pool('off', '10.3.0.0/16', { disabled: true }),
        pool('tunnels', '10.4.0.0/16', { allowedUses: ['Tunnel'], ipipMode: 'Always' }),
      ],
      [node('na', { rack: 'a' }), node('nb', { rack: 'b' }), node('ne', { edge: '' }), node('nx', { rack: 'x' })],
    );
    const ipam = createIpam(ds);
    const a = await ipam.autoAssign({ handleId: 'a', node: 'na', num4: 3 });
    assert.ok(a.ips.every((i) => i.startsWith('10.1.')), a.ips.join());
    const b = await ipam.autoAssign({ handleId: 'b', node: 'nb', num4: 3 });
    assert.ok(b.ips.every((i) => i.startsWith('10.2.')));
    const e = await ipam.autoAssign({ handleId: 'e', node: 'ne', num4: 1 });
    assert.ok(e.ips[0]!.startsWith('10.2.'));
    await assert.rejects(ipam.autoAssign({ handleId: 'x', node: 'nx', num4: 1 }), (err: unknown) => err instanceof IpamError && err.code === 'NoPools' && /node nx/.test(err.message));
    const t = await ipam.autoAssign({ handleId: 't', node: 'nx', num4: 1, intendedUse: 'Tunnel' });
    assert.ok(t.ips[0]!.startsWith('10.4.'));
    await assert.rejects(ipam.autoAssign({ handleId: 'y', node: 'na', num4: 1, pools: ['off'] }), /is disabled/);
    // Calico uses requested pools unconditionally: their node (and namespace) selectors are ignored.
    const named = await ipam.autoAssign({ handleId: 'y', node: 'na', num4: 1, pools: ['rack-b'] });
    assert.ok(named.ips[0]!.startsWith('10.2.'), named.ips.join());
    await assert.rejects(ipam.autoAssign({ handleId: 'y2', node: 'na', num4: 1, pools: ['tunnels'] }), /requested IP pool tunnels does not allow use Workload/);
    await assert.rejects(ipam.autoAssign({ handleId: 'y', node: 'na', num4: 1, pools: ['nope'] }), /does not exist/);
    const byCidr = await ipam.autoAssign({ handleId: 'z', node: 'na', num4: 1, pools: ['10.1.0.0/16'] });
    assert.ok(byCidr.ips[0]!.startsWith('10.1.'));
  });

  test('a full pool gives a clear error and leaves nothing half-allocated', async () => {
    const ds = await setup([pool('small', '10.5.0.0/29', { blockSize: 29 })], [node('n1')]);
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'keep', node: 'n1', num4: 3 });
    const before = await blocks(ds);
    await assert.rejects(ipam.autoAssign({ handleId: 'greedy', node: 'n1', num4: 6 }), (e: unknown) => {
      assert.ok(e instanceof IpamError);
      assert.equal(e.code, 'PoolsExhausted');
      assert.match(e.message, /failed to request 6 IPv4 addresses for node n1: only 5 free in pools small \(10\.5\.0\.0\/29\); nothing was allocated/);
      return true;
    });
    const after = await blocks(ds);
    assert.equal(after[0]!.unallocated.length, 5);
    assert.deepEqual(after[0]!.allocations, before[0]!.allocations);
    assert.equal(await ds.get('IPAMHandle', 'greedy'), undefined);
    assert.deepEqual(await ipam.ipsByHandle('greedy'), []);
    const report = checkIpam(await loadSnapshot(ds));
    assert.equal(report.missingHandles.length + report.orphanedHandles.length + report.handleCountMismatches.length, 0);
  });

  test('an unreachable datastore surfaces as Unavailable, not as a full pool', async () => {
    const ds = await setup([pool('p', '10.0.0.0/24')]);
    ds.down = true;
    await assert.rejects(createIpam(ds).autoAssign({ handleId: 'h', node: 'n', num4: 1 }), (e: unknown) => e instanceof DatastoreError && e.code === 'Unavailable');
    ds.down = false;
    assert.equal((await createIpam(ds).autoAssign({ handleId: 'h', node: 'n', num4: 1 })).ips.length, 1);
  });

  test('bad requests are rejected with clear errors', async () => {
    const ipam = createIpam(await setup([pool('p', '10.0.0.0/24')]));
    await assert.rejects(ipam.autoAssign({ handleId: '', node: 'n', num4: 1 }), /handle ID/);
    await assert.rejects(ipam.autoAssign({ handleId: 'h', node: 'n', num4: -1 }), /non-negative integer/);
    assert.deepEqual(await ipam.autoAssign({ handleId: 'h', node: 'n', num4: 0 }), { ips: [] });
    await assert.rejects(ipam.setConfig({ maxBlocksPerHost: -2 }), /non-negative/);
  });
});

describe('handles and release', () => {
  test('release by handle and by address; a second release is a no-op', async () => {
    const ds = await setup([pool('p', '10.0.0.0/24')], [node('n1')]);
    const ipam = createIpam(ds);
    const a = await ipam.autoAssign({ handleId: 'k8s-pod-network.aaa', node: 'n1', num4: 3, attrs: { namespace: 'default', pod: 'web-1' } });
    const b = await ipam.autoAssign({ handleId: 'k8s-pod-network.bbb', node: 'n1', num4: 2 });
    assert.deepEqual(await ipam.ipsByHandle('k8s-pod-network.aaa'), a.ips);
    assert.equal(await ipam.releaseByHandle('k8s-pod-network.aaa'), 3);
    assert.equal(await ipam.releaseByHandle('k8s-pod-network.aaa'), 0);
    assert.equal(await ds.get('IPAMHandle', 'k8s-pod-network.aaa'), undefined);
    const first = b.ips[0]!.split('/')[0]!;
    assert.deepEqual(await ipam.releaseIPs([first]), []);
    assert.deepEqual(await ipam.releaseIPs([first]), [first], 'second release reports not allocated');
    assert.deepEqual(await ipam.releaseIPs(['192.168.77.1']), ['192.168.77.1'], 'outside every pool');
    assert.deepEqual(await ipam.ipsByHandle('k8s-pod-network.bbb'), [b.ips[1]]);
    const h = await ds.get('IPAMHandle', 'k8s-pod-network.bbb');
    assert.deepEqual(Object.values((h!.spec as IPAMHandleSpec).block), [1]);
    // released ordinals go to the tail: the next allocation takes a never-used address
    const c = await ipam.autoAssign({ handleId: 'c', node: 'n1', num4: 1 });
    const blk = (await blocks(ds))[0]!;
    const base = ip4.parseCidr4(blk.cidr).base;
    assert.equal(c.ips[0], `${ip4.formatIPv4(base + 5)}/26`);
    assert.deepEqual(blk.unallocated.slice(-4), [0, 1, 2, 3]);
    assert.equal(blk.attributes.length, 2, 'attributes of released allocations are dropped');
  });

  test('assignIP takes one specific address', async () => {
    const ds = await setup([pool('p', '10.0.0.0/24')], [node('n1')]);
    const ipam = createIpam(ds);
    await ipam.assignIP('10.0.0.77', 'fixed', 'n1', { pod: 'db-0', namespace: 'prod' });
    assert.deepEqual(await ipam.ipsByHandle('fixed'), ['10.0.0.77/26']);
    const blk = (await blocks(ds)).find((b) => b.cidr === '10.0.0.64/26')!;
    assert.equal(blk.affinity, 'host:n1');
    await assert.rejects(ipam.assignIP('10.0.0.77', 'other', 'n1'), /10\.0\.0\.77 is already allocated \(handle fixed\)/);
    await assert.rejects(ipam.assignIP('10.1.0.1', 'other', 'n1'), /not in any configured IP pool/);
    await ds.create(pool('off', '10.2.0.0/24', { disabled: true }));
    await assert.rejects(ipam.assignIP('10.2.0.1', 'other', 'n1'), /in IP pool off \(10\.2\.0\.0\/24\), which is disabled/);
    await assert.rejects(ipam.assignIP('10.0.0.300', 'other', 'n1'), /invalid IPv4 address/);
    // auto assignment skips the taken address
    const r = await ipam.autoAssign({ handleId: 'auto', node: 'n1', num4: 64 });
    assert.ok(!r.ips.includes('10.0.0.77/26'));
  });

  test('tunnel addresses come from the allocator and are written to the Node', async () => {
    const ds = await setup(
      [pool('plain', '10.0.0.0/24'), pool('ipip', '10.8.0.0/24', { ipipMode: 'Always' }), pool('vx', '10.7.0.0/24', { vxlanMode: 'CrossSubnet' })],
      [node('n1')],
    );
    const ipam = createIpam(ds);
    const ipip = await ipam.ensureTunnelAddress('n1', 'ipip');
    assert.match(ipip!, /^10\.8\.0\.(0|64|128|192)$/, 'first address of a block in the IPIP pool');
    assert.equal(await ipam.ensureTunnelAddress('n1', 'ipip'), ipip, 'idempotent');
    const vx = await ipam.ensureTunnelAddress('n1', 'vxlan');
    assert.match(vx!, /^10\.7\.0\./);
    const n = await ds.get('Node', 'n1');
    assert.equal((n!.spec as any).bgp.ipv4IPIPTunnelAddr, ipip);
    assert.equal((n!.spec as any).ipv4VXLANTunnelAddr, vx);
    const blk = (await blocks(ds)).find((b) => b.cidr.startsWith('10.8.'))!;
    assert.equal(blk.attributes[0]!.handle_id, 'ipip-tunnel-addr-n1');
    assert.equal(blk.attributes[0]!.secondary!.type, 'ipipTunnelAddress');
    assert.equal(checkIpam(await loadSnapshot(ds)).problems, 0);
    assert.equal(await ipam.releaseTunnelAddress('n1', 'ipip'), 1);
    assert.equal((await ds.get('Node', 'n1'))!.spec.bgp.ipv4IPIPTunnelAddr, undefined);
  });
});

describe('concurrency', () => {
  test('many allocators on many nodes interleaving never hand out an address twice', async () => {
    const ds = await setup([pool('p', '10.0.0.0/22', { blockSize: 28 })]);
    const nodes = Array.from({ length: 8 }, (_, i) => `node-${i}`);
    const all = await Promise.all(
      nodes.flatMap((n) => Array.from({ length: 40 }, (_, j) => createIpam(ds).autoAssign({ handleId: `${n}.${j}`, node: n, num4: 3 }))),
    );
    const ips = all.flatMap((r) => r.ips);
    assert.equal(ips.length, 8 * 40 * 3);
    assert.equal(new Set(ips).size, ips.length);
    const bs = await blocks(ds);
    assert.equal(bs.reduce((n, b) => n + b.allocations.filter((a) => a !== null).length, 0), 960);
    const snap = await loadSnapshot(ds);
    const r = checkIpam(snap);
    assert.equal(r.missingHandles.length + r.orphanedHandles.length + r.handleCountMismatches.length + r.invalidBlocks.length, 0);
    await Promise.all(nodes.flatMap((n) => Array.from({ length: 40 }, (_, j) => createIpam(ds).releaseByHandle(`${n}.${j}`))));
    assert.equal((await blocks(ds)).reduce((n, b) => n + b.allocations.filter((a) => a !== null).length, 0), 0);
    assert.equal((await ds.list('IPAMHandle')).items.length, 0);
  });

  test('survives datastore write conflicts injected at random', async () => {
    const inner = await setup([pool('p', '10.0.0.0/24', { blockSize: 28 })]);
    let injected = 0;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    // Every write fails with Conflict (without being applied) one time in four.
    const flaky: Datastore = Object.assign(Object.create(inner), {
      update: async (o: Resource) => {
        if (rnd() < 0.25) { injected++; throw new DatastoreError('Conflict', 'injected'); }
        return inner.update(o);
      },
      create: async (o: Resource) => {
        if (rnd() < 0.25) { injected++; throw new DatastoreError('AlreadyExists', 'injected'); }
        return inner.create(o);
      },
    });
    const ipam = createIpam(flaky);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ipam.autoAssign({ handleId: `h${i}`, node: `n${i % 3}`, num4: 2 })));
    const ips = results.flatMap((r) => r.ips);
    assert.equal(new Set(ips).size, 60);
    assert.ok(injected > 10, `injected ${injected}`);
    const r = checkIpam(await loadSnapshot(inner));
    assert.equal(r.missingHandles.length + r.handleCountMismatches.length + r.invalidBlocks.length, 0, JSON.stringify(r.handleCountMismatches));
  });
});

describe('ipam check', () => {
  test('finds leaks, unallocated in-use IPs, orphaned and missing handles, empty blocks of gone nodes', async () => {
    const ds = await setup([pool('p', '10.0.0.0/24')], [node('n1')]);
    const ipam = createIpam(ds);
    const used = await ipam.autoAssign({ handleId: 'net.used', node: 'n1', num4: 1 });
    await ipam.autoAssign({ handleId: 'net.leak', node: 'n1', num4: 1 });
    await ds.create({
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'n1-k8s-a-eth0', namespace: 'default' },
      spec: { node: 'n1', ipNetworks: [used.ips[0]!.replace(/\/26$/, '/32'), '10.0.0.200/32'] },
    });
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPAMHandle', metadata: { name: 'net.orphan' }, spec: { handleID: 'net.orphan', block: { '10.0.0.0/26': 1 }, deleted: false } });
    await ds.delete('IPAMHandle', 'net.used');
    // a block of a node that no longer exists
    await ipam.autoAssign({ handleId: 'gone', node: 'ghost', num4: 1 });
    await ipam.releaseByHandle('gone');
    const r = checkIpam(await loadSnapshot(ds));
    assert.deepEqual(r.allocatedNotInUse.map((a) => a.handle), ['net.leak']);
    assert.deepEqual(r.inUseNotAllocated.map((u) => u.ip), ['10.0.0.200']);
    assert.deepEqual(r.orphanedHandles, ['net.orphan']);
    assert.deepEqual(r.missingHandles, ['net.used']);
    assert.deepEqual(r.emptyAffineBlocks.map((e) => [e.node, e.nodeExists]), [['ghost', false]]);
    assert.equal(r.problems, 5);
    // releasing the ghost's empty blocks clears that problem
    assert.equal((await ipam.releaseEmptyAffineBlocks('ghost')).length, 1);
    assert.equal(checkIpam(await loadSnapshot(ds)).problems, 4);
  });
});

describe('a block write whose outcome is unknown', () => {
  // Found by the chaos suite's churn with etcd frozen (bench/chaos/churn.ts): a block update that times out may
  // still have been committed (etcd applies it once it runs again). The handle must then stay, so the DEL
  // that follows (release by handle) finds the address; dropping it left an allocation no DEL could reach.
  test('commit-then-timeout: the handle stays and releaseByHandle frees the address', async () => {
    const ds = await setup([pool('p', '10.0.0.0/16')], [node('n1')]);
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'net.c1', node: 'n1', num4: 1 });
    const update = ds.update.bind(ds);
    let timeouts = 0;
    ds.update = async (r: Resource, ...rest: any[]) => {
      const out = await (update as any)(r, ...rest);
      if (r.kind === 'IPAMBlock' && timeouts++ === 0) throw new DatastoreError('Unavailable', 'etcd: context deadline exceeded');
      return out;
    };
    await assert.rejects(ipam.autoAssign({ handleId: 'net.c2', node: 'n1', num4: 1 }), /deadline exceeded/);
    ds.update = update;
    await ipam.releaseByHandle('net.c2');
    const used = (await blocks(ds)).reduce((n, b) => n + b.allocations.filter((a) => a !== null).length, 0);
    assert.equal(used, 1, 'only net.c1 still holds an address');
    const report = checkIpam(await loadSnapshot(ds));
    assert.deepEqual([report.missingHandles, report.orphanedHandles], [[], []]);
    assert.equal((await ds.list('IPAMHandle')).items.map((h) => h.metadata.name).join(), 'net.c1');
  });
});

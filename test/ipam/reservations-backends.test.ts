// IPReservation and empty-block release on the real datastores (embedded SQLite file, etcd): the kind is
// stored where Calico keeps it, `tabby apply/get/delete` handle it, the allocator honours it across
// connections, and empty blocks are released after kube-controllers' grace period, on a manual clock.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatastore, resolveDatastoreConfig } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import { kindInfo } from '../../src/api/kinds.ts';
import { EtcdKeys } from '../../src/datastore/etcd-keys.ts';
import { createIpam, ip4, type IPAMBlockSpec } from '../../src/ipam/index.ts';
import { blockGcIntervalMs, DEFAULT_LEAK_GRACE_PERIOD_MS, EmptyBlockReleaser } from '../../src/ipam/block-gc.ts';
import { main } from '../../src/ctl/main.ts';
import { setCtlOverrides } from '../../src/ctl/context.ts';
import { ManualClock } from '../helpers/clock.ts';
import { embeddedBackend, etcdBackend, etcdSkipReason, stopPrivateEtcd, type Backend } from './fixtures.ts';

const API = 'projectcalico.org/v3';
const MIN = 60_000;

async function open(b: Backend): Promise<Datastore> {
  return openDatastore(resolveDatastoreConfig({ env: b.env }));
}

/** `tabby …` in-process against `ds`. */
async function tabby(ds: Datastore, args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const restore = setCtlOverrides({ datastore: ds, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, stdin: stdin === undefined ? undefined : async () => stdin });
  const realWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { err += String(chunk); return true; }) as typeof process.stderr.write;
  const prev = process.exitCode;
  process.exitCode = undefined;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.exitCode = prev;
    process.stderr.write = realWrite;
    restore();
  }
}

const RESERVATION_YAML = `apiVersion: projectcalico.org/v3
kind: IPReservation
metadata:
  name: gateways
spec:
  reservedCIDRs:
  - 10.90.0.0/30
  - 10.90.0.9
`;

async function reservationLifecycle(b: Backend): Promise<void> {
  const admin = await open(b);
  const other = await open(b);
  try {
    assert.equal((await tabby(admin, ['apply', '-f', '-'], RESERVATION_YAML)).out, "Successfully applied 1 'IPReservation' resource(s)\n");
    const wide = await tabby(admin, ['get', 'ipreservations', '-o', 'wide']);
    assert.match(wide.out, /^NAME\s+CIDRS\s*\ngateways\s+10\.90\.0\.0\/30,10\.90\.0\.9\s*\n$/);
    assert.equal((await tabby(admin, ['get', 'reservation'])).out.split('\n')[1]!.trim(), 'gateways');
    const bad = await tabby(admin, ['apply', '-f', '-'], RESERVATION_YAML.replace('10.90.0.9', '10.90.0.999'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /spec\.reservedCIDRs\[1\] = '10\.90\.0\.999' \(must be a valid IP address or CIDR\)/);

    // The allocator on another connection sees it: the pool's first block hands out 10.90.0.4.. and skips .9.
    await admin.create({ apiVersion: API, kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.90.0.0/28', blockSize: 28 } });
    const ips = (await createIpam(other).autoAssign({ handleId: 'h', node: 'n1', num4: 11 })).ips.map((c) => c.split('/')[0]);
    assert.deepEqual(ips, ['10.90.0.4', '10.90.0.5', '10.90.0.6', '10.90.0.7', '10.90.0.8', '10.90.0.10', '10.90.0.11', '10.90.0.12', '10.90.0.13', '10.90.0.14', '10.90.0.15']);
    await assert.rejects(createIpam(other).autoAssign({ handleId: 'h2', node: 'n1', num4: 1 }), /only 0 free/);

    assert.equal((await tabby(admin, ['delete', 'ipreservation', 'gateways'])).out, "Successfully deleted 1 'IPReservation' resource(s)\n");
    assert.equal(await other.get('IPReservation', 'gateways'), undefined);
    assert.equal((await createIpam(other).autoAssign({ handleId: 'h2', node: 'n1', num4: 5 })).ips.length, 5);
  } finally {
    await other.close();
    await admin.close();
  }
}

/** Two blocks for n1, both emptied; the grace period is the only thing that decides when one goes. */
async function emptyBlockRelease(b: Backend): Promise<void> {
  const ds = await open(b);
  try {
    await ds.create({ apiVersion: API, kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.91.0.0/28', blockSize: 30 } });
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'a', node: 'n1', num4: 8 }); // two /30 blocks
    await ipam.autoAssign({ handleId: 'b', node: 'n2', num4: 1 }); // n2's only block stays whatever happens
    const blocksOf = async (n: string) => (await ds.list('IPAMBlock')).items.map((r) => r.spec as IPAMBlockSpec).filter((s) => s.affinity === `host:${n}`).map((s) => s.cidr).sort();
    const n1Blocks = await blocksOf('n1');
    assert.equal(n1Blocks.length, 2);
    const clock = new ManualClock();
    const gc = new EmptyBlockReleaser(ds, { now: () => clock.now() });
    assert.deepEqual(await gc.sync(), [], 'blocks in use are kept');
    await ipam.releaseByHandle('a');
    await ipam.releaseByHandle('b');
    assert.deepEqual(await gc.sync(), [], 'first sight of an empty block starts its grace period');
    clock.advance(DEFAULT_LEAK_GRACE_PERIOD_MS);
    assert.deepEqual(await gc.sync(), [], 'released only once empty for longer than the grace period');
    // One block is used again in between: that sync sees it in use and its grace period starts over.
    const again = await ipam.autoAssign({ handleId: 'c', node: 'n1', num4: 1 });
    assert.deepEqual(await gc.sync(), []);
    await ipam.releaseByHandle('c');
    const reused = n1Blocks.find((c) => ip4.cidr4ContainsIP(ip4.parseCidr4(c), ip4.parseIPv4(again.ips[0]!.split('/')[0]!)))!;
    const idle = n1Blocks.find((c) => c !== reused)!;
    clock.advance(1);
    assert.deepEqual(await gc.sync(), [idle], 'the block empty all along goes; the one used again does not');
    assert.deepEqual(await blocksOf('n1'), [reused]);
    const affinities = (await ds.list('BlockAffinity')).items.map((a) => (a.spec as { cidr: string }).cidr);
    assert.ok(!affinities.includes(idle), 'the released block\'s affinity is gone too');
    clock.advance(2 * DEFAULT_LEAK_GRACE_PERIOD_MS);
    assert.deepEqual(await gc.sync(), [], 'a node keeps its last block, however long it is empty');
    assert.equal((await blocksOf('n1')).length, 1);
    assert.equal((await blocksOf('n2')).length, 1, 'n2 keeps its only block');
    // A grace period of 0 disables release, as in Calico.
    const off = new EmptyBlockReleaser(ds, { now: () => clock.now(), gracePeriodMs: 0 });
    await ipam.autoAssign({ handleId: 'd', node: 'n1', num4: 8 });
    await ipam.releaseByHandle('d');
    await off.sync();
    clock.advance(10 * DEFAULT_LEAK_GRACE_PERIOD_MS);
    assert.deepEqual(await off.sync(), []);
  } finally {
    await ds.close();
  }
}

test('IPReservation is stored where Calico keeps it in etcd', () => {
  const info = kindInfo('IPReservation')!;
  assert.equal(new EtcdKeys('').nameKey(info, 'gateways'), '/calico/resources/v3/projectcalico.org/ipreservations/gateways');
  assert.equal(info.namespaced, false);
});

test('block release runs every half grace period (kube-controllers\' sync period)', () => {
  assert.equal(blockGcIntervalMs(DEFAULT_LEAK_GRACE_PERIOD_MS), 7.5 * MIN);
  assert.equal(blockGcIntervalMs(0), 5 * MIN);
});

for (const [name, make, skip] of [
  ['embedded', async () => embeddedBackend(), undefined],
  ['etcd', etcdBackend, etcdSkipReason()],
] as const) {
  describe(`IPReservation and block release on the ${name} datastore`, { skip }, () => {
    after(stopPrivateEtcd);
    test('apply, get, allocate around it from another connection, delete', { timeout: 60_000 }, async () => {
      const b = await make();
      try { await reservationLifecycle(b); } finally { await b.cleanup(); }
    });
    test('an empty block is released after the grace period, never a node\'s last', { timeout: 60_000 }, async () => {
      const b = await make();
      try { await emptyBlockRelease(b); } finally { await b.cleanup(); }
    });
  });
}

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { isDatastoreError } from '../../src/datastore/types.ts';
import { ResourceClient, UnsupportedKindError, mergePatch } from '../../src/client/client.ts';
import { ValidationError } from '../../src/api/validate.ts';
import type { Resource } from '../../src/api/resource.ts';

const V3 = 'projectcalico.org/v3';
const pool = (name: string, cidr: string, extra: Record<string, unknown> = {}): Resource => ({ apiVersion: V3, kind: 'IPPool', metadata: { name }, spec: { cidr, ...extra } });

function setup(): { ds: MemoryDatastore; client: ResourceClient } {
  const ds = new MemoryDatastore();
  return { ds, client: new ResourceClient(ds) };
}

describe('ResourceClient writes', () => {
  test('create stores the defaulted object; a second create fails AlreadyExists', async () => {
    const { ds, client } = setup();
    const stored = await client.create(pool('p1', '10.1.0.0/16'));
    assert.equal(stored.metadata.resourceVersion, '1');
    assert.ok(stored.metadata.uid);
    assert.deepEqual(stored.spec, { cidr: '10.1.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'] });
    assert.deepEqual((await ds.get('IPPool', 'p1'))?.spec, stored.spec);
    await assert.rejects(client.create(pool('p1', '10.1.0.0/16')), (e: unknown) => isDatastoreError(e, 'AlreadyExists') && /IPPool\(p1\)/.test((e as Error).message));
    const v6 = await client.create(pool('v6', 'FD00:0:0::/64'));
    assert.equal(v6.spec.cidr, 'fd00::/64', 'pool CIDRs are stored in canonical form');
    assert.equal(v6.spec.blockSize, 122);
  });

  test('create refuses a resourceVersion; invalid objects are never written', async () => {
    const { ds, client } = setup();
    await assert.rejects(client.create({ ...pool('p1', '10.1.0.0/16'), metadata: { name: 'p1', resourceVersion: '7' } }), ValidationError);
    await assert.rejects(client.create(pool('p2', '10.1.0.1/16')), (e: unknown) => e instanceof ValidationError && e.errors[0]!.field === 'spec.cidr');
    assert.equal((await ds.list('IPPool')).items.length, 0);
  });

  test('apply creates then updates, keeping uid and bumping resourceVersion', async () => {
    const { client } = setup();
    const a = await client.apply(pool('p1', '10.1.0.0/16'));
    const b = await client.apply(pool('p1', '10.1.0.0/16', { natOutgoing: true }));
    assert.equal(b.metadata.uid, a.metadata.uid);
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    assert.equal(b.spec.natOutgoing, true);
  });

  test('apply with a stale resourceVersion conflicts (no silent overwrite)', async () => {
    const { client } = setup();
    const a = await client.apply(pool('p1', '10.1.0.0/16'));
    await client.apply(pool('p1', '10.1.0.0/16', { natOutgoing: true }));
    const stale = { ...pool('p1', '10.1.0.0/16', { disabled: true }), metadata: { name: 'p1', resourceVersion: a.metadata.resourceVersion } };
    await assert.rejects(client.apply(stale), (e: unknown) => isDatastoreError(e, 'Conflict'));
  });

  test('replace needs an existing object', async () => {
    const { client } = setup();
    await assert.rejects(client.replace(pool('p1', '10.1.0.0/16')), (e: unknown) => isDatastoreError(e, 'NotFound') && /resource does not exist: IPPool\(p1\) with error/.test((e as Error).message));
    await client.create(pool('p1', '10.1.0.0/16'));
    const r = await client.replace(pool('p1', '10.1.0.0/16', { disabled: true }));
    assert.equal(r.spec.disabled, true);
  });

  test('IPPool cidr and blockSize are immutable; pools may not overlap', async () => {
    const { client } = setup();
    await client.create(pool('p1', '10.1.0.0/16'));
    await assert.rejects(client.apply(pool('p1', '10.2.0.0/16')), (e: unknown) => e instanceof ValidationError && /cidr cannot be modified/.test(e.message));
    await assert.rejects(client.apply(pool('p1', '10.1.0.0/16', { blockSize: 28 })), (e: unknown) => e instanceof ValidationError && /blockSize cannot be modified/.test(e.message));
    await assert.rejects(client.create(pool('p2', '10.1.128.0/17')), (e: unknown) => e instanceof ValidationError && /overlaps with IPPool\(p1\)/.test(e.message));
    await assert.rejects(client.create(pool('p3', '10.0.0.0/8')), /overlaps/);
    await client.create(pool('p4', '10.2.0.0/16'));
  });

  test('prepare sees other documents of the same batch', async () => {
    const { client } = setup();
    const first = await client.prepare(pool('a', '10.1.0.0/16'), 'create');
    await assert.rejects(client.prepare(pool('b', '10.1.1.0/24', { blockSize: 26 }), 'create', [first.obj]), /overlaps with IPPool\(a\)/);
  });

  test('policies default tier and types; a non-default tier must exist', async () => {
    const { client } = setup();
    const np = await client.create({ apiVersion: V3, kind: 'NetworkPolicy', metadata: { name: 'np1' }, spec: { selector: 'all()', egress: [{ action: 'Allow' }] } });
    assert.equal(np.metadata.namespace, 'default');
    assert.equal(np.spec.tier, 'default');
    assert.deepEqual(np.spec.types, ['Egress']);
    const inTier = { apiVersion: V3, kind: 'GlobalNetworkPolicy', metadata: { name: 'g1' }, spec: { tier: 'security', selector: 'all()' } };
    await assert.rejects(client.create(inTier), /tier "security" does not exist/);
    await client.create({ apiVersion: V3, kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } });
    await client.create(inTier);
    await assert.rejects(client.delete('Tier', 'security'), /still used by GlobalNetworkPolicy\(g1\)/);
    await client.delete('GlobalNetworkPolicy', 'g1');
    await client.delete('Tier', 'security');
  });

  test('IPAM objects are not user-writable unless allowed', async () => {
    const { ds, client } = setup();
    const block = { apiVersion: V3, kind: 'IPAMBlock', metadata: { name: '10-0-0-0-26' }, spec: { cidr: '10.0.0.0/26' } };
    await assert.rejects(client.apply(block), UnsupportedKindError);
    await assert.rejects(client.apply({ ...block, kind: 'Gadget' }), (e: unknown) => e instanceof UnsupportedKindError && /'Gadget' is not supported/.test((e as Error).message));
    await new ResourceClient(ds, { allowIpamKinds: true }).apply(block);
    assert.ok(await ds.get('IPAMBlock', '10-0-0-0-26'));
  });

  test('delete reports missing resources in calicoctl words and honours resourceVersion', async () => {
    const { client } = setup();
    await assert.rejects(client.delete('IPPool', 'nope'), /resource does not exist: IPPool\(nope\) with error:/);
    const p = await client.create(pool('p1', '10.1.0.0/16'));
    await client.apply(pool('p1', '10.1.0.0/16', { natOutgoing: true }));
    await assert.rejects(client.delete('IPPool', 'p1', undefined, p.metadata.resourceVersion), (e: unknown) => isDatastoreError(e, 'Conflict'));
    await client.delete('IPPool', 'p1');
  });
});

describe('patch', () => {
  test('mergePatch follows RFC 7386', () => {
    assert.deepEqual(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
    assert.deepEqual(mergePatch({ a: [1, 2] }, { a: [3] }), { a: [3] });
    assert.deepEqual(mergePatch({ a: 1 }, 'x'), 'x');
    assert.deepEqual(mergePatch('x', { a: { b: 1 } }), { a: { b: 1 } });
  });

  test('patch validates the result and cannot rename', async () => {
    const { client } = setup();
    await client.create(pool('p1', '10.1.0.0/16'));
    const r = await client.patch('IPPool', 'p1', undefined, { spec: { natOutgoing: true, nodeSelector: null } });
    assert.equal(r.spec.natOutgoing, true);
    assert.equal(r.spec.nodeSelector, 'all()', 'removing a defaulted field restores the default');
    await assert.rejects(client.patch('IPPool', 'p1', undefined, { spec: { ipipMode: 'Always', vxlanMode: 'Always' } }), /cannot both be enabled/);
    await assert.rejects(client.patch('IPPool', 'p1', undefined, { metadata: { name: 'p2' } }), /cannot be changed/);
    await assert.rejects(client.patch('IPPool', 'nope', undefined, { spec: {} }), /resource does not exist: IPPool\(nope\)/);
  });

  test('concurrent read-modify-write retries instead of losing an update', async () => {
    const { client } = setup();
    await client.create(pool('p1', '10.1.0.0/16'));
    await Promise.all(['a', 'b', 'c', 'd'].map((k) => client.modify('IPPool', 'p1', undefined, (cur) => {
      cur.metadata.labels = { ...cur.metadata.labels, [k]: 'x' };
      return cur;
    })));
    assert.deepEqual(Object.keys((await client.get('IPPool', 'p1')).metadata.labels!).sort(), ['a', 'b', 'c', 'd']);
  });
});

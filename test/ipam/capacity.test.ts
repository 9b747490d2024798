// Whether a node can get an address now (the CNI plugin's STATUS): the same order of choices as autoAssign —
// a free address in an affine block, a block it may claim, an address it may borrow — over pure inputs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION } from '../../src/api/resource.ts';
import { allocationCapacity } from '../../src/ipam/capacity.ts';
import { assignOrdinals, DEFAULT_IPAM_CONFIG, newBlockSpec, poolFromResource, type IPAMBlockSpec } from '../../src/ipam/model.ts';
import { parseCidr4 } from '../../src/net/ipv4.ts';
import { ReservedRanges } from '../../src/ipam/reservations.ts';

const pool = (cidr: string, blockSize: number) =>
  poolFromResource({ apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: `p-${cidr}` }, spec: { cidr, blockSize, nodeSelector: 'all()' } });
function block(cidr: string, node: string | undefined, used: number): IPAMBlockSpec {
  const b = newBlockSpec(parseCidr4(cidr), node, new Date(0));
  assignOrdinals(b, used, 'h');
  return b;
}

describe('allocationCapacity', () => {
  const p = pool('10.1.0.0/28', 30); // room for 4 blocks of 4
  test('a free address in an affine block first', () => {
    assert.deepEqual(allocationCapacity('a', [p], [block('10.1.0.0/30', 'a', 3)], DEFAULT_IPAM_CONFIG), { ok: true, how: 'affine block' });
  });
  test('else a new block while the pool has room and the node is under maxBlocksPerHost', () => {
    const full = [block('10.1.0.0/30', 'a', 4)];
    assert.deepEqual(allocationCapacity('a', [p], full, DEFAULT_IPAM_CONFIG), { ok: true, how: 'new block' });
    const r = allocationCapacity('a', [p], full, { ...DEFAULT_IPAM_CONFIG, maxBlocksPerHost: 1, strictAffinity: true });
    assert.deepEqual(r, { ok: false, reason: 'no IP addresses available to node a in IP pools 10.1.0.0/28; the node holds 1 blocks, the most maxBlocksPerHost allows' });
    assert.equal(allocationCapacity('a', [p], full, { ...DEFAULT_IPAM_CONFIG, autoAllocateBlocks: false, strictAffinity: true }).ok, false);
  });
  test('else borrowing from another node\'s block, unless strictAffinity', () => {
    const blocks = ['10.1.0.0/30', '10.1.0.4/30', '10.1.0.8/30'].map((c) => block(c, 'a', 4)).concat(block('10.1.0.12/30', 'b', 1));
    assert.deepEqual(allocationCapacity('a', [p], blocks, DEFAULT_IPAM_CONFIG), { ok: true, how: 'borrow' });
    assert.equal(allocationCapacity('a', [p], blocks, { ...DEFAULT_IPAM_CONFIG, strictAffinity: true }).ok, false);
  });
  test('reserved addresses are not free; no pool is its own reason', () => {
    const b = block('10.1.0.0/30', 'a', 2);
    const all = ['10.1.0.0/30', '10.1.0.4/30', '10.1.0.8/30', '10.1.0.12/30'].map((c, i) => (i ? block(c, 'b', 4) : b));
    assert.equal(allocationCapacity('a', [p], all, DEFAULT_IPAM_CONFIG).ok, true);
    assert.equal(allocationCapacity('a', [p], all, DEFAULT_IPAM_CONFIG, new ReservedRanges([parseCidr4('10.1.0.0/30')])).ok, false);
    assert.deepEqual(allocationCapacity('a', [], [], DEFAULT_IPAM_CONFIG), { ok: false, reason: 'no enabled IP pool selects node a for workloads' });
  });
});

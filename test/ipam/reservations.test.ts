// IPReservation and the pool-selection rules of Calico's IPAM (libcalico-go ipam.go, reserved.go,
// addr_filter.go, pools.go), on the in-memory datastore: reserved addresses and wholly reserved blocks are
// never auto-assigned, explicit addresses still are (Calico's AssignIP ignores reservations) and `ipam check`
// lists them; namespaceSelector, requested pools and allowedUses as Calico applies them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import type { Resource } from '../../src/api/resource.ts';
import { validateResource } from '../../src/api/validate.ts';
import {
  checkIpam, configFromResource, createIpam, formatCheckReport, IpamError, ip4, loadSnapshot, newBlockSpec, poolFromResource, usageRows,
  type IpamSnapshot, type IPAMBlockSpec,
} from '../../src/ipam/index.ts';
import { ReservedRanges, reservedCidrs } from '../../src/ipam/reservations.ts';

const API = 'projectcalico.org/v3';
const pool = (name: string, cidr: string, extra: Record<string, unknown> = {}): Resource => ({ apiVersion: API, kind: 'IPPool', metadata: { name }, spec: { cidr, ...extra } });
const reservation = (name: string, reservedCIDRs: string[]): Resource => ({ apiVersion: API, kind: 'IPReservation', metadata: { name }, spec: { reservedCIDRs } });
const node = (name: string, labels: Record<string, string> = {}): Resource => ({ apiVersion: API, kind: 'Node', metadata: { name, labels }, spec: {} });

async function store(...rs: Resource[]): Promise<MemoryDatastore> {
  const ds = new MemoryDatastore();
  for (const r of rs) await ds.create(r);
  return ds;
}
const addr = (cidr: string) => cidr.split('/')[0]!;
const inCidr = (ip: string, cidr: string) => ip4.cidr4ContainsIP(ip4.parseCidr4(cidr), ip4.parseIPv4(addr(ip)));

describe('IPReservation validation (libcalico-go `cidrs`: addresses or CIDRs, host bits allowed)', () => {
  test('addresses, masked and unmasked CIDRs and IPv6 are valid; an empty spec too', () => {
    assert.deepEqual(validateResource(reservation('r', ['192.168.2.3', '10.0.2.3/32', 'cafe:f00d::/123', '10.1.2.3/24'])), []);
    assert.deepEqual(validateResource({ apiVersion: API, kind: 'IPReservation', metadata: { name: 'r' } }), []);
  });
  test('a bad entry, an unknown field and a namespace are refused, naming the field', () => {
    const errs = validateResource(reservation('r', ['10.0.0.1', '10.0.0.300', 'pool-a']));
    assert.deepEqual(errs.map((e) => [e.field, e.value]), [['spec.reservedCIDRs[1]', '10.0.0.300'], ['spec.reservedCIDRs[2]', 'pool-a']]);
    assert.match(errs[0]!.message, /valid IP address or CIDR/);
    assert.deepEqual(validateResource({ ...reservation('r', []), spec: { reservedCIDR: ['10.0.0.1'] } }).map((e) => e.field), ['spec.reservedCIDR']);
    assert.deepEqual(validateResource({ ...reservation('r', []), metadata: { name: 'r', namespace: 'x' } }).map((e) => e.field), ['metadata.namespace']);
    assert.deepEqual(validateResource(reservation('Bad_Name', [])).map((e) => e.field), ['metadata.name']);
  });
});

describe('ReservedRanges (addr_filter.go)', () => {
  const ranges = new ReservedRanges(reservedCidrs([reservation('a', ['10.0.0.0/30', '10.0.0.4/30', '10.0.1.7/24', 'fd00::1']), reservation('b', [' ', '10.0.0.2'])]));
  test('an unmasked CIDR reserves its whole network; IPv6 and blank entries are skipped', () => {
    assert.ok(ranges.matchesIP(ip4.parseIPv4('10.0.1.0')) && ranges.matchesIP(ip4.parseIPv4('10.0.1.255')));
    assert.ok(!ranges.matchesIP(ip4.parseIPv4('10.0.0.8')));
  });
  test('a CIDR is wholly reserved when reservations together cover it, even if none covers it alone', () => {
    assert.ok(ranges.matchesWholeCidr(ip4.parseCidr4('10.0.0.0/29')));
    assert.ok(!ranges.matchesWholeCidr(ip4.parseCidr4('10.0.0.0/28')));
    assert.ok(ranges.matchesWholeCidr(ip4.parseCidr4('10.0.1.64/26')));
    assert.equal(ranges.countIn(ip4.parseCidr4('10.0.0.0/28')), 8);
    assert.ok(!new ReservedRanges([]).matchesWholeCidr(ip4.parseCidr4('10.9.9.9/32')));
  });
});

describe('reserved and free counts (libcalico-go reserved_test.go TestCountPoolSpace, IPv4 cases)', () => {
  // [name, reservations, blocks, capacity, reserved, available outside blocks] for pool 10.0.0.0/24
  const cases: Array<[string, string[], string[], number, number, number]> = [
    ['no reservations and no blocks', [], [], 256, 0, 256],
    ['one reservation', ['10.0.0.32/30'], [], 256, 4, 252],
    ['overlapping reservations', ['10.0.0.0/25', '10.0.0.5/32', '10.0.0.64/26', '10.0.0.0/25'], [], 256, 128, 128],
    ['reservation covering the whole pool', ['10.0.0.0/16'], [], 256, 256, 0],
    ['reservation outside the pool', ['192.168.0.0/24', 'fd00::/120'], [], 256, 0, 256],
    ['blocks carved from the pool', [], ['10.0.0.0/26', '10.0.0.64/26'], 256, 0, 128],
    ['reservation inside a block', ['10.0.0.32/30'], ['10.0.0.0/26'], 256, 4, 192],
    ['reservation outside every block', ['10.0.0.128/25'], ['10.0.0.0/26'], 256, 128, 64],
  ];
  for (const [name, reserved, blockCidrs, capacity, wantReserved, outside] of cases) {
    test(name, () => {
      const blocks = blockCidrs.map((c) => newBlockSpec(ip4.parseCidr4(c), 'n1', new Date(0)));
      const snap: IpamSnapshot = {
        pools: [poolFromResource(pool('p', '10.0.0.0/24'))], badPools: [], blocks, affinities: [], handles: [],
        config: configFromResource(undefined), nodes: [], workloadEndpoints: [], reservations: reserved.map((c, i) => reservation(`r${i}`, [c])),
      };
      const [poolRow, ...blockRows] = usageRows(snap, true);
      assert.equal(poolRow!.total, capacity);
      assert.equal(poolRow!.reserved, wantReserved);
      assert.equal(poolRow!.free - blockRows.reduce((n, b) => n + b.free, 0), outside, 'free outside the blocks');
      assert.equal(poolRow!.inUse, 0);
    });
  }
});

describe('cidrSliceFilter vectors (libcalico-go addr_filter_test.go, IPv4 cases)', () => {
  const cases = [
    { filter: ['0.0.0.0/0'], ipsMatch: ['0.0.0.0', '255.255.255.255', '10.0.0.1'], cidrsMatch: ['0.0.0.0/0', '255.255.255.255/32', '10.0.0.0/8'], ipsNoMatch: [], cidrsNoMatch: [] },
    {
      filter: ['192.168.1.64/26', '192.168.1.0/26'],
      ipsMatch: ['192.168.1.0', '192.168.1.63', '192.168.1.64', '192.168.1.127'],
      cidrsMatch: ['192.168.1.64/26', '192.168.1.0/26', '192.168.1.0/25', '192.168.1.64/27', '192.168.1.96/27'],
      ipsNoMatch: ['10.0.0.1', '0.0.0.0'],
      cidrsNoMatch: ['10.0.0.0/8', '0.0.0.0/32', '192.168.2.64/26', '192.168.1.0/24'],
    },
  ];
  for (const c of cases) {
    test(`filter ${c.filter.join(',')}`, () => {
      const r = new ReservedRanges(c.filter.map((x) => ip4.parseCidr4(x)));
      for (const ip of c.ipsMatch) assert.ok(r.matchesIP(ip4.parseIPv4(ip)), ip);
      for (const ip of c.ipsNoMatch) assert.ok(!r.matchesIP(ip4.parseIPv4(ip)), ip);
      for (const x of c.cidrsMatch) assert.ok(r.matchesWholeCidr(ip4.parseCidr4(x)), x);
      for (const x of c.cidrsNoMatch) assert.ok(!r.matchesWholeCidr(ip4.parseCidr4(x)), x);
    });
  }
});

describe('auto-assignment skips reserved addresses', () => {
  test('reserved addresses in the node\'s block are skipped and stay in the free list in place', async () => {
    const ds = await store(pool('p', '10.10.0.0/29', { blockSize: 29 }), reservation('gw', ['10.10.0.0', '10.10.0.1/31', '10.10.0.4']), node('n1'));
    const ipam = createIpam(ds);
    const got = (await ipam.autoAssign({ handleId: 'h', node: 'n1', num4: 5 })).ips.map(addr);
    assert.deepEqual(got, ['10.10.0.2', '10.10.0.3', '10.10.0.5', '10.10.0.6', '10.10.0.7']);
    const [blk] = (await ds.list('IPAMBlock')).items.map((b) => b.spec as IPAMBlockSpec);
    assert.deepEqual(blk!.unallocated, [0, 1, 4], 'reserved ordinals keep their place');
    await assert.rejects(ipam.autoAssign({ handleId: 'more', node: 'n1', num4: 1 }), (e: unknown) =>
      e instanceof IpamError && e.code === 'PoolsExhausted' && /only 0 free in pools p \(10\.10\.0\.0\/29\).*IPReservation/.test(e.message));
    // Deleting the reservation frees them for the next request.
    await ds.delete('IPReservation', 'gw');
    assert.deepEqual((await ipam.autoAssign({ handleId: 'more', node: 'n1', num4: 3 })).ips.map(addr), ['10.10.0.0', '10.10.0.1', '10.10.0.4']);
  });

  test('a wholly reserved block is never claimed, and a reserved affine block is passed over', async () => {
    // Four /29 blocks; reservations cover three of them (one of them by two halves).
    const ds = await store(pool('p', '10.20.0.0/27', { blockSize: 29 }), node('n1'), node('n2'),
      reservation('r1', ['10.20.0.0/29', '10.20.0.8/30', '10.20.0.12/30']), reservation('r2', ['10.20.0.24/29']));
    const ipam = createIpam(ds);
    const ips = (await ipam.autoAssign({ handleId: 'h1', node: 'n1', num4: 8 })).ips;
    assert.ok(ips.every((ip) => inCidr(ip, '10.20.0.16/29')), ips.join());
    const claimed = (await ds.list('IPAMBlock')).items.map((b) => (b.spec as IPAMBlockSpec).cidr);
    assert.deepEqual(claimed, ['10.20.0.16/29'], 'no reserved block was claimed');
    await ipam.releaseByHandle('h1');
    // Now reserve n1's own block and free another: n1 passes over its block and claims the free one.
    await ds.delete('IPReservation', 'r2');
    await ds.create(reservation('r3', ['10.20.0.16/29']));
    const next = (await ipam.autoAssign({ handleId: 'h2', node: 'n1', num4: 1 })).ips[0]!;
    assert.ok(inCidr(next, '10.20.0.24/29'), next);
  });

  test('borrowing from another node\'s block skips reserved addresses', async () => {
    const ds = await store(pool('p', '10.30.0.0/29', { blockSize: 29 }), node('n1'), node('n2'), reservation('r', ['10.30.0.1', '10.30.0.3']));
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'a', node: 'n1', num4: 2 });
    const borrowed = (await ipam.autoAssign({ handleId: 'b', node: 'n2', num4: 4 })).ips.map(addr);
    assert.ok(!borrowed.includes('10.30.0.1') && !borrowed.includes('10.30.0.3'), borrowed.join());
    assert.equal(borrowed.length, 4);
  });

  test('an explicitly requested reserved address is assigned (as Calico\'s AssignIP), and `ipam check` lists it', async () => {
    const ds = await store(pool('p', '10.40.0.0/26'), node('n1'), reservation('vip', ['10.40.0.10/31']));
    const ipam = createIpam(ds);
    await ipam.assignIP('10.40.0.11', 'k8s-pod-network.c1', 'n1', { node: 'n1' }, 'Workload');
    await ds.create({ apiVersion: API, kind: 'WorkloadEndpoint', metadata: { name: 'n1-k8s-web-eth0', namespace: 'default' }, spec: { node: 'n1', ipNetworks: ['10.40.0.11/32'] } });
    const snap = await loadSnapshot(ds);
    const report = checkIpam(snap);
    assert.deepEqual(report.reservedButAllocated.map((a) => [a.ip, a.handle, a.reservation]), [['10.40.0.11', 'k8s-pod-network.c1', 'vip (10.40.0.10/31)']]);
    assert.equal(report.problems, 0, 'a reserved allocation is reported, not counted as a problem');
    assert.match(formatCheckReport(report, snap), /10\.40\.0\.11 is allocated \(handle k8s-pod-network\.c1\) but reserved by IPReservation vip \(10\.40\.0\.10\/31\)\nFound 1 allocated IPs that are reserved/);
    const [poolRow, blockRow] = usageRows(snap, true);
    assert.deepEqual([poolRow!.total, poolRow!.inUse, poolRow!.reserved, poolRow!.free], [64, 1, 2, 62]);
    assert.deepEqual([blockRow!.total, blockRow!.inUse, blockRow!.reserved, blockRow!.free], [64, 1, 2, 62]);
  });
});

describe('pool selection as Calico\'s IPAM applies it', () => {
  test('namespaceSelector is evaluated on the namespace\'s labels (no labels when there is none)', async () => {
    const ds = await store(node('n1'),
      pool('team-a', '10.50.0.0/24', { namespaceSelector: "team == 'a'" }),
      pool('not-a', '10.51.0.0/24', { namespaceSelector: "!has(team)" }));
    const ipam = createIpam(ds);
    const a = (await ipam.autoAssign({ handleId: 'a', node: 'n1', num4: 1, namespaceLabels: { team: 'a' } })).ips[0]!;
    assert.ok(inCidr(a, '10.50.0.0/24'), a);
    const none = (await ipam.autoAssign({ handleId: 'b', node: 'n1', num4: 1 })).ips[0]!;
    assert.ok(inCidr(none, '10.51.0.0/24'), none);
    await assert.rejects(ipam.autoAssign({ handleId: 'c', node: 'n1', num4: 1, namespaceLabels: { team: 'b' } }), (e: unknown) =>
      e instanceof IpamError && e.code === 'NoPools' && /namespaceSelector matching the namespace/.test(e.message));
    // A requested pool is used whatever its selectors say.
    const named = (await ipam.autoAssign({ handleId: 'd', node: 'n1', num4: 1, pools: ['team-a'], namespaceLabels: { team: 'b' } })).ips[0]!;
    assert.ok(inCidr(named, '10.50.0.0/24'), named);
  });

  test('a Manual pool (assignmentMode) is used only when a request names it', async () => {
    // Pools are tried in name order: the Manual one would come first.
    const ds = await store(node('n1'), pool('a-manual', '10.56.0.0/24', { assignmentMode: 'Manual' }), pool('z-auto', '10.55.0.0/24'));
    const ipam = createIpam(ds);
    for (let i = 0; i < 3; i++) assert.ok(inCidr((await ipam.autoAssign({ handleId: `a${i}`, node: 'n1', num4: 1 })).ips[0]!, '10.55.0.0/24'));
    assert.ok(inCidr((await ipam.autoAssign({ handleId: 'm', node: 'n1', num4: 1, pools: ['a-manual'] })).ips[0]!, '10.56.0.0/24'));
  });

  test('allowedUses: tunnel addresses only from Tunnel pools, pods only from Workload pools, also by address', async () => {
    const ds = await store(node('n1'),
      pool('pods', '10.60.0.0/24', { allowedUses: ['Workload'], ipipMode: 'Always' }),
      pool('tunnels', '10.61.0.0/24', { allowedUses: ['Tunnel'], ipipMode: 'Always' }));
    const ipam = createIpam(ds);
    assert.ok(inCidr((await ipam.ensureTunnelAddress('n1', 'ipip'))!, '10.61.0.0/24'));
    for (let i = 0; i < 3; i++) assert.ok(inCidr((await ipam.autoAssign({ handleId: `w${i}`, node: 'n1', num4: 1 })).ips[0]!, '10.60.0.0/24'));
    await assert.rejects(ipam.assignIP('10.61.0.200', 'w9', 'n1', {}, 'Workload'), (e: unknown) => e instanceof IpamError &&
      e.message === 'IP address 10.61.0.200 is in IP pool tunnels, which is not allowed for use Workload (allowedUses: Tunnel)');
    await assert.rejects(ipam.assignIP('10.99.0.1', 'w9', 'n1', {}, 'Workload'), /10\.99\.0\.1 is not in any configured IP pool/);
  });
});

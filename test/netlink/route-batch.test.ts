// The batched route writer against a real kernel: whatever it writes must be exactly what `ip route replace`
// writes for the same route (compared through iproute2's own JSON view), rejections must come back for the
// right route with the kernel's errno, and nothing else may be lost. Plus the pure codec (no root).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { encodeNewRoute, parseErrors, replaceRoutesBatched, RouteBatchError, type BatchRoute } from '../../src/netlink/route-batch.ts';
import { NetlinkKernel } from '../../src/agent/dataplane/netlink-kernel.ts';

describe('RTM_NEWROUTE codec', () => {
  test('header, rtmsg and attributes as rtnetlink(7) lays them out', () => {
    const m = encodeNewRoute({ dst: '10.65.1.0/26', type: 'unicast', gateway: '172.17.0.40', oif: 7, onlink: true, proto: 80 }, 42);
    assert.equal(m.readUInt32LE(0), m.length);
    assert.equal(m.readUInt16LE(4), 24); // RTM_NEWROUTE
    assert.equal(m.readUInt16LE(6), 0x501); // REQUEST | REPLACE | CREATE, no ACK
    assert.equal(m.readUInt32LE(8), 42);
    assert.deepEqual([...m.subarray(16, 24)], [2, 26, 0, 0, 254, 80, 0, 1]); // AF_INET, /26, main, proto 80, universe, unicast
    assert.equal(m.readUInt32LE(24), 4); // RTNH_F_ONLINK
    // RTA_TABLE 254, RTA_DST 10.65.1.0, RTA_GATEWAY 172.17.0.40, RTA_OIF 7
    assert.deepEqual([...m.subarray(28)], [8, 0, 15, 0, 254, 0, 0, 0, 8, 0, 1, 0, 10, 65, 1, 0, 8, 0, 5, 0, 172, 17, 0, 40, 8, 0, 4, 0, 7, 0, 0, 0]);
  });
  test('a blackhole keeps universe scope; a device route without gateway gets link scope, as ip does', () => {
    assert.equal(encodeNewRoute({ dst: '10.65.0.0/26', type: 'blackhole', proto: 80 }, 1)[22], 0);
    assert.equal(encodeNewRoute({ dst: '10.65.0.0/26', type: 'blackhole', proto: 80 }, 1)[23], 6);
    assert.equal(encodeNewRoute({ dst: '10.65.0.5/32', type: 'unicast', oif: 3, proto: 80 }, 1)[22], 253);
  });
  test('bad input is named', () => {
    assert.throws(() => encodeNewRoute({ dst: '10.65.0.0/33', type: 'unicast', proto: 80 }, 1), (e) => e instanceof RouteBatchError && /10\.65\.0\.0\/33/.test(e.message));
    assert.throws(() => encodeNewRoute({ dst: '10.65.0.0/26', type: 'unicast', gateway: 'fe80::1', proto: 80 }, 1), /another address family/);
    assert.throws(() => encodeNewRoute({ dst: '10.65.0.0/26', type: 'unicast', gateway: '10.0.0.0/8', proto: 80 }, 1), /not an address/);
  });
  test('NLMSG_ERROR parsing: errors with their sequence numbers, ACKs (error 0) and truncation ignored', () => {
    const msg = (seq: number, err: number) => {
      const b = Buffer.alloc(36);
      b.writeUInt32LE(36, 0); b.writeUInt16LE(2, 4); b.writeInt32LE(-err, 16); b.writeUInt32LE(seq, 28);
      return b;
    };
    const buf = Buffer.concat([msg(5, 19), msg(6, 0), msg(9, 17), msg(10, 3).subarray(0, 20)]);
    assert.deepEqual(parseErrors(buf), [{ seq: 5, errno: 'ENODEV' }, { seq: 9, errno: 'EEXIST' }]);
  });
});

describe('batched route writes in a namespace', { skip: netnsSkipReason() }, () => {
  const fx = new NetnsFixture();
  let a: string, b: string;
  const routeJson = (ns: string) => JSON.parse(fx.exec(ns, ['ip', '-j', '-d', 'route', 'show', 'proto', '80'])) as unknown[];
  const routes6 = (ns: string) => JSON.parse(fx.exec(ns, ['ip', '-6', '-j', '-d', 'route', 'show', 'proto', '80'])) as unknown[];
  const ifindex = (ns: string, dev: string) => Number((JSON.parse(fx.exec(ns, ['ip', '-j', 'link', 'show', dev])) as Array<{ ifindex: number }>)[0]!.ifindex);
  before(() => {
    a = fx.add('a'); b = fx.add('b');
    for (const ns of [a, b]) {
      fx.exec(ns, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0']);
      fx.exec(ns, ['ip', 'link', 'set', 'eth0', 'up']);
      fx.exec(ns, ['ip', 'link', 'set', 'peer0', 'up']);
      fx.exec(ns, ['ip', 'addr', 'add', '10.0.1.11/24', 'dev', 'eth0']);
      fx.exec(ns, ['ip', 'addr', 'add', 'fd00:1::11/64', 'dev', 'eth0', 'nodad']);
    }
  });
  after(() => fx.cleanupSync());

  test('every kind of route the agent writes ends up exactly as `ip route replace` leaves it', async () => {
    const kinds: Array<[BatchRoute, string]> = [
      [{ dst: '10.65.1.0/26', type: 'unicast', gateway: '10.0.1.40', proto: 80 }, 'route replace 10.65.1.0/26 via 10.0.1.40 dev eth0 proto 80'],
      [{ dst: '10.65.2.0/26', type: 'unicast', gateway: '172.17.9.9', onlink: true, proto: 80 }, 'route replace 10.65.2.0/26 via 172.17.9.9 dev eth0 proto 80 onlink'],
      [{ dst: '10.65.0.0/26', type: 'blackhole', proto: 80 }, 'route replace blackhole 10.65.0.0/26 proto 80'],
      [{ dst: '10.65.0.7/32', type: 'unicast', proto: 80 }, 'route replace 10.65.0.7/32 dev peer0 proto 80'],
      [{ dst: '10.65.3.0/26', type: 'unicast', scope: 'link', proto: 80 }, 'route replace 10.65.3.0/26 dev eth0 proto 80 scope link'],
      [{ dst: 'fd65::/122', type: 'unicast', gateway: 'fd00:1::40', proto: 80 }, 'route replace fd65::/122 via fd00:1::40 dev eth0 proto 80'],
      [{ dst: 'fd66::/122', type: 'blackhole', proto: 80 }, 'route replace blackhole fd66::/122 proto 80'],
    ];
    const devOf = (line: string) => /dev (\S+)/.exec(line)?.[1];
    const batch = kinds.map(([r, line]) => ({ ...r, ...(devOf(line) ? { oif: ifindex(a, devOf(line)!) } : {}) }));
    assert.deepEqual(await replaceRoutesBatched(batch, fx.path(a)), []);
    fx.exec(b, ['ip', '-batch', '-'], { input: kinds.map(([, line]) => line).join('\n') + '\n' });
    assert.equal(routeJson(a).length, 5);
    assert.deepEqual(routeJson(a), routeJson(b));
    assert.deepEqual(routes6(a), routes6(b));
    // Replacing is idempotent: the same batch again changes nothing and fails nothing.
    assert.deepEqual(await replaceRoutesBatched(batch, fx.path(a)), []);
    assert.deepEqual(routeJson(a), routeJson(b));
  });

  test('thousands of routes over several chunks; rejections come back for the right route, the rest are written', async () => {
    const oif = ifindex(a, 'eth0');
    const many: BatchRoute[] = Array.from({ length: 3000 }, (_, i) => ({ dst: `10.${100 + (i >> 8)}.${i & 255}.0/24`, type: 'unicast', gateway: '10.0.1.1', oif, proto: 80 }));
    many[10] = { ...many[10]!, oif: 99999, onlink: true }; // no such device (onlink: the kernel looks the device up first)
    many[1500] = { ...many[1500]!, gateway: '192.0.2.1' }; // gateway not on a connected network, not onlink
    many[2999] = { ...many[2999]!, dst: 'not-a-cidr' }; // refused before the kernel sees it
    const failures = await replaceRoutesBatched(many, fx.path(a));
    assert.deepEqual(failures.map((f) => [f.index, f.errno]).sort((x, y) => Number(x[0]) - Number(y[0])), [[10, 'ENODEV'], [1500, 'ENETUNREACH'], [2999, 'EINVAL']]);
    const present = new Set((routeJson(a) as Array<{ dst: string }>).map((r) => r.dst));
    for (const [i, r] of many.entries()) assert.equal(present.has(r.dst), ![10, 1500, 2999].includes(i), `${i} ${r.dst}`);
  });

  test('the agent kernel\'s bulk path resolves devices and reports a vanished one as that route\'s failure', async () => {
    const k = new NetlinkKernel(fx.path(b));
    try {
      const failed = await k.replaceRoutesBulk([
        { dst: '10.70.0.0/26', type: 'unicast', gateway: '10.0.1.40', dev: 'eth0', proto: 80 },
        { dst: '10.70.1.0/26', type: 'unicast', gateway: '10.0.1.40', dev: 'nosuchdev', proto: 80 },
        { dst: '10.70.2.0/26', type: 'blackhole', proto: 80 },
      ]);
      assert.deepEqual([...failed], [1]);
      const dsts = (routeJson(b) as Array<{ dst: string }>).map((r) => r.dst);
      assert.ok(dsts.includes('10.70.0.0/26') && dsts.includes('10.70.2.0/26') && !dsts.includes('10.70.1.0/26'));
    } finally { k.close(); }
  });
});

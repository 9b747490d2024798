// Reconcilers against a fake kernel: ownership, adoption of CNI routes, grace period, retries after
// failures, restart without churn, VXLAN device/neighbour convergence, NAT script rendering.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { DeltaTracker } from '../../src/agent/dataplane/delta-tracker.ts';
import { RouteTable } from '../../src/agent/dataplane/route-table.ts';
import { VxlanManager } from '../../src/agent/dataplane/vxlan.ts';
import { natScript, renderNatTable, summarizeNft } from '../../src/agent/dataplane/nat.ts';
import { SysctlManager } from '../../src/agent/dataplane/sysctls.ts';
import { parseIpRouteJson } from '../../src/agent/dataplane/netlink-kernel.ts';
import type { DesiredRoute, DesiredState } from '../../src/agent/calc/types.ts';
import { FakeKernel } from './fake-kernel.ts';

const log = pino({ level: 'silent' });

function state(routes: DesiredRoute[], extra: Partial<DesiredState> = {}): DesiredState {
  return { routes: new Map(routes.map((r) => [r.dst, r])), vteps: new Map(), nat: { masqPools: [], allPools: [] }, workloadInterfaces: [], podMtu: 1450, problems: [], ...extra };
}
const vx = (dst: string, gw: string): DesiredRoute => ({ dst, type: 'unicast', gateway: gw, dev: 'vxlan.calico', onlink: true, proto: 80, class: 'vxlan' });
const bh = (dst: string): DesiredRoute => ({ dst, type: 'blackhole', proto: 80, class: 'blackhole' });
const wl = (dst: string, dev: string): DesiredRoute => ({ dst, type: 'unicast', dev, scope: 'link', proto: 3, class: 'workload' });

describe('DeltaTracker', () => {
  test('pending updates and deletions follow desired vs dataplane', () => {
    const t = new DeltaTracker<string, number>((a, b) => a === b);
    t.setDesired(new Map([['a', 1], ['b', 2]]));
    t.replaceDataplane(new Map([['b', 3], ['c', 4]]));
    assert.deepEqual([...t.pendingUpdates()], [['a', 1], ['b', 2]]);
    assert.deepEqual([...t.pendingDeletions()], [['c', 4]]);
    t.setDataplane('a', 1); t.setDataplane('b', 2); t.deleteDataplane('c');
    assert.equal(t.inSyncAll(), true);
  });
});

describe('RouteTable', () => {
  function setup() {
    const k = new FakeKernel();
    k.addLink('eth0'); k.addLink('vxlan.calico'); k.addLink('cali1'); k.addLink('cali2');
    let now = 1000;
    const rt = new RouteTable(k, log, { graceMs: 10_000, now: () => now });
    return { k, rt, advance: (ms: number) => { now += ms; } };
  }

  test('programs desired routes and leaves routes it does not own alone', async () => {
    const { k, rt } = setup();
    k.routes.set('10.0.0.0/24', { dst: '10.0.0.0/24', type: 'unicast', dev: 'eth0', onlink: false, scope: 'link', proto: 2 });
    k.routes.set('0.0.0.0/0', { dst: '0.0.0.0/0', type: 'unicast', dev: 'eth0', gateway: '10.0.0.1', onlink: false, scope: 'universe', proto: 3 });
    rt.onUpdate(state([vx('10.244.1.0/26', '10.244.1.0'), bh('10.244.0.0/26')]));
    await rt.apply();
    assert.deepEqual(k.ops.sort(), ['replace 10.244.0.0/26', 'replace 10.244.1.0/26']);
    assert.equal(k.routes.size, 4);
    rt.onUpdate(state([]));
    await rt.apply();
    assert.deepEqual([...k.routes.keys()].sort(), ['0.0.0.0/0', '10.0.0.0/24']);
  });

  test('keepBgpRoutes: BGP routes from before a restart stay until the speaker delivers its routes, then go', async () => {
    const { k, rt } = setup();
    k.routes.set('10.244.7.0/26', { dst: '10.244.7.0/26', type: 'unicast', dev: 'eth0', gateway: '10.0.0.7', onlink: false, scope: 'universe', proto: 12 });
    k.routes.set('10.244.0.0/26', { dst: '10.244.0.0/26', type: 'blackhole', onlink: false, scope: 'universe', proto: 12 });
    rt.keepBgpRoutes = true;
    rt.onUpdate(state([]));
    await rt.apply();
    // The learned unicast route is held; a stale blackhole is not (the agent itself owns blackholes).
    assert.deepEqual([...k.routes.keys()].sort(), ['10.244.7.0/26']);
    rt.keepBgpRoutes = false;
    await rt.apply();
    assert.deepEqual([...k.routes.keys()], []);
  });

  test('adopts the CNI plugin\'s workload route whatever its protocol: no delete, no re-add', async () => {
    const { k, rt } = setup();
    k.routes.set('10.244.0.5/32', { dst: '10.244.0.5/32', type: 'unicast', dev: 'cali1', onlink: false, scope: 'link', proto: 3 });
    k.routes.set('10.244.0.6/32', { dst: '10.244.0.6/32', type: 'unicast', dev: 'cali2', onlink: false, scope: 'link', proto: 4 });
    rt.onUpdate(state([wl('10.244.0.5/32', 'cali1'), wl('10.244.0.6/32', 'cali2')]));
    await rt.apply();
    assert.deepEqual(k.ops, []);
  });

  test('an unknown cali route survives the grace period, then goes', async () => {
    const { k, rt, advance } = setup();
    k.routes.set('10.244.0.9/32', { dst: '10.244.0.9/32', type: 'unicast', dev: 'cali1', onlink: false, scope: 'link', proto: 3 });
    rt.onUpdate(state([]));
    await rt.apply();
    assert.ok(k.routes.has('10.244.0.9/32'));
    assert.equal(rt.nextGraceExpiry(), 11_000);
    advance(9_000);
    await rt.apply();
    assert.ok(k.routes.has('10.244.0.9/32'));
    advance(1_500);
    await rt.apply();
    assert.equal(k.routes.has('10.244.0.9/32'), false);
  });

  test('a wrong owned route is replaced; a stale proto 80 / bird route is deleted at once', async () => {
    const { k, rt } = setup();
    k.routes.set('10.244.1.0/26', { dst: '10.244.1.0/26', type: 'unicast', dev: 'eth0', gateway: '10.0.0.12', onlink: true, scope: 'universe', proto: 80 });
    k.routes.set('10.244.9.0/26', { dst: '10.244.9.0/26', type: 'unicast', dev: 'eth0', gateway: '10.0.0.19', onlink: false, scope: 'universe', proto: 12 });
    rt.onUpdate(state([vx('10.244.1.0/26', '10.244.1.0')]));
    await rt.apply();
    assert.deepEqual(k.ops.sort(), ['delete 10.244.9.0/26', 'replace 10.244.1.0/26']);
    assert.equal(k.routes.get('10.244.1.0/26')!.dev, 'vxlan.calico');
  });

  test('a failed write throws, then the retry resyncs from the kernel and finishes', async () => {
    const { k, rt } = setup();
    k.failNext.add('replaceRoute');
    rt.onUpdate(state([vx('10.244.1.0/26', '10.244.1.0'), vx('10.244.2.0/26', '10.244.2.0')]));
    await assert.rejects(rt.apply(), /route operation\(s\) failed/);
    await rt.apply();
    assert.deepEqual([...k.routes.keys()].sort(), ['10.244.1.0/26', '10.244.2.0/26']);
    assert.equal(rt.stats.errors, 1);
  });

  test('large updates take the bulk path; lines it rejects fail the apply and are retried after a resync', async () => {
    const { k } = setup();
    const rt = new RouteTable(k, log, { bulkThreshold: 10 });
    const many = Array.from({ length: 20 }, (_, i) => vx(`10.244.${i}.0/26`, `10.244.${i}.0`));
    k.bulkReject.add('10.244.3.0/26');
    rt.onUpdate(state(many));
    await assert.rejects(rt.apply(), /1 route operation\(s\) failed: replace 10\.244\.3\.0\/26/);
    assert.equal(k.bulkCalls, 1);
    assert.equal(k.routes.size, 19);
    k.bulkReject.clear();
    await rt.apply();
    assert.equal(k.routes.size, 20);
    assert.equal(k.bulkCalls, 1, 'one missing route goes through the normal path');
  });

  test('a restarted agent (fresh RouteTable, same kernel) changes nothing when the kernel is right', async () => {
    const { k, rt } = setup();
    const desired = state([vx('10.244.1.0/26', '10.244.1.0'), bh('10.244.0.0/26'), wl('10.244.0.5/32', 'cali1')]);
    rt.onUpdate(desired);
    await rt.apply();
    k.ops = [];
    const rt2 = new RouteTable(k, log);
    rt2.onUpdate(desired);
    await rt2.apply();
    assert.deepEqual(k.ops, []);
    assert.equal(rt2.programmedCount(), 3);
  });

  test('a route deleted behind the agent\'s back comes back after a resync', async () => {
    const { k, rt } = setup();
    rt.onUpdate(state([vx('10.244.1.0/26', '10.244.1.0')]));
    await rt.apply();
    k.routes.clear();
    await rt.apply();
    assert.equal(k.routes.size, 0, 'without a resync the agent trusts its own view');
    rt.requestResync();
    await rt.apply();
    assert.equal(k.routes.size, 1);
  });
});

describe('VxlanManager', () => {
  const local = { tunnelIp: '10.244.0.0', mac: '66:00:00:00:00:01', nodeIp: '10.0.0.11', parentIface: 'eth0', mtu: 1450, vni: 4096, port: 4789 };
  const vteps = new Map([['b', { node: 'b', tunnelIp: '10.244.1.0', mac: '66:00:00:00:00:02', nodeIp: '10.0.0.12' }]]);

  test('creates the device, its address, ARP and FDB; a second apply is a no-op', async () => {
    const k = new FakeKernel(); k.addLink('eth0');
    const m = new VxlanManager(k, log);
    m.onUpdate(state([], { localVtep: local, vteps }));
    await m.apply();
    assert.deepEqual(k.ops, ['create vxlan.calico', 'addr add 10.244.0.0/32', 'neigh 10.244.1.0 66:00:00:00:00:02', 'fdb 66:00:00:00:00:02 10.0.0.12']);
    k.ops = [];
    m.onUpdate(state([], { localVtep: local, vteps }));
    await m.apply();
    m.requestResync();
    await m.apply();
    assert.deepEqual(k.ops, []);
  });

  test('wrong VNI → recreated; wrong MAC/MTU → fixed in place; stale neighbours removed', async () => {
    const k = new FakeKernel(); k.addLink('eth0');
    const m = new VxlanManager(k, log);
    m.onUpdate(state([], { localVtep: local, vteps }));
    await m.apply();
    k.links.get('vxlan.calico')!.mac = '66:ff:ff:ff:ff:ff';
    k.links.get('vxlan.calico')!.mtu = 1500;
    await k.replaceNeighbor('vxlan.calico', '10.244.9.0', '66:00:00:00:00:09');
    await k.replaceFdb('vxlan.calico', '66:00:00:00:00:09', '10.0.0.19');
    k.ops = [];
    m.requestResync();
    await m.apply();
    assert.deepEqual(k.ops, ['mac vxlan.calico 66:00:00:00:00:01', 'mtu vxlan.calico 1450', 'neigh del 10.244.9.0', 'fdb del 66:00:00:00:00:09']);
    k.links.get('vxlan.calico')!.vxlan!.vni = 1;
    k.ops = [];
    m.requestResync();
    await m.apply();
    assert.equal(k.ops[0], 'delete link vxlan.calico');
    assert.equal(k.links.get('vxlan.calico')!.vxlan!.vni, 4096);
  });

  test('no local VTEP → the device is removed', async () => {
    const k = new FakeKernel(); k.addLink('eth0');
    const m = new VxlanManager(k, log);
    m.onUpdate(state([], { localVtep: local, vteps }));
    await m.apply();
    m.onUpdate(state([]));
    await m.apply();
    assert.equal(k.links.has('vxlan.calico'), false);
  });
});

describe('NAT', () => {
  test('the table masquerades pool sources to destinations outside every pool', () => {
    const t = renderNatTable({ masqPools: ['10.244.0.0/16'], allPools: ['10.244.0.0/16', '10.99.0.0/16'] });
    assert.match(t, /set masq-ipam-pools \{[^}]*elements = \{ 10\.244\.0\.0\/16 \}/);
    assert.match(t, /elements = \{ 10\.244\.0\.0\/16, 10\.99\.0\.0\/16 \}/);
    assert.match(t, /type nat hook postrouting priority srcnat \+ 10/);
    assert.match(t, /ip saddr @masq-ipam-pools ip daddr != @all-ipam-pools masquerade fully-random/);
    assert.equal(natScript({ masqPools: [], allPools: ['10.244.0.0/16'] }), 'table ip tabby-nat {}\ndelete table ip tabby-nat\n');
  });
  test('summarizeNft reads sets back from nft -j output', () => {
    const objs = [{ table: {} }, { set: { name: 'masq-ipam-pools', elem: [{ prefix: { addr: '10.244.0.0', len: 16 } }] } }, { set: { name: 'all-ipam-pools', elem: [{ prefix: { addr: '10.99.0.0', len: 16 } }, { prefix: { addr: '10.244.0.0', len: 16 } }] } }, { rule: {} }];
    assert.deepEqual(summarizeNft(objs), { masq: ['10.244.0.0/16'], all: ['10.244.0.0/16', '10.99.0.0/16'], rules: 1 });
  });
});

describe('SysctlManager', () => {
  test('writes only values that differ, skips missing interfaces until they appear', async () => {
    const k = new FakeKernel();
    k.sysctls.set('net.ipv4.ip_forward', '0');
    for (const [key, v] of [['forwarding', '1'], ['proxy_arp', '0'], ['route_localnet', '1'], ['rp_filter', '0']]) k.sysctls.set(`net.ipv4.conf.cali1.${key}`, v!);
    k.sysctls.set('net.ipv4.neigh.cali1.proxy_delay', '80');
    const m = new SysctlManager(k, log);
    m.onUpdate(state([], { workloadInterfaces: ['cali1', 'cali2'] }));
    await m.apply();
    assert.deepEqual(k.ops, ['sysctl net.ipv4.ip_forward=1', 'sysctl net.ipv4.conf.cali1.proxy_arp=1', 'sysctl net.ipv4.conf.cali1.rp_filter=1', 'sysctl net.ipv4.neigh.cali1.proxy_delay=0']);
  });
});

describe('parseIpRouteJson', () => {
  test('reads `ip -N -j route show` as the reconciler sees routes', () => {
    const sample = '[{"dst":"default","gateway":"10.0.0.254","dev":"eth0","flags":[]},{"dst":"10.0.0.0/24","dev":"eth0","protocol":"2","scope":"253","prefsrc":"10.0.0.1","flags":[]},{"type":"6","dst":"10.244.0.0/26","protocol":"80","flags":[]},{"dst":"10.244.0.5","dev":"eth0","scope":"253","flags":[]},{"dst":"10.244.0.6","dev":"eth0","protocol":"12","scope":"253","flags":[]},{"dst":"10.244.1.0/26","gateway":"10.244.1.0","dev":"vxlan.calico","protocol":"80","flags":["onlink"]}]';
    assert.deepEqual(parseIpRouteJson(sample), [
      { dst: '0.0.0.0/0', type: 'unicast', scope: 'universe', proto: 3, dev: 'eth0', gateway: '10.0.0.254', onlink: false, metric: undefined },
      { dst: '10.0.0.0/24', type: 'unicast', scope: 'link', proto: 2, dev: 'eth0', gateway: undefined, onlink: false, metric: undefined },
      { dst: '10.244.0.0/26', type: 'blackhole', scope: 'universe', proto: 80, dev: undefined, gateway: undefined, onlink: false, metric: undefined },
      { dst: '10.244.0.5/32', type: 'unicast', scope: 'link', proto: 3, dev: 'eth0', gateway: undefined, onlink: false, metric: undefined },
      { dst: '10.244.0.6/32', type: 'unicast', scope: 'link', proto: 12, dev: 'eth0', gateway: undefined, onlink: false, metric: undefined },
      { dst: '10.244.1.0/26', type: 'unicast', scope: 'universe', proto: 80, dev: 'vxlan.calico', gateway: '10.244.1.0', onlink: true, metric: undefined },
    ]);
  });
});

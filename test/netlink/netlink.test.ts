// The netlink wrapper against a real kernel, inside throwaway namespaces; every result is cross-checked
// with iproute2's view. Needs root. Also the pure address codecs (no root).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import {
  AF_BRIDGE, AF_INET, bytesToIp, ipToBytes, isNetlinkError, Netlink, parseRouteDestination, readSysctl, withNetns, writeSysctl,
} from '../../src/netlink/index.ts';

describe('address codecs', () => {
  test('IPv4 and IPv6 round-trip, with RFC 5952 compression', () => {
    for (const ip of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '::', '::1', 'fe80::ecee:eeff:feee:eeee', '2001:db8::1:0:0:1', '1:2:3:4:5:6:7:8']) {
      assert.equal(bytesToIp(ipToBytes(ip)), ip);
    }
    assert.equal(bytesToIp(ipToBytes('::ffff:10.1.2.3')), '::ffff:a01:203');
    assert.equal(bytesToIp(ipToBytes('2001:0db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
  });
  test('CIDRs: default, host addresses, bad input named', () => {
    assert.deepEqual(parseRouteDestination('default'), { ip: 0n, prefix: 0, family: 4 });
    assert.deepEqual(parseRouteDestination('default', 6), { ip: 0n, prefix: 0, family: 6 });
    assert.deepEqual(parseRouteDestination('10.1.2.3'), { ip: 0x0a010203n, prefix: 32, family: 4 });
    assert.throws(() => parseRouteDestination('10.1.2.3/33'), /invalid CIDR: "10\.1\.2\.3\/33"/);
    assert.throws(() => parseRouteDestination('10.1.2/8'), /invalid CIDR: "10\.1\.2\/8"/);
  });
});

describe('Netlink in namespaces', { skip: netnsSkipReason() }, () => {
  const fx = new NetnsFixture();
  let a: string, b: string;
  let nl: Netlink;
  before(() => {
    a = fx.add('a'); b = fx.add('b');
    nl = Netlink.open({ netns: fx.path(a) });
  });
  after(() => { nl?.close(); fx.cleanupSync(); });

  test('veth pair with the peer created straight into another namespace, MAC/MTU set, up', async () => {
    const fd = openSync(fx.path(b), 'r');
    let v;
    try {
      v = await nl.createVeth({ name: 'h0', peerName: 'eth0', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1440, peerNetnsFd: fd });
    } finally { closeSync(fd); }
    assert.equal(v.name, 'h0');
    assert.equal(v.mac, 'ee:ee:ee:ee:ee:ee');
    assert.equal(v.mtu, 1440);
    assert.equal(v.kind, 'veth');
    await nl.setLinkUp(v.index);
    assert.equal((await nl.getLink('h0'))?.up, true);
    assert.match(fx.exec(b, ['ip', 'link', 'show', 'eth0']), /mtu 1440/);
    const nlb = Netlink.open({ netns: fx.path(b) });
    try {
      const peer = await nlb.mustGetLink('eth0');
      await nlb.setMtu(peer.index, 1400);
      await nlb.setMac(peer.index, '02:00:00:00:00:01');
      await nlb.setLinkUp(peer.index);
      const after = await nlb.mustGetLink('eth0');
      assert.deepEqual([after.mtu, after.mac, after.up], [1400, '02:00:00:00:00:01', true]);
    } finally { nlb.close(); }
    assert.equal(await nl.getLink('no-such-link'), undefined);
    await assert.rejects(nl.createVeth({ name: 'h0', peerName: 'x0' }), (e) => isNetlinkError(e, 'EEXIST'));
  });

  test('addresses: add, list, duplicate rejected, delete', async () => {
    const h0 = await nl.mustGetLink('h0');
    await nl.addAddress(h0.index, '10.9.0.1/32');
    await nl.addAddress(h0.index, 'fd00::1/128');
    assert.deepEqual((await nl.listAddresses({ index: h0.index, family: 4 })).map((x) => x.cidr), ['10.9.0.1/32']);
    assert.ok((await nl.listAddresses({ index: h0.index, family: 6 })).some((x) => x.cidr === 'fd00::1/128'));
    await assert.rejects(nl.addAddress(h0.index, '10.9.0.1/32'), (e) => isNetlinkError(e, 'EEXIST'));
    await nl.delAddress(h0.index, '10.9.0.1/32');
    assert.doesNotMatch(fx.exec(a, ['ip', 'addr', 'show', 'h0']), /10\.9\.0\.1/);
    await nl.addAddress(h0.index, '10.9.0.1/32');
  });

  test('routes: scope link, onlink via, blackhole, proto, table, metric; replace and delete', async () => {
    const h0 = await nl.mustGetLink('h0');
    await nl.addRoute({ dst: '10.9.1.5/32', oif: h0.index, scope: 'link' });
    await nl.addRoute({ dst: '10.9.2.0/26', type: 'blackhole', protocol: 80 });
    await nl.addRoute({ dst: '10.9.3.0/26', gateway: '10.9.9.9', oif: h0.index, onlink: true, protocol: 80 });
    await nl.addRoute({ dst: '10.9.4.0/24', gateway: '10.9.9.9', oif: h0.index, onlink: true, table: 100, metric: 7 });
    await nl.addRoute({ dst: 'default', gateway: '10.9.9.9', oif: h0.index, onlink: true });
    const text = fx.exec(a, ['ip', 'route']);
    assert.match(text, /^10\.9\.1\.5 dev h0 scope link/m);
    assert.match(text, /^blackhole 10\.9\.2\.0\/26 proto 80/m);
    assert.match(text, /^10\.9\.3\.0\/26 via 10\.9\.9\.9 dev h0 proto 80 onlink/m);
    assert.match(text, /^default via 10\.9\.9\.9 dev h0 onlink/m);
    assert.match(fx.exec(a, ['ip', 'route', 'show', 'table', '100']), /^10\.9\.4\.0\/24 via 10\.9\.9\.9 dev h0 metric 7 onlink/m);
    const routes = await nl.listRoutes();
    const bh = routes.find((r) => r.dst === '10.9.2.0/26');
    assert.deepEqual([bh?.type, bh?.protocol], ['blackhole', 80]);
    const on = routes.find((r) => r.dst === '10.9.3.0/26');
    assert.deepEqual([on?.gateway, on?.oif, on?.onlink, on?.protocol], ['10.9.9.9', h0.index, true, 80]);
    assert.equal(routes.find((r) => r.dst === '10.9.1.5/32')?.scope, 'link');
    assert.equal(routes.find((r) => r.dst === '0.0.0.0/0')?.gateway, '10.9.9.9');
    assert.equal((await nl.listRoutes({ table: 100 })).find((r) => r.dst === '10.9.4.0/24')?.metric, 7);
    assert.ok((await nl.listRoutes({ table: 'all' })).some((r) => r.table === 100));
    await assert.rejects(nl.addRoute({ dst: '10.9.2.0/26', type: 'blackhole', protocol: 80 }), (e) => isNetlinkError(e, 'EEXIST'));
    await nl.replaceRoute({ dst: '10.9.2.0/26', gateway: '10.9.9.8', oif: h0.index, onlink: true, protocol: 80 });
    assert.match(fx.exec(a, ['ip', 'route']), /^10\.9\.2\.0\/26 via 10\.9\.9\.8 dev h0 proto 80 onlink/m);
    await nl.delRoute({ dst: '10.9.2.0/26' });
    await assert.rejects(nl.delRoute({ dst: '10.9.2.0/26' }), (e) => isNetlinkError(e, 'ESRCH'));
    await nl.delRoute({ dst: '10.9.4.0/24', table: 100, metric: 7 });
    assert.equal(fx.exec(a, ['ip', 'route', 'show', 'table', '100']).trim(), '');
  });

  test('neighbours and VXLAN with FDB entries (family 7)', async () => {
    const h0 = await nl.mustGetLink('h0');
    const vx = await nl.createVxlan({ name: 'vxlan.calico', vni: 4096, port: 4789, local: '10.9.0.1', link: h0.index, mtu: 1350, mac: '66:aa:bb:cc:dd:01' });
    assert.equal(vx.kind, 'vxlan');
    const detail = fx.exec(a, ['ip', '-d', 'link', 'show', 'vxlan.calico']);
    assert.match(detail, /vxlan id 4096 local 10\.9\.0\.1 dev h0 .*dstport 4789 nolearning/);
    assert.match(detail, /mtu 1350/);
    await nl.appendFdb(vx.index, '66:00:00:00:00:02', '10.9.0.2');
    await nl.replaceNeighbor({ family: AF_INET, ifindex: vx.index, dst: '10.65.1.0', lladdr: '66:00:00:00:00:02' });
    assert.match(fx.exec(a, ['bridge', 'fdb', 'show', 'dev', 'vxlan.calico']), /66:00:00:00:00:02 dst 10\.9\.0\.2 self permanent/);
    assert.match(fx.exec(a, ['ip', 'neigh', 'show', 'dev', 'vxlan.calico']), /10\.65\.1\.0 lladdr 66:00:00:00:00:02 PERMANENT/);
    const fdb = await nl.listNeighbors(AF_BRIDGE, vx.index);
    assert.ok(fdb.some((f) => f.lladdr === '66:00:00:00:00:02' && f.dst === '10.9.0.2' && f.self && f.permanent));
    const arp = await nl.listNeighbors(AF_INET, vx.index);
    assert.deepEqual(arp.map((x) => [x.dst, x.lladdr, x.permanent]), [['10.65.1.0', '66:00:00:00:00:02', true]]);
    await nl.replaceFdb(vx.index, '66:00:00:00:00:02', '10.9.0.3');
    assert.match(fx.exec(a, ['bridge', 'fdb', 'show', 'dev', 'vxlan.calico']), /66:00:00:00:00:02 dst 10\.9\.0\.3 self permanent/);
    await nl.delNeighbor({ family: AF_BRIDGE, ifindex: vx.index, lladdr: '66:00:00:00:00:02', dst: '10.9.0.3', self: true });
    await nl.delNeighbor({ family: AF_INET, ifindex: vx.index, dst: '10.65.1.0' });
    assert.doesNotMatch(fx.exec(a, ['bridge', 'fdb', 'show', 'dev', 'vxlan.calico']), /66:00:00:00:00:02/);
    assert.equal((await nl.listNeighbors(AF_INET, vx.index)).length, 0);
    assert.equal(await nl.deleteLinkByName('vxlan.calico'), true);
    assert.equal(await nl.deleteLinkByName('vxlan.calico'), false);
  });

  test('moving a link to another namespace by fd; deleting one end of a veth removes both', async () => {
    const l = await nl.createVeth({ name: 'mv0', peerName: 'mv1' });
    const peer = await nl.mustGetLink('mv1');
    const fd = openSync(fx.path(b), 'r');
    try { await nl.moveToNetns(peer.index, fd); } finally { closeSync(fd); }
    assert.equal(await nl.getLink('mv1'), undefined);
    assert.match(fx.exec(b, ['ip', 'link', 'show', 'mv1']), /mv1@/);
    await nl.deleteLink(l.index);
    assert.equal(fx.run(b, ['ip', 'link', 'show', 'mv1']).status, 1);
  });

  test('dumps and requests issued concurrently on one socket all complete (a dump runs alone)', async () => {
    // Regression: two link dumps racing route writes on the agent's socket failed with "Multipart message
    // not terminated properly" (another request's ACK arriving between a dump's data and its DONE).
    fx.exec(a, ['ip', 'link', 'add', 'cc0', 'type', 'veth', 'peer', 'name', 'cc1']);
    fx.exec(a, ['ip', 'link', 'set', 'cc1', 'up']);
    fx.exec(a, ['ip', 'link', 'set', 'cc0', 'up']);
    const cc0 = (await nl.getLink('cc0'))!;
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      ops.push(nl.listLinks(), nl.listRoutes({ family: 4 }));
      ops.push(nl.replaceRoute({ dst: `10.77.${i}.0/26`, gateway: '10.77.255.1', oif: cc0.index, onlink: true, protocol: 12 }));
      ops.push(nl.getLink('cc0'), nl.listAddresses({ family: 4 }));
    }
    const results = await Promise.allSettled(ops);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failed, []);
    assert.equal((await nl.listRoutes({ family: 4 })).filter((r) => r.dst.startsWith('10.77.')).length, 40);
    await nl.deleteLink(cc0.index);
  });

  test('withNetns runs code inside and always switches back; sysctls per namespace', () => {
    const mine = readSysctl('net.ipv4.conf.lo.forwarding');
    writeSysctl('net.ipv4.conf.h0.proxy_arp', 1, fx.path(a));
    assert.equal(readSysctl('net.ipv4.conf.h0.proxy_arp', fx.path(a)), '1');
    assert.equal(fx.exec(a, ['cat', '/proc/sys/net/ipv4/conf/h0/proxy_arp']).trim(), '1');
    writeSysctl('net.ipv4.ip_forward', 1, fx.path(b));
    assert.equal(fx.exec(b, ['cat', '/proc/sys/net/ipv4/ip_forward']).trim(), '1');
    assert.throws(() => withNetns(fx.path(a), () => { throw new Error('boom'); }), /boom/);
    assert.throws(() => withNetns(fx.path(a), (async () => 1) as unknown as () => number), /synchronous/);
    assert.throws(() => withNetns('/run/netns/tabby-does-not-exist', () => 1), /ENOENT/);
    // Back in our own namespace: h0 does not exist here, and our own sysctl is unchanged.
    assert.throws(() => readSysctl('net.ipv4.conf.h0.proxy_arp'));
    assert.equal(readSysctl('net.ipv4.conf.lo.forwarding'), mine);
  });
});

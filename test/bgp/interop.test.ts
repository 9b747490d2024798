// Interop with the real daemons, each in its own namespace, our speaker (test/bgp/speaker-process.ts) in others.
//   BIRD 2 as route reflector for two of our nodes (mesh off), FRR as an eBGP top-of-rack peer,
//   GoBGP as an iBGP peer (plus graceful restart in both directions).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { formatNodeStatus } from '../../src/bgp/status.ts';
import path from 'node:path';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { addr, FAST, missing, OurSpeaker, peer, removeDir, tempDir, waitFor } from './harness.ts';

const fixtures: NetnsFixture[] = [];
const dirs: string[] = [];
after(() => { for (const f of fixtures) f.cleanupSync(); for (const d of dirs) removeDir(d); });

function lab(tag: string) {
  const fx = new NetnsFixture();
  fixtures.push(fx);
  const dir = tempDir(tag);
  dirs.push(dir);
  return { fx, dir };
}

/** A lab of two namespaces, a peer daemon's and our node n1, joined by one /30: `<net>.1` and `<net>.2`. */
function peerLab(tag: string, peerName: string, net: string) {
  const { fx, dir } = lab(tag);
  const peer = fx.add(peerName), n1 = fx.add('n1');
  fx.link(peer, 'eth0', n1, 'eth0');
  addr(fx, peer, 'eth0', `${net}.1/30`);
  addr(fx, n1, 'eth0', `${net}.2/30`);
  return { fx, dir, peer, n1 };
}

const skipBird = netnsSkipReason() || missing('/usr/sbin/bird', '/usr/sbin/birdc');
const skipFrr = netnsSkipReason() || missing('/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', '/usr/bin/vtysh');
const skipGobgp = netnsSkipReason() || missing('/usr/bin/gobgpd', '/usr/bin/gobgp');

describe('BIRD 2 as route reflector for our nodes (mesh off)', { skip: skipBird }, () => {
  test('blocks reflected between our nodes, BIRD route received, withdrawals, status', async () => {
    const { fx, dir } = lab('bird');
    const rr = fx.add('rr'), n1 = fx.add('n1'), n2 = fx.add('n2');
    fx.exec(rr, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    fx.exec(rr, ['ip', 'link', 'set', 'br0', 'up']);
    addr(fx, rr, 'br0', '10.88.0.1/24');
    for (const [ns, i] of [[n1, 1], [n2, 2]] as const) {
      fx.link(rr, `p${i}`, ns, 'eth0');
      fx.exec(rr, ['ip', 'link', 'set', `p${i}`, 'master', 'br0']);
      addr(fx, ns, 'eth0', `10.88.0.1${i}/24`);
    }
    const conf = path.join(dir, 'bird.conf');
    writeFileSync(conf, `router id 10.88.0.1;
log "${dir}/bird.log" all;
protocol device { }
protocol static { ipv4; route 10.210.0.0/24 blackhole; }
template bgp rrc {
  local 10.88.0.1 as 64512;
  rr client; rr cluster id 244.0.0.1;
  hold time 9; keepalive time 3; connect retry time 1; connect delay time 1; error wait time 1,5;
  graceful restart on;
  ipv4 { import all; export all; };
}
protocol bgp node1 from rrc { neighbor 10.88.0.11 as 64512; }
protocol bgp node2 from rrc { neighbor 10.88.0.12 as 64512; }
`);
    const ctl = path.join(dir, 'bird.ctl');
    fx.exec(rr, ['bird', '-c', conf, '-s', ctl, '-P', path.join(dir, 'bird.pid')]);
    const birdc = (...cmd: string[]) => fx.exec(rr, ['birdc', '-s', ctl, ...cmd]);

    const mk = (ip: string, block: string) => ({
      routerId: ip, asNumber: 64512, listenPort: 179, exports: [block], ...FAST,
      peers: [peer('10.88.0.1', 64512, { sourceAddress: ip })],
    });
    const s1 = new OurSpeaker(fx, n1, dir, 'node1', mk('10.88.0.11', '10.244.1.0/26'), ['--install-routes']);
    const s2 = new OurSpeaker(fx, n2, dir, 'node2', mk('10.88.0.12', '10.244.2.0/26'), ['--install-routes']);
    await s1.start();
    await s2.start();
    try {
      await waitFor('node2 learns node1 block via BIRD', () => s2.has('10.244.1.0/26', '10.88.0.11'));
      await waitFor('node1 learns node2 block via BIRD', () => s1.has('10.244.2.0/26', '10.88.0.12'));
      await waitFor('node1 learns BIRD static route', () => s1.has('10.210.0.0/24', '10.88.0.1'));
      // node2's count below includes it: BIRD may send it to node2 a moment after node1.
      await waitFor('node2 learns BIRD static route', () => s2.has('10.210.0.0/24', '10.88.0.1'));
      const bird = birdc('show', 'route');
      assert.match(bird, /10\.244\.1\.0\/26/);
      assert.match(bird, /10\.244\.2\.0\/26/);
      // The learned route is programmed proto bird, as in the article.
      await waitFor('kernel route on node2', () => /10\.244\.1\.0\/26 via 10\.88\.0\.11 dev eth0 proto bird/.test(fx.exec(n2, ['ip', 'route'])));
      const st = await s2.status();
      assert.equal(st.peers[0]!.state, 'Established');
      assert.equal(st.peers[0]!.peerType, 'global');
      assert.ok(st.peers[0]!.prefixesReceived >= 2);
      assert.equal(st.peers[0]!.prefixesSent, 1);

      // Withdrawal through the reflector.
      s1.reload({ ...s1.cfg, exports: [] });
      await waitFor('node2 loses node1 block', () => !s2.has('10.244.1.0/26'));
      await waitFor('kernel route removed', () => !/10\.244\.1\.0\/26/.test(fx.exec(n2, ['ip', 'route'])));
      assert.equal((await s2.status()).peers[0]!.state, 'Established', 'reload did not reset the session');
      birdc('disable', 'node2');
      await waitFor('node2 sees BIRD close the session', async () => (await s2.status()).peers[0]!.state !== 'Established');
      assert.match((await s2.status()).peers[0]!.lastError ?? '', /Received: Cease/);
    } finally {
      await s1.stop();
      await s2.stop();
    }
  });
});

function frrStart(fx: NetnsFixture, ns: string, dir: string, conf: string) {
  const run = path.join(dir, 'frr');
  fx.exec(ns, ['mkdir', '-p', run]);
  fx.exec(ns, ['chmod', '777', run]);
  const bgpConf = path.join(dir, 'bgpd.conf');
  writeFileSync(bgpConf, conf);
  writeFileSync(path.join(dir, 'zebra.conf'), 'hostname tor\n');
  fx.exec(ns, ['/usr/lib/frr/zebra', '-d', '-f', path.join(dir, 'zebra.conf'), '-i', path.join(run, 'zebra.pid'), '-z', path.join(run, 'zserv.api'), '--vty_socket', run]);
  fx.exec(ns, ['/usr/lib/frr/bgpd', '-d', '-f', bgpConf, '-i', path.join(run, 'bgpd.pid'), '-z', path.join(run, 'zserv.api'), '--vty_socket', run]);
  return (...cmds: string[]) => fx.exec(ns, ['vtysh', '--vty_socket', run, ...cmds.flatMap((c) => ['-c', c])]);
}

describe('FRR as an eBGP top-of-rack peer', { skip: skipFrr }, () => {
  test('FRR learns our block; we install FRR route; withdrawals both ways', async () => {
    const { fx, dir, peer: tor, n1 } = peerLab('frr', 'tor', '10.89.0');
    const vtysh = frrStart(fx, tor, dir, `frr defaults traditional
hostname tor
router bgp 65001
 bgp router-id 10.89.0.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.89.0.2 remote-as 64512
 neighbor 10.89.0.2 timers 3 9
 neighbor 10.89.0.2 timers connect 1
 address-family ipv4 unicast
  network 10.220.0.0/24
 exit-address-family
`);
    const s1 = new OurSpeaker(fx, n1, dir, 'node1', {
      routerId: '10.89.0.2', asNumber: 64512, listenPort: 179, exports: ['10.244.1.0/26', '10.244.9.3/32'], ...FAST,
      peers: [peer('10.89.0.1', 65001, { sourceAddress: '10.89.0.2' })],
    }, ['--install-routes']);
    await s1.start();
    try {
      const frrRoutes = () => JSON.parse(vtysh('show bgp ipv4 unicast json')).routes ?? {};
      await waitFor('FRR learns our block', () => frrRoutes()['10.244.1.0/26']);
      const r = frrRoutes()['10.244.1.0/26'][0];
      assert.equal(r.nexthops[0].ip, '10.89.0.2');
      assert.equal(r.path, '64512', 'eBGP: our AS prepended');
      assert.ok(frrRoutes()['10.244.9.3/32'], 'borrowed /32 too');
      await waitFor('we learn FRR route', () => s1.has('10.220.0.0/24', '10.89.0.1'));
      await waitFor('and install it proto bird', () => /10\.220\.0\.0\/24 via 10\.89\.0\.1 dev eth0 proto bird/.test(fx.exec(n1, ['ip', 'route'])));
      const st = (await s1.status()).peers[0]!;
      assert.equal(st.ibgp, false);
      assert.equal(st.peerRouterId, '10.89.0.1');

      vtysh('configure terminal', 'router bgp 65001', 'address-family ipv4 unicast', 'no network 10.220.0.0/24');
      await waitFor('FRR withdrawal reaches us', () => !s1.has('10.220.0.0/24'));
      await waitFor('kernel route removed', () => !/10\.220\.0\.0\/24/.test(fx.exec(n1, ['ip', 'route'])));
      s1.reload({ ...s1.cfg, exports: ['10.244.9.3/32'] });
      await waitFor('FRR sees our withdrawal', () => !frrRoutes()['10.244.1.0/26']);
      assert.ok(frrRoutes()['10.244.9.3/32']);
      // ROUTE-REFRESH from FRR: we resend our table and the session stays up.
      vtysh('clear bgp ipv4 unicast 10.89.0.2 soft in');
      // Deliberate window: what is tested is that the session is NOT reset while FRR's refresh is answered.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await s1.status()).peers[0]!.state, 'Established');
      assert.ok(frrRoutes()['10.244.9.3/32']);
    } finally {
      await s1.stop();
    }
  });
});

function gobgpConf(dir: string, peerAddr: string, restartTime: number): string {
  const f = path.join(dir, 'gobgpd.toml');
  writeFileSync(f, `[global.config]
  as = 64512
  router-id = "10.90.0.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${peerAddr}"
    peer-as = 64512
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = ${restartTime}
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
`);
  return f;
}

describe('GoBGP as an iBGP peer', { skip: skipGobgp }, () => {
  test('routes both ways, withdrawals, graceful restart in both roles', async () => {
    const { fx, dir, peer: gb, n1 } = peerLab('gobgp', 'gb', '10.90.0');
    const conf = gobgpConf(dir, '10.90.0.2', 20);
    const startGobgp = () => fx.spawn(gb, ['gobgpd', '-f', conf, '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-p']);
    let gobgpd = startGobgp();
    const gobgp = (...a: string[]) => fx.exec(gb, ['gobgp', '-u', '127.0.0.1', '-p', '50051', ...a]);
    /** `gobgp neighbor` lists each peer with its state; "Establ" while the session is up. */
    const gobgpEstablished = () => /^\*?\s*10\.90\.0\.2\s.*\bEstabl/m.test(gobgp('neighbor'));
    const gobgpRib = (): Record<string, unknown> => { try { return JSON.parse(gobgp('global', 'rib', '-a', 'ipv4', '-j')); } catch { return {}; } };
    await waitFor('gobgpd API', () => { try { gobgp('global'); return true; } catch { return false; } }, 15000);

    const s1 = new OurSpeaker(fx, n1, dir, 'node1', {
      routerId: '10.90.0.2', asNumber: 64512, listenPort: 179, exports: ['10.244.1.0/26'], ...FAST,
      peers: [peer('10.90.0.1', 64512, { sourceAddress: '10.90.0.2', maxRestartTime: 6 })],
    });
    await s1.start();
    try {
      await waitFor('GoBGP learns our block', () => gobgpRib()['10.244.1.0/26']);
      gobgp('global', 'rib', 'add', '10.230.0.0/24', 'nexthop', '10.90.0.1', 'community', '65000:7');
      await waitFor('we learn GoBGP route', () => s1.has('10.230.0.0/24', '10.90.0.1'));
      gobgp('global', 'rib', 'del', '10.230.0.0/24');
      await waitFor('GoBGP withdrawal reaches us', () => !s1.has('10.230.0.0/24'));
      gobgp('global', 'rib', 'add', '10.230.0.0/24', 'nexthop', '10.90.0.1');
      await waitFor('route back', () => s1.has('10.230.0.0/24'));
      const caps = (await s1.status()).peers[0]!.capabilities ?? [];
      assert.ok(caps.some((c) => c.startsWith('graceful-restart')), caps.join(','));

      assert.ok(gobgpEstablished(), 'GoBGP lists the session as established (so its absence below means something)');
      // We restart (SIGTERM = no NOTIFICATION): GoBGP keeps our block for our restart time (6 s).
      await s1.stop('SIGTERM');
      await waitFor('GoBGP notices we went away', () => !gobgpEstablished());
      assert.ok(gobgpRib()['10.244.1.0/26'], 'GoBGP kept our route while we restart');
      await s1.start();
      await waitFor('session back', async () => (await s1.status()).peers[0]!.state === 'Established');
      // Deliberate wait past our 6 s restart window: the route must NOT go when the window ends.
      await new Promise((r) => setTimeout(r, 7000));
      assert.ok(gobgpRib()['10.244.1.0/26'], 'still there after the restart window: refreshed by the new session');
      await waitFor('we learn GoBGP route again', () => s1.has('10.230.0.0/24'));

      // We go away for good (graceful): the route lasts the window, then goes.
      await s1.stop('SIGTERM');
      await waitFor('GoBGP notices we went away for good', () => !gobgpEstablished());
      assert.ok(gobgpRib()['10.244.1.0/26'], 'kept during the window');
      await waitFor('dropped after the 6 s window', () => !gobgpRib()['10.244.1.0/26'], 15000);

      // GoBGP restarts (killed, no NOTIFICATION): we keep its route for its restart time (20 s).
      await s1.start();
      await waitFor('session back again', async () => (await s1.status()).peers[0]!.state === 'Established');
      await waitFor('route learned', () => s1.has('10.230.0.0/24'));
      gobgpd.kill('SIGKILL');
      await waitFor('we notice GoBGP gone', async () => (await s1.status()).peers[0]!.state !== 'Established', 15000);
      const st = (await s1.status()).peers[0]!;
      assert.equal(st.staleRoutes, 1, 'GoBGP route kept as stale');
      assert.ok(s1.has('10.230.0.0/24'), 'and still handed to the route reconciler');
      gobgpd = startGobgp();
      await waitFor('gobgpd API again', () => { try { gobgp('global'); return true; } catch { return false; } }, 15000);
      await waitFor('session re-established', async () => (await s1.status()).peers[0]!.state === 'Established', 20000);
      // The restarted GoBGP has no routes: after its End-of-RIB the stale one goes.
      await waitFor('stale route swept after End-of-RIB', () => !s1.has('10.230.0.0/24'), 25000);
    } finally {
      await s1.stop();
      gobgpd.kill('SIGKILL');
    }
  });
});

describe('GoBGP shutting our session down with a message (RFC 8203/9003)', { skip: skipGobgp }, () => {
  test('`gobgp neighbor X shutdown --reason` text reaches lastError, node status and our log', async () => {
    const { fx, dir, peer: gb, n1 } = peerLab('gbshut', 'gb', '10.90.0');
    const gobgpd = fx.spawn(gb, ['gobgpd', '-f', gobgpConf(dir, '10.90.0.2', 20), '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-p']);
    const gobgp = (...a: string[]) => fx.exec(gb, ['gobgp', '-u', '127.0.0.1', '-p', '50051', ...a]);
    await waitFor('gobgpd API', () => { try { gobgp('global'); return true; } catch { return false; } }, 15000);
    const s1 = new OurSpeaker(fx, n1, dir, 'node1', {
      routerId: '10.90.0.2', asNumber: 64512, listenPort: 179, exports: ['10.244.1.0/26'], ...FAST,
      peers: [peer('10.90.0.1', 64512, { sourceAddress: '10.90.0.2' })],
    });
    await s1.start();
    try {
      await waitFor('Established', async () => (await s1.status()).peers[0]!.state === 'Established');
      const text = 'maintenance: ticket 4711 — back at 14:00';
      gobgp('neighbor', '10.90.0.2', 'shutdown', '--reason', text);
      const expected = `Received: Cease/Administrative Shutdown ${JSON.stringify(text)}`;
      const st = await waitFor('shutdown communication in lastError', async () => {
        const s = await s1.status();
        return s.peers[0]!.lastError === expected ? s : undefined;
      });
      assert.match(formatNodeStatus(st), new RegExp(`Idle ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const log = readFileSync(path.join(dir, 'node1.log'), 'utf8');
      assert.ok(log.split('\n').some((l) => l.includes('BGP session down') && l.includes('ticket 4711')), 'log line with the text');
    } finally {
      await s1.stop();
      gobgpd.kill('SIGKILL');
    }
  });
});

// TCP MD5 signatures (RFC 2385) on real sockets, each speaker in a namespace of its own joined by a veth:
// two of our speakers with the same key establish (IPv4 and IPv6), with different keys or one side unsigned
// they do not (and status says why), a changed key is applied, a peer whose key cannot be read gets no
// session at all, and BIRD 2 / FRR with `password` interoperate.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { addr, FAST, missing, OurSpeaker, peer, removeDir, ROOT, tempDir, waitFor } from './harness.ts';
import { fetchBgpStatus } from '../../src/ctl/node-status.ts';

const TSX = path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
import type { SpeakerConfig, SpeakerPeerConfig } from '../../src/bgp/speaker.ts';
import type { BgpStatus } from '../../src/bgp/status.ts';

const fixtures: NetnsFixture[] = [];
const dirs: string[] = [];
const speakers: OurSpeaker[] = [];
after(async () => {
  for (const s of speakers) await s.stop('SIGKILL');
  for (const f of fixtures) f.cleanupSync();
  for (const d of dirs) removeDir(d);
});

const skip = netnsSkipReason();
const skipBird = skip || missing('/usr/sbin/bird', '/usr/sbin/birdc');
const skipFrr = skip || missing('/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', '/usr/bin/vtysh');

/** Namespaces `a` and `b` on one veth: 10.91.0.1/.2 and fd91::1/::2. */
function pairLab(tag: string) {
  const fx = new NetnsFixture();
  fixtures.push(fx);
  const dir = tempDir(tag);
  dirs.push(dir);
  const a = fx.add('a'), b = fx.add('b');
  fx.link(a, 'eth0', b, 'eth0');
  addr(fx, a, 'eth0', '10.91.0.1/30');
  addr(fx, b, 'eth0', '10.91.0.2/30');
  // nodad: usable at once, no duplicate address detection wait.
  fx.exec(a, ['ip', 'addr', 'add', 'fd91::1/64', 'dev', 'eth0', 'nodad']);
  fx.exec(b, ['ip', 'addr', 'add', 'fd91::2/64', 'dev', 'eth0', 'nodad']);
  return { fx, dir, a, b };
}

function speakerConfig(routerId: string, asNumber: number, peers: SpeakerPeerConfig[], exports: string[]): SpeakerConfig {
  return { routerId, asNumber, listenPort: 179, exports, ...FAST, peers };
}

async function start(fx: NetnsFixture, ns: string, dir: string, name: string, cfg: SpeakerConfig): Promise<OurSpeaker> {
  const s = new OurSpeaker(fx, ns, dir, name, cfg);
  speakers.push(s);
  await s.start();
  return s;
}

const peerState = (st: BgpStatus, address: string) => st.peers.find((p) => p.address === address);
async function established(s: OurSpeaker, address: string): Promise<boolean> {
  return peerState(await s.status(), address)?.state === 'Established';
}

/** Holds for `ms` that neither side establishes (a negative needs a window; connect retry is 1 s, so 4 tries). */
async function neverEstablished(x: OurSpeaker, xPeer: string, y: OurSpeaker, yPeer: string, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    assert.equal(await established(x, xPeer), false, `${x.name} must not establish with ${xPeer}`);
    assert.equal(await established(y, yPeer), false, `${y.name} must not establish with ${yPeer}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('TCP MD5 between two of our speakers', { skip }, () => {
  test('same key: established over IPv4 and IPv6, routes flow; a missing key on one side: no session, status says why', async () => {
    const { fx, dir, a, b } = pairLab('md5same');
    const key = 'tabby-md5-key';
    const sa = await start(fx, a, dir, 'a', speakerConfig('10.91.0.1', 64512, [
      peer('10.91.0.2', 64512, { password: key, sourceAddress: '10.91.0.1' }), peer('fd91::2', 64512, { password: key }),
    ], ['10.244.1.0/26']));
    const sb = await start(fx, b, dir, 'b', speakerConfig('10.91.0.2', 64512, [
      peer('10.91.0.1', 64512, { password: key, sourceAddress: '10.91.0.2' }), peer('fd91::1', 64512, { password: key }),
    ], ['10.244.2.0/26']));
    await waitFor('IPv4 session established', async () => (await established(sa, '10.91.0.2')) && established(sb, '10.91.0.1'));
    await waitFor('IPv6 session established', async () => (await established(sa, 'fd91::2')) && established(sb, 'fd91::1'));
    // Next hops are the session's local addresses, also on a connection whose socket md5.ts made (net.Socket({ fd })).
    await waitFor('routes exchanged', () => sa.has('10.244.2.0/26', '10.91.0.2') && sb.has('10.244.1.0/26', '10.91.0.1'));
    // The kernel signs: the TCP connection carries the MD5 option (tcpdump is not needed: ss shows md5 on the socket).
    const ss = fx.exec(a, ['ss', '-tnie', 'state', 'established', '( sport = :179 or dport = :179 )']);
    assert.match(ss, /md5/, `ss shows the MD5 option on the sessions:\n${ss}`);

    // B forgets its key (IPv4 peer): its session restarts unsigned and must not come up again.
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512, { sourceAddress: '10.91.0.2' }), sb.cfg.peers[1]!] });
    await waitFor('the IPv4 session goes down', async () => !(await established(sb, '10.91.0.1')));
    await neverEstablished(sa, '10.91.0.2', sb, '10.91.0.1');
    await waitFor('A says why', async () => /TCP MD5 signed connection attempts/.test(peerState(await sa.status(), '10.91.0.2')?.lastError ?? ''));
    assert.equal(await established(sa, 'fd91::2'), true, 'the IPv6 session was not disturbed');
  });

  test('different keys do not establish; a key change on both sides is applied', async () => {
    const { fx, dir, a, b } = pairLab('md5diff');
    const sa = await start(fx, a, dir, 'a', speakerConfig('10.91.0.1', 64512, [peer('10.91.0.2', 64512, { password: 'key-one' })], []));
    const sb = await start(fx, b, dir, 'b', speakerConfig('10.91.0.2', 64512, [peer('10.91.0.1', 64512, { password: 'key-two' })], []));
    await neverEstablished(sa, '10.91.0.2', sb, '10.91.0.1');
    // B takes A's key: established.
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512, { password: 'key-one' })] });
    await waitFor('established after B changed its key', async () => (await established(sa, '10.91.0.2')) && established(sb, '10.91.0.1'));
    // Both move to a new key, one after the other: down in between, up again after.
    sa.reload({ ...sa.cfg, peers: [peer('10.91.0.2', 64512, { password: 'key-three' })] });
    await waitFor('down while the keys differ', async () => !(await established(sa, '10.91.0.2')));
    await neverEstablished(sa, '10.91.0.2', sb, '10.91.0.1', 2500);
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512, { password: 'key-three' })] });
    await waitFor('established with the new key', async () => (await established(sa, '10.91.0.2')) && established(sb, '10.91.0.1'));
  });

  test('a peer whose key cannot be read gets no session, not an unsigned one', async () => {
    const { fx, dir, a, b } = pairLab('md5err');
    // A has no password for B at all: only B's refusal can keep the session down.
    const sa = await start(fx, a, dir, 'a', speakerConfig('10.91.0.1', 64512, [peer('10.91.0.2', 64512)], []));
    const problem = "Can't read password: secret bgp does not have key b (no file /etc/tabby/secrets/bgp/b)";
    const sb = await start(fx, b, dir, 'b', speakerConfig('10.91.0.2', 64512, [peer('10.91.0.1', 64512, { passwordError: problem })], []));
    await neverEstablished(sa, '10.91.0.2', sb, '10.91.0.1');
    const st = peerState(await sb.status(), '10.91.0.1')!;
    assert.equal(st.state, 'Idle');
    assert.equal(st.lastError, problem);
    // The key appears: the session comes up, signed.
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512, { password: 'now-there' })] });
    sa.reload({ ...sa.cfg, peers: [peer('10.91.0.2', 64512, { password: 'now-there' })] });
    await waitFor('established once the key is there', async () => (await established(sa, '10.91.0.2')) && established(sb, '10.91.0.1'));
  });
});

describe('TCP MD5 with BIRD 2 (`password`, as confd renders it)', { skip: skipBird }, () => {
  test('same password: established, routes both ways; a wrong password: not established', async () => {
    const { fx, dir, a: birdNs, b } = pairLab('md5bird');
    const conf = path.join(dir, 'bird.conf');
    const birdConf = (password: string) => `router id 10.91.0.1;
log "${dir}/bird.log" all;
protocol device { }
protocol static { ipv4; route 10.230.0.0/24 blackhole; }
protocol bgp node_b {
  local 10.91.0.1 as 64512; neighbor 10.91.0.2 as 64512;
  password "${password}";
  hold time 9; keepalive time 3; connect retry time 1; connect delay time 1; error wait time 1,5;
  ipv4 { import all; export all; };
}
`;
    writeFileSync(conf, birdConf('bird-md5'));
    const ctl = path.join(dir, 'bird.ctl');
    fx.exec(birdNs, ['bird', '-c', conf, '-s', ctl, '-P', path.join(dir, 'bird.pid')]);
    const sb = await start(fx, b, dir, 'b', speakerConfig('10.91.0.2', 64512, [peer('10.91.0.1', 64512, { password: 'bird-md5', sourceAddress: '10.91.0.2' })], ['10.244.2.0/26']));
    const birdc = (...args: string[]) => fx.exec(birdNs, ['birdc', '-s', ctl, ...args]);
    await waitFor('established with BIRD', () => established(sb, '10.91.0.1'));
    await waitFor('BIRD route received', () => sb.has('10.230.0.0/24', '10.91.0.1'));
    await waitFor('BIRD has our block', () => /10\.244\.2\.0\/26/.test(birdc('show', 'route')));
    // BIRD changes its password: our session must not come back until ours matches again.
    writeFileSync(conf, birdConf('other-password'));
    birdc('configure');
    await waitFor('session down after BIRD changed its password', async () => !(await established(sb, '10.91.0.1')));
    const end = Date.now() + 4000;
    while (Date.now() < end) {
      assert.equal(await established(sb, '10.91.0.1'), false, 'different passwords must not establish');
      await new Promise((r) => setTimeout(r, 250));
    }
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512, { password: 'other-password', sourceAddress: '10.91.0.2' })] });
    await waitFor('established again with the new password', () => established(sb, '10.91.0.1'));
  });
});

describe('TCP MD5 with FRR (`neighbor X password Y`)', { skip: skipFrr }, () => {
  test('same password: established and routes received', async () => {
    const { fx, dir, a: tor, b } = pairLab('md5frr');
    const run = path.join(dir, 'frr');
    fx.exec(tor, ['mkdir', '-p', run]);
    fx.exec(tor, ['chmod', '777', run]);
    const bgpConf = path.join(dir, 'bgpd.conf');
    writeFileSync(bgpConf, `frr defaults traditional
hostname tor
router bgp 65001
 bgp router-id 10.91.0.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.91.0.2 remote-as 64512
 neighbor 10.91.0.2 password frr-md5-key
 neighbor 10.91.0.2 timers 3 9
 neighbor 10.91.0.2 timers connect 1
 address-family ipv4 unicast
  network 10.231.0.0/24
 exit-address-family
`);
    writeFileSync(path.join(dir, 'zebra.conf'), 'hostname tor\n');
    fx.exec(tor, ['/usr/lib/frr/zebra', '-d', '-f', path.join(dir, 'zebra.conf'), '-i', path.join(run, 'zebra.pid'), '-z', path.join(run, 'zserv.api'), '--vty_socket', run]);
    fx.exec(tor, ['/usr/lib/frr/bgpd', '-d', '-f', bgpConf, '-i', path.join(run, 'bgpd.pid'), '-z', path.join(run, 'zserv.api'), '--vty_socket', run]);
    const sb = await start(fx, b, dir, 'b', speakerConfig('10.91.0.2', 64512, [peer('10.91.0.1', 65001, { password: 'frr-md5-key', sourceAddress: '10.91.0.2' })], ['10.244.2.0/26']));
    await waitFor('established with FRR', () => established(sb, '10.91.0.1'));
    await waitFor('FRR route received', () => sb.has('10.231.0.0/24', '10.91.0.1'));
  });
});

describe('TCP MD5 from the datastore and the secret files (startBgp, as in `tabby node run`)', { skip }, () => {
  test('BGPPeer password read from <secrets dir>/<name>/<key>; a changed file is applied; a removed one stops the session', async () => {
    const { fx, dir, a, b } = pairLab('md5agent');
    const secrets = path.join(dir, 'secrets');
    const keyFile = path.join(secrets, 'bgp-secrets', 'tor');
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, 'first-key');
    const res = (kind: string, name: string, spec: object) => ({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec });
    writeFileSync(path.join(dir, 'resources.json'), JSON.stringify([
      res('Node', 'node-a', { bgp: { ipv4Address: '10.91.0.1/30' } }),
      res('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false, asNumber: 64512 }),
      res('BGPPeer', 'tor', { node: 'node-a', peerIP: '10.91.0.2', asNumber: 64512, password: { secretKeyRef: { name: 'bgp-secrets', key: 'tor' } } }),
    ]));
    const sock = path.join(dir, 'agent.sock');
    fx.spawn(a, [process.execPath, '--import', TSX, path.join(ROOT, 'test/bgp/bgp-agent-process.ts'), '--resources', path.join(dir, 'resources.json'),
      '--node-name', 'node-a', '--status-socket', sock, '--secrets-dir', secrets, '--secrets-recheck-ms', '300', '--log-file', path.join(dir, 'agent.log')]);
    const agentStatus = () => fetchBgpStatus(`unix:${sock}`, 2000);
    const agentUp = async () => peerState(await agentStatus(), '10.91.0.2')?.state === 'Established';
    const sb = await start(fx, b, dir, 'b', speakerConfig('10.91.0.2', 64512, [peer('10.91.0.1', 64512, { password: 'first-key' })], []));
    await waitFor('established with the key from the file', async () => (await agentUp()) && established(sb, '10.91.0.1'));

    writeFileSync(keyFile, 'second-key');
    await waitFor('the agent restarts the session with the new key: down', async () => !(await agentUp()));
    await neverEstablished(sb, '10.91.0.1', sb, '10.91.0.1', 2500);
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512, { password: 'second-key' })] });
    await waitFor('up again once both have the new key', async () => (await agentUp()) && established(sb, '10.91.0.1'));

    rmSync(keyFile);
    await waitFor('no key: the session is stopped and status says why', async () => {
      const st = peerState(await agentStatus(), '10.91.0.2');
      return st?.state === 'Idle' && st.lastError === `Can't read password: secret bgp-secrets does not have key tor (no file ${keyFile})`;
    });
    // Not replaced by an unsigned session: B without a key stays down too.
    sb.reload({ ...sb.cfg, peers: [peer('10.91.0.1', 64512)] });
    await neverEstablished(sb, '10.91.0.1', sb, '10.91.0.1', 3000);
  });
});

// Our speakers talking to each other over loopback (127.0.0.x, ephemeral ports): no root needed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pino from 'pino';
import { BgpSpeaker, type LearnedRoute, type SpeakerConfig, type SpeakerPeerConfig } from '../../src/bgp/speaker.ts';
import { formatNodeStatus } from '../../src/bgp/status.ts';
import { startBgp } from '../../src/bgp/node-integration.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { Syncer } from '../../src/agent/syncer.ts';
import { AGENT_KINDS } from '../../src/agent/calc/snapshot.ts';
import { BGP_KINDS } from '../../src/bgp/kinds.ts';

const log = pino({ level: process.env.BGP_TEST_LOG ?? 'silent' });

async function freePort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, host, () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const peerCfg = (address: string, port: number, asNumber: number, over: Partial<SpeakerPeerConfig> = {}): SpeakerPeerConfig => ({
  name: `Global_${address.replace(/\./g, '_')}`, address, port, asNumber, type: 'global', passive: false, rrClient: false,
  keepOriginalNextHop: false, sourceAddress: undefined, maxRestartTime: 3, ...over,
});

interface Node { speaker: BgpSpeaker; routes: LearnedRoute[]; cfg: SpeakerConfig }
const running: BgpSpeaker[] = [];
after(async () => { for (const s of running) await s.stop({ graceful: false }); });

async function node(cfg: Omit<SpeakerConfig, 'connectRetryTime' | 'errorWaitTime' | 'initialRouteDeferral'>): Promise<Node> {
  const n: Node = { routes: [], cfg: { ...cfg, connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 0.5 } } as unknown as Node;
  n.speaker = new BgpSpeaker(n.cfg, { log, onRoutes: (r) => { n.routes = r.toArray(); } });
  await n.speaker.start();
  running.push(n.speaker);
  return n;
}

const established = (n: Node, addr: string) => n.speaker.status().peers.find((p) => p.address === addr && p.state === 'Established');
const has = (n: Node, prefix: string, nh?: string) => n.routes.some((r) => r.prefix === prefix && (!nh || r.nextHop === nh));

describe('two of our speakers over loopback', () => {
  test('iBGP exchange, withdrawal, reconfigure without reset, graceful restart, eBGP', async () => {
    const [pa, pb] = [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
    const a = await node({ routerId: '127.0.0.1', asNumber: 64512, listenPort: pa, listenAddress: '127.0.0.1', exports: ['10.244.1.0/26'],
      peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.1' })] });
    const b = await node({ routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: ['10.244.2.0/26', '10.244.3.7/32'],
      peers: [peerCfg('127.0.0.1', pa, 64512, { sourceAddress: '127.0.0.2' })] });
    await waitFor('A↔B established', () => established(a, '127.0.0.2') && established(b, '127.0.0.1'));
    await waitFor('A learns B routes', () => has(a, '10.244.2.0/26', '127.0.0.2') && has(a, '10.244.3.7/32'));
    await waitFor('B learns A route', () => has(b, '10.244.1.0/26', '127.0.0.1'));
    const st = a.speaker.status().peers[0]!;
    assert.equal(st.prefixesReceived, 2);
    assert.equal(st.prefixesSent, 1);
    assert.ok(st.capabilities!.includes('4-octet-as'));
    assert.match(formatNodeStatus(a.speaker.status()), /\| 127\.0\.0\.2 +\| global +\| up +\| \d\d:\d\d:\d\d \| Established \|/);

    // Withdrawal.
    a.speaker.setExports([]);
    await waitFor('B sees the withdrawal', () => !has(b, '10.244.1.0/26'));
    a.speaker.setExports(['10.244.1.0/26']);
    await waitFor('B learns it again', () => has(b, '10.244.1.0/26'));

    // Adding an unrelated peer must not reset the A–B session.
    const since = established(a, '127.0.0.2')!.since;
    a.speaker.reconfigure({ ...a.cfg, peers: [...a.cfg.peers, peerCfg('127.0.0.9', 1, 65009)] });
    // Deliberate window: what is tested is that NO reset happens (the new peer's failing dials run meanwhile).
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(established(a, '127.0.0.2')?.since, since, 'session kept');
    assert.equal(a.speaker.status().peers.length, 2);
    a.speaker.reconfigure(a.cfg);

    // Graceful restart: A goes away without NOTIFICATION → B keeps A's route (stale) for A's restart time.
    await a.speaker.stop({ graceful: true });
    await waitFor('B notices', () => !established(b, '127.0.0.1'));
    assert.ok(b.speaker.learnedRoutes().some((r) => r.prefix === '10.244.1.0/26'), 'route kept during restart window');
    assert.equal(b.speaker.status().peers[0]!.staleRoutes, 1);
    const a2 = await node({ ...a.cfg, exports: ['10.244.1.0/26'] });
    await waitFor('A restarted and re-established', () => established(b, '127.0.0.1'));
    await waitFor('stale flag cleared after End-of-RIB', () => b.speaker.status().peers[0]!.staleRoutes === 0 && has(b, '10.244.1.0/26'));
    await waitFor('restarted A learned B routes again', () => has(a2, '10.244.2.0/26'));

    // Hard stop (Cease) → routes gone at once.
    await a2.speaker.stop({ graceful: false });
    await waitFor('B drops A route after Cease', () => !b.speaker.learnedRoutes().some((r) => r.prefix === '10.244.1.0/26'), 3000);
    assert.match(b.speaker.status().peers[0]!.lastError ?? '', /Received: Cease\/Administrative Shutdown/);

    // Graceful stop without return: routes go when the restart window (3 s) ends.
    const a3 = await node({ ...a.cfg });
    await waitFor('A3 established', () => established(b, '127.0.0.1'));
    await waitFor('B learns A3 route', () => has(b, '10.244.1.0/26'));
    await a3.speaker.stop({ graceful: true });
    await waitFor('B notices A3 gone', () => !established(b, '127.0.0.1'));
    assert.ok(b.speaker.learnedRoutes().some((r) => r.prefix === '10.244.1.0/26'));
    await waitFor('restart window over: stale routes removed', () => !b.speaker.learnedRoutes().some((r) => r.prefix === '10.244.1.0/26'), 8000);

    // eBGP: change B's expectation and A's AS → the session re-forms with AS-path prepending.
    const a4 = await node({ ...a.cfg, asNumber: 65001, peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.1' })] });
    b.speaker.reconfigure({ ...b.cfg, peers: [peerCfg('127.0.0.1', pa, 65001, { sourceAddress: '127.0.0.2' })] });
    await waitFor('eBGP established', () => established(b, '127.0.0.1'));
    await waitFor('eBGP route', () => has(b, '10.244.1.0/26', '127.0.0.1'));
    const best = b.speaker.rib.best('10.244.1.0/26')!;
    assert.deepEqual(best.attrs.asPath, [{ type: 2, asns: [65001] }]);
    assert.equal(best.attrs.localPref, undefined);
    await a4.speaker.stop({ graceful: false });
    await b.speaker.stop({ graceful: false });
  });

  test('route reflector reflects between clients (mesh off) with ORIGINATOR_ID and CLUSTER_LIST', async () => {
    const [pa, pb, pc] = [await freePort('127.0.0.1'), await freePort('127.0.0.2'), await freePort('127.0.0.3')];
    const rr = await node({ routerId: '127.0.0.3', asNumber: 64512, listenPort: pc, listenAddress: '127.0.0.3', clusterId: '244.0.0.1', exports: [],
      peers: [peerCfg('127.0.0.1', pa, 64512, { rrClient: true, sourceAddress: '127.0.0.3' }), peerCfg('127.0.0.2', pb, 64512, { rrClient: true, sourceAddress: '127.0.0.3' })] });
    const a = await node({ routerId: '127.0.0.1', asNumber: 64512, listenPort: pa, listenAddress: '127.0.0.1', exports: ['10.244.1.0/26'], peers: [peerCfg('127.0.0.3', pc, 64512, { sourceAddress: '127.0.0.1' })] });
    const b = await node({ routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: ['10.244.2.0/26'], peers: [peerCfg('127.0.0.3', pc, 64512, { sourceAddress: '127.0.0.2' })] });
    await waitFor('B learns A via the RR', () => has(b, '10.244.1.0/26', '127.0.0.1'));
    await waitFor('A learns B via the RR', () => has(a, '10.244.2.0/26', '127.0.0.2'));
    const p = b.speaker.rib.best('10.244.1.0/26')!;
    assert.equal(p.attrs.originatorId, '127.0.0.1');
    assert.deepEqual(p.attrs.clusterList, ['244.0.0.1']);
    assert.equal(a.speaker.rib.best('10.244.1.0/26')?.source, undefined, 'A did not take its own route back (ORIGINATOR_ID loop check)');
    a.speaker.setExports([]);
    await waitFor('withdrawal reflected', () => !has(b, '10.244.1.0/26'));
    for (const n of [rr, a, b]) await n.speaker.stop({ graceful: false });
  });

  test('becoming a route reflector and back is done in place: reflected routes come and go, no session restarts', async () => {
    const [pa, pb, pc] = [await freePort('127.0.0.1'), await freePort('127.0.0.2'), await freePort('127.0.0.3')];
    // The reflector as a BGPPeer makes it before its routeReflectorClusterID is set: plain iBGP peers.
    const rrPeers = (client: boolean) => [peerCfg('127.0.0.1', pa, 64512, { rrClient: client, sourceAddress: '127.0.0.3' }), peerCfg('127.0.0.2', pb, 64512, { rrClient: client, sourceAddress: '127.0.0.3' })];
    const rr = await node({ routerId: '127.0.0.3', asNumber: 64512, listenPort: pc, listenAddress: '127.0.0.3', exports: ['10.244.3.0/26'], peers: rrPeers(false) });
    const a = await node({ routerId: '127.0.0.1', asNumber: 64512, listenPort: pa, listenAddress: '127.0.0.1', exports: ['10.244.1.0/26'], peers: [peerCfg('127.0.0.3', pc, 64512, { sourceAddress: '127.0.0.1' })] });
    const b = await node({ routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: ['10.244.2.0/26'], peers: [peerCfg('127.0.0.3', pc, 64512, { sourceAddress: '127.0.0.2' })] });
    await waitFor('A and B learn the RR\'s own block', () => has(a, '10.244.3.0/26') && has(b, '10.244.3.0/26'));
    await waitFor('the RR learns both blocks', () => has(rr, '10.244.1.0/26') && has(rr, '10.244.2.0/26'));
    // Deliberate: time for a (wrong) reflection to arrive; a plain iBGP speaker must not pass A's route to B.
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!has(b, '10.244.1.0/26') && !has(a, '10.244.2.0/26'), 'no reflection before the cluster id');
    const sessions = () => [a, b, rr].flatMap((n) => n.speaker.status().peers.map((p) => `${p.name}:${p.state}:${p.since}`)).sort();
    const before = sessions();
    assert.equal(before.filter((s) => s.includes(':Established:')).length, 4, before.join('\n'));

    rr.speaker.reconfigure({ ...rr.cfg, clusterId: '244.0.0.1', peers: rrPeers(true) });
    await waitFor('B learns A via the RR', () => has(b, '10.244.1.0/26', '127.0.0.1') && has(a, '10.244.2.0/26', '127.0.0.2'));
    assert.deepEqual(b.speaker.rib.best('10.244.1.0/26')!.attrs.clusterList, ['244.0.0.1']);
    assert.equal(rr.speaker.status().clusterId, '244.0.0.1');
    assert.deepEqual(sessions(), before, 'every session kept (same state, same since)');

    rr.speaker.reconfigure({ ...rr.cfg, peers: rrPeers(false) });
    await waitFor('reflected routes withdrawn', () => !has(b, '10.244.1.0/26') && !has(a, '10.244.2.0/26'));
    assert.ok(has(a, '10.244.3.0/26') && has(b, '10.244.3.0/26'), 'the RR\'s own block stays');
    assert.deepEqual(sessions(), before, 'every session kept after leaving the reflector role');
    for (const n of [rr, a, b]) await n.speaker.stop({ graceful: false });
  });

  test('connection collision: both sides dial, one session survives; IPv6 unicast', async () => {
    const [pa, pb] = [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
    const a = await node({ routerId: '127.0.0.1', asNumber: 64512, listenPort: pa, listenAddress: '127.0.0.1', ipv6Address: 'fd00::1', exports: ['10.1.0.0/16', '2001:db8:1::/48'], peers: [] });
    const b = await node({ routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: ['10.2.0.0/16'], peers: [] });
    a.speaker.reconfigure({ ...a.cfg, peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.1' })] });
    b.speaker.reconfigure({ ...b.cfg, peers: [peerCfg('127.0.0.1', pa, 64512, { sourceAddress: '127.0.0.2' })] });
    await waitFor('routes both ways', () => has(a, '10.2.0.0/16') && has(b, '10.1.0.0/16'));
    // Deliberate window: the collision loser's Cease must NOT take the surviving session down with it.
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(established(a, '127.0.0.2') && established(b, '127.0.0.1'));
    // IPv6 unicast over MP_REACH_NLRI, and its withdrawal over MP_UNREACH_NLRI.
    await waitFor('IPv6 route', () => has(b, '2001:db8:1::/48', 'fd00::1'));
    a.speaker.setExports(['10.1.0.0/16']);
    await waitFor('IPv6 withdrawal', () => !has(b, '2001:db8:1::/48'));
    assert.ok(has(b, '10.1.0.0/16'));
    await a.speaker.stop({ graceful: false });
    await b.speaker.stop({ graceful: false });
  });
});

describe('a connection that arrives before its peer is configured', () => {
  test('is held and taken when the peer appears, not refused into a ConnectRetry wait', async () => {
    const [pa, pb] = [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
    // ConnectRetry 30 s: establishing within a few seconds proves the first connection was used.
    const mk = (cfg: SpeakerConfig) => { const s = new BgpSpeaker(cfg, { log, onRoutes: () => {} }); running.push(s); return s; };
    const bCfg: SpeakerConfig = { routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: [], peers: [], connectRetryTime: 30, errorWaitTime: 30, initialRouteDeferral: 0.5 };
    const b = mk(bCfg);
    await b.start();
    const a = mk({ routerId: '127.0.0.1', asNumber: 64512, listenPort: pa, listenAddress: '127.0.0.1', exports: ['10.9.0.0/26'], connectRetryTime: 30, errorWaitTime: 30, initialRouteDeferral: 0.5,
      peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.1' })] });
    await a.start();
    await waitFor('B holds the connection A dialled', () => b.heldConnections === 1); // B does not know A yet
    assert.notEqual(a.status().peers[0]!.state, 'Established');
    const t0 = Date.now();
    b.reconfigure({ ...bCfg, peers: [peerCfg('127.0.0.1', pa, 64512, { sourceAddress: '127.0.0.2', passive: true })] });
    await waitFor('A↔B established on the held connection', () => a.status().peers[0]!.state === 'Established' && b.status().peers[0]!.state === 'Established', 5000);
    assert.ok(Date.now() - t0 < 5000);
    await a.stop({ graceful: false });
    await b.stop({ graceful: false });
  });
});

class CountingDatastore extends MemoryDatastore {
  watches = 0;
  override watch(...args: Parameters<MemoryDatastore['watch']>) { this.watches++; return super.watch(...args); }
}

/** Two nodes peering explicitly on 127.0.0.1/127.0.0.2 (mesh off), node-a owning one block. */
async function twoSpeakers(ds: { create(r: any): Promise<unknown> }, config: Record<string, unknown>) {
  const [pa, pb] = [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
  const mk = (kind: string, name: string, spec: any) => ds.create({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec });
  await mk('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false, ...config });
  await mk('Node', 'node-a', { bgp: { ipv4Address: '127.0.0.1/8' } });
  await mk('Node', 'node-b', { bgp: { ipv4Address: '127.0.0.2/8' } });
  await mk('BGPPeer', 'a-to-b', { node: 'node-a', peerIP: `127.0.0.2:${pb}`, asNumber: 64512 });
  await mk('BGPPeer', 'b-to-a', { node: 'node-b', peerIP: `127.0.0.1:${pa}`, asNumber: 64512 });
  await mk('IPAMBlock', '10-244-1-0-26', { cidr: '10.244.1.0/26', affinity: 'host:node-a', allocations: [], attributes: [] });
  return { pa, pb, mk };
}

describe('startBgp from the datastore', () => {
  test('fed by the agent\'s syncer: one datastore watch for the agent and its speaker, changes still reach the peers', async () => {
    const ds = new CountingDatastore();
    const { pa, pb, mk } = await twoSpeakers(ds, {});
    let routesB: LearnedRoute[] = [];
    const timers = { connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 0.2 };
    const B = await startBgp({ ds, nodeName: 'node-b', log, onRoutes: (r) => { routesB = r.toArray(); }, listenPort: pb, timers });
    const before = ds.watches;
    const syncer = new Syncer(ds, log, { kinds: [...new Set([...AGENT_KINDS, ...BGP_KINDS])] });
    const starting = startBgp({ ds, resources: syncer.asSource(), nodeName: 'node-a', log, onRoutes: () => undefined, listenPort: pa, timers });
    syncer.start(); // the speaker waits for the syncer to be in sync before its first configuration
    const A = await starting;
    try {
      assert.equal(A.status().peers[0]?.name, `Node_127_0_0_2_port_${pb}`, 'configured from the synced snapshot at once');
      await waitFor('B learns node-a\'s block', () => routesB.some((r) => r.prefix === '10.244.1.0/26' && r.nextHop === '127.0.0.1'));
      await mk('IPAMBlock', '10-244-1-64-26', { cidr: '10.244.1.64/26', affinity: 'host:node-a', allocations: [], attributes: [] });
      await waitFor('a new block, seen by the syncer, exported', () => routesB.some((r) => r.prefix === '10.244.1.64/26'));
      assert.equal(ds.watches - before, 1, 'one watch (the syncer\'s) for the agent and its speaker');
    } finally {
      await A.stop({ graceful: false });
      await B.stop({ graceful: false });
      syncer.stop();
    }
  });


  test('configures from Node/BGPPeer/IPAMBlock resources and follows changes', async () => {
    const ds = new MemoryDatastore();
    const { pa, pb, mk } = await twoSpeakers(ds, { asNumber: 64512 });
    let routesB: LearnedRoute[] = [];
    const timers = { connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 0.2 };
    const A = await startBgp({ ds, nodeName: 'node-a', log, onRoutes: () => undefined, listenPort: pa, timers });
    const B = await startBgp({ ds, nodeName: 'node-b', log, onRoutes: (r) => { routesB = r.toArray(); }, listenPort: pb, timers });
    try {
      await waitFor('B learns node-a block', () => routesB.some((r) => r.prefix === '10.244.1.0/26' && r.nextHop === '127.0.0.1'));
      assert.equal(A.status().peers[0]!.name, 'Node_127_0_0_2_port_' + pb);
      assert.equal(A.status().peers[0]!.peerType, 'node specific');
      await mk('IPAMBlock', '10-244-1-64-26', { cidr: '10.244.1.64/26', affinity: 'host:node-a', allocations: [], attributes: [] });
      await waitFor('new block exported', () => routesB.some((r) => r.prefix === '10.244.1.64/26'));
      await ds.delete('IPAMBlock', '10-244-1-0-26');
      await waitFor('deleted block withdrawn', () => !routesB.some((r) => r.prefix === '10.244.1.0/26'));
      // A new cluster AS (BGPConfiguration + the BGPPeers' asNumber) restarts the sessions with the new AS.
      const cfg = (await ds.get('BGPConfiguration', 'default'))!;
      await ds.update({ ...cfg, spec: { ...cfg.spec, asNumber: 65010 } });
      for (const name of ['a-to-b', 'b-to-a']) {
        const bp = (await ds.get('BGPPeer', name))!;
        await ds.update({ ...bp, spec: { ...bp.spec, asNumber: 65010 } });
      }
      await waitFor('sessions re-formed in AS 65010', () => A.status().asNumber === 65010 && A.status().peers[0]?.state === 'Established' && B.status().peers[0]?.peerAs === 65010 && B.status().peers[0]?.state === 'Established');
      await waitFor('routes back after the AS change', () => routesB.some((r) => r.prefix === '10.244.1.64/26'));
    } finally {
      await A.stop({ graceful: false });
      await B.stop({ graceful: false });
    }
  });
});

describe('routes learned during the start-up deferral', () => {
  test('are handed over as they come, marked incomplete, and complete once every peer has sent End-of-RIB', async () => {
    const [pa, pb, pc] = [await freePort('127.0.0.1'), await freePort('127.0.0.2'), await freePort('127.0.0.3')];
    const a = await node({ routerId: '127.0.0.1', asNumber: 64512, listenPort: pa, listenAddress: '127.0.0.1', exports: ['10.244.1.0/26'],
      peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.1' })] });
    // B peers with A and with C, which is not up yet; its deferral (30 s) would hold every route until C is.
    const handed: { prefixes: string[]; complete: boolean; at: number }[] = [];
    const t0 = Date.now();
    const b = new BgpSpeaker({ routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: [],
      peers: [peerCfg('127.0.0.1', pa, 64512, { sourceAddress: '127.0.0.2' }), peerCfg('127.0.0.3', pc, 64512, { sourceAddress: '127.0.0.2' })],
      connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 30 }, {
      log, onRoutes: (r, complete) => handed.push({ prefixes: r.toArray().map((x) => x.prefix), complete, at: Date.now() - t0 }) });
    await b.start();
    running.push(b);
    const early = await waitFor('A\'s route handed over before C is up', () => handed.find((h) => h.prefixes.includes('10.244.1.0/26')));
    assert.equal(early.complete, false, 'marked incomplete: C has not sent End-of-RIB');
    assert.ok(early.at < 10_000, `within seconds, not after the 30 s deferral (${early.at} ms)`);
    assert.ok(handed.every((h) => !h.complete), 'nothing complete while C is down');
    // C comes up and sends End-of-RIB: the next hand-over is complete, long before the deferral would end.
    const c = new BgpSpeaker({ routerId: '127.0.0.3', asNumber: 64512, listenPort: pc, listenAddress: '127.0.0.3', exports: ['10.244.3.0/26'],
      peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.3' })], connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 0.5 }, { log });
    await c.start();
    running.push(c);
    const done = await waitFor('a complete hand-over', () => handed.find((h) => h.complete));
    assert.deepEqual(done.prefixes.sort(), ['10.244.1.0/26', '10.244.3.0/26']);
    assert.ok(done.at < 20_000, `complete at End-of-RIB (${done.at} ms), not at the deferral`);
    void a;
  });
});

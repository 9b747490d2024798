// BGPFilter, numAllowedLocalASNumbers and keepOriginalNextHop between our own speakers over loopback
// (127.0.0.x, ephemeral ports; no root): what a filter rejects is neither advertised nor imported, a
// filter change applies without a session reset, and allow-local-as admits a path through another AS.
//
//   C (AS 64512, a node) ── eBGP ── A (AS 65001, a ToR) ── eBGP ── B (AS 64512, the node under test)
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pino from 'pino';
import { BgpSpeaker, type LearnedRoute, type SpeakerConfig, type SpeakerPeerConfig } from '../../src/bgp/speaker.ts';
import { peerFilters } from '../../src/bgp/filter.ts';
import type { Resource } from '../../src/api/resource.ts';
import { waitFor } from './harness.ts';
import { startBgp } from '../../src/bgp/node-integration.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';

const log = pino({ level: process.env.BGP_TEST_LOG ?? 'silent' });

async function freePort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, host, () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

const peerCfg = (address: string, port: number, asNumber: number, over: Partial<SpeakerPeerConfig> = {}): SpeakerPeerConfig => ({
  name: `Global_${address.replace(/\./g, '_')}`, address, port, asNumber, type: 'global', passive: false, rrClient: false,
  keepOriginalNextHop: false, maxRestartTime: 3, ...over,
});

interface Speaker { speaker: BgpSpeaker; routes: LearnedRoute[]; cfg: SpeakerConfig }
const running: BgpSpeaker[] = [];
after(async () => { for (const s of running) await s.stop({ graceful: false }); });

async function start(cfg: Omit<SpeakerConfig, 'connectRetryTime' | 'errorWaitTime' | 'initialRouteDeferral'>): Promise<Speaker> {
  const n = { routes: [] as LearnedRoute[], cfg: { ...cfg, connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 0.3 } } as Speaker;
  n.speaker = new BgpSpeaker(n.cfg, { log, onRoutes: (r) => { n.routes = r.toArray(); } });
  await n.speaker.start();
  running.push(n.speaker);
  return n;
}

const established = (n: Speaker, addr: string) => n.speaker.status().peers.find((p) => p.address === addr && p.state === 'Established');
const route = (n: Speaker, prefix: string) => n.routes.find((r) => r.prefix === prefix);
const filter = (name: string, spec: Record<string, unknown>): Resource => ({ apiVersion: 'projectcalico.org/v3', kind: 'BGPFilter', metadata: { name }, spec });
/** Settle: what is checked next is that something did NOT arrive, so give UPDATEs time to flow. */
const settle = () => new Promise((r) => setTimeout(r, 400));

describe('BGPFilter and peer options between our speakers', () => {
  test('import and export rules, live filter changes, allow local as, keep original next hop', async () => {
    const [pa, pb, pc] = [await freePort('127.0.0.1'), await freePort('127.0.0.2'), await freePort('127.0.0.3')];
    const a = await start({ routerId: '127.0.0.1', asNumber: 65001, listenPort: pa, listenAddress: '127.0.0.1', exports: ['0.0.0.0/0', '10.99.0.0/16'],
      peers: [peerCfg('127.0.0.2', pb, 64512, { sourceAddress: '127.0.0.1' }), peerCfg('127.0.0.3', pc, 64512, { sourceAddress: '127.0.0.1' })] });
    const c = await start({ routerId: '127.0.0.3', asNumber: 64512, listenPort: pc, listenAddress: '127.0.0.3', exports: ['10.244.9.0/26'],
      peers: [peerCfg('127.0.0.1', pa, 65001, { sourceAddress: '127.0.0.3' })] });

    // B's peering with the ToR: no default route in; its second block not out.
    const warnings: string[] = [];
    const filters = peerFilters(['no-default', 'hide-block'], [
      filter('no-default', { importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Reject' }] }),
      filter('hide-block', { exportV4: [{ cidr: '10.244.2.0/26', matchOperator: 'Equal', action: 'Reject' }, { action: 'Accept' }] }),
    ], 'BGPPeer tor', warnings);
    assert.deepEqual(warnings, []);
    const toA = peerCfg('127.0.0.1', pa, 65001, { sourceAddress: '127.0.0.2', filters, maxRestartTime: 7 });
    const b = await start({ routerId: '127.0.0.2', asNumber: 64512, listenPort: pb, listenAddress: '127.0.0.2', exports: ['10.244.2.0/26', '10.244.3.0/26'], peers: [toA] });

    await waitFor('sessions up', () => established(a, '127.0.0.2') && established(a, '127.0.0.3') && established(c, '127.0.0.1') && established(b, '127.0.0.1'));
    await waitFor('B learns the ToR route', () => route(b, '10.99.0.0/16'));
    await waitFor('A learns B\'s visible block', () => a.speaker.rib.best('10.244.3.0/26'));
    await settle();
    assert.equal(route(b, '0.0.0.0/0'), undefined, 'import Reject: the default route is not imported');
    assert.equal(a.speaker.rib.best('10.244.2.0/26'), undefined, 'export Reject: the block is not advertised');
    const st = b.speaker.status().peers[0]!;
    assert.equal(st.prefixesSent, 1);
    // maxRestartTime (BIRD `graceful restart time 7`) is the restart time B advertises to A.
    assert.ok(established(a, '127.0.0.2')!.capabilities!.includes('graceful-restart(7s)'), String(established(a, '127.0.0.2')!.capabilities));
    // The AS path C → A → B holds B's own AS: rejected by the loop check by default.
    const fromA = () => b.speaker.rib.adjRibIn(`127.0.0.1:${pa}`);
    await waitFor('B has received C\'s block (and rejected it)', () => fromA()?.get('10.244.9.0/26'));
    assert.equal(fromA()!.get('0.0.0.0/0')?.rejected, 'rejected by BGPFilter no-default importV4[0]');
    assert.match(fromA()!.get('10.244.9.0/26')?.rejected ?? '', /AS path contains our AS 64512/);
    assert.equal(route(b, '10.244.9.0/26'), undefined);

    // Filters changed: applied without resetting the session (routes re-decided from the Adj-RIB-In).
    const since = established(b, '127.0.0.1')!.since;
    b.speaker.reconfigure({ ...b.cfg, peers: [{ ...toA, filters: undefined }] });
    await waitFor('default route imported once the filter is gone', () => route(b, '0.0.0.0/0'));
    await waitFor('hidden block advertised once the filter is gone', () => a.speaker.rib.best('10.244.2.0/26'));
    assert.equal(established(b, '127.0.0.1')?.since, since, 'same session');
    b.speaker.reconfigure({ ...b.cfg, peers: [toA] });
    await waitFor('filter back: default route dropped', () => !route(b, '0.0.0.0/0'));
    await waitFor('filter back: block withdrawn from the ToR', () => !a.speaker.rib.best('10.244.2.0/26'));
    assert.equal(established(b, '127.0.0.1')?.since, since, 'still the same session');

    // numAllowedLocalASNumbers 1 (BIRD `allow local as 1`): C's block, path 65001 64512, is accepted.
    b.speaker.reconfigure({ ...b.cfg, peers: [{ ...toA, allowLocalAs: 1 }] });
    await waitFor('C\'s block learned through the ToR', () => route(b, '10.244.9.0/26'));
    assert.equal(route(b, '10.244.9.0/26')!.nextHop, '127.0.0.1', 'eBGP: the ToR is the next hop');
    assert.deepEqual(b.speaker.rib.best('10.244.9.0/26')!.attrs.asPath, [{ type: 2, asns: [65001, 64512] }]);

    // keepOriginalNextHop on the ToR's peering with B (BIRD `next hop keep`): C stays the next hop.
    a.speaker.reconfigure({ ...a.cfg, peers: [{ ...a.cfg.peers[0]!, keepOriginalNextHop: true }, a.cfg.peers[1]!] });
    await waitFor('next hop kept', () => route(b, '10.244.9.0/26')?.nextHop === '127.0.0.3');
  });
});

describe('BGPFilter from the datastore', () => {
  test('a node follows the BGPFilter its BGPPeer names: created, changed, deleted', async () => {
    const ds = new MemoryDatastore();
    const [pa, pb] = [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
    const mk = (kind: string, name: string, spec: unknown) => ds.create({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec } as Resource);
    await mk('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false, asNumber: 64512 });
    await mk('Node', 'node-a', { bgp: { ipv4Address: '127.0.0.1/8' } });
    await mk('Node', 'node-b', { bgp: { ipv4Address: '127.0.0.2/8' } });
    await mk('BGPPeer', 'a-to-b', { node: 'node-a', peerIP: `127.0.0.2:${pb}`, asNumber: 64512, filters: ['hide'] });
    await mk('BGPPeer', 'b-to-a', { node: 'node-b', peerIP: `127.0.0.1:${pa}`, asNumber: 64512 });
    await mk('BGPFilter', 'hide', { exportV4: [{ cidr: '10.244.1.0/26', matchOperator: 'Equal', action: 'Reject' }] });
    for (const [name, cidr] of [['10-244-1-0-26', '10.244.1.0/26'], ['10-244-1-64-26', '10.244.1.64/26']] as const) {
      await mk('IPAMBlock', name, { cidr, affinity: 'host:node-a', allocations: [], attributes: [] });
    }
    let routesB: LearnedRoute[] = [];
    const timers = { connectRetryTime: 1, errorWaitTime: 0.2, initialRouteDeferral: 0.2 };
    const A = await startBgp({ ds, nodeName: 'node-a', log, onRoutes: () => undefined, listenPort: pa, timers });
    const B = await startBgp({ ds, nodeName: 'node-b', log, onRoutes: (r) => { routesB = r.toArray(); }, listenPort: pb, timers });
    const learned = (prefix: string) => routesB.some((r) => r.prefix === prefix);
    try {
      await waitFor('B learns the visible block', () => learned('10.244.1.64/26'));
      await settle();
      assert.equal(learned('10.244.1.0/26'), false, 'the filtered block is not advertised');
      const f = (await ds.get('BGPFilter', 'hide'))!;
      await ds.update({ ...f, spec: { exportV4: [{ cidr: '10.244.1.64/26', matchOperator: 'Equal', action: 'Reject' }] } });
      await waitFor('the filter change is applied', () => learned('10.244.1.0/26') && !learned('10.244.1.64/26'));
      await ds.delete('BGPFilter', 'hide');
      await waitFor('no filter: both blocks', () => learned('10.244.1.0/26') && learned('10.244.1.64/26'));
    } finally {
      await A.stop({ graceful: false });
      await B.stop({ graceful: false });
    }
  });
});

// The node's trace endpoint: refuses callers without the cluster's trace token (401) or with another token
// (403), rate-limits, rejects malformed requests, and (root, in a namespace of its own) answers from the
// kernel's own route lookup: RTM_GETROUTE with fibmatch names the matched prefix, protocol and gateway, and a
// blackhole is explained with the block's affinity.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.ts';
import { Netlink } from '../../src/netlink/index.ts';
import { CAPTURE_PATH, PROBE_PATH, startTraceServer, TRACE_PATH, type TraceServer } from '../../src/agent/trace-server.ts';
import type { TraceSources } from '../../src/agent/trace-gather.ts';
import type { Resource } from '../../src/api/resource.ts';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';

const log = createLogger('trace-test', { level: 'silent' });
const TOKEN = 'ab12cd34ef56ab12cd34ef56ab12cd34';

function res(kind: string, name: string, spec: Record<string, unknown>, namespace?: string): Resource {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec } as Resource;
}

const ITEMS: Record<string, Resource[]> = {
  Node: [res('Node', 'here', { bgp: { ipv4Address: '10.9.0.2/24' } }), res('Node', 'there', { bgp: { ipv4Address: '10.9.0.3/24' } })],
  IPPool: [res('IPPool', 'default', { cidr: '192.168.0.0/16', natOutgoing: true, ipipMode: 'Never', vxlanMode: 'Never' })],
  IPAMBlock: [res('IPAMBlock', '192-168-2-0-26', { cidr: '192.168.2.0/26', affinity: 'host:here' }), res('IPAMBlock', '192-168-1-0-26', { cidr: '192.168.1.0/26', affinity: 'host:there' })],
  WorkloadEndpoint: [res('WorkloadEndpoint', 'here-k8s-web-eth0', { node: 'here', pod: 'web', interfaceName: 'caliNotHere0', ipNetworks: ['192.168.2.5/32'] }, 'default'),
    res('WorkloadEndpoint', 'there-k8s-db-eth0', { node: 'there', pod: 'db', interfaceName: 'caliThere000', ipNetworks: ['192.168.1.5/32'] }, 'default')],
};

function sources(netns?: string): TraceSources {
  return {
    nodeName: 'here', items: (k) => ITEMS[k] ?? [], ruleset: () => null, bgpPeers: () => [], vxlan: () => undefined,
    openNetlink: () => Netlink.open(netns ? { netns } : {}),
  };
}

async function post(port: number, body: unknown, auth?: string, path = TRACE_PATH): Promise<{ status: number; headers: Headers; json: any }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
  });
  return { status: r.status, headers: r.headers, json: await r.json() };
}

const ASK = { packet: { src: '10.9.0.2', dst: '192.168.1.7', protocol: 'icmp' }, arrival: { from: 'host' } };

describe('trace endpoint: who may ask', () => {
  let dir: string, server: TraceServer;
  let now = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tabby-trace-'));
    writeFileSync(join(dir, 'token'), TOKEN + '\n', { mode: 0o600 });
    server = (await startTraceServer({ port: 39097 + Math.floor(Math.random() * 1000), host: '127.0.0.1', tokenFile: join(dir, 'token'), sources: sources(), log, ratePerSecond: 1, burst: 2, now: () => now }))!;
    assert.ok(server, 'server started');
  });
  after(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

  test('no credentials: 401, with the way to authenticate, and no kernel state', async () => {
    const r = await post(server.address!.port, ASK);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="tabby-trace"');
    assert.match(r.json.error, /authentication required \(Authorization: Bearer <the cluster trace token>/);
    assert.deepEqual(Object.keys(r.json), ['error']);
  });

  test('another token: 403', async () => {
    const r = await post(server.address!.port, ASK, `Bearer ${TOKEN.replace('a', 'b')}`);
    assert.equal(r.status, 403);
    assert.match(r.json.error, /not this cluster's trace token/);
  });

  test('malformed requests are refused, naming the field', async () => {
    now += 10_000;
    const r = await post(server.address!.port, { packet: { ...ASK.packet, protocol: 'sctp' }, arrival: ASK.arrival }, `Bearer ${TOKEN}`);
    assert.equal(r.status, 400);
    assert.match(r.json.error, /packet\.protocol must be tcp, udp or icmp/);
  });

  test('rate limit: beyond the burst, 429 with Retry-After; a second later, answered again', async () => {
    now += 10_000;
    const bad = { packet: { src: 'x' }, arrival: {} };
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await post(server.address!.port, bad, `Bearer ${TOKEN}`)).status);
    assert.deepEqual(codes, [400, 400, 429]);
    const limited = await post(server.address!.port, bad, `Bearer ${TOKEN}`);
    assert.equal(limited.headers.get('retry-after'), '1');
    now += 1000;
    assert.equal((await post(server.address!.port, bad, `Bearer ${TOKEN}`)).status, 400);
  });

  test('off without a token file, and off with port 0', async () => {
    assert.equal(await startTraceServer({ port: 39001, host: '127.0.0.1', tokenFile: join(dir, 'missing'), sources: sources(), log }), undefined);
    assert.equal(await startTraceServer({ port: 0, host: '127.0.0.1', tokenFile: join(dir, 'token'), sources: sources(), log }), undefined);
  });
});

describe('trace endpoint: answers from the kernel', { skip: netnsSkipReason() }, () => {
  const fx = new NetnsFixture();
  let dir: string, server: TraceServer, ns: string;
  before(async () => {
    ns = fx.add('node');
    const peer = fx.add('peer');
    fx.link(ns, 'ens3', peer, 'ens3');
    fx.exec(ns, ['ip', 'addr', 'add', '10.9.0.2/24', 'dev', 'ens3']);
    fx.exec(ns, ['ip', 'route', 'add', '192.168.1.0/26', 'via', '10.9.0.3', 'dev', 'ens3', 'proto', 'bird']);
    fx.exec(ns, ['ip', 'route', 'add', 'blackhole', '192.168.2.0/26', 'proto', 'bird']);
    dir = mkdtempSync(join(tmpdir(), 'tabby-trace-'));
    writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
    // The server listens in the test's namespace; only its netlink socket is opened in the node's.
    server = (await startTraceServer({ port: 38097 + Math.floor(Math.random() * 1000), host: '127.0.0.1', tokenFile: join(dir, 'token'), sources: sources(fx.path(ns)), log }))!;
  });
  after(async () => { await server?.close(); fx.cleanupSync(); rmSync(dir, { recursive: true, force: true }); });

  test('a routed pool address: the matched prefix, protocol and gateway, forwarded to the node owning it', async () => {
    const r = await post(server.address!.port, ASK, `Bearer ${TOKEN}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.node, 'here');
    const seg = r.json.segment;
    assert.match(seg.hops[0].detail, /route lookup on here: 192\.168\.1\.7 via 10\.9\.0\.3 dev ens3 proto bird .*\(matches 192\.168\.1\.0\/26 via 10\.9\.0\.3 dev ens3 proto bird/);
    assert.deepEqual([seg.outcome.kind, seg.outcome.node], ['forward', 'there']);
  });

  test('a blackhole: the kernel refuses, and the block\'s affinity says why', async () => {
    const r = await post(server.address!.port, { ...ASK, packet: { ...ASK.packet, dst: '192.168.2.9' } }, `Bearer ${TOKEN}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.segment.outcome.kind, 'dropped');
    assert.match(r.json.segment.outcome.reason, /blackhole route blackhole 192\.168\.2\.0\/26 proto bird: the block 192\.168\.2\.0\/26 is affine to here, but no pod on here has 192\.168\.2\.9/);
  });
});

describe('trace endpoint: --verify\'s capture and probe', () => {
  let dir: string, server: TraceServer;
  const PROBE = { protocol: 'icmp', dst: '192.168.1.7', length: 1028 };
  const CAPTURE = { probe: PROBE, iface: 'lo', form: 'inner', durationMs: 1000 };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tabby-trace-'));
    writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
    server = (await startTraceServer({ port: 37097 + Math.floor(Math.random() * 1000), host: '127.0.0.1', tokenFile: join(dir, 'token'), sources: sources(), log, probeRatePerSecond: 1000, probeBurst: 1000 }))!;
  });
  after(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

  test('without the token, or with another, neither captures nor probes', async () => {
    for (const [path, body] of [[CAPTURE_PATH, CAPTURE], [PROBE_PATH, { probe: PROBE }]] as const) {
      const anon = await post(server.address!.port, body, undefined, path);
      assert.equal(anon.status, 401, path);
      assert.equal(anon.headers.get('www-authenticate'), 'Bearer realm="tabby-trace"');
      assert.match(anon.json.error, /authentication required/);
      assert.equal((await post(server.address!.port, body, `Bearer ${TOKEN}x`, path)).status, 403, path);
    }
  });

  test('out of bounds or not on this node: refused before anything runs, naming the problem', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      [CAPTURE_PATH, { ...CAPTURE, durationMs: 60_000 }, 400, /durationMs must be 500-15000/],
      [CAPTURE_PATH, { ...CAPTURE, durationMs: 10 }, 400, /durationMs must be 500-15000/],
      [CAPTURE_PATH, { ...CAPTURE, probe: { ...PROBE, length: 65_000 } }, 400, /probe\.length must be 29-9000/],
      [CAPTURE_PATH, { ...CAPTURE, iface: 'lo; reboot' }, 400, /iface must be an interface name/],
      [CAPTURE_PATH, { ...CAPTURE, form: 'raw' }, 400, /form must be one of inner, ipip, vxlan, natted, any/],
      [CAPTURE_PATH, { ...CAPTURE, form: 'natted' }, 400, /natSrc \(an IPv4 address\) is needed/],
      [CAPTURE_PATH, { ...CAPTURE, pod: 'default/web', iface: 'ens3' }, 400, /in a pod, only its eth0 is captured/],
      [CAPTURE_PATH, { ...CAPTURE, pod: 'default/db', iface: 'eth0' }, 404, /pod default\/db has no endpoint on node here/],
      [CAPTURE_PATH, { ...CAPTURE, iface: 'nosuchif0' }, 404, /no interface nosuchif0 on node here/],
      [PROBE_PATH, { probe: { ...PROBE, dst: '192.168.1.7 -f' } }, 400, /probe\.dst must be an IPv4 address/],
      [PROBE_PATH, { probe: { ...PROBE, fromAddress: '192.168.2.9' } }, 400, /a probe from another address is sent from a pod/],
      [PROBE_PATH, { probe: { protocol: 'tcp', dst: '192.168.1.7', port: 80 } }, 400, /srcPort is needed for tcp/],
      [PROBE_PATH, { probe: PROBE, pod: 'default/db' }, 404, /pod default\/db has no endpoint on node here/],
      [PROBE_PATH, { probe: PROBE, pod: 'not a pod' }, 400, /pod must be "NAMESPACE\/NAME"/],
    ];
    for (const [path, body, status, error] of cases) {
      const r = await post(server.address!.port, body, `Bearer ${TOKEN}`, path);
      assert.equal(r.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.json)}`);
      assert.match(r.json.error, error);
    }
  });

  test('captures and probes have their own rate limit: 429 beyond the burst', async () => {
    const limited = (await startTraceServer({ port: 36097 + Math.floor(Math.random() * 1000), host: '127.0.0.1', tokenFile: join(dir, 'token'), sources: sources(), log, probeRatePerSecond: 1, probeBurst: 2, now: () => 0 }))!;
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await post(limited.address!.port, { probe: { ...PROBE, dst: 'x' } }, `Bearer ${TOKEN}`, PROBE_PATH)).status);
      assert.deepEqual(codes, [400, 400, 429]);
      assert.equal((await post(limited.address!.port, ASK, `Bearer ${TOKEN}`)).status, 200, 'the segment route keeps its own budget');
    } finally { await limited.close(); }
  });
});

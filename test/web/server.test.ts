// tabby ui's server without root or a browser: an embedded datastore, two fake agents on loopback answering
// GET /trace/status; the page's event stream follows datastore writes and agent changes; the API refuses
// what it must (foreign Host/Origin, non-JSON posts, option-like trace ends, bad packets).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { EmbeddedDatastore } from '../../src/datastore/embedded.ts';
import { createLogger } from '../../src/log.ts';
import { WebServer } from '../../src/web/server.ts';
import type { ClusterView } from '../../src/web/view-model.ts';
import { waitUntil } from '../helpers/wait.ts';

const TOKEN = 'test-token-0123456789';

/** An agent's GET /trace/status: BGP peers as given, 401 without the token; `down` closes it. */
function fakeAgent(host: string, port: number, peers: () => { address: string; state: string }[]): Promise<http.Server> {
  const srv = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) { res.writeHead(401).end('{}'); return; }
    const bgp = {
      running: true, routerId: host, asNumber: 64512, listenPort: 179, locRibRoutes: 0, exportedPrefixes: [],
      peers: peers().map((p) => ({ name: 'Mesh', port: 179, peerType: 'node-to-node mesh', localAs: 64512, peerAs: 64512, ibgp: true, rrClient: false, since: 'x', ...p })),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ node: host, ready: true, bgp }));
  });
  return new Promise((resolve) => srv.listen(port, host, () => resolve(srv)));
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Reads the SSE stream, keeping the latest `cluster` view. */
function follow(url: string): { latest: () => ClusterView | undefined; count: () => number; close: () => void } {
  let latest: ClusterView | undefined;
  let n = 0;
  const req = http.get(url, (res) => {
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const msg = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = msg.split('\n').find((l) => l.startsWith('data: '));
        if (msg.includes('event: cluster') && data) { latest = JSON.parse(data.slice(6)) as ClusterView; n++; }
      }
    });
  });
  req.on('error', () => {});
  return { latest: () => latest, count: () => n, close: () => req.destroy() };
}

describe('tabby ui server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-ui-'));
  const ds = new EmbeddedDatastore(join(dir, 'ds.db'));
  let server: WebServer;
  let base = '';
  let agents: http.Server[] = [];
  let n2Peers: { address: string; state: string }[] = [{ address: '127.0.0.1', state: 'Established' }];

  before(async () => {
    const agentPort = await freePort();
    agents = [
      await fakeAgent('127.0.0.1', agentPort, () => [{ address: '127.0.0.2', state: 'Established' }]),
      await fakeAgent('127.0.0.2', agentPort, () => n2Peers),
    ];
    for (const [name, ip] of [['node-a', '127.0.0.1'], ['node-b', '127.0.0.2']]) {
      await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: name! }, spec: { bgp: { ipv4Address: `${ip}/8` } } });
    }
    mkdirSync(join(dir, 'web'));
    for (const f of ['index.html', 'app.js', 'app.css']) writeFileSync(join(dir, 'web', f), `/* ${f} */`);
    server = new WebServer({
      ds, listen: '127.0.0.1:0', assetsDir: join(dir, 'web'), token: TOKEN, tracePort: agentPort,
      log: createLogger('ui-test', { level: 'error' }), agentEveryMs: 1000,
    });
    base = `http://${await server.start()}`;
  });
  after(async () => {
    await server.stop();
    for (const a of agents) a.close();
    ds.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the event stream: nodes and their session at once; a pod written appears and a deleted one goes; an agent\'s change recolours', async () => {
    const s = follow(`${base}/api/events`);
    try {
      assert.ok(await waitUntil(() => (s.latest()?.sessions[0]?.state) === 'Established', { timeoutMs: 10_000 }), JSON.stringify(s.latest()));
      assert.deepEqual(s.latest()!.nodes.map((n) => `${n.name}:${n.agent}`), ['node-a:up', 'node-b:up']);
      await ds.create({
        apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'node--b-k8s-pod1-eth0', namespace: 'default', labels: { app: 'x' } },
        spec: { node: 'node-b', orchestrator: 'k8s', pod: 'pod1', endpoint: 'eth0', interfaceName: 'cali0123456789a', ipNetworks: ['10.244.1.2/32'], profiles: ['kns.default'] },
      });
      const podSeen = () => s.latest()!.nodes.find((n) => n.name === 'node-b')!.pods.map((p) => p.name).includes('pod1');
      assert.ok(await waitUntil(podSeen, { timeoutMs: 5000 }), 'pod appears without asking');
      n2Peers = [{ address: '127.0.0.1', state: 'Active' }];
      assert.ok(await waitUntil(() => s.latest()!.sessions[0]!.state === 'Active', { timeoutMs: 5000 }), 'session state follows the agent');
      await ds.delete('WorkloadEndpoint', 'node--b-k8s-pod1-eth0', 'default');
      assert.ok(await waitUntil(() => !podSeen(), { timeoutMs: 5000 }), 'deleted pod disappears');
      await new Promise<void>((r) => agents[1]!.close(() => r()));
      assert.ok(await waitUntil(() => s.latest()!.nodes.find((n) => n.name === 'node-b')!.agent === 'unreachable', { timeoutMs: 5000 }), 'agent stopped');
    } finally { s.close(); }
  });

  test('a pod\'s details, and a 404 naming a pod that is not there', async () => {
    await ds.create({
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'node--a-k8s-pod2-eth0', namespace: 'default', labels: { app: 'y' } },
      spec: { node: 'node-a', orchestrator: 'k8s', pod: 'pod2', endpoint: 'eth0', interfaceName: 'cali0123456789b', ipNetworks: ['10.244.0.2/32'], profiles: ['kns.default'] },
    });
    let r: Response | undefined;
    assert.ok(await waitUntil(async () => (r = await fetch(`${base}/api/pod?namespace=default&name=pod2`)).ok, { timeoutMs: 5000, everyMs: 100 }));
    const d = await r!.json() as { iface: string; labels: Record<string, string> };
    assert.equal(d.iface, 'cali0123456789b');
    assert.equal(d.labels.app, 'y');
    const missing = await fetch(`${base}/api/pod?namespace=default&name=nope`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no pod default\/nope/);
  });

  test('refusals: a foreign Host or Origin, a form post, an option as trace end, a bad packet', async () => {
    const raw = (path: string, headers: Record<string, string>, method = 'GET', body?: string) => new Promise<number>((resolve, reject) => {
      const u = new URL(base);
      const req = http.request({ host: u.hostname, port: u.port, path, method, headers }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(await raw('/', { host: 'evil.example:80' }), 403, 'DNS rebinding');
    assert.equal(await raw('/api/trace', { host: new URL(base).host, origin: 'http://evil.example', 'content-type': 'application/json' }, 'POST', '{}'), 403);
    assert.equal(await raw('/', { host: new URL(base).host }), 200);
    const post = (body: unknown, type = 'application/json') => fetch(`${base}/api/trace`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
    assert.equal((await post({ src: 'a', dst: 'b' }, 'text/plain')).status, 415);
    const opt = await post({ src: '--help', dst: 'default/pod2' });
    assert.equal(opt.status, 400);
    assert.match(((await opt.json()) as { error: string }).error, /src must be a pod/);
    assert.equal((await post({ src: 'default/pod2', dst: 'default/pod1', protocol: 'tcp' })).status, 400, 'tcp without a port');
    assert.equal((await fetch(`${base}/api/matrix?namespace=default&protocol=sctp`)).status, 400);
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
  });

  test('the matrix from the policy model', async () => {
    const r = await fetch(`${base}/api/matrix?namespace=default&protocol=tcp&port=80`);
    assert.equal(r.status, 200);
    const m = await r.json() as { pods: string[] };
    assert.ok(m.pods.includes('pod2'));
  });
});

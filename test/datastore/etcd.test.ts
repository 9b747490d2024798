// The etcd v3 store against the shared conformance suite (TABBY_TEST_ETCD_ENDPOINTS names the etcd, as
// scripts/test.sh arranges; without it both suites report a skip, and under CI=true the file fails), plus what only it has: Calico's key layout, fast Unavailable when etcd is
// down, and a watch that resumes without gaps or duplicates after its connection drops.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { EtcdDatastore } from '../../src/datastore/etcd.ts';
import { openDatastore } from '../../src/datastore/index.ts';
import { isDatastoreError, type WatchEvent } from '../../src/datastore/types.ts';
import { testEtcd } from '../helpers/etcd.ts';
import { collect, pool, runDatastoreSuite, wep } from './suite.ts';
import { waitUntil } from '../helpers/wait.ts';

const { endpoints, skip } = testEtcd();
const runPrefix = `/tabby-test-${process.pid}-${randomBytes(3).toString('hex')}`;
let seq = 0;

/** Removes every key this run wrote. */
after(async () => {
  if (skip) return;
  const raw = new Etcd3({ hosts: endpoints! });
  try { await raw.delete().prefix(runPrefix); } finally { raw.close(); }
});

runDatastoreSuite({
  name: 'etcdv3',
  validatesIdentity: true,
  skip,
  async fresh() {
    const keyPrefix = `${runPrefix}/t${++seq}`;
    const ds = new EtcdDatastore({ endpoints: endpoints!, keyPrefix });
    const others: EtcdDatastore[] = [];
    return {
      ds,
      config: { type: 'etcdv3', etcdEndpoints: endpoints!, etcdKeyPrefix: keyPrefix },
      reopen: async () => { const o = new EtcdDatastore({ endpoints: endpoints!, keyPrefix }); others.push(o); return o; },
      compact: (rev) => ds.compact(rev),
      cleanup: async () => { for (const o of others) await o.close(); await ds.close(); },
    };
  },
});

describe('which etcd the tests use', () => {
  test('endpoints from TABBY_TEST_ETCD_ENDPOINTS; without them a visible skip locally and an error under CI', () => {
    assert.deepEqual(testEtcd({ TABBY_TEST_ETCD_ENDPOINTS: 'http://127.0.0.1:1, http://127.0.0.1:2' }), { endpoints: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], skip: false });
    assert.deepEqual(testEtcd({ TABBY_TEST_ETCD_ENDPOINTS: 'http://127.0.0.1:1', CI: 'true' }).skip, false);
    assert.match(String(testEtcd({}).skip), /TABBY_TEST_ETCD_ENDPOINTS not set/);
    assert.throws(() => testEtcd({ CI: 'true' }), /CI=true but TABBY_TEST_ETCD_ENDPOINTS is not set/);
    assert.throws(() => testEtcd({ CI: 'true', TABBY_TEST_ETCD_ENDPOINTS: ' , ' }), /CI=true/);
  });
});

/** A TCP proxy to etcd whose connections the test can cut, and which can refuse new ones for a while. */
class CuttableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  refusing = false;
  port = 0;

  constructor(target: URL) {
    this.server = createServer((client) => {
      if (this.refusing) { client.destroy(); return; }
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); s.on('error', () => {}); }
      client.pipe(upstream).pipe(client);
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => {
      this.port = (this.server.address() as { port: number }).port;
      resolve();
    }));
  }

  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('etcd datastore specifics', { skip }, () => {
  test('keys follow Calico\'s etcd layout and values are the v3 object as JSON', async () => {
    const keyPrefix = `${runPrefix}/layout`;
    const ds = new EtcdDatastore({ endpoints: endpoints!, keyPrefix });
    const raw = new Etcd3({ hosts: endpoints! });
    try {
      await ds.create(pool('default-ipv4-ippool', '10.244.0.0/16'));
      await ds.create(wep('kube-system', 'node1-k8s-coredns-eth0'));
      await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPAMBlock', metadata: { name: '10-244-1-0-26' }, spec: { cidr: '10.244.1.0/26' } });
      await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'BlockAffinity', metadata: { name: 'node1-10-244-1-0-26' }, spec: { node: 'node1', cidr: '10.244.1.0/26', state: 'confirmed' } });
      await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPAMHandle', metadata: { name: 'k8s-pod-network.c1' }, spec: { handleID: 'k8s-pod-network.c1' } });
      const keys = (await raw.getAll().prefix(keyPrefix).keys()).map((k) => k.slice(keyPrefix.length)).sort();
      assert.deepEqual(keys, [
        '/calico/ipam/v2/assignment/ipv4/block/10-244-1-0-26',
        '/calico/ipam/v2/handle/k8s-pod-network.c1',
        '/calico/ipam/v2/host/node1/ipv4/block/10.244.1.0-26',
        '/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool',
        '/calico/resources/v3/projectcalico.org/workloadendpoints/kube-system/node1-k8s-coredns-eth0',
      ]);
      const value = await raw.get(`${keyPrefix}/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool`).json() as { kind: string; metadata: Record<string, unknown>; spec: unknown };
      assert.equal(value.kind, 'IPPool');
      assert.equal(value.metadata.name, 'default-ipv4-ippool');
      assert.equal(value.metadata.resourceVersion, undefined); // it is the key's mod_revision
      assert.deepEqual(value.spec, { cidr: '10.244.0.0/16' });
    } finally {
      raw.close();
      await ds.close();
    }
  });

  test('keys under /calico/ that are not Tabby objects are ignored by list and watch', async () => {
    const keyPrefix = `${runPrefix}/foreign`;
    const ds = new EtcdDatastore({ endpoints: endpoints!, keyPrefix });
    const raw = new Etcd3({ hosts: endpoints! });
    try {
      const start = await ds.revision();
      const events = collect(ds, { fromRevision: start }, 1);
      await raw.put(`${keyPrefix}/calico/ipam/v2/config`).value('{"strictAffinity":false}');
      await raw.put(`${keyPrefix}/calico/v1/Ready`).value('true');
      await raw.put(`${keyPrefix}/calico/resources/v3/projectcalico.org/unknownthings/x`).value('{}');
      await ds.create(pool('p1'));
      assert.deepEqual((await events).map((e) => e.object.metadata.name), ['p1']);
      assert.deepEqual((await ds.list('IPPool')).items.map((o) => o.metadata.name), ['p1']);
    } finally {
      raw.close();
      await ds.close();
    }
  });

  test('a list bigger than one gRPC message and than one page returns every item, at one revision', { timeout: 60_000 }, async () => {
    const keyPrefix = `${runPrefix}/biglist`;
    const ds = new EtcdDatastore({ endpoints: endpoints!, keyPrefix });
    const raw = new Etcd3({ hosts: endpoints! });
    const dir = `${keyPrefix}/calico/resources/v3/projectcalico.org/globalnetworksets/`;
    const gns = (name: string, nets: string[]) => JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name }, spec: { nets } });
    try {
      // Eight sets of ~0.8 MB: 6.4 MB in all, past grpc-js's 4 MiB default answer size.
      const nets = Array.from({ length: 45_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`);
      for (let i = 0; i < 8; i++) await raw.put(`${dir}big-${i}`).value(gns(`big-${i}`, nets));
      // And 1,200 small ones: more keys than one range call returns.
      for (let i = 0; i < 1200; i += 100) {
        await Promise.all(Array.from({ length: 100 }, (_, j) => raw.put(`${dir}small-${String(i + j).padStart(4, '0')}`).value(gns(`small-${i + j}`, ['192.0.2.1/32']))));
      }
      const before = await ds.revision();
      const listing = await ds.list('GlobalNetworkSet');
      assert.equal(listing.items.length, 1208);
      assert.equal(listing.items.filter((o) => (o.spec as { nets: string[] }).nets.length === 45_000).length, 8);
      assert.equal(new Set(listing.items.map((o) => o.metadata.name)).size, 1208);
      assert.ok(listing.revision >= before);
    } finally {
      await raw.delete().prefix(keyPrefix);
      raw.close();
      await ds.close();
    }
  });

  test('an unreachable etcd is reported as Unavailable, quickly, naming the endpoint', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    });
    const ds = await openDatastore({ type: 'etcdv3', etcdEndpoints: [`http://127.0.0.1:${dead}`] });
    try {
      const t0 = Date.now();
      for (const op of [() => ds.revision(), () => ds.get('IPPool', 'x'), () => ds.create(pool('x')), () => ds.list('Node')]) {
        await assert.rejects(op(), (e: unknown) => isDatastoreError(e, 'Unavailable') && e.message.includes(`127.0.0.1:${dead}`));
      }
      assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    } finally {
      await ds.close();
    }
  });

  test('an etcd that accepts connections but never answers fails within the call deadline', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => { sockets.push(s); s.on('error', () => {}); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const ds = new EtcdDatastore({ endpoints: [`http://127.0.0.1:${port}`], timeoutMs: 1500 });
    try {
      const t0 = Date.now();
      await assert.rejects(ds.get('IPPool', 'x'), (e: unknown) => isDatastoreError(e, 'Unavailable') && e.message.includes(`127.0.0.1:${port}`));
      const took = Date.now() - t0;
      assert.ok(took >= 1000 && took < 8000, `took ${took} ms`);
    } finally {
      await ds.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  test('a watch resumes after its connection drops, with no gaps and no duplicates', { timeout: 60_000 }, async () => {
    const target = new URL(endpoints![0]!);
    const proxy = new CuttableProxy(target);
    await proxy.listen();
    const keyPrefix = `${runPrefix}/resume`;
    const writer = new EtcdDatastore({ endpoints: endpoints!, keyPrefix });
    const watcherStore = new EtcdDatastore({ endpoints: [`http://127.0.0.1:${proxy.port}`], keyPrefix });
    const events: WatchEvent[] = [];
    let watchErr: unknown;
    try {
      const start = await writer.revision();
      const written: number[] = [];
      const w = watcherStore.watch({ fromRevision: start }, (ev) => events.push(ev), (e) => { watchErr = e; });
      for (let i = 0; i < 5; i++) written.push(Number((await writer.create(pool(`a${i}`))).metadata.resourceVersion));
      const until = (n: number) => waitUntil(() => events.length >= n || watchErr !== undefined, { timeoutMs: 20_000 });
      await until(5);
      // Drop the connection and keep etcd out of reach while more changes happen.
      proxy.refusing = true;
      proxy.cut();
      for (let i = 0; i < 5; i++) written.push(Number((await writer.create(pool(`b${i}`))).metadata.resourceVersion));
      // Deliberate outage: the watch must ride out reconnect attempts that fail, not just one quick cut.
      await new Promise((r) => setTimeout(r, 500));
      proxy.refusing = false;
      await until(10);
      // And once more, mid-stream, without a pause.
      proxy.cut();
      for (let i = 0; i < 5; i++) written.push(Number((await writer.create(pool(`c${i}`))).metadata.resourceVersion));
      await until(15);
      w.stop();
      assert.equal(watchErr, undefined);
      assert.deepEqual(events.map((e) => e.revision), written);
    } finally {
      await watcherStore.close();
      await writer.close();
      await proxy.close();
    }
  });
});

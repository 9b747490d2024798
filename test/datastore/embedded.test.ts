// The embedded (SQLite) store against the shared conformance suite, plus what only it has: a file that is
// created with its directory, bounded history, and clear errors for an unusable path.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, mkdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedDatastore } from '../../src/datastore/embedded.ts';
import { openDatastore } from '../../src/datastore/index.ts';
import { isDatastoreError } from '../../src/datastore/types.ts';
import { fileURLToPath } from 'node:url';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { collect, pool, runChild, runDatastoreSuite, watchError } from './suite.ts';
import { waitUntil } from '../helpers/wait.ts';

const root = mkdtempSync(join(tmpdir(), 'tabby-ds-embedded-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;

runDatastoreSuite({
  name: 'embedded',
  validatesIdentity: true,
  async fresh() {
    const path = join(root, `t${++seq}`, 'datastore.db');
    const ds = new EmbeddedDatastore(path);
    const others: EmbeddedDatastore[] = [];
    return {
      ds,
      config: { type: 'embedded', path },
      reopen: async () => { const o = new EmbeddedDatastore(path); others.push(o); return o; },
      compact: (rev) => ds.compact(rev),
      cleanup: async () => { for (const o of others) await o.close(); await ds.close(); },
    };
  },
});

describe('embedded datastore specifics', () => {
  test('openDatastore creates the missing parent directories and the file', async () => {
    const path = join(root, 'deep', 'er', 'store.db');
    const ds = await openDatastore({ type: 'embedded', path });
    try {
      assert.equal(ds.type, 'embedded');
      await ds.create(pool('p1'));
      assert.ok(existsSync(path));
    } finally {
      await ds.close();
    }
  });

  test('the file, its WAL and SHM are readable by their owner only, also under a permissive umask', async () => {
    const path = join(root, 'perm', 'store.db');
    const old = process.umask(0o022);
    try {
      const ds = new EmbeddedDatastore(path);
      try {
        await ds.create(pool('p1')); // a write creates the -wal and -shm files
        for (const f of [path, `${path}-wal`, `${path}-shm`]) {
          assert.ok(existsSync(f), `${f} exists`);
          assert.equal((statSync(f).mode & 0o777).toString(8), '600', `${f} mode`);
        }
      } finally { await ds.close(); }
    } finally { process.umask(old); }
  });

  test('a world-readable file left by an earlier version is narrowed to its owner on open', async () => {
    const path = join(root, 'perm-old', 'store.db');
    mkdirSync(join(root, 'perm-old'));
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const ds = new EmbeddedDatastore(path);
    try {
      assert.equal((statSync(path).mode & 0o777).toString(8), '600');
    } finally { await ds.close(); }
  });

  test('history is bounded: a watch from before the retained events gets Compacted', async () => {
    const path = join(root, 'bounded.db');
    const ds = new EmbeddedDatastore(path, { historyLimit: 100 });
    try {
      let p = await ds.create(pool('p'));
      for (let i = 0; i < 600; i++) p = await ds.update({ ...p, spec: { cidr: `10.${i % 200}.0.0/16` } });
      const head = await ds.revision();
      const err = await watchError(ds, { fromRevision: 0 });
      assert.equal(err.code, 'Compacted');
      assert.ok(err.compactRevision! > head - 100 - 256 && err.compactRevision! <= head - 99, `compactRevision ${err.compactRevision} head ${head}`);
      const recent = await collect(ds, { fromRevision: head - 50 }, 50);
      assert.equal(recent.at(-1)!.revision, head);
    } finally {
      await ds.close();
    }
  });

  test('a path that cannot be a database is reported as Unavailable naming the file', async () => {
    const dir = join(root, 'is-a-dir');
    mkdirSync(dir);
    assert.throws(() => new EmbeddedDatastore(dir), (e: unknown) => isDatastoreError(e, 'Unavailable') && e.message.includes(dir));
  });

  test('a closed store refuses calls with Unavailable', async () => {
    const ds = new EmbeddedDatastore(join(root, 'closed.db'));
    await ds.close();
    await assert.rejects(ds.revision(), (e: unknown) => isDatastoreError(e, 'Unavailable'));
  });

  test('a watch stopped from inside its callback delivers nothing more', async () => {
    const ds = new EmbeddedDatastore(join(root, 'stop.db'));
    try {
      for (let i = 0; i < 5; i++) await ds.create(pool(`p${i}`));
      const got: string[] = [];
      const w = ds.watch({ fromRevision: 0 }, (ev) => { got.push(ev.object.metadata.name); if (got.length === 2) w.stop(); }, () => {});
      // A second watch from the same revision sees all five: by then the stopped one had every chance to deliver.
      const all = await collect(ds, { fromRevision: 0 }, 5);
      assert.equal(all.length, 5);
      assert.deepEqual(got, ['p0', 'p1']);
    } finally {
      await ds.close();
    }
  });

  test('a write waiting for another process\'s lock lets the event loop run, lands soon after the release, and gives up at busyTimeoutMs', async () => {
    const path = join(root, 'lock.db');
    const ds = new EmbeddedDatastore(path, { busyTimeoutMs: 2000 });
    const Database = (await import('better-sqlite3')).default;
    const holder = new Database(path);
    try {
      holder.exec('BEGIN IMMEDIATE'); // another writer holds the lock
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 5);
      const t0 = performance.now();
      const released = new Promise<number>((r) => setTimeout(() => { holder.exec('COMMIT'); r(performance.now()); }, 60));
      const created = await ds.create(pool('waited'));
      const done = performance.now();
      clearInterval(ticker);
      const releasedAt = await released;
      assert.equal(created.metadata.name, 'waited');
      assert.ok(done >= releasedAt, 'not before the lock was released');
      assert.ok(done - releasedAt < 50, `landed ${(done - releasedAt).toFixed(1)} ms after the release`);
      assert.ok(ticks >= 5, `the event loop ran while the write waited (${ticks} ticks in ${(done - t0).toFixed(0)} ms)`);
      // A lock held past busyTimeoutMs: Unavailable naming the file, and nothing written.
      const short = new EmbeddedDatastore(path, { busyTimeoutMs: 100 });
      holder.exec('BEGIN IMMEDIATE');
      const t1 = performance.now();
      await assert.rejects(short.create(pool('never')), (e: any) => e.code === 'Unavailable' && e.message.includes(path) && /lock/.test(e.message));
      assert.ok(performance.now() - t1 < 1000, 'gave up at its timeout');
      holder.exec('COMMIT');
      assert.equal(await ds.get('IPPool', 'never'), undefined, 'nothing written');
      await short.close();
    } finally {
      holder.close();
      await ds.close();
    }
  });

  test('file events without a commit read nothing; other connections\' commits are delivered', async () => {
    const path = join(root, 'wakeups.db');
    const ds = new EmbeddedDatastore(path);
    const other = new EmbeddedDatastore(path);
    try {
      let reads = 0;
      const readEvents = ds.readEvents.bind(ds);
      ds.readEvents = (after: number) => { reads++; return readEvents(after); };
      const got: string[] = [];
      const w = ds.watch({ fromRevision: 0 }, (ev) => got.push(ev.object.metadata.name), () => {});
      await waitUntil(() => reads > 0); // the watch's first read
      for (let i = 0; i < 10; i++) await other.create(pool(`p${i}`));
      await waitUntil(() => got.length === 10);
      assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => `p${i}`));
      // inotify reports any file whose name starts with the database's, the WAL's frames one by one: a
      // process must not read the events table for each of them.
      await new Promise((r) => setTimeout(r, 200));
      const before = reads;
      for (let i = 0; i < 50; i++) { writeFileSync(`${path}-noise`, String(i)); await new Promise((r) => setImmediate(r)); }
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(reads, before, 'no commit, no read');
      await other.create(pool('after-noise'));
      await waitUntil(() => got.length === 11);
      w.stop();
    } finally {
      await other.close();
      await ds.close();
    }
  });

  test('each commit of a short-lived writer process (as `tabby apply` is) wakes a watching process at once, not at its poll', { timeout: 120_000 }, async () => {
    // The WAL writes a watcher could wake on come before the commit is visible; a third of such commits
    // used to wait for the safety-net poll. With that poll a minute long, any commit missed fails here.
    const path = join(root, 'short-writers.db');
    const ds = new EmbeddedDatastore(path, { safetyNetPollMs: 60_000 });
    try {
      const created = await ds.create(pool('ticker', '10.0.0.0/16', { seq: 0 }));
      const lat: number[] = [];
      const w = ds.watch({ fromRevision: Number(created.metadata.resourceVersion) }, (ev) => {
        lat.push(performance.timeOrigin + performance.now() - ev.object.spec.sentAt);
      }, () => {});
      for (let i = 1; i <= 12; i++) {
        await runChild('write-worker.ts', [JSON.stringify({ type: 'embedded', path }), 'IPPool', 'ticker', '1', '0']);
        assert.ok(await waitUntil(() => lat.length === i, { timeoutMs: 10_000 }), `commit ${i} of a process that has exited was not delivered`);
      }
      w.stop();
      assert.ok(Math.max(...lat) < 10_000, `latencies ${lat.map((l) => l.toFixed(0)).join(' ')} ms`);
      assert.equal(statSync(`${path}-notify`).size, 1, 'the signal file does not grow');
      assert.equal(statSync(`${path}-notify`).mode & 0o777, 0o600);
    } finally {
      await ds.close();
    }
  });

  test('a watch reads only the events of its kinds, and passes over more than a batch of others', async () => {
    const path = join(root, 'kinds.db');
    const ds = new EmbeddedDatastore(path);
    try {
      const start = (await ds.list('IPPool')).revision;
      await ds.create(pool('first'));
      for (let i = 0; i < 1100; i++) {
        await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPAMHandle', metadata: { name: `h${i}` }, spec: { handleID: `h${i}`, block: {} } });
      }
      await ds.create(pool('last'));
      const rows = ds.readEvents(start, new Set(['IPPool'])).rows;
      assert.deepEqual(rows.map((r) => r.kind), ['IPPool', 'IPPool'], 'no other kind is read');
      const got: string[] = [];
      const w = ds.watch({ kinds: ['IPPool'], fromRevision: start }, (ev) => got.push(ev.object.metadata.name), () => {});
      assert.ok(await waitUntil(() => got.length === 2));
      assert.deepEqual(got, ['first', 'last']);
      await ds.create(pool('after'));
      assert.ok(await waitUntil(() => got.length === 3));
      w.stop();
    } finally {
      await ds.close();
    }
  });

  test('without inotify, polling alone still delivers other processes\' changes in order', { timeout: 60_000 }, async () => {
    const path = join(root, 'poll-only.db');
    const ds = new EmbeddedDatastore(path, { inotify: false });
    try {
      const created = await ds.create(pool('ticker', '10.0.0.0/16', { seq: 0 }));
      const seqs: number[] = [];
      const lat: number[] = [];
      const w = ds.watch({ fromRevision: Number(created.metadata.resourceVersion) }, (ev) => {
        seqs.push(ev.object.spec.seq);
        lat.push(performance.timeOrigin + performance.now() - ev.object.spec.sentAt);
      }, () => {});
      await runChild('write-worker.ts', [JSON.stringify({ type: 'embedded', path }), 'IPPool', 'ticker', '20', '10']);
      await waitUntil(() => seqs.length >= 20);
      w.stop();
      assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
      assert.ok(Math.max(...lat) < 1000, `max latency ${Math.max(...lat)} ms`);
    } finally {
      await ds.close();
    }
  });

  test('processes in other network namespaces share the file: increments from two namespaces all land and are watched', { skip: netnsSkipReason(), timeout: 120_000 }, async () => {
    const fx = new NetnsFixture();
    const path = join(root, 'netns.db');
    const ds = new EmbeddedDatastore(path);
    try {
      const namespaces = [fx.add('ds-a'), fx.add('ds-b')];
      const created = await ds.create(pool('counter', '10.0.0.0/16', { count: 0 }));
      const seen: number[] = [];
      const w = ds.watch({ fromRevision: Number(created.metadata.resourceVersion) }, (ev) => seen.push(ev.object.spec.count), () => {});
      const worker = fileURLToPath(new URL('./increment-worker.ts', import.meta.url));
      const runs = namespaces.flatMap((ns) => [1, 2].map(() => new Promise<void>((resolve, reject) => {
        const child = fx.spawn(ns, [process.execPath, '--import', 'tsx', worker, JSON.stringify({ type: 'embedded', path }), 'IPPool', 'counter', '25'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr!.on('data', (d) => { err += d; });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker in ${ns} exited ${code}: ${err}`))));
      })));
      await Promise.all(runs);
      await waitUntil(() => seen.length >= 100);
      w.stop();
      assert.equal((await ds.get('IPPool', 'counter'))?.spec.count, 100);
      assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i + 1));
    } finally {
      fx.cleanupSync();
      await ds.close();
    }
  });
});

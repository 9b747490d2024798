// Datastore benchmark: operations per second and write-to-watch-event latency for the embedded and etcd
// backends side by side, with the in-process memory store as the anchor measured in the same run.
// The latency writer is ANOTHER process (this file run with --writer), as CNI/CLI writes are in production.
//
//   node --import tsx bench/datastore.ts [--ops 2000] [--writes 300] [--gap-ms 5] [--etcd http://127.0.0.1:2379]
//
// Without --etcd (or TABBY_BENCH_ETCD_ENDPOINTS / TABBY_TEST_ETCD_ENDPOINTS) it starts a private etcd on
// 127.0.0.1:23991 with a temporary data dir, and stops it (by PID) at the end.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Resource } from '../src/api/resource.ts';
import { openDatastore, type DatastoreConfig } from '../src/datastore/index.ts';
import { MemoryDatastore } from '../src/datastore/memory.ts';
import type { Datastore } from '../src/datastore/types.ts';

const self = fileURLToPath(import.meta.url);
const now = () => performance.timeOrigin + performance.now();

function pool(name: string, spec: Record<string, unknown> = {}): Resource {
  return { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name }, spec: { cidr: '10.0.0.0/16', ...spec } };
}

/** --writer mode: update one object `count` times, `gapMs` apart, stamping the wall-clock send time. */
async function writer(cfgJson: string, name: string, count: number, gapMs: number): Promise<void> {
  const ds = await openDatastore(JSON.parse(cfgJson) as DatastoreConfig);
  let cur = (await ds.get('IPPool', name))!;
  for (let seq = 1; seq <= count; seq++) {
    await new Promise((r) => setTimeout(r, gapMs));
    cur.spec = { ...cur.spec, seq, sentAt: now() };
    cur = await ds.update(cur);
  }
  await ds.close();
}

interface Figures {
  create?: number; get?: number; update?: number; update16?: number; listMs?: number;
  p50?: number; p99?: number; max?: number; idleCpuMsPerS?: number;
}

async function timeOps(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return n / ((performance.now() - t0) / 1000);
}

/** `n` operations spread over `inFlight` workers; worker w only ever touches its own object w. */
async function timeConcurrent(n: number, inFlight: number, op: (worker: number, i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async (_, worker) => {
    while (next < n) await op(worker, next++);
  }));
  return n / ((performance.now() - t0) / 1000);
}

async function opsFigures(ds: Datastore, n: number, tag: string): Promise<Figures> {
  const f: Figures = {};
  const names = Array.from({ length: n }, (_, i) => `${tag}-${String(i).padStart(6, '0')}`);
  f.create = await timeOps(n, (i) => ds.create(pool(names[i]!)));
  f.get = await timeOps(n, (i) => ds.get('IPPool', names[i]!));
  let cur = (await ds.get('IPPool', names[0]!))!;
  f.update = await timeOps(n, async (i) => { cur = await ds.update({ ...cur, spec: { ...cur.spec, i } }); });
  const objs = await Promise.all(names.slice(0, 16).map((x) => ds.get('IPPool', x)));
  f.update16 = await timeConcurrent(n, 16, async (k, i) => {
    objs[k] = await ds.update({ ...objs[k]!, spec: { ...objs[k]!.spec, i } });
  });
  const t0 = performance.now();
  const listed = await ds.list('IPPool', { namePrefix: tag });
  f.listMs = performance.now() - t0;
  if (listed.items.length !== n) throw new Error(`list returned ${listed.items.length} of ${n}`);
  return f;
}

/** Busy time of this process's event loop (where the watcher runs) per second of wall time, over `ms`. */
async function cpuMsPerS(ms: number): Promise<number> {
  const elu0 = performance.eventLoopUtilization();
  await new Promise((r) => setTimeout(r, ms));
  const elu = performance.eventLoopUtilization(elu0);
  return elu.active / (ms / 1000);
}

/**
 * What an idle watcher costs: event-loop busy time with a watcher and no writes minus the same without
 * one, over alternating 1 s windows (so drift in background load cancels out). Noisy on a busy machine.
 */
async function idleWatcherCost(ds: Datastore): Promise<number> {
  let diff = 0;
  const rounds = 3;
  for (let i = 0; i < rounds; i++) {
    const without = await cpuMsPerS(1000);
    const w = ds.watch({ fromRevision: await ds.revision() }, () => {}, () => {});
    const withWatcher = await cpuMsPerS(1000);
    w.stop();
    diff += withWatcher - without;
  }
  return diff / rounds;
}

/** Write-to-event latency with the writes made by a child process; plus the CPU an idle watcher costs. */
async function latencyFigures(ds: Datastore, cfg: DatastoreConfig, writes: number, gapMs: number, tag: string): Promise<Figures> {
  const idleCpuMsPerS = await idleWatcherCost(ds);
  const created = await ds.create(pool(`${tag}-ticker`, { seq: 0 }));
  const lat: number[] = [];
  let lastSeq = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const w = ds.watch({ fromRevision: Number(created.metadata.resourceVersion), kinds: ['IPPool'] }, (ev) => {
    if (ev.object.metadata.name !== `${tag}-ticker`) return;
    lat.push(now() - ev.object.spec.sentAt);
    if (ev.object.spec.seq !== ++lastSeq) throw new Error(`out of order: got seq ${ev.object.spec.seq}, expected ${lastSeq}`);
    if (lastSeq === writes) done();
  }, (err) => { throw err; });

  const child = spawn(process.execPath, ['--import', 'tsx', self, '--writer', JSON.stringify(cfg), `${tag}-ticker`, String(writes), String(gapMs)], { stdio: 'inherit' });
  const exited = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`)))));
  await exited;
  await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error(`watch saw ${lastSeq} of ${writes}`)), 10_000))]);
  w.stop();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1], idleCpuMsPerS };
}

async function startEtcd(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-etcd-'));
  const port = 23991;
  const logFile = join(dir, 'etcd.log');
  const proc: ChildProcess = spawn('etcd', [
    '--name', 'tabby-bench', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`,
    '--listen-peer-urls', `http://127.0.0.1:${port + 1}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${port + 1}`,
    '--initial-cluster', `tabby-bench=http://127.0.0.1:${port + 1}`, '--log-outputs', logFile,
  ], { stdio: 'ignore' });
  let exited = false;
  const gone = new Promise<void>((r) => proc.once('exit', () => { exited = true; r(); }));
  const stop = async () => {
    if (!exited) { proc.kill('SIGTERM'); await gone; }
    rmSync(dir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !exited; i++) {
    try {
      execFileSync('etcdctl', ['--endpoints', endpoint, 'endpoint', 'health'], { stdio: 'ignore' });
      return { endpoint, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  let log = '';
  try { log = readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n'); } catch { /* no log */ }
  await stop();
  throw new Error(`private etcd on ${endpoint} did not become healthy (port in use? pass --etcd URL)\n${log}`);
}

function fmt(v: number | undefined, digits = 0): string {
  return v === undefined ? '-' : v.toFixed(digits);
}

async function main(): Promise<void> {
  const args = parseArgs({ allowPositionals: true, options: {
    writer: { type: 'boolean' }, ops: { type: 'string', default: '2000' }, writes: { type: 'string', default: '300' },
    'gap-ms': { type: 'string', default: '5' }, etcd: { type: 'string' },
  } });
  if (args.values.writer) {
    const [cfg, name, count, gap] = args.positionals;
    await writer(cfg!, name!, Number(count), Number(gap));
    return;
  }
  const n = Number(args.values.ops);
  const writes = Number(args.values.writes);
  const gapMs = Number(args.values['gap-ms']);
  const tag = `b${process.pid}`;
  const tmp = mkdtempSync(join(tmpdir(), 'tabby-bench-ds-'));
  let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
  const endpoint = args.values.etcd ?? process.env.TABBY_BENCH_ETCD_ENDPOINTS ?? process.env.TABBY_TEST_ETCD_ENDPOINTS?.split(',')[0];
  try {
    const results: Record<string, Figures> = {};
    const memory = new MemoryDatastore();
    results.memory = await opsFigures(memory, n, tag);
    await memory.close();

    const embeddedCfg: DatastoreConfig = { type: 'embedded', path: join(tmp, 'bench.db') };
    const emb = await openDatastore(embeddedCfg);
    results.embedded = { ...(await opsFigures(emb, n, tag)), ...(await latencyFigures(emb, embeddedCfg, writes, gapMs, tag)) };
    await emb.close();

    if (!endpoint) etcd = await startEtcd();
    const etcdCfg: DatastoreConfig = { type: 'etcdv3', etcdEndpoints: [endpoint ?? etcd!.endpoint], etcdKeyPrefix: `/tabby-bench-${tag}` };
    const et = await openDatastore(etcdCfg);
    results.etcdv3 = { ...(await opsFigures(et, n, tag)), ...(await latencyFigures(et, etcdCfg, writes, gapMs, tag)) };
    await et.close();
    if (endpoint) {
      // leave a shared etcd as we found it
      const { Etcd3 } = await import('etcd3');
      const raw = new Etcd3({ hosts: [endpoint] });
      await raw.delete().prefix(etcdCfg.etcdKeyPrefix!);
      raw.close();
    }

    const e = results.embedded!;
    const d = results.etcdv3!;
    const m = results.memory!;
    const rows: [string, keyof Figures, number][] = [
      ['create ops/s (sequential)', 'create', 0], ['get ops/s (sequential)', 'get', 0],
      ['update ops/s (sequential CAS)', 'update', 0], ['update ops/s (16 in flight)', 'update16', 0],
      [`list ${n} objects (ms)`, 'listMs', 1],
      ['watch latency p50 (ms, other process)', 'p50', 2], ['watch latency p99 (ms, other process)', 'p99', 2],
      ['watch latency max (ms)', 'max', 2], ['idle watcher busy (ms per s, vs none)', 'idleCpuMsPerS', 2],
    ];
    console.log(`datastore benchmark: ${n} ops per phase, ${writes} cross-process writes ${gapMs} ms apart`);
    console.log(`${'metric'.padEnd(40)}${'memory'.padStart(12)}${'embedded'.padStart(12)}${'etcdv3'.padStart(12)}${'emb/etcd'.padStart(10)}${'emb/mem'.padStart(10)}${'etcd/mem'.padStart(10)}`);
    for (const [label, key, digits] of rows) {
      const ratio = (a?: number, b?: number) => (a !== undefined && b ? (a / b).toFixed(2) : '-');
      console.log(`${label.padEnd(40)}${fmt(m[key], digits).padStart(12)}${fmt(e[key], digits).padStart(12)}${fmt(d[key], digits).padStart(12)}${ratio(e[key], d[key]).padStart(10)}${ratio(e[key], m[key]).padStart(10)}${ratio(d[key], m[key]).padStart(10)}`);
    }
    console.log(`target: embedded cross-process watch p99 < 50 ms -> ${e.p99! < 50 ? 'met' : 'NOT met'} (${fmt(e.p99, 2)} ms)`);
  } finally {
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// Datastore benchmark: Tabby's embedded backend (one SQLite file shared by every process of a node) against
// its etcd v3 backend (the same Datastore interface over a private etcd on 127.0.0.1:23991 with a temporary
// data dir, stopped by PID at the end — or --etcd URL / TABBY_BENCH_ETCD_ENDPOINTS).
// What is timed: N sequential creates, gets and CAS updates, N updates 16 in flight (each worker on its own
// object), and one list of N objects, each through the Datastore interface in this process; and the latency
// from a write made by ANOTHER process (as a CNI plugin or `tabby apply` writes) to the watch event here,
// stamped with the wall clock on both sides.
// Why it is fair: the same calls through the same interface for both backends, rounds alternating the
// backends with a fresh connection each; etcd runs locally, so no network cost is charged to it.
//   node --import tsx bench/datastore.ts [--quick] [--ops N] [--writes N] [--rounds R] [--gap-ms 5] [--etcd URL]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Resource } from '../src/api/resource.ts';
import { openDatastore, type DatastoreConfig } from '../src/datastore/index.ts';
import type { Datastore } from '../src/datastore/types.ts';
import { Bench, interleave } from './harness.ts';

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
  p50?: number; p99?: number; max?: number; idleCpuMsPerS?: number; samples?: number[];
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

/** Write-to-event latency with the writes made by a child process. */
async function latencyFigures(ds: Datastore, cfg: DatastoreConfig, writes: number, gapMs: number, tag: string): Promise<Figures> {
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
  return { p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1], samples: lat };
}

async function startEtcd(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-etcd-'));
  const port = 23991;
  const logFile = join(dir, 'etcd.log');
  const proc: ChildProcess = spawn('etcd', [
    '--name', 'tabby-bench', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`,
    '--listen-peer-urls', `http://127.0.0.1:${port + 1}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${port + 1}`,
    '--initial-cluster', `tabby-bench=http://127.0.0.1:${port + 1}`, '--logger', 'zap', '--log-outputs', logFile,
  ], { stdio: 'ignore' });
  let exited = false;
  const gone = new Promise<void>((r) => proc.once('exit', () => { exited = true; r(); }));
  const stop = async () => {
    if (!exited) { proc.kill('SIGTERM'); await gone; }
    rmSync(dir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150 && !exited; i++) {
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


async function main(): Promise<void> {
  const args = parseArgs({ allowPositionals: true, options: {
    writer: { type: 'boolean' }, quick: { type: 'boolean' }, ops: { type: 'string' }, writes: { type: 'string' },
    rounds: { type: 'string', default: '5' }, 'gap-ms': { type: 'string', default: '5' }, etcd: { type: 'string' },
  } });
  if (args.values.writer) {
    const [cfg, name, count, gap] = args.positionals;
    await writer(cfg!, name!, Number(count), Number(gap));
    return;
  }
  const bench = new Bench('datastore', { quick: !!args.values.quick, args: process.argv.slice(2) });
  const n = Number(args.values.ops ?? (bench.quick ? 300 : 2000));
  const writes = Number(args.values.writes ?? (bench.quick ? 120 : 500));
  const rounds = Number(args.values.rounds);
  const gapMs = Number(args.values['gap-ms']);
  const tmp = mkdtempSync(join(tmpdir(), 'tabby-bench-ds-'));
  let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
  const endpoint = args.values.etcd ?? process.env.TABBY_BENCH_ETCD_ENDPOINTS ?? process.env.TABBY_TEST_ETCD_ENDPOINTS?.split(',')[0];
  const prefix = `/tabby-bench-b${process.pid}`;
  try {
    if (!endpoint) etcd = await startEtcd();
    const configs: Record<'embedded' | 'etcdv3', DatastoreConfig> = {
      embedded: { type: 'embedded', path: join(tmp, 'bench.db') },
      etcdv3: { type: 'etcdv3', etcdEndpoints: [endpoint ?? etcd!.endpoint], etcdKeyPrefix: prefix },
    };
    const ops: Record<string, Figures[]> = { embedded: [], etcdv3: [] };
    const lat: Record<string, Figures> = {};
    await interleave(rounds, (['embedded', 'etcdv3'] as const).map((kind) => ({
      name: kind,
      run: async (r: number) => {
        const ds = await openDatastore(configs[kind]);
        try {
          ops[kind]!.push(await opsFigures(ds, n, `r${r}x`));
          if (r === 0) lat[kind] = await latencyFigures(ds, configs[kind], writes, gapMs, `l${process.pid}`);
        } finally { await ds.close(); }
      },
    })));
    if (endpoint) await clearEtcd(endpoint, prefix);
    const rows: [string, 'create' | 'get' | 'update' | 'update16' | 'listMs', 'higher' | 'lower', string][] = [
      ['create, sequential', 'create', 'higher', 'ops/s'], ['get, sequential', 'get', 'higher', 'ops/s'],
      ['update, sequential CAS', 'update', 'higher', 'ops/s'], ['update, 16 in flight', 'update16', 'higher', 'ops/s'],
      [`list ${n} objects`, 'listMs', 'lower', 'ms'],
    ];
    for (const [label, key, better, unit] of rows) {
      bench.figure({ name: `${label}, embedded (SQLite file)`, unit, better, tabby: ops.embedded!.map((f) => f[key]!),
        anchor: { name: 'etcd v3 backend, same code', samples: ops.etcdv3!.map((f) => f[key]!) } });
    }
    for (const kind of ['embedded', 'etcdv3'] as const) {
      bench.figure({ name: `write in another process → watch event here, ${kind}`, unit: 'ms', tabby: lat[kind]!.samples!, anchor: null,
        goal: kind === 'embedded' ? { text: 'p99 < 50 ms', met: (f) => (f.tabby.p99 ?? f.tabby.max) < 50 } : undefined });
    }
    bench.note(`${n} operations per phase, ${rounds} rounds alternating the backends (each round a fresh connection); watch latency: ${writes} writes ${gapMs} ms apart from a child process, first round`);
  } finally {
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  bench.finish();
}

/** Leaves a shared etcd as it was found. */
async function clearEtcd(endpoint: string, prefix: string): Promise<void> {
  const { Etcd3 } = await import('etcd3');
  const raw = new Etcd3({ hosts: [endpoint] });
  await raw.delete().prefix(prefix);
  raw.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

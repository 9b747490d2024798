// Shared by the multi-process IPAM tests and bench/ipam.ts: the datastore backends to run against (an
// embedded SQLite file in a temp dir; etcd from TABBY_TEST_ETCD_ENDPOINTS, else a private etcd we start and
// stop by PID) and a way to run N worker processes that start their work at the same moment.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createServer, type AddressInfo } from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
const WORKER = join(here, 'worker.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

/** Environment that selects a datastore for workers and `tabby`. */
export type BackendEnv = Record<string, string>;

export interface Backend {
  name: 'embedded' | 'etcdv3';
  env: BackendEnv;
  cleanup(): Promise<void>;
}

export function embeddedBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-ipam-'));
  return {
    name: 'embedded',
    env: { DATASTORE_TYPE: 'embedded', TABBY_DATASTORE_PATH: join(dir, 'datastore.db') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

let privateEtcd: { proc: ChildProcess; dir: string; endpoint: string } | undefined;

/** Why etcd tests can't run here, or undefined. */
export function etcdSkipReason(): string | undefined {
  if (process.env.TABBY_TEST_ETCD_ENDPOINTS) return undefined;
  return spawnSync('etcd', ['--version']).status === 0 ? undefined : 'etcd is not installed and TABBY_TEST_ETCD_ENDPOINTS is not set';
}

async function etcdEndpoint(): Promise<string> {
  if (process.env.TABBY_TEST_ETCD_ENDPOINTS) return process.env.TABBY_TEST_ETCD_ENDPOINTS;
  if (privateEtcd) return privateEtcd.endpoint;
  // Free ports chosen by the kernel: a fixed port could be taken by another engineer's etcd.
  const port = await freePort();
  const peerPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tabby-ipam-etcd-'));
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = spawn('etcd', [
    '--name', 'tabby-ipam', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `tabby-ipam=http://127.0.0.1:${peerPort}`,
  ], { stdio: 'ignore' });
  privateEtcd = { proc, dir, endpoint };
  // etcd is normally healthy within 3 s; a loaded machine can take much longer.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    if (spawnSync('etcdctl', ['--endpoints', endpoint, 'endpoint', 'health'], { timeout: 5_000 }).status === 0) return endpoint;
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = proc.exitCode !== null ? ` (etcd exited with code ${proc.exitCode})` : '';
  await stopPrivateEtcd();
  throw new Error(`private etcd on ${endpoint} did not become healthy${exited}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Stop the etcd this module started (by PID), if any. */
export async function stopPrivateEtcd(): Promise<void> {
  if (!privateEtcd) return;
  const { proc, dir } = privateEtcd;
  privateEtcd = undefined;
  if (proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function etcdBackend(): Promise<Backend> {
  const endpoint = await etcdEndpoint();
  const prefix = `/tabby-ipam-test-${process.pid}-${Date.now()}`;
  return {
    name: 'etcdv3',
    env: { DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoint, TABBY_ETCD_KEY_PREFIX: prefix },
    cleanup: async () => {
      spawnSync('etcdctl', ['--endpoints', endpoint, 'del', '--prefix', prefix + '/']);
    },
  };
}

export interface WorkerResult {
  node: string;
  ips: string[];
  released: number;
  ms: number;
  stats: { casConflicts: number; blocksClaimed: number; blocksReclaimed: number; addressesBorrowed: number };
}

/**
 * Run one worker per node at the same time: spawn all, wait until each has opened the datastore, then
 * release them together. Returns each worker's result and the wall-clock time of the concurrent phase.
 */
export async function runWorkers(env: BackendEnv, mode: 'allocate' | 'release', nodes: string[], count: number, withWep: boolean): Promise<{ results: WorkerResult[]; wallMs: number }> {
  const procs = nodes.map((node) =>
    spawn(process.execPath, ['--import', TSX, WORKER, mode, node, String(count), ...(withWep ? ['--wep'] : [])], {
      env: { ...process.env, TABBY_LOG_LEVEL: 'error', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const stderr = procs.map(() => '');
  const lines = procs.map((p, i) => {
    p.stderr!.on('data', (d) => { stderr[i] += d; });
    const queue: string[] = [];
    const waiters: Array<(l: string) => void> = [];
    const rl = createInterface({ input: p.stdout! });
    rl.on('line', (l) => { const w = waiters.shift(); if (w) w(l); else queue.push(l); });
    const exit = new Promise<number>((r) => p.once('exit', (code) => r(code ?? -1)));
    return {
      next: () => Promise.race([
        new Promise<string>((r) => { const q = queue.shift(); if (q !== undefined) r(q); else waiters.push(r); }),
        exit.then((code) => { throw new Error(`worker ${nodes[i]} exited with ${code} before answering: ${stderr[i]}`); }),
      ]),
      exit,
    };
  });
  try {
    for (const l of lines) {
      const first = await l.next();
      if (first !== 'ready') throw new Error(`worker said ${first}`);
    }
    const t0 = performance.now();
    for (const p of procs) p.stdin!.write('go\n');
    const results = await Promise.all(lines.map(async (l) => JSON.parse(await l.next()) as WorkerResult));
    const wallMs = performance.now() - t0;
    await Promise.all(lines.map((l) => l.exit));
    return { results, wallMs };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.pid) p.kill('SIGTERM');
  }
}

/** Run `tabby` from source with the backend's environment. */
export function runTabby(env: BackendEnv, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(join(ROOT, 'bin', 'tabby'), args, { env: { ...process.env, TABBY_FROM_SOURCE: '1', TABBY_LOG_LEVEL: 'error', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

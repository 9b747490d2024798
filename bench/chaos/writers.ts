// Scenario 6: embedded-datastore writers killed. W writer processes (bench/chaos/ack-writer.ts) create objects
// in one SQLite file and bump a shared compare-and-swap counter, printing each acknowledged write; the
// scenario SIGKILLs a random writer at random moments and starts a new one in its place. Afterwards every
// acknowledged object must be in the file, the counter must be at least the highest acknowledged value and no
// value acknowledged twice, and SQLite's integrity check must pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { API_VERSION } from '../../src/api/resource.ts';
import { openDatastore } from '../../src/datastore/index.ts';
import { BENCH_DIR, numberFlag } from '../harness.ts';
import { rng, sleep, waitUntil, type Scenario, type ScenarioContext } from './common.ts';

const WRITER = join(BENCH_DIR, 'chaos', 'ack-writer.ts');

interface Acks { names: Set<string>; counts: number[]; byTag: Map<string, number>; crashes: string[] }

function startWriter(path: string, tag: string, acks: Acks): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, tag], { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(BENCH_DIR, '..') });
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const [what, value] = buf.slice(0, i).split(' ');
      buf = buf.slice(i + 1);
      if (what === 'ACK') { acks.names.add(value!); acks.byTag.set(tag, (acks.byTag.get(tag) ?? 0) + 1); }
      else if (what === 'COUNT') acks.counts.push(Number(value));
    }
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d; });
  // A writer that ends by itself (not by our SIGKILL) failed a write: a finding, with its own words.
  child.on('exit', (code, signal) => { if (signal !== 'SIGKILL') acks.crashes.push(`${tag} exited ${code ?? signal}: ${err.trim().split('\n').slice(0, 3).join(' | ')}`); });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { child.once('exit', () => r()); child.kill('SIGKILL'); });
}

export const writers: Scenario = {
  name: 'writers',
  title: 'embedded datastore writers SIGKILLed repeatedly (acknowledged writes lost: 0)',
  async run(ctx: ScenarioContext) {
    const kills = numberFlag(ctx.args, 'kills', ctx.quick ? 20 : 100);
    const count = numberFlag(ctx.args, 'writers', 3);
    const r = rng(numberFlag(ctx.args, 'seed', 7));
    const dir = mkdtempSync(join(tmpdir(), 'tabby-chaos-writers-'));
    ctx.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'datastore.db');
    const seedDs = await openDatastore({ type: 'embedded', path });
    await seedDs.create({ apiVersion: API_VERSION, kind: 'Profile', metadata: { name: 'shared-counter' }, spec: { labelsToApply: { n: '0' } } });
    await seedDs.close();

    const acks: Acks = { names: new Set(), counts: [], byTag: new Map(), crashes: [] };
    let generation = 0;
    const tags = Array.from({ length: count }, (_, i) => `w${i}g${generation++}`);
    const running: ChildProcess[] = tags.map((tag) => startWriter(path, tag, acks));
    ctx.onCleanup(async () => { for (const c of running) await kill(c); });
    const t0 = performance.now();
    for (let k = 0; k < kills; k++) {
      const i = r.int(count);
      // Killed while writing: once it has acknowledged a write (a writer loads tsx first, slow on a busy
      // machine), at a random moment after that.
      const writing = await waitUntil(() => (acks.byTag.get(tags[i]!) ?? 0) > 0, 60_000, 20);
      if (writing === null) throw new Error(`writer ${tags[i]} acknowledged nothing in 60 s; ${acks.crashes.join('; ') || 'none crashed'}`);
      await sleep(r.int(300));
      await kill(running[i]!);
      tags[i] = `w${i}g${generation++}`;
      running[i] = startWriter(path, tags[i]!, acks);
    }
    await sleep(1000);
    for (const c of running) await kill(c);
    const seconds = (performance.now() - t0) / 1000;

    const ds = await openDatastore({ type: 'embedded', path });
    let present = 0;
    let counter = NaN;
    try {
      const names = new Set((await ds.list('Profile')).items.map((p) => p.metadata.name));
      for (const n of acks.names) if (names.has(n)) present++;
      const c = await ds.get('Profile', 'shared-counter');
      counter = Number((c!.spec as { labelsToApply: Record<string, string> }).labelsToApply.n);
    } finally { await ds.close(); }
    const db = new Database(path, { readonly: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();
    const lost = acks.names.size - present;
    const maxCount = acks.counts.length ? Math.max(...acks.counts) : 0;
    const twice = acks.counts.length - new Set(acks.counts).size;

    ctx.figure('writers at a time', count);
    ctx.figure('SIGKILLs', kills);
    ctx.figure('acknowledged creates', acks.names.size);
    ctx.figure('acknowledged counter increments', acks.counts.length);
    ctx.figure('acknowledged writes per second', Math.round(((acks.names.size + acks.counts.length) / seconds) * 10) / 10);
    ctx.figure('acknowledged creates lost', lost);
    ctx.figure('counter (highest acknowledged)', `${counter} (${maxCount})`);
    ctx.figure('sqlite integrity_check', String(integrity));
    ctx.figure('writers that failed by themselves', acks.crashes.length);
    ctx.check('no writer failed a write by itself', acks.crashes.length === 0, acks.crashes.slice(0, 3).join('; '));
    ctx.check('writes were acknowledged between the kills', acks.names.size > kills);
    ctx.check('every acknowledged create is in the file (lost: 0)', lost === 0, `${lost} of ${acks.names.size} lost`);
    ctx.check('no acknowledged counter increment lost or given twice', counter >= maxCount && twice === 0, `counter ${counter}, highest acknowledged ${maxCount}, acknowledged twice ${twice}`);
    ctx.check('the file passes SQLite\'s integrity check', integrity === 'ok', String(integrity));
  },
};

// The chaos suite's shared parts: a scenario's shape, its verdict from named checks, the result file
// (bench/results/chaos.json) and the clean-up registry that runs on success, failure and Ctrl-C alike.
// Only node: modules and bench/harness.ts here, so the unit test (test/bench/chaos.test.ts) loads it cheaply.
import { cpus, loadavg, release, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitCommit, RESULTS_DIR } from '../harness.ts';

export type Verdict = 'passed' | 'failed' | 'skipped';
export type FigureValue = number | string | boolean | null;

export interface ScenarioResult {
  name: string;
  title: string;
  verdict: Verdict;
  /** Why it failed or was skipped; the checks that held when it passed. */
  reason: string;
  seconds: number;
  figures: Record<string, FigureValue>;
  notes: string[];
}

export interface ChaosResults {
  suite: 'chaos';
  mode: 'quick' | 'full';
  commit: string;
  date: string;
  machine: { cores: number; memGiB: number; kernel: string; loadavgStart: number[]; loadavg: number[] };
  scenarios: ScenarioResult[];
  passed: number;
  failed: number;
  skipped: number;
}

export interface ScenarioContext {
  quick: boolean;
  args: string[];
  /** Record a figure (printed at once, kept in the result). */
  figure(name: string, value: FigureValue): void;
  /** A condition the scenario promises; a false one fails the scenario with `what` as the reason. */
  check(what: string, ok: boolean, detail?: string): void;
  note(text: string): void;
  log(text: string): void;
  /** Run at the end of the scenario (last registered first), also when it throws or the run is interrupted. */
  onCleanup(fn: () => void | Promise<void>): void;
}

/** Thrown by a scenario that cannot run here (a missing tool, a lab feature not merged yet): SKIPPED, not passed. */
export class SkipScenario extends Error {}

export interface Scenario {
  name: string;
  title: string;
  run(ctx: ScenarioContext): Promise<void>;
}

/** Collects checks and figures for one scenario and turns them into its verdict. */
export class ScenarioRecorder implements ScenarioContext {
  readonly figures: Record<string, FigureValue> = {};
  readonly notes: string[] = [];
  readonly failures: string[] = [];
  readonly held: string[] = [];
  private readonly cleanups: Array<() => void | Promise<void>> = [];

  constructor(readonly quick: boolean, readonly args: string[], private readonly out: (line: string) => void = (l) => console.log(l)) {}

  figure(name: string, value: FigureValue): void { this.figures[name] = value; this.out(`  ${name}: ${formatValue(value)}`); }
  check(what: string, ok: boolean, detail?: string): void {
    if (ok) this.held.push(what);
    else this.failures.push(detail ? `${what} (${detail})` : what);
    this.out(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? ` — ${detail}` : ''}`);
  }
  note(text: string): void { this.notes.push(text); this.out(`  note: ${text}`); }
  log(text: string): void { this.out(`  ${text}`); }
  onCleanup(fn: () => void | Promise<void>): void { this.cleanups.push(fn); globalCleanups.add(fn); }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.splice(0).reverse()) {
      globalCleanups.delete(fn);
      try { await fn(); } catch (e) { this.out(`  clean-up error: ${(e as Error).message}`); }
    }
  }

  /** The verdict: skipped if the scenario said so, failed on a thrown error or any failed check. */
  result(s: Pick<Scenario, 'name' | 'title'>, seconds: number, error?: unknown): ScenarioResult {
    let verdict: Verdict = 'passed';
    let reason = this.held.length ? `held: ${this.held.join('; ')}` : 'no checks recorded';
    if (error instanceof SkipScenario) { verdict = 'skipped'; reason = error.message; }
    else if (error !== undefined) { verdict = 'failed'; reason = `error: ${(error as Error)?.message ?? String(error)}`; }
    else if (this.failures.length) { verdict = 'failed'; reason = this.failures.join('; '); }
    else if (!this.held.length) { verdict = 'failed'; reason = 'the scenario recorded no checks'; }
    return { name: s.name, title: s.title, verdict, reason, seconds: Math.round(seconds * 10) / 10, figures: this.figures, notes: this.notes };
  }
}

/** Clean-ups of every running scenario: the exit handler runs the synchronous part of each on Ctrl-C. */
const globalCleanups = new Set<() => void | Promise<void>>();
export function runCleanupsOnExit(): void {
  process.on('exit', () => {
    for (const fn of [...globalCleanups].reverse()) { try { void fn(); } catch { /* best effort at exit */ } }
  });
}

export function formatValue(v: FigureValue): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 3);
  return String(v);
}

/** The closing line the issue asks for, and the exit status: non-zero when any scenario failed. */
export function summaryLine(results: readonly ScenarioResult[]): { line: string; exitCode: number } {
  const n = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  const skipped = n('skipped');
  return { line: `${n('passed')} passed, ${n('failed')} failed${skipped ? ` (${skipped} skipped)` : ''}`, exitCode: n('failed') ? 1 : 0 };
}

export function chaosResults(quick: boolean, scenarios: ScenarioResult[], loadavgStart: number[]): ChaosResults {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    suite: 'chaos', mode: quick ? 'quick' : 'full', commit: gitCommit(), date: new Date().toISOString(),
    machine: { cores: cpus().length, memGiB: r2(totalmem() / 2 ** 30), kernel: release(), loadavgStart: loadavgStart.map(r2), loadavg: loadavg().map(r2) },
    scenarios,
    passed: scenarios.filter((s) => s.verdict === 'passed').length,
    failed: scenarios.filter((s) => s.verdict === 'failed').length,
    skipped: scenarios.filter((s) => s.verdict === 'skipped').length,
  };
}

export function writeChaosResults(r: ChaosResults, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'chaos.json');
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

/** A seeded PRNG (mulberry32), so a run's fault schedule can be replayed with --seed. */
export function rng(seed: number): { next(): number; int(n: number): number; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), chance: (p) => next() < p };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `probe` is truthy or the time is up; returns the elapsed ms, or null on timeout. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number | null> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try { if (await probe()) return performance.now() - t0; } catch { /* not yet */ }
    await sleep(everyMs);
  }
  return null;
}

// The shared bench harness: every bench measures Tabby and its anchor in interleaved rounds (A B A B …, the
// order rotated each round when there are more than two targets, so neither drift in the machine's load nor
// warm caches favour one side), reduces samples to median/min/max (p10/p90/p99 too for distributions of
// ≥ 100 samples), takes ratios pair by pair (sample i of Tabby against sample i of the anchor, then the
// median of those ratios), prints a table and writes bench/results/NAME.json in the shape issue 14 fixes.
// Only node: modules here, so a bench's imports into src/ stay few and its own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');

export interface Stats { median: number; min: number; max: number; n: number; p10?: number; p90?: number; p99?: number }
export interface AnchorStats extends Stats { name: string }
export interface Figure {
  name: string;
  unit: string;
  tabby: Stats;
  anchor: AnchorStats | null;
  /** Median of the pair-by-pair ratios tabby/anchor (null without an anchor). */
  ratio: number | null;
  /** p99(tabby) / p99(anchor), for distributions of ≥ 100 samples on both sides. */
  ratioP99?: number | null;
  goal: string | null;
  met: boolean | null;
  /** Which way is better, so a reader knows what a ratio above 1 means. */
  better: 'lower' | 'higher';
  note?: string;
}
export interface Machine { cores: number; memGiB: number; kernel: string; loadavg: number[]; loadavgStart: number[] }
export interface Results {
  bench: string; mode: 'quick' | 'full';
  /** The bench's command-line flags (sizes and rounds other than the mode's defaults show here). */
  args?: string[];
  commit: string; date: string; machine: Machine; figures: Figure[]; notes: string[];
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Below 100 samples a p10/p90/p99 is little more than a min/max, so they are left out. */
export function stats(xs: readonly number[]): Stats {
  const finite = xs.filter((x) => Number.isFinite(x));
  const s: Stats = { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
  if (finite.length >= 100) { s.p10 = percentile(finite, 10); s.p90 = percentile(finite, 90); s.p99 = percentile(finite, 99); }
  return s;
}

/** Median of sample-by-sample ratios a[i]/b[i] over the pairs both sides have. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  const r: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] !== 0) r.push(a[i]! / b[i]!);
  return r.length ? median(r) : null;
}

export interface Target { name: string; run: (round: number) => Promise<void> }

/**
 * `rounds` rounds over the targets, each target once per round. Two targets alternate A B A B …; with more
 * than two the order is rotated by one each round (A B C, B C A, C A B, …) so no target always goes first.
 */
export async function interleave(rounds: number, targets: readonly Target[], onRound?: (round: number) => void): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const shift = targets.length > 2 ? r % targets.length : 0;
    for (let k = 0; k < targets.length; k++) await targets[(k + shift) % targets.length]!.run(r);
    onRound?.(r);
  }
}

export interface FigureInput {
  name: string;
  unit: string;
  tabby: readonly number[];
  anchor?: { name: string; samples: readonly number[] } | null | undefined;
  better?: 'lower' | 'higher';
  /** Goal text and how to judge it from the finished figure. */
  goal?: { text: string; met: (f: Figure) => boolean } | undefined;
  note?: string;
}

export interface BenchOptions { quick: boolean; args: string[] }

/** Parses the flags every bench shares: --quick, --rounds N; the rest is the bench's own. */
export function benchOptions(argv = process.argv.slice(2)): BenchOptions {
  return { quick: argv.includes('--quick'), args: argv };
}

export function numberFlag(args: readonly string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${JSON.stringify(args[i + 1])}`);
  return v;
}

export function stringFlag(args: readonly string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
}

/** The commit the figures come from (`+dirty` with uncommitted changes to tracked files). */
export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch { return 'unknown'; }
}

const round3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);
function rounded<T extends Stats>(s: T): T {
  const out = { ...s };
  for (const k of ['median', 'min', 'max', 'p10', 'p90', 'p99'] as const) if (out[k] !== undefined) out[k] = round3(out[k]!);
  return out;
}

export class Bench {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  private readonly loadStart = loadavg();

  constructor(readonly name: string, readonly opts: BenchOptions) {}

  get quick(): boolean { return this.opts.quick; }

  figure(i: FigureInput): Figure {
    const t = stats(i.tabby);
    const a = i.anchor ? { name: i.anchor.name, ...stats(i.anchor.samples) } : null;
    const f: Figure = {
      name: i.name, unit: i.unit, tabby: rounded(t), anchor: a ? rounded(a) : null,
      ratio: a ? pairedRatio(i.tabby, i.anchor!.samples) : null,
      goal: i.goal?.text ?? null, met: null, better: i.better ?? 'lower',
    };
    if (f.ratio !== null) f.ratio = round3(f.ratio);
    if (a && t.p99 !== undefined && a.p99 !== undefined) f.ratioP99 = round3(t.p99 / a.p99);
    if (i.note) f.note = i.note;
    if (i.goal) f.met = i.goal.met(f);
    this.figures.push(f);
    return f;
  }

  note(text: string): void { this.notes.push(text); }

  results(): Results {
    return {
      bench: this.name, mode: this.quick ? 'quick' : 'full', args: this.opts.args, commit: gitCommit(), date: new Date().toISOString(),
      machine: {
        cores: cpus().length, memGiB: round3(totalmem() / 2 ** 30), kernel: release(),
        loadavg: loadavg().map(round3), loadavgStart: this.loadStart.map(round3),
      },
      figures: this.figures, notes: this.notes,
    };
  }

  /** Writes bench/results/NAME.json and prints the same as a table. */
  finish(): Results {
    const r = this.results();
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, `${this.name}.json`), JSON.stringify(r, null, 2) + '\n');
    console.log(formatTable(r));
    console.log(`\nwritten: ${join(RESULTS_DIR, `${this.name}.json`)}`);
    return r;
  }
}

export function fmtNum(x: number | undefined | null): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

export function spread(s: Stats): string {
  const tail = s.p99 !== undefined ? ` p10 ${fmtNum(s.p10)} p90 ${fmtNum(s.p90)} p99 ${fmtNum(s.p99)}` : '';
  return `${fmtNum(s.median)} [${fmtNum(s.min)}–${fmtNum(s.max)}] n=${s.n}${tail}`;
}

export function metText(f: Figure): string { return f.met === null ? '' : f.met ? 'met' : 'NOT met'; }

export function formatTable(r: Results): string {
  const head = [`# ${r.bench} (${r.mode}${r.args?.length ? `: ${r.args.join(' ')}` : ''}) — commit ${r.commit}, ${r.date}`,
    `# machine: ${r.machine.cores} cores, ${r.machine.memGiB} GiB, kernel ${r.machine.kernel}, load ${r.machine.loadavgStart.map(fmtNum).join(' ')} → ${r.machine.loadavg.map(fmtNum).join(' ')}`];
  const rows = r.figures.map((f) => [
    f.name, f.unit, spread(f.tabby), f.anchor ? `${f.anchor.name}: ${spread(f.anchor)}` : '-',
    f.ratio === null ? '-' : `${fmtNum(f.ratio)}${f.ratioP99 != null ? ` (p99 ${fmtNum(f.ratioP99)})` : ''}`,
    f.better === 'lower' ? 'lower' : 'higher', f.goal ?? '', metText(f),
  ]);
  const header = ['figure', 'unit', 'tabby median [min–max]', 'anchor', 'ratio', 'better', 'goal', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [...head, line(header), ...rows.map(line), ...r.notes.map((n) => `note: ${n}`)].join('\n');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (KiB) of a process from /proc/PID/status; PSS from smaps_rollup. */
export function memoryKiB(pid: number): { rss: number; hwm: number; pss: number } {
  const field = (text: string, k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let pss = NaN;
  try { pss = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'); } catch { /* no smaps_rollup */ }
  return { rss: field(status, 'VmRSS'), hwm: field(status, 'VmHWM'), pss };
}

/** user+system CPU time (ms) a process has used so far, from /proc/PID/stat (clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Prefix for an executable timed as a runtime sees it: a small python wrapper forks and waits for it and
 * reports that wall time on stderr ("WALL <ms>"), so the wrapper's own start-up is counted for nobody.
 */
// The system python starts fastest (a pyenv one on PATH is slower); its start is outside the timing anyway.
export const TIME_WRAPPER = [existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', '-c', [
  'import subprocess, sys, time',
  't = time.perf_counter(); rc = subprocess.call(sys.argv[1:]); w = (time.perf_counter() - t) * 1000',
  'sys.stderr.write("WALL %.3f\\n" % w); sys.exit(rc)',
].join('\n')];

/** The wall time TIME_WRAPPER reported for a successful run (throws on failure, naming `what`). */
export function wrappedWallMs(r: { code: number; stdout: string; stderr: string }, what: string): number {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stdout} ${r.stderr}`);
  const m = /WALL ([\d.]+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`${what}: no timing from the wrapper: ${r.stderr}`);
  return Number(m[1]);
}

/** The executables exactly as `tabby cni install` puts them into a runtime's CNI bin dir; returns that dir. */
export function installCniExecutables(dir: string, entry: 'auto' | 'node' = 'auto'): string {
  const bin = join(dir, entry === 'auto' ? 'bin' : `bin-${entry}`);
  execFileSync(join(ROOT, 'bin', 'tabby'), ['cni', 'install', '--bin-dir', bin, '--conf-dir', join(dir, 'conf'), '--log-level', 'warning', '--entry', entry], { stdio: 'pipe' });
  return bin;
}

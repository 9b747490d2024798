// Checks bench/results/*.json against the shape issue 14 fixes, and its rule that every figure with an
// anchor rests on ≥ 5 samples on both sides. bench.sh runs it after the benches; report.ts refuses a file it
// rejects, so docs/benchmarks.md never shows a figure of the wrong shape.
//   node --import tsx bench/validate.ts [FILE.json …]   (default: every file in bench/results/)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from './harness.ts';

export const MIN_ROUNDS = 5;

type Problems = string[];
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkStats(where: string, s: unknown, named: boolean, out: Problems): number {
  if (!isObj(s)) { out.push(`${where}: must be an object {median, min, max, n${named ? ', name' : ''}}`); return 0; }
  if (named && (typeof s.name !== 'string' || s.name === '')) out.push(`${where}.name: must be a non-empty string`);
  if (!Number.isInteger(s.n) || (s.n as number) < 1) { out.push(`${where}.n: must be a positive integer, got ${JSON.stringify(s.n)}`); return 0; }
  for (const k of ['median', 'min', 'max'] as const) if (!isNum(s[k])) out.push(`${where}.${k}: must be a finite number, got ${JSON.stringify(s[k])}`);
  if (isNum(s.min) && isNum(s.median) && isNum(s.max) && !(s.min <= s.median && s.median <= s.max)) {
    out.push(`${where}: needs min ≤ median ≤ max, got ${s.min} / ${s.median} / ${s.max}`);
  }
  const tails = ['p10', 'p90', 'p99'].filter((k) => s[k] !== undefined);
  if (tails.length > 0 && (s.n as number) < 100) out.push(`${where}: p10/p90/p99 given for only ${s.n} samples (they need ≥ 100)`);
  for (const k of tails) if (!isNum(s[k])) out.push(`${where}.${k}: must be a finite number`);
  return s.n as number;
}

function checkFigure(where: string, f: unknown, out: Problems): void {
  if (!isObj(f)) { out.push(`${where}: must be an object`); return; }
  if (typeof f.name !== 'string' || f.name === '') out.push(`${where}.name: must be a non-empty string`);
  const at = `${where} (${String(f.name)})`;
  if (typeof f.unit !== 'string' || f.unit === '') out.push(`${at}.unit: must be a non-empty string`);
  const nTabby = checkStats(`${at}.tabby`, f.tabby, false, out);
  if (f.anchor === null || f.anchor === undefined) {
    if (f.anchor === undefined) out.push(`${at}.anchor: must be present (null when there is none)`);
    if (f.ratio !== null) out.push(`${at}.ratio: must be null without an anchor`);
  } else {
    const nAnchor = checkStats(`${at}.anchor`, f.anchor, true, out);
    if (!isNum(f.ratio)) out.push(`${at}.ratio: must be a number when there is an anchor, got ${JSON.stringify(f.ratio)}`);
    if (nTabby > 0 && nTabby < MIN_ROUNDS) out.push(`${at}: Tabby has n=${nTabby}; a figure with an anchor needs n ≥ ${MIN_ROUNDS}`);
    if (nAnchor > 0 && nAnchor < MIN_ROUNDS) out.push(`${at}: its anchor has n=${nAnchor}; a figure with an anchor needs n ≥ ${MIN_ROUNDS}`);
  }
  if (!(f.goal === null || (typeof f.goal === 'string' && f.goal !== ''))) out.push(`${at}.goal: must be a string or null`);
  if (!(f.met === null || typeof f.met === 'boolean')) out.push(`${at}.met: must be true, false or null`);
  if (f.goal === null && f.met !== null) out.push(`${at}.met: must be null without a goal`);
  if (f.better !== 'lower' && f.better !== 'higher') out.push(`${at}.better: must be "lower" or "higher"`);
}

/** Every problem with one results file, as readable lines (empty: valid). */
export function validateResults(r: unknown, expectBench?: string): Problems {
  const out: Problems = [];
  if (!isObj(r)) return ['the file must hold a JSON object'];
  if (typeof r.bench !== 'string' || r.bench === '') out.push('bench: must be a non-empty string');
  else if (expectBench !== undefined && r.bench !== expectBench) out.push(`bench: "${r.bench}" in a file named for "${expectBench}"`);
  if (r.mode !== 'quick' && r.mode !== 'full') out.push('mode: must be "quick" or "full"');
  if (typeof r.commit !== 'string' || r.commit === '') out.push('commit: must be a non-empty string');
  if (typeof r.date !== 'string' || Number.isNaN(Date.parse(r.date))) out.push('date: must be an ISO date');
  const m = r.machine;
  if (!isObj(m)) out.push('machine: must be {cores, memGiB, kernel, loadavg}');
  else {
    if (!Number.isInteger(m.cores) || (m.cores as number) < 1) out.push('machine.cores: must be a positive integer');
    if (!isNum(m.memGiB) || m.memGiB <= 0) out.push('machine.memGiB: must be a positive number');
    if (typeof m.kernel !== 'string' || m.kernel === '') out.push('machine.kernel: must be a non-empty string');
    if (!Array.isArray(m.loadavg) || m.loadavg.length !== 3 || !m.loadavg.every(isNum)) out.push('machine.loadavg: must be three numbers (1, 5, 15 min)');
  }
  if (!Array.isArray(r.figures) || r.figures.length === 0) out.push('figures: must be a non-empty array');
  else r.figures.forEach((f, i) => checkFigure(`figures[${i}]`, f, out));
  return out;
}

/** Validates files (default: every bench/results/*.json); returns the problems, each prefixed with its file. */
export function validateFiles(files?: string[]): Problems {
  const list = files ?? (existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).map((f) => join(RESULTS_DIR, f)) : []);
  if (list.length === 0) return [`no results files in ${RESULTS_DIR}`];
  const out: Problems = [];
  for (const file of list) {
    let parsed: unknown;
    try { parsed = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { out.push(`${file}: not JSON: ${(e as Error).message}`); continue; }
    const base = file.replace(/^.*\//, '').replace(/\.json$/, '');
    for (const p of validateResults(parsed, base)) out.push(`${file}: ${p}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  const problems = validateFiles(files.length ? files : undefined);
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  console.log(`bench/validate: ${files.length || 'all'} results file(s) valid (shape of issue 14; n ≥ ${MIN_ROUNDS} wherever there is an anchor)`);
}

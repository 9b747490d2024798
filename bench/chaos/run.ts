// The fault suite: `bash scripts/chaos.sh [--quick] [SCENARIO…]` (as root). Each scenario builds its own
// namespaces / lab with a unique prefix and removes them at its end (also on failure or Ctrl-C), prints its
// figures and PASS / FAIL / SKIPPED with the reason; the run ends with "N passed, N failed" and writes
// bench/results/chaos.json. Exit status 1 when any scenario failed, 2 on a usage error.
//   node --import tsx bench/chaos/run.ts [--quick] [--seed N] [--cycles N] [--flaps N] [NAME…]
// --cease makes bgp-flaps stop with a Cease NOTIFICATION instead of a graceful restart: the control case, in
// which the route must be dropped (so the scenario's checks are seen to fail).
import { loadavg } from 'node:os';
import { netnsSkipReason } from '../../test/helpers/netns.ts';
import { chaosResults, runCleanupsOnExit, ScenarioRecorder, summaryLine, writeChaosResults, type Scenario, type ScenarioResult } from './common.ts';
import { SCENARIOS } from './scenarios.ts';

const VALUE_FLAGS = new Set(['--seed', '--cycles', '--pods', '--flaps', '--writers', '--kills', '--faults', '--exec-share', '--outage', '--max-down-ms']);

function parseArgs(argv: string[]): { quick: boolean; names: string[]; args: string[] } {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS.has(a)) { i++; continue; }
    if (a === '--quick' || a === '--cease') continue;
    if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (have --quick --cease ${[...VALUE_FLAGS].join(' ')})`);
    if (!SCENARIOS.some((s) => s.name === a)) throw new UsageError(`no scenario named "${a}" (have: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    names.push(a);
  }
  return { quick: argv.includes('--quick'), names, args: argv };
}

class UsageError extends Error {}

async function runScenario(s: Scenario, quick: boolean, args: string[]): Promise<ScenarioResult> {
  console.log(`\n=== ${s.name}: ${s.title} (${new Date().toISOString().slice(11, 19)} UTC, load ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  const rec = new ScenarioRecorder(quick, args);
  const t0 = performance.now();
  let error: unknown;
  try { await s.run(rec); } catch (e) { error = e; }
  await rec.cleanup();
  const r = rec.result(s, (performance.now() - t0) / 1000, error);
  console.log(`--- ${r.verdict === 'passed' ? 'PASS' : r.verdict === 'failed' ? 'FAIL' : 'SKIPPED'} ${s.name} (${r.seconds} s): ${r.reason}`);
  return r;
}

async function main(): Promise<number> {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`chaos: ${e.message}`);
    return 2;
  }
  const skip = netnsSkipReason();
  if (skip) { console.error(`chaos: ${skip}`); return 2; }
  runCleanupsOnExit();
  const loadStart = loadavg();
  const chosen = opts.names.length ? SCENARIOS.filter((s) => opts.names.includes(s.name)) : SCENARIOS;
  const results: ScenarioResult[] = [];
  for (const s of chosen) results.push(await runScenario(s, opts.quick, opts.args));
  const file = writeChaosResults(chaosResults(opts.quick, results, loadStart));
  console.log(`\n${results.map((r) => `${r.verdict.toUpperCase().padEnd(7)} ${r.name}`).join('\n')}`);
  console.log(`written: ${file}`);
  const { line, exitCode } = summaryLine(results);
  console.log(line);
  return exitCode;
}

process.exitCode = await main();

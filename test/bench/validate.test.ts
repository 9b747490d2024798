// bench/validate.ts: the results shape issue 14 fixes and its n ≥ 5 rule for figures with an anchor, checked
// on files the harness itself writes and on hand-broken ones (each break must be named).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Bench } from '../../bench/harness.ts';
import { validateFiles, validateResults } from '../../bench/validate.ts';

const five = [5, 4, 3, 2, 1];
function sample(): ReturnType<Bench['results']> {
  const b = new Bench('demo', { quick: true, args: [] });
  b.figure({ name: 'with anchor', unit: 'ms', tabby: five, anchor: { name: 'other', samples: [10, 8, 6, 4, 2] }, goal: { text: '≤ 1×', met: (f) => f.ratio! <= 1 } });
  b.figure({ name: 'no anchor, few samples', unit: 'ms', tabby: [1, 2], anchor: null });
  b.figure({ name: 'a distribution', unit: 'ms', tabby: Array.from({ length: 120 }, (_, i) => i), anchor: null });
  return b.results();
}
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

test('what the harness writes is valid, and an anchor-less figure may have n < 5', () => {
  assert.deepEqual(validateResults(clone(sample()), 'demo'), []);
});

test('a figure with an anchor and fewer than 5 samples on either side is rejected', () => {
  const b = new Bench('demo', { quick: true, args: [] });
  b.figure({ name: 'thin', unit: 'ms', tabby: [1, 2, 3, 4], anchor: { name: 'other', samples: [1, 2, 3, 4, 5] } });
  b.figure({ name: 'thin anchor', unit: 'ms', tabby: five, anchor: { name: 'other', samples: [1, 2, 3] } });
  const p = validateResults(clone(b.results()));
  assert.equal(p.length, 2, p.join('\n'));
  assert.match(p[0]!, /thin.*Tabby has n=4.*n ≥ 5/);
  assert.match(p[1]!, /thin anchor.*its anchor has n=3/);
});

test('each missing or wrong field is named', () => {
  const cases: [string, (r: any) => void, RegExp][] = [
    ['bench name of another file', (r) => { r.bench = 'other'; }, /bench: "other" in a file named for "demo"/],
    ['no commit', (r) => { delete r.commit; }, /^commit:/],
    ['bad date', (r) => { r.date = 'yesterday'; }, /^date:/],
    ['no loadavg', (r) => { delete r.machine.loadavg; }, /machine\.loadavg/],
    ['cores not a number', (r) => { r.machine.cores = '2'; }, /machine\.cores/],
    ['no figures', (r) => { r.figures = []; }, /figures: must be a non-empty array/],
    ['median outside min..max', (r) => { r.figures[0].tabby.median = 99; }, /min ≤ median ≤ max/],
    ['anchor without a name', (r) => { delete r.figures[0].anchor.name; }, /anchor\.name/],
    ['anchor without a ratio', (r) => { r.figures[0].ratio = null; }, /ratio: must be a number/],
    ['ratio without an anchor', (r) => { r.figures[1].ratio = 1; }, /ratio: must be null without an anchor/],
    ['anchor key missing', (r) => { delete r.figures[1].anchor; }, /anchor: must be present/],
    ['met without a goal', (r) => { r.figures[1].met = true; }, /met: must be null without a goal/],
    ['p99 of a handful', (r) => { r.figures[1].tabby.p99 = 2; }, /p10\/p90\/p99 given for only 2 samples/],
    ['no unit', (r) => { r.figures[2].unit = ''; }, /unit: must be a non-empty string/],
    ['NaN median (JSON null)', (r) => { r.figures[2].tabby.median = null; }, /tabby\.median: must be a finite number/],
  ];
  for (const [what, breakIt, expect] of cases) {
    const r = clone(sample());
    breakIt(r);
    const p = validateResults(r, 'demo');
    assert.ok(p.some((x) => expect.test(x)), `${what}: expected a problem matching ${expect}, got ${JSON.stringify(p)}`);
  }
});

test('files: unparsable JSON and an empty selection are errors, a good file passes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-validate-'));
  try {
    writeFileSync(join(dir, 'demo.json'), JSON.stringify(sample()));
    writeFileSync(join(dir, 'broken.json'), '{"bench": ');
    assert.deepEqual(validateFiles([join(dir, 'demo.json')]), []);
    const p = validateFiles([join(dir, 'demo.json'), join(dir, 'broken.json')]);
    assert.equal(p.length, 1);
    assert.match(p[0]!, /broken\.json: not JSON/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

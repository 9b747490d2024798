// The bench harness's arithmetic and ordering: what every published figure rests on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bench, interleave, median, pairedRatio, percentile, stats } from '../../bench/harness.ts';

test('median of even and odd counts; nearest-rank percentiles', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 10), 10);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
});

test('p10/p90/p99 only for distributions of at least 100 samples', () => {
  assert.deepEqual(stats([5, 1, 9]), { median: 5, min: 1, max: 9, n: 3 });
  const s = stats(Array.from({ length: 100 }, (_, i) => 100 - i));
  assert.equal(s.n, 100);
  assert.equal(s.p10, 10);
  assert.equal(s.p90, 90);
  assert.equal(s.p99, 99);
});

test('ratio is the median of pair-by-pair ratios, not a ratio of medians', () => {
  // Pairs (a/b): 2, 2, 0.5 → median 2, while the ratio of medians would be 2/2 = 1:
  assert.equal(pairedRatio([2, 4, 1], [1, 2, 2]), 2);
  assert.equal(pairedRatio([10, 1, 1], [1, 10, 10]), 0.1); // medians 1 and 10 agree here; pairs say 0.1
  assert.equal(pairedRatio([1, 3, 100], [1, 1, 1]), 3); // an outlier pair moves a ratio of means, not this
  assert.equal(pairedRatio([], []), null);
});

test('two targets alternate A B A B; more are rotated each round', async () => {
  const order: string[] = [];
  const t = (name: string) => ({ name, run: async () => { order.push(name); } });
  await interleave(2, [t('A'), t('B')]);
  assert.deepEqual(order, ['A', 'B', 'A', 'B']);
  order.length = 0;
  await interleave(3, [t('A'), t('B'), t('C')]);
  assert.deepEqual(order, ['A', 'B', 'C', 'B', 'C', 'A', 'C', 'A', 'B']);
});

test('a figure carries the JSON shape of issue 14 and judges its goal', () => {
  const b = new Bench('unit', { quick: true, args: [] });
  const f = b.figure({ name: 'x', unit: 'ms', tabby: [10, 20, 30, 40, 50], anchor: { name: 'y', samples: [20, 20, 20, 20, 20] },
    goal: { text: '≤ 1.0×', met: (g) => g.ratio! <= 1 } });
  assert.deepEqual(f.tabby, { median: 30, min: 10, max: 50, n: 5 });
  assert.equal(f.anchor!.name, 'y');
  assert.equal(f.ratio, 1.5);
  assert.equal(f.met, false);
  const r = b.results();
  assert.equal(r.bench, 'unit');
  assert.equal(r.mode, 'quick');
  for (const k of ['cores', 'memGiB', 'kernel', 'loadavg'] as const) assert.ok(k in r.machine);
  assert.match(r.date, /^\d{4}-\d\d-\d\dT/);
  const none = b.figure({ name: 'z', unit: 'ms', tabby: [1], anchor: null });
  assert.equal(none.ratio, null);
  assert.equal(none.met, null);
});

// `lab check`'s choice of pairs (pure, no root): every ordered pair, or k distinct random ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { samplePairs } from '../../src/lab/check.ts';

const flat = (m: Map<number, number[]>) => [...m].flatMap(([i, js]) => js.map((j) => `${i}>${j}`));

test('all ordered pairs when k covers them (and never a pod with itself)', () => {
  assert.deepEqual(flat(samplePairs(3, Infinity)).sort(), ['0>1', '0>2', '1>0', '1>2', '2>0', '2>1']);
  assert.equal(flat(samplePairs(3, 6)).length, 6);
  assert.equal(samplePairs(1, 10).size, 0);
});

test('k distinct random pairs out of n·(n−1), spread over the sources', () => {
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const pairs = flat(samplePairs(500, 2000, random));
  assert.equal(pairs.length, 2000);
  assert.equal(new Set(pairs).size, 2000, 'no pair twice');
  assert.ok(pairs.every((p) => { const [a, b] = p.split('>'); return a !== b && Number(a) < 500 && Number(b) < 500; }));
  const sources = new Set(pairs.map((p) => p.split('>')[0]));
  assert.ok(sources.size > 400, `random sources, not the first pods only: ${sources.size} of 500`);
  const other = flat(samplePairs(500, 2000, () => 0.5));
  assert.notDeepEqual(new Set(other), new Set(pairs), 'the choice follows the random source');
});

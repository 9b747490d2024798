// One truth-table case: program both nodes, start from fresh conntrack, probe every pair, compare.
import assert from 'node:assert/strict';
import { PolicyLab } from './lab.ts';
import type { PolicyCase } from './cases.ts';

export async function runCase(lab: PolicyLab, c: PolicyCase): Promise<void> {
  const res = c.res(lab);
  await lab.apply(res);
  lab.flushConntrack();
  const results = await lab.probeAll();
  const allowed = results.filter((r) => r.expected).length;
  if ((c.expect ?? 'mixed') === 'mixed') {
    assert.ok(allowed > 0 && allowed < results.length, `case is degenerate: ${allowed}/${results.length} expected allowed`);
  } else {
    assert.equal(allowed, c.expect === 'all-allowed' ? results.length : 0, `expected ${c.expect}`);
  }
  assert.equal(PolicyLab.describeMismatches(results), '', `case "${c.name}"`);
}

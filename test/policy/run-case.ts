// One truth-table case: program both nodes, start from fresh conntrack, probe every pair, compare.
import assert from 'node:assert/strict';
import { PolicyLab, PORTS, PROTOS } from './lab.ts';
import { expectAllowed } from './evaluator.ts';
import type { PolicyCase } from './cases.ts';
import { walkAllows } from './walk-pair.ts';

export async function runCase(lab: PolicyLab, c: PolicyCase): Promise<void> {
  const res = c.res(lab);
  if (c.upstream) {
    // The case states its own expectation from upstream's sources; the evaluator must agree with it.
    const world = lab.world(res);
    const wrong: string[] = [];
    for (const src of lab.pods) for (const dst of lab.pods) {
      if (src === dst) continue;
      for (const proto of PROTOS) for (const port of PORTS) {
        const want = c.upstream(src, dst, proto, port);
        if (expectAllowed(world, src, dst, proto, port) !== want) wrong.push(`${src.key}>${dst.key} ${proto}/${port}: upstream ${want ? 'allows' : 'denies'}`);
      }
    }
    assert.deepEqual(wrong, [], `evaluator disagrees with the upstream expectation of "${c.name}"`);
  }
  await lab.apply(res);
  lab.flushConntrack();
  const results = await lab.probeAll(c.upstream ? { expected: c.upstream } : {});
  const allowed = results.filter((r) => r.expected).length;
  if ((c.expect ?? 'mixed') === 'mixed') {
    assert.ok(allowed > 0 && allowed < results.length, `case is degenerate: ${allowed}/${results.length} expected allowed`);
  } else {
    assert.equal(allowed, c.expect === 'all-allowed' ? results.length : 0, `expected ${c.expect}`);
  }
  assert.equal(PolicyLab.describeMismatches(results), '', `case "${c.name}"`);
  // `tabby trace` walks the applied tables: its verdicts must be what the real probes saw.
  const applied = new Map(lab.nodes.map((n) => [n.name, n.manager.applied!]));
  const traced = results.filter((r) => walkAllows(applied, r.src, r.dst, r.proto, r.port) !== r.ok)
    .map((r) => `${r.src.key}>${r.dst.key} ${r.proto}/${r.port}: probe ${r.ok ? 'passed' : 'blocked'}, trace walk says the opposite`);
  assert.deepEqual(traced, [], `the trace's policy walk disagrees with real probes in "${c.name}"`);
}

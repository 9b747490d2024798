// Issue #15 item 3 (the CLI half): label limits enforced in validation with one clear error, and input of
// 100k labels parsed and refused in linear time. The yaml library's duplicate-key check was quadratic
// (100k labels: ~88 s); the bound below is generous (the linear path takes a few seconds even on a loaded
// machine) so it cannot flake, yet the old code cannot meet it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LABELS, validateResource } from '../../src/api/validate.ts';
import { parseDocuments } from '../../src/ctl/resources.ts';
import { CtlHarness } from './helpers.ts';

function labelsYaml(count: number, kind = 'GlobalNetworkSet'): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`    k${i.toString(36)}: v`);
  return `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata:\n  name: many\n  labels:\n${lines.join('\n')}\nspec:\n  nets: [10.0.0.0/8]\n`;
}

function labelsJson(count: number): string {
  const labels: Record<string, string> = {};
  for (let i = 0; i < count; i++) labels[`k${i.toString(36)}`] = 'v';
  return JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'many', labels }, spec: { nets: ['10.0.0.0/8'] } });
}

const GENEROUS_BOUND_MS = 40_000;

describe('label limits', () => {
  for (const [format, make] of [['YAML', labelsYaml], ['JSON', labelsJson]] as const) {
    test(`100k labels (${format}) are parsed and refused in linear time, with one error`, () => {
      const text = make(100_000);
      assert.ok(text.length < 1.5 * 1024 * 1024, 'small enough that the label count, not the size, is what is refused');
      const t0 = performance.now();
      const docs = parseDocuments(text, 'many.yaml');
      const errors = validateResource(docs[0]!.obj);
      const ms = performance.now() - t0;
      assert.deepEqual(errors, [{ field: 'metadata.labels', value: '100000 labels', message: `may have at most ${MAX_LABELS} labels` }]);
      assert.ok(ms < GENEROUS_BOUND_MS, `took ${Math.round(ms)} ms`);
      console.log(`# 100k labels (${format}): parsed and refused in ${Math.round(ms)} ms`);
    });
  }

  test(`${MAX_LABELS} labels are accepted, ${MAX_LABELS + 1} refused with the count named`, async () => {
    const ok = await new CtlHarness().run(['validate', '-f', '-'], labelsYaml(MAX_LABELS));
    assert.equal(ok.code, 0, ok.stderr);
    const r = await new CtlHarness().run(['apply', '-f', '-'], labelsYaml(MAX_LABELS + 1));
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`metadata\\.labels = '${MAX_LABELS + 1} labels' \\(may have at most ${MAX_LABELS} labels\\)`));
  });

  test("a Profile's labelsToApply has the same limit", () => {
    const labelsToApply = Object.fromEntries(Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`k${i}`, 'v']));
    const errors = validateResource({ apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'p' }, spec: { labelsToApply } });
    assert.deepEqual(errors.map((e) => e.field), ['spec.labelsToApply']);
  });

  test('duplicate keys are still refused (exit 2), in YAML and in JSON, with where they are', async () => {
    const yaml = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: a\n  labels:\n    x: "1"\n    x: "2"\n';
    const y = await new CtlHarness().run(['apply', '-f', '-'], yaml);
    assert.equal(y.code, 2);
    assert.match(y.stderr, /Map keys must be unique at line 7, column 5 \(key "x"\)/);
    const json = '{"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkSet", "metadata": {"name": "a", "name": "b"}}';
    const j = await new CtlHarness().run(['apply', '-f', '-'], json);
    assert.equal(j.code, 2);
    assert.match(j.stderr, /Map keys must be unique at line 1, column \d+ \(key "name"\)/);
    // Equal values of different types are different keys, as before.
    const mixed = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: a\n  labels: {"1": a}\nspec: {nets: []}\n';
    assert.equal(parseDocuments(mixed, 'x').length, 1);
  });

  test('a label key over the Kubernetes limits is refused: prefix over 253, name over 63', () => {
    const long = (n: number) => 'a'.repeat(n);
    const check = (key: string) => validateResource({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'a', labels: { [key]: 'v' } }, spec: {} });
    assert.deepEqual(check(`${long(253)}/x`), []);
    assert.match(check(`${long(254)}/x`)[0]!.message, /label key prefix name is too long by 1 bytes/);
    assert.deepEqual(check(long(63)), []);
    assert.match(check(long(64))[0]!.message, /label key name must be no more than 63 characters/);
  });
});

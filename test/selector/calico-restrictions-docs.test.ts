// Facts from libcalico-go selector/parser/label_restriction_test.go and parser.go (projectcalico/calico
// 87c1590), and every example on Calico's selector documentation (docs.tigera.io, NetworkPolicy /
// GlobalNetworkPolicy reference, "Selectors" section, from tigera/docs calico/_includes/content/_selectors.mdx).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, possibleToSatisfy, SelectorSyntaxError, type LabelRestriction } from '../../src/selector/index.ts';
import { RESTRICTION_VECTORS } from './calico-vectors.ts';

type R = Record<string, Partial<LabelRestriction>>;

function expected(r: R | null): Record<string, LabelRestriction> | null {
  if (r === null) return null;
  const out: Record<string, LabelRestriction> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { mustBePresent: false, mustBeAbsent: false, ...v };
  return out;
}

function actual(sel: string): Record<string, LabelRestriction> | null {
  const lr = parseSelector(sel).labelRestrictions();
  return lr === undefined ? null : Object.fromEntries(lr);
}

describe('Calico label_restriction_test', () => {
  for (const [sel, r] of RESTRICTION_VECTORS) {
    test(JSON.stringify(sel), () => {
      assert.deepEqual(actual(sel), expected(r));
      assert.deepEqual(actual(sel), expected(r), 'same answer on a second call');
      // Upstream also checks that prefixing "all() &&" changes nothing.
      if (sel !== '') assert.deepEqual(actual(`all() && (${sel})`), expected(r));
    });
  }

  test('possibleToSatisfy: present-and-absent or an empty value list cannot be satisfied', () => {
    assert.equal(possibleToSatisfy({ mustBePresent: true, mustBeAbsent: true }), false);
    assert.equal(possibleToSatisfy({ mustBePresent: true, mustBeAbsent: false, mustHaveOneOfValues: [] }), false);
    assert.equal(possibleToSatisfy({ mustBePresent: true, mustBeAbsent: false, mustHaveOneOfValues: ['x'] }), true);
    assert.equal(possibleToSatisfy({ mustBePresent: false, mustBeAbsent: true }), true);
  });
});

// Read off parser.go: set literals, runs of '!', and what a parenthesised negation prints as.
describe('Calico parser.go: set literals and negation', () => {
  test('a set literal may end with a comma; an empty set is fine; a lone or doubled comma is not', () => {
    assert.equal(parseSelector('a in {"x",}').toString(), 'a in {"x"}');
    assert.equal(parseSelector('a not in {"x", "y" , }').toString(), 'a not in {"x", "y"}');
    assert.equal(parseSelector('a in {"x",}').evaluate({ a: 'x' }), true);
    assert.equal(parseSelector('a in {}').toString(), 'a in {}');
    for (const bad of ['a in {,}', 'a in {"x",,}', 'a in {"x" "y"}', 'a in {"x"', 'a in {', 'a in {"x",']) {
      assert.throws(() => parseSelector(bad), SelectorSyntaxError, bad);
    }
  });

  test('set values sort in byte order (Go strings), so upper case comes first', () => {
    assert.equal(parseSelector('a in {"b", "B", "a", "_"}').toString(), 'a in {"B", "_", "a", "b"}');
  });

  test('a run of ! toggles, but a negated group keeps its inner negation', () => {
    assert.equal(parseSelector('!!!has(a)').toString(), '!has(a)');
    assert.equal(parseSelector('!(!has(a))').toString(), '!!has(a)');
    assert.equal(parseSelector('!(!has(a))').evaluate({ a: '1' }), true);
    assert.equal(parseSelector('!!has(a)').toString(), 'has(a)');
  });

  test('multi-word operators with the inner space left out mean the same as with it', () => {
    const pairs: Array<[string, string]> = [
      ['a notin {"x"}', 'a not in {"x"}'],
      ['a startswith "x"', 'a starts with "x"'],
      ['a endswith "x"', 'a ends with "x"'],
      ['a not\t\tin{"x"}', 'a not in {"x"}'],
    ];
    const labelSets = [{}, { a: 'x' }, { a: 'xy' }, { a: 'yx' }, { b: 'x' }];
    for (const [short, long] of pairs) {
      assert.equal(parseSelector(short).toString(), parseSelector(long).toString());
      for (const l of labelSets) assert.equal(parseSelector(short).evaluate(l), parseSelector(long).evaluate(l), `${short} on ${JSON.stringify(l)}`);
    }
  });
});

describe('Calico selector documentation examples', () => {
  const prod = { 'my-label': 'production', role: 'frontend' };
  const stage = { 'my-label': 'staging', role: 'frontend' };
  const unlabelled = { role: 'db' };
  const ns = { 'projectcalico.org/namespace': 'default' };
  // [example, canonical form, matching label sets, non-matching label sets]
  const examples: Array<[string, string, L[], L[]]> = [
    ["( k == 'v' )", 'k == "v"', [{ k: 'v' }], [{ k: 'w' }, {}]],
    ["! k == 'v'", '!k == "v"', [{ k: 'w' }, {}], [{ k: 'v' }]],
    ["k == 'v' && j == 'w'", '(k == "v" && j == "w")', [{ k: 'v', j: 'w' }], [{ k: 'v' }, { j: 'w' }]],
    ["k == 'v' || j == 'w'", '(k == "v" || j == "w")', [{ k: 'v' }, { j: 'w' }], [{}, { k: 'w', j: 'v' }]],
    ['all()', 'all()', [{}, { k: 'v' }], []],
    ['!all()', '!all()', [], [{}, { k: 'v' }]],
    ['global()', 'global()', [{}], []],
    ["k == 'v'", 'k == "v"', [{ k: 'v' }], [{ k: 'w' }, {}]],
    ["k != 'v'", 'k != "v"', [{}, { k: 'w' }], [{ k: 'v' }]],
    ['has(k)', 'has(k)', [{ k: '' }, { k: 'v' }], [{}]],
    ['!has(k)', '!has(k)', [{}], [{ k: 'v' }]],
    ["k in { 'v1', 'v2' }", 'k in {"v1", "v2"}', [{ k: 'v1' }, { k: 'v2' }], [{ k: 'v3' }, {}]],
    ["k not in { 'v1', 'v2' }", 'k not in {"v1", "v2"}', [{ k: 'v3' }, {}], [{ k: 'v1' }, { k: 'v2' }]],
    ["k contains 's'", 'k contains "s"', [{ k: 'ast' }, { k: 's' }], [{ k: 'a' }, {}]],
    ["k starts with 's'", 'k starts with "s"', [{ k: 'sa' }], [{ k: 'as' }, {}]],
    ["k ends with 's'", 'k ends with "s"', [{ k: 'as' }], [{ k: 'sa' }, {}]],
    ["! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}",
      '(!has(my-label) || (my-label starts with "prod" && role in {"business", "frontend"}))',
      [prod, unlabelled, { 'my-label': 'prod', role: 'business' }], [stage, { 'my-label': 'production', role: 'db' }]],
    ["role == 'database'", 'role == "database"', [{ role: 'database' }], [{ role: 'frontend' }]],
    ["role == 'frontend'", 'role == "frontend"', [{ role: 'frontend' }], [{ role: 'database' }]],
    ['projectcalico.org/namespace == "default"', 'projectcalico.org/namespace == "default"', [ns], [{}]],
  ];
  for (const [example, canonical, matches, nonMatches] of examples) {
    test(example, () => {
      const sel = parseSelector(example);
      assert.equal(sel.toString(), canonical);
      for (const l of matches) assert.equal(sel.evaluate(l), true, `should match ${JSON.stringify(l)}`);
      for (const l of nonMatches) assert.equal(sel.evaluate(l), false, `should not match ${JSON.stringify(l)}`);
    });
  }

  test('the documented bracketing means the same as the unbracketed expression', () => {
    const plain = parseSelector("! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}");
    const bracketed = parseSelector("((!(has(my-label))) || ((my-label starts with 'prod') && (role in {'frontend','business'})))");
    assert.equal(bracketed.toString(), plain.toString());
    // The page's own bracketed text opens six groups and closes five; Calico's parser refuses it as written.
    assert.throws(() => parseSelector("((!(has(my-label)) || ((my-label starts with 'prod') && (role in {'frontend','business'}))"), SelectorSyntaxError);
  });
});
type L = Record<string, string>;

// The EntityRule page (tigera/docs calico/_includes/content/_entityrule.mdx): its selector examples, and which
// of them Felix can index. "Optimized" there means some label must be present, which is what the label
// restrictions say (contains/starts with/ends with "perform like has(label)").
describe('Calico EntityRule documentation: examples and which selectors are indexed', () => {
  const indexed = (sel: string) => [...(parseSelector(sel).labelRestrictions() ?? new Map()).values()].some((r) => r.mustBePresent);
  const examples: Array<[string, boolean]> = [
    ['a == \'b\'', true],
    ['a == \'b\' && has(c)', true],
    ['a == \'b\' || has(c)', false],
    ['c != \'d\'', false],
    ['!has(a)', false],
    ['a == \'b\' && c != \'d\'', true],
    ['c != \'d\' && a == \'b\'', true],
    ['a ==\'b\'', true],
    ['label == "value"', true],
    ["label in { 'v1', 'v2' }", true],
    ['has(label)', true],
    ["label contains 's'", true],
    ["label starts with 's'", true],
    ["label ends with 's'", true],
    ['all()', false],
    ['!has(foo)', false],
    ['has(foo)', true],
  ];
  for (const [sel, optimized] of examples) {
    test(`${sel} ${optimized ? 'is' : 'is not'} indexed`, () => assert.equal(indexed(sel), optimized));
  }

  test('selector: !has(foo) matches what lacks the label', () => {
    assert.equal(parseSelector('!has(foo)').evaluate({ bar: '1' }), true);
    assert.equal(parseSelector('!has(foo)').evaluate({ foo: '' }), false);
  });
});

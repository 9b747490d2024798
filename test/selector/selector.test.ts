import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, SelectorSyntaxError, selectorCacheSize, clearSelectorCache, selectorError } from '../../src/selector/index.ts';

const web = { app: 'web', tier: 'frontend', env: 'prod', 'k8s.io/name': 'web-1' };
const db = { app: 'db', tier: 'backend' };
const none = {};

function m(expr: string, labels: Record<string, string>): boolean {
  return parseSelector(expr).evaluate(labels);
}

describe('selector evaluation', () => {
  test('== and !=', () => {
    assert.equal(m('app == "web"', web), true);
    assert.equal(m('app == "web"', db), false);
    assert.equal(m('app == "web"', none), false);
    assert.equal(m('app != "web"', web), false);
    assert.equal(m('app != "web"', db), true);
  });

  test('!= and not in are true when the label is absent', () => {
    assert.equal(m('app != "web"', none), true);
    assert.equal(m('app not in {"web", "db"}', none), true);
    assert.equal(m('app not in {"web", "db"}', web), false);
    assert.equal(m('app not in {"x"}', web), true);
  });

  test('in {…} and the empty set', () => {
    assert.equal(m('app in {"web", "db"}', web), true);
    assert.equal(m('app in {"web", "db"}', db), true);
    assert.equal(m('app in {"cache"}', web), false);
    assert.equal(m('app in {"web"}', none), false);
    assert.equal(m('app in {}', web), false);
    assert.equal(m('app not in {}', web), true);
  });

  test('has(), all(), empty selector, global()', () => {
    assert.equal(m('has(app)', web), true);
    assert.equal(m('has(app)', none), false);
    assert.equal(m('has( k8s.io/name )', web), true);
    assert.equal(m('all()', none), true);
    assert.equal(m('all( )', web), true);
    assert.equal(m('', none), true);
    assert.equal(m('   ', web), true);
    assert.equal(parseSelector('').toString(), 'all()');
    const g = parseSelector('global()');
    assert.equal(g.usesGlobal, true);
    assert.equal(parseSelector('has(a) && !global()').usesGlobal, true);
    assert.equal(parseSelector('has(a)').usesGlobal, false);
  });

  test('contains, starts with, ends with (false when absent)', () => {
    assert.equal(m('k8s.io/name contains "eb-"', web), true);
    assert.equal(m('k8s.io/name starts with "web"', web), true);
    assert.equal(m('k8s.io/name ends with "-1"', web), true);
    assert.equal(m('k8s.io/name ends with "web"', web), false);
    assert.equal(m('k8s.io/name contains "eb"', none), false);
    assert.equal(m('k8s.io/name starts with ""', none), false);
    assert.equal(m('tier starts   with "front"', web), true);
  });

  test('negation, including repeated !', () => {
    assert.equal(m('!has(app)', none), true);
    assert.equal(m('!has(app)', web), false);
    assert.equal(m('!!has(app)', web), true);
    assert.equal(parseSelector('!!has(app)').toString(), 'has(app)');
    assert.equal(m('!app == "web"', web), false, '! applies to the whole comparison');
    assert.equal(m('!(app == "web" || app == "db")', db), false);
  });

  test('&& binds tighter than ||', () => {
    // a || b && c  ==  a || (b && c)
    const sel = 'app == "db" || tier == "frontend" && env == "dev"';
    assert.equal(m(sel, db), true);
    assert.equal(m(sel, web), false); // (tier==frontend && env==dev) is false, app!=db
    assert.equal(parseSelector(sel).toString(), '(app == "db" || (tier == "frontend" && env == "dev"))');
    // parentheses override
    const sel2 = '(app == "db" || tier == "frontend") && env == "dev"';
    assert.equal(m(sel2, db), false);
    assert.equal(m(sel2, { ...db, env: 'dev' }), true);
    // b && c || a  ==  (b && c) || a
    assert.equal(m('tier == "frontend" && env == "dev" || app == "db"', db), true);
  });

  test('quoting: single and double quotes, no escapes', () => {
    assert.equal(m("app == 'web'", web), true);
    assert.equal(m(`q == 'say "hi"'`, { q: 'say "hi"' }), true);
    assert.equal(m(`q == "it's"`, { q: "it's" }), true);
    assert.equal(parseSelector("app == 'web'").toString(), 'app == "web"');
    assert.equal(parseSelector(`q == 'say "hi"'`).toString(), `q == 'say "hi"'`);
    assert.equal(m('app == "a && b"', { app: 'a && b' }), true);
  });

  test('operator words are only operators right after a label', () => {
    // labels named like operator words
    assert.equal(m('in == "x"', { in: 'x' }), true);
    assert.equal(m('has(contains)', { contains: '1' }), true);
    assert.equal(m('contains contains "o"', { contains: 'foo' }), true);
    assert.equal(m('app in{"web"}', web), true);
  });

  test('labelKeys lists every label read, sorted and unique', () => {
    const s = parseSelector('b == "1" && (has(a) || c in {"x"}) && !b starts with "z" && all()');
    assert.deepEqual(s.labelKeys(), ['a', 'b', 'c']);
    assert.deepEqual(parseSelector('all()').labelKeys(), []);
  });

  test('labels that merely look like Object prototype keys are not present', () => {
    assert.equal(m('has(constructor)', {}), false);
    assert.equal(m('toString != "x"', {}), true);
  });
});

describe('canonical form', () => {
  const cases: Array<[string, string]> = [
    ['a=="b"', 'a == "b"'],
    ['a!="b"', 'a != "b"'],
    ['a in {"z","b","b"}', 'a in {"b", "z"}'],
    ['a not  in {"x"}', 'a not in {"x"}'],
    ['has(a)&&has(b)&&has(c)', '(has(a) && has(b) && has(c))'],
    ['has(a)||has(b)', '(has(a) || has(b))'],
    ['((has(a)))', 'has(a)'],
    ['!(has(a) && has(b))', '!(has(a) && has(b))'],
    ['a contains "x" || a starts with "y" || a ends with "z"', '(a contains "x" || a starts with "y" || a ends with "z")'],
    ['global() && has(a)', '(global() && has(a))'],
  ];
  for (const [input, canonical] of cases) {
    test(`${input} → ${canonical}`, () => {
      const s = parseSelector(input);
      assert.equal(s.toString(), canonical);
      // round trip: the canonical form parses to the same tree and prints identically
      const again = parseSelector(canonical);
      assert.deepEqual(again.ast, s.ast);
      assert.equal(again.toString(), canonical);
    });
  }

  test('canonical form evaluates identically on many label sets', () => {
    const exprs = ['a == "1" || b == "2" && !has(c)', '!(a in {"1","2"}) && (b != "2" || c ends with "x")'];
    const labelSets: Array<Record<string, string>> = [{}, { a: '1' }, { b: '2' }, { b: '2', c: 'yx' }, { a: '2', b: '3', c: 'x' }, { c: '' }];
    for (const e of exprs) {
      const s = parseSelector(e);
      const c = parseSelector(s.toString());
      for (const l of labelSets) assert.equal(c.evaluate(l), s.evaluate(l), `${e} on ${JSON.stringify(l)}`);
    }
  });
});

describe('syntax errors carry the position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['app ==', 6, /expected a quoted string, found end of selector/],
    ['app == web', 7, /expected a quoted string, found label "web"/],
    ['app == "web" &&', 15, /found end of selector/],
    ['app == "web" has(x)', 13, /expected '&&', '\|\|' or end of selector/],
    ['(has(a)', 7, /expected '\)'/],
    ['has(a))', 6, /end of selector/],
    ['app = "x"', 4, /unexpected character "="/],
    ['app == "x', 7, /unterminated string literal/],
    ['app in "x"', 7, /expected '\{'/],
    ['app in {"x" "y"}', 12, /expected ',' or '\}'/],
    ['app', 3, /expected an operator after label "app"/],
    ['&& has(a)', 0, /expected a label/],
    ['app == "a" ||| b == "c"', 13, /unexpected character "\|"|expected a label/],
    ['has(a) @ x', 7, /unexpected character "@"/],
  ];
  for (const [input, pos, re] of cases) {
    test(JSON.stringify(input), () => {
      assert.throws(() => parseSelector(input), (e: unknown) => {
        assert.ok(e instanceof SelectorSyntaxError, String(e));
        assert.equal(e.position, pos, e.message);
        assert.match(e.message, re);
        assert.match(e.message, /\^/); // caret display under the position
        return true;
      });
    });
  }

  test('over-long label names are rejected', () => {
    assert.throws(() => parseSelector(`${'a'.repeat(513)} == "x"`), SelectorSyntaxError);
    assert.doesNotThrow(() => parseSelector(`${'a'.repeat(512)} == "x"`));
  });

  test('selectorError returns a message or undefined', () => {
    assert.equal(selectorError('has(a)'), undefined);
    assert.match(selectorError('has(')!, /position/);
  });
});

test('parsed selectors are cached and the cache is bounded', () => {
  clearSelectorCache();
  const a = parseSelector('app == "cached"');
  assert.equal(parseSelector('app == "cached"'), a);
  for (let i = 0; i < 3000; i++) parseSelector(`x == "${i}"`);
  assert.ok(selectorCacheSize() <= 1024, `cache size ${selectorCacheSize()}`);
  // evicted (least recently used) entries are re-parsed, not lost
  assert.equal(parseSelector('app == "cached"').evaluate({ app: 'cached' }), true);
});

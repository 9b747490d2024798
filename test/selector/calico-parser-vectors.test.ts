// Facts from libcalico-go selector/parser/parser_test.go (projectcalico/calico 87c1590): which label sets a
// selector matches (also after printing it canonically and parsing that again), which selectors Calico
// refuses, and the canonical form and UniqueID it prints.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, SelectorSyntaxError } from '../../src/selector/index.ts';
import { EVALUATION_VECTORS, BAD_SELECTORS, CANONICAL_VECTORS, VISITOR_CANONICAL_VECTORS } from './calico-vectors.ts';

describe('Calico parser_test: evaluation, before and after canonicalising', () => {
  EVALUATION_VECTORS.forEach(([sel, matches, nonMatches], i) => {
    test(`#${i} ${JSON.stringify(sel)}`, () => {
      const parsed = parseSelector(sel);
      const reparsed = parseSelector(parsed.toString());
      for (const labels of matches) {
        assert.equal(parsed.evaluate(labels), true, `${sel} should match ${JSON.stringify(labels)}`);
        assert.equal(reparsed.evaluate(labels), true, `${parsed.toString()} should match ${JSON.stringify(labels)}`);
      }
      for (const labels of nonMatches) {
        assert.equal(parsed.evaluate(labels), false, `${sel} should not match ${JSON.stringify(labels)}`);
        assert.equal(reparsed.evaluate(labels), false, `${parsed.toString()} should not match ${JSON.stringify(labels)}`);
      }
      assert.equal(parsed.uniqueId(), parsed.uniqueId());
    });
  });
});

describe('Calico parser_test: refused selectors', () => {
  for (const sel of BAD_SELECTORS) {
    test(`refuses ${JSON.stringify(sel)}`, () => {
      assert.throws(() => parseSelector(sel), SelectorSyntaxError);
    });
  }
});

describe('Calico parser_test: canonical form, round trip and UniqueID', () => {
  for (const [input, canonical, uid] of CANONICAL_VECTORS) {
    test(`${JSON.stringify(input)} → ${canonical}`, () => {
      const sel = parseSelector(input);
      assert.equal(sel.toString(), canonical);
      const again = parseSelector(canonical);
      assert.equal(again.toString(), canonical);
      assert.equal(again.uniqueId(), sel.uniqueId());
      if (uid) assert.equal(sel.uniqueId(), uid);
    });
  }
  for (const [input, canonical] of VISITOR_CANONICAL_VECTORS) {
    test(`${JSON.stringify(input)} prints as ${canonical}`, () => {
      assert.equal(parseSelector(input).toString(), canonical);
    });
  }
});

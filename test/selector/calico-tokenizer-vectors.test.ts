// Facts from libcalico-go selector/tokenizer/tokenizer_test.go (projectcalico/calico 87c1590): how Calico's
// tokenizer splits a selector, or that it refuses it. Tokens are written kind[:value].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, SelectorSyntaxError } from '../../src/selector/index.ts';
import { TOKENIZER_VECTORS } from './calico-vectors.ts';

function render(input: string): string[] {
  return tokenize(input).map((t) => (t.kind === 'label' || t.kind === 'string' || t.kind === 'has' ? `${t.kind}:${t.value}` : t.kind));
}

for (const [input, expected] of TOKENIZER_VECTORS) {
  const name = input.length > 60 ? `${input.slice(0, 20)}…(${input.length} chars)` : input;
  if (expected === null) {
    test(`tokenizer refuses ${JSON.stringify(name)}`, () => {
      assert.throws(() => tokenize(input), SelectorSyntaxError);
    });
  } else {
    test(`tokenizer splits ${JSON.stringify(name)}`, () => {
      assert.deepEqual(render(input), expected);
    });
  }
}

// Beyond upstream's table, read off tokenizer.go: only space and tab are whitespace, `has (` is the label
// "has" followed by '(' (not a function), and every operator word needs a word boundary after it.
test('tokenizer: only space and tab separate tokens; a newline or a non-breaking space is refused', () => {
  assert.deepEqual(render('a\t==\t"b"'), ['label:a', 'eq', 'string:b', 'eof']);
  assert.throws(() => tokenize('a == "b"\n'), SelectorSyntaxError);
  assert.throws(() => tokenize('a ==\n"b"'), SelectorSyntaxError);
  assert.throws(() => tokenize('a\u00a0== "b"'), SelectorSyntaxError);
});

test('tokenizer: word boundaries after operators and the spelling of functions', () => {
  assert.deepEqual(render('has (a)'), ['label:has', 'lparen', 'label:a', 'rparen', 'eof']);
  assert.deepEqual(render('a notin{"x"}'), ['label:a', 'notIn', 'lbrace', 'string:x', 'rbrace', 'eof']);
  assert.deepEqual(render('a in{"x"}'), ['label:a', 'in', 'lbrace', 'string:x', 'rbrace', 'eof']);
  assert.deepEqual(render('a starts\twith"x"'), ['label:a', 'startsWith', 'string:x', 'eof']);
  assert.throws(() => tokenize('a containsx "y"'), SelectorSyntaxError);
  assert.throws(() => tokenize('a not in x'), SelectorSyntaxError, 'after a multi-word operator the boundary is checked past the spaces');
  assert.throws(() => tokenize('a has(b)'), SelectorSyntaxError);
});

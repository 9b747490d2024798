// The patch types of `tabby patch -t`: RFC 6902 JSON Patch with the RFC's Appendix A examples as vectors,
// RFC 7386 merge patch, and the strategic merge patch's $patch directives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from '../../src/client/patches.ts';

describe('JSON Patch (RFC 6902 Appendix A)', () => {
  const ok: [string, unknown, unknown[], unknown][] = [
    ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    ['A.6 move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
    ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 test a value: success', { baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ];
  for (const [name, doc, patch, want] of ok) test(name, () => assert.deepEqual(jsonPatch(doc, patch), want));

  test('A.9 test error, A.12 add to a nonexistent target, A.15 comparing strings and numbers: rejected, input untouched', () => {
    const doc = { baz: 'qux', '/': 9, '~1': 10 };
    assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/baz', value: 'bar' }]), PatchError);
    assert.throws(() => jsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]), /path does not exist/);
    assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/~01', value: '10' }]), /test failed/);
    assert.deepEqual(doc, { baz: 'qux', '/': 9, '~1': 10 });
  });
  test('bad operations name themselves', () => {
    assert.throws(() => jsonPatch({}, { op: 'add' }), /must be an array of operations/);
    assert.throws(() => jsonPatch({}, [{ op: 'frob', path: '/a' }]), /operation 0: unknown op "frob"/);
    assert.throws(() => jsonPatch({ a: [1] }, [{ op: 'add', path: '/a/01', value: 2 }]), /"01" is not an array index/);
    assert.throws(() => jsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]), /into one of its own children/);
  });
});

test('merge patch (RFC 7386 §3 example)', () => {
  const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
  const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
  assert.deepEqual(mergePatch(target, patch), { title: 'Hello!', author: { givenName: 'John' }, tags: ['example'], content: 'This will be unchanged', phoneNumber: '+01-123-456-7890' });
});

test('strategic merge patch: maps merge, lists replace, $patch replace|delete', () => {
  const cur = { spec: { a: 1, list: [1, 2], m: { x: 1, y: 2 } } };
  assert.deepEqual(strategicMergePatch(cur, { spec: { list: [3], m: { y: null } } }), { spec: { a: 1, list: [3], m: { x: 1 } } });
  assert.deepEqual(strategicMergePatch(cur, { spec: { m: { $patch: 'replace', z: 3 } } }), { spec: { a: 1, list: [1, 2], m: { z: 3 } } });
  assert.deepEqual(strategicMergePatch(cur, { spec: { m: { $patch: 'delete' } } }), { spec: { a: 1, list: [1, 2] } });
  assert.throws(() => strategicMergePatch(cur, { spec: { $retainKeys: ['a'] } }), /directive \$retainKeys is not supported/);
});

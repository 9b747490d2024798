// Messages a careful operator meets with bad input: one clear reason per problem, values echoed back but cut
// when huge, oversized resources refused before they reach any agent, and every malformed YAML document
// exiting 2 (usage) whatever the parser's stage that found it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RESOURCE_BYTES } from '../../src/api/validate.ts';
import { CtlHarness } from './helpers.ts';

const pool = (spec: string) => `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: ${spec}\n`;

describe('messages for bad input', () => {
  test('blockSize -1 on an IPv4 pool: one error, with the IPv4 range', async () => {
    const r = await new CtlHarness().run(['apply', '-f', '-'], pool('{cidr: 10.0.0.0/16, blockSize: -1}'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.blockSize = '-1' \(block size for an IPv4 pool must be between 20 and 32\)/);
    assert.doesNotMatch(r.stderr, /between 0 and 128/);
  });

  test('a /0 pool is refused for being everything, not for overlapping link-local', async () => {
    for (const cidr of ['0.0.0.0/0', '::/0']) {
      const r = await new CtlHarness().run(['apply', '-f', '-'], pool(`{cidr: "${cidr}"}`));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /an IP pool cannot cover the whole address space \(\/0\)/);
      assert.doesNotMatch(r.stderr, /Link Local/);
    }
  });

  test('a 1 MB label value is echoed back cut, with its length', async () => {
    const big = 'x'.repeat(1_000_000);
    const r = await new CtlHarness().run(['apply', '-f', '-'],
      `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: s\n  labels:\n    a: ${big}\n`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /metadata\.labels\.a = 'x{80}… \(1000000 characters\)' \(label value must be no more than 63 characters\)/);
    assert.ok(r.stderr.length < 1000, `message is ${r.stderr.length} characters`);
  });

  test('a resource over 1.5 MiB is refused with its size, and nothing is stored', async () => {
    const nets = Array.from({ length: 100_000 }, (_, i) => `  - 10.${i >> 8 & 255}.${i & 255}.0/24`).join('\n');
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', '-'], `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: big\nspec:\n  nets:\n${nets}\n`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(document\) = '\d+\.\d MiB' \(a resource may be at most 1\.5 MiB/);
    assert.equal((await h.ds.list('GlobalNetworkSet')).items.length, 0);
    assert.equal(MAX_RESOURCE_BYTES, 1.5 * 1024 * 1024);
  });

  test('malformed YAML exits 2 whichever stage finds it (syntax, duplicate key, alias to no anchor)', async () => {
    for (const text of ['a: {b\n', 'a: 1\na: 2\n', 'a: *missing\n', '\t a: b\n']) {
      const r = await new CtlHarness().run(['apply', '-f', '-'], text);
      assert.equal(r.code, 2, `${JSON.stringify(text)}: ${r.stderr}`);
      assert.match(r.stderr, /^Failed to execute command: error parsing stdin \(document 1\): /m);
    }
  });
});

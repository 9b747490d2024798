// The CNI bundles are rebuilt while plugins run (tests in parallel, an operator re-installing): a build must
// never rewrite a file a plugin may be importing. Unchanged outputs are left alone and changed ones are
// renamed into place (scripts/build-cni.mjs); in-place rewrites once made a running plugin see a chunk
// without its exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.ts';

function outputs(): Map<string, number> {
  const dist = join(ROOT, 'dist');
  const files = ['tabby-cni.cjs', 'tabby-cni.mjs', 'cni-in-process.mjs', 'tabby-ipam.mjs', ...readdirSync(join(dist, 'cni-chunks')).map((f) => `cni-chunks/${f}`)];
  return new Map(files.map((f) => [f, statSync(join(dist, f)).mtimeMs]));
}

test('a second build of the same sources touches no output file and leaves no temporary file', () => {
  const build = () => execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cni.mjs')], { stdio: 'inherit' });
  build();
  const before = outputs();
  build();
  const after = outputs();
  const rewritten = [...before].filter(([f, m]) => after.get(f) !== m).map(([f]) => f);
  assert.deepEqual(rewritten, [], 'rewritten although unchanged');
  const leftovers = [...after.keys()].filter((f) => f.includes('.tmp-'));
  assert.deepEqual(leftovers, []);
});

// scripts/ascii-comments.mjs: the bundles' comment lines lose their non-ASCII characters (so V8 can hold each
// module's source as a one-byte string), nothing else changes, and a non-comment line is left and reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/ascii-comments.mjs', import.meta.url));

test('comment lines become ASCII; code, other files and non-comment lines are left as they are', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-ascii-'));
  try {
    const bundle = ['// a → b', '/** one … two', ' * — three', ' */', 'const s = "\\u2192";', ''].join('\n');
    writeFileSync(join(dir, 'a.mjs'), bundle);
    writeFileSync(join(dir, 'b.mjs'), 'var D = /^(µs|ms)$/;\n// ok →\n');
    writeFileSync(join(dir, 'c.txt'), '// → not a bundle\n');
    writeFileSync(join(dir, 'd.cjs'), 'plain();\n');
    const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'a.mjs'), 'utf8'), ['// a ? b', '/** one ? two', ' * ? three', ' */', 'const s = "\\u2192";', ''].join('\n'));
    assert.equal(readFileSync(join(dir, 'b.mjs'), 'utf8'), 'var D = /^(µs|ms)$/;\n// ok ?\n', 'the regex keeps its character');
    assert.match(r.stderr, /1 line\(s\) with non-ASCII characters outside comments, e\.g\. .*b\.mjs: var D/);
    assert.equal(readFileSync(join(dir, 'c.txt'), 'utf8'), '// → not a bundle\n');
    assert.equal(readFileSync(join(dir, 'd.cjs'), 'utf8'), 'plain();\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built entry and the chunks it imports are ASCII (when built)', () => {
  const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
  let entry: string;
  try { entry = readFileSync(join(dist, 'tabby.mjs'), 'utf8'); } catch { return; } // not built: nothing to check
  const files = ['tabby.mjs', ...new Set(entry.match(/chunks\/[\w-]+\.mjs/g) ?? [])];
  for (const f of files) assert.doesNotMatch(readFileSync(join(dist, f), 'utf8'), /[^\x00-\x7f]/, `${f} has a non-ASCII character`);
});

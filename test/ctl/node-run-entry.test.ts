// A node process (`tabby node run`) runs for as long as its node does, and every module it loads stays in its
// memory: it must not load the rest of the command line (the lab, the web view, trace, resource printing, the
// YAML library). Checked on the sources: the modules a node process loads before the agent starts, and
// the agent's own, are followed through their static imports (what loading a module loads with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Static value imports of a source text (not `import type`, not dynamic `import()`): relative paths and packages. */
function staticImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const re = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  return [...code.matchAll(re)].map((m) => (m[1] ?? m[2])!);
}

/** Every source file and package loaded, statically, with `entry`. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>(), packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        assert.ok(existsSync(target), `${relative(SRC, file)} imports ${spec}, which does not exist`);
        visit(target);
      } else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

const rel = (files: Set<string>) => [...files].map((f) => relative(SRC, f));

test('before the agent starts, a node process loads main.ts, node-run.ts and root.ts and their few imports, not the rest of the command line', () => {
  const loaded = new Set<string>(), packages = new Set<string>();
  for (const f of ['ctl/main.ts', 'ctl/node-run.ts', 'ctl/root.ts']) {
    const c = closure(join(SRC, f));
    c.files.forEach((x) => loaded.add(x));
    c.packages.forEach((x) => packages.add(x));
  }
  const names = rel(loaded);
  assert.ok(names.length <= 10, `loaded: ${names.join(', ')}`);
  assert.deepEqual(names.filter((n) => /^(lab|web|trace|client)\/|^ctl\/(program|resources|lab|ipam|cni|trace|ui|convert|context|output)\.ts$/.test(n)), []);
  assert.deepEqual([...packages].sort(), ['commander']);
});

test('what the agent loads (its composition, the datastore and the logger) includes neither the command line nor the YAML library', () => {
  for (const f of ['agent/node.ts', 'datastore/index.ts', 'datastore/embedded.ts', 'log.ts']) {
    const c = closure(join(SRC, f));
    assert.deepEqual(rel(c.files).filter((n) => /^(ctl|lab|web|trace)\//.test(n)), [], `${f} loads part of the command line`);
    assert.equal(c.packages.has('yaml'), false, `${f} loads the YAML library`);
  }
});

// The imports between parts (folders of src/) follow docs/architecture.md: every import of src/**/*.ts is
// checked against the doc's table, and the part graph has no cycles.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

type Rules = Map<string, Set<string> | '*'>;
interface Import { from: string; to: string; file: string; spec: string }

/** The table between the architecture-rules markers: part → the parts it may import (or * for any). */
export function parseRules(markdown: string): Rules {
  const start = markdown.indexOf('<!-- architecture-rules');
  const end = markdown.indexOf('<!-- end architecture-rules -->');
  assert.ok(start >= 0 && end > start, 'docs/architecture.md has no architecture-rules table');
  const rules: Rules = new Map();
  for (const line of markdown.slice(start, end).split('\n')) {
    const m = /^\|\s*([a-z-]+)\s*\|\s*([^|]*)\|\s*$/.exec(line);
    if (!m || m[1] === 'part') continue;
    const allowed = m[2]!.trim();
    rules.set(m[1]!, allowed === '*' ? '*' : new Set(allowed.split(',').map((s) => s.trim()).filter(Boolean)));
  }
  return rules;
}

/** The part a file under src/ belongs to: its top folder, or its name for a top-level module. */
function partOf(file: string): string | undefined {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return undefined; // outside src/ (package.json, node_modules)
  const parts = rel.split('/');
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

/** Relative imports of one source text: `import … from`, `export … from`, side-effect and dynamic imports. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;{}(])(?:import|export)\b[^'"`;]*?\bfrom\s*['"](\.[^'"]+)['"]|\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)|^\s*import\s*['"](\.[^'"]+)['"]/gm;
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

export function crossPartImports(files: Map<string, string>): Import[] {
  const out: Import[] = [];
  for (const [file, text] of files) {
    const from = partOf(file);
    if (!from) continue;
    for (const spec of importsOf(text)) {
      const to = partOf(resolve(dirname(file), spec));
      if (to && to !== from) out.push({ from, to, file: relative(ROOT, file), spec });
    }
  }
  return out;
}

export function violations(imports: Import[], rules: Rules): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const allowed = rules.get(i.from);
    if (allowed === undefined) out.push(`${i.file}: part "${i.from}" is not in docs/architecture.md`);
    else if (allowed !== '*' && !allowed.has(i.to)) out.push(`${i.file}: ${i.from} must not import ${i.to} ('${i.spec}')`);
  }
  return out;
}

/** Cycles in the part graph (each reported once, as a path). */
export function cycles(imports: Import[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const i of imports) {
    if (!graph.has(i.from)) graph.set(i.from, new Set());
    graph.get(i.from)!.add(i.to);
  }
  const found: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') { found.push([...path.slice(path.indexOf(n)), n].join(' → ')); return; }
    state.set(n, 'visiting');
    for (const m of graph.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  return found;
}

function loadSources(): Map<string, string> {
  return new Map(sourceFiles(SRC).map((f) => [f, readFileSync(f, 'utf8')]));
}

const rules = parseRules(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));

describe('architecture (docs/architecture.md)', () => {
  test('every part of src/ is in the table and the issue\'s forbidden seams are forbidden', () => {
    const parts = new Set([...loadSources().keys()].map((f) => partOf(f)!));
    for (const p of parts) assert.ok(rules.has(p), `src part "${p}" missing from docs/architecture.md`);
    const forbidden: [string, string][] = [
      ['api', 'datastore'], ['bgp', 'ctl'], ['bgp', 'netlink'], ['cni', 'agent'], ['lab', 'agent'], ['lab', 'cni'],
      ['selector', 'agent'], ['policy', 'agent'], ['net', 'api'],
    ];
    for (const [a, b] of forbidden) {
      const allowed = rules.get(a);
      assert.ok(allowed && allowed !== '*' && !allowed.has(b), `${a} → ${b} must not be allowed`);
    }
  });

  test('no import in src/ crosses a seam the table does not allow', () => {
    assert.deepEqual(violations(crossPartImports(loadSources()), rules), []);
  });

  test('no import cycles between parts', () => {
    assert.deepEqual(cycles(crossPartImports(loadSources())), []);
  });

  test('the checker sees each import form and reports a forbidden one', () => {
    const fake = new Map([
      [join(SRC, 'api', 'x.ts'), "import { a } from '../datastore/types.ts';\nexport { b } from '../net/ip.ts';"],
      [join(SRC, 'bgp', 'y.ts'), "// import { c } from '../ctl/errors.ts';\nconst m = await import('../netlink/index.ts');"],
      [join(SRC, 'lab', 'z.ts'), "import type {\n  D,\n} from '../cni/plugin.ts';\nimport '../agent/main.ts';"],
      [join(SRC, 'selector', 'w.ts'), "import { e } from '../errors.ts';"],
    ]);
    assert.deepEqual(violations(crossPartImports(fake), rules).sort(), [
      "src/api/x.ts: api must not import datastore ('../datastore/types.ts')",
      "src/bgp/y.ts: bgp must not import netlink ('../netlink/index.ts')",
      "src/lab/z.ts: lab must not import agent ('../agent/main.ts')",
      "src/lab/z.ts: lab must not import cni ('../cni/plugin.ts')",
    ]);
    const cyc = new Map([
      [join(SRC, 'ipam', 'a.ts'), "import { x } from '../cni/b.ts';"],
      [join(SRC, 'cni', 'b.ts'), "import { y } from '../ipam/a.ts';"],
    ]);
    assert.equal(cycles(crossPartImports(cyc)).length, 1);
  });
});

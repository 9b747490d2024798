// docs/compatibility.md against the code: every field row's status is probed again (validator and
// unenforced-field rules), every kind row against the kinds Tabby knows. Rows marked MERGE are being
// changed on other branches and are skipped until the integrator updates them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kindInfo } from '../../src/api/kinds.ts';
import { probeField, type Verdict } from './compat-probe.ts';
import { ROOT } from '../lab/helpers.ts';

const page = readFileSync(join(ROOT, 'docs/compatibility.md'), 'utf8');
const MERGE = '<!-- MERGE: row being built on another branch -->';

function section(title: string): string {
  const start = page.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, `section ${title}`);
  const end = page.indexOf('\n## ', start + 4);
  return page.slice(start, end < 0 ? undefined : end);
}

interface Row { kind: string; path: string; status: string; note: string; merging: boolean }

function fieldRows(): Row[] {
  const rows: Row[] = [];
  let kind = '';
  for (const line of section('Fields, kind by kind').split('\n')) {
    const h = /^### (\w+)/.exec(line);
    if (h) { kind = h[1]!; continue; }
    const m = /^\| `([^`]+)` \| (yes|partly|no) \| (.*?) \|( <!--.*-->)?$/.exec(line);
    if (m) rows.push({ kind, path: m[1]!, status: m[2]!, note: m[3]!, merging: line.includes(MERGE) });
  }
  return rows;
}

/** The verdict classes a status allows, given its note. */
function allowed(r: Row): Verdict[] {
  if (r.status === 'yes') return ['accepted'];
  if (r.status === 'partly') return r.path.startsWith('status') ? ['accepted'] : ['warned', 'refused'];
  if (r.note.startsWith('refused as an unknown field')) return ['unknown'];
  if (r.note.startsWith('refused:')) return ['refused'];
  if (r.note.startsWith('accepted with a warning')) return ['warned'];
  if (r.note.startsWith('Tabby keeps no status')) return ['no-status'];
  return ['no-kind'];
}

describe('docs/compatibility.md matches the code', () => {
  const rows = fieldRows();

  test('the field tables are there', () => {
    assert.ok(rows.length > 400, `${rows.length} rows`);
  });

  test('every field row (not being merged) says what the validator and the unenforced rules do', () => {
    const wrong: string[] = [];
    for (const r of rows.filter((x) => !x.merging)) {
      // The shared rule table stands for ingress and egress of all three policy kinds.
      const probes = r.kind === 'Rule'
        ? ['GlobalNetworkPolicy', 'NetworkPolicy', 'Profile'].flatMap((k) => ['ingress', 'egress'].map((d) => [k, `spec.${d}[].${r.path}`] as const))
        : [[r.kind, r.path] as const];
      for (const [kind, path] of probes) {
        const got = probeField(kind, path);
        if (!allowed(r).includes(got.verdict)) wrong.push(`${kind} ${path}: page says ${r.status} (${r.note}), code says ${got.verdict}`);
        if ((got.verdict === 'warned' || got.verdict === 'refused') && got.reason && !r.note.includes(got.reason)) {
          wrong.push(`${kind} ${path}: page gives another reason than the code's "${got.reason}"`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('every kind row: implemented kinds are known to Tabby, the others are not', () => {
    const kinds = section('Kinds').split('\n').map((l) => /^\| (\w+) \| (yes|partly|no) \| (.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    assert.ok(kinds.length >= 25, `${kinds.length} kinds`);
    for (const [line, kind, , rest] of kinds) {
      if (line.includes(MERGE)) continue;
      const unknownKind = /kind not implemented|unknown kind/.test(rest!);
      assert.equal(kindInfo(kind!) === undefined, unknownKind, `${kind}: ${rest}`);
    }
  });

  test('the kinds listed as not implemented are unknown to Tabby', () => {
    const listed = [...section('Kinds Tabby does not implement').matchAll(/^- \*\*(\w+)\*\*(.*?):/gm)];
    assert.ok(listed.length >= 5);
    for (const [, kind, marker] of listed) if (!marker!.includes('MERGE')) assert.equal(kindInfo(kind!), undefined, kind);
  });
});

// calicoctl's file and listing flags: -R/--recursive and --skip-empty (calicoctl's file.Iter and
// ExecuteConfigCommand), get's hidden -a, delete -s, version --client.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtlHarness } from './helpers.ts';
import { inputFilesUnder } from '../../src/ctl/input-files.ts';

const pool = (name: string, cidr: string) => `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: ${name}}\nspec: {cidr: ${cidr}}\n`;

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-R-'));
  writeFileSync(join(dir, 'a.yaml'), pool('top-a', '10.1.0.0/16'));
  writeFileSync(join(dir, 'notes.txt'), 'not a resource');
  mkdirSync(join(dir, 'b-sub'));
  writeFileSync(join(dir, 'b-sub', 'x.YML'), pool('sub-x', '10.2.0.0/16'));
  mkdirSync(join(dir, 'b-sub', 'deeper'));
  writeFileSync(join(dir, 'b-sub', 'deeper', 'y.json'), JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'deep-y' }, spec: { cidr: '10.3.0.0/16' } }));
  writeFileSync(join(dir, 'c.yml'), pool('top-c', '10.4.0.0/16'));
  return dir;
}

describe('-f DIR with -R/--recursive', () => {
  test('the walk is lexical and depth first, as filepath.Walk; extensions in any case', async () => {
    const dir = tree();
    try {
      assert.deepEqual((await inputFilesUnder(dir, false)).map((f) => f.slice(dir.length + 1)), ['a.yaml', 'c.yml']);
      assert.deepEqual((await inputFilesUnder(dir, true)).map((f) => f.slice(dir.length + 1)), ['a.yaml', 'b-sub/deeper/y.json', 'b-sub/x.YML', 'c.yml']);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('apply -f DIR reads one level; -R reads every level', async () => {
    const dir = tree();
    try {
      const h = new CtlHarness();
      const flat = await h.run(['apply', '-f', dir]);
      assert.equal(flat.code, 0, flat.stderr);
      assert.match(flat.stdout, /Successfully applied 2 'IPPool' resource\(s\)/);
      const deep = await h.run(['apply', '-R', '-f', dir]);
      assert.match(deep.stdout, /Successfully applied 4 'IPPool' resource\(s\)/);
      const names = await h.run(['get', 'ippools', '-o', 'name']);
      assert.equal(names.stdout.trim().split('\n').length, 4);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('--skip-empty', () => {
  test('an empty file in a directory fails the command, as in calicoctl, unless --skip-empty', async () => {
    const dir = tree();
    try {
      writeFileSync(join(dir, 'b-empty.yaml'), '# nothing here\n');
      const h = new CtlHarness();
      const r = await h.run(['apply', '-f', dir]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no resources specified in file .*b-empty\.yaml/);
      assert.equal((await h.run(['get', 'ippools', '-o', 'name'])).stdout, '', 'nothing was written');
      const skip = await h.run(['apply', '--skip-empty', '-f', dir]);
      assert.equal(skip.code, 0, skip.stderr);
      assert.match(skip.stdout, /Successfully applied 2 'IPPool' resource\(s\)/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('an empty directory or file: an error, or "No resources specified" with --skip-empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabby-empty-'));
    try {
      const h = new CtlHarness();
      const r = await h.run(['apply', '-f', dir]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no resources specified in directory/);
      for (const cmd of ['create', 'apply', 'replace', 'delete', 'validate']) {
        const s = await h.run([cmd, '--skip-empty', '-f', dir]);
        assert.equal(s.code, 0, `${cmd}: ${s.stderr}`);
        assert.equal(s.stdout, 'No resources specified\n', cmd);
      }
      writeFileSync(join(dir, 'empty.yaml'), '');
      const file = await h.run(['apply', '-f', join(dir, 'empty.yaml')]);
      assert.match(file.stderr, /no resources specified in/);
      assert.equal((await h.run(['apply', '--skip-empty', '-f', join(dir, 'empty.yaml')])).stdout, 'No resources specified\n');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('short flags calicoctl users type', () => {
  test('get -a is --all-namespaces; delete -s is --skip-not-exists', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', '-'], 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {selector: all()}\n');
    const a = await h.run(['get', 'networkpolicies', '-a', '-o', 'name']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, 'networkpolicy.projectcalico.org/p\n');
    const s = await h.run(['delete', 'ippool', 'nope', '-s']);
    assert.equal(s.code, 0, s.stderr);
  });

  test('version --client prints the client lines only, without a datastore', async () => {
    const h = new CtlHarness();
    const r = await h.run(['version', '--client']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Client Version: {4}v\d+\.\d+\.\d+\nGit commit: {8}\S+\n$/);
  });
});

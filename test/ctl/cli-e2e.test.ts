// End-to-end: the real ./bin/tabby process against a real backend (embedded file; etcd when the test
// script provides one), exercising flags, env-based datastore selection, stdin and exit codes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { testEtcd } from '../helpers/etcd.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TABBY = join(ROOT, 'bin', 'tabby');
const DOCS = join(import.meta.dirname, 'fixtures', 'docs');
const INVALID = join(import.meta.dirname, 'fixtures', 'invalid');

interface Result { code: number; stdout: string; stderr: string }

function tabby(args: string[], env: Record<string, string>, stdin?: string, fromSource = true): Promise<Result> {
  return new Promise((resolve, reject) => {
    const clean: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['DATASTORE_TYPE', 'ETCD_ENDPOINTS', 'TABBY_DATASTORE_PATH', 'TABBY_ETCD_KEY_PREFIX']) delete clean[k];
    const child = spawn(TABBY, args, { env: { ...clean, ...(fromSource ? { TABBY_FROM_SOURCE: '1' } : {}), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('the bundled tabby (dist/tabby.mjs, built by scripts/build.sh)', () => {
  test('version prints the real client version and commit, not "unknown"', { skip: existsSync(join(ROOT, 'dist', 'tabby.mjs')) ? false : 'run scripts/build.sh first' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabby-ver-'));
    try {
      const r = await tabby(['version'], { TABBY_DATASTORE_PATH: join(dir, 'datastore.db') }, undefined, false);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.match(r.stdout, new RegExp(`^Client Version:\\s+v${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(r.stdout, /^Git commit:\s+[0-9a-f]{8}$/m);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('tabby CLI against the embedded datastore', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tabby-ctl-'));
    env = { TABBY_DATASTORE_PATH: join(dir, 'datastore.db') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('apply a directory, then get -o wide / -o yaml', async () => {
    const r = await tabby(['apply', '-f', DOCS], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Successfully applied 21 resource(s)\n');
    const wide = await tabby(['get', 'ippools', '-o', 'wide'], env);
    assert.equal(wide.code, 0, wide.stderr);
    assert.deepEqual(wide.stdout.split('\n')[0]!.trim().split(/\s+/), ['NAME', 'CIDR', 'NAT', 'IPIPMODE', 'VXLANMODE', 'DISABLED', 'DISABLEBGPEXPORT', 'SELECTOR']);
    assert.match(wide.stdout, /\nmy\.ippool-1 +10\.1\.0\.0\/16 +true +CrossSubnet +Never +false +false +all\(\) +\n/);
    const y = parse((await tabby(['get', 'bgpconfig', 'default', '-o', 'yaml'], env)).stdout);
    assert.equal(y.spec.asNumber, 63400);
    assert.deepEqual(y.spec.serviceClusterIPs, [{ cidr: '10.96.0.0/12' }]);
  });

  test('invalid input: non-zero exit, clear message, nothing written', async () => {
    const bad = await tabby(['apply', '-f', join(INVALID, 'ippool-unmasked.yaml')], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /IPPool\(bad-pool\): error with field spec\.cidr = '10\.30\.0\.1\/16'/);
    const kind = await tabby(['apply', '-f', join(INVALID, 'unknown-kind.yaml')], env);
    assert.equal(kind.code, 2);
    const pools = await tabby(['get', 'ippools', '-o', 'yaml'], env);
    const names = parse(pools.stdout).items.map((i: { metadata: { name: string } }) => i.metadata.name);
    assert.ok(!names.includes('good-pool') && !names.includes('pool-a'), `nothing from a failing file is written: ${names}`);
  });

  test('stdin, patch, label, delete', async () => {
    const y = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: blocklist\nspec:\n  nets:\n  - 198.51.100.0/24\n';
    assert.equal((await tabby(['create', '-f', '-'], env, y)).stdout, "Successfully created 1 'GlobalNetworkSet' resource(s)\n");
    assert.equal((await tabby(['patch', 'gnetset', 'blocklist', '-p', '{"spec":{"nets":["203.0.113.0/24"]}}'], env)).code, 0);
    assert.equal((await tabby(['label', 'gnetset', 'blocklist', 'role=blocked'], env)).code, 0);
    const wide = await tabby(['get', 'globalnetworksets', '-o', 'wide', '--selector', 'role == "blocked"'], env);
    assert.match(wide.stdout, /blocklist +203\.0\.113\.0\/24/);
    assert.equal((await tabby(['delete', 'gnetset', 'blocklist'], env)).stdout, "Successfully deleted 1 'GlobalNetworkSet' resource(s)\n");
    const gone = await tabby(['get', 'gnetset', 'blocklist'], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /resource does not exist: GlobalNetworkSet\(blocklist\) with error:/);
  });

  test('-c config file selects the datastore; a bad one is a usage error', async () => {
    const cfg = join(dir, 'tabby.cfg');
    writeFileSync(cfg, `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n  datastoreType: embedded\n  datastorePath: ${join(dir, 'other.db')}\n`);
    const r = await tabby(['-c', cfg, 'get', 'ippools'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'NAME   CIDR   SELECTOR', 'a different, empty store');
    const bad = await tabby(['get', 'ippools'], { DATASTORE_TYPE: 'kubernetes' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /kubernetes/);
  });
});

describe('tabby CLI against etcd', { skip: testEtcd().skip }, () => {
  const env = { ETCD_ENDPOINTS: process.env.TABBY_TEST_ETCD_ENDPOINTS ?? '', TABBY_ETCD_KEY_PREFIX: `/tabby-ctl-test-${randomUUID()}` };

  test('apply and read back through etcd', async () => {
    const r = await tabby(['apply', '-f', join(DOCS, 'ippool.yaml')], env);
    assert.equal(r.code, 0, r.stderr);
    const got = parse((await tabby(['get', 'ippool', 'rack-1-pool', '-o', 'yaml'], env)).stdout);
    assert.equal(got.spec.blockSize, 28);
    assert.equal(got.spec.nodeSelector, 'rack == "1"');
    assert.equal((await tabby(['delete', '-f', join(DOCS, 'ippool.yaml')], env)).code, 0);
  });

  test('an unreachable etcd exits 3', async () => {
    const r = await tabby(['get', 'ippools'], { ETCD_ENDPOINTS: 'http://127.0.0.1:1' });
    assert.equal(r.code, 3, r.stderr);
  });
});

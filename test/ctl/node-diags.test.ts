// `tabby node diags` (issue #20 item 8) on a node stood in for by a network namespace: the tarball is named as
// calicoctl names it and holds that node's routes, links, nft ruleset, BGP status (or why not), the datastore
// as that node's tabby sees it, and its logs.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { TABBY } from '../lab/helpers.ts';
import { tarballName } from '../../src/ctl/node-diags.ts';

const skip = netnsSkipReason();

test('the tarball name is diags-<local YYYYMMDD_HHMMSS>.tar.gz (Go layout 20060102_150405)', () => {
  assert.equal(tarballName(new Date(2026, 0, 2, 3, 4, 5)), 'diags-20260102_030405.tar.gz');
});

describe('node diags', { skip }, () => {
  const fx = new NetnsFixture();
  const work = mkdtempSync(join(tmpdir(), 'tabby-diags-test-'));
  after(() => { fx.cleanupSync(); rmSync(work, { recursive: true, force: true }); });

  test('collects the node\'s kernel state, BGP status, datastore and logs into the tarball', () => {
    const ns = fx.add('node');
    fx.exec(ns, ['ip', 'link', 'add', 'dummy0', 'type', 'veth', 'peer', 'name', 'dummy1']); // no dummy module here
    fx.exec(ns, ['ip', 'addr', 'add', '172.31.9.1/24', 'dev', 'dummy0']);
    fx.exec(ns, ['ip', 'link', 'set', 'dummy0', 'up']);
    fx.exec(ns, ['ip', 'route', 'add', 'blackhole', '10.99.7.0/26']);
    fx.exec(ns, ['nft', 'add', 'table', 'inet', 'diagsprobe']);
    const logs = join(work, 'logs');
    mkdirSync(join(logs, 'cni'), { recursive: true });
    writeFileSync(join(logs, 'cni', 'cni.log'), '{"msg":"probe line"}\n');
    const env = { ...process.env, TMPDIR: work, DATASTORE_TYPE: 'embedded', TABBY_DATASTORE_PATH: join(work, 'ds.db') };
    execFileSync(TABBY, ['apply', '-f', '-'], { env, input: 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: diag-pool}\nspec: {cidr: 10.99.0.0/16}\n' });

    const out = fx.exec(ns, [TABBY, 'node', 'diags', '--log-dir', logs, '--endpoint', 'http://127.0.0.1:1/bgp/status'], { env });
    assert.match(out, /^Collecting diagnostics\nUsing temp dir: /);
    assert.match(out, /Dumping routes \(IPv4\)\n/);
    assert.match(out, /Failed to read the BGP status from http:\/\/127\.0\.0\.1:1\/bgp\/status/);
    const m = /\nDiags saved to (\S+\/(diags-\d{8}_\d{6}\.tar\.gz))\n/.exec(out);
    assert.ok(m, out);
    const dest = join(work, 'x');
    mkdirSync(dest);
    execFileSync('tar', ['-xzf', m[1]!, '-C', dest]);
    const read = (f: string) => readFileSync(join(dest, 'diagnostics', f), 'utf8');
    assert.match(read('ipv4_route'), /blackhole 10\.99\.7\.0\/26/);
    assert.match(read('ipv4_addr'), /172\.31\.9\.1\/24/);
    assert.match(read('links'), /dummy0/);
    assert.match(read('nft_ruleset'), /table inet diagsprobe/);
    assert.match(read('bgp_status'), /unavailable/);
    assert.match(read('datastore/ippools.yaml'), /name: diag-pool/);
    assert.match(read('logs/cni/cni.log'), /probe line/);
  });
});

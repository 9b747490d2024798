// One error hierarchy: every error class in src/ derives from TabbyError and carries a stable code, which the
// CLI turns into exit codes and the CNI plugin into spec error codes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TabbyError, errorFields, isTabbyError } from '../src/errors.ts';
import { CliError, EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE, exitCodeFor } from '../src/ctl/errors.ts';
import { DatastoreError } from '../src/datastore/types.ts';
import { CNI_ERR, CniError, asCniError } from '../src/cni/errors.ts';
import { BgpMessageError } from '../src/bgp/codec.ts';
import { CommandError, mustRun, mustRunSync } from '../src/exec.ts';
import { AddressParseError, parseNet } from '../src/net/ip.ts';
import { parseSelector } from '../src/selector/index.ts';

const SRC = join(import.meta.dirname, '..', 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error hierarchy', () => {
  test('no error class in src/ extends Error directly except TabbyError', () => {
    const direct = tsFiles(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/class (\w+)(?:<[^>]*>)? extends Error\b/g)]
      .map((m) => `${relative(SRC, f)}: ${m[1]}`));
    assert.deepEqual(direct, ['errors.ts: TabbyError']);
  });

  test('stable codes: names for our errors, the spec numbers for CNI and BGP', () => {
    assert.equal(new DatastoreError('Conflict', 'x').code, 'Conflict');
    assert.equal(new CliError('bad flag', EXIT_USAGE).code, 'Usage');
    const cni = new CniError(CNI_ERR.invalidNetworkConfig, 'bad conf');
    assert.equal(cni.code, 7);
    assert.deepEqual(cni.toJSON('1.0.0'), { cniVersion: '1.0.0', code: 7, msg: 'bad conf' });
    assert.equal(new BgpMessageError(2, 2, new Uint8Array(0), 'bad peer AS').code, 2);
    assert.throws(() => parseNet('10.0.0.0/33'), (e: unknown) => e instanceof AddressParseError && isTabbyError(e, 'InvalidAddress'));
    assert.throws(() => parseSelector('a ==='), (e: unknown) => isTabbyError(e, 'InvalidSelector'));
    for (const e of [cni, new DatastoreError('NotFound', 'gone')]) assert.ok(e instanceof TabbyError && e instanceof Error);
  });

  test('the CLI, the CNI plugin and logs read the same code', () => {
    const down = new DatastoreError('Unavailable', 'etcd unreachable');
    assert.equal(exitCodeFor(down), EXIT_UNAVAILABLE);
    assert.equal(asCniError(down).code, CNI_ERR.tryAgainLater);
    assert.deepEqual(errorFields(down), { err: 'etcd unreachable', code: 'Unavailable' });
    assert.equal(exitCodeFor(new DatastoreError('NotFound', 'x')), EXIT_FAILED);
    assert.equal(exitCodeFor(new CliError('x', EXIT_USAGE)), EXIT_USAGE);
    assert.deepEqual(errorFields(new Error('plain')), { err: 'plain' });
  });

  test('one CommandError for commands, sync and async, with the exit status and stderr', async () => {
    await assert.rejects(mustRun(['sh', '-c', 'echo oops >&2; exit 3']), (e: unknown) =>
      e instanceof CommandError && e.status === 3 && e.stderr === 'oops\n' && e.code === 'CommandFailed' && /exit 3\): oops/.test(e.message));
    assert.throws(() => mustRunSync(['sh', '-c', 'exit 4']), (e: unknown) => e instanceof CommandError && e.status === 4);
    await assert.rejects(mustRun(['/nonexistent/tabby-no-such-binary']), (e: unknown) => e instanceof CommandError && e.status === null);
    assert.equal(await mustRun(['cat'], { input: 'piped' }), 'piped');
  });
});

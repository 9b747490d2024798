// Issue #20 ("a Calico user's first hour"), the command-line items: -l is the log level and nothing else
// (item 5), and a command reading the host's default datastore while a lab is up says so (item 3).
// Real ./bin/tabby processes (from source).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const TABBY = join(ROOT, 'bin', 'tabby');

function tabby(args: string[], env: Record<string, string>, wrap: string[] = []) {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATASTORE_TYPE', 'ETCD_ENDPOINTS', 'TABBY_DATASTORE_PATH', 'TABBY_LOG_LEVEL', 'LOG_LEVEL', 'TABBY_LAB']) delete clean[k];
  const argv = [...wrap, TABBY, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...clean, TABBY_FROM_SOURCE: '1', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('-l/--log-level (item 5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-loglevel-'));
  const env = { TABBY_DATASTORE_PATH: join(dir, 'datastore.db') };

  test('a kubectl-style selector after -l is a usage error that points at --selector, not a silent full listing', () => {
    const r = tabby(['get', 'nodes', '-l', 'app=x'], env);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /-l\/--log-level sets the log level \(as in calicoctl\), it is not a label selector: "app=x"/);
    assert.match(r.stderr, /--selector 'app == "x"'/);
  });

  test('an unknown level is refused with calicoctl\'s message; known ones are accepted in any case', () => {
    const r = tabby(['-l', 'verbose', 'get', 'nodes'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown log level: verbose, expected one of: panic, fatal, error, warn, info, debug\./);
    for (const level of ['panic', 'FATAL', 'error', 'warn', 'warning', 'info', 'debug']) {
      assert.equal(tabby(['-l', level, 'get', 'nodes'], env).code, 0, level);
    }
  });

  test('the level takes effect: -l info logs which datastore is used (JSON lines, level names), the default says nothing', () => {
    const quiet = tabby(['get', 'nodes'], env);
    assert.equal(quiet.stderr, '');
    const r = tabby(['-l', 'info', 'get', 'nodes'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const using = lines.find((l) => l.msg === 'using datastore');
    assert.ok(using, r.stderr);
    assert.equal(using.level, 'info');
    assert.equal(using.datastore, `embedded, ${env.TABBY_DATASTORE_PATH}`);
    assert.equal(typeof using.time, 'string');
    const errorOnly = tabby(['-l', 'error', 'get', 'nodes'], env);
    assert.equal(errorOnly.stderr, '');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the host\'s default datastore while a lab is up (item 3)', () => {
  // The default embedded store is /var/lib/tabby/datastore.db: a private mount namespace with a tmpfs over
  // /var/lib/tabby keeps the host's file out of the test. The lab is a state file in a private lab root.
  const unshare = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']);
  const skip = process.getuid?.() !== 0 || unshare.status !== 0 ? 'needs root and unshare -m' : false;

  test('`tabby get nodes` names the datastore it reads and the command that reads the lab\'s', { skip }, () => {
    const labRoot = mkdtempSync(join(tmpdir(), 'tabby-labroot-'));
    try {
      mkdirSync(join(labRoot, 'mylab'));
      writeFileSync(join(labRoot, 'mylab', 'state.json'), JSON.stringify({
        name: 'mylab', phase: 'up', datastore: 'embedded', nodes: [{ name: 'controlplane' }, { name: 'node01' }], pods: [],
      }));
      const inPrivateMount = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mkdir -p /var/lib/tabby && mount -t tmpfs tabby-test /var/lib/tabby && exec "$@"', 'sh'];
      const r = tabby(['get', 'nodes'], { TABBY_LAB_ROOT: labRoot }, inPrivateMount);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Note: this command uses the default datastore \(embedded, \/var\/lib\/tabby\/datastore\.db\), not the one of lab "mylab" running on this machine\./);
      assert.match(r.stderr, /tabby lab exec-node --name mylab controlplane tabby get nodes/);
      // Chosen explicitly (here by the environment): no note.
      const chosen = tabby(['get', 'nodes'], { TABBY_LAB_ROOT: labRoot, TABBY_DATASTORE_PATH: join(labRoot, 'ds.db') });
      assert.equal(chosen.code, 0);
      assert.equal(chosen.stderr, '');
    } finally {
      rmSync(labRoot, { recursive: true, force: true });
    }
  });
});

// The compiled entry (dist/tabby-cni-fast, src/cni/fast-entry.ts) beside Node's: what it does not hand to the
// agent it hands to the Node plugin by execve — the same process, so the answer, the exit code and a runtime's
// kill are the plugin's. Served and fallback pods through both entries: served.test.ts. These calls touch no
// network (bad input, -v, -t against loopback) and run in this process's namespace with a private state dir.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CNI_FAST, compiledEntrySkip, entryExe, ROOT, type CniEntry } from './harness.ts';

const skip = compiledEntrySkip();
const dir = mkdtempSync(join(tmpdir(), 'tabby-fast-entry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', CNI_PATH: '/usr/lib/cni', CNI_IFNAME: 'eth0' };
const conf = (extra: Record<string, unknown> = {}) => ({
  cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', state_dir: join(dir, 'state'),
  log_level: 'error', log_file_path: join(dir, 'cni.log'), datastore_type: 'kubernetes', datastore_path: join(dir, 'ds.db'),
  ipam: { type: 'calico-ipam' }, ...extra,
});

function run(entry: CniEntry, env: Record<string, string>, stdin: string, args: string[] = []): { code: number | null; stdout: string } {
  const [exe, ...pre] = entryExe(entry);
  const r = spawnSync(exe!, [...pre, ...args], { input: stdin, env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout };
}

describe('the compiled CNI entry', { skip }, () => {
  const cases: Array<[string, Record<string, string>, string, string[]?]> = [
    ['not JSON', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/nonexistent' }, 'garbage'],
    ['empty netconf', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/nonexistent' }, ''],
    ['no network name', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c1' }, JSON.stringify({ ...conf(), name: undefined })],
    ['a cniVersion nobody supports', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/nonexistent' }, JSON.stringify(conf({ cniVersion: '9.9.9' }))],
    ['an unknown command', { CNI_COMMAND: 'BOGUS', CNI_CONTAINERID: 'c1' }, JSON.stringify(conf())],
    ['ADD without CNI_CONTAINERID', { CNI_COMMAND: 'ADD', CNI_NETNS: '/nonexistent' }, JSON.stringify(conf())],
    ['VERSION', { CNI_COMMAND: 'VERSION' }, JSON.stringify({ cniVersion: '0.3.1' })],
    ['VERSION of an unsupported cniVersion', { CNI_COMMAND: 'VERSION' }, JSON.stringify({ cniVersion: '0.0.9' })],
    ['-v', {}, '', ['-v']],
  ];
  for (const [name, env, stdin, args] of cases) {
    test(`${name}: the same answer and exit code as the Node entry`, () => {
      const viaNode = run('node', env, stdin, args), viaCompiled = run('compiled', env, stdin, args);
      assert.ok(viaNode.stdout.length > 0, 'the Node entry answered');
      assert.deepEqual(viaCompiled, viaNode);
    });
  }

  describe('falling back to the Node plugin', () => {
    let server: Server;
    const sockets: Socket[] = [];
    let port = 0;
    before(async () => {
      // An "etcd" that accepts connections and never answers: `-t` waits on it, so the process can be looked at.
      server = createServer((s) => { sockets.push(s); s.on('error', () => {}); });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(() => { for (const s of sockets) s.destroy(); server.close(); });

    test('is an execve: the runtime\'s PID becomes the plugin, its kill ends it, and 300 KB of netconf arrive whole', async () => {
      const big = JSON.stringify(conf({ datastore_type: 'etcdv3', etcd_endpoints: `http://127.0.0.1:${port}`, padding: 'x'.repeat(300_000) }));
      const child = spawn(CNI_FAST, ['-t'], { env: baseEnv, stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.end(big);
      const gone = new Promise((r) => child.once('exit', r));
      // The connection to the silent etcd means the plugin parsed the whole netconf (cut short, it is not JSON).
      const t0 = Date.now();
      while (sockets.length === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(sockets.length > 0, 'the plugin never connected to the endpoint in its netconf');
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      assert.deepEqual(cmdline.slice(0, 3), [process.execPath, join(ROOT, 'dist', 'tabby-cni.cjs'), '-t'], 'the same PID now runs the Node plugin');
      child.kill('SIGKILL');
      await gone;
      const left = spawnSync('pgrep', ['-f', 'dist/tabby-cni.cjs -t'], { encoding: 'utf8' }).stdout.trim();
      assert.equal(left.split('\n').filter((p) => p && Number(p) === child.pid).length, 0);
      assert.throws(() => readFileSync(`/proc/${child.pid}/cmdline`), /ENOENT/, 'nothing outlives the kill');
    });

    test('-t against a refusing endpoint: the same answer through both entries', () => {
      const stdin = JSON.stringify(conf({ datastore_type: 'etcdv3', etcd_endpoints: 'http://127.0.0.1:1' }));
      const viaNode = run('node', {}, stdin, ['-t']), viaCompiled = run('compiled', {}, stdin, ['-t']);
      assert.notEqual(viaNode.code, 0);
      assert.deepEqual(viaCompiled, viaNode);
    });
  });

  test('tabby cni install links tabby-cni and calico to it; --entry node installs launchers; a bad --entry is refused', () => {
    const tabby = (...a: string[]) => spawnSync(join(ROOT, 'bin', 'tabby'), ['cni', 'install', ...a], { encoding: 'utf8' });
    const bin = join(dir, 'bin'), confDir = join(dir, 'net.d');
    const r = tabby('--bin-dir', bin, '--conf-dir', confDir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /plugin entry: compiled/);
    for (const name of ['tabby-cni', 'calico']) assert.equal(readlinkSync(join(bin, name)), CNI_FAST);
    assert.ok(!lstatSync(join(bin, 'calico-ipam')).isSymbolicLink());
    const n = tabby('--bin-dir', bin, '--conf-dir', confDir, '--entry', 'node');
    assert.equal(n.status, 0, n.stderr);
    assert.match(n.stdout, /plugin entry: node/);
    assert.ok(!lstatSync(join(bin, 'calico')).isSymbolicLink());
    assert.match(readFileSync(join(bin, 'calico'), 'utf8'), /tabby-cni\.cjs/);
    const bad = tabby('--bin-dir', bin, '--conf-dir', confDir, '--entry', 'fast');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--entry must be auto or node/);
  });
});

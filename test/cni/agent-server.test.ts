// The plugin ⇄ node agent protocol (src/cni/agent-client.ts, agent-server.ts) over real unix sockets in a temp
// dir, with a recording runner in place of runPlugin. No root, no network namespaces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  agentSocketPath, callerView, CNI_SOCKET_NAME, DEFAULT_AGENT_STATE_DIR, MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION, requestFor, type ServeRequest,
} from '../../src/cni/agent-client.ts';
import { askAgent, fileIdentity } from '../../src/cni/agent-exchange-node.ts';
import { CniServer, parseRequest, type InvocationRunner } from '../../src/cni/agent-server.ts';

const quiet = { info() {}, warn() {}, debug() {} };

/** A request as the plugin would send it; `env` entries are merged into a runtime's environment. */
const base = await requestFor(fileIdentity, { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/proc/self/ns/net', CNI_IFNAME: 'eth0' }, '{"cniVersion":"1.0.0"}');
function request(over: Partial<ServeRequest> = {}): ServeRequest {
  return { ...base, ...over, env: { ...base.env, ...over.env } };
}

describe('agent socket protocol', () => {
  let dir: string;
  let n = 0;
  const sockPath = () => join(dir, `s${++n}`, CNI_SOCKET_NAME);
  before(() => { dir = mkdtempSync(join(tmpdir(), 'tabby-cni-serve-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function serving(run: InvocationRunner, opts: { netIdentity?: string } = {}) {
    const path = sockPath();
    const served: Array<{ command: string; exitCode: number }> = [];
    const server = new CniServer({ socketPath: path, log: quiet, run, ...opts, onServed: (command, exitCode) => served.push({ command, exitCode }) });
    assert.equal(await server.start(), true);
    return { path, server, served };
  }

  test('socket path: netconf state_dir, else the agent default; not JSON: none', () => {
    assert.equal(agentSocketPath('{"state_dir":"/run/x/"}'), '/run/x/cni.sock');
    assert.equal(agentSocketPath('{"type":"calico"}'), `${DEFAULT_AGENT_STATE_DIR}/cni.sock`);
    assert.equal(agentSocketPath('{"state_dir":""}'), `${DEFAULT_AGENT_STATE_DIR}/cni.sock`);
    assert.equal(agentSocketPath('{not json'), undefined);
    assert.equal(agentSocketPath('null'), undefined);
  });

  test('a request carries the caller view: its network namespace and what CNI_NETNS names for it', async () => {
    const r = request();
    assert.equal(r.v, PROTOCOL_VERSION);
    assert.equal(r.pid, process.pid);
    assert.equal(r.view.net, fileIdentity('/proc/self/ns/net'));
    assert.equal(r.view.target, fileIdentity('/proc/self/ns/net'));
    assert.equal((await callerView(fileIdentity, '/does/not/exist')).target, null);
    assert.equal((await callerView(fileIdentity, undefined)).target, null);
    assert.equal(r.env.CNI_CONTAINERID, 'c1');
  });

  test('parseRequest names what is wrong', () => {
    assert.match(String(parseRequest('nope')), /not JSON/);
    assert.match(String(parseRequest('[]')), /malformed request/);
    assert.match(String(parseRequest(JSON.stringify({ ...request(), v: 99 }))), /protocol version 99/);
    assert.match(String(parseRequest(JSON.stringify({ ...request(), view: { net: 1 } }))), /view/);
    assert.match(String(parseRequest(JSON.stringify({ ...request(), env: { A: 1 } }))), /env/);
    assert.match(String(parseRequest(JSON.stringify({ ...request(), stdin: undefined }))), /stdin/);
    assert.deepEqual(parseRequest(JSON.stringify(request())), request());
  });

  test('served: the runner gets env, netconf and the caller pid; its stdout, exit code and stderr come back', async () => {
    const calls: Array<[Record<string, string>, string, number]> = [];
    const { path, server, served } = await serving(async (env, stdin, pid) => {
      calls.push([env, stdin, pid]);
      return { stdout: '{"cniVersion":"1.0.0","ips":[]}', exitCode: 0, stderr: 'a warning\n' };
    });
    try {
      assert.equal((statSync(path).mode & 0o777), 0o600, 'socket is root-only');
      const a = await askAgent(path, request());
      assert.deepEqual(a, { served: { stdout: '{"cniVersion":"1.0.0","ips":[]}', exitCode: 0, stderr: 'a warning\n' } });
      assert.equal(calls.length, 1);
      assert.equal(calls[0]![0].CNI_CONTAINERID, 'c1');
      assert.equal(calls[0]![1], '{"cniVersion":"1.0.0"}');
      assert.equal(calls[0]![2], process.pid);
      assert.deepEqual(served, [{ command: 'ADD', exitCode: 0 }]);
      assert.equal(server.served, 1);
    } finally { await server.close(); }
    assert.equal(existsSync(path), false, 'close() removes the socket');
  });

  test('declined, runner untouched: caller in another network namespace; CNI_NETNS naming something else for the agent', async () => {
    let ran = 0;
    const run: InvocationRunner = async () => { ran++; return { stdout: '', exitCode: 0, stderr: '' }; };
    const other = await serving(run, { netIdentity: '0:12345' });
    const same = await serving(run);
    try {
      assert.deepEqual(await askAgent(other.path, request()), { notServed: 'the agent declined: the agent runs in another network namespace' });
      const a = await askAgent(same.path, request({ view: { net: fileIdentity('/proc/self/ns/net')!, target: '0:1' } }));
      assert.ok('notServed' in a && /CNI_NETNS \/proc\/self\/ns\/net names another namespace/.test(a.notServed), JSON.stringify(a));
      assert.equal(ran, 0);
    } finally { await other.server.close(); await same.server.close(); }
  });

  test('declined: wrong protocol version, malformed and oversized requests; a runner that throws', async () => {
    const { path, server } = await serving(async (env) => {
      if (env.CNI_CONTAINERID === 'boom') throw new Error('backend exploded');
      return { stdout: '{}', exitCode: 0, stderr: '' };
    });
    try {
      assert.deepEqual(await askAgent(path, { ...request(), v: 2 }), { notServed: 'the agent declined: protocol version 2 is not 1' });
      assert.deepEqual(await askAgent(path, request({ env: { CNI_CONTAINERID: 'boom', CNI_COMMAND: 'ADD' } })),
        { notServed: 'the agent declined: the agent failed: backend exploded' });
      const big = await askAgent(path, request({ stdin: 'x'.repeat(MAX_MESSAGE_BYTES + 10) }));
      assert.ok('notServed' in big && /larger than/.test(big.notServed), JSON.stringify(big));
      // Still serving afterwards.
      assert.ok('served' in (await askAgent(path, request())));
    } finally { await server.close(); }
  });

  test('not served: no socket, a stale socket of a dead agent, a server that hangs up or answers garbage', async () => {
    const missing = await askAgent(join(dir, 'nothing', CNI_SOCKET_NAME), request());
    assert.ok('notServed' in missing && /ENOENT$/.test(missing.notServed));

    const stale = sockPath();
    await deadSocket(stale);
    const refused = await askAgent(stale, request());
    assert.ok('notServed' in refused && /ECONNREFUSED$/.test(refused.notServed), JSON.stringify(refused));

    for (const [answer, expect] of [[undefined, /without answering/], ['{"nope":1}', /malformed reply/], ['<html>', /malformed reply/]] as const) {
      const p = sockPath();
      rmSync(join(p, '..'), { recursive: true, force: true });
      await import('node:fs').then((fs) => fs.mkdirSync(join(p, '..'), { recursive: true }));
      const srv = createServer({ allowHalfOpen: true }, (s) => { s.resume(); s.on('end', () => (answer === undefined ? s.destroy() : s.end(answer))); });
      await new Promise<void>((r) => srv.listen(p, () => r()));
      try {
        const a = await askAgent(p, request());
        assert.ok('notServed' in a && expect.test(a.notServed), JSON.stringify(a));
      } finally { await new Promise((r) => srv.close(r)); }
    }
  });

  test('start(): replaces a dead agent\'s socket; refuses a live one and a path that is not a socket', async () => {
    const p = sockPath();
    await deadSocket(p);
    const run: InvocationRunner = async () => ({ stdout: '{}', exitCode: 0, stderr: '' });
    const first = new CniServer({ socketPath: p, log: quiet, run });
    assert.equal(await first.start(), true, 'a stale socket is replaced');
    try {
      const second = new CniServer({ socketPath: p, log: quiet, run });
      assert.equal(await second.start(), false, 'another agent answers there');
      assert.ok('served' in (await askAgent(p, request())), 'the first still serves');
      await second.close();
      assert.ok(existsSync(p), 'a server that never started does not remove the socket');
    } finally { await first.close(); }

    const file = sockPath();
    await import('node:fs').then((fs) => fs.mkdirSync(join(file, '..'), { recursive: true }));
    writeFileSync(file, 'not a socket');
    assert.equal(await new CniServer({ socketPath: file, log: quiet, run }).start(), false);
    assert.ok(statSync(file).isFile(), 'the file is left alone');
  });

  test('concurrent invocations are served concurrently; close() waits for those in flight', async () => {
    let running = 0, maxRunning = 0;
    let lastStarted!: () => void;
    const lastInFlight = new Promise<void>((r) => { lastStarted = r; });
    const { path, server, served } = await serving(async (env) => {
      running++; maxRunning = Math.max(maxRunning, running);
      if (env.CNI_CONTAINERID === 'last') lastStarted();
      await new Promise((r) => setTimeout(r, 30)); // the invocation's work: long enough for the others to overlap
      running--;
      return { stdout: JSON.stringify({ id: env.CNI_CONTAINERID }), exitCode: 0, stderr: '' };
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => askAgent(path, request({ env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: `c${i}` } }))));
    answers.forEach((a, i) => assert.deepEqual(a, { served: { stdout: JSON.stringify({ id: `c${i}` }), exitCode: 0, stderr: '' } }));
    assert.ok(maxRunning > 1, `ran one at a time (max ${maxRunning})`);
    const late = askAgent(path, request({ env: { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'last' } }));
    await lastInFlight; // the server is running it now
    await server.close();
    assert.deepEqual(await late, { served: { stdout: '{"id":"last"}', exitCode: 0, stderr: '' } });
    assert.equal(served.length, 21);
  });

  test('invocations for one container run one after the other: a DEL waits for the ADD whose plugin died', async () => {
    const log: string[] = [];
    let addStarted!: () => void;
    const addRunning = new Promise<void>((r) => { addStarted = r; });
    const { path, server } = await serving(async (env) => {
      log.push(`start ${env.CNI_COMMAND} ${env.CNI_CONTAINERID}`);
      if (env.CNI_COMMAND === 'ADD' && env.CNI_CONTAINERID === 'k1') { addStarted(); await new Promise((r) => setTimeout(r, 150)); }
      log.push(`end ${env.CNI_COMMAND} ${env.CNI_CONTAINERID}`);
      return { stdout: '{}', exitCode: 0, stderr: '' };
    });
    const add = askAgent(path, request({ env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'k1' } }));
    await addRunning; // the ADD is in the agent; the runtime now gives up on it and sends DEL
    const del = askAgent(path, request({ env: { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'k1' } }));
    const other = askAgent(path, request({ env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'k2' } }));
    await Promise.all([add, del, other]);
    await server.close();
    assert.ok(log.indexOf('start DEL k1') > log.indexOf('end ADD k1'), `DEL started before the ADD ended: ${log.join(', ')}`);
    assert.ok(log.indexOf('end ADD k2') < log.indexOf('end ADD k1'), `another container waited for k1: ${log.join(', ')}`);
  });
});

/** A unix socket file whose listener was SIGKILLed (what a crashed agent leaves). */
async function deadSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `
    require('fs').mkdirSync(require('path').dirname(${JSON.stringify(path)}), { recursive: true });
    require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  assert.ok(existsSync(path), 'the dead listener left its socket');
}

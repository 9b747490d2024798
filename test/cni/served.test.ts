// The plugin served by the node agent: `tabby node run` in the host namespace, the executables invoked exactly
// as a runtime does. The served path must give the same pods as the in-process one, fall back whenever the
// agent cannot serve, and leave nothing behind either way. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason } from '../helpers/netns.ts';
import { CniServer } from '../../src/cni/agent-server.ts';
import { CNI_ENTRIES, CniNode, compiledEntrySkip, ensureBuilt, entryExe, type InvokeResult } from './harness.ts';

const skip = netnsSkipReason();
// Routing only: these pods have no profile or policy (enforcement is tested in test/policy).
const NO_POLICY = ['--no-policy'];

// Through either entry (Node's bundle, or the compiled one installs use): the same pods, errors and fallbacks.
for (const entry of CNI_ENTRIES) describe(`tabby-cni served by the node agent (${entry} entry)`, { skip: skip || (entry === 'compiled' && compiledEntrySkip()) }, () => {
  let n: CniNode;
  let seq = 0;
  before(async () => { ensureBuilt(); n = new CniNode('node-s'); n.exe = entryExe(entry); await n.init(); });
  after(() => n?.cleanup());

  type Pod = ReturnType<CniNode['newPod']> & { name: string };
  const newPod = (): Pod => ({ ...n.newPod(), name: `pod-${++seq}` });
  const call = (command: 'ADD' | 'DEL' | 'CHECK', p: Pod, extraEnv?: Record<string, string>): Promise<InvokeResult> =>
    n.invoke({ command, containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', p.name), conf: n.conf(), extraEnv });
  /** The plugin log lines of one container. */
  const logOf = (p: Pod) => readFileSync(n.logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((l) => l.containerID === p.containerId || l.msg.startsWith('node agent did not serve'));
  const servedCount = () => (n.agentLog().match(/served CNI request/g) ?? []).length;

  /** No cali link, no route through one, no endpoint, handle or allocation (the node's block and its blackhole may stay). */
  async function assertNothingLeft(context: string): Promise<void> {
    assert.doesNotMatch(n.sh(n.host, ['ip', '-o', 'link']), /cali/, `${context}: a cali link is left`);
    assert.doesNotMatch(n.sh(n.host, ['ip', 'route']), /dev cali/, `${context}: a pod route is left`);
    const ds = await n.openDs();
    try {
      assert.deepEqual((await ds.list('WorkloadEndpoint')).items.map((w) => w.metadata.name), [], `${context}: endpoints left`);
      assert.deepEqual((await ds.list('IPAMHandle')).items.map((h) => h.metadata.name), [], `${context}: handles left`);
      for (const b of (await ds.list('IPAMBlock')).items) {
        assert.equal((b.spec.allocations as Array<number | null>).filter((x) => x !== null).length, 0, `${context}: ${b.spec.cidr} has allocations`);
      }
    } finally { await ds.close(); }
  }

  test('ADD/CHECK/DEL served: same pods as in-process (ping through proxy ARP, the article\'s routes), nothing left', async () => {
    const agent = await n.startAgent(NO_POLICY);
    try {
      const before = servedCount();
      const a = newPod(), b = newPod();
      const ra = await call('ADD', a), rb = await call('ADD', b);
      assert.equal(ra.code, 0, ra.stdout + ra.stderr);
      assert.equal(rb.code, 0, rb.stdout + rb.stderr);
      assert.equal(servedCount() - before, 2, `the agent served both ADDs:\n${n.agentLog()}`);
      assert.ok(logOf(a).some((l) => l.msg === 'ADD done' && l.servedBy === 'agent' && l.pid !== undefined), JSON.stringify(logOf(a)));
      const ipA = ra.json.ips[0].address.split('/')[0], ipB = rb.json.ips[0].address.split('/')[0];
      assert.match(ra.json.ips[0].address, /^10\.244\.\d+\.\d+\/32$/);
      assert.equal(ra.json.interfaces[1].sandbox, a.path);
      n.sh(a.ns, ['ping', '-c', '2', '-W', '2', ipB]);
      assert.deepEqual(n.sh(a.ns, ['ip', 'route']).trim().split('\n').map((l) => l.trim()), ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']);
      assert.match(n.sh(n.host, ['ip', 'route']), new RegExp(`${ipA.replace(/\./g, '\\.')} dev ${ra.json.interfaces[0].name} scope link`));

      const chk = await n.invoke({ command: 'CHECK', containerId: a.containerId, netns: a.path, cniArgs: n.k8sArgs('default', a.name), conf: { ...n.conf(), prevResult: ra.json } });
      assert.equal(chk.code, 0, chk.stdout + chk.stderr);
      // A CHECK that finds a difference fails the same way served as in-process.
      n.sh(a.ns, ['ip', 'route', 'del', 'default']);
      const bad = await n.invoke({ command: 'CHECK', containerId: a.containerId, netns: a.path, cniArgs: n.k8sArgs('default', a.name), conf: { ...n.conf(), prevResult: ra.json } });
      assert.notEqual(bad.code, 0);
      assert.match(bad.json.msg + JSON.stringify(bad.json.details ?? ''), /default via 169\.254\.1\.1/);

      for (const p of [a, b]) { const r = await call('DEL', p); assert.equal(r.code, 0, r.stdout + r.stderr); }
      assert.equal(servedCount() - before, 6);
      await assertNothingLeft('after served DELs');
      // Served invocations are counted in the agent's metrics and log.
      assert.match(n.agentLog(), /"command":"DEL".*"exitCode":0/);
    } finally { await n.stopAgent(agent); }
  });

  test('errors are the plugin\'s errors: bad netconf answered with its CNI code; an injected fault leaves nothing', async () => {
    const agent = await n.startAgent(NO_POLICY);
    try {
      const p = newPod();
      const r = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, conf: { ...n.conf(), mtu: 12 } });
      assert.equal(r.code, 1);
      assert.equal(r.json.code, 7, 'invalid network config');
      assert.match(r.json.msg, /netconf "mtu" must be 0 \(auto\) or an integer between 68 and 65535, got 12/);
      for (const step of ['veth', 'routes', 'wep']) {
        const q = newPod();
        const f = await call('ADD', q, { TABBY_CNI_TEST_FAULTS: '1', TABBY_CNI_FAULT: step });
        assert.equal(f.code, 1, `fault at ${step}: ${f.stdout}`);
        assert.match(f.json.msg, new RegExp(`injected fault at step "${step}"`));
        assert.ok(logOf(q).some((l) => l.servedBy === 'agent'), `the faulted ADD at ${step} was served`);
        await call('DEL', q);
      }
      await assertNothingLeft('after served faults');
    } finally { await n.stopAgent(agent); }
  });

  test('20 concurrent ADDs served: distinct addresses, all reachable; 20 concurrent DELs leave nothing', async () => {
    const agent = await n.startAgent(NO_POLICY);
    try {
      const pods = Array.from({ length: 20 }, () => newPod());
      const adds = await Promise.all(pods.map((p) => call('ADD', p)));
      for (const r of adds) assert.equal(r.code, 0, r.stdout + r.stderr);
      const ips = adds.map((r) => r.json.ips[0].address.split('/')[0]);
      assert.equal(new Set(ips).size, 20);
      n.sh(pods[0]!.ns, ['ping', '-c', '1', '-W', '2', ips[19]!]);
      const dels = await Promise.all(pods.map((p) => call('DEL', p)));
      for (const r of dels) assert.equal(r.code, 0, r.stdout + r.stderr);
      await assertNothingLeft('after concurrent served ADD/DEL');
    } finally { await n.stopAgent(agent); }
  });

  test('falls back to in-process: agent killed (stale socket), agent in another netns, TABBY_CNI_IN_PROCESS=1', async () => {
    // Killed: its socket stays; connecting is refused and the plugin quietly does the work itself.
    const agent = await n.startAgent(NO_POLICY);
    const a = newPod();
    const ra = await call('ADD', a);
    assert.equal(ra.code, 0);
    await n.stopAgent(agent, 'SIGKILL');
    const b = newPod();
    const rb = await call('ADD', b);
    assert.equal(rb.code, 0, rb.stdout + rb.stderr);
    assert.ok(logOf(b).some((l) => l.msg === 'ADD done' && l.servedBy === undefined), 'ADD ran in the plugin');
    n.sh(b.ns, ['ping', '-c', '1', '-W', '2', ra.json.ips[0].address.split('/')[0]]);
    // ADD again for an attachment that exists is refused in-process too (spec), leaving it working.
    assert.equal((await call('ADD', a)).json.code, 102);
    n.sh(b.ns, ['ping', '-c', '1', '-W', '2', ra.json.ips[0].address.split('/')[0]]);
    for (const p of [a, b]) assert.equal((await call('DEL', p)).code, 0);
    await assertNothingLeft('after fallback');

    // A server that is not in the plugin's network namespace (this test process is not in the host netns)
    // declines; the plugin says why in its log and runs the invocation itself.
    let ran = 0;
    const foreign = new CniServer({ socketPath: n.agentSocket, log: { info() {}, warn() {}, debug() {} }, run: async () => { ran++; return { stdout: '{}', exitCode: 0, stderr: '' }; } });
    assert.equal(await foreign.start(), true);
    try {
      const c = newPod();
      const rc = await call('ADD', c);
      assert.equal(rc.code, 0, rc.stdout + rc.stderr);
      assert.equal(ran, 0);
      assert.ok(logOf(c).some((l) => /did not serve/.test(l.msg) && /another network namespace/.test(l.reason)), JSON.stringify(logOf(c)));
      // Forced in-process: the server is not even asked.
      const d = newPod();
      assert.equal((await call('ADD', d, { TABBY_CNI_IN_PROCESS: '1' })).code, 0);
      assert.equal(foreign.served, 0);
      for (const p of [c, d]) assert.equal((await call('DEL', p)).code, 0);
    } finally { await foreign.close(); }
    await assertNothingLeft('after declined requests');
    assert.ok(!n.sh(n.host, ['ls', join(n.stateDir)]).includes('cni.sock'), 'the socket is removed on close');
  });
});

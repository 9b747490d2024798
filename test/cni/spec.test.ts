// CNI specification conformance of the plugin's dispatch (issue 22): verbs only in their versions, errors that
// carry a cniVersion, VERSION echoing the request, CNI_PATH where the spec requires it, ADD refusing an
// interface that exists, CHECK consulting prevResult's routes, and the result's routes being the ones created.
// In-memory datastore, real IPAM, recording fake dataplane: no root needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CniError } from '../../src/cni/errors.ts';
import { runPlugin } from '../../src/cni/plugin.ts';
import { runIpamPlugin } from '../../src/cni/ipam-plugin.ts';
import { silentLogger } from '../../src/cni/log.ts';
import { SUPPORTED_VERSIONS } from '../../src/cni/version.ts';

const NEWEST_VERSION = '1.1.0';
import { FakeDataplane, memoryBackend } from './fakes.ts';

const conf = (cniVersion = '1.0.0', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion, name: 'k8s-pod-network', type: 'calico', nodename: 'node-1', mtu: 1400, ipam: { type: 'calico-ipam' }, ...extra });
const env = (cmd: string, more: Record<string, string | undefined> = {}) => ({
  CNI_COMMAND: cmd, CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/c1', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web', ...more,
});
async function setup() {
  const be = await memoryBackend();
  const dp = new FakeDataplane();
  return { be, dp, d: { openBackend: be.open, dataplane: dp, log: silentLogger } };
}
const parsed = (o: { stdout: string }) => JSON.parse(o.stdout) as Record<string, unknown>;

describe('verbs only within their spec versions (code 1, as libcni skel)', () => {
  for (const [cmd, v] of [['CHECK', '0.3.1'], ['CHECK', '0.2.0'], ['STATUS', '1.0.0'], ['GC', '1.0.0'], ['GC', '0.4.0']] as const) {
    test(`${cmd} with cniVersion ${v} is refused`, async () => {
      const { d } = await setup();
      const extra = cmd === 'GC' ? { 'cni.dev/valid-attachments': [] } : cmd === 'CHECK' ? { prevResult: { cniVersion: v, ips: [] } } : {};
      for (const run of [runPlugin, runIpamPlugin]) {
        const out = await run(env(cmd), conf(v, extra), d);
        assert.equal(out.exitCode, 1, out.stdout);
        const e = parsed(out);
        assert.equal(e.code, 1);
        assert.equal(e.cniVersion, v);
        assert.equal(e.msg, `config version does not allow ${cmd}`);
      }
    });
  }
  test('STATUS and GC with 1.1.0 and CHECK with 0.4.0 are accepted', async () => {
    const { d } = await setup();
    assert.equal((await runPlugin(env('STATUS'), conf('1.1.0'), d)).exitCode, 0);
    assert.equal((await runPlugin(env('GC'), conf('1.1.0', { 'cni.dev/valid-attachments': [] }), d)).exitCode, 0);
    const add = await runPlugin(env('ADD'), conf('0.4.0'), d);
    const chk = await runPlugin(env('CHECK'), conf('0.4.0', { prevResult: parsed(add) }), d);
    assert.equal(chk.exitCode, 0, chk.stdout);
  });
});

describe('error results carry cniVersion', () => {
  const cases: Array<[string, Record<string, string | undefined>, string, number, string]> = [
    ['missing CNI_CONTAINERID', { CNI_CONTAINERID: undefined }, conf('0.4.0'), 4, '0.4.0'],
    ['bad CNI_COMMAND', { CNI_COMMAND: 'BOGUS' }, conf('1.0.0'), 4, '1.0.0'],
    ['unsupported version', {}, conf('9.9.9'), 1, NEWEST_VERSION],
    ['stdin not JSON', {}, '{nope', 6, NEWEST_VERSION],
    ['no name', {}, JSON.stringify({ cniVersion: '0.3.1', type: 'calico', ipam: { type: 'calico-ipam' } }), 7, '0.3.1'],
    ['no ipam', {}, JSON.stringify({ cniVersion: '1.1.0', name: 'n', type: 'calico' }), 7, '1.1.0'],
  ];
  for (const [what, more, stdin, code, version] of cases) {
    test(`${what}: code ${code}, cniVersion ${version}`, async () => {
      const { d } = await setup();
      for (const run of [runPlugin, runIpamPlugin]) {
        const out = await run(env('ADD', more), stdin, d);
        assert.equal(out.exitCode, 1);
        const e = parsed(out);
        assert.equal(e.code, code, out.stdout);
        assert.equal(e.cniVersion, version, out.stdout);
      }
    });
  }
});

describe('VERSION and CNI_PATH', () => {
  test('VERSION answers in the cniVersion sent; the newest without one', async () => {
    const { d } = await setup();
    for (const run of [runPlugin, runIpamPlugin]) {
      for (const v of ['0.4.0', '1.0.0', '1.1.0']) {
        assert.deepEqual(parsed(await run(env('VERSION'), JSON.stringify({ cniVersion: v }), d)), { cniVersion: v, supportedVersions: SUPPORTED_VERSIONS });
      }
      assert.equal(parsed(await run(env('VERSION'), '', d)).cniVersion, NEWEST_VERSION);
    }
  });
  test('ADD, CHECK and DEL work without CNI_PATH; GC requires it (code 4)', async () => {
    const { d } = await setup();
    const add = await runPlugin(env('ADD', { CNI_PATH: undefined }), conf('1.1.0'), d);
    assert.equal(add.exitCode, 0, add.stdout);
    assert.equal((await runPlugin(env('CHECK', { CNI_PATH: undefined }), conf('1.1.0', { prevResult: parsed(add) }), d)).exitCode, 0);
    assert.equal((await runPlugin(env('DEL', { CNI_PATH: undefined }), conf('1.1.0'), d)).exitCode, 0);
    const gc = await runPlugin(env('GC', { CNI_PATH: undefined }), conf('1.1.0', { 'cni.dev/valid-attachments': [] }), d);
    assert.equal(gc.exitCode, 1);
    assert.deepEqual(parsed(gc), { cniVersion: '1.1.0', code: 4, msg: 'required env variable CNI_PATH is missing' });
  });
});

describe('ADD results and repeated ADD', () => {
  test('routes are the ones created in the container (default via 169.254.1.1), not the pod /32', async () => {
    const { d } = await setup();
    const res = parsed(await runPlugin(env('ADD'), conf('1.0.0'), d));
    assert.deepEqual(res.routes, [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }]);
    const ipam = parsed(await runIpamPlugin(env('ADD', { CNI_CONTAINERID: 'c2' }), conf('1.0.0'), d));
    assert.equal(ipam.routes, undefined, 'calico-ipam returns addresses only');
  });
  test('ADD for a container ID + ifname whose interface exists fails and leaves the attachment alone', async () => {
    const { be, dp, d } = await setup();
    const first = parsed(await runPlugin(env('ADD'), conf('1.0.0'), d));
    const again = await runPlugin(env('ADD'), conf('1.0.0'), d);
    assert.equal(again.exitCode, 1);
    const e = parsed(again);
    assert.equal(e.code, 102);
    assert.match(String(e.msg), /interface "eth0" already exists in \/run\/netns\/c1/);
    // Nothing undone: same address still held, endpoint still there, interface not torn down.
    const handles = (await be.ds.list('IPAMHandle')).items.map((h) => h.metadata.name);
    assert.deepEqual(handles, ['k8s-pod-network.c1']);
    assert.ok(await be.ds.get('WorkloadEndpoint', 'node--1-k8s-web-eth0', 'default'));
    assert.ok(dp.containerIfs.has('/run/netns/c1 eth0'));
    assert.ok(!dp.calls.some((c) => c.startsWith('teardown')), dp.calls.join('; '));
    // After the runtime's DEL, ADD works again and gets an address.
    assert.equal((await runPlugin(env('DEL'), conf('1.0.0'), d)).exitCode, 0);
    const third = parsed(await runPlugin(env('ADD'), conf('1.0.0'), d));
    assert.equal((third.ips as unknown[]).length, (first.ips as unknown[]).length);
  });
  test('CHECK hands prevResult routes to the dataplane check', async () => {
    const { dp, d } = await setup();
    const add = parsed(await runPlugin(env('ADD'), conf('1.1.0'), d));
    const prev = { ...add, routes: [...(add.routes as object[]), { dst: '10.96.0.0/12', gw: '10.0.0.1' }] };
    assert.equal((await runPlugin(env('CHECK'), conf('1.1.0', { prevResult: prev }), d)).exitCode, 0);
    assert.deepEqual((dp.checked[0] as unknown as { routes: unknown }).routes, prev.routes);
  });
});

describe('STATUS and GC reach a delegated IPAM plugin (spec 1.1.0)', () => {
  test('both are forwarded with the same config; a delegate error is passed on', async () => {
    const { d } = await setup();
    const calls: string[] = [];
    let fail = false;
    const execDelegate = async (type: string, _env: unknown, command: string) => {
      calls.push(`${type} ${command}`);
      if (fail) throw new CniError(50, 'host-local: not available');
      return {};
    };
    const delegated = { ...d, execDelegate: execDelegate as never };
    const cfg = (extra: Record<string, unknown> = {}) => conf('1.1.0', { ipam: { type: 'host-local', subnet: '10.9.0.0/24' }, ...extra });
    assert.equal((await runPlugin(env('STATUS'), cfg(), delegated)).exitCode, 0);
    assert.equal((await runPlugin(env('GC'), cfg({ 'cni.dev/valid-attachments': [] }), delegated)).exitCode, 0);
    assert.deepEqual(calls, ['host-local STATUS', 'host-local GC']);
    fail = true;
    const st = await runPlugin(env('STATUS'), cfg(), delegated);
    assert.equal(st.exitCode, 1);
    assert.equal(parsed(st).code, 50);
  });
});

describe('an ADD the node agent may already have run', () => {
  test('converges over the existing interface (same address, one endpoint) instead of refusing', async () => {
    const { be, d } = await setup();
    const first = parsed(await runPlugin(env('ADD'), conf('1.0.0'), d));
    const resumed = await runPlugin(env('ADD'), conf('1.0.0'), { ...d, agentMayHaveRun: true });
    assert.equal(resumed.exitCode, 0, resumed.stdout);
    assert.deepEqual(parsed(resumed).ips, first.ips);
    assert.equal((await be.ds.list('WorkloadEndpoint')).items.length, 1);
    assert.equal((await be.ds.list('IPAMHandle')).items.length, 1);
  });
});

// Pure parts of the plugin (names, netconf/env parsing, node state, result formats) and the ADD/DEL/CHECK
// orchestration with an in-memory datastore, the real IPAM and a recording fake dataplane. No root needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION } from '../../src/api/resource.ts';
import { hostVethName, workloadEndpointName } from '../../src/cni/names.ts';
import { parseCniArgs, parseEnv, parseNetConf, resolveNodeState, type NetConf } from '../../src/cni/netconf.ts';
import { formatResult } from '../../src/cni/version.ts';
import { runPlugin } from '../../src/cni/plugin.ts';
import { silentLogger } from '../../src/cni/log.ts';
import type { FaultHook } from '../../src/cni/dataplane.ts';
import { FakeDataplane, memoryBackend } from './fakes.ts';
import { CniError } from '../../src/cni/errors.ts';

describe('names', () => {
  test('host veth: cali + 11 hex of sha1("<ns>.<pod>") (checked against sha1sum), container ID otherwise', () => {
    const expected = execFileSync('sh', ['-c', "printf '%s' 'kube-system.coredns-66bff467f8-52tkd' | sha1sum"], { encoding: 'utf8' }).slice(0, 11);
    const name = hostVethName({ orchestrator: 'k8s', namespace: 'kube-system', workload: 'coredns-66bff467f8-52tkd', containerId: 'x' });
    assert.equal(name, 'cali' + expected);
    assert.equal(name.length, 15);
    assert.equal(hostVethName({ orchestrator: 'cni', namespace: 'default', workload: 'abc', containerId: '0123456789abcdef' }), 'cali0123456789a');
    assert.match(hostVethName({ orchestrator: 'k8s', namespace: 'a', workload: 'b', containerId: 'x' }, 'tap,cali'), /^tap[0-9a-f]{11}$/);
  });
  test('WorkloadEndpoint name escapes dashes per segment (calico-behaviour.md §1.3 example)', () => {
    const id = { orchestrator: 'k8s' as const, namespace: 'default', workload: 'nginx-abc', node: 'node-1', containerId: 'c1', endpoint: 'eth0' };
    assert.equal(workloadEndpointName(id), 'node--1-k8s-nginx--abc-eth0');
    assert.equal(workloadEndpointName({ ...id, orchestrator: 'cni', containerId: 'abc-1' }), 'node--1-cni-abc--1-eth0');
  });
});

describe('netconf and environment', () => {
  const base = { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', ipam: { type: 'calico-ipam' } };
  test('unknown keys are ignored; the article conflist plugin parses', () => {
    const c = parseNetConf(JSON.stringify({ ...base, log_level: 'info', datastore_type: 'kubernetes', nodename: 'controlplane', mtu: 1440,
      policy: { type: 'k8s' }, kubernetes: { kubeconfig: '/etc/cni/net.d/calico-kubeconfig' }, something_new: [1] }), { needIpam: true });
    assert.equal(c.mtu, 1440);
    assert.equal(c.policy?.type, 'k8s');
  });
  test('bad input gets the spec code and names the problem', () => {
    const code = (f: () => unknown) => { try { f(); } catch (e) { return [(e as CniError).code, (e as Error).message]; } return undefined; };
    assert.equal(code(() => parseNetConf('{nope'))?.[0], 6);
    assert.deepEqual(code(() => parseNetConf(JSON.stringify({ ...base, name: '' }))), [7, 'netconf "name" is required']);
    assert.equal(code(() => parseNetConf(JSON.stringify({ ...base, cniVersion: '1.2.0' })))?.[0], 1);
    assert.equal(code(() => parseNetConf(JSON.stringify({ ...base, ipam: {} }), { needIpam: true }))?.[0], 7);
    assert.equal(code(() => parseNetConf(JSON.stringify({ ...base, ipam: { type: 'calico-ipam', ipv4_pools: '10.0.0.0/8' } })))?.[0], 7);
    assert.equal(code(() => parseNetConf(JSON.stringify({ ...base, datastore_type: 'consul' })))?.[0], 7);
    assert.equal(code(() => parseNetConf(JSON.stringify({ ...base, args: { tabby: { labels: { a: 1 } } } })))?.[0], 7);
    assert.deepEqual(code(() => parseEnv({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_IFNAME: 'eth0', CNI_PATH: '/x' })), [4, 'required env variable CNI_NETNS is missing']);
    assert.equal(code(() => parseEnv({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_NETNS: '/n', CNI_IFNAME: 'this-name-is-too-long', CNI_PATH: '/x' }))?.[0], 4);
    assert.equal(code(() => parseEnv({ CNI_COMMAND: 'FROB' }))?.[0], 4);
    assert.equal(code(() => parseCniArgs('K8S_POD_NAME'))?.[0], 4);
    // DEL needs no netns (the sandbox may be gone); VERSION needs nothing.
    assert.equal(parseEnv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c', CNI_IFNAME: 'eth0' }).netns, '');
    assert.equal(parseEnv({ CNI_COMMAND: 'VERSION' }).command, 'VERSION');
    assert.deepEqual(parseCniArgs('IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p'), { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'ns', K8S_POD_NAME: 'p' });
  });
  test('node state: netconf nodename wins over the file; MTU from netconf, else the agent file, else 1500', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabby-cni-unit-'));
    try {
      const conf = (o: Partial<NetConf>) => ({ cniVersion: '1.0.0', name: 'n', type: 'calico', ipam: { type: 'calico-ipam' }, state_dir: dir, ...o }) as NetConf;
      assert.throws(() => resolveNodeState(conf({})), /nodename: no such file/);
      assert.equal(resolveNodeState(conf({ nodename_file_optional: true, hostname: 'h1' })).nodename, 'h1');
      writeFileSync(join(dir, 'nodename'), 'node-from-file\n');
      assert.deepEqual(resolveNodeState(conf({})), { nodename: 'node-from-file', mtu: 1500, stateDir: dir });
      assert.equal(resolveNodeState(conf({ nodename: 'node-from-conf' })).nodename, 'node-from-conf');
      // The manifest placeholder is not a name.
      assert.equal(resolveNodeState(conf({ nodename: '__KUBERNETES_NODE_NAME__' })).nodename, 'node-from-file');
      writeFileSync(join(dir, 'mtu'), '1410\n');
      assert.equal(resolveNodeState(conf({ mtu: 0 })).mtu, 1410);
      assert.equal(resolveNodeState(conf({ mtu: 1300 })).mtu, 1300);
      writeFileSync(join(dir, 'mtu'), 'lots\n');
      assert.throws(() => resolveNodeState(conf({})), /invalid MTU "lots"/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('result formats', () => {
  const r = {
    interfaces: [{ name: 'cali1' }, { name: 'eth0', mac: '02:00:00:00:00:01', mtu: 1440, sandbox: '/run/netns/x' }],
    ips: [{ address: '10.0.0.5/32', interface: 1 }], routes: [{ dst: '10.0.0.5/32' }], dns: {},
  };
  test('0.2.0 legacy, 0.3.1/0.4.0 with ip version, 1.0.0 without, 1.1.0 with interface mtu', () => {
    assert.deepEqual(formatResult(r, '0.2.0'), { cniVersion: '0.2.0', ip4: { ip: '10.0.0.5/32', routes: [{ dst: '10.0.0.5/32' }] }, dns: {} });
    assert.deepEqual((formatResult(r, '0.3.1').ips as unknown[])[0], { version: '4', address: '10.0.0.5/32', interface: 1 });
    assert.deepEqual((formatResult(r, '1.0.0').ips as unknown[])[0], { address: '10.0.0.5/32', interface: 1 });
    assert.equal((formatResult(r, '1.0.0').interfaces as Array<{ mtu?: number }>)[1].mtu, undefined);
    assert.equal((formatResult(r, '1.1.0').interfaces as Array<{ mtu?: number }>)[1].mtu, 1440);
  });
});

// ---- orchestration with fakes ------------------------------------------------------------------------------

const conf = { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', nodename: 'node-1', mtu: 1400, ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' } };
const env = (cmd: string, id = 'c1') => ({
  CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: `/run/netns/${id}`, CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=nginx-abc',
});

describe('plugin orchestration (in-memory datastore, real IPAM, fake dataplane)', () => {
  test('ADD assigns, sets up and writes the endpoint; DEL undoes all; DEL again is fine', async () => {
    const be = await memoryBackend();
    const dp = new FakeDataplane();
    const deps = { openBackend: be.open, dataplane: dp, log: silentLogger };
    const add = await runPlugin(env('ADD'), JSON.stringify(conf), deps);
    assert.equal(add.exitCode, 0, add.stdout);
    const res = JSON.parse(add.stdout);
    assert.match(res.ips[0].address, /^10\.70\.\d+\.\d+\/32$/);
    const wep = await be.ds.get('WorkloadEndpoint', 'node--1-k8s-nginx--abc-eth0', 'default');
    assert.equal(wep?.spec.mac, '02:00:00:00:00:07');
    assert.equal((await be.ds.list('IPAMHandle')).items[0].metadata.name, 'k8s-pod-network.c1');
    for (let i = 0; i < 2; i++) {
      const del = await runPlugin(env('DEL'), JSON.stringify(conf), deps);
      assert.equal(del.exitCode, 0, del.stdout);
    }
    assert.equal(await be.ds.get('WorkloadEndpoint', 'node--1-k8s-nginx--abc-eth0', 'default'), undefined);
    assert.equal((await be.ds.list('IPAMHandle')).items.length, 0);
  });

  test('the pod\'s service account and named ports from args.tabby reach the WorkloadEndpoint (as Calico\'s pod conversion)', async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    const withArgs = { ...conf, args: { tabby: { labels: { app: 'api' }, serviceAccount: 'api-sa', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] } } };
    const add = await runPlugin(env('ADD'), JSON.stringify(withArgs), deps);
    assert.equal(add.exitCode, 0, add.stdout);
    const wep = await be.ds.get('WorkloadEndpoint', 'node--1-k8s-nginx--abc-eth0', 'default');
    assert.equal(wep?.spec.serviceAccountName, 'api-sa');
    assert.equal(wep?.metadata.labels?.['projectcalico.org/serviceaccount'], 'api-sa');
    assert.deepEqual(wep?.spec.profiles, ['kns.default', 'ksa.default.api-sa']);
    assert.deepEqual(wep?.spec.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
    const bad = await runPlugin(env('ADD', 'c2'), JSON.stringify({ ...conf, args: { tabby: { ports: [{ name: 'HTTP', port: 80, protocol: 'TCP' }] } } }), deps);
    assert.notEqual(bad.exitCode, 0);
    assert.equal(JSON.parse(bad.stdout).code, 7);
    assert.match(JSON.parse(bad.stdout).msg, /"args\.tabby\.ports\[0\]\.name" "HTTP" is not a port name/);
  });

  test('a fault at every step after IPAM releases the address, removes links and the endpoint', async () => {
    for (const step of ['ipam', 'veth', 'sysctl', 'link-up', 'address', 'routes', 'host-route', 'wep', 'result']) {
      const be = await memoryBackend();
      const dp = new FakeDataplane();
      const fault: FaultHook = (s) => { if (s === step) throw new CniError(999, `injected ${s}`); };
      const out = await runPlugin(env('ADD'), JSON.stringify(conf), { openBackend: be.open, dataplane: dp, log: silentLogger, fault });
      assert.equal(out.exitCode, 1);
      assert.deepEqual(JSON.parse(out.stdout), { cniVersion: '1.0.0', code: 999, msg: `injected ${step}` });
      assert.equal(dp.links.size, 0, `${step}: links left`);
      assert.equal((await be.ds.list('WorkloadEndpoint')).items.length, 0, `${step}: endpoint left`);
      assert.equal((await be.ds.list('IPAMHandle')).items.length, 0, `${step}: address left`);
    }
  });

  test("DEL from an old sandbox keeps the new sandbox's endpoint but releases its own address", async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    assert.equal((await runPlugin(env('ADD', 'old'), JSON.stringify(conf), deps)).exitCode, 0);
    assert.equal((await runPlugin(env('ADD', 'new'), JSON.stringify(conf), deps)).exitCode, 0);
    assert.equal((await runPlugin(env('DEL', 'old'), JSON.stringify(conf), deps)).exitCode, 0);
    const wep = await be.ds.get('WorkloadEndpoint', 'node--1-k8s-nginx--abc-eth0', 'default');
    assert.equal(wep?.spec.containerID, 'new');
    assert.deepEqual((await be.ds.list('IPAMHandle')).items.map((h) => h.metadata.name), ['k8s-pod-network.new']);
  });

  test('datastore unreachable → code 11; not ready → code 11 with Calico\'s message', async () => {
    const deps = {
      openBackend: async () => { throw new Error('connect ECONNREFUSED'); },
      dataplane: new FakeDataplane(), log: silentLogger,
    };
    const out = await runPlugin(env('ADD'), JSON.stringify(conf), deps);
    assert.equal(JSON.parse(out.stdout).code, 11);
    const be = await memoryBackend();
    await be.ds.create({ apiVersion: API_VERSION, kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { datastoreReady: false } });
    const nr = await runPlugin(env('ADD'), JSON.stringify(conf), { ...deps, openBackend: be.open });
    assert.deepEqual(JSON.parse(nr.stdout), { cniVersion: '1.0.0', code: 11, msg: 'Calico is currently not ready to process requests' });
  });
});

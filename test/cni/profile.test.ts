// The network Profile the plugin creates when the netconf has no policy handler (Calico's plugin.go,
// "Handle profile creation"). Without it, a podman container's endpoint names a profile that doesn't exist
// and the agent's default deny drops everything it sends and receives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlugin } from '../../src/cni/plugin.ts';
import { silentLogger } from '../../src/cni/log.ts';
import { networkProfile } from '../../src/cni/profile.ts';
import { FakeDataplane, memoryBackend } from './fakes.ts';

const baseConf = { cniVersion: '1.0.0', name: 'podnet', type: 'calico', nodename: 'node-1', mtu: 1400, ipam: { type: 'calico-ipam' } };
const env = (cmd: string, id: string, k8s: boolean) => ({
  CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: k8s ? `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-${id}` : '',
});

describe('the network profile', () => {
  test('a runtime without Kubernetes args: the profile allows egress, and ingress from the same network only', async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    const out = await runPlugin(env('ADD', 'c1', false), JSON.stringify(baseConf), deps);
    assert.equal(out.exitCode, 0, out.stdout);
    const wep = (await be.ds.list('WorkloadEndpoint')).items[0];
    assert.deepEqual(wep.spec.profiles, ['podnet']);
    const profile = await be.ds.get('Profile', 'podnet');
    assert.ok(profile, 'the network profile was created');
    assert.deepEqual(profile.spec, {
      ingress: [{ action: 'Allow', source: { selector: 'has(podnet)' } }],
      egress: [{ action: 'Allow' }],
      labelsToApply: { podnet: '' },
    });
  });

  test('a Kubernetes pod without a policy handler: ingress allowed from anywhere', async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    assert.equal((await runPlugin(env('ADD', 'c1', true), JSON.stringify(baseConf), deps)).exitCode, 0);
    assert.deepEqual((await be.ds.get('Profile', 'podnet'))?.spec.ingress, [{ action: 'Allow' }]);
  });

  test('a runtime without Kubernetes args under policy type k8s still gets its network profile (unlike Calico)', async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    const conf = { ...baseConf, policy: { type: 'k8s' } };
    assert.equal((await runPlugin(env('ADD', 'c1', false), JSON.stringify(conf), deps)).exitCode, 0);
    assert.deepEqual((await be.ds.list('WorkloadEndpoint')).items[0].spec.profiles, ['podnet']);
    assert.equal((await be.ds.get('Profile', 'podnet'))?.spec.ingress[0].source.selector, 'has(podnet)');
  });

  test('a Kubernetes pod under policy type k8s gets no network profile (kns./ksa. profiles come from the orchestrator)', async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    const conf = { ...baseConf, policy: { type: 'k8s' } };
    assert.equal((await runPlugin(env('ADD', 'c1', true), JSON.stringify(conf), deps)).exitCode, 0);
    assert.equal((await be.ds.list('Profile')).items.length, 0);
  });

  test('an existing profile is never updated, and DEL leaves it (it belongs to the network)', async () => {
    const be = await memoryBackend();
    const mine = networkProfile('podnet', 'cni');
    mine.spec = { ingress: [{ action: 'Deny' }], egress: [{ action: 'Allow' }] };
    await be.ds.create(mine);
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    assert.equal((await runPlugin(env('ADD', 'c1', false), JSON.stringify(baseConf), deps)).exitCode, 0);
    assert.equal((await runPlugin(env('DEL', 'c1', false), JSON.stringify(baseConf), deps)).exitCode, 0);
    assert.deepEqual((await be.ds.get('Profile', 'podnet'))?.spec.ingress, [{ action: 'Deny' }]);
  });

  test('concurrent first ADDs on one network all succeed and make one profile', async () => {
    const be = await memoryBackend();
    const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
    const outs = await Promise.all(['a', 'b', 'c', 'd'].map((id) => runPlugin(env('ADD', id, false), JSON.stringify(baseConf), deps)));
    for (const o of outs) assert.equal(o.exitCode, 0, o.stdout);
    assert.equal((await be.ds.list('Profile')).items.length, 1);
  });
});

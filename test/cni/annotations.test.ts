// Calico's IPAM pod annotations (cni-plugin/pkg/k8s/k8s.go) carried in CNI_ARGS, and pools'
// namespaceSelector on the namespace's labels (Profile kns.<ns>), through the plugin with the real IPAM,
// the in-memory datastore and a fake dataplane.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, type Resource } from '../../src/api/resource.ts';
import { runPlugin } from '../../src/cni/plugin.ts';
import { runIpamPlugin } from '../../src/cni/ipam-plugin.ts';
import { silentLogger } from '../../src/cni/log.ts';
import { parseEnv, parseNetConf } from '../../src/cni/netconf.ts';
import { podIpamRequest } from '../../src/cni/ipam-request.ts';
import { CniError } from '../../src/cni/errors.ts';
import { FakeDataplane, memoryBackend } from './fakes.ts';

const conf = { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', nodename: 'node-1', mtu: 1400, ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' } };
const POOLS = 'cni.projectcalico.org/ipv4pools';
const ADDRS = 'cni.projectcalico.org/ipAddrs';
const NO_IPAM = 'cni.projectcalico.org/ipAddrsNoIpam';

function env(cmd: string, id: string, annotations: Record<string, string> = {}, ns = 'default'): Record<string, string> {
  const extra = Object.entries(annotations).map(([k, v]) => `;${k}=${v}`).join('');
  return {
    CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: `/run/netns/${id}`, CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin',
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${ns};K8S_POD_NAME=pod-${id}${extra}`,
  };
}

const resource = (kind: string, name: string, spec: object): Resource => ({ apiVersion: API_VERSION, kind, metadata: { name }, spec });

async function setup() {
  const be = await memoryBackend(); // pool "pool" 10.70.0.0/16
  await be.ds.create(resource('IPPool', 'blue', { cidr: '10.71.0.0/24', nodeSelector: '!all()' }));
  await be.ds.create(resource('IPPool', 'team-a', { cidr: '10.72.0.0/24', namespaceSelector: "team == 'a'" }));
  await be.ds.create(resource('IPPool', 'tunnels', { cidr: '10.73.0.0/24', allowedUses: ['Tunnel'] }));
  await be.ds.create(resource('IPReservation', 'vip', { reservedCIDRs: ['10.70.5.5'] }));
  const deps = { openBackend: be.open, dataplane: new FakeDataplane(), log: silentLogger };
  const add = async (id: string, ann: Record<string, string> = {}, netconf: object = conf, ns = 'default') => {
    const out = await runPlugin(env('ADD', id, ann, ns), JSON.stringify(netconf), deps);
    const parsed = JSON.parse(out.stdout || '{}');
    return { code: out.exitCode, ip: parsed.ips?.[0]?.address as string | undefined, err: parsed as { code?: number; msg?: string } };
  };
  return { be, deps, add };
}

describe('pod annotations in CNI_ARGS', () => {
  test('ipv4pools picks the pool (by name or CIDR), ignoring its nodeSelector as Calico does', async () => {
    const { add } = await setup();
    assert.match((await add('c1', { [POOLS]: '["blue"]' })).ip!, /^10\.71\.0\.\d+\/32$/);
    assert.match((await add('c2', { [POOLS]: '["10.71.0.0/24"]' })).ip!, /^10\.71\.0\.\d+\/32$/);
    assert.match((await add('c3')).ip!, /^10\.70\./, 'without the annotation the pools selecting node and namespace');
    const missing = await add('c4', { [POOLS]: '["nope"]' });
    assert.equal(missing.code, 1);
    assert.match(missing.err.msg!, /the requested IP pool nope does not exist/);
    const tunnel = await add('c5', { [POOLS]: '["tunnels"]' });
    assert.match(tunnel.err.msg!, /the requested IP pool tunnels does not allow use Workload \(allowedUses: Tunnel\)/);
    const bad = await add('c6', { [POOLS]: 'blue' });
    assert.deepEqual([bad.err.code, bad.err.msg], [7, `failed to parse annotation "${POOLS}" value 'blue': must be a JSON list of IP pool names or CIDRs, e.g. ["pool-a"]`]);
  });

  test('ipAddrs assigns that address through IPAM (a reserved one too, as Calico\'s AssignIP), with Calico\'s errors', async () => {
    const { add, be } = await setup();
    assert.equal((await add('d1', { [ADDRS]: '["10.70.9.9"]' })).ip, '10.70.9.9/32');
    assert.equal((await add('d2', { [ADDRS]: '["10.70.5.5"]' })).ip, '10.70.5.5/32');
    const taken = await add('d3', { [ADDRS]: '["10.70.9.9"]' });
    assert.deepEqual([taken.err.code, taken.err.msg], [999, 'error getting IP from IPAM: failed to assign requested IP 10.70.9.9: 10.70.9.9 is already allocated (handle k8s-pod-network.d1)']);
    const outside = await add('d4', { [ADDRS]: '["192.0.2.1"]' });
    assert.equal(outside.err.msg, 'error getting IP from IPAM: failed to assign requested IP 192.0.2.1: 192.0.2.1 is not in any configured IP pool');
    const tunnelPool = await add('d5', { [ADDRS]: '["10.73.0.7"]' });
    assert.match(tunnelPool.err.msg!, /10\.73\.0\.7 is in IP pool tunnels, which is not allowed for use Workload/);
    assert.equal((await add('d6', { [ADDRS]: '[]' })).err.msg, `annotation "${ADDRS}" specified but empty`);
    assert.equal((await add('d7', { [ADDRS]: '["10.70.1.1","10.70.1.2"]' })).err.msg, `cannot have more than one IPv4 address for "${ADDRS}" annotation`);
    assert.equal((await add('d8', { [ADDRS]: '["10.70.1.999"]' })).err.msg, 'invalid IP format: 10.70.1.999');
    assert.match((await add('d9', { [ADDRS]: '10.70.1.1' })).err.msg!, /^failed to parse IPs 10\.70\.1\.1 for annotation "cni\.projectcalico\.org\/ipAddrs"/);
    const hostLocal = await add('d10', { [ADDRS]: '["10.70.1.1"]' }, { ...conf, ipam: { type: 'host-local' } });
    assert.equal(hostLocal.err.msg, 'ipAddrs is not compatible with configured IPAM: host-local');
    // Failed ADDs left nothing allocated.
    const handles = (await be.ds.list('IPAMHandle')).items.map((h) => h.metadata.name).sort();
    assert.deepEqual(handles, ['k8s-pod-network.d1', 'k8s-pod-network.d2']);
  });

  test('ipAddrsNoIpam needs feature_control.ip_addrs_no_ipam and bypasses IPAM; both annotations are refused', async () => {
    const { add, be, deps } = await setup();
    assert.equal((await add('e1', { [NO_IPAM]: '["198.51.100.7"]' })).err.msg, 'requested feature is not enabled: ip_addrs_no_ipam');
    const on = { ...conf, feature_control: { ip_addrs_no_ipam: true } };
    assert.equal((await add('e2', { [NO_IPAM]: '["198.51.100.7"]' }, on)).ip, '198.51.100.7/32');
    assert.equal((await be.ds.list('IPAMHandle')).items.length, 0, 'nothing allocated');
    const wep = (await be.ds.list('WorkloadEndpoint')).items.find((w) => (w.spec as { containerID?: string }).containerID === 'e2');
    assert.deepEqual((wep?.spec as { ipNetworks?: string[] }).ipNetworks, ['198.51.100.7/32']);
    const prevResult = { cniVersion: '1.0.0', interfaces: [{ name: 'x' }, { name: 'eth0', sandbox: '/run/netns/e2' }], ips: [{ address: '198.51.100.7/32', interface: 1 }] };
    const checked = await runPlugin(env('CHECK', 'e2', { [NO_IPAM]: '["198.51.100.7"]' }), JSON.stringify({ ...on, prevResult }), deps);
    assert.doesNotMatch(checked.stdout, /IPAM handle/, 'CHECK does not look for an allocation that IPAM never made');
    assert.equal((await add('e3', { [NO_IPAM]: '["198.51.100.8"]', [ADDRS]: '["10.70.1.1"]' }, on)).err.msg,
      "can't have both annotations: 'ipAddrs' and 'ipAddrsNoIpam' in use at the same time");
    assert.throws(() => parseNetConf(JSON.stringify({ ...conf, feature_control: { ip_addrs_no_ipam: 'yes' } })), /feature_control\.ip_addrs_no_ipam" must be true or false/);
  });

  test('the IPAM plugin alone ignores the annotations (Calico\'s main plugin applies them)', () => {
    const e = parseEnv(env('ADD', 'f1', { [POOLS]: '["blue"]' }));
    assert.deepEqual(podIpamRequest(e, parseNetConf(JSON.stringify(conf))), { kind: 'auto', pools: ['blue'] });
    assert.deepEqual(podIpamRequest(e, parseNetConf(JSON.stringify({ ...conf, ipam: { type: 'host-local' } }))), { kind: 'auto' });
    assert.throws(() => podIpamRequest(parseEnv(env('ADD', 'f2', { [ADDRS]: '["fd00::1"]' })), parseNetConf(JSON.stringify(conf))),
      (err: unknown) => err instanceof CniError && /IPv6 address fd00::1 is not supported/.test(err.message));
  });
});

describe('namespaceSelector', () => {
  test('selected on the labels of Profile kns.<namespace>, which is how Calico\'s datastore holds a Namespace', async () => {
    const { add, be, deps } = await setup();
    await be.ds.create({ apiVersion: API_VERSION, kind: 'Profile', metadata: { name: 'kns.shop' }, spec: { labelsToApply: { 'pcns.projectcalico.org/name': 'shop', 'pcns.team': 'a' } } });
    const pool = await be.ds.get('IPPool', 'pool');
    await be.ds.update({ ...pool!, spec: { ...pool!.spec, disabled: true } });
    assert.match((await add('g1', {}, conf, 'shop')).ip!, /^10\.72\.0\.\d+\/32$/, "the pool selecting team == 'a'");
    const none = await add('g2');
    assert.equal(none.code, 1);
    assert.match(none.err.msg!, /no IP pools are usable by node node-1 for Workload addresses: .*a namespaceSelector matching the namespace/);
    // The IPAM plugin run alone applies it too; kubernetes.io/metadata.name is there as the API server sets it.
    await be.ds.create(resource('IPPool', 'only-shop', { cidr: '10.74.0.0/24', namespaceSelector: "kubernetes.io/metadata.name == 'shop'" }));
    const team = await be.ds.get('IPPool', 'team-a');
    await be.ds.update({ ...team!, spec: { ...team!.spec, disabled: true } });
    const viaIpam = await runIpamPlugin(env('ADD', 'i1', {}, 'shop'), JSON.stringify(conf), { openBackend: deps.openBackend, log: silentLogger });
    assert.match(JSON.parse(viaIpam.stdout).ips[0].address, /^10\.74\.0\.\d+\/32$/);
    const other = await runIpamPlugin(env('ADD', 'i2', {}, 'default'), JSON.stringify(conf), { openBackend: deps.openBackend, log: silentLogger });
    assert.match(JSON.parse(other.stdout).msg, /no IP pools are usable by node node-1 for Workload addresses/);
  });
});

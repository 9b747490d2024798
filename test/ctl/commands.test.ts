// Issue #20 item 8, the calicoctl commands a Calico user reaches for: patch -t json|merge|strategic, get -o name,
// convert (v1 and Kubernetes NetworkPolicy → v3), node checksystem, and a wrong kind answered with the kinds
// and the nearest one. (node diags runs against a real namespace in node-diags.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { CtlHarness } from './helpers.ts';
import { checkSystem, type KernelView } from '../../src/ctl/node-checksystem.ts';

const POOL = 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p1}\nspec: {cidr: 10.1.0.0/16, natOutgoing: true, nodeSelector: all()}\n';

async function withPool(): Promise<CtlHarness> {
  const h = new CtlHarness();
  assert.equal((await h.run(['apply', '-f', '-'], POOL)).code, 0);
  return h;
}

describe('patch --type', () => {
  test('json (RFC 6902): replace, add, remove in one atomic patch', async () => {
    const h = await withPool();
    const r = await h.run(['patch', 'ippool', 'p1', '--type', 'json', '-p',
      '[{"op":"replace","path":"/spec/natOutgoing","value":false},{"op":"add","path":"/metadata/labels","value":{"zone":"a"}},{"op":"remove","path":"/spec/nodeSelector"}]']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Successfully patched 1 'IPPool' resource/);
    const p = (await h.ds.get('IPPool', 'p1'))!;
    assert.equal(p.spec.natOutgoing, false);
    assert.deepEqual(p.metadata.labels, { zone: 'a' });
  });
  test('json: a failing test op rejects the whole patch and names the operation', async () => {
    const h = await withPool();
    const r = await h.run(['patch', 'ippool', 'p1', '-t', 'json', '-p', '[{"op":"replace","path":"/spec/natOutgoing","value":false},{"op":"test","path":"/spec/cidr","value":"10.9.0.0/16"}]']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /operation 1 \(test \/spec\/cidr\): test failed/);
    assert.equal((await h.ds.get('IPPool', 'p1'))!.spec.natOutgoing, true, 'nothing changed');
    const missing = await h.run(['patch', 'ippool', 'p1', '-t', 'json', '-p', '[{"op":"remove","path":"/spec/nope"}]']);
    assert.match(missing.stderr, /operation 0 \(remove \/spec\/nope\): path does not exist/);
  });
  test('merge (RFC 7386) and strategic ($patch: delete) ', async () => {
    const h = await withPool();
    assert.equal((await h.run(['patch', 'ippool', 'p1', '-t', 'merge', '-p', '{"spec":{"natOutgoing":false}}'])).code, 0);
    assert.equal((await h.ds.get('IPPool', 'p1'))!.spec.natOutgoing, false);
    assert.equal((await h.run(['patch', 'ippool', 'p1', '-p', '{"metadata":{"labels":{"a":"b"}}}'])).code, 0);
    const r = await h.run(['patch', 'ippool', 'p1', '-t', 'strategic', '-p', '{"metadata":{"labels":{"$patch":"delete"}}}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await h.ds.get('IPPool', 'p1'))!.metadata.labels, undefined);
  });
  test('an unknown type is a usage error', async () => {
    const r = await (await withPool()).run(['patch', 'ippool', 'p1', '-t', 'xml', '-p', '{}']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown patch type 'xml' \(want strategic, merge or json\)/);
  });
});

test('get -o name prints kind.group/name, one per line, as kubectl does', async () => {
  const h = await withPool();
  await h.run(['apply', '-f', '-'], POOL.replace(/p1/, 'p2').replace('10.1.0.0', '10.2.0.0'));
  const r = await h.run(['get', 'ippools', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ippool.projectcalico.org/p1\nippool.projectcalico.org/p2\n');
});

describe('a wrong kind lists the kinds and suggests the nearest', () => {
  test('a typo gets a suggestion', async () => {
    const r = await new CtlHarness().run(['get', 'ippol']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /resource type 'ippol' is not supported\. Did you mean 'IPPool'\? Supported types: IPPool, Node, BGPConfiguration, BGPPeer, /);
    assert.match((await new CtlHarness().run(['get', 'bgppeerz'])).stderr, /Did you mean 'BGPPeer'\?/);
    assert.match((await new CtlHarness().run(['delete', 'networkpolicie', 'x'])).stderr, /Did you mean 'NetworkPolicy'\?/);
  });
  test('something unlike any kind gets only the list; a file with a bad kind too', async () => {
    const r = await new CtlHarness().run(['get', 'gizmos']);
    assert.doesNotMatch(r.stderr, /Did you mean/);
    assert.match(r.stderr, /Supported types: .*GlobalNetworkPolicy.*IPAMConfiguration/);
    const f = await new CtlHarness().run(['apply', '-f', '-'], POOL.replace('kind: IPPool', 'kind: IPPoool'));
    assert.equal(f.code, 2);
    assert.match(f.stderr, /resource type 'IPPoool' is not supported\. Did you mean 'IPPool'\?/);
  });
});

describe('convert', () => {
  test('a v1 policy and a Kubernetes NetworkPolicy in one file: v3 YAML, nothing written', async () => {
    const h = new CtlHarness();
    const input = `apiVersion: v1
kind: policy
metadata: {name: allow-tcp-6379}
spec:
  selector: role == 'database'
  ingress:
  - action: allow
    protocol: tcp
    source: {selector: role == 'frontend'}
    destination: {ports: [6379]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: lb}}}]
`;
    const r = await h.run(['convert', '-f', '-'], input);
    assert.equal(r.code, 0, r.stderr);
    const list = YAML.parse(r.stdout);
    assert.equal(list.kind, 'List');
    const [gnp, knp] = list.items;
    assert.equal(gnp.kind, 'GlobalNetworkPolicy');
    assert.equal(gnp.metadata.name, 'default.allow-tcp-6379');
    assert.equal(gnp.spec.ingress[0].protocol, 'TCP');
    assert.equal(knp.kind, 'NetworkPolicy');
    assert.equal(knp.metadata.name, 'knp.default.web');
    assert.equal(knp.metadata.namespace, 'shop');
    assert.equal(knp.spec.order, 1000);
    assert.equal(knp.spec.selector, "projectcalico.org/orchestrator == 'k8s' && app == 'web'");
    assert.equal((await h.ds.list('GlobalNetworkPolicy')).items.length, 0);
  });
  test('-o json, and an unconvertible document is a usage error naming it', async () => {
    const h = new CtlHarness();
    const ok = await h.run(['convert', '-f', '-', '-o', 'json'], 'apiVersion: v1\nkind: ipPool\nmetadata: {cidr: 10.5.0.0/16}\nspec: {}\n');
    assert.equal(JSON.parse(ok.stdout).metadata.name, '10-5-0-0-16');
    const bad = await h.run(['convert', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /stdin \(document 1\): cannot convert apiVersion "apps\/v1", kind "Deployment"/);
  });
  test('a converted resource that does not validate is refused unless --ignore-validation', async () => {
    const h = new CtlHarness();
    const v1 = 'apiVersion: v1\nkind: policy\nmetadata: {name: p}\nspec: {selector: "role == ("}\n';
    const r = await h.run(['convert', '-f', '-'], v1);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Converted manifest resource\(s\) failed validation: .*Re-run the command with '--ignore-validation'/s);
    assert.equal((await h.run(['convert', '-f', '-', '--ignore-validation'], v1)).code, 0);
  });
});

describe('node checksystem', () => {
  const view = (over: Partial<KernelView>): KernelView => ({
    release: '6.1.0-18-amd64', configPath: '', config: '', loaded: '',
    modulesDep: ['veth', 'nf_tables', 'nf_conntrack', 'nft_ct', 'nft_masq', 'vxlan', 'ipip', 'tun', 'sch_ingress', 'cls_bpf']
      .map((m) => `kernel/net/${m}.ko.xz: kernel/x.ko.xz\n`).join(''),
    modulesBuiltin: '', ...over,
  });
  test('everything present: calicoctl\'s layout, and the success line', () => {
    const r = checkSystem(view({}));
    assert.ok(r.ok);
    assert.match(r.text, /^Checking kernel version\.\.\.\n\t\t6\.1\.0-18-amd64 {6}\t\t\t\t\tOK\nChecking kernel modules\.\.\.\n/);
    assert.match(r.text, /\t\tvxlan {15}\t\t\t\t\tOK\n/);
    assert.match(r.text, /System meets minimum system requirements to run Tabby!\n$/);
  });
  test('no ipip module: the eBPF fallback counts when tun, sch_ingress and cls_bpf are there', () => {
    const r = checkSystem(view({ modulesDep: view({}).modulesDep.replace(/.*\/ipip\.ko.*\n/, '') }));
    assert.ok(r.ok);
    assert.match(r.text, /IPIP mode will encapsulate with tc eBPF/);
    assert.match(r.text, /\t\tipip {16}\t\t\t\t\tOK \(eBPF\)/);
    const noBpf = checkSystem(view({ modulesDep: view({}).modulesDep.replace(/.*\/(ipip|cls_bpf)\.ko.*\n/g, '') }));
    assert.ok(!noBpf.ok);
    assert.match(noBpf.text, /the eBPF fallback lacks cls_bpf/);
  });
  test('missing vxlan (builtin, loaded and config also checked) fails; an old kernel fails', () => {
    const noVxlan = view({ modulesDep: view({}).modulesDep.replace(/.*\/vxlan\.ko.*\n/, '') });
    assert.ok(!checkSystem(noVxlan).ok);
    assert.match(checkSystem(noVxlan).text, /WARNING: Unable to detect the vxlan module/);
    assert.ok(checkSystem({ ...noVxlan, modulesBuiltin: 'kernel/drivers/net/vxlan/vxlan.ko\n' }).ok);
    assert.ok(checkSystem({ ...noVxlan, loaded: 'vxlan 98304 0 - Live 0x0\n' }).ok);
    assert.ok(checkSystem({ ...noVxlan, config: 'CONFIG_VXLAN=m\n' }).ok);
    assert.match(checkSystem(view({ release: '3.10.0' })).text, /Minimum kernel version to run Tabby is 4\.1/);
  });
  test('the command on this machine prints the checks and exits by the verdict', async () => {
    const r = await new CtlHarness().run(['node', 'checksystem']);
    assert.match(r.stdout, /Checking kernel modules\.\.\./);
    assert.equal(r.code, /System meets minimum/.test(r.stdout) ? 0 : 1, r.stdout + r.stderr);
  });
});

test('lab up takes calicoctl\'s datastore name etcdv3, and says so when given another', { skip: process.getuid?.() !== 0 ? 'lab commands need root' : false }, async () => {
  const r = await new CtlHarness().run(['lab', 'up', '--name', 'x', '--datastore', 'etcd3']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--datastore must be embedded or etcdv3, got "etcd3"/);
});

// The lab's pure parts: topology plan, scheduling, names, labels, the CNI runner's config handling, the
// demo's route matching. No root needed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fabricMac, fabricNeighbours, modeEnv, nodeAddress, nodeNames, planTopology, validateLabName, type LabOptions } from '../../src/lab/topology.ts';
import { attachment, formatAge, parseLabels, parsePortSpecs, schedule, table, templateHash, validateServiceAccount } from '../../src/lab/pods.ts';
import {
  CniRuntime, formatCniArgs, loadNetworkConfig, parseNetworkConfig, pluginConfig, resultIPv4, versionAtLeast,
} from '../../src/lab/cni-runtime.ts';
import { namespaceProfile, parseResourceList, workloadLabels } from '../../src/lab/datastore-client.ts';
import { blockRoute, ipInCidr } from '../../src/lab/demo.ts';
import { LAB_ROOT, labDir, pidAlive } from '../../src/lab/state.ts';
import { spawn } from 'node:child_process';

const base: LabOptions = { name: 'tbx', nodes: 2, mode: 'ipip', datastore: 'embedded', subnets: 1, podCidr: '192.168.0.0/16' };

describe('topology plan', () => {
  test('nodes and addresses follow the article', () => {
    assert.deepEqual(nodeNames(3), ['controlplane', 'node01', 'node02']);
    const p = planTopology(base);
    assert.deepEqual(p.nodes.map((n) => [n.name, n.ns, n.ip, n.gateway]), [
      ['controlplane', 'tbx-controlplane', '172.17.0.32', '172.17.0.1'],
      ['node01', 'tbx-node01', '172.17.0.40', '172.17.0.1'],
    ]);
    // every namespace carries the lab's prefix
    for (const v of p.veths) for (const end of [v.a, v.b]) assert.ok(end.ns.startsWith('tbx-'), end.ns);
    // every node has a default route via the gateway on ens3 (proxy ARP for 169.254.1.1 needs it)
    for (const n of p.nodes) {
      assert.ok(p.routes.some((r) => r.ns === n.ns && r.args.join(' ') === 'default via 172.17.0.1 dev ens3'));
    }
    // the external host routes back through the router
    assert.ok(p.routes.some((r) => r.ns === 'tbx-external' && r.args[0] === 'default'));
  });

  test('20 nodes get distinct addresses and interface names fit IFNAMSIZ', () => {
    const p = planTopology({ ...base, nodes: 20 });
    const ips = new Set(p.nodes.map((n) => n.ip));
    assert.equal(ips.size, 20);
    assert.equal(p.nodes[19]!.name, 'node19');
    for (const v of p.veths) for (const end of [v.a, v.b]) assert.ok(end.ifname.length <= 15, end.ifname);
  });

  test('two subnets: nodes alternate, each with its own gateway on the router', () => {
    const p = planTopology({ ...base, nodes: 4, subnets: 2 });
    assert.deepEqual(p.nodes.map((n) => `${n.ip}/${n.prefixLen} gw ${n.gateway}`), [
      '172.17.0.32/24 gw 172.17.0.1', '172.17.1.40/24 gw 172.17.1.1', '172.17.0.41/24 gw 172.17.0.1', '172.17.1.41/24 gw 172.17.1.1',
    ]);
    assert.deepEqual(p.bridges, ['br0', 'br1']);
    const routerLegs = p.veths.filter((v) => v.a.ns === 'tbx-router' && 'address' in v.a).map((v) => (v.a as any).address);
    assert.ok(routerLegs.includes('172.17.0.1/24') && routerLegs.includes('172.17.1.1/24'));
    assert.equal(nodeAddress(0, 2).subnet, 0);
  });

  test('bad options are rejected with a clear message', () => {
    assert.throws(() => planTopology({ ...base, nodes: 0 }), /--nodes must be/);
    assert.throws(() => planTopology({ ...base, mode: 'gre' as any }), /--mode must be one of/);
    assert.throws(() => planTopology({ ...base, subnets: 3 as any }), /--subnets must be 1 or 2/);
    assert.throws(() => validateLabName('Bad_Name'), /invalid lab name/);
    assert.throws(() => validateLabName('-x'), /invalid lab name/);
    // a lab name can never reach outside the labs' root (lab down removes the lab's directory)
    for (const bad of ['..', '../x', 'a/b', '.']) assert.throws(() => labDir(bad), /invalid lab name/);
    assert.equal(labDir('tb12'), path.join(LAB_ROOT, 'tb12'));
  });

  test('modes map to the calico-node env', () => {
    assert.deepEqual(modeEnv('ipip'), { ipip: 'Always', vxlan: 'Never', backend: 'bird' });
    assert.deepEqual(modeEnv('vxlan'), { ipip: 'Never', vxlan: 'Always', backend: 'vxlan' });
    assert.deepEqual(modeEnv('none'), { ipip: 'Never', vxlan: 'Never', backend: 'bird' });
    assert.equal(modeEnv('ipip-crosssubnet').ipip, 'CrossSubnet');
    assert.equal(modeEnv('vxlan-crosssubnet').vxlan, 'CrossSubnet');
  });
});

describe('pods', () => {
  test('scheduler spreads replicas over the least-loaded nodes', () => {
    assert.deepEqual(schedule(['cp', 'n1'], new Map(), 2), ['cp', 'n1']);
    assert.deepEqual(schedule(['cp', 'n1', 'n2'], new Map([['cp', 2], ['n1', 1]]), 3), ['n2', 'n1', 'n2']);
    const spread = schedule(['a', 'b', 'c', 'd'], new Map(), 40);
    for (const n of ['a', 'b', 'c', 'd']) assert.equal(spread.filter((x) => x === n).length, 10);
  });

  test('labels parse like kubectl (k=v sets, k- removes) and bad ones are named', () => {
    assert.deepEqual(parseLabels(['app=web,tier=fe', 'env=prod', 'old-']), { set: { app: 'web', tier: 'fe', env: 'prod' }, remove: ['old'] });
    assert.deepEqual(parseLabels(['example.com/team=a']).set, { 'example.com/team': 'a' });
    assert.throws(() => parseLabels(['novalue']), /invalid label "novalue"/);
    assert.throws(() => parseLabels(['a=b c']), /invalid label value/);
  });

  test('--port NAME:PORT/PROTO and --service-account parse like Kubernetes names them, and reach the CNI args', () => {
    assert.deepEqual(parsePortSpecs(['http:8080/tcp', 'dns:53/UDP', 'metrics:9100']), [
      { name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
    assert.throws(() => parsePortSpecs(['http']), /expected NAME:PORT\/PROTO/);
    assert.throws(() => parsePortSpecs(['Http:80/TCP']), /port name "Http"/);
    assert.throws(() => parsePortSpecs(['8080:80/TCP']), /at least one letter/);
    assert.throws(() => parsePortSpecs(['http:70000/TCP']), /70000 is not 1-65535/);
    assert.throws(() => parsePortSpecs(['http:80/ICMP']), /protocol "ICMP"/);
    assert.throws(() => parsePortSpecs(['http:80/TCP', 'http:81/TCP']), /given twice/);
    validateServiceAccount('api-sa');
    assert.throws(() => validateServiceAccount('API'), /invalid service account "API"/);
    const pod = { name: 'p', namespace: 'default', app: 'a', node: 'n', netns: 'x-p', containerId: 'c', uid: 'u', labels: { app: 'a' }, status: 'Running' as const, createdAt: '', serviceAccount: 'api-sa', ports: [{ name: 'http', port: 8080, protocol: 'TCP' as const }] };
    assert.deepEqual(attachment(pod).confArgs!.tabby, { labels: { app: 'a' }, serviceAccount: 'api-sa', ports: pod.ports });
    const { serviceAccount: _sa, ports: _p, ...plain } = pod;
    assert.deepEqual(attachment(plain).confArgs!.tabby, { labels: { app: 'a' }, serviceAccount: 'default' });
  });

  test('template hash is stable and uses the safe alphabet', () => {
    const h = templateHash('busybox', 'default', { app: 'busybox' });
    assert.equal(h, templateHash('busybox', 'default', { app: 'busybox' }));
    assert.notEqual(h, templateHash('busybox', 'other', { app: 'busybox' }));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  test('ages and tables print like kubectl', () => {
    assert.equal(formatAge(6_000), '6s');
    assert.equal(formatAge(425_000), '7m5s');
    assert.equal(formatAge(30 * 60_000), '30m');
    assert.equal(table([['NAME', 'IP'], ['a', '1.2.3.4']]), 'NAME   IP\na      1.2.3.4\n');
  });

  test('namespace Profile is Calico\'s kns.<ns>', () => {
    assert.deepEqual(namespaceProfile('prod', { team: 'a' }), {
      apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'kns.prod' },
      spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }], labelsToApply: { 'pcns.projectcalico.org/name': 'prod', 'pcns.team': 'a' } },
    });
  });

  test('WorkloadEndpoint labels: pod labels replace old ones, Calico\'s stay', () => {
    const got = workloadLabels('default', { app: 'b' }, { app: 'a', gone: 'x', 'projectcalico.org/serviceaccount': 'sa1' });
    assert.deepEqual(got, {
      app: 'b', 'projectcalico.org/namespace': 'default', 'projectcalico.org/orchestrator': 'k8s', 'projectcalico.org/serviceaccount': 'sa1',
    });
  });

  test('calicoctl output parses as a list in every shape', () => {
    const list = 'apiVersion: projectcalico.org/v3\nitems:\n- kind: WorkloadEndpoint\n  metadata: {name: a}\nkind: WorkloadEndpointList\n';
    assert.deepEqual(parseResourceList(list).map((r) => r.metadata.name), ['a']);
    assert.deepEqual(parseResourceList('kind: Profile\nmetadata: {name: x}\n---\nkind: Profile\nmetadata: {name: y}\n').map((r) => r.metadata.name), ['x', 'y']);
    assert.deepEqual(parseResourceList(''), []);
  });
});

describe('CNI runtime (libcni-like)', () => {
  const conflist = {
    name: 'k8s-pod-network', cniVersion: '1.0.0',
    plugins: [{ type: 'calico', ipam: { type: 'calico-ipam' } }, { type: 'portmap', capabilities: { portMappings: true } }],
  };

  test('picks the first config in lexical order and validates it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabby-cni-'));
    try {
      assert.throws(() => loadNetworkConfig(dir), /no CNI network config/);
      fs.writeFileSync(path.join(dir, '20-other.conflist'), JSON.stringify({ ...conflist, name: 'other' }));
      fs.writeFileSync(path.join(dir, '10-calico.conflist'), JSON.stringify(conflist));
      const l = loadNetworkConfig(dir);
      assert.equal(l.name, 'k8s-pod-network');
      assert.deepEqual(l.plugins.map((p) => p.type), ['calico', 'portmap']);
      fs.writeFileSync(path.join(dir, '05-bad.conf'), '{nope');
      assert.throws(() => loadNetworkConfig(dir), /05-bad.conf is not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => parseNetworkConfig({ name: 'x', plugins: [{}] }, 'f'), /plugin 0 has no "type"/);
    assert.throws(() => parseNetworkConfig({ name: 'x', plugins: [{ type: '../evil' }] }, 'f'), /bare executable name/);
    // a single-plugin .conf is wrapped into a list; missing cniVersion means 0.2.0
    const single = parseNetworkConfig({ name: 'n', type: 'ptp', ipam: {} }, 'f');
    assert.equal(single.cniVersion, '0.2.0');
    assert.deepEqual(single.plugins, [{ type: 'ptp', ipam: {} }]);
  });

  test('each plugin gets name, cniVersion, prevResult and only the runtimeConfig it declares', () => {
    const l = parseNetworkConfig(conflist, 'f');
    const att = {
      containerId: 'c1', netnsPath: '/run/netns/p', ifname: 'eth0', args: {},
      capabilityArgs: { portMappings: [{ hostPort: 80 }], bandwidth: { rate: 1 } }, confArgs: { tabby: { labels: { app: 'x' } } },
    };
    const first = pluginConfig(l, l.plugins[0]!, att);
    assert.equal(first.name, 'k8s-pod-network');
    assert.equal(first.prevResult, undefined);
    assert.equal(first.runtimeConfig, undefined);
    assert.deepEqual(first.args, { tabby: { labels: { app: 'x' } } });
    const prev = { ips: [{ address: '192.168.1.2/32' }] };
    const second = pluginConfig(l, l.plugins[1]!, att, prev);
    assert.deepEqual(second.prevResult, prev);
    assert.deepEqual(second.runtimeConfig, { portMappings: [{ hostPort: 80 }] });
  });

  test('CNI_ARGS, versions, results', () => {
    assert.equal(formatCniArgs({ K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'p' }), 'K8S_POD_NAMESPACE=default;K8S_POD_NAME=p');
    assert.throws(() => formatCniArgs({ A: 'x;y' }), /may not contain ';'/);
    assert.ok(versionAtLeast('1.0.0', '0.4.0'));
    assert.ok(!versionAtLeast('0.3.1', '0.4.0'));
    assert.equal(resultIPv4({ ips: [{ address: 'fd00::1/128' }, { address: '192.168.49.66/32' }] }), '192.168.49.66');
    assert.equal(resultIPv4({ ip4: { ip: '10.0.0.2/24' } } as any), '10.0.0.2');
  });

  test('plugins run in order with prevResult; errors carry the CNI error JSON; DEL runs in reverse', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabby-cni-'));
    try {
      const bin = path.join(dir, 'bin');
      const conf = path.join(dir, 'net.d');
      fs.mkdirSync(bin);
      fs.mkdirSync(conf);
      const calls = path.join(dir, 'calls');
      // Fake plugins record what a real runtime hands them (env + stdin) and answer like CNI plugins.
      const script = (name: string, body: string) => {
        fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nin=$(cat)\necho "${name} $CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME $CNI_NETNS $CNI_ARGS $in" >> ${calls}\n${body}\n`, { mode: 0o755 });
      };
      script('first', `echo '{"cniVersion":"1.0.0","ips":[{"address":"192.168.9.9/32"}]}'`);
      script('second', `case "$in" in *prevResult*192.168.9.9*) echo "$in" | sed 's/.*"prevResult"://; s/}$//' ;; *) echo '{"code":7,"msg":"no prevResult"}'; exit 1 ;; esac`);
      fs.writeFileSync(path.join(conf, '10-test.conflist'), JSON.stringify({ name: 'net', cniVersion: '1.0.0', plugins: [{ type: 'first' }, { type: 'second' }] }));
      const rt = new CniRuntime({ confDir: conf, binDirs: [bin], cacheDir: path.join(dir, 'cache') });
      const att = { containerId: 'abc', netnsPath: '/run/netns/x', ifname: 'eth0', args: { K8S_POD_NAME: 'p1' } };
      const r = await rt.add(att);
      assert.equal(resultIPv4(r), '192.168.9.9');
      await rt.del(att);
      const lines = fs.readFileSync(calls, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 6).join(' '));
      assert.deepEqual(lines, [
        'first ADD abc eth0 /run/netns/x K8S_POD_NAME=p1',
        'second ADD abc eth0 /run/netns/x K8S_POD_NAME=p1',
        'second DEL abc eth0 /run/netns/x K8S_POD_NAME=p1',
        'first DEL abc eth0 /run/netns/x K8S_POD_NAME=p1',
      ]);
      // a plugin's CNI error JSON becomes the error message
      script('first', `echo '{"cniVersion":"1.0.0","code":11,"msg":"try again later","details":"busy"}'; exit 1`);
      await assert.rejects(rt.add(att), /CNI plugin first ADD failed \(code 11\): try again later \(busy\)/);
      fs.writeFileSync(path.join(conf, '10-test.conflist'), JSON.stringify({ name: 'net', cniVersion: '1.0.0', plugins: [{ type: 'missing' }] }));
      await assert.rejects(rt.add(att), /failed to find plugin "missing"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('demo route matching', () => {
  test('finds the block route holding a pod IP', () => {
    const routes = [
      'default via 172.17.0.1 dev ens3',
      'blackhole 192.168.49.64/26 proto bird',
      '192.168.49.66 dev cali9861acf9f07 scope link',
      '192.168.196.128/26 via 172.17.0.40 dev tunl0 proto bird onlink',
    ].join('\n');
    assert.ok(ipInCidr('192.168.196.131', '192.168.196.128/26'));
    assert.ok(!ipInCidr('192.168.196.200', '192.168.196.128/26'));
    assert.equal(blockRoute(routes, '192.168.49.66', /^blackhole (\S+) proto bird/), 'blackhole 192.168.49.64/26 proto bird');
    assert.equal(blockRoute(routes, '192.168.196.131', /^(\S+) via 172\.17\.0\.40 dev tunl0 proto bird onlink/), '192.168.196.128/26 via 172.17.0.40 dev tunl0 proto bird onlink');
    assert.equal(blockRoute(routes, '192.168.50.1', /^blackhole (\S+) proto bird/), undefined);
  });
});

describe('pidAlive', () => {
  test('a killed child not yet reaped (a zombie) counts as dead', () => {
    const child = spawn('sleep', ['100'], { stdio: 'ignore' });
    assert.equal(pidAlive(child.pid!), true);
    process.kill(child.pid!, 'SIGKILL');
    // Synchronously, so this process's event loop cannot reap it in between: until then it is a zombie.
    const until = Date.now() + 5000;
    while (!fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').includes(') Z') && Date.now() < until) { /* wait for the kernel */ }
    assert.match(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8'), /\) Z /, 'it is a zombie now');
    assert.equal(pidAlive(child.pid!), false);
    assert.equal(pidAlive(0), false);
  });
});

describe('static ARP on the fabric (the machine-wide neighbour table cannot hold a 50-node mesh)', () => {
  test('every addressed end on a bridge knows every other one on that bridge, by a MAC derived from its IP', () => {
    const plan = planTopology({ ...base, nodes: 50 });
    const n = fabricNeighbours(plan);
    // 50 nodes and the router's leg on one bridge: 51·50 entries; nothing for the router's WAN link.
    assert.equal(n.length, 51 * 50);
    assert.ok(n.some((e) => e.ns === 'tbx-node49' && e.dev === 'ens3' && e.ip === '172.17.0.40' && e.mac === '02:00:ac:11:00:28'));
    assert.ok(n.some((e) => e.ns === 'tbx-controlplane' && e.ip === '172.17.0.1' && e.mac === fabricMac('172.17.0.1/16')));
    assert.ok(!n.some((e) => e.ip === '203.0.113.10' || e.ns === 'tbx-external'));
    assert.equal(new Set(n.map((e) => `${e.ns} ${e.ip}`)).size, n.length, 'one entry per (namespace, neighbour)');
  });

  test('two subnets: neighbours only within a bridge; MACs are unique per address', () => {
    const plan = planTopology({ ...base, nodes: 4, subnets: 2 });
    const n = fabricNeighbours(plan);
    const ipOf = new Map(plan.nodes.map((x) => [x.ns, x.ip]));
    for (const e of n) {
      const mine = ipOf.get(e.ns);
      if (mine) assert.equal(mine.split('.')[2], e.ip.split('.')[2], `${e.ns} (${mine}) learns ${e.ip} only on its own subnet`);
    }
    const macs = new Map(n.map((e) => [e.ip, e.mac]));
    assert.equal(new Set(macs.values()).size, macs.size);
  });
});

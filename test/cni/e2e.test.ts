// The plugin executables driven exactly as a runtime drives them (CNI_* env + netconf on stdin, run inside
// a "host" netns), against pod namespaces. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason } from '../helpers/netns.ts';
import { CniNode, ensureBuilt, IPAM_BUNDLE } from './harness.ts';

const skip = netnsSkipReason();

function vethFor(ns: string, pod: string): string {
  return 'cali' + createHash('sha1').update(`${ns}.${pod}`).digest('hex').slice(0, 11);
}

describe('tabby-cni executables in network namespaces', { skip }, () => {
  let n: CniNode;
  before(async () => { ensureBuilt(); n = new CniNode('node-1'); await n.init(); });
  after(() => n?.cleanup());

  async function add(pod: string, ns = 'default', conf = n.conf()) {
    const p = n.newPod();
    const r = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs(ns, pod), conf });
    assert.equal(r.code, 0, `ADD failed: ${r.stdout} ${r.stderr}`);
    return { ...p, pod, k8sNs: ns, result: r.json };
  }
  const del = (p: { containerId: string; path: string; pod: string; k8sNs: string }, conf = n.conf()) =>
    n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs(p.k8sNs, p.pod), conf });

  test('two pods on one host ping each other through proxy ARP, no bridge; the kernel reads as in the article', async () => {
    const a = await add('busybox-a');
    const b = await add('busybox-b');
    const ipA = a.result.ips[0].address.split('/')[0];
    const ipB = b.result.ips[0].address.split('/')[0];
    assert.match(a.result.ips[0].address, /^10\.244\.\d+\.\d+\/32$/);
    assert.equal(a.result.interfaces[0].name, vethFor('default', 'busybox-a'));
    assert.equal(a.result.interfaces[1].name, 'eth0');
    assert.equal(a.result.interfaces[1].sandbox, a.path);

    n.sh(a.ns, ['ping', '-c', '2', '-W', '2', ipB]);
    n.sh(b.ns, ['ping', '-c', '2', '-W', '2', ipA]);

    // Pod view: the article's routes and the gateway's MAC = the host veth's ee:ee:ee:ee:ee:ee.
    assert.deepEqual(lines(n.sh(a.ns, ['ip', 'route'])), ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']);
    assert.match(n.sh(a.ns, ['ip', 'addr', 'show', 'eth0']), new RegExp(`inet ${ipA.replace(/\./g, '\\.')}/32 scope global eth0`));
    assert.match(n.sh(a.ns, ['ip', 'link', 'show', 'eth0']), /mtu 1440/);
    assert.match(n.sh(a.ns, ['ip', 'neigh', 'show', '169.254.1.1']), /169\.254\.1\.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee/);
    // Host view: /32 routes per pod, proxy_arp on the cali interface, no bridge anywhere.
    const vethA = vethFor('default', 'busybox-a');
    const hostRoutes = n.sh(n.host, ['ip', 'route']);
    assert.match(hostRoutes, new RegExp(`${ipA.replace(/\./g, '\\.')} dev ${vethA} scope link`));
    // A static ARP entry for the pod on its host veth, as Felix programs (the pod's eth0 MAC, permanent).
    const macA = /link\/ether ([0-9a-f:]+)/.exec(n.sh(a.ns, ['ip', 'link', 'show', 'eth0']))![1];
    assert.match(n.sh(n.host, ['ip', 'neigh', 'show', 'dev', vethA]), new RegExp(`^${ipA.replace(/\./g, '\\.')} lladdr ${macA} PERMANENT`, 'm'));
    assert.equal(readSysctlIn(n, n.host, `/proc/sys/net/ipv4/conf/${vethA}/proxy_arp`), '1');
    assert.equal(readSysctlIn(n, n.host, `/proc/sys/net/ipv4/neigh/${vethA}/proxy_delay`), '0');
    assert.equal(readSysctlIn(n, n.host, `/proc/sys/net/ipv4/conf/${vethA}/forwarding`), '1');
    assert.equal(readSysctlIn(n, n.host, `/proc/sys/net/ipv4/conf/${vethA}/route_localnet`), '1');
    assert.match(n.sh(n.host, ['ip', 'link', 'show', vethA]), /link\/ether ee:ee:ee:ee:ee:ee/);
    assert.doesNotMatch(n.sh(n.host, ['ip', '-d', 'link']), /bridge/);

    // WorkloadEndpoint named and labelled as Calico does.
    const ds = await n.openDs();
    try {
      const wep = await ds.get('WorkloadEndpoint', 'node--1-k8s-busybox--a-eth0', 'default');
      assert.ok(wep, 'WorkloadEndpoint node--1-k8s-busybox--a-eth0 exists');
      assert.equal(wep.metadata.labels?.['projectcalico.org/namespace'], 'default');
      assert.equal(wep.metadata.labels?.['projectcalico.org/orchestrator'], 'k8s');
      assert.deepEqual(wep.spec.ipNetworks, [`${ipA}/32`]);
      assert.equal(wep.spec.interfaceName, vethA);
      assert.equal(wep.spec.containerID, a.containerId);
      assert.equal(wep.spec.mac, a.result.interfaces[1].mac);
      assert.deepEqual(wep.spec.profiles, ['kns.default']);
    } finally { await ds.close(); }

    for (const p of [a, b]) assert.equal((await del(p)).code, 0);
    assert.doesNotMatch(n.sh(n.host, ['ip', 'route']), /cali/);
  });

  test('pod labels and service account from args.tabby reach the WorkloadEndpoint', async () => {
    const conf = n.conf({ args: { tabby: { labels: { app: 'web', tier: 'front' }, serviceAccount: 'web-sa' } } });
    const p = await add('web-1', 'shop', conf);
    const ds = await n.openDs();
    try {
      const wep = await ds.get('WorkloadEndpoint', 'node--1-k8s-web--1-eth0', 'shop');
      assert.deepEqual(wep?.metadata.labels, {
        app: 'web', tier: 'front', 'projectcalico.org/namespace': 'shop',
        'projectcalico.org/orchestrator': 'k8s', 'projectcalico.org/serviceaccount': 'web-sa',
      });
      assert.deepEqual(wep?.spec.profiles, ['kns.shop', 'ksa.shop.web-sa']);
    } finally { await ds.close(); }
    assert.equal((await del(p, conf)).code, 0);
  });

  test('results in each spec version format; 0.3.1/0.4.0 carry ip version, 1.1.0 carries mtu', async () => {
    for (const v of ['0.3.1', '0.4.0', '1.0.0', '1.1.0']) {
      const p = await add(`ver-${v.replace(/\./g, '')}`, 'default', n.conf({}, v));
      assert.equal(p.result.cniVersion, v);
      const ip = p.result.ips[0];
      if (v.startsWith('0.')) assert.equal(ip.version, '4'); else assert.equal(ip.version, undefined);
      assert.equal(ip.interface, 1);
      assert.equal(ip.gateway, undefined);
      if (v === '1.1.0') assert.equal(p.result.interfaces[1].mtu, 1440); else assert.equal(p.result.interfaces[1].mtu, undefined);
      assert.equal((await del(p, n.conf({}, v))).code, 0);
    }
  });

  test('CHECK passes on a healthy attachment and names what differs otherwise', async () => {
    const p = await add('check-me');
    const conf = n.conf({ prevResult: p.result });
    const ok = await n.invoke({ command: 'CHECK', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'check-me'), conf });
    assert.equal(ok.code, 0, ok.stdout);
    n.sh(p.ns, ['ip', 'route', 'del', 'default']);
    const bad = await n.invoke({ command: 'CHECK', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'check-me'), conf });
    assert.equal(bad.code, 1);
    assert.equal(bad.json.code, 101);
    assert.match(bad.json.msg, /default via 169\.254\.1\.1 dev eth0" is missing/);
    assert.equal((await del(p)).code, 0);
    const gone = await n.invoke({ command: 'CHECK', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'check-me'), conf });
    assert.equal(gone.code, 1);
    assert.match(gone.json.msg, /interface eth0 is missing/);
    assert.match(gone.json.msg, /WorkloadEndpoint default\/node--1-k8s-check--me-eth0 is missing/);
    assert.match(gone.json.msg, /does not hold/);
  });

  test('ADD again for an attachment that exists fails (spec: CNI_IFNAME exists) and leaves it working; DEL then ADD works', async () => {
    const p = await add('again');
    const args = { containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'again') };
    const again = await n.invoke({ command: 'ADD', ...args, conf: n.conf() });
    assert.equal(again.code, 1, again.stdout);
    assert.equal(again.json.code, 102);
    assert.match(again.json.msg, /interface "eth0" already exists/);
    // The refusal touched nothing: the first ADD's attachment still passes CHECK, address and endpoint included.
    const check = await n.invoke({ command: 'CHECK', ...args, conf: { ...n.conf(), prevResult: p.result } });
    assert.equal(check.code, 0, check.stdout);
    const veth = vethFor('default', 'again');
    assert.equal(n.sh(n.host, ['ip', '-o', 'link']).split('\n').filter((l) => l.includes(veth)).length, 1);
    assert.equal((await del(p)).code, 0);
    const fresh = await n.invoke({ command: 'ADD', ...args, conf: n.conf() });
    assert.equal(fresh.code, 0, fresh.stdout);
    assert.equal((await del(p)).code, 0);
  });

  test("an eth0 that is already in the pod is not ours: ADD fails, leaves it alone, releases the address", async () => {
    const p = n.newPod();
    n.sh(p.ns, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'other0']);
    const r = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'occupied'), conf: n.conf() });
    assert.equal(r.code, 1);
    assert.match(r.json.msg, /interface "eth0" already exists/);
    assert.match(n.sh(p.ns, ['ip', 'link', 'show', 'eth0']), /eth0@other0/);
    assert.doesNotMatch(n.sh(n.host, ['ip', '-o', 'link']), new RegExp(vethFor('default', 'occupied')));
    const ds = await n.openDs();
    try { assert.ok(!(await ds.list('IPAMHandle')).items.some((h) => h.metadata.name.endsWith(p.containerId))); } finally { await ds.close(); }
  });

  test('DEL after the runtime deleted the netns removes everything; DEL again, and without CNI_NETNS, succeeds', async () => {
    const p = await add('netns-gone');
    execFileSync('ip', ['netns', 'del', p.ns]); // ours (this test's prefix): the sandbox is gone before its DEL
    for (const netns of [p.path, p.path, undefined]) {
      const r = await n.invoke({ command: 'DEL', containerId: p.containerId, netns, cniArgs: n.k8sArgs('default', 'netns-gone'), conf: n.conf() });
      assert.deepEqual([r.code, r.stdout], [0, ''], r.stderr);
    }
    assert.doesNotMatch(n.sh(n.host, ['ip', '-o', 'link']), new RegExp(vethFor('default', 'netns-gone')));
    const ds = await n.openDs();
    try {
      assert.ok(!(await ds.list('IPAMHandle')).items.some((h) => h.metadata.name.endsWith(p.containerId)), 'address released');
      assert.equal(await ds.get('WorkloadEndpoint', 'node--1-k8s-netns--gone-eth0', 'default'), undefined, 'endpoint deleted');
    } finally { await ds.close(); }
  });

  test('VERSION, STATUS and GC', async () => {
    const v = await n.invoke({ command: 'VERSION', conf: {} });
    assert.deepEqual(v.json.supportedVersions.filter((x: string) => ['0.3.1', '0.4.0', '1.0.0', '1.1.0'].includes(x)), ['0.3.1', '0.4.0', '1.0.0', '1.1.0']);
    const st = await n.invoke({ command: 'STATUS', conf: n.conf({}, '1.1.0') });
    assert.equal(st.code, 0, st.stdout);
    const stBad = await n.invoke({ command: 'STATUS', conf: n.conf({ datastore_path: n.unreachablePath() }, '1.1.0') });
    assert.equal(stBad.json.code, 50);
    const keep = await add('gc-keep');
    const lose = await add('gc-lose');
    const gc = await n.invoke({
      command: 'GC', conf: n.conf({ 'cni.dev/valid-attachments': [{ containerID: keep.containerId, ifname: 'eth0' }] }, '1.1.0'),
    });
    assert.equal(gc.code, 0, gc.stdout);
    const ds = await n.openDs();
    try {
      const handles = (await ds.list('IPAMHandle')).items.map((h) => h.metadata.name);
      assert.ok(handles.includes(`k8s-pod-network.${keep.containerId}`));
      assert.ok(!handles.includes(`k8s-pod-network.${lose.containerId}`));
    } finally { await ds.close(); }
    assert.equal((await del(keep)).code, 0);
    assert.equal((await del(lose)).code, 0);
  });

  test('the IPAM executable alone: ADD narrows to /32, DEL releases', async () => {
    const conf = { ...n.conf(), type: 'calico-ipam' };
    const r = await n.invoke({ command: 'ADD', containerId: 'ipamonly1', cniArgs: n.k8sArgs('default', 'x'), conf, exe: [process.execPath, IPAM_BUNDLE] });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.json.ips[0].address, /^10\.244\.\d+\.\d+\/32$/);
    const d = await n.invoke({ command: 'DEL', containerId: 'ipamonly1', cniArgs: n.k8sArgs('default', 'x'), conf, exe: [process.execPath, IPAM_BUNDLE] });
    assert.equal(d.code, 0, d.stdout);
    const ds = await n.openDs();
    try { assert.equal((await ds.list('IPAMHandle')).items.length, 0); } finally { await ds.close(); }
  });

  test('a conflist chaining Debian portmap and bandwidth after ours works (prevResult passed through)', async () => {
    const p = await add('chained');
    const base = { cniVersion: '1.0.0', name: 'k8s-pod-network' };
    const env = { containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', 'chained') };
    const portmap = { ...base, type: 'portmap', snat: true, capabilities: { portMappings: true },
      runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] }, prevResult: p.result };
    const pm = await n.invoke({ command: 'ADD', ...env, conf: portmap, exe: ['/usr/lib/cni/portmap'] });
    assert.equal(pm.code, 0, pm.stdout + pm.stderr);
    assert.deepEqual(pm.json.ips, p.result.ips);
    const bw = { ...base, type: 'bandwidth', capabilities: { bandwidth: true },
      runtimeConfig: { bandwidth: { ingressRate: 1000000, ingressBurst: 100000, egressRate: 1000000, egressBurst: 100000 } }, prevResult: pm.json };
    const b = await n.invoke({ command: 'ADD', ...env, conf: bw, exe: ['/usr/lib/cni/bandwidth'] });
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.deepEqual(b.json.ips, p.result.ips);
    // bandwidth shaped the host veth (its ingress = the pod's egress) and portmap made its DNAT chain.
    assert.match(n.sh(n.host, ['tc', 'qdisc', 'show', 'dev', vethFor('default', 'chained')]), /tbf/);
    assert.match(n.sh(n.host, ['iptables-save']), /CNI-DN-/);
    for (const [conf, exe] of [[bw, '/usr/lib/cni/bandwidth'], [portmap, '/usr/lib/cni/portmap']] as const) {
      const r = await n.invoke({ command: 'DEL', ...env, conf, exe: [exe] });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    assert.equal((await del(p)).code, 0);
  });

  test('another IPAM (host-local) is delegated to from CNI_PATH, addresses forced to /32', async () => {
    const dataDir = join(n.dir, 'host-local');
    const conf = n.conf({ ipam: { type: 'host-local', subnet: '10.88.0.0/24', dataDir } });
    const p = await add('delegated', 'default', conf);
    assert.match(p.result.ips[0].address, /^10\.88\.0\.\d+\/32$/);
    assert.equal(p.result.ips[0].gateway, undefined);
    const ip = p.result.ips[0].address.split('/')[0];
    assert.ok(readdirSync(join(dataDir, 'k8s-pod-network')).includes(ip), 'host-local recorded the allocation');
    assert.deepEqual(lines(n.sh(p.ns, ['ip', 'route'])), ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']);
    assert.equal((await del(p, conf)).code, 0);
    assert.ok(!readdirSync(join(dataDir, 'k8s-pod-network')).includes(ip), 'host-local released it on DEL');
  });

  test('log lines land in log_file_path', () => {
    const lines = readFileSync(n.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.msg === 'ADD done' && l.component === 'tabby-cni'));
  });
});

function readSysctlIn(n: CniNode, ns: string, path: string): string { return n.sh(ns, ['cat', path]).trim(); }

function lines(s: string): string[] { return s.split('\n').map((l) => l.trim()).filter(Boolean); }

// Several nodes in network namespaces, each running `tabby node run` (backend vxlan), pods created by the
// CNI executables. VXLAN mode end to end, NAT outgoing to an external host, health and metrics, and the
// restart story: kill -9 under a ping flood, no loss, no route churn, and changes made while down converge.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason } from '../helpers/netns.ts';
import { vtepMacForNode } from '../../src/agent/calc/vtep-mac.ts';
import { Cluster, sleep, spawnCapture, startCapture, type Pod } from './cluster.ts';

const skip = netnsSkipReason();
const POOL_ENV = { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'Always', CALICO_IPV4POOL_NAT_OUTGOING: 'true' };
const esc = (s: string) => s.replace(/\./g, '\\.');

describe('node agents, VXLAN mode', { skip }, () => {
  let c: Cluster;
  let podA: Pod, podB: Pod;

  before(async () => {
    c = new Cluster();
    c.addSubnet('a', '10.0.1.1/24');
    c.addNode('node-a', 'a', '10.0.1.11');
    c.addNode('node-b', 'a', '10.0.1.12');
    c.addExternal('203.0.113.1/24', '203.0.113.10');
    c.startAgent('node-a', POOL_ENV);
    await c.waitReady('node-a');
    c.startAgent('node-b', POOL_ENV);
    await c.waitReady('node-b');
    podA = await c.addPod('node-a', 'busybox-a');
    podB = await c.addPod('node-b', 'busybox-b');
  });
  after(async () => { await c?.cleanup(); });

  test('start-up registers the node, the default pool, the cluster and tunnel addresses; writes nodename and mtu', async () => {
    const ds = await c.openDs();
    try {
      const na = await ds.get('Node', 'node-a');
      assert.equal(na?.spec.bgp.ipv4Address, '10.0.1.11/24');
      assert.match(na?.spec.ipv4VXLANTunnelAddr, /^10\.244\.\d+\.\d+$/);
      assert.equal(na?.spec.vxlanTunnelMACAddr, vtepMacForNode('node-a'));
      const pool = await ds.get('IPPool', 'default-ipv4-ippool');
      assert.deepEqual({ cidr: pool?.spec.cidr, vxlanMode: pool?.spec.vxlanMode, ipipMode: pool?.spec.ipipMode, natOutgoing: pool?.spec.natOutgoing },
        { cidr: '10.244.0.0/16', vxlanMode: 'Always', ipipMode: 'Never', natOutgoing: true });
      const ci = await ds.get('ClusterInformation', 'default');
      assert.equal(ci?.spec.datastoreReady, true);
      assert.match(ci?.spec.clusterGUID, /^[0-9a-f]{32}$/);
      assert.ok(ci?.spec.calicoVersion);
    } finally { await ds.close(); }
    const a = c.node('node-a');
    assert.equal(readFileSync(join(a.stateDir, 'nodename'), 'utf8'), 'node-a');
    assert.equal(readFileSync(join(a.stateDir, 'mtu'), 'utf8').trim(), '1450');
    assert.match(c.exec(podA.ns, ['ip', 'link', 'show', 'eth0']), /mtu 1450/, 'the CNI plugin used the MTU the agent wrote');
  });

  test('pods on different nodes ping each other; ip route reads as in the article\'s VXLAN demo', async () => {
    await c.waitFor('routes to the remote blocks', () => c.routes('node-a').some((l) => l.includes('vxlan.calico')) && c.routes('node-b').some((l) => l.includes('vxlan.calico')));
    c.exec(podA.ns, ['ping', '-c', '3', '-i', '0.2', '-W', '2', podB.ip]);
    c.exec(podB.ns, ['ping', '-c', '3', '-i', '0.2', '-W', '2', podA.ip]);

    const ds = await c.openDs();
    const nb = await ds.get('Node', 'node-b');
    const na = await ds.get('Node', 'node-a');
    await ds.close();
    const tunB = nb!.spec.ipv4VXLANTunnelAddr as string;
    const tunA = na!.spec.ipv4VXLANTunnelAddr as string;
    const routes = c.routes('node-a');
    // `192.168.196.128/26 via 192.168.196.128 dev vxlan.calico onlink` in the article (Felix adds proto 80).
    assert.ok(routes.includes(`${tunB}/26 via ${tunB} dev vxlan.calico proto 80 onlink`), routes.join('\n'));
    assert.ok(routes.includes(`blackhole ${tunA}/26 proto 80`), routes.join('\n'));
    assert.ok(routes.includes(`${podA.ip} dev ${podA.iface} scope link`), routes.join('\n'));
    assert.ok(routes.includes('default via 10.0.1.1 dev eth0'));

    const link = c.exec(c.node('node-a').ns, ['ip', '-d', 'link', 'show', 'vxlan.calico']);
    assert.match(link, /mtu 1450/);
    assert.match(link, new RegExp(`link/ether ${vtepMacForNode('node-a')}`));
    assert.match(link, /vxlan id 4096 local 10\.0\.1\.11 dev eth0 .*dstport 4789 nolearning/);
    assert.match(c.exec(c.node('node-a').ns, ['ip', 'addr', 'show', 'vxlan.calico']), new RegExp(`inet ${esc(tunA)}/32`));
    assert.match(c.exec(c.node('node-a').ns, ['ip', 'neigh', 'show', 'dev', 'vxlan.calico']), new RegExp(`${esc(tunB)} lladdr ${vtepMacForNode('node-b')} PERMANENT`));
    assert.match(c.exec(c.node('node-a').ns, ['bridge', 'fdb', 'show', 'dev', 'vxlan.calico']), new RegExp(`${vtepMacForNode('node-b')} dst 10\\.0\\.1\\.12 self permanent`));
  });

  test('NAT outgoing: an external host sees the node\'s address as the source', async () => {
    const ext = c.ext!;
    const cap = startCapture(c, ext.ns, ['tcpdump', '-i', 'eth0', '-n', '-l', '-c', '2', 'icmp']);
    await cap.ready;
    c.exec(podA.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', ext.ip]);
    const out = await cap.output;
    assert.match(out, /10\.0\.1\.11 > 203\.0\.113\.10: ICMP echo request/, out);
    assert.doesNotMatch(out, new RegExp(esc(podA.ip)));
    assert.match(c.exec(c.node('node-a').ns, ['nft', 'list', 'table', 'ip', 'tabby-nat']), /masquerade/);
  });

  test('health and Prometheus metrics answer inside the node\'s namespace', () => {
    const ns = c.node('node-a').ns;
    assert.match(c.exec(ns, ['curl', '-sf', 'http://127.0.0.1:9099/liveness']), /agent\s+true\s+true/);
    const metrics = c.exec(ns, ['curl', '-sf', 'http://127.0.0.1:9091/metrics']);
    for (const m of ['felix_route_table_num_routes', 'felix_int_dataplane_apply_time_seconds_bucket', 'tabby_agent_routes_programmed_total', 'tabby_agent_datastore_events_total', 'felix_int_dataplane_failures']) {
      assert.match(metrics, new RegExp(`^${m}`, 'm'), `metric ${m}`);
    }
    assert.match(metrics, /^felix_route_table_num_routes [1-9]/m);
  });

  test('kill -9 + restart under a ping flood: nothing lost, correct routes untouched, changes made while down converge', async () => {
    const b = c.node('node-b');
    const before = c.routes('node-b').filter((l) => /proto 80|scope link/.test(l) && !l.includes('proto kernel'));
    const monitor = spawn('ip', ['netns', 'exec', b.ns, 'ip', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let monitored = '';
    monitor.stdout.on('data', (d) => { monitored += d; });
    // Back-to-back floods of 500 packets for the whole kill → restart → ready window, each judged on its own
    // summary (one long flood would finish in a second or two, before the restart even began).
    let flooding = true;
    const flood = (async () => {
      const rounds: string[] = [];
      while (flooding) rounds.push(await spawnCapture(c, podA.ns, ['ping', '-f', '-c', '500', '-w', '30', podB.ip], 60_000));
      return rounds;
    })();
    try {
      // Deliberate: the floods run a moment before the kill, so packet loss at the kill itself would show.
      await sleep(300);
      await c.stopAgent('node-b', 'SIGKILL');
      // While node-b's agent is down: a new node with a pod joins, and someone leaves a stale proto 80 route.
      c.addNode('node-c', 'a', '10.0.1.13');
      c.startAgent('node-c', POOL_ENV);
      c.exec(b.ns, ['ip', 'route', 'add', '10.99.0.0/24', 'via', '10.0.1.1', 'proto', '80']);
      await c.waitReady('node-c');
      const podC = await c.addPod('node-c', 'busybox-c');
      // Deliberate: node-b stays down a while longer under the flood (the downtime is what is tested).
      await sleep(300);
      monitored = '';
      c.startAgent('node-b', POOL_ENV);
      await c.waitReady('node-b');
      // Deliberate: keep flooding past readiness, through the restarted agent's first full apply passes.
      await sleep(500);
      flooding = false;
      const rounds = await flood;
      assert.ok(rounds.length >= 3, `only ${rounds.length} flood rounds ran`);
      // (ping -f may send one more than -c when two are in flight: "501 transmitted, 501 received".)
      for (const out of rounds) assert.match(out, /(50\d) packets transmitted, \1 received, 0% packet loss/, out);

      await c.waitFor('node-b routes to node-c', () => c.routes('node-b').some((l) => l.startsWith(podC.ip.replace(/\.\d+$/, '')) && l.includes('vxlan.calico')), 15_000, () => c.routes('node-b').join('\n'));
      c.exec(podB.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podC.ip]);
      await c.waitFor('stale route removed', () => !c.routes('node-b').some((l) => l.startsWith('10.99.0.0/24')));
      // The routes that were right before the restart were never rewritten (no netlink notification at all).
      for (const line of before) {
        const dst = line.replace(/^blackhole /, '').split(' ')[0]!;
        assert.ok(!monitored.split('\n').some((m) => m.replace(/^Deleted /, '').replace(/^blackhole /, '').startsWith(dst + ' ')),
          `route ${dst} was touched during the restart:\n${monitored}`);
      }
      assert.ok(c.routes('node-b').some((l) => before.includes(l)));
      // The restarted agent's own account: exactly one route written (node-c's block) and one removed (the
      // stale one). An identical `replace` would not show in `ip monitor`, so this is the sharper check.
      const metrics = c.exec(b.ns, ['curl', '-sf', 'http://127.0.0.1:9091/metrics']);
      assert.match(metrics, /^tabby_agent_routes_programmed_total 1$/m, metrics.split('\n').filter((l) => l.startsWith('tabby_agent_routes')).join('\n'));
      assert.match(metrics, /^tabby_agent_routes_deleted_total 1$/m);
    } finally {
      monitor.kill('SIGKILL');
    }
  });
  test('network policy is enforced by the same loop: a GlobalNetworkPolicy denying ingress stops the ping, deleting it restores it', async () => {
    const ds = await c.openDs();
    try {
      await ds.create({
        apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-b' },
        spec: { selector: "projectcalico.org/namespace == 'default'", types: ['Ingress'], ingress: [{ action: 'Deny' }] },
      });
      await c.waitFor('ping blocked', () => c.run(podA.ns, ['ping', '-c', '1', '-W', '1', podB.ip]).status !== 0, 20_000);
      await ds.delete('GlobalNetworkPolicy', 'deny-b');
      await c.waitFor('ping allowed again', () => c.run(podA.ns, ['ping', '-c', '1', '-W', '1', podB.ip]).status === 0, 20_000);
    } finally { await ds.close(); }
  });
  test('drift behind the agent\'s back heals on the periodic resync: device, routes, sysctls, NAT', async () => {
    const a = c.node('node-a');
    const wanted = c.routes('node-a').filter((l) => l.includes('proto 80')).sort();
    c.exec(a.ns, ['ip', 'link', 'del', 'vxlan.calico']); // takes its routes with it
    c.exec(a.ns, ['sh', '-c', `echo 0 > /proc/sys/net/ipv4/conf/${podA.iface}/proxy_arp`]);
    c.exec(a.ns, ['ip', 'route', 'del', 'blackhole', wanted.find((l) => l.startsWith('blackhole'))!.split(' ')[1]!]);
    c.exec(a.ns, ['nft', 'delete', 'table', 'ip', 'tabby-nat']);
    await c.waitFor('kernel state restored', () => {
      const now = c.routes('node-a').filter((l) => l.includes('proto 80')).sort();
      return JSON.stringify(now) === JSON.stringify(wanted)
        && c.exec(a.ns, ['cat', `/proc/sys/net/ipv4/conf/${podA.iface}/proxy_arp`]).trim() === '1'
        && c.run(a.ns, ['nft', 'list', 'table', 'ip', 'tabby-nat']).status === 0;
    }, 20_000, () => c.routes('node-a').join('\n'));
    c.exec(podA.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podB.ip]);
  });
});

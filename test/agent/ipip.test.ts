// The article's default mode: IPIP pool, backend bird. The BGP speaker inside the agent learns the other
// node's block and the agent programs it through tunl0 (`<block> via <node IP> dev tunl0 proto bird onlink`);
// src/ipip provides tunl0 (tc eBPF encapsulation on this kernel, which has no ipip module). On the wire the
// pod packets travel as IP-in-IP between the node addresses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { Cluster, startCapture, type Pod } from './cluster.ts';

const skip = netnsSkipReason();
const ENV = { CALICO_NETWORKING_BACKEND: 'bird', CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_IPIP: 'Always' };

describe('node agents, IPIP mode with BGP (the article\'s default)', { skip }, () => {
  let c: Cluster;
  let podA: Pod, podB: Pod;

  before(async () => {
    c = new Cluster();
    c.addSubnet('a', '10.0.1.1/24');
    c.addNode('node-a', 'a', '10.0.1.11');
    c.addNode('node-b', 'a', '10.0.1.12');
    c.startAgent('node-a', ENV);
    await c.waitReady('node-a');
    c.startAgent('node-b', ENV);
    await c.waitReady('node-b');
    podA = await c.addPod('node-a', 'busybox-a');
    podB = await c.addPod('node-b', 'busybox-b');
  });
  after(async () => { await c?.cleanup(); });

  test('ip route reads as in the article: the remote block via the node IP on tunl0, proto bird, onlink', async () => {
    const tunl = (n: string) => c.routes(n).filter((l) => l.includes('dev tunl0'));
    await c.waitFor('BGP-learned tunl0 routes', () => tunl('node-a').length === 1 && tunl('node-b').length === 1, 30_000,
      () => c.routes('node-a').join('\n'));
    assert.match(tunl('node-a')[0]!, /^10\.244\.\d+\.\d+\/26 via 10\.0\.1\.12 dev tunl0 proto bird onlink$/);
    assert.match(c.exec(c.node('node-a').ns, ['ip', 'link', 'show', 'tunl0']), /mtu 1480/);
    assert.match(c.exec(c.node('node-a').ns, ['ip', 'addr', 'show', 'tunl0']), /inet 10\.244\.\d+\.\d+\/32/);
  });

  test('pods ping across nodes, carried as IP-in-IP between the node addresses', async () => {
    // Retried: right after the sessions come up the mesh may still settle (a collision or a reconnect).
    await c.waitFor('pod A reaches pod B', () => c.run(podA.ns, ['ping', '-c', '1', '-W', '1', podB.ip]).status === 0, 20_000);
    const cap = startCapture(c, c.node('node-a').ns, ['timeout', '6', 'tcpdump', '-i', 'eth0', '-n', '-l', '-c', '2', 'ip proto 4']);
    await cap.ready;
    c.exec(podA.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podB.ip]);
    const out = await cap.output;
    assert.match(out, new RegExp(`IP 10\\.0\\.1\\.11 > 10\\.0\\.1\\.12: IP ${podA.ip.replace(/\./g, '\\.')} > ${podB.ip.replace(/\./g, '\\.')}: ICMP echo request`), out);
  });
});

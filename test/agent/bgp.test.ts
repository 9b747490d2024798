// Backend bird: the BGP speaker runs inside `tabby node run` and hands its learned routes to the agent's
// route table (the one owner of the routing table). No encapsulation, nodes on one subnet: the routes read
// as BIRD's (`<block> via <node IP> dev eth0 proto bird`) and pods reach each other.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { Cluster, TABBY_BUNDLE, type Pod } from './cluster.ts';

const skip = netnsSkipReason();
const ENV = { CALICO_NETWORKING_BACKEND: 'bird', CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_IPIP: 'Never', CALICO_IPV4POOL_VXLAN: 'Never' };

describe('node agents with the BGP backend', { skip }, () => {
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

  test('learned block routes are programmed as proto bird; pods ping across nodes', async () => {
    const bird = (n: string) => c.routes(n).filter((l) => l.endsWith('proto bird') && !l.startsWith('blackhole'));
    await c.waitFor('BGP routes on both nodes', () => bird('node-a').length === 1 && bird('node-b').length === 1, 30_000,
      () => `${c.routes('node-a').join('\n')}\n---\n${c.routes('node-b').join('\n')}`);
    assert.match(bird('node-a')[0]!, /^10\.244\.\d+\.\d+\/26 via 10\.0\.1\.12 dev eth0 proto bird$/);
    assert.match(bird('node-b')[0]!, /^10\.244\.\d+\.\d+\/26 via 10\.0\.1\.11 dev eth0 proto bird$/);
    assert.equal(c.routes('node-a').filter((l) => l.includes('vxlan')).length, 0);
    // BIRD's role installs the local block's blackhole, so it reads `proto bird` as in the article.
    assert.ok(c.routes('node-a').some((l) => /^blackhole 10\.244\.\d+\.\d+\/26 proto bird$/.test(l)), c.routes('node-a').join('\n'));
    // Retried: right after the sessions come up the mesh may still settle (a collision or a reconnect).
    await c.waitFor('pod A reaches pod B', () => c.run(podA.ns, ['ping', '-c', '1', '-W', '1', podB.ip]).status === 0, 20_000);
  });

  test('`tabby node status` in the node\'s namespace shows the mesh peer Established', () => {
    const out = c.exec(c.node('node-a').ns, [process.execPath, TABBY_BUNDLE, 'node', 'status']);
    assert.match(out, /Calico process is running\./);
    assert.match(out, /\| 10\.0\.1\.12 +\| node-to-node mesh \| up +\| [0-9:]+ \| Established \|/);
  });
});

// CrossSubnet: nodes on two subnets joined by a router. Within a subnet pod traffic goes unencapsulated
// (`via <node IP> dev eth0 onlink`), across the router it goes through VXLAN — checked on the wire.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { Cluster, startCapture, type Pod } from './cluster.ts';

const skip = netnsSkipReason();
const POOL_ENV = { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'CrossSubnet' };

describe('node agents, VXLAN CrossSubnet across a router', { skip }, () => {
  let c: Cluster;
  let podA: Pod, podB: Pod, podC: Pod;

  before(async () => {
    c = new Cluster();
    c.addSubnet('a', '10.0.1.1/24');
    c.addSubnet('b', '10.0.2.1/24');
    c.addNode('node-a', 'a', '10.0.1.11');
    c.addNode('node-b', 'a', '10.0.1.12');
    c.addNode('node-c', 'b', '10.0.2.13');
    c.startAgent('node-a', POOL_ENV);
    await c.waitReady('node-a');
    c.startAgent('node-b', POOL_ENV);
    c.startAgent('node-c', POOL_ENV);
    await c.waitReady('node-b');
    await c.waitReady('node-c');
    podA = await c.addPod('node-a', 'web-a');
    podB = await c.addPod('node-b', 'web-b');
    podC = await c.addPod('node-c', 'web-c');
    await c.waitFor('node-a routes to both remote blocks', () => c.routes('node-a').filter((l) => l.includes('proto 80 onlink')).length === 2,
      15_000, () => c.routes('node-a').join('\n'));
  });
  after(async () => { await c?.cleanup(); });

  test('node-a routes: same subnet via the node IP on eth0, other subnet via vxlan.calico', () => {
    const r = c.routes('node-a');
    const blockB = r.find((l) => l.includes('via 10.0.1.12'));
    const blockC = r.find((l) => l.includes('dev vxlan.calico'));
    assert.match(blockB ?? '', /^10\.244\.\d+\.\d+\/26 via 10\.0\.1\.12 dev eth0 proto 80 onlink$/, r.join('\n'));
    assert.match(blockC ?? '', /^10\.244\.\d+\.\d+\/26 via 10\.244\.\d+\.\d+ dev vxlan\.calico proto 80 onlink$/, r.join('\n'));
  });

  test('within the subnet the wire carries plain pod packets; across the router it carries VXLAN', async () => {
    const a = c.node('node-a');
    // Same subnet: ICMP between pod addresses on node-a's eth0, no VXLAN.
    let cap = startCapture(c, a.ns, ['timeout', '6', 'tcpdump', '-i', 'eth0', '-n', '-l', '-c', '2', `icmp or udp port 4789`]);
    await cap.ready;
    c.exec(podA.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podB.ip]);
    let out = await cap.output;
    assert.match(out, new RegExp(`IP ${podA.ip.replace(/\./g, '\\.')} > ${podB.ip.replace(/\./g, '\\.')}: ICMP echo request`), out);
    assert.doesNotMatch(out, /VXLAN|4789/);

    // Other subnet: UDP 4789 between the node addresses, the pod packet inside.
    cap = startCapture(c, a.ns, ['timeout', '6', 'tcpdump', '-i', 'eth0', '-n', '-l', '-c', '2', `icmp or udp port 4789`]);
    await cap.ready;
    c.exec(podA.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podC.ip]);
    out = await cap.output;
    assert.match(out, /IP 10\.0\.1\.11\.\d+ > 10\.0\.2\.13\.4789: VXLAN, flags \[I\] \(0x08\), vni 4096/, out);
    assert.match(out, new RegExp(`${podA.ip.replace(/\./g, '\\.')} > ${podC.ip.replace(/\./g, '\\.')}: ICMP echo request`), out);
  });

  test('node-c (alone on its subnet) reaches both others through VXLAN', () => {
    const r = c.routes('node-c');
    assert.equal(r.filter((l) => l.includes('dev vxlan.calico proto 80 onlink')).length, 2, r.join('\n'));
    c.exec(podC.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podA.ip]);
    c.exec(podC.ns, ['ping', '-c', '2', '-i', '0.2', '-W', '2', podB.ip]);
  });
});

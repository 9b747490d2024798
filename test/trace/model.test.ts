// The trace model on paper snapshots of the article's cluster: no root. Each mode's hops in the article's
// order with the kernel objects named, and every drop with its cause.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { stitch, resolveEnd, startOf, TraceInputError } from '../../src/trace/stitch.ts';
import type { TraceResult, TracePacket } from '../../src/trace/types.ts';
import type { PolicySnapshot } from '../../src/policy/model.ts';
import { NODES, PODS, paperAsker, type PaperOptions } from './fixtures.ts';
import { traceReply } from '../../src/trace/reply.ts';

/** A default-tier policy denying ICMP to a pod (the reply of a flow it started must still reach it). */
function denyIngressIcmpTo(app: string): Partial<PolicySnapshot> {
  return {
    globalNetworkPolicies: [{
      apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'no-ping' },
      spec: { selector: `app == '${app}'`, ingress: [{ action: 'Deny', protocol: 'ICMP' }], egress: [{ action: 'Allow' }] },
    }],
  };
}

const A = PODS[0]!, B = PODS[1]!, WEB = PODS[2]!;
const nodes = NODES.map((n) => ({ name: n.name, addresses: [n.ip, n.tunnel] }));

async function trace(src: string, dst: string, o: PaperOptions, extra: Partial<TracePacket> = {}): Promise<TraceResult> {
  const s = resolveEnd(src, o.pods ?? PODS, nodes, 'SRC');
  const d = resolveEnd(dst, o.pods ?? PODS, nodes, 'DST');
  const start = startOf(s);
  return stitch(start.node, start.arrival, { src: s.ip, dst: d.ip, protocol: 'icmp', ...extra }, paperAsker(o));
}

const actions = (r: TraceResult) => r.hops.map((h) => `${h.node}:${h.action}`);

describe('pod → pod on another node', () => {
  test('IPIP: the article\'s hops, tunl0 proto bird onlink, outer header node → node protocol 4', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip' });
    assert.equal(r.verdict, 'delivered');
    assert.deepEqual(actions(r), [
      'controlplane:route', 'controlplane:arp', 'controlplane:route', 'controlplane:egress-policy', 'controlplane:encapsulate',
      'controlplane:transmit', 'node01:decapsulate', 'node01:route', 'node01:ingress-policy', 'node01:deliver',
    ]);
    assert.match(r.hops[0]!.detail!, /default via 169\.254\.1\.1 dev eth0/);
    assert.match(r.hops[1]!.detail!, /proxy ARP on the host end cali3f2a1b0c9d8 \(proxy_arp=1\) with its MAC ee:ee:ee:ee:ee:ee/);
    assert.match(r.hops[2]!.detail!, /192\.168\.196\.129 via 172\.17\.0\.40 dev tunl0 proto bird onlink/);
    assert.deepEqual(r.hops[4]!.encap, { type: 'ipip', outerSrc: '172.17.0.32', outerDst: '172.17.0.40', ipProtocol: 4 });
    assert.equal(r.hops[5]!.interface, 'ens3');
    assert.match(r.hops[5]!.detail!, /same subnet/);
    assert.deepEqual(r.hops[3]!.policy, { tier: null, name: 'kns.default', rule: 0, action: 'Allow', kind: 'Profile' });
    assert.equal(r.hops[9]!.interface, B.iface);
    assert.equal(r.hops[9]!.namespace, 'default/busybox-b');
    assert.ok(r.hops.every((h) => h.verified === null && h.command), 'every hop says how to see it; nothing is verified yet');
  });

  test('VXLAN: vxlan.calico, VNI 4096, UDP 4789, the VTEP MAC from ARP and the node from the FDB', async () => {
    const r = await trace('default/busybox-a', '192.168.196.129', { mode: 'vxlan' });
    assert.equal(r.verdict, 'delivered');
    const enc = r.hops.find((h) => h.action === 'encapsulate')!;
    assert.deepEqual(enc.encap, { type: 'vxlan', outerSrc: '172.17.0.32', outerDst: '172.17.0.40', ipProtocol: 17, vni: 4096, udpPort: 4789, vtepMac: '66:aa:00:00:00:40' });
    assert.match(r.hops[2]!.detail!, /via 192\.168\.196\.128 dev vxlan\.calico/);
    assert.equal(r.hops.find((h) => h.action === 'decapsulate')!.node, 'node01');
  });

  test('no encapsulation: routed on ens3 as is', async () => {
    const r = await trace(A.name, B.ips[0]!, { mode: 'none' });
    assert.equal(r.verdict, 'delivered');
    assert.ok(!r.hops.some((h) => h.encap));
    assert.match(r.hops.find((h) => h.action === 'transmit')!.detail!, /unencapsulated on ens3 to node01 \(172\.17\.0\.40\)/);
  });
});

test('pod → pod on the same node: egress and ingress policy, straight to the other veth', async () => {
  const r = await trace('busybox-a', 'default/web', { mode: 'ipip' });
  assert.deepEqual(actions(r), ['controlplane:route', 'controlplane:arp', 'controlplane:route', 'controlplane:egress-policy', 'controlplane:ingress-policy', 'controlplane:deliver']);
  assert.equal(r.hops[5]!.interface, WEB.iface);
});

test('node → pod: no workload policy on the way out of the host, ingress policy at the destination', async () => {
  const r = await trace('controlplane', 'default/busybox-b', { mode: 'ipip' });
  assert.equal(r.verdict, 'delivered');
  assert.deepEqual(actions(r), ['controlplane:route', 'controlplane:encapsulate', 'controlplane:transmit', 'node01:decapsulate', 'node01:route', 'node01:ingress-policy', 'node01:deliver']);
});

test('pod → external host: NAT outgoing masquerades to the node address, then out via the router', async () => {
  const r = await trace('default/busybox-a', '8.8.8.8', { mode: 'ipip' });
  assert.equal(r.verdict, 'delivered');
  assert.equal(r.reason, 'left the cluster via 172.17.0.1');
  const snat = r.hops.find((h) => h.action === 'snat')!;
  assert.match(snat.detail!, /192\.168\.235\.193 is masqueraded to 172\.17\.0\.32/);
  const off = await trace('default/busybox-a', '8.8.8.8', { mode: 'ipip', natOutgoing: false });
  assert.ok(!off.hops.some((h) => h.action === 'snat'));
  assert.match(off.hops.find((h) => h.action === 'route' && /natOutgoing/.test(h.detail ?? ''))!.detail!, /no natOutgoing/);
});

describe('drops, with their cause', () => {
  test('a blackhole: the block is affine to this node but no pod has the address', async () => {
    const r = await trace('default/busybox-a', '192.168.235.250', { mode: 'ipip' });
    assert.equal(r.verdict, 'dropped');
    assert.match(r.reason!, /blackhole route blackhole 192\.168\.235\.192\/26 proto bird: the block 192\.168\.235\.192\/26 is affine to controlplane, but no pod on controlplane has 192\.168\.235\.250/);
  });

  test('the pod was deleted: the packet crosses and dies on the destination node\'s blackhole', async () => {
    const r = await trace('default/busybox-a', '192.168.196.129', { mode: 'ipip', pods: [A, WEB] });
    assert.equal(r.verdict, 'dropped');
    assert.equal(r.hops.at(-1)!.node, 'node01');
    assert.match(r.reason!, /affine to node01, but no pod on node01 has 192\.168\.196\.129/);
  });

  test('no route: the remote block is missing and the BGP session says why', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip', missingRemoteRoute: true });
    assert.equal(r.verdict, 'dropped');
    assert.match(r.reason!, /no route to 192\.168\.196\.129 on controlplane: its block 192\.168\.196\.128\/26 is affine to node01; the BGP session with node01 \(172\.17\.0\.40\) is Active/);
    assert.match(r.reason!, /only 0\.0\.0\.0\/0 via 172\.17\.0\.1 dev ens3/);
    // What the kernel does with it: out to the default gateway, where no node will deliver it.
    assert.deepEqual(actions(r).slice(-2), ['controlplane:route', 'controlplane:leave-cluster']);
    assert.match(r.hops.at(-1)!.detail!, /leaves controlplane towards 172\.17\.0\.1, where no node will deliver it/);
  });

  test('a Deny rule on the destination\'s ingress: policy, tier and rule named, at the destination node', async () => {
    const policy: Partial<PolicySnapshot> = {
      tiers: [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 10 } }],
      globalNetworkPolicies: [{
        apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'security.no-ping-b' },
        spec: { tier: 'security', selector: "app == 'busybox-b'", ingress: [{ action: 'Allow', protocol: 'TCP' }, { action: 'Deny', protocol: 'ICMP' }] },
      }],
    };
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip', policy });
    assert.equal(r.verdict, 'dropped');
    const last = r.hops.at(-1)!;
    assert.deepEqual([last.node, last.action, last.interface], ['node01', 'drop', B.iface]);
    assert.deepEqual(last.policy, { tier: 'security', name: 'security.no-ping-b', rule: 1, action: 'Deny', kind: 'GlobalNetworkPolicy' });
    assert.match(r.reason!, /node01: ingress policy: GlobalNetworkPolicy security\.no-ping-b \(tier security\) rule 1 denies it/);
    const tcp = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip', policy }, { protocol: 'tcp', port: 80 });
    assert.equal(tcp.verdict, 'delivered');
    assert.deepEqual(tcp.hops.find((h) => h.action === 'ingress-policy')!.policy, { tier: 'security', name: 'security.no-ping-b', rule: 0, action: 'Allow', kind: 'GlobalNetworkPolicy' });
  });

  test('end of tier on the source\'s egress: a NetworkPolicy selects it but allows only TCP 443', async () => {
    const policy: Partial<PolicySnapshot> = {
      networkPolicies: [{
        apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'egress-https', namespace: 'default' },
        spec: { selector: "app == 'busybox-a'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }] },
      }],
    };
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'vxlan', policy }, { protocol: 'udp', port: 53 });
    assert.equal(r.verdict, 'dropped');
    assert.deepEqual(r.hops.at(-1)!.policy, { tier: 'default', name: null, rule: null, action: 'Deny', kind: 'EndOfTier' });
    assert.match(r.reason!, /controlplane: egress policy: end of tier "default"/);
  });

  test('anti-spoofing: a pod sending from another pod\'s address', async () => {
    const s = resolveEnd('default/busybox-a', PODS, nodes, 'SRC');
    const start = startOf(s);
    const r = await stitch(start.node, start.arrival, { src: WEB.ips[0]!, dst: B.ips[0]!, protocol: 'icmp' }, paperAsker({ mode: 'ipip' }));
    assert.equal(r.verdict, 'dropped');
    assert.equal(r.hops.at(-1)!.policy?.kind, 'Dispatch');
    assert.match(r.reason!, /Anti-spoofing: source address is not the workload's/);
  });
});

describe('SRC and DST', () => {
  test('each way of naming one', () => {
    assert.equal(resolveEnd('default/busybox-b', PODS, nodes, 'DST').ip, '192.168.196.129');
    assert.equal(resolveEnd(B.name, PODS, nodes, 'DST').kind, 'pod');
    assert.equal(resolveEnd('192.168.196.129', PODS, nodes, 'DST').kind, 'pod');
    assert.deepEqual(resolveEnd('node01', PODS, nodes, 'DST'), { kind: 'node', node: nodes[1], ip: '172.17.0.40' });
    assert.equal(resolveEnd('172.17.0.32', PODS, nodes, 'DST').kind, 'node');
    assert.deepEqual(resolveEnd('8.8.8.8', PODS, nodes, 'DST'), { kind: 'ip', ip: '8.8.8.8' });
  });
  test('bad ones are refused, naming the problem', () => {
    assert.throws(() => resolveEnd('default/nope', PODS, nodes, 'SRC'), /SRC default\/nope: no pod nope in namespace default/);
    assert.throws(() => resolveEnd('nonsense', PODS, nodes, 'DST'), /DST nonsense: not a pod \(NAMESPACE\/NAME\), endpoint, node or IP address/);
    assert.throws(() => startOf(resolveEnd('8.8.8.8', PODS, nodes, 'SRC')), (e) => e instanceof TraceInputError && /neither/.test(e.message));
  });
});

describe('the reply, when its path differs', () => {
  async function withReply(src: string, dst: string, o: PaperOptions) {
    const s = resolveEnd(src, PODS, nodes, 'SRC'), d = resolveEnd(dst, PODS, nodes, 'DST');
    const start = startOf(s);
    const forward = await stitch(start.node, start.arrival, { src: s.ip, dst: d.ip, protocol: 'icmp' }, paperAsker(o));
    return { forward, reply: await traceReply(forward, d, paperAsker(o)) };
  }

  test('pools with different encapsulation: IPIP there, VXLAN back, each direction told; the reply is established, past policy', async () => {
    const { forward, reply } = await withReply('default/busybox-a', 'default/busybox-b', { mode: 'ipip', blockModes: { controlplane: 'vxlan', node01: 'ipip' } });
    assert.equal(forward.hops.find((h) => h.action === 'encapsulate')!.encap!.type, 'ipip');
    assert.ok(reply, 'the reply is told');
    assert.equal(reply.differs, 'the packet goes controlplane over IPIP; the reply node01 over VXLAN');
    assert.deepEqual(reply.packet, { src: B.ips[0], dst: A.ips[0], protocol: 'icmp', established: true });
    assert.deepEqual(reply.hops.map((h) => `${h.node}:${h.action}`), [
      'node01:route', 'node01:arp', 'node01:route', 'node01:egress-policy', 'node01:encapsulate', 'node01:transmit',
      'controlplane:decapsulate', 'controlplane:route', 'controlplane:ingress-policy', 'controlplane:deliver',
    ]);
    const enc = reply.hops.find((h) => h.action === 'encapsulate')!.encap!;
    assert.deepEqual([enc.type, enc.outerSrc, enc.outerDst, enc.vni], ['vxlan', '172.17.0.40', '172.17.0.32', 4096]);
    assert.match(reply.hops.find((h) => h.action === 'ingress-policy')!.detail!, /reply of an accepted flow \(ct state established\) is accepted before any policy/);
  });

  test('the reply is established even where a new packet would be denied', async () => {
    const policy = denyIngressIcmpTo('busybox-a');
    const { reply } = await withReply('default/busybox-a', 'default/busybox-b', { mode: 'ipip', blockModes: { controlplane: 'vxlan', node01: 'ipip' }, policy });
    assert.equal(reply!.verdict, 'delivered', JSON.stringify(reply, null, 1));
    const fresh = await trace('default/busybox-b', 'default/busybox-a', { mode: 'ipip', blockModes: { controlplane: 'vxlan', node01: 'ipip' }, policy });
    assert.equal(fresh.verdict, 'dropped', 'the same packet as a new connection is denied');
  });

  test('one encapsulation both ways: the reply mirrors the path and is not repeated', async () => {
    for (const mode of ['ipip', 'vxlan', 'none'] as const) {
      const { reply } = await withReply('default/busybox-a', 'default/busybox-b', { mode });
      assert.equal(reply, undefined, mode);
    }
    assert.equal((await withReply('default/busybox-a', 'default/web', { mode: 'ipip' })).reply, undefined, 'same node');
  });

  test('NAT outgoing: the reply comes back to the node\'s address and conntrack returns it to the pod', async () => {
    const { reply } = await withReply('default/busybox-a', '8.8.8.8', { mode: 'ipip' });
    assert.ok(reply);
    assert.match(reply.differs, /NAT outgoing: the reply comes back to controlplane's address 172\.17\.0\.32, not to 192\.168\.235\.193/);
    assert.deepEqual(reply.packet, { src: '8.8.8.8', dst: '172.17.0.32', protocol: 'icmp', established: true, unNatTo: A.ips[0] });
    assert.deepEqual(reply.hops.map((h) => `${h.node}:${h.action}`), ['controlplane:reverse-nat', 'controlplane:route', 'controlplane:ingress-policy', 'controlplane:deliver']);
    assert.match(reply.hops[0]!.detail!, /8\.8\.8\.8 → 172\.17\.0\.32 is the reply of the masqueraded flow: conntrack turns its destination back into 192\.168\.235\.193/);
    assert.equal(reply.hops[1]!.interface, A.iface);
    assert.equal(reply.verdict, 'delivered');
    assert.equal((await withReply('default/busybox-a', '8.8.8.8', { mode: 'ipip', natOutgoing: false })).reply, undefined, 'no NAT: the reply is outside the cluster until it is routed back');
  });
});

describe('MTU (--size, DF set)', () => {
  test('larger than the pod\'s eth0: its own kernel refuses to send it', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip' }, { size: 1481 });
    assert.equal(r.verdict, 'dropped');
    assert.deepEqual(actions(r), ['controlplane:route', 'controlplane:arp', 'controlplane:drop']);
    assert.match(r.reason!, /^MTU: 1481 bytes exceed eth0 in pod default\/busybox-a \(its veth cali3f2a1b0c9d8 has MTU 1480\); the sender's kernel refuses it \(EMSGSIZE/);
    assert.equal((await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip' }, { size: 1480 })).verdict, 'delivered');
  });

  test('fits the pod but not the tunnel: the node drops it and answers fragmentation needed with the tunnel\'s MTU', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'vxlan' }, { size: 1460 });
    assert.equal(r.verdict, 'dropped');
    const last = r.hops.at(-1)!;
    assert.deepEqual([last.node, last.action, last.interface], ['controlplane', 'drop', 'vxlan.calico']);
    assert.match(r.reason!, /controlplane: MTU: 1460 bytes exceed vxlan\.calico \(MTU 1450 \(the fabric's MTU less the 50-byte VXLAN header\)\); with DF set controlplane drops it and answers ICMP "fragmentation needed, mtu 1450" to 192\.168\.235\.193/);
    assert.ok(!r.hops.some((h) => h.action === 'egress-policy'), 'before the forward hook: no policy is walked');
    assert.equal((await trace('default/busybox-a', 'default/busybox-b', { mode: 'vxlan' }, { size: 1450 })).verdict, 'delivered');
  });

  test('from the node itself: tunl0\'s MTU, refused by the node\'s own stack', async () => {
    const r = await trace('controlplane', 'default/busybox-b', { mode: 'ipip' }, { size: 1500 });
    assert.match(r.reason!, /MTU: 1500 bytes exceed tunl0 \(MTU 1480 \(the fabric's MTU less the 20-byte IPIP header\)\); the sender's kernel refuses it/);
  });
});

// --verify's plan, without root: the probe's unique filters (inner, inside IPIP, inside VXLAN, after NAT),
// where each predicted hop is captured and what it must show; and the article-like text.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { capturePlan, makeProbe, spoofedProbe } from '../../src/lab/trace-verify.ts';
import { renderText, renderJson } from '../../src/trace/text.ts';
import { resolveEnd, startOf, stitch } from '../../src/trace/stitch.ts';
import type { TraceResult } from '../../src/trace/types.ts';
import { NODES, PODS, paperAsker, type PaperOptions } from './fixtures.ts';

const nodes = NODES.map((n) => ({ name: n.name, addresses: [n.ip, n.tunnel] }));
const fixed = (v: number) => () => v;

async function trace(src: string, dst: string, o: PaperOptions): Promise<TraceResult> {
  const s = resolveEnd(src, PODS, nodes, 'SRC'), d = resolveEnd(dst, PODS, nodes, 'DST');
  const start = startOf(s);
  return stitch(start.node, start.arrival, { src: s.ip, dst: d.ip, protocol: 'icmp' }, paperAsker(o));
}

const nsOf = (h: { node: string; namespace?: string }) => (h.namespace ? `lab-${h.namespace.split('/')[1]}` : `lab-${h.node}`);

describe('the probe', () => {
  test('ICMP: its IP length, echo requests only, at the inner header\'s offset in each encapsulation', () => {
    const p = makeProbe({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 'icmp' }, 'node', fixed(1000));
    assert.equal(p.inner, 'icmp and ip[2:2] == 1028 and ip[20] == 8');
    assert.equal(p.ipip, 'ip proto 4 and ip[2:2] == 1048 and ip[40] == 8');
    assert.equal(p.vxlan, 'udp dst port 4789 and ip[2:2] == 1078 and ip[70] == 8');
    assert.deepEqual(p.argv, ['ping', '-c', '2', '-i', '0.3', '-W', '1', '-s', '1000', '10.0.0.2']);
  });
  test('TCP: its source port, in the inner header and inside IPIP/VXLAN', () => {
    const p = makeProbe({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 'tcp', port: 80, srcPort: 45678 }, 'node');
    assert.equal(p.inner, 'tcp and src port 45678 and dst host 10.0.0.2');
    assert.equal(p.ipip, 'ip proto 4 and ip[40:2] == 45678');
    assert.equal(p.vxlan, 'udp dst port 4789 and ip[70:2] == 45678');
    assert.equal(p.natted('172.17.0.32'), 'tcp and src host 172.17.0.32 and dst host 10.0.0.2 and dst port 80');
  });
  test('from another address: bound to it for the probe\'s duration; ICMP only', () => {
    const pkt = { src: '10.0.0.9', dst: '10.0.0.2', protocol: 'icmp' as const };
    const p = spoofedProbe(makeProbe(pkt, 'node', fixed(900)), pkt);
    assert.deepEqual(p.argv, ['sh', '-c', 'ip addr add 10.0.0.9/32 dev eth0 && { ping -c 2 -i 0.3 -W 1 -s 900 -I 10.0.0.9 10.0.0.2; ip addr del 10.0.0.9/32 dev eth0; }']);
    assert.throws(() => spoofedProbe(p, { ...pkt, protocol: 'udp', port: 53 }), /ICMP only/);
  });
});

describe('where each hop is captured', () => {
  test('IPIP across nodes: the pod\'s eth0, the outer packet on ens3 with its addresses, the veth at the far end', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip' });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const plan = capturePlan(r.hops, p, nsOf);
    const at = (i: number) => plan.find((x) => x.hop === i);
    assert.deepEqual([at(0)!.netns, at(0)!.iface, at(0)!.filter], ['lab-busybox-a', 'eth0', p.inner]);
    assert.equal(at(1), undefined, 'ARP is checked in the neighbour table, not captured');
    assert.deepEqual([at(2)!.netns, at(2)!.iface, at(2)!.filter], ['lab-controlplane', 'ens3', p.ipip], 'tunl0 hands the packet to eBPF: seen outside');
    assert.ok(at(5)!.mustShow!.test('IP 172.17.0.32 > 172.17.0.40: IP 192.168.235.193 > 192.168.196.129: ICMP echo request'));
    assert.ok(!at(5)!.mustShow!.test('IP 172.17.0.32 > 172.17.0.41: IP …'), 'another outer destination is a contradiction');
    assert.deepEqual([at(6)!.netns, at(6)!.iface], ['lab-node01', 'ens3']);
    assert.deepEqual([at(9)!.netns, at(9)!.iface, at(9)!.filter], ['lab-node01', PODS[1]!.iface, p.inner]);
    assert.ok(plan.every((x) => x.expect === 'seen'));
  });

  test('VXLAN: the outer form is UDP 4789 and must show the VNI', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'vxlan' });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const t = capturePlan(r.hops, p, nsOf).find((x) => r.hops[x.hop]!.action === 'transmit')!;
    assert.equal(t.filter, p.vxlan);
    assert.ok(t.mustShow!.test('IP 172.17.0.32.51234 > 172.17.0.40.4789: VXLAN, flags [I] (0x08), vni 4096'));
    assert.ok(!t.mustShow!.test('IP 172.17.0.32.51234 > 172.17.0.40.4789: VXLAN, flags [I] (0x08), vni 4097'));
  });

  test('a drop: nothing of the probe may leave that node', async () => {
    const r = await trace('default/busybox-a', '192.168.196.129', { mode: 'ipip', pods: [PODS[0]!] });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const plan = capturePlan(r.hops, p, nsOf);
    const drop = plan.find((x) => r.hops[x.hop]!.action === 'drop')!;
    assert.deepEqual([drop.netns, drop.iface, drop.expect, drop.outbound], ['lab-node01', 'any', 'not-seen', true]);
    assert.equal(drop.filter, `(${p.inner}) or (${p.ipip}) or (${p.vxlan})`);
  });

  test('NAT outgoing: after the node, the probe carries the node\'s address', async () => {
    const r = await trace('default/busybox-a', '8.8.8.8', { mode: 'ipip' });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const snat = capturePlan(r.hops, p, nsOf).find((x) => r.hops[x.hop]!.action === 'snat')!;
    assert.equal(snat.filter, 'icmp and src host 172.17.0.32 and ip[2:2] == 1028 and ip[20] == 8');
  });
});

test('text reads like the article: numbered steps with their commands; JSON keeps the documented keys', async () => {
  const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip' });
  const text = renderText(r);
  assert.match(text, /^1\. route — pod default\/busybox-a\n {3}in pod default\/busybox-a: default via 169\.254\.1\.1 dev eth0/);
  assert.match(text, /\n {3}\$ kubectl exec -n default busybox-a -- ip route get 192\.168\.196\.129\n/);
  assert.match(text, /\n5\. encapsulation — controlplane tunl0\n {3}IPIP: outer 172\.17\.0\.32 → 172\.17\.0\.40, IP protocol 4; tunl0 MTU 1480\n/);
  assert.match(text, /\n {3}\$ \(on node01\) tcpdump -ni ens3 ip proto 4\n/);
  assert.match(text, /\nverdict: delivered\n$/);
  const json = JSON.parse(renderJson(r));
  assert.deepEqual(Object.keys(json).sort(), ['hops', 'packet', 'verdict']);
  for (const h of json.hops) for (const k of Object.keys(h)) assert.ok(['node', 'namespace', 'interface', 'action', 'detail', 'policy', 'encap', 'command', 'verified', 'observed'].includes(k), k);
});

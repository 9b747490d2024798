// --verify's plan, without root: the probe's unique filters (inner, inside IPIP, inside VXLAN, after NAT),
// where each predicted hop is captured and what it must show; and the article-like text.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { probeArgv, probeFilter, probeSpecFor, probeSpecProblem, type ProbeSpec } from '../../src/trace/probe.ts';
import { capturePlan, judge } from '../../src/trace/verify-plan.ts';
import { verifyTrace, type VerifyTransport } from '../../src/trace/verify.ts';
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

/** The old Probe shape, for the filters' tests. */
function makeProbe(pkt: Parameters<typeof probeSpecFor>[0], _bin: string, pick: (lo: number, hi: number) => number = () => 50000) {
  const spec = probeSpecFor(pkt, pick);
  return { spec, inner: probeFilter(spec, 'inner'), ipip: probeFilter(spec, 'ipip'), vxlan: probeFilter(spec, 'vxlan'), natted: (src: string) => probeFilter(spec, 'natted', src), argv: probeArgv(spec, 'node') };
}

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
    const spec = probeSpecFor(pkt, fixed(900), '10.0.0.9');
    assert.deepEqual(probeArgv(spec, 'node'), ['sh', '-c', 'ip addr add 10.0.0.9/32 dev eth0 && { ping -c 2 -i 0.3 -W 1 -s 900 -I 10.0.0.9 10.0.0.2; ip addr del 10.0.0.9/32 dev eth0; }']);
    assert.match(probeSpecProblem({ ...spec, protocol: 'udp', port: 53 }), /ICMP only/);
  });
  test('a node checks the spec it is asked to send or look for', () => {
    const ok: ProbeSpec = { protocol: 'icmp', dst: '10.0.0.2', length: 1028 };
    assert.equal(probeSpecProblem(ok), '');
    assert.match(probeSpecProblem({ ...ok, dst: '10.0.0.2; rm -rf /' }), /probe\.dst must be an IPv4 address/);
    assert.match(probeSpecProblem({ ...ok, length: 65000 }), /probe\.length must be 29-9000/);
    assert.match(probeSpecProblem({ protocol: 'tcp', dst: '10.0.0.2', port: 80 }), /srcPort is needed for tcp/);
    assert.match(probeSpecProblem({ protocol: 'udp', dst: '10.0.0.2', length: 100 }), /probe\.port is needed for udp/);
  });
});

describe('where each hop is captured', () => {
  test('IPIP across nodes: the pod\'s eth0, the outer packet on ens3 with its addresses, the veth at the far end', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'ipip' });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const plan = capturePlan(r.hops, p.spec);
    const at = (i: number) => plan.find((x) => x.hop === i);
    assert.deepEqual([at(0)!.node, at(0)!.pod, at(0)!.iface, at(0)!.filter], ['controlplane', 'default/busybox-a', 'eth0', p.inner]);
    assert.equal(at(1), undefined, 'ARP is checked in the neighbour table, not captured');
    assert.deepEqual([at(2)!.node, at(2)!.pod, at(2)!.iface, at(2)!.filter, at(2)!.form], ['controlplane', undefined, 'ens3', p.ipip, 'ipip'], 'tunl0 hands the packet to eBPF: seen outside');
    assert.ok(at(5)!.mustShow!.test('IP 172.17.0.32 > 172.17.0.40: IP 192.168.235.193 > 192.168.196.129: ICMP echo request'));
    assert.ok(!at(5)!.mustShow!.test('IP 172.17.0.32 > 172.17.0.41: IP …'), 'another outer destination is a contradiction');
    assert.deepEqual([at(6)!.node, at(6)!.iface], ['node01', 'ens3']);
    assert.deepEqual([at(9)!.node, at(9)!.pod, at(9)!.iface, at(9)!.filter], ['node01', undefined, PODS[1]!.iface, p.inner]);
    assert.ok(plan.every((x) => x.expect === 'seen'));
  });

  test('VXLAN: the outer form is UDP 4789 and must show the VNI', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'vxlan' });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const t = capturePlan(r.hops, p.spec).find((x) => r.hops[x.hop]!.action === 'transmit')!;
    assert.equal(t.filter, p.vxlan);
    assert.ok(t.mustShow!.test('IP 172.17.0.32.51234 > 172.17.0.40.4789: VXLAN, flags [I] (0x08), vni 4096'));
    assert.ok(!t.mustShow!.test('IP 172.17.0.32.51234 > 172.17.0.40.4789: VXLAN, flags [I] (0x08), vni 4097'));
  });

  test('a drop: nothing of the probe may leave that node', async () => {
    const r = await trace('default/busybox-a', '192.168.196.129', { mode: 'ipip', pods: [PODS[0]!] });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const plan = capturePlan(r.hops, p.spec);
    const drop = plan.find((x) => r.hops[x.hop]!.action === 'drop')!;
    assert.deepEqual([drop.node, drop.iface, drop.expect, drop.outbound, drop.form], ['node01', 'any', 'not-seen', true, 'any']);
    assert.equal(drop.filter, `(${p.inner}) or (${p.ipip}) or (${p.vxlan})`);
  });

  test('NAT outgoing: after the node, the probe carries the node\'s address', async () => {
    const r = await trace('default/busybox-a', '8.8.8.8', { mode: 'ipip' });
    const p = makeProbe(r.packet!, 'node', fixed(1000));
    const snat = capturePlan(r.hops, p.spec).find((x) => r.hops[x.hop]!.action === 'snat')!;
    assert.equal(snat.filter, 'icmp and src host 172.17.0.32 and ip[2:2] == 1028 and ip[20] == 8');
  });
});

describe('judging the captures, and the order of the agents\' work', () => {
  test('seen, not seen, other outer headers; a drop that leaked; ARP by the neighbour entry; an unseen route by the kernel', async () => {
    const r = await trace('default/busybox-a', '192.168.196.129', { mode: 'ipip', pods: [PODS[0]!] });
    const spec = probeSpecFor(r.packet!, fixed(1000));
    const plan = capturePlan(r.hops, spec);
    const lineFor = (i: number) => (plan[i]!.form === 'ipip' ? ['IP 172.17.0.32 > 172.17.0.40: IP 192.168.235.193 > 192.168.196.129: ICMP echo request'] : ['IP 192.168.235.193 > 192.168.196.129: ICMP echo request']);
    const good = plan.map((p, i) => (p.expect === 'not-seen' ? { lines: [], routeGet: '192.168.196.129 dev blackhole' }
      : { lines: lineFor(i), ...(p.pod ? { neighbour: '169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE' } : {}) }));
    const ok = judge(r, plan, good);
    assert.equal(ok.contradictions, undefined, JSON.stringify(ok, null, 1));
    assert.equal(ok.hops.find((h) => h.action === 'arp')!.verified, true);
    const drop = ok.hops.at(-1)!;
    assert.deepEqual([drop.action, drop.verified, drop.observed], ['drop', true, 'nothing left node01 after this point']);
    const leaked = judge(r, plan, good.map((o, i) => (plan[i]!.expect === 'not-seen' ? { lines: ['IP 192.168.235.193 > 192.168.196.129: ICMP echo request'] } : o)));
    assert.match(leaked.contradictions!.join('\n'), /predicted a drop on node01, but the probe left it/);
    const t = plan.findIndex((p) => r.hops[p.hop]!.action === 'transmit');
    const wrongOuter = judge(r, plan, good.map((o, i) => (i === t ? { lines: ['IP 172.17.0.32 > 172.17.0.99: IP 192.168.235.193 > 192.168.196.129: ICMP echo request'] } : o)));
    assert.match(wrongOuter.contradictions!.join('\n'), /captured headers differ from the prediction/);
    const missed = judge(r, plan, good.map((o, i) => (i === 0 ? { lines: [], error: 'pod default/busybox-a has no endpoint on node controlplane' } : o)));
    assert.match(missed.contradictions![0]!, /hop 1 \(route on controlplane eth0\): could not capture: pod default\/busybox-a has no endpoint/);
  });

  test('the probe is sent from SRC\'s pod only once every capture listens, and the captures are the agents\' on their own nodes', async () => {
    const r = await trace('default/busybox-a', 'default/busybox-b', { mode: 'vxlan' });
    const log: string[] = [];
    const t: VerifyTransport = {
      capture: (node, body, listening) => new Promise((resolve) => {
        setTimeout(() => { log.push(`listen ${node} ${body.iface}`); listening(); }, 20 + log.length * 5);
        setTimeout(() => resolve({ lines: [`${body.form === 'vxlan' ? 'IP 172.17.0.32.40000 > 172.17.0.40.4789: VXLAN, flags [I] (0x08), vni 4096' : 'IP a > b: ICMP echo request'}`], ...(body.pod ? { neighbour: 'lladdr ee:ee:ee:ee:ee:ee' } : {}) }), 150);
      }),
      probe: async (node, body) => { log.push(`probe ${node} ${body.pod} ${(body.probe as ProbeSpec).length}`); },
    };
    const v = await verifyTrace(r, r.packet!, t, false, fixed(1000));
    const probeAt = log.findIndex((l) => l.startsWith('probe'));
    assert.equal(probeAt, log.length - 1, `the probe is last: ${log.join('; ')}`);
    assert.equal(log[probeAt], 'probe controlplane default/busybox-a 1028');
    assert.ok(log.some((l) => l === 'listen node01 ens3'));
    assert.equal(v.contradictions, undefined, JSON.stringify(v, null, 1));
    assert.ok(v.hops.every((h) => h.verified === true), JSON.stringify(v.hops.map((h) => [h.action, h.verified])));
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

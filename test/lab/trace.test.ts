// `tabby lab trace --verify` end to end (root): the nodes' agents answer over their trace endpoints, a real
// probe leaves SRC's namespace and tcpdump sees it (or, after a drop, does not) at every predicted hop.
// IPIP and VXLAN, pod → pod across nodes and on one node, node → pod, pod → external (NAT outgoing), a deny
// policy, a deleted pod's blackhole, its node's agent stopped (no route, the BGP session named); and every
// node's endpoint refuses callers without the cluster's token.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { labFixture, mustTabby, skip, tabby, inNs, readState } from './helpers.ts';
import { agentPid } from '../../src/lab/supervisor.ts';

interface Pod { name: string; ip: string; node: string }

function pods(name: string): Pod[] {
  const rows = mustTabby(['lab', 'pods', '--name', name, '-o', 'wide']).trim().split('\n').slice(1).map((l) => l.split(/\s+/));
  return rows.map((r) => ({ name: r[0]!, ip: r[5]!, node: r[6]! }));
}

function traceJson(name: string, args: string[]): { status: number | null; result: any; stderr: string } {
  const r = tabby(['lab', 'trace', '--name', name, '-o', 'json', ...args], { timeoutMs: 120_000 });
  let result: any;
  try { result = JSON.parse(r.stdout); } catch { result = undefined; }
  return { status: r.status, result, stderr: r.stderr };
}

/** Verified trace, retried while routes converge (BGP, VXLAN neighbours) after the pods came up. */
async function verifiedDelivery(name: string, args: string[], timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = traceJson(name, [...args, '--verify']);
    const ok = r.status === 0 && r.result?.verdict === 'delivered' && !r.result.contradictions;
    if (ok || Date.now() > deadline) {
      assert.ok(ok, `trace ${args.join(' ')} was not delivered and verified:\n${JSON.stringify(r.result, null, 1)}\n${r.stderr}`);
      return r.result;
    }
    await new Promise((res) => setTimeout(res, 2000));
  }
}

const actions = (r: any) => r.hops.map((h: any) => `${h.node}:${h.action}`);

function everyHopSeen(r: any): void {
  const unverified = r.hops.filter((h: any) => h.verified !== true).map((h: any) => `${h.node}:${h.action}:${h.verified}${h.observed ? ` (${h.observed})` : ''}`);
  assert.deepEqual(unverified, [], 'every hop verified by capture (or, for ARP, the neighbour table)');
}

describe('tabby lab trace, IPIP', { skip }, () => {
  const { name, cleanup } = labFixture();
  let a: Pod, b: Pod, web: Pod;
  before(() => {
    mustTabby(['lab', 'up', '--name', name]);
    mustTabby(['lab', 'run', 'busybox', '--name', name, '--replicas', '2']);
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1', '--node', 'controlplane']);
    const all = pods(name);
    a = all.find((p) => p.name.startsWith('busybox') && p.node === 'controlplane')!;
    b = all.find((p) => p.name.startsWith('busybox') && p.node === 'node01')!;
    web = all.find((p) => p.name.startsWith('web'))!;
    assert.ok(a && b && web, `pods placed as expected: ${JSON.stringify(all)}`);
  });
  after(cleanup);

  test('pod → pod on another node: the article\'s hops, each seen on the wire', async () => {
    const r = await verifiedDelivery(name, [a.name, b.name]);
    assert.deepEqual(actions(r), [
      'controlplane:route', 'controlplane:arp', 'controlplane:route', 'controlplane:egress-policy', 'controlplane:encapsulate',
      'controlplane:transmit', 'node01:decapsulate', 'node01:route', 'node01:ingress-policy', 'node01:deliver',
    ]);
    everyHopSeen(r);
    assert.match(r.hops[2].detail, /via 172\.17\.0\.40 dev tunl0 proto bird onlink/);
    assert.deepEqual(r.hops[4].encap, { type: 'ipip', outerSrc: '172.17.0.32', outerDst: '172.17.0.40', ipProtocol: 4 });
    assert.match(r.hops[5].observed, /IP 172\.17\.0\.32 > 172\.17\.0\.40: IP \S+ > \S+: ICMP echo request/);
    assert.match(r.hops[1].observed, /169\.254\.1\.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee/);
  });

  test('pod → pod on the same node, over TCP', async () => {
    const r = await verifiedDelivery(name, [a.name, `default/${web.name}`, '--protocol', 'tcp', '--port', '80']);
    assert.deepEqual(actions(r), ['controlplane:route', 'controlplane:arp', 'controlplane:route', 'controlplane:egress-policy', 'controlplane:ingress-policy', 'controlplane:deliver']);
    everyHopSeen(r);
    assert.match(r.hops[0].observed, /Flags \[S\]/);
  });

  test('node → pod', async () => {
    const r = await verifiedDelivery(name, ['controlplane', b.ip]);
    assert.deepEqual(actions(r), ['controlplane:route', 'controlplane:encapsulate', 'controlplane:transmit', 'node01:decapsulate', 'node01:route', 'node01:ingress-policy', 'node01:deliver']);
    everyHopSeen(r);
  });

  test('pod → external host: masqueraded to the node\'s address (NAT outgoing)', async () => {
    const r = await verifiedDelivery(name, [b.name, '8.8.8.8']);
    everyHopSeen(r);
    const snat = r.hops.find((h: any) => h.action === 'snat');
    assert.match(snat.detail, /masqueraded to 172\.17\.0\.40/);
    assert.match(snat.observed, /IP 172\.17\.0\.40 > 8\.8\.8\.8: ICMP echo request/);
    // The reply's own path: back to node01's address, then conntrack returns it to the pod.
    assert.match(r.reply?.differs ?? '', /NAT outgoing: the reply comes back to node01's address 172\.17\.0\.40/);
    assert.deepEqual(r.reply.hops.map((h: any) => `${h.node}:${h.action}`), ['node01:reverse-nat', 'node01:route', 'node01:ingress-policy', 'node01:deliver']);
    assert.equal(r.reply.hops[1].interface, r.hops.find((h: any) => h.action === 'egress-policy').interface, 'to the pod\'s own veth');
  });

  test('MTU: a probe larger than the pod\'s eth0 (DF set) is refused in the pod, and nothing of it leaves the node', () => {
    const r = traceJson(name, [a.name, b.name, '--size', '1600', '--verify']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.result?.verdict, 'dropped', JSON.stringify(r.result, null, 1));
    assert.match(r.result.reason, /^MTU: 1600 bytes exceed eth0 in pod default\/\S+ \(its veth cali[0-9a-f]{11} has MTU \d+\); the sender's kernel refuses it/);
    const last = r.result.hops.at(-1);
    assert.deepEqual([last.node, last.action, last.verified], ['controlplane', 'drop', true]);
    assert.equal(r.result.contradictions, undefined, JSON.stringify(r.result, null, 1));
  });

  test('every node\'s trace endpoint refuses a caller without the cluster\'s token', () => {
    const state = readState(name);
    for (const node of state.nodes) {
      for (const [auth, want] of [['', 401], ['Bearer not-the-token', 403]] as const) {
        const js = `fetch('http://${node.ip}:9097/trace/segment',{method:'POST',headers:${JSON.stringify(auth ? { authorization: auth } : {})},body:'{}'}).then(async r=>console.log(r.status,await r.text()))`;
        const r = inNs(state.nodes[0].ns, [process.execPath, '-e', js]);
        assert.match(r.stdout, new RegExp(`^${want} `), `${node.name} answered ${r.stdout}`);
        if (want === 401) assert.match(r.stdout, /authentication required/);
      }
    }
  });

  test('a deny policy: dropped at the destination\'s ingress, policy and rule named, the probe dies there', async () => {
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'apply', '-f', '-'], {
      input: `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: no-ping-busybox\nspec:\n  selector: app == 'busybox'\n  ingress:\n  - action: Allow\n    protocol: TCP\n  - action: Deny\n    protocol: ICMP\n`,
    });
    const deadline = Date.now() + 45_000;
    let r = traceJson(name, [a.name, b.name, '--verify']);
    while (r.result?.verdict !== 'dropped' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 1000));
      r = traceJson(name, [a.name, b.name, '--verify']);
    }
    assert.equal(r.status, 1, 'a dropped verdict exits 1');
    const last = r.result.hops.at(-1);
    assert.deepEqual([last.node, last.action], ['node01', 'drop']);
    assert.deepEqual(last.policy, { tier: 'default', name: 'no-ping-busybox', rule: 1, action: 'Deny', kind: 'GlobalNetworkPolicy' });
    assert.match(r.result.reason, /GlobalNetworkPolicy no-ping-busybox \(tier default\) rule 1 denies it/);
    assert.equal(r.result.contradictions, undefined, JSON.stringify(r.result, null, 1));
    everyHopSeen(r.result);
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'delete', 'gnp', 'no-ping-busybox']);
  });

  test('anti-spoofing: a pod sending from another pod\'s address is dropped on its own node, before any policy', () => {
    const r = traceJson(name, [a.name, b.ip, '--src-address', web.ip, '--verify']);
    assert.equal(r.status, 1);
    assert.equal(r.result?.verdict, 'dropped', JSON.stringify(r.result, null, 1));
    const last = r.result.hops.at(-1);
    assert.deepEqual([last.node, last.action, last.policy?.kind], ['controlplane', 'drop', 'Dispatch']);
    assert.match(last.interface, /^cali[0-9a-f]{11}$/);
    assert.match(r.result.reason, /Anti-spoofing: source address is not the workload's/);
    assert.match(r.result.hops[0].observed, new RegExp(`IP ${web.ip.replace(/\./g, '\\.')} > `), 'the probe really left with the other pod\'s address');
    assert.equal(r.result.contradictions, undefined, JSON.stringify(r.result, null, 1));
    everyHopSeen(r.result);
  });

  test('a deleted pod: the packet crosses and dies on its node\'s blackhole, and the capture agrees', async () => {
    mustTabby(['lab', 'delete', b.name, '--name', name]);
    const r = traceJson(name, [a.name, b.ip, '--verify']);
    assert.equal(r.result?.verdict, 'dropped', JSON.stringify(r.result, null, 1));
    assert.match(r.result.reason, /blackhole route .* the block \S+ is affine to node01, but no pod on node01 has/);
    assert.equal(r.result.hops.at(-1).node, 'node01');
    assert.equal(r.result.contradictions, undefined, JSON.stringify(r.result, null, 1));
    everyHopSeen(r.result);
  });

  test('the destination node\'s agent stopped after its pod was deleted: the route is withdrawn and the trace says why', async () => {
    const state = readState(name);
    const node01 = state.nodes.find((n: { name: string }) => n.name === 'node01');
    // Nothing restarts node01's agent once the supervisor is gone (it leaves the agents running when it stops).
    process.kill(state.supervisor.pid, 'SIGTERM');
    process.kill(agentPid(state, node01), 'SIGTERM');
    const deadline = Date.now() + 200_000;
    let r: any;
    for (;;) {
      r = traceJson(name, [a.name, b.ip]).result;
      if ((r?.verdict === 'dropped' && /BGP session with node01/.test(r.reason)) || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 3000));
    }
    assert.equal(r?.verdict, 'dropped', JSON.stringify(r, null, 1));
    assert.match(r.reason, /no route to \S+ on controlplane: its block \S+ is affine to node01; the BGP session with node01 \(\S+\) is (?!Established)\w+/);
    assert.equal(r.hops.at(-1).node, 'controlplane');
    // And the probe dies where the trace says: nothing of it leaves controlplane.
    const v = traceJson(name, [a.name, b.ip, '--verify']).result;
    assert.equal(v?.verdict, 'dropped', JSON.stringify(v, null, 1));
    assert.equal(v.contradictions, undefined, JSON.stringify(v, null, 1));
    everyHopSeen(v);
  });
});

describe('tabby lab trace, VXLAN', { skip }, () => {
  const { name, cleanup } = labFixture();
  after(cleanup);

  test('pod → pod: vxlan.calico, UDP 4789, VNI 4096 on the wire; node → pod, same node and NAT outgoing too', async () => {
    mustTabby(['lab', 'up', '--name', name, '--mode', 'vxlan']);
    mustTabby(['lab', 'run', 'busybox', '--name', name, '--replicas', '2']);
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1', '--node', 'node01']);
    const all = pods(name);
    const a = all.find((p) => p.node === 'controlplane')!, b = all.find((p) => p.node === 'node01' && p.name.startsWith('busybox'))!;
    const web = all.find((p) => p.name.startsWith('web'))!;
    everyHopSeen(await verifiedDelivery(name, [b.name, web.name]));
    const ext = await verifiedDelivery(name, [a.name, '8.8.8.8']);
    everyHopSeen(ext);
    assert.match(ext.hops.find((h: any) => h.action === 'snat').observed, /IP 172\.17\.0\.32 > 8\.8\.8\.8/);
    const r = await verifiedDelivery(name, [a.name, b.name]);
    everyHopSeen(r);
    const enc = r.hops.find((h: any) => h.action === 'encapsulate');
    assert.equal(enc.encap.type, 'vxlan');
    assert.deepEqual([enc.encap.outerSrc, enc.encap.outerDst, enc.encap.vni, enc.encap.udpPort], ['172.17.0.32', '172.17.0.40', 4096, 4789]);
    assert.match(enc.encap.vtepMac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.match(r.hops.find((h: any) => h.action === 'transmit').observed, /172\.17\.0\.32\.\d+ > 172\.17\.0\.40\.4789: VXLAN.*vni 4096/);
    everyHopSeen(await verifiedDelivery(name, ['node01', a.ip]));
  });
});

describe('tabby lab trace, no encapsulation and CrossSubnet', { skip }, () => {
  const fixtures = [labFixture(), labFixture()];
  after(() => { for (const f of fixtures) f.cleanup(); });

  test('mode none: routed on ens3 as is (pod → pod across nodes and on one, node → pod, NAT outgoing), every hop seen', async () => {
    const name = fixtures[0]!.name;
    mustTabby(['lab', 'up', '--name', name, '--mode', 'none']);
    mustTabby(['lab', 'run', 'busybox', '--name', name, '--replicas', '2']);
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1', '--node', 'controlplane']);
    const all = pods(name);
    const a = all.find((p) => p.node === 'controlplane' && p.name.startsWith('busybox'))!, b = all.find((p) => p.node === 'node01')!;
    everyHopSeen(await verifiedDelivery(name, [a.name, all.find((p) => p.name.startsWith('web'))!.name]));
    const r = await verifiedDelivery(name, [a.name, b.name, '--protocol', 'udp', '--port', '5353']);
    everyHopSeen(r);
    assert.ok(!r.hops.some((h: any) => h.encap), 'no encapsulation');
    assert.match(r.hops.find((h: any) => h.action === 'transmit').detail, /unencapsulated on ens3 to node01 \(172\.17\.0\.40\)/);
    everyHopSeen(await verifiedDelivery(name, ['node01', a.ip]));
    everyHopSeen(await verifiedDelivery(name, [a.name, '8.8.8.8']));
  });

  test('vxlan-crosssubnet over two subnets: direct to the same subnet, VXLAN through the router to the other (pods across nodes and on one, node → pod, NAT outgoing)', async () => {
    const name = fixtures[1]!.name;
    mustTabby(['lab', 'up', '--name', name, '--nodes', '3', '--subnets', '2', '--mode', 'vxlan-crosssubnet']);
    mustTabby(['lab', 'run', 'busybox', '--name', name, '--replicas', '3']);
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1', '--node', 'controlplane']);
    const all = pods(name);
    const cp = all.find((p) => p.node === 'controlplane' && p.name.startsWith('busybox'))!;
    const local = await verifiedDelivery(name, [cp.name, all.find((p) => p.name.startsWith('web'))!.name]);
    everyHopSeen(local);
    assert.ok(!local.hops.some((h: any) => h.encap || h.action === 'transmit'), 'on one node: no encapsulation, nothing on the fabric');
    // node02 (172.17.0.41) shares controlplane's subnet; node01 (172.17.1.40) is behind the router.
    const same = await verifiedDelivery(name, [cp.name, all.find((p) => p.node === 'node02' && p.name.startsWith('busybox'))!.name]);
    everyHopSeen(same);
    assert.ok(!same.hops.some((h: any) => h.encap));
    const across = await verifiedDelivery(name, [cp.name, all.find((p) => p.node === 'node01' && p.name.startsWith('busybox'))!.name]);
    everyHopSeen(across);
    const t = across.hops.find((h: any) => h.action === 'transmit');
    assert.equal(t.encap.type, 'vxlan');
    assert.match(t.detail, /through the router 172\.17\.0\.1 \(another subnet\)/);
    assert.match(t.observed, /172\.17\.0\.32\.\d+ > 172\.17\.1\.40\.4789: VXLAN.*vni 4096/);
    everyHopSeen(await verifiedDelivery(name, ['node01', cp.ip]));
    const ext = await verifiedDelivery(name, [all.find((p) => p.node === 'node01' && p.name.startsWith('busybox'))!.name, '8.8.8.8']);
    everyHopSeen(ext);
    assert.match(ext.hops.find((h: any) => h.action === 'snat').detail, /masqueraded to 172\.17\.1\.40/);
  });
});

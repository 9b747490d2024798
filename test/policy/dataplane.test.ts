// Dataplane behaviour beyond the truth tables: policies changing under live traffic, anti-spoofing,
// fail-closed handling of unknown cali interfaces, incremental IP-set updates as pods come and go, and
// drift repair. Same two-node lab as the truth tables.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { PolicyLab, PodAgent, caliName, k8sPolicy, type CaseResources, type LabPod } from './lab.ts';
import { waitUntil } from '../helpers/wait.ts';

const AGENT = new URL('./pod-agent.mjs', import.meta.url).pathname;

async function expectMatrix(lab: PolicyLab, res: CaseResources, label: string): Promise<void> {
  await lab.apply(res);
  // UDP flows stay "established" for 30 s in conntrack; forget them so each step probes new flows.
  for (const n of lab.nodes) lab.fx.run(n.netns, ['conntrack', '-D', '-p', 'udp']);
  const results = await lab.probeAll();
  assert.equal(PolicyLab.describeMismatches(results), '', label);
}

describe('policy dataplane', { skip: netnsSkipReason() }, () => {
  let lab: PolicyLab;
  before(async () => { lab = await PolicyLab.create(2); });
  after(() => lab?.cleanup());

  test('policies change while traffic flows: established connections continue, new ones follow policy', async () => {
    await lab.apply({});
    lab.flushConntrack();
    const client = lab.pod('y/a');
    const server = lab.pod('x/a');
    assert.equal((await client.agent.call({ op: 'hold', host: server.ip, port: 80, timeoutMs: 2000 })).ok, true, 'open a long-lived connection');
    assert.equal((await client.agent.call({ op: 'held', timeoutMs: 1000 })).ok, true);

    const denyX = k8sPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    await expectMatrix(lab, { k8s: [denyX] }, 'after default deny in x');
    const fresh = await client.agent.call({ op: 'probe', host: server.ip, port: 80, proto: 'tcp', timeoutMs: 700 });
    assert.equal(fresh.ok, false, 'a new connection y/a → x/a is denied');
    assert.equal((await client.agent.call({ op: 'held', timeoutMs: 1000 })).ok, true, 'the established connection survives (as in Calico)');

    // Same policy name, new content: an in-place update.
    const fromY = k8sPolicy('x', 'deny-ingress', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81 }] }] });
    await expectMatrix(lab, { k8s: [fromY] }, 'after updating the policy in place to allow y on TCP 81');
    await expectMatrix(lab, {
      k8s: [fromY, k8sPolicy('x', 'egress-to-z', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] })],
    }, 'after adding a second policy');
    await expectMatrix(lab, {}, 'after deleting every policy');
    assert.equal((await client.agent.call({ op: 'held', timeoutMs: 1000 })).ok, true);
  });

  test('a workload sending from an address that is not its own is dropped', async () => {
    await lab.apply({});
    lab.flushConntrack();
    const spoofer = lab.pod('x/a');
    const sameNode = lab.pods.find((p) => p.node === spoofer.node && p !== spoofer)!;
    const otherNode = lab.pods.find((p) => p.node !== spoofer.node)!;
    const fake = spoofer.ip.replace(/\.\d+$/, '.222');
    const stolen = lab.pods.find((p) => ![spoofer, sameNode, otherNode].includes(p))!.ip; // another pod's real address
    // The spoofing pod configures addresses it was not given (what a compromised pod can do inside its netns).
    for (const a of [fake, stolen]) lab.fx.exec(spoofer.netns, ['ip', 'addr', 'add', `${a}/32`, 'dev', 'eth0']);
    const send = async (src: string, dst: LabPod) => {
      assert.equal((await spoofer.agent.call({ op: 'spoof', src, host: dst.ip, port: 80, count: 3 })).ok, true);
    };
    const seen = async (p: LabPod) => new Set<string>((await p.agent.call({ op: 'seen' })).sources);
    try {
      for (const dst of [sameNode, otherNode]) {
        await send(spoofer.ip, dst);
        await send(fake, dst);
        await send(stolen, dst);
      }
      // Deliberate window: the spoofed datagrams must NOT arrive; give them time to (they were sent with the genuine ones).
      await new Promise((r) => setTimeout(r, 300));
      for (const dst of [sameNode, otherNode]) {
        const s = await seen(dst);
        assert.ok(s.has(spoofer.ip), `${dst.key} received the genuine datagrams`);
        assert.ok(!s.has(fake), `${dst.key} must not receive datagrams from unowned ${fake}`);
        assert.ok(!s.has(stolen), `${dst.key} must not receive datagrams with another pod's address ${stolen}`);
      }
      // Control: without our table the same datagrams do arrive, so the check above can fail.
      const node = lab.nodes.find((n) => n.name === spoofer.node)!;
      await node.manager.removeTable();
      await send(fake, sameNode);
      await waitUntil(async () => (await seen(sameNode)).has(fake), { timeoutMs: 3_000, everyMs: 50 });
      assert.ok((await seen(sameNode)).has(fake), 'control: without policy the spoofed datagrams arrive');
    } finally {
      for (const a of [fake, stolen]) lab.fx.run(spoofer.netns, ['ip', 'addr', 'del', `${a}/32`, 'dev', 'eth0']);
      // The manager's model is gone with the table; the next apply writes everything again.
      for (const n of lab.nodes) { n.manager.update(lab.snapshot({})); await n.manager.apply(); }
    }
  });

  test('an unknown cali interface passes nothing; registering its endpoint opens it; removal closes it again', async () => {
    const node1 = lab.nodes[0]!;
    const ip = node1.block.replace('.0/24', '.250');
    const q = lab.plumbPod(node1, 'pq', 'x.q', ip);
    const agent = new PodAgent(lab.fx.spawn(q.netns, [process.execPath, AGENT, '80', '81'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    await agent.call({ op: 'ready' });
    const xa = lab.pod('x/a');
    const remote = lab.pods.find((p) => p.node !== node1.name)!;
    const reach = async () => ({
      out: (await agent.call({ op: 'probe', host: xa.ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok as boolean,
      outRemote: (await agent.call({ op: 'probe', host: remote.ip, port: 81, proto: 'udp', timeoutMs: 700 })).ok as boolean,
      in: (await xa.agent.call({ op: 'probe', host: ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok as boolean,
    });
    const qPod = { namespace: 'x', name: 'q', node: node1.name, iface: q.iface, ip, labels: { pod: 'q' }, ports: [] };
    const onlyFromQ: CaseResources = {
      k8s: [k8sPolicy('x', 'b-from-q', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'q' } } }] }] })],
    };
    try {
      await lab.apply(onlyFromQ);
      lab.flushConntrack();
      assert.equal(q.iface, caliName('x.q'));
      assert.deepEqual(await reach(), { out: false, outRemote: false, in: false }, 'unknown interface: nothing in or out');

      lab.extraEndpoints = [lab.workloadEndpoint(qPod)];
      const snap = lab.snapshot(onlyFromQ);
      const results = await Promise.all(lab.nodes.map((n) => { n.manager.update(snap); return n.manager.apply(); }));
      assert.deepEqual(results.map((r) => r.mode), ['incremental', 'incremental'], 'a new pod is an incremental update');
      assert.deepEqual(await reach(), { out: true, outRemote: true, in: true }, 'registered endpoint: allowed');
      // The selector set behind "from pod q" gained q's address on every node (incrementally).
      const xb = lab.pod('x/b');
      assert.equal((await agent.call({ op: 'probe', host: xb.ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok, true, 'q → x/b allowed by b-from-q');
      assert.equal((await lab.pod('x/c').agent.call({ op: 'probe', host: xb.ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok, false, 'x/c → x/b denied');

      // Leave a flow in conntrack, then remove the endpoint: its flows must be forgotten (as Felix does).
      assert.equal((await agent.call({ op: 'probe', host: remote.ip, port: 80, proto: 'udp', timeoutMs: 700 })).ok, true);
      assert.match(lab.fx.exec(node1.netns, ['conntrack', '-L', '-s', ip], {}).trim(), new RegExp(ip.replace(/\./g, '\\.')));
      lab.extraEndpoints = [];
      await lab.apply(onlyFromQ);
      assert.equal(lab.fx.run(node1.netns, ['conntrack', '-L', '-s', ip]).stdout.trim(), '', 'flows of the removed endpoint are gone');
      assert.deepEqual(await reach(), { out: false, outRemote: false, in: false }, 'endpoint removed: closed again');
    } finally {
      lab.extraEndpoints = [];
    }
  });

  test('ICMP type rules: echo requests from x are denied, other traffic is not', async () => {
    await lab.apply({
      globalNetworkPolicies: [{
        apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'no-ping-from-x' },
        spec: { selector: 'all()', ingress: [{ action: 'Deny', protocol: 'ICMP', icmp: { type: 8 }, source: { namespaceSelector: "ns == 'x'" } }, { action: 'Allow' }] },
      }],
    });
    lab.flushConntrack();
    const ping = (from: LabPod, to: LabPod) => lab.fx.run(from.netns, ['ping', '-c', '1', '-W', '1', to.ip]).status === 0;
    const [xa, xb, ya] = [lab.pod('x/a'), lab.pod('x/b'), lab.pod('y/a')];
    assert.equal(ping(xa, ya), false, 'x/a → y/a echo denied');
    assert.equal(ping(xa, xb), false, 'x/a → x/b echo denied');
    assert.equal(ping(ya, xa), true, 'y/a → x/a echo allowed');
    assert.equal((await xa.agent.call({ op: 'probe', host: ya.ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok, true, 'x/a → y/a TCP allowed');
  });

  test('drift: resync detects an edited or deleted table and rewrites it', async () => {
    const res = { k8s: [k8sPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] };
    await lab.apply(res);
    const n1 = lab.nodes[0]!;
    assert.equal(await n1.manager.resync(), undefined, 'no drift right after apply');
    lab.fx.exec(n1.netns, ['nft', 'flush', 'chain', 'inet', 'tabby', 'cali-to-wl-dispatch']);
    assert.match(String(await n1.manager.resync()), /cali-to-wl-dispatch/);
    lab.fx.exec(n1.netns, ['nft', 'delete', 'table', 'inet', 'tabby']);
    assert.equal(await n1.manager.resync(), 'table missing');
    assert.equal(await n1.manager.resync(), undefined, 'repaired');
    await expectMatrix(lab, res, 'after repairs');
  });

  test('pod-to-host traffic passes the pod\'s egress policy', async () => {
    const node1 = lab.nodes[0]!;
    const hostAgent = new PodAgent(lab.fx.spawn(node1.netns, [process.execPath, AGENT, '80'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    await hostAgent.call({ op: 'ready' });
    const local = lab.pods.filter((p) => p.node === node1.name);
    const [blocked, open] = [local.find((p) => p.namespace === 'x')!, local.find((p) => p.namespace !== 'x')!];
    await lab.apply({ k8s: [k8sPolicy('x', 'no-egress', { podSelector: {}, policyTypes: ['Egress'] })] });
    lab.flushConntrack();
    assert.equal((await blocked.agent.call({ op: 'probe', host: node1.ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok, false, `${blocked.key} → host denied by egress policy`);
    assert.equal((await open.agent.call({ op: 'probe', host: node1.ip, port: 80, proto: 'tcp', timeoutMs: 700 })).ok, true, `${open.key} → host allowed`);
  });
});

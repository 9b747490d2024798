// Host endpoints enforced on a node's own interfaces, probed for real. One node namespace with two fabric
// interfaces (ens1 to `peer`, ens2 to `peer2`) and one pod; a probe agent in the node (TCP+UDP on 22, 179,
// 8080, 8081), in each peer and in the pod. Each step applies a snapshot through the PolicyManager (nft
// inside the node namespace) and probes. Expectations are Felix's (rules/static.go, endpoints.go,
// dispatch.go; config_params.go failsafe defaults), stated with each step.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { netnsSkipReason } from '../helpers/netns.ts';
import { createLogger } from '../../src/log.ts';
import { createPolicyManager, type PolicyManager } from '../../src/policy/manager.ts';
import { netnsRunner } from '../../src/policy/nft.ts';
import { emptySnapshot, type GlobalNetworkPolicy, type HostEndpoint, type PolicySnapshot, type PolicySpec, type FelixConfiguration } from '../../src/policy/model.ts';
import { PodAgent, PolicyLab, type LabNode, type LabPod } from './lab.ts';

const AGENT = fileURLToPath(new URL('./pod-agent.mjs', import.meta.url));
const NODE_IP = '10.0.0.1';
const PEER_IP = '10.0.0.2';
const PEER2_IP = '10.1.0.2';

function hep(name: string, spec: HostEndpoint['spec'], labels: Record<string, string> = { role: 'gw' }): HostEndpoint {
  return { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name, labels }, spec: { node: 'node1', ...spec } };
}

function gnp(name: string, spec: PolicySpec): GlobalNetworkPolicy {
  return { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { selector: "role == 'gw'", ...spec } };
}

const DENY_ALL = gnp('deny-all', { types: ['Ingress', 'Egress'] });
const HEP_ENS1 = hep('node1-ens1', { interfaceName: 'ens1' });

describe('host endpoints', { skip: netnsSkipReason() }, () => {
  const lab = new PolicyLab();
  const log = createLogger('hep-test', { level: process.env.TABBY_TEST_LOG ?? 'silent' });
  let nodeNs: string;
  let manager: PolicyManager;
  let nodeAgent: PodAgent, peer: PodAgent, peer2: PodAgent;
  let pod: LabPod;

  before(async () => {
    const fx = lab.fx;
    nodeNs = fx.add('hn');
    const peerNs = fx.add('hp');
    const peer2Ns = fx.add('hq');
    fx.link(nodeNs, 'ens1', peerNs, 'ens1');
    fx.link(nodeNs, 'ens2', peer2Ns, 'ens2');
    fx.exec(nodeNs, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    fx.exec(nodeNs, ['ip', 'addr', 'add', `${NODE_IP}/24`, 'dev', 'ens1']);
    fx.exec(nodeNs, ['ip', 'addr', 'add', '10.1.0.1/24', 'dev', 'ens2']);
    // A default route lets proxy ARP answer the pod's 169.254.1.1 (as on a real node).
    fx.exec(nodeNs, ['ip', 'route', 'add', 'default', 'via', PEER_IP]);
    fx.exec(peerNs, ['ip', 'addr', 'add', `${PEER_IP}/24`, 'dev', 'ens1']);
    fx.exec(peerNs, ['ip', 'route', 'add', 'default', 'via', NODE_IP]);
    fx.exec(peer2Ns, ['ip', 'addr', 'add', `${PEER2_IP}/24`, 'dev', 'ens2']);
    fx.exec(peer2Ns, ['ip', 'route', 'add', 'default', 'via', '10.1.0.1']);
    // The node's own services, and what the peers serve.
    nodeAgent = new PodAgent(fx.spawn(nodeNs, [process.execPath, AGENT, '22', '179', '4789', '8080', '8081'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    peer = new PodAgent(fx.spawn(peerNs, [process.execPath, AGENT, '179', '4789', '9090'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    peer2 = new PodAgent(fx.spawn(peer2Ns, [process.execPath, AGENT, '9090'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const node: LabNode = { name: 'node1', netns: nodeNs, ip: NODE_IP, block: '10.65.1.0/24', manager: undefined as unknown as PolicyManager };
    const plumbed = lab.plumbPod(node, 'hw', 'default.web', '10.65.1.10');
    const agent = new PodAgent(fx.spawn(plumbed.netns, [process.execPath, AGENT, '80'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    pod = { key: 'default/web', namespace: 'default', name: 'web', ip: '10.65.1.10', node: 'node1', ...plumbed, agent, labels: { app: 'web' }, ports: [] };
    manager = createPolicyManager({ nodeName: 'node1', log, run: netnsRunner(nodeNs), runConntrack: netnsRunner(nodeNs, 'conntrack'), runIp: netnsRunner(nodeNs, 'ip') });
    await Promise.all([nodeAgent, peer, peer2, agent].map((a) => a.call({ op: 'ready' })));
  });
  after(() => lab.cleanup());

  async function apply(parts: Partial<PolicySnapshot>): Promise<void> {
    const snap: PolicySnapshot = {
      ...emptySnapshot(),
      workloadEndpoints: [lab.workloadEndpoint(pod)],
      profiles: [lab.namespaceProfile({ name: 'default', labels: {} })],
      ...parts,
    };
    manager.update(snap);
    await manager.apply();
    // Each step starts from new flows: established ones would pass whatever the new policy says.
    lab.fx.run(nodeNs, ['conntrack', '-F']);
  }

  /** Whether `from` connects to host:port; an expected success gets retries (a loaded machine is slow). */
  async function reach(from: PodAgent, host: string, port: number, expect: boolean, proto: 'tcp' | 'udp' = 'tcp'): Promise<boolean> {
    for (let i = 0; ; i++) {
      const ok = (await from.call({ op: 'probe', host, port, proto, timeoutMs: expect ? 1500 : 700 })).ok === true;
      if (ok === expect || i >= 2) return ok;
    }
  }

  async function expectReach(cases: Array<[PodAgent, string, string, number, boolean]>): Promise<void> {
    const got = await Promise.all(cases.map(async ([from, label, host, port, want]) => ({ label: `${label} ${host}:${port}`, want, ok: await reach(from, host, port, want) })));
    const wrong = got.filter((g) => g.ok !== g.want).map((g) => `${g.label}: ${g.ok ? 'reached' : 'blocked'}, expected ${g.want ? 'reached' : 'blocked'}`);
    assert.deepEqual(wrong, []);
  }

  test('without host endpoints the node is open', async () => {
    await apply({});
    await expectReach([
      [peer, 'peer→node', NODE_IP, 22, true], [peer, 'peer→node', NODE_IP, 8080, true], [nodeAgent, 'node→peer', PEER_IP, 9090, true],
      [nodeAgent, 'node→pod', pod.ip, 80, true], [pod.agent, 'pod→peer', PEER_IP, 9090, true],
    ]);
  });

  test('a host endpoint without policy drops everything but failsafe traffic; pods and forwarding are untouched', async () => {
    await apply({ hostEndpoints: [HEP_ENS1] });
    await expectReach([
      [peer, 'peer→node (failsafe in tcp:22)', NODE_IP, 22, true],
      [peer, 'peer→node (failsafe in tcp:179)', NODE_IP, 179, true],
      [peer, 'peer→node', NODE_IP, 8080, false],
      [nodeAgent, 'node→peer (failsafe out tcp:179)', PEER_IP, 179, true],
      [nodeAgent, 'node→peer', PEER_IP, 9090, false],
      // Felix polices host → local workload with nothing, and forwarded traffic only with applyOnForward policy.
      [nodeAgent, 'node→pod', pod.ip, 80, true],
      [pod.agent, 'pod→peer (forwarded)', PEER_IP, 9090, true],
      [peer, 'peer→peer2 (forwarded)', PEER2_IP, 9090, true],
    ]);
    // ens2 has no host endpoint: not policed.
    await expectReach([[peer2, 'peer2→node via ens2', '10.1.0.1', 8080, true]]);
  });

  test('under a deny-all host policy failsafe ports stay open; a policy allowing a port opens it', async () => {
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL] });
    await expectReach([[peer, 'peer→node', NODE_IP, 22, true], [peer, 'peer→node', NODE_IP, 179, true], [peer, 'peer→node', NODE_IP, 8080, false]]);
    const allow8080 = gnp('allow-8080', { order: 10, ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }] });
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL, allow8080] });
    await expectReach([[peer, 'peer→node', NODE_IP, 8080, true], [peer, 'peer→node', NODE_IP, 8081, false], [nodeAgent, 'node→peer', PEER_IP, 9090, false]]);
  });

  test('FelixConfiguration failsafe ports replace the defaults, nets included', async () => {
    const felix: FelixConfiguration = {
      apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' },
      spec: { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 8081 }, { protocol: 'TCP', port: 8080, net: '10.0.0.99/32' }], failsafeOutboundHostPorts: [] },
    };
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL], felixConfigurations: [felix] });
    await expectReach([
      [peer, 'peer→node (configured failsafe)', NODE_IP, 8081, true],
      [peer, 'peer→node (failsafe only from 10.0.0.99)', NODE_IP, 8080, false],
      [peer, 'peer→node (22 no longer failsafe)', NODE_IP, 22, false],
      [nodeAgent, 'node→peer (no outbound failsafe)', PEER_IP, 179, false],
    ]);
  });

  test('a host endpoint matched by expectedIPs, and one for all interfaces', async () => {
    await apply({ hostEndpoints: [hep('by-ip', { expectedIPs: [NODE_IP] })], globalNetworkPolicies: [DENY_ALL] });
    await expectReach([[peer, 'peer→node', NODE_IP, 22, true], [peer, 'peer→node', NODE_IP, 8080, false], [peer2, 'peer2→node via ens2', '10.1.0.1', 8080, true]]);
    await apply({ hostEndpoints: [hep('all', { interfaceName: '*' })], globalNetworkPolicies: [DENY_ALL] });
    await expectReach([
      [peer, 'peer→node', NODE_IP, 8080, false], [peer2, 'peer2→node via ens2', '10.1.0.1', 8080, false],
      [peer2, 'peer2→node via ens2', '10.1.0.1', 22, true], [nodeAgent, 'node→pod', pod.ip, 80, true],
    ]);
  });

  test('applyOnForward policy polices forwarded traffic; normal policy does not', async () => {
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL] });
    await expectReach([[peer, 'peer→peer2 (forwarded)', PEER2_IP, 9090, true]]);
    const fwdDeny = gnp('fwd-deny', { applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [9090] } }] });
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL, fwdDeny] });
    await expectReach([[peer, 'peer→peer2 (forwarded)', PEER2_IP, 9090, false], [peer, 'peer→node', NODE_IP, 22, true]]);
  });

  test('preDNAT policy sees the destination before DNAT', async () => {
    // The test's own NAT in the node namespace: TCP 18080 → 8080 (as a NodePort would be).
    lab.fx.exec(nodeNs, ['nft', 'add table ip hep_test_nat; add chain ip hep_test_nat pre { type nat hook prerouting priority -100; }; add rule ip hep_test_nat pre tcp dport 18080 redirect to :8080']);
    const allowAll = gnp('allow-all', { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] });
    const preDeny = (port: number) => gnp('pre-deny', { preDNAT: true, applyOnForward: true, order: 1, ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [port] } }] });
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [allowAll, preDeny(18080)] });
    await expectReach([[peer, 'peer→node (pre-DNAT port denied)', NODE_IP, 18080, false], [peer, 'peer→node', NODE_IP, 8080, true]]);
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [allowAll, preDeny(8080)] });
    await expectReach([[peer, 'peer→node (DNAT to the denied port)', NODE_IP, 18080, true], [peer, 'peer→node', NODE_IP, 8080, false]]);
    lab.fx.exec(nodeNs, ['nft', 'delete table ip hep_test_nat']);
  });

  test('doNotTrack policy allows without conntrack and denies before normal policy', async () => {
    const untracked = gnp('untracked', {
      doNotTrack: true, applyOnForward: true, order: 1,
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }, { action: 'Deny', protocol: 'TCP', destination: { ports: [8081] } }],
      egress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [8080] } }],
    });
    const allow8081 = gnp('allow-8081', { order: 10, ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8081] } }] });
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL, untracked, allow8081] });
    await expectReach([[peer, 'peer→node (untracked allow)', NODE_IP, 8080, true], [peer, 'peer→node (untracked deny beats normal allow)', NODE_IP, 8081, false]]);
    const flows = lab.fx.exec(nodeNs, ['conntrack', '-L', '-p', 'tcp']);
    assert.doesNotMatch(flows, /dport=8080/, 'untracked flows leave no conntrack entry');
    // Control: a tracked connection (failsafe port 22) does leave one.
    await expectReach([[peer, 'peer→node', NODE_IP, 22, true]]);
    assert.match(lab.fx.exec(nodeNs, ['conntrack', '-L', '-p', 'tcp']), /dport=22\b/);
  });

  test("the nodes' own VXLAN traffic passes host endpoint policy while a pool uses VXLAN (Felix's auto-allow)", async () => {
    const peerNode = { apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: 'peer' }, spec: { bgp: { ipv4Address: `${PEER_IP}/24` } } };
    const pool = (vxlanMode: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.65.0.0/16', vxlanMode } });
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL], nodes: [peerNode], ipPools: [pool('Never')] });
    assert.equal(await reach(peer, NODE_IP, 4789, false, 'udp'), false, 'no VXLAN pool: the host policy decides (deny)');
    assert.equal(await reach(nodeAgent, PEER_IP, 4789, false, 'udp'), false, 'no VXLAN pool: egress denied too');
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL], nodes: [peerNode], ipPools: [pool('Always')] });
    assert.equal(await reach(peer, NODE_IP, 4789, true, 'udp'), true, 'VXLAN from a Calico node is allowed before host policy');
    assert.equal(await reach(nodeAgent, PEER_IP, 4789, true, 'udp'), true, 'VXLAN to a Calico node is allowed before host policy');
    assert.equal(await reach(peer, NODE_IP, 8080, false), false, 'everything else is still denied');
  });

  test('removing the host endpoint restores open access', async () => {
    await apply({ hostEndpoints: [HEP_ENS1], globalNetworkPolicies: [DENY_ALL] });
    await expectReach([[peer, 'peer→node', NODE_IP, 8080, false]]);
    await apply({ globalNetworkPolicies: [DENY_ALL] });
    await expectReach([[peer, 'peer→node', NODE_IP, 8080, true], [nodeAgent, 'node→peer', PEER_IP, 9090, true]]);
    const table = lab.fx.exec(nodeNs, ['nft', 'list', 'table', 'inet', 'tabby']);
    assert.doesNotMatch(table, /cali-OUTPUT|raw-cali-PREROUTING/, 'no host endpoint chains are left');
  });
});

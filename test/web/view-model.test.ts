// What the page draws, from resources and agent answers (pure): nodes with blocks, tunnels and pods; BGP
// sessions merged from both ends, the worse state winning; external peers; agents that do not answer.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../src/api/resource.ts';
import type { BgpStatus, PeerStatus } from '../../src/bgp/status.ts';
import { clusterView, type AgentStatus } from '../../src/web/view-model.ts';

const node = (name: string, ip: string, extra: Record<string, unknown> = {}): Resource => ({
  apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name },
  spec: { bgp: { ipv4Address: `${ip}/24`, ...(extra.ipip ? { ipv4IPIPTunnelAddr: extra.ipip } : {}) }, ...(extra.vxlan ? { ipv4VXLANTunnelAddr: extra.vxlan } : {}) },
});
const wep = (ns: string, pod: string, nodeName: string, ip: string): Resource => ({
  apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: `${nodeName}-k8s-${pod}-eth0`, namespace: ns, labels: { app: pod } },
  spec: { node: nodeName, pod, interfaceName: `cali${pod}`, ipNetworks: [`${ip}/32`] },
});
const block = (cidr: string, host: string): Resource => ({
  apiVersion: 'projectcalico.org/v3', kind: 'IPAMBlock', metadata: { name: cidr.replace(/[./]/g, '-') }, spec: { cidr, affinity: `host:${host}` },
});
const peer = (address: string, state: PeerStatus['state'], over: Partial<PeerStatus> = {}): PeerStatus => ({
  name: `Mesh_${address.replace(/\./g, '_')}`, address, port: 179, peerType: 'node-to-node mesh', localAs: 64512, peerAs: 64512,
  ibgp: true, rrClient: false, state, since: '2026-12-07T04:00:00Z', ...over,
} as PeerStatus);
const bgp = (peers: PeerStatus[]): BgpStatus => ({ running: true, routerId: '', asNumber: 64512, listenPort: 179, locRibRoutes: 0, exportedPrefixes: [], peers });
const up = (peers: PeerStatus[]): AgentStatus => ({ reachable: true, ready: true, bgp: bgp(peers), at: 0 });

describe('clusterView', () => {
  const nodes = [node('node01', '172.18.0.3', { vxlan: '10.244.1.0' }), node('controlplane', '172.18.0.2', { ipip: '10.244.0.1' })];
  const weps = [wep('default', 'b', 'node01', '10.244.1.5'), wep('default', 'a', 'node01', '10.244.1.4'), wep('kube-system', 'c', 'controlplane', '10.244.0.3')];
  const blocks = [block('10.244.1.0/26', 'node01'), block('10.244.0.0/26', 'controlplane'), block('10.244.2.0/26', 'gone')];

  test('nodes sorted, each with its address, blocks, tunnels and pods', () => {
    const v = clusterView({ nodes, workloadEndpoints: weps, ipamBlocks: blocks, ipPools: [], agents: new Map() });
    assert.deepEqual(v.nodes.map((n) => n.name), ['controlplane', 'node01']);
    const n1 = v.nodes[1]!;
    assert.equal(n1.address, '172.18.0.3/24');
    assert.deepEqual(n1.blocks, ['10.244.1.0/26']);
    assert.deepEqual(n1.tunnels, [{ device: 'vxlan.calico', address: '10.244.1.0' }]);
    assert.deepEqual(v.nodes[0]!.tunnels, [{ device: 'tunl0', address: '10.244.0.1' }]);
    assert.deepEqual(n1.pods.map((p) => `${p.namespace}/${p.name} ${p.ips[0]} ${p.iface}`), ['default/a 10.244.1.4 calia', 'default/b 10.244.1.5 calib']);
    assert.deepEqual(v.namespaces, ['default', 'kube-system']);
    assert.equal(n1.agent, 'unknown', 'never asked');
  });

  test('a mesh session is one edge, Established only when both ends say so', () => {
    const agents = new Map([
      ['controlplane', up([peer('172.18.0.3', 'Established')])],
      ['node01', up([peer('172.18.0.2', 'Established')])],
    ]);
    let v = clusterView({ nodes, workloadEndpoints: [], ipamBlocks: [], ipPools: [], agents });
    assert.equal(v.sessions.length, 1);
    assert.deepEqual({ a: v.sessions[0]!.a, b: v.sessions[0]!.b, state: v.sessions[0]!.state }, { a: 'controlplane', b: 'node01', state: 'Established' });
    agents.set('node01', up([peer('172.18.0.2', 'Active')]));
    v = clusterView({ nodes, workloadEndpoints: [], ipamBlocks: [], ipPools: [], agents });
    assert.equal(v.sessions[0]!.state, 'Active');
    assert.deepEqual(v.sessions[0]!.seenBy.map((s) => `${s.node}:${s.state}`), ['controlplane:Established', 'node01:Active']);
  });

  test('an agent that does not answer: the node says so, and the session is what the other end sees', () => {
    const agents = new Map<string, AgentStatus>([
      ['controlplane', up([peer('172.18.0.3', 'Connect')])],
      ['node01', { reachable: false, error: 'no answer from 172.18.0.3:9097 (ECONNREFUSED)', at: 0 }],
    ]);
    const v = clusterView({ nodes, workloadEndpoints: [], ipamBlocks: [], ipPools: [], agents });
    const n1 = v.nodes.find((n) => n.name === 'node01')!;
    assert.equal(n1.agent, 'unreachable');
    assert.match(n1.agentError!, /ECONNREFUSED/);
    assert.equal(v.sessions[0]!.state, 'Connect');
  });

  test('an external peer and a route reflector client', () => {
    const agents = new Map([
      ['controlplane', up([peer('192.168.1.1', 'Established', { peerType: 'global', peerAs: 65000, ibgp: false }), peer('172.18.0.3', 'Established', { rrClient: true, peerType: 'node specific' })])],
    ]);
    const v = clusterView({ nodes, workloadEndpoints: [], ipamBlocks: [], ipPools: [], agents });
    const ext = v.sessions.find((s) => s.b === 'external:192.168.1.1')!;
    assert.equal(ext.peerType, 'global');
    const rr = v.sessions.find((s) => s.b === 'node01')!;
    assert.equal(rr.reflector, 'controlplane');
  });

  test('pools with their encapsulation', () => {
    const pool = { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '10.244.0.0/16', vxlanMode: 'Always', ipipMode: 'Never', natOutgoing: true } };
    const v = clusterView({ nodes: [], workloadEndpoints: [], ipamBlocks: [], ipPools: [pool], agents: new Map() });
    assert.deepEqual(v.pools, [{ name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', encapsulation: 'VXLAN Always', natOutgoing: true }]);
  });
});

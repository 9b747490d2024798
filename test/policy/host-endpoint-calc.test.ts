// Host endpoints in the pure calculation: which HostEndpoint governs which interface, which policies it
// gets in which table, failsafe ports, and the chain shapes (Felix's endpoint_mgr.go, event_sequencer.go,
// rules/endpoints.go, rules/static.go, config_params.go). No root needed; test/policy/host-endpoint.test.ts
// probes the same behaviour in network namespaces.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCalculator, type RulesetModel } from '../../src/policy/calc.ts';
import { emptySnapshot, type FelixConfiguration, type HostEndpoint, type PolicySnapshot } from '../../src/policy/model.ts';
import { DEFAULT_FAILSAFE_INBOUND, DEFAULT_FAILSAFE_OUTBOUND, failsafeChains, failsafeConfig, endpointToHostActionFrom } from '../../src/policy/failsafe.ts';
import { ALL_INTERFACES, deriveHostEndpoint, resolveHostEndpoints } from '../../src/policy/host-endpoints.ts';

const hep = (name: string, spec: HostEndpoint['spec'], labels: Record<string, string> = { role: 'gw' }): HostEndpoint =>
  ({ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name, labels }, spec: { node: 'n1', ...spec } });
const gnp = (name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { selector: "role == 'gw'", ...spec } });
const felix = (name: string, spec: NonNullable<FelixConfiguration['spec']>): FelixConfiguration => ({ apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name }, spec });

function calc(over: Partial<PolicySnapshot>, ifaces?: Map<string, string[]>): { rs: RulesetModel; c: PolicyCalculator } {
  const c = new PolicyCalculator({ nodeName: 'n1' });
  c.setHostInterfaces(ifaces);
  c.update({ ...emptySnapshot(), ...over });
  return { rs: c.ruleset(), c };
}

const rules = (rs: RulesetModel, chain: string): string[] => {
  const c = rs.chains.get(chain);
  assert.ok(c, `chain ${chain} exists`);
  return c.rules;
};

describe('failsafe ports', () => {
  test("Felix's defaults (config_params.go)", () => {
    const text = (l: readonly { protocol: string; port: number }[]) => l.map((p) => `${p.protocol}:${p.port}`).join(',');
    assert.equal(text(DEFAULT_FAILSAFE_INBOUND), 'tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667');
    assert.equal(text(DEFAULT_FAILSAFE_OUTBOUND), 'udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667');
  });

  test('node.<name> overrides default per field; an empty list disables; bad entries are reported and skipped', () => {
    const problems: string[] = [];
    const cfg = failsafeConfig([
      felix('default', { failsafeInboundHostPorts: [{ protocol: 'UDP', port: 1 }], failsafeOutboundHostPorts: [] }),
      felix('node.n1', { failsafeInboundHostPorts: [{ port: 2 }, { protocol: 'ICMP', port: 3 }, { protocol: 'TCP', port: 4, net: '10.0.0.0/8' }] }),
      felix('node.n2', { failsafeInboundHostPorts: [] }),
    ], 'n1', problems);
    assert.deepEqual(cfg.inbound, [{ protocol: 'tcp', port: 2 }, { protocol: 'tcp', port: 4, net: '10.0.0.0/8' }]);
    assert.deepEqual(cfg.outbound, []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /node\.n1.*failsafeInboundHostPorts\[1\].*ICMP/);
  });

  test('chains: in matches destination port (+ source net), out destination port (+ destination net); raw also lets replies through', () => {
    const cfg = { inbound: [{ protocol: 'tcp' as const, port: 22, net: '192.0.2.0/24' }], outbound: [{ protocol: 'udp' as const, port: 53 }] };
    const [fin, fout] = failsafeChains(cfg, '');
    assert.deepEqual(fin!.rules, ['meta nfproto ipv4 ip saddr 192.0.2.0/24 meta l4proto tcp th dport 22 accept']);
    assert.deepEqual(fout!.rules, ['meta l4proto udp th dport 53 accept']);
    const [rin, rout] = failsafeChains(cfg, 'raw-');
    assert.equal(rin!.name, 'raw-cali-failsafe-in');
    assert.deepEqual(rin!.rules.slice(1), ['meta l4proto udp th sport 53 accept']);
    assert.deepEqual(rout!.rules.slice(1), ['meta nfproto ipv4 ip daddr 192.0.2.0/24 meta l4proto tcp th sport 22 accept']);
  });

  test('defaultEndpointToHostAction from FelixConfiguration, node over default', () => {
    const problems: string[] = [];
    assert.equal(endpointToHostActionFrom([felix('default', { defaultEndpointToHostAction: 'Drop' }), felix('node.n1', { defaultEndpointToHostAction: 'Return' })], 'n1', problems), 'Return');
    assert.equal(endpointToHostActionFrom([felix('default', {})], 'n1', problems), undefined);
    const { rs } = calc({ felixConfigurations: [felix('default', { defaultEndpointToHostAction: 'Drop' })] });
    assert.deepEqual(rules(rs, 'cali-wl-to-host'), ['jump cali-from-wl-dispatch', 'drop comment "Configured DefaultEndpointToHostAction"']);
  });
});

describe('which HostEndpoint governs an interface (endpoint_mgr.go resolveHostEndpoints)', () => {
  const derive = (hs: HostEndpoint[]) => hs.map((h) => deriveHostEndpoint(h, new Map(), []));
  const ifaces = new Map([
    ['eth0', ['192.0.2.1']], ['eth1', ['198.51.100.1', '198.51.100.2']], ['eth2', ['2001:db8::7']], ['calia1', ['10.0.0.1']],
    ['kube-ipvs0', ['10.96.0.1']], ['lo', ['127.0.0.1']],
  ]);
  const names = (m: Map<string, { name: string }>) => Object.fromEntries([...m].map(([k, v]) => [k, v.name]));

  test('by name; by expectedIPs (any spelling) only without a name; the alphabetically first wins; other nodes, workload interfaces and kube-ipvs0 never', () => {
    const heps = derive([
      hep('b-eth0', { interfaceName: 'eth0' }), hep('a-eth0', { interfaceName: 'eth0' }),
      hep('by-ip', { expectedIPs: ['198.51.100.2'] }),
      hep('named-other', { interfaceName: 'eth9', expectedIPs: ['192.0.2.1'] }),
      hep('cali', { interfaceName: 'calia1' }),
      hep('ipvs', { expectedIPs: ['10.96.0.1'] }),
      hep('v6', { expectedIPs: ['2001:db8:0::7'] }),
      hep('remote', { interfaceName: 'eth1', node: 'n2' }),
    ]);
    assert.deepEqual(names(resolveHostEndpoints(heps, 'n1', ifaces)), { eth0: 'a-eth0', eth1: 'by-ip', eth2: 'v6' });
  });

  test('the first `*` host endpoint is the default for every other interface', () => {
    const heps = derive([hep('z-all', { interfaceName: '*' }), hep('all', { interfaceName: '*' }), hep('e', { interfaceName: 'eth0' })]);
    assert.deepEqual(names(resolveHostEndpoints(heps, 'n1', ifaces)), { eth0: 'e', [ALL_INTERFACES]: 'all' });
  });

  test('without the interface list, named host endpoints still govern their interface', () => {
    const heps = derive([hep('e', { interfaceName: 'eth0' }), hep('by-ip', { expectedIPs: ['198.51.100.2'] })]);
    assert.deepEqual(names(resolveHostEndpoints(heps, 'n1', undefined)), { eth0: 'e' });
  });
});

describe('host endpoint chains', () => {
  test('no host endpoint: the ruleset has no host chains at all (workload-only table unchanged)', () => {
    const { rs } = calc({ globalNetworkPolicies: [gnp('p', { ingress: [{ action: 'Allow' }] })] });
    assert.ok(![...rs.chains.keys()].some((n) => /host-endpoint|cali-OUTPUT|raw-|mangle-|failsafe/.test(n)));
    assert.equal(rules(rs, 'cali-INPUT')[0], 'meta mark set meta mark and 0xfffcffff');
  });

  test('without policy or profile: conntrack, failsafe, then "Drop if no profiles matched"; forward allowed', () => {
    const { rs, c } = calc({ hostEndpoints: [hep('h', { interfaceName: 'eth0' })] });
    assert.deepEqual(rules(rs, 'cali-fh-eth0'), [
      'ct state established,related accept', 'ct state invalid drop', 'jump cali-failsafe-in',
      'meta mark set meta mark and 0xfffcffff', 'drop comment "Drop if no profiles matched"',
    ]);
    assert.equal(rules(rs, 'cali-th-eth0')[2], 'jump cali-failsafe-out');
    assert.deepEqual(rules(rs, 'cali-fhfw-eth0').slice(-2), ['meta mark set meta mark or 0x10000 comment "Allow forwarded traffic by default"', 'return comment "Return for accepted forward traffic"']);
    assert.deepEqual(rules(rs, 'cali-from-host-endpoint'), ['iifname "eth0" goto cali-fh-eth0']);
    assert.deepEqual(rules(rs, 'cali-failsafe-in').length, DEFAULT_FAILSAFE_INBOUND.length);
    for (const base of ['raw-cali-PREROUTING', 'raw-cali-OUTPUT', 'mangle-cali-PREROUTING', 'cali-OUTPUT', 'mangle-cali-POSTROUTING']) assert.ok(rs.chains.get(base)?.base, base);
    // No pre-DNAT or untracked policy: no such per-interface chains (Felix renders them only when needed).
    assert.ok(!rs.chains.has('mangle-cali-fh-eth0') && !rs.chains.has('raw-cali-fh-eth0'));
    assert.deepEqual(c.problems, []);
  });

  test('policies by table: normal (+forward if applyOnForward), preDNAT in mangle, doNotTrack in raw; none reaches workloads', () => {
    const wep = {
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'n1-k8s-a-eth0', namespace: 'x', labels: { role: 'gw' } },
      spec: { node: 'n1', orchestrator: 'k8s', interfaceName: 'calia', ipNetworks: ['10.0.0.5/32'] },
    };
    const { rs } = calc({
      workloadEndpoints: [wep],
      hostEndpoints: [hep('h', { interfaceName: 'eth0', profiles: ['open'] })],
      profiles: [{ apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'open' }, spec: { ingress: [{ action: 'Allow' }] } }],
      globalNetworkPolicies: [
        gnp('normal', { order: 1, ingress: [{ action: 'Allow' }] }),
        gnp('fwd', { order: 2, applyOnForward: true, ingress: [{ action: 'Deny' }] }),
        gnp('pre', { order: 3, preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny' }] }),
        gnp('untracked', { order: 4, doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }),
      ],
    });
    const jumps = (chain: string) => rules(rs, chain).filter((r) => r.includes('jump cali-p')).map((r) => r.split('jump ')[1]);
    assert.deepEqual(jumps('cali-fh-eth0'), ['cali-pi-normal', 'cali-pi-fwd', 'cali-pri-open']);
    assert.deepEqual(jumps('cali-fhfw-eth0'), ['cali-pi-fwd']);
    assert.deepEqual(jumps('mangle-cali-fh-eth0'), ['cali-pi-pre']);
    assert.deepEqual(jumps('raw-cali-fh-eth0'), ['cali-pi-untracked']);
    assert.deepEqual(jumps('raw-cali-th-eth0'), ['cali-po-untracked']);
    // Untracked: allow = NOTRACK + accept; no conntrack rules, no end-of-tier drop, no profiles.
    assert.ok(rules(rs, 'raw-cali-fh-eth0').includes('meta mark and 0x10000 == 0x10000 notrack'));
    assert.ok(!rules(rs, 'raw-cali-fh-eth0').some((r) => /ct state|End of tier|profiles/.test(r)));
    assert.ok(!rules(rs, 'mangle-cali-fh-eth0').some((r) => /End of tier|profiles/.test(r)), 'pre-DNAT tiers end with Pass');
    const wlProgram = rules(rs, rules(rs, 'cali-tw-calia')[0]!.replace('goto ', ''));
    assert.deepEqual(wlProgram.filter((r) => r.includes('jump cali-pi-')).map((r) => r.split('jump ')[1]), ['cali-pi-normal', 'cali-pi-fwd']);
  });

  test('a `*` host endpoint is the dispatch default; its untracked policy is refused with a problem', () => {
    const { rs, c } = calc({
      hostEndpoints: [hep('all', { interfaceName: '*' })],
      globalNetworkPolicies: [gnp('untracked', { doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Allow' }] })],
    });
    assert.deepEqual(rules(rs, 'cali-from-host-endpoint'), [`goto cali-fh-${ALL_INTERFACES}`]);
    assert.deepEqual(rules(rs, 'mangle-cali-to-host-endpoint'), [
      'oifname "cali*" return comment "Skip egress WHEP policy for traffic to local workload"', `goto mangle-cali-th-${ALL_INTERFACES}`,
    ]);
    assert.deepEqual(rules(rs, 'raw-cali-from-host-endpoint'), []);
    assert.match(c.problems.join('\n'), /doNotTrack policy is not supported for a host endpoint with interfaceName "\*"/);
  });

  test("encapsulated traffic between nodes is allowed before host endpoint policy while a pool uses it (static.go)", () => {
    const node = (name: string, ip: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name }, spec: { bgp: { ipv4Address: `${ip}/24` }, addresses: [{ address: ip }] } });
    const pool = (spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.65.0.0/16', ...spec } });
    const base = { hostEndpoints: [hep('h', { interfaceName: 'eth0' })], nodes: [node('n1', '192.0.2.1'), node('n2', '192.0.2.2')] };
    const none = calc({ ...base, ipPools: [pool({ vxlanMode: 'Never', ipipMode: 'Never' })] }).rs;
    assert.equal(rules(none, 'cali-INPUT')[0], 'iifname "cali*" goto cali-wl-to-host');
    assert.ok(!none.sets.has('cali40-all-hosts-net'));
    const vx = calc({ ...base, ipPools: [pool({ vxlanMode: 'Always' })], felixConfigurations: [felix('default', { vxlanPort: 4790 })] }).rs;
    assert.equal(rules(vx, 'cali-INPUT')[0], 'meta nfproto ipv4 udp dport 4790 ip saddr @cali40-all-hosts-net accept comment "Allow IPv4 VXLAN packets from allowed hosts"');
    assert.ok(rules(vx, 'cali-OUTPUT').includes('meta nfproto ipv4 udp dport 4790 ip daddr @cali40-all-hosts-net accept comment "Allow IPv4 VXLAN packets to other allowed hosts"'));
    assert.deepEqual([...vx.sets.get('cali40-all-hosts-net')!.elements].sort(), ['192.0.2.1', '192.0.2.2']);
    const ipip = calc({ ...base, ipPools: [pool({ ipipMode: 'CrossSubnet' }), pool({ vxlanMode: 'Always', disabled: true })] }).rs;
    assert.deepEqual(rules(ipip, 'cali-INPUT').filter((r) => r.includes('all-hosts')).map((r) => /comment "(.*)"/.exec(r)![1]), ['Allow IPIP packets from Calico hosts']);
  });

  test('host endpoints are peers: expectedIPs join selector sets; a NetworkPolicy never selects one', () => {
    const { rs } = calc({
      hostEndpoints: [hep('h', { interfaceName: 'eth0', expectedIPs: ['192.0.2.7'] }), hep('r', { interfaceName: 'eth0', node: 'n2', expectedIPs: ['192.0.2.8'] })],
      networkPolicies: [{ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'x' }, spec: { selector: 'all()', ingress: [{ action: 'Deny' }] } }],
      globalNetworkPolicies: [gnp('from-gw', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: "role == 'gw'" } }] })],
    });
    const setName = /@(cali40s-[0-9a-f]+)/.exec(rules(rs, 'cali-pi-from-gw')[0]!)![1]!;
    assert.deepEqual([...rs.sets.get(setName)!.elements].sort(), ['192.0.2.7', '192.0.2.8']);
    assert.ok(!rules(rs, 'cali-fh-eth0').some((r) => r.includes('cali-pi-x/np')));
  });
});

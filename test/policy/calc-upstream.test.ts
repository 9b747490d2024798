// The calculation against upstream's own statements: libcalico-go's updateprocessors/rules_test.go vectors
// (which endpoints a rule's source/destination selects), Felix's event_sequencer.go (which policies reach
// workload endpoints), policy_sorter.go / policy_resolver.go (ordering, undefined tiers) and
// rules/policy.go (per-family filtering of nets). Expectations are the upstream facts, restated over a
// small world of endpoints and network sets. No root needed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCalculator, compileRule, type RulesetModel } from '../../src/policy/calc.ts';
import { emptySnapshot, type PolicySnapshot, type WorkloadEndpoint } from '../../src/policy/model.ts';

const NODE = 'n1';

function wep(ns: string, pod: string, ip: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): WorkloadEndpoint {
  return {
    apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
    metadata: { name: `${NODE}-k8s-${pod}-eth0`, namespace: ns, labels: { 'projectcalico.org/orchestrator': 'k8s', ...labels } },
    spec: { node: NODE, orchestrator: 'k8s', interfaceName: `cali${pod}`.slice(0, 15), ipNetworks: [`${ip}/32`], ...spec },
  };
}

const nsProfile = (ns: string, labels: Record<string, string>) => ({
  apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: `kns.${ns}` },
  spec: { ingress: [{ action: 'Allow' as const }], egress: [{ action: 'Allow' as const }], labelsToApply: Object.fromEntries(Object.entries(labels).map(([k, v]) => [`pcns.${k}`, v])) },
});
const saProfile = (ns: string, sa: string, labels: Record<string, string>) => ({
  apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: `ksa.${ns}.${sa}` },
  spec: { labelsToApply: Object.fromEntries(Object.entries(labels).map(([k, v]) => [`pcsa.${k}`, v])) },
});
const cnp = (ns: string, name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
const gnp = (name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });

/**
 * The world: namespaces namespace1 (namespacelabel1=value1, key=value), namespace2 (namespacelabel2=value2,
 * nskey=nsvalue), namespace3 (no labels); endpoints with the labels the vectors use; a NetworkSet in
 * namespace1 and a GlobalNetworkSet.
 */
function world(over: Partial<PolicySnapshot>): PolicySnapshot {
  const sa = (name: string) => ({ serviceAccountName: name, profiles: [] as string[] });
  return {
    ...emptySnapshot(),
    workloadEndpoints: [
      wep('namespace2', 'a', '10.0.2.1', { mylabel: 'value1' }),
      wep('namespace2', 'b', '10.0.2.2', { mylabel: 'value1', label1: '' }),
      wep('namespace2', 'c', '10.0.2.3', { label2: '' }),
      wep('namespace1', 'd', '10.0.1.1', { mylabel: 'value1', foo: '' }),
      wep('namespace1', 'e', '10.0.1.2', { label1: '', label2: '' }),
      wep('namespace3', 'f', '10.0.3.1', { label3: '' }),
      // Service accounts (profiles set below in `accounts`).
      { ...wep('namespace2', 's1', '10.0.2.11', { label1: '' }), spec: { ...wep('namespace2', 's1', '10.0.2.11').spec, ...sa('sa1'), profiles: ['kns.namespace2', 'ksa.namespace2.sa1'] } },
      { ...wep('namespace2', 's3', '10.0.2.13', { label1: '' }), spec: { ...wep('namespace2', 's3', '10.0.2.13').spec, ...sa('sa3'), profiles: ['kns.namespace2', 'ksa.namespace2.sa3'] } },
      { ...wep('namespace1', 's2', '10.0.1.12'), spec: { ...wep('namespace1', 's2', '10.0.1.12').spec, ...sa('sa2'), profiles: ['kns.namespace1', 'ksa.namespace1.sa2'] } },
    ],
    profiles: [
      nsProfile('namespace1', { namespacelabel1: 'value1', key: 'value' }),
      nsProfile('namespace2', { namespacelabel2: 'value2', nskey: 'nsvalue', namespace: 'red' }),
      nsProfile('namespace3', {}),
      saProfile('namespace2', 'sa1', { key: 'value1' }),
      saProfile('namespace2', 'sa3', { key: 'value2' }),
      saProfile('namespace1', 'sa2', { key: 'value1' }),
    ],
    networkSets: [{ apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'ns1-set', namespace: 'namespace1', labels: { label2: '', foo: '' } }, spec: { nets: ['192.168.1.0/24'] } }],
    globalNetworkSets: [{ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'gset', labels: { label3: '', foo: '' } }, spec: { nets: ['172.16.0.0/16'] } }],
    ...over,
  };
}

/** The sets a compiled rule matches on one side: positive (`ip saddr @s`) and negated (`!= @s`) members. */
function sides(rs: RulesetModel, chain: string, ruleIndex = 0): Record<'src' | 'dst' | 'notSrc' | 'notDst', string[] | undefined> {
  const rule = rs.chains.get(chain)?.rules[ruleIndex];
  assert.ok(rule, `${chain} has rule ${ruleIndex}: ${JSON.stringify(rs.chains.get(chain)?.rules)}`);
  const members = (re: RegExp) => {
    const m = re.exec(rule);
    return m ? [...rs.sets.get(m[1]!)!.elements].sort() : undefined;
  };
  return {
    src: members(/ip saddr @(cali40s-[0-9a-f]+)/),
    notSrc: members(/ip saddr != @(cali40s-[0-9a-f]+)/),
    dst: members(/ip daddr @(cali40s-[0-9a-f]+)/),
    notDst: members(/ip daddr != @(cali40s-[0-9a-f]+)/),
  };
}

function calc(snap: PolicySnapshot): { rs: RulesetModel; c: PolicyCalculator } {
  const c = new PolicyCalculator({ nodeName: NODE });
  c.update(snap);
  return { rs: c.ruleset(), c };
}

const ALL_NS2 = ['10.0.2.1', '10.0.2.11', '10.0.2.13', '10.0.2.2', '10.0.2.3'];
const ALL_NS1 = ['10.0.1.1', '10.0.1.12', '10.0.1.2', '192.168.1.0/24'];

describe('entity rule selection as updateprocessors/rules.go (rules_test.go vectors)', () => {
  test('inbound rule in namespace2: selector scoped, notSelector alone still scopes the positive side, notSelectors unscoped', () => {
    // rules_test.go: SrcSelector "(projectcalico.org/namespace == 'namespace2') && (mylabel = value1)",
    // NotSrcSelector "has(label1)"; destination with only notSelector: DstSelector
    // "projectcalico.org/namespace == 'namespace2'", NotDstSelector "has(label2)".
    const rule = {
      action: 'Allow', protocol: 'TCP',
      source: { nets: ['10.0.0.0/8'], selector: "mylabel == 'value1'", ports: [80], notNets: ['10.0.9.0/24'], notSelector: 'has(label1)', notPorts: [443] },
      destination: { nets: ['10.0.0.0/8'], ports: [443], notNets: ['10.0.8.0/24'], notSelector: 'has(label2)', notPorts: [80] },
    };
    const { rs } = calc(world({ networkPolicies: [cnp('namespace2', 'p', { selector: 'all()', ingress: [rule] })] }));
    const s = sides(rs, 'cali-pi-namespace2/p');
    assert.deepEqual(s.src, ['10.0.2.1', '10.0.2.2']);
    assert.deepEqual(s.notSrc, ['10.0.1.2', '10.0.2.11', '10.0.2.13', '10.0.2.2'], 'has(label1) over every namespace');
    assert.deepEqual(s.dst, ALL_NS2, 'a bare notSelector limits the destination to the namespace');
    assert.deepEqual(s.notDst, ['10.0.1.2', '10.0.2.3', '192.168.1.0/24'], 'has(label2) over every namespace and network set');
  });

  test('outbound rule with namespaceSelectors, in a global policy and in namespace1 alike', () => {
    // rules_test.go: SrcSelector `pcns.namespacelabel1 == "value1"` (with ns "" and with ns "namespace1"),
    // DstSelector `pcns.namespacelabel2 == "value2"`, NotSrc/NotDst selectors unchanged.
    const rule = {
      action: 'Allow',
      source: { nets: ['10.0.0.0/8'], namespaceSelector: "namespacelabel1 == 'value1'", notSelector: 'has(label2)' },
      destination: { nets: ['10.0.0.0/8'], namespaceSelector: "namespacelabel2 == 'value2'", notSelector: 'has(label1)' },
    };
    const cases: Array<[Partial<PolicySnapshot>, string]> = [
      [{ globalNetworkPolicies: [gnp('g', { selector: 'all()', egress: [rule] })] }, 'cali-po-g'],
      [{ networkPolicies: [cnp('namespace1', 'p', { selector: 'all()', egress: [rule] })] }, 'cali-po-namespace1/p'],
    ];
    for (const [res, chain] of cases) {
      const s = sides(calc(world(res)).rs, chain);
      assert.deepEqual(s.src, ALL_NS1, `${chain}: every item of namespace1, network sets included`);
      assert.deepEqual(s.dst, ALL_NS2, `${chain}: every item of namespace2`);
      assert.deepEqual(s.notSrc, ['10.0.1.2', '10.0.2.3', '192.168.1.0/24']);
      assert.deepEqual(s.notDst, ['10.0.1.2', '10.0.2.11', '10.0.2.13', '10.0.2.2']);
    }
  });

  test('a profile rule sees every namespace; ports without selectors make no selector sets', () => {
    const { rs } = calc(world({
      globalNetworkPolicies: [gnp('ports', { selector: 'all()', ingress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [80] }, destination: { ports: [80] } }] })],
      profiles: [...world({}).profiles, { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'foo' }, spec: { ingress: [{ action: 'Allow', source: { selector: 'has(foo)' }, destination: { selector: 'has(foo)' } }] } }],
      workloadEndpoints: [...world({}).workloadEndpoints, { ...wep('namespace3', 'g', '10.0.3.2'), spec: { ...wep('namespace3', 'g', '10.0.3.2').spec, profiles: ['foo'] } }],
    }));
    const s = sides(rs, 'cali-pri-foo');
    assert.deepEqual(s.src, ['10.0.1.1', '172.16.0.0/16', '192.168.1.0/24']);
    assert.deepEqual(s.dst, s.src);
    assert.deepEqual(rs.chains.get('cali-pi-ports')!.rules, ['meta l4proto tcp th sport 80 th dport 80 meta mark set meta mark or 0x10000 return']);
  });

  test('selector and namespaceSelector together; a complex namespaceSelector also holds for global sets', () => {
    // `(pcns.key == "value") && (projectcalico.org/orchestrator == 'k8s')`, and
    // `(!has(pcns.key) || (has(pcns.key) && !pcns.key in {"value"}))`: a GlobalNetworkSet has no pcns.key.
    const { rs } = calc(world({
      networkPolicies: [cnp('namespace', 'p', {
        selector: 'all()',
        ingress: [
          { action: 'Allow', source: { selector: "projectcalico.org/orchestrator == 'k8s'", namespaceSelector: "key == 'value'" } },
          { action: 'Allow', source: { namespaceSelector: "!has(key) || (has(key) && !key in {'value'})" } },
        ],
      })],
      workloadEndpoints: [...world({}).workloadEndpoints, wep('namespace', 'h', '10.0.4.1')],
    }));
    assert.deepEqual(sides(rs, 'cali-pi-namespace/p', 0).src, ['10.0.1.1', '10.0.1.12', '10.0.1.2']);
    assert.deepEqual(sides(rs, 'cali-pi-namespace/p', 1).src, ['10.0.2.1', '10.0.2.11', '10.0.2.13', '10.0.2.2', '10.0.2.3', '10.0.3.1', '10.0.4.1', '172.16.0.0/16']);
  });

  test('namespaceSelector all() means any namespaced item, global() only non-namespaced ones', () => {
    // rules_test.go: "(has(projectcalico.org/namespace)) && (has(label2))", "(!has(projectcalico.org/namespace)) && (has(label3))".
    const { rs } = calc(world({
      networkPolicies: [cnp('namespace', 'p', {
        selector: 'all()',
        egress: [
          { action: 'Allow', destination: { namespaceSelector: "namespace == 'red'", selector: 'has(label1)' } },
          { action: 'Allow', destination: { namespaceSelector: 'all()', selector: 'has(label2)' } },
          { action: 'Allow', destination: { namespaceSelector: 'global()', selector: 'has(label3)' } },
        ],
      })],
      workloadEndpoints: [...world({}).workloadEndpoints, wep('namespace', 'h', '10.0.4.1')],
    }));
    assert.deepEqual(sides(rs, 'cali-po-namespace/p', 0).dst, ['10.0.2.11', '10.0.2.13', '10.0.2.2']);
    assert.deepEqual(sides(rs, 'cali-po-namespace/p', 1).dst, ['10.0.1.2', '10.0.2.3', '192.168.1.0/24']);
    assert.deepEqual(sides(rs, 'cali-po-namespace/p', 2).dst, ['172.16.0.0/16']);
  });

  test('serviceAccounts: names and selector, scoped like selectors; an empty match selects nothing extra', () => {
    // `(projectcalico.org/namespace == 'namespace') && ((pcsa.key == "value1") && (projectcalico.org/serviceaccount in {"sa1", "sa2"}))`,
    // `(pcns.nskey == "nsvalue") && (((pcsa.key == "value2") && (... in {"sa3"})) && (has(label1)))`,
    // global: `(pcsa.key == "value1") && (... in {"sa1", "sa2"})`; empty ServiceAccountMatch: "".
    const { rs, c } = calc(world({
      networkPolicies: [
        cnp('namespace2', 'sa', {
          selector: 'all()',
          ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['sa1', 'sa2'], selector: "key == 'value1'" } }, destination: { namespaceSelector: "nskey == 'nsvalue'", serviceAccounts: { names: ['sa3'], selector: "key == 'value2'" }, selector: 'has(label1)' } }],
        }),
      ],
      globalNetworkPolicies: [gnp('sa', { selector: 'all()', ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['sa1', 'sa2'], selector: "key == 'value1'" } } }, { action: 'Allow', source: { serviceAccounts: {} } }] })],
    }));
    assert.deepEqual(c.problems, []);
    const s = sides(rs, 'cali-pi-namespace2/sa');
    assert.deepEqual(s.src, ['10.0.2.11'], 'sa1 in namespace2 only');
    assert.deepEqual(s.dst, ['10.0.2.13']);
    assert.deepEqual(sides(rs, 'cali-pi-sa', 0).src, ['10.0.1.12', '10.0.2.11'], 'global: sa1 and sa2 with key=value1 anywhere');
    assert.deepEqual(rs.chains.get('cali-pi-sa')!.rules[1], 'meta mark set meta mark or 0x10000 return');
  });

  test("an endpoint's own pcns./pcsa. labels are ignored; a NetworkSet's namespace label is forced", () => {
    // workloadendpointprocessor.go strips them; networksetprocessor.go sets projectcalico.org/namespace.
    const { rs } = calc(world({
      workloadEndpoints: [...world({}).workloadEndpoints, wep('namespace3', 'x', '10.0.3.9', { 'pcns.namespacelabel1': 'value1' })],
      networkSets: [...world({}).networkSets, { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'liar', namespace: 'namespace3', labels: { 'projectcalico.org/namespace': 'namespace1' } }, spec: { nets: ['192.168.3.0/24'] } }],
      globalNetworkPolicies: [gnp('g', { selector: 'all()', ingress: [
        { action: 'Allow', source: { namespaceSelector: "namespacelabel1 == 'value1'" } },
        { action: 'Allow', source: { selector: "projectcalico.org/namespace == 'namespace1'" } },
      ] })],
    }));
    assert.deepEqual(sides(rs, 'cali-pi-g', 0).src, ALL_NS1, 'not namespace3/x, whatever its own labels say');
    assert.deepEqual(sides(rs, 'cali-pi-g', 1).src, ALL_NS1, 'not the NetworkSet of namespace3');
  });
});

describe('policy options as Felix applies them', () => {
  const program = (rs: RulesetModel, iface: string) => rs.chains.get(rs.chains.get(`cali-tw-${iface}`)!.rules[0]!.replace('goto ', ''))!.rules.join('\n');

  test('applyOnForward policies apply to workloads; doNotTrack and preDNAT ones do not (event_sequencer.go)', () => {
    const { rs } = calc(world({
      globalNetworkPolicies: [
        gnp('fwd', { selector: 'all()', applyOnForward: true, ingress: [{ action: 'Deny', protocol: 'UDP' }] }),
        gnp('untracked', { selector: 'all()', applyOnForward: true, doNotTrack: true, ingress: [{ action: 'Deny' }] }),
        gnp('prednat', { selector: 'all()', applyOnForward: true, preDNAT: true, ingress: [{ action: 'Deny' }] }),
      ],
    }));
    const body = program(rs, 'calia');
    assert.match(body, /jump cali-pi-fwd/);
    assert.doesNotMatch(body, /cali-pi-untracked|cali-pi-prednat/);
  });

  test('equal order: ties go by the text name/namespace/kind (policy_sorter.go PolKVLess)', () => {
    const { rs } = calc(world({
      globalNetworkPolicies: [gnp('b', { order: 5, selector: 'all()', ingress: [{ action: 'Allow' }] }), gnp('b-x', { order: 5, selector: 'all()', ingress: [{ action: 'Allow' }] })],
      networkPolicies: [cnp('namespace2', 'b', { order: 5, selector: 'all()', ingress: [{ action: 'Allow' }] })],
    }));
    const body = program(rs, 'calia');
    const at = (s: string) => body.indexOf(s);
    // "b-x//GlobalNetworkPolicy" < "b//GlobalNetworkPolicy" < "b/namespace2/NetworkPolicy".
    assert.ok(at('jump cali-pi-b-x') >= 0 && at('jump cali-pi-b-x') < at('jump cali-pi-b\n'), body);
    assert.ok(at('jump cali-pi-b\n') < at('jump cali-pi-namespace2/b'), body);
  });

  test('a policy in a tier with no Tier resource still applies, in a Deny tier after every defined one (policy_resolver.go)', () => {
    const { rs, c } = calc(world({
      tiers: [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'late' }, spec: { order: 2_000_000, defaultAction: 'Pass' } }],
      globalNetworkPolicies: [gnp('ghost.deny', { tier: 'ghost', selector: 'all()', ingress: [{ action: 'Deny', protocol: 'UDP' }] }), gnp('late.p', { tier: 'late', selector: 'all()', ingress: [{ action: 'Pass' }] })],
    }));
    const body = program(rs, 'calia');
    assert.ok(body.indexOf('Start of tier late') < body.indexOf('Start of tier ghost'), body);
    assert.match(body, /jump cali-pi-ghost.deny/);
    assert.match(body, /End of tier ghost/);
    assert.match(c.problems.join('\n'), /tier "ghost" does not exist/);
  });

  test('serviceAccountSelector narrows the endpoints a policy applies to (network/globalnetworkpolicyprocessor.go)', () => {
    // NetworkPolicy: "(sel) && ns == 'namespace2'" && pcsa.key == "value1"; GlobalNetworkPolicy: all() in the
    // serviceAccountSelector becomes has(projectcalico.org/serviceaccount).
    const { rs } = calc(world({
      networkPolicies: [cnp('namespace2', 'sa-key', { selector: 'all()', serviceAccountSelector: "key == 'value1'", ingress: [{ action: 'Allow' }] })],
      globalNetworkPolicies: [gnp('any-sa', { selector: 'all()', serviceAccountSelector: 'all()', ingress: [{ action: 'Allow' }] })],
    }));
    const with_ = (chain: string) => ['calia', 'calis1', 'calis2', 'calis3', 'calid'].filter((i) => program(rs, i).includes(`jump ${chain}\n`));
    assert.deepEqual(with_('cali-pi-namespace2/sa-key'), ['calis1']);
    assert.deepEqual(with_('cali-pi-any-sa'), ['calis1', 'calis2', 'calis3']);
  });

  test('an http match is left to the L7 proxy: the rule still matches on its L3/L4 fields (rule_scanner.go)', () => {
    const ctx = { sets: { peer: () => 'S', namedPort: () => 'N', literal: (_k: string, e: string[]) => e.join(',') }, where: 'r' };
    assert.deepEqual(compileRule({ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } } as any, ctx), compileRule({ action: 'Allow', protocol: 'TCP' }, ctx));
  });

  test('nets/notNets of only one family drop the rule for the other family (rules/policy.go FilterRuleToIPVersion)', () => {
    const ctx = { sets: { peer: () => 'S', namedPort: () => 'N', literal: (_k: string, e: string[]) => e.join(',') }, where: 'r' };
    assert.deepEqual(compileRule({ action: 'Allow', source: { notNets: ['10.0.0.0/8'] } }, ctx),
      ['meta nfproto ipv4 ip saddr != 10.0.0.0/8 meta mark set meta mark or 0x10000 return']);
    assert.deepEqual(compileRule({ action: 'Deny', destination: { notNets: ['fd00::/8'] } }, ctx),
      ['meta nfproto ipv6 ip6 daddr != fd00::/8 drop']);
  });
});

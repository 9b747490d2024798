// The truth-table cases: each is a set of policy resources (a function of the lab, for address-based
// cases). Expected matrices come from evaluator.ts, never from the code under test.
import { k8sPolicy, type CaseResources, type Expectation, type PolicyLab } from './lab.ts';

export interface PolicyCase {
  name: string;
  res: (lab: PolicyLab) => CaseResources;
  /** Sanity: the expected matrix must contain both allowed and denied cells (default), or only allowed. */
  expect?: 'mixed' | 'all-allowed' | 'all-denied';
  /**
   * The expected verdict for every probe, written straight from the upstream source named in the case
   * (not from evaluator.ts, which must agree with it).
   */
  upstream?: Expectation;
}

const ALL_PODS_IN = (ns: string) => ({ podSelector: {}, namespaceSelector: { matchLabels: { ns } } });
const cnp = (namespace: string, name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const gnp = (name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const tier = (name: string, order: number, defaultAction?: 'Deny' | 'Pass') => ({
  apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: defaultAction ? { order, defaultAction } : { order },
});

export const K8S_CASES: PolicyCase[] = [
  { name: 'no policy: everything is allowed', res: () => ({}), expect: 'all-allowed' },
  { name: 'default deny ingress in x', res: () => ({ k8s: [k8sPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] }) },
  { name: 'default deny egress in x', res: () => ({ k8s: [k8sPolicy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })] }) },
  {
    name: 'default deny all in x and y',
    res: () => ({ k8s: ['x', 'y'].map((ns) => k8sPolicy(ns, 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })) }),
  },
  { name: 'x allows ingress from its own namespace only', res: () => ({ k8s: [k8sPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] }) },
  {
    name: 'x/a allows ingress from pod b of its namespace',
    res: () => ({ k8s: [k8sPolicy('x', 'a-from-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })] }),
  },
  {
    name: 'x/a allows ingress from namespace y',
    res: () => ({ k8s: [k8sPolicy('x', 'a-from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })] }),
  },
  {
    name: 'x/a allows ingress from namespaces NotIn [x] (matchExpressions)',
    res: () => ({
      k8s: [k8sPolicy('x', 'a-from-not-x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } }] }],
      })],
    }),
  },
  {
    name: 'x/a allows ingress from pod c in namespace y (namespaceSelector AND podSelector)',
    res: () => ({
      k8s: [k8sPolicy('x', 'a-from-yc', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'c' } } }] }],
      })],
    }),
  },
  {
    name: 'x/a allows ingress from namespace y OR pod c of x (two peers)',
    res: () => ({
      k8s: [k8sPolicy('x', 'a-from-y-or-c', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'c' } } }] }],
      })],
    }),
  },
  {
    name: 'x/a allows ingress from pods b of every namespace (empty namespaceSelector)',
    res: () => ({
      k8s: [k8sPolicy('x', 'a-from-any-b', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } }] }],
      })],
    }),
  },
  {
    name: 'x/a allows ingress on TCP 80 only',
    res: () => ({ k8s: [k8sPolicy('x', 'a-80', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 80 }] }] })] }),
  },
  {
    name: 'x/a allows ingress on TCP 81 from namespace y only',
    res: () => ({
      k8s: [k8sPolicy('x', 'a-81-y', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81, protocol: 'TCP' }] }],
      })],
    }),
  },
  {
    name: 'x/a allows ingress on named port serve-80-tcp',
    res: () => ({ k8s: [k8sPolicy('x', 'a-named-80', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })] }),
  },
  {
    name: 'all of x allow ingress on named port serve-81-udp',
    res: () => ({ k8s: [k8sPolicy('x', 'named-81-udp', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }] })] }),
  },
  {
    name: 'x/a allows ingress over UDP on any port',
    res: () => ({ k8s: [k8sPolicy('x', 'a-udp', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'UDP' }] }] })] }),
  },
  {
    name: 'x allows ingress on TCP port range 80-81 (endPort)',
    res: () => ({ k8s: [k8sPolicy('x', 'range-80-81', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 81 }] }] })] }),
  },
  {
    name: 'x allows ingress on UDP port range 81-90 from namespace z',
    res: () => ({
      k8s: [k8sPolicy('x', 'range-81-90', { podSelector: {}, ingress: [{ from: [ALL_PODS_IN('z')], ports: [{ port: 81, endPort: 90, protocol: 'UDP' }] }] })],
    }),
  },
  {
    name: 'ipBlock: x accepts ingress only from node1\'s pod block',
    res: (lab) => ({ k8s: [k8sPolicy('x', 'from-block-1', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: lab.nodes[0]!.block } }] }] })] }),
  },
  {
    name: 'ipBlock with except: y accepts from 10.65.0.0/16 except node2\'s block',
    res: (lab) => ({
      k8s: [k8sPolicy('y', 'block-except', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.65.0.0/16', except: [lab.nodes[1]!.block] } }] }] })],
    }),
  },
  {
    name: 'ipBlock except one pod: z/b accepts from node1\'s block except x/a',
    res: (lab) => ({
      k8s: [k8sPolicy('z', 'block-except-pod', {
        podSelector: { matchLabels: { pod: 'b' } },
        ingress: [{ from: [{ ipBlock: { cidr: lab.nodes[0]!.block, except: [`${lab.pod('x/a').ip}/32`] } }] }],
      })],
    }),
  },
  {
    name: 'egress: x/a may only talk to namespace y',
    res: () => ({ k8s: [k8sPolicy('x', 'a-to-y', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [ALL_PODS_IN('y')] }] })] }),
  },
  {
    name: 'egress: x may only use port 81 (TCP and UDP)',
    res: () => ({ k8s: [k8sPolicy('x', 'to-81', { podSelector: {}, egress: [{ ports: [{ port: 81 }, { port: 81, protocol: 'UDP' }] }] })] }),
  },
  {
    name: 'egress to an ipBlock holding one pod (y/c)',
    res: (lab) => ({
      k8s: [k8sPolicy('y', 'to-yc', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${lab.pod('y/c').ip}/32` } }] }] })],
    }),
  },
  {
    name: 'egress on named port serve-80-udp (resolved on the destination pod)',
    res: () => ({ k8s: [k8sPolicy('z', 'to-named', { podSelector: {}, egress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] })] }),
  },
  {
    name: 'egress denied for pods a in every namespace',
    res: () => ({ k8s: ['x', 'y', 'z'].map((ns) => k8sPolicy(ns, 'a-no-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] })) }),
  },
  {
    name: 'stacked policies are additive: x/a from y plus x/a from z on UDP',
    res: () => ({
      k8s: [
        k8sPolicy('x', 'a-from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [ALL_PODS_IN('y')] }] }),
        k8sPolicy('x', 'a-from-z-udp', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [ALL_PODS_IN('z')], ports: [{ protocol: 'UDP' }] }] }),
      ],
    }),
  },
  {
    name: 'ingress and egress in one policy: x from z, x to pods c anywhere',
    res: () => ({
      k8s: [k8sPolicy('x', 'both', {
        podSelector: {}, policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [ALL_PODS_IN('z')] }],
        egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'c' } } }] }],
      })],
    }),
  },
  {
    name: 'an allow-all ingress rule beside a default deny',
    res: () => ({
      k8s: [
        k8sPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
        k8sPolicy('x', 'b-allow-all', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{}] }),
      ],
    }),
  },
  {
    name: 'podSelector In [a, b] allows from pods NotIn [b] of any namespace',
    res: () => ({
      k8s: [k8sPolicy('y', 'in-notin', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] },
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['b'] }] } }] }],
      })],
    }),
  },
  {
    name: 'Exists/DoesNotExist: z accepts from pods with a pod label and no tier label',
    res: () => ({
      k8s: [k8sPolicy('z', 'exists', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }, { key: 'tier', operator: 'DoesNotExist' }] } }] }],
      })],
    }),
  },
];

export const CALICO_CASES: PolicyCase[] = [
  { name: 'GNP: global default deny ingress', res: () => ({ globalNetworkPolicies: [gnp('default-deny', { selector: 'all()', types: ['Ingress'] })] }), expect: 'all-denied' },
  {
    name: 'GNP: Deny from namespace z, then Allow',
    res: () => ({
      globalNetworkPolicies: [gnp('deny-z', { order: 10, selector: 'all()', ingress: [{ action: 'Deny', source: { namespaceSelector: "ns == 'z'" } }, { action: 'Allow' }] })],
    }),
  },
  {
    name: 'policy order: allow from y (order 1) beats deny all (order 2)',
    res: () => ({
      globalNetworkPolicies: [
        gnp('b-deny-all', { order: 2, selector: "projectcalico.org/namespace == 'x'", ingress: [{ action: 'Deny' }] }),
        gnp('a-allow-y', { order: 1, selector: "projectcalico.org/namespace == 'x'", ingress: [{ action: 'Allow', source: { namespaceSelector: "ns == 'y'" } }] }),
      ],
    }),
  },
  {
    name: 'rule order inside a NetworkPolicy: Deny pods b, then Allow',
    res: () => ({ networkPolicies: [cnp('x', 'deny-b', { selector: 'all()', ingress: [{ action: 'Deny', source: { selector: "pod == 'b'" } }, { action: 'Allow' }] })] }),
  },
  {
    name: 'tiers: Pass from x to the next tier, Deny everything else',
    res: () => ({
      tiers: [tier('security', 100)],
      globalNetworkPolicies: [gnp('security.pass-x', {
        tier: 'security', selector: 'all()',
        ingress: [{ action: 'Pass', source: { namespaceSelector: "ns == 'x'" } }, { action: 'Deny' }],
      })],
    }),
  },
  {
    name: 'tiers: Pass to a default-tier Kubernetes policy that decides',
    res: () => ({
      tiers: [tier('security', 100)],
      globalNetworkPolicies: [gnp('security.deny-z', {
        tier: 'security', selector: 'all()', ingress: [{ action: 'Deny', source: { namespaceSelector: "ns == 'z'" } }, { action: 'Pass' }],
      })],
      k8s: [k8sPolicy('y', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })],
    }),
  },
  {
    name: 'tier defaultAction Pass: unmatched traffic passes on',
    res: () => ({
      tiers: [tier('platform', 50, 'Pass')],
      globalNetworkPolicies: [gnp('platform.deny-c', { tier: 'platform', selector: 'all()', ingress: [{ action: 'Deny', source: { selector: "pod == 'c'" } }] })],
    }),
  },
  {
    name: 'end of a non-default tier drops what its policies did not allow',
    res: () => ({
      tiers: [tier('security', 100)],
      globalNetworkPolicies: [gnp('security.xa-from-y', {
        tier: 'security', selector: "projectcalico.org/namespace == 'x' && pod == 'a'",
        ingress: [{ action: 'Allow', source: { namespaceSelector: "ns == 'y'" } }],
      })],
    }),
  },
  {
    name: 'Calico nets and notNets',
    res: (lab) => ({
      networkPolicies: [cnp('x', 'nets', { selector: 'all()', ingress: [{ action: 'Allow', protocol: 'TCP', source: { nets: ['10.65.0.0/16'], notNets: [lab.nodes[1]!.block] } }] })],
    }),
  },
  {
    name: 'notSelector: every source except pods c',
    res: () => ({ globalNetworkPolicies: [gnp('not-c', { selector: 'all()', ingress: [{ action: 'Allow', source: { notSelector: "pod == 'c'" } }] })] }),
  },
  {
    name: 'notPorts: TCP except 81, UDP only 81',
    res: () => ({
      networkPolicies: [cnp('y', 'not-ports', {
        selector: 'all()',
        ingress: [{ action: 'Allow', protocol: 'TCP', destination: { notPorts: [81] } }, { action: 'Allow', protocol: 'UDP', destination: { ports: [81] } }],
      })],
    }),
  },
  {
    name: 'NetworkSet as a selectable peer',
    res: (lab) => ({
      networkSets: [{
        apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'trusted', namespace: 'x', labels: { role: 'trusted' } },
        spec: { nets: [`${lab.pod('y/b').ip}/32`, `${lab.pod('z/c').ip}/32`] },
      }],
      networkPolicies: [cnp('x', 'from-trusted', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: "role == 'trusted'" } }] })],
    }),
  },
  {
    name: 'GlobalNetworkSet through namespaceSelector global()',
    res: (lab) => ({
      globalNetworkSets: [{ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'node2-pods', labels: { trusted: 'yes' } }, spec: { nets: [lab.nodes[1]!.block] } }],
      globalNetworkPolicies: [gnp('y-from-node2', {
        selector: "projectcalico.org/namespace == 'y'",
        ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()', selector: "trusted == 'yes'" } }],
      })],
    }),
  },
  {
    name: 'GNP namespaceSelector picks the endpoints of namespace z',
    res: () => ({ globalNetworkPolicies: [gnp('z-deny', { namespaceSelector: "ns == 'z'", selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'UDP' }, { action: 'Allow' }] })] }),
  },
  {
    name: 'egress Deny UDP from namespace x',
    res: () => ({ networkPolicies: [cnp('x', 'no-udp-out', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', protocol: 'UDP' }, { action: 'Allow' }] })] }),
  },
  {
    name: 'Log continues to the next rule',
    res: () => ({ networkPolicies: [cnp('x', 'log-then-allow-a', { selector: 'all()', ingress: [{ action: 'Log' }, { action: 'Allow', source: { selector: "pod == 'a'", namespaceSelector: 'all()' } }] })] }),
  },
  {
    name: 'namespace profile rules apply when no policy selects the pod',
    res: () => ({
      profiles: { 'kns.z': { spec: { ingress: [{ action: 'Deny', source: { namespaceSelector: "ns == 'x'" } }, { action: 'Allow' }], egress: [{ action: 'Allow' }] } } },
    }),
  },
  {
    name: 'Calico named port in an egress rule',
    res: () => ({ globalNetworkPolicies: [gnp('x-out-81-udp', { selector: "projectcalico.org/namespace == 'x'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: ['serve-81-udp'] } }] })] }),
  },
  {
    name: 'selector operators: in, has, !=, and namespaceSelector in',
    res: () => ({
      networkPolicies: [cnp('z', 'ops', {
        selector: "pod in {'a', 'b'}",
        ingress: [{ action: 'Allow', source: { selector: "has(pod) && pod != 'a'", namespaceSelector: "ns in {'x', 'z'}" } }],
      })],
    }),
  },
  {
    name: 'Kubernetes policy behind a Deny in an earlier tier',
    res: () => ({
      tiers: [tier('security', 100)],
      globalNetworkPolicies: [gnp('security.no-yb', {
        tier: 'security', selector: 'all()',
        ingress: [{ action: 'Deny', source: { selector: "pod == 'b'", namespaceSelector: "ns == 'y'" } }, { action: 'Pass' }],
      })],
      k8s: [k8sPolicy('y', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    }),
  },
  {
    name: 'destination selector and ports in an ingress rule',
    res: () => ({
      globalNetworkPolicies: [gnp('only-c-80', {
        selector: "projectcalico.org/namespace != 'z'",
        ingress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: "pod == 'c'", ports: [80] } }, { action: 'Allow', protocol: 'UDP', destination: { ports: ['80:81'] } }],
      })],
    }),
  },
  // The cases below state their expectation from upstream's sources (see PolicyCase.upstream).
  {
    name: 'NetworkPolicy notSelector alone admits only its own namespace (updateprocessors/rules.go)',
    res: () => ({ networkPolicies: [cnp('x', 'not-a', { selector: 'all()', ingress: [{ action: 'Allow', source: { notSelector: "pod == 'a'" } }] })] }),
    // SrcSelector = "projectcalico.org/namespace == 'x'", NotSrcSelector = "pod == 'a'".
    upstream: (src, dst) => dst.namespace !== 'x' || (src.namespace === 'x' && src.name !== 'a'),
  },
  {
    name: 'NetworkPolicy egress nets + notSelector: the destination is still limited to the namespace (rules.go)',
    res: () => ({
      networkPolicies: [cnp('z', 'out-not-b', {
        selector: 'all()', types: ['Egress'],
        egress: [{ action: 'Allow', destination: { nets: ['10.65.0.0/16'], notSelector: "pod == 'b'" } }],
      })],
    }),
    // DstNets = 10.65.0.0/16, DstSelector = "projectcalico.org/namespace == 'z'", NotDstSelector = "pod == 'b'".
    upstream: (src, dst) => src.namespace !== 'z' || (dst.namespace === 'z' && dst.name !== 'b'),
  },
  {
    name: 'applyOnForward policies apply to workloads; doNotTrack and preDNAT ones do not (felix/calc/event_sequencer.go)',
    res: () => ({
      globalNetworkPolicies: [
        gnp('fwd-no-udp-to-y', {
          applyOnForward: true, selector: "projectcalico.org/namespace == 'y'", types: ['Ingress'],
          ingress: [{ action: 'Deny', protocol: 'UDP' }, { action: 'Allow' }],
        }),
        gnp('untracked-deny', { doNotTrack: true, applyOnForward: true, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
        gnp('prednat-deny', { preDNAT: true, applyOnForward: true, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
      ],
    }),
    // tierInfoToProtoTierInfo: normal tiers hold every policy but doNotTrack/preDNAT ones (applyOnForward
    // ones are in both the forward and the normal tiers); a WorkloadEndpointUpdate carries only the normal tiers.
    upstream: (_src, dst, proto) => !(dst.namespace === 'y' && proto === 'UDP'),
  },
  {
    name: "namespaceSelector `ns != 'x'` also picks a GlobalNetworkSet, as Calico rewrites it to pcns.ns (rules.go)",
    res: (lab) => ({
      globalNetworkSets: [{ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'node2-pods', labels: { trusted: 'yes' } }, spec: { nets: [lab.nodes[1]!.block] } }],
      networkPolicies: [cnp('y', 'from-trusted', { selector: 'all()', ingress: [{ action: 'Allow', source: { namespaceSelector: "ns != 'x'", selector: "trusted == 'yes'" } }] })],
    }),
    // SrcSelector = (pcns.ns != "x") && (trusted == 'yes'): the set has no pcns.ns label, so != holds.
    upstream: (src, dst) => dst.namespace !== 'y' || src.node === 'node2',
  },
  {
    name: 'equal order: ties go by the text name/namespace/kind, so b-x runs before b (felix/calc/policy_sorter.go)',
    res: () => ({
      globalNetworkPolicies: [
        gnp('b', { order: 10, selector: "projectcalico.org/namespace == 'z'", ingress: [{ action: 'Allow' }] }),
        gnp('b-x', { order: 10, selector: "projectcalico.org/namespace == 'z'", ingress: [{ action: 'Deny', protocol: 'UDP', source: { namespaceSelector: "ns == 'x'" } }] }),
      ],
    }),
    // PolKVLess: "b-x//GlobalNetworkPolicy" < "b//GlobalNetworkPolicy" because '-' sorts before '/'.
    upstream: (src, dst, proto) => !(dst.namespace === 'z' && src.namespace === 'x' && proto === 'UDP'),
  },
];

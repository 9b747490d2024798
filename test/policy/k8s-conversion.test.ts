import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { convertK8sNetworkPolicy } from '../../src/policy/k8s-conversion.ts';

const np = (spec: unknown, name = 'test', namespace: string | undefined = 'x') => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec,
});

describe('convertK8sNetworkPolicy', () => {
  test('name, namespace, tier, order, selector and types as Calico converts them', () => {
    const r = convertK8sNetworkPolicy(np({ podSelector: { matchLabels: { role: 'db', app: 'shop' } } }));
    assert.equal(r.apiVersion, 'projectcalico.org/v3');
    assert.equal(r.kind, 'NetworkPolicy');
    assert.deepEqual(r.metadata, { name: 'knp.default.test', namespace: 'x' });
    assert.deepEqual(r.spec, {
      tier: 'default', order: 1000,
      selector: "projectcalico.org/orchestrator == 'k8s' && app == 'shop' && role == 'db'",
      types: ['Ingress'],
    });
  });

  test('empty podSelector selects every pod; missing namespace is "default"', () => {
    const r = convertK8sNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Egress'] } });
    assert.equal(r.metadata.namespace, 'default');
    assert.equal(r.spec!.selector, "projectcalico.org/orchestrator == 'k8s'");
    assert.deepEqual(r.spec!.types, ['Egress']);
    assert.equal(r.spec!.egress, undefined);
  });

  test('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
    const r = convertK8sNetworkPolicy(np({
      podSelector: {
        matchExpressions: [
          { key: 'a', operator: 'In', values: ['1', '2'] },
          { key: 'b', operator: 'NotIn', values: ['3'] },
          { key: 'c', operator: 'Exists' },
          { key: 'd', operator: 'DoesNotExist' },
        ],
      },
    }));
    assert.equal(r.spec!.selector,
      "projectcalico.org/orchestrator == 'k8s' && a in { '1', '2' } && b not in { '3' } && has(c) && ! has(d)");
  });

  test('types default to Ingress, plus Egress when egress rules exist', () => {
    const r = convertK8sNetworkPolicy(np({ podSelector: {}, egress: [{}] }));
    assert.deepEqual(r.spec!.types, ['Ingress', 'Egress']);
    assert.deepEqual(r.spec!.egress, [{ action: 'Allow', source: {}, destination: {} }]);
  });

  test('peers × ports become one rule each, ports outer', () => {
    const r = convertK8sNetworkPolicy(np({
      podSelector: {},
      ingress: [{
        from: [
          { podSelector: { matchLabels: { pod: 'b' } } },
          { namespaceSelector: { matchLabels: { ns: 'y' } } },
          { namespaceSelector: {}, podSelector: { matchLabels: { pod: 'c' } } },
          { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
        ],
        ports: [{ port: 80 }, { protocol: 'UDP', port: 1000, endPort: 2000 }, { port: 'http' }],
      }],
    }));
    const rules = r.spec!.ingress!;
    assert.equal(rules.length, 12);
    assert.deepEqual(rules[0], {
      action: 'Allow', protocol: 'TCP',
      source: { selector: "projectcalico.org/orchestrator == 'k8s' && pod == 'b'" }, destination: { ports: [80] },
    });
    assert.deepEqual(rules[1]!.source, { selector: "projectcalico.org/orchestrator == 'k8s'", namespaceSelector: "ns == 'y'" });
    assert.deepEqual(rules[2]!.source, { selector: "projectcalico.org/orchestrator == 'k8s' && pod == 'c'", namespaceSelector: 'all()' });
    assert.deepEqual(rules[3]!.source, { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] });
    assert.deepEqual(rules[4], { action: 'Allow', protocol: 'UDP', source: rules[0]!.source, destination: { ports: ['1000:2000'] } });
    assert.deepEqual(rules[8]!.destination, { ports: ['http'] });
  });

  test('egress peers and ports go to the destination', () => {
    const r = convertK8sNetworkPolicy(np({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '1.2.3.4/32' } }], ports: [{ protocol: 'UDP' }] }] }));
    assert.deepEqual(r.spec!.egress, [{ action: 'Allow', protocol: 'UDP', source: {}, destination: { nets: ['1.2.3.4/32'] } }]);
    assert.equal(r.spec!.ingress, undefined);
  });

  test('bad input is rejected with a message naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /expected an object/],
      [{ ...np({}), apiVersion: 'v1' }, /apiVersion/],
      [{ ...np({}), kind: 'Pod' }, /kind/],
      [np({}, 'Bad_Name'), /metadata\.name/],
      [np({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }), /spec\.podSelector\.matchExpressions\[0\]\.operator/],
      [np({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } }), /must be non-empty/],
      [np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }), /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr/],
      [np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] }), /except\[0\].*strictly within/],
      [np({ ingress: [{ ports: [{ port: 70000 }] }] }), /port.*70000/],
      [np({ ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }), /endPort/],
      [np({ ingress: [{ ports: [{ port: 80, protocol: 'ICMP' }] }] }), /protocol/],
      [np({ policyTypes: ['Both'] }), /policyTypes\[0\]/],
      [np({ ingress: [{ from: [{}] }] }), /a peer needs/],
      [np({ podSelector: { matchLabels: { 'bad key!': 'v' } } }), /label key/],
      [np({ bogus: 1 }), /unknown field "bogus"/],
    ];
    for (const [input, re] of cases) assert.throws(() => convertK8sNetworkPolicy(input), re, JSON.stringify(input));
  });
});

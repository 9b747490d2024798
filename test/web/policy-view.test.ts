// A pod's policies and a namespace's reachability matrix, computed as the nodes enforce policy (pure).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { emptySnapshot, type PolicySnapshot, type WorkloadEndpoint } from '../../src/policy/model.ts';
import { podDetails, reachability } from '../../src/web/policy-view.ts';

const wep = (pod: string, node: string, ip: string, labels: Record<string, string>): WorkloadEndpoint => ({
  apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
  metadata: { name: `${node}-k8s-${pod}-eth0`, namespace: 'shop', labels },
  spec: { node, orchestrator: 'k8s', pod, endpoint: 'eth0', interfaceName: `cali${pod}0000000`.slice(0, 15), ipNetworks: [`${ip}/32`], profiles: ['kns.shop'] },
});
const allowAll = { action: 'Allow' as const };
const profile = { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'kns.shop' }, spec: { ingress: [allowAll], egress: [allowAll] } };

function snapshot(): PolicySnapshot {
  const web = wep('web', 'node-a', '10.244.0.2', { app: 'web' });
  const db = wep('db', 'node-b', '10.244.1.2', { app: 'db' });
  const other = wep('other', 'node-a', '10.244.0.3', { app: 'other' });
  return {
    ...emptySnapshot(),
    workloadEndpoints: [web, db, other],
    profiles: [profile],
    tiers: [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100, defaultAction: 'Pass' } }],
    networkPolicies: [{
      apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'db-from-web', namespace: 'shop' },
      spec: { selector: 'app == "db"', order: 10, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: 'app == "web"' }, destination: { ports: [5432] } }] },
    }],
    globalNetworkPolicies: [{
      apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'security.no-telnet' },
      spec: { tier: 'security', order: 1, selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [23] } }], egress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [23] } }] },
    }],
  };
}

describe('podDetails', () => {
  test('the policies selecting a pod, per direction, tier first, with orders; its labels as selectors see them', () => {
    const snap = snapshot();
    const d = podDetails(snap, snap.workloadEndpoints[1]!);
    assert.equal(d.node, 'node-b');
    assert.deepEqual(d.ips, ['10.244.1.2']);
    assert.equal(d.labels.app, 'db');
    assert.equal(d.labels['projectcalico.org/namespace'], 'shop');
    assert.deepEqual(d.ingress.map((p) => `${p.tier}(${p.tierOrder}) ${p.kind} ${p.namespace ?? ''}/${p.name} order ${p.order} rules ${p.rules}`), [
      'security(100) GlobalNetworkPolicy /security.no-telnet order 1 rules 1',
      'default(1000000) NetworkPolicy shop/db-from-web order 10 rules 1',
    ]);
    assert.deepEqual(d.egress.map((p) => p.name), ['security.no-telnet'], 'db-from-web is Ingress only');
    assert.deepEqual(d.profiles, ['kns.shop']);
  });

  test('a pod no policy selects: none listed, its profile decides', () => {
    const snap = snapshot();
    snap.globalNetworkPolicies = [];
    const d = podDetails(snap, snap.workloadEndpoints[0]!);
    assert.deepEqual([d.ingress, d.egress], [[], []]);
  });
});

describe('reachability', () => {
  test('tcp 5432: only web reaches db; the deny names the end of the default tier, at db\'s ingress', () => {
    const m = reachability(snapshot(), 'shop', { protocol: 'tcp', port: 5432 });
    assert.deepEqual(m.pods, ['db', 'other', 'web']);
    const v = (from: string, to: string) => m.cells.find((c) => c.from === from && c.to === to)!;
    assert.equal(v('web', 'db').verdict, 'allow');
    assert.equal(v('other', 'db').verdict, 'deny');
    assert.equal(v('other', 'db').at, 'ingress');
    assert.equal(v('other', 'db').decision?.kind, 'EndOfTier');
    assert.equal(v('db', 'web').verdict, 'allow', 'web: no policy, the profile allows');
    assert.equal(v('web', 'other').verdict, 'allow', 'same node');
    assert.equal(m.cells.length, 6);
  });

  test('tcp 23: denied everywhere by the security tier, at the sender\'s egress, named', () => {
    const m = reachability(snapshot(), 'shop', { protocol: 'tcp', port: 23 });
    for (const c of m.cells) {
      assert.equal(c.verdict, 'deny', `${c.from}→${c.to}`);
      assert.equal(c.at, 'egress', `${c.from}→${c.to}`);
      assert.equal(c.decision?.name, 'security.no-telnet');
    }
  });

  test('icmp and another namespace', () => {
    assert.ok(reachability(snapshot(), 'shop', { protocol: 'icmp' }).cells.filter((c) => c.to === 'db').every((c) => c.verdict === 'deny'));
    assert.deepEqual(reachability(snapshot(), 'elsewhere', { protocol: 'icmp' }).pods, []);
  });
});

// Rendering and applying: incremental transactions must leave the kernel exactly as a full rewrite would.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { PolicyCalculator, emptyRuleset, type RulesetModel } from '../../src/policy/calc.ts';
import { applyTransaction, netnsRunner, renderDiff, renderFull, readKernel, driftReason } from '../../src/policy/nft.ts';
import { emptySnapshot, type PolicySnapshot } from '../../src/policy/model.ts';

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const LABELS = ['web', 'db', 'cache'];
const NAMESPACES = ['x', 'y'];

function randomWorld(r: () => number, step: number, prev?: PolicySnapshot): PolicySnapshot {
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const snap = prev ? structuredClone(prev) : emptySnapshot();
  const ops = prev ? 1 + Math.floor(r() * 3) : 12;
  if (step === 6) {
    // The cluster goes dual-stack: IPv6 sets and rule variants appear.
    snap.workloadEndpoints.push({
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'wep-dual', namespace: 'x', labels: { app: 'web' } },
      spec: { node: 'n1', interfaceName: 'calidual0000000', ipNetworks: ['10.9.3.1/32', 'fd00:9::1/128'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
  }
  for (let i = 0; i < ops; i++) {
    const op = prev ? Math.floor(r() * 9) : i % 3;
    const n = `${step}-${i}`;
    switch (op) {
      case 0: { // add an endpoint
        const local = r() < 0.5;
        const id = Math.floor(r() * 250) + 1;
        const iface = `cali${String(step * 100 + i).padStart(11, '0')}`;
        if (snap.workloadEndpoints.some((w) => w.spec?.ipNetworks?.[0] === `10.9.${local ? 1 : 2}.${id}/32` || w.spec?.interfaceName === iface)) break;
        snap.workloadEndpoints.push({
          apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
          metadata: { name: `wep-${n}`, namespace: pick(NAMESPACES), labels: { app: pick(LABELS) } },
          spec: {
            node: local ? 'n1' : 'n2', interfaceName: iface,
            // Some dual-stack endpoints appear after a while: IPv6 sets and rule variants come and go.
            ipNetworks: [`10.9.${local ? 1 : 2}.${id}/32`, ...(step > 5 && r() < 0.3 ? [`fd00:9::${id.toString(16)}/128`] : [])],
            ports: [{ name: 'http', port: 8000 + id, protocol: 'TCP' }],
          },
        });
        break;
      }
      case 1: { // add a policy
        const ns = pick(NAMESPACES);
        snap.networkPolicies.push({
          apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: `p-${n}`, namespace: ns },
          spec: {
            order: Math.floor(r() * 5), selector: `app == '${pick(LABELS)}'`,
            ingress: [
              { action: pick(['Allow', 'Deny', 'Pass', 'Log'] as const), protocol: 'TCP', source: { selector: `app == '${pick(LABELS)}'` }, destination: { ports: [80, 'http'] } },
              { action: 'Allow', source: { nets: [`10.${Math.floor(r() * 4)}.0.0/16`] } },
            ],
            ...(r() < 0.5 ? { egress: [{ action: 'Deny' as const, protocol: 'UDP', destination: { notNets: ['10.0.0.0/8'] } }] } : {}),
          },
        });
        break;
      }
      case 2: { // add a network set
        snap.networkSets.push({
          apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: `s-${n}`, namespace: pick(NAMESPACES), labels: { app: pick(LABELS) } },
          spec: { nets: [`172.16.${Math.floor(r() * 4)}.0/24`, `172.16.0.${Math.floor(r() * 9)}/32`] },
        });
        break;
      }
      case 3: if (snap.workloadEndpoints.length) snap.workloadEndpoints.splice(Math.floor(r() * snap.workloadEndpoints.length), 1); break;
      case 4: if (snap.networkPolicies.length) snap.networkPolicies.splice(Math.floor(r() * snap.networkPolicies.length), 1); break;
      case 5: { // relabel an endpoint
        const w = snap.workloadEndpoints.length ? pick(snap.workloadEndpoints) : undefined;
        if (w) w.metadata.labels = { app: pick(LABELS) };
        break;
      }
      case 6: { // edit a policy in place
        const p = snap.networkPolicies.length ? pick(snap.networkPolicies) : undefined;
        if (p) p.spec = { ...p.spec, order: Math.floor(r() * 5), selector: `app == '${pick(LABELS)}'` };
        break;
      }
      case 7: { // a host endpoint comes or goes: base chains for raw, mangle and output appear or vanish
        const heps = (snap.hostEndpoints ??= []);
        if (heps.length && r() < 0.5) { heps.splice(Math.floor(r() * heps.length), 1); break; }
        heps.push({
          apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: `hep-${n}`, labels: { hep: pick(LABELS) } },
          spec: { node: 'n1', interfaceName: pick(['eth0', 'eth1', '*']), expectedIPs: [`192.0.2.${Math.floor(r() * 250) + 1}`] },
        });
        break;
      }
      case 8: { // host endpoint policy of every kind
        const flags = pick([{}, { applyOnForward: true }, { preDNAT: true, applyOnForward: true }, { doNotTrack: true, applyOnForward: true }]);
        snap.globalNetworkPolicies.push({
          apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: `g-${n}` },
          spec: {
            ...flags, order: Math.floor(r() * 5), selector: `hep == '${pick(LABELS)}'`,
            ingress: [{ action: pick(['Allow', 'Deny'] as const), protocol: 'TCP', source: { selector: `has(hep)` }, destination: { ports: [22, 8080] } }],
            ...('preDNAT' in flags ? {} : { egress: [{ action: 'Allow' as const }] }),
          },
        });
        break;
      }
    }
  }
  return snap;
}

function baseChainNames(rs: RulesetModel): string {
  return [...rs.chains.values()].filter((c) => c.base).map((c) => c.name).sort().join(',');
}

/** The table as the kernel lists it, normalised (no handles; elements sorted) for comparison. */
async function listing(ns: string): Promise<unknown> {
  const out = JSON.parse(await netnsRunner(ns)(['-j', 'list', 'table', 'inet', 'tabby'])).nftables as any[];
  const chains: Record<string, string[]> = {};
  const sets: Record<string, unknown> = {};
  for (const o of out) {
    if (o.chain) chains[o.chain.name] = [];
    if (o.set || o.map) {
      const s = o.set ?? o.map;
      sets[s.name] = { type: s.type, flags: s.flags, elem: (s.elem ?? []).map((e: unknown) => JSON.stringify(e)).sort() };
    }
  }
  for (const o of out) if (o.rule) chains[o.rule.chain]!.push(JSON.stringify(o.rule.expr));
  return { chains, sets };
}

describe('nft rendering', () => {
  test('diff of identical models is empty; a base-chain change needs a full sync', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(randomWorld(rng(1), 0));
    const a = c.ruleset();
    assert.equal(renderDiff(a, a).text, '');
    const b: RulesetModel = { ...a, chains: new Map(a.chains) };
    b.chains.set('cali-FORWARD', { ...a.chains.get('cali-FORWARD')!, base: { type: 'filter', hook: 'forward', priority: 10, policy: 'accept' } });
    assert.equal(renderDiff(a, b).needsFull, true);
    assert.equal(renderDiff(emptyRuleset(), a).needsFull, true, 'from nothing, base chains are new: full');
    const full = renderFull(a);
    assert.match(full, /^add table inet tabby\ndelete table inet tabby\nadd table inet tabby\n/);
  });

  test('incremental transactions converge to the same kernel state as full rewrites', { skip: netnsSkipReason() }, async () => {
    const fx = new NetnsFixture();
    try {
      const inc = fx.add('inc');
      const full = fx.add('full');
      const r = rng(42);
      const calc = new PolicyCalculator({ nodeName: 'n1' });
      let snap = randomWorld(r, 0);
      calc.update(snap);
      let applied = calc.ruleset();
      await applyTransaction(netnsRunner(inc), renderFull(applied));
      let incrementalSteps = 0;
      let fullSteps = 0;
      let sawIPv6Sets = false;
      let sawHostEndpointChange = false;
      for (let step = 1; step <= 25; step++) {
        snap = randomWorld(r, step, snap);
        calc.update(snap);
        const next = calc.ruleset();
        const diff = renderDiff(applied, next);
        if (diff.needsFull) {
          // Only host endpoints coming or going add or remove base chains (raw, mangle, output): a full sync.
          assert.notEqual(baseChainNames(applied), baseChainNames(next), `step ${step}: a full sync only when base chains change`);
          await applyTransaction(netnsRunner(inc), renderFull(next));
          fullSteps++;
        } else if (diff.text) {
          await applyTransaction(netnsRunner(inc), diff.text);
          incrementalSteps++;
        }
        await applyTransaction(netnsRunner(full), renderFull(next));
        assert.deepEqual(await listing(inc), await listing(full), `step ${step}:\n${diff.text}`);
        const k = await readKernel(netnsRunner(inc), 'inet', 'tabby');
        assert.equal(driftReason(next, k!), undefined, `step ${step}: kernel summary matches the model`);
        if ([...next.sets.keys()].some((n) => n.startsWith('cali60s-'))) sawIPv6Sets = true;
        if (!diff.needsFull && diff.text && next.chains.has('cali-OUTPUT') && applied.chains.has('cali-OUTPUT')) sawHostEndpointChange = true;
        applied = next;
      }
      assert.ok(sawIPv6Sets, 'the sequence went dual-stack at some point');
      assert.ok(incrementalSteps >= 8, `most steps changed something (${incrementalSteps})`);
      assert.ok(fullSteps >= 1 && sawHostEndpointChange, `host endpoints came or went (${fullSteps} full syncs) and changed incrementally while present`);
    } finally {
      fx.cleanupSync();
    }
  });

  test('every rule shape the compiler emits is accepted by nft', { skip: netnsSkipReason() }, async () => {
    const fx = new NetnsFixture();
    try {
      const ns = fx.add('shapes');
      const calc = new PolicyCalculator({ nodeName: 'n1' });
      const snap = emptySnapshot();
      snap.workloadEndpoints.push({
        apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'w', namespace: 'x', labels: { app: 'a' } },
        spec: { node: 'n1', interfaceName: 'cali0123456789a', ipNetworks: ['10.9.1.1/32', 'fd00::1/128'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      });
      snap.profiles.push({ apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'custom' }, spec: { ingress: [{ action: 'Deny', protocol: 'ICMPv6', icmp: { type: 128 } }, { action: 'Allow' }] } });
      snap.workloadEndpoints[0]!.spec!.profiles = ['kns.x', 'custom'];
      snap.globalNetworkPolicies.push({
        apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'shapes' },
        spec: {
          selector: 'all()',
          ingress: [
            { action: 'Log', protocol: 'ICMP', icmp: { type: 8, code: 0 } },
            { action: 'Deny', protocol: 'ICMP', notICMP: { type: 8 } },
            { action: 'Deny', protocol: 'ICMP', notICMP: { type: 3, code: 1 } },
            { action: 'Allow', protocol: 'ICMPv6', icmp: { type: 128 } },
            { action: 'Allow', notProtocol: 'TCP', ipVersion: 6 },
            { action: 'Allow', protocol: 132, destination: { ports: [9] } },
            { action: 'Allow', protocol: 'UDPLite', source: { ports: ['1000:2000'] } },
            { action: 'Pass', protocol: 'TCP', source: { nets: ['10.0.0.0/8', 'fd00::/8'], notNets: ['10.1.0.0/16', 'fd00:1::/32'], notPorts: ['http', 7] } },
            { action: 'Deny', protocol: 'TCP', source: { selector: "app == 'a'", notSelector: "app == 'b'", ports: ['http'] }, destination: { notPorts: [1, 2, '3:5'], ports: ['http', 81] } },
            { action: 'Allow', source: { serviceAccounts: { names: ['default'] } } },
          ],
          egress: [{ action: 'Allow', destination: { nets: ['::/0'] } }, { action: 'Deny', ipVersion: 4 }],
        },
      });
      calc.update(snap);
      const rs = calc.ruleset();
      assert.deepEqual(calc.problems, []);
      await applyTransaction(netnsRunner(ns), renderFull(rs));
      const k = await readKernel(netnsRunner(ns), 'inet', 'tabby');
      assert.equal(driftReason(rs, k!), undefined);
      const rules = rs.chains.get('cali-pi-shapes')!.rules;
      assert.equal(rules.length, 15, 'dual stack: selector and named-port rules have IPv6 variants');
      assert.ok(rules.some((r) => /ip6 saddr @cali60s-/.test(r)) && rules.some((r) => /ip6 saddr \. th sport != @cali60n-/.test(r)));
      assert.ok(rules.includes('meta nfproto ipv4 meta l4proto icmp icmp type . icmp code != { 3 . 1 } drop'));
      assert.ok(rules.some((r) => r.includes('th dport != 1-5')), 'notPorts merged into one range');
    } finally {
      fx.cleanupSync();
    }
  });
});

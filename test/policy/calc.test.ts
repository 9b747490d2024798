// The pure calculation: resources → desired nftables model. No root needed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCalculator, compileRule, type RulesetModel } from '../../src/policy/calc.ts';
import { disjointCIDRs as disjointCidrs, parseNet as parseCidr } from '../../src/net/ip.ts';
import { emptySnapshot, type PolicySnapshot, type WorkloadEndpoint } from '../../src/policy/model.ts';

function wep(ns: string, pod: string, node: string, ip: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): WorkloadEndpoint {
  return {
    apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
    metadata: { name: `${node}-k8s-${pod}-eth0`, namespace: ns, labels: { pod, ...labels } },
    spec: { node, orchestrator: 'k8s', interfaceName: `cali${pod.padEnd(11, '0')}`, ipNetworks: [`${ip}/32`], ...extra },
  };
}

function snapshot(over: Partial<PolicySnapshot>): PolicySnapshot {
  return { ...emptySnapshot(), ...over };
}

const gnp = (name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const cnp = (ns: string, name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

function program(rs: RulesetModel, iface: string, dir: 'tw' | 'fw'): string[] {
  const ep = rs.chains.get(`cali-${dir}-${iface}`);
  assert.ok(ep, `endpoint chain for ${iface}`);
  const target = ep.rules[0]!.replace('goto ', '');
  return rs.chains.get(target)!.rules;
}

function setFor(rs: RulesetModel, chain: string, ruleIndex = 0): Set<string> {
  const m = /@(cali40[sn]-[0-9a-f]+)/.exec(rs.chains.get(chain)!.rules[ruleIndex]!);
  assert.ok(m, `rule ${ruleIndex} of ${chain} references a set`);
  return rs.sets.get(m[1]!)!.elements;
}

describe('PolicyCalculator', () => {
  test('only local endpoints are dispatched; every endpoint feeds selector sets', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1'), wep('x', 'b', 'n2', '10.0.2.1'), wep('y', 'c', 'n1', '10.0.1.2')],
      networkPolicies: [cnp('x', 'from-b', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: "pod == 'b'" } }] })],
    }));
    const rs = c.ruleset();
    assert.deepEqual([...rs.maps.get('cali-to-wl-dispatch')!.elements.keys()].sort(), ['"calia0000000000"', '"calic0000000000"']);
    assert.deepEqual([...rs.sets.get('cali40-wl-addrs')!.elements].sort(), ['"calia0000000000" . 10.0.1.1', '"calic0000000000" . 10.0.1.2']);
    assert.deepEqual([...setFor(rs, 'cali-pi-x/from-b')], ['10.0.2.1'], 'remote pod b is in the selector set');
    // x/a runs the policy then the end-of-tier drop; y/c (no policy) goes straight to its profile.
    const xa = program(rs, 'calia0000000000', 'tw');
    assert.ok(xa.some((r) => r.includes('jump cali-pi-x/from-b')));
    assert.ok(xa.some((r) => r.includes('End of tier default')));
    const yc = program(rs, 'calic0000000000', 'tw');
    assert.ok(!yc.some((r) => r.includes('cali-pi-')));
    assert.ok(yc.includes('jump cali-pri-kns.y'));
    assert.deepEqual(c.problems, []);
  });

  test('a namespaced policy selector only sees its own namespace; namespaceSelector widens it', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1'), wep('y', 'a', 'n2', '10.0.2.1'), wep('z', 'a', 'n2', '10.0.2.2')],
      profiles: [
        { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'kns.y' }, spec: { labelsToApply: { 'pcns.team': 'blue' } } },
        { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'kns.z' }, spec: { labelsToApply: { 'pcns.team': 'red' } } },
      ],
      networkPolicies: [cnp('x', 'p', {
        selector: 'all()',
        ingress: [{ action: 'Allow', source: { selector: "pod == 'a'" } }, { action: 'Allow', source: { selector: "pod == 'a'", namespaceSelector: "team == 'blue'" } }],
      })],
    }));
    const rs = c.ruleset();
    assert.deepEqual([...setFor(rs, 'cali-pi-x/p', 0)], ['10.0.1.1']);
    assert.deepEqual([...setFor(rs, 'cali-pi-x/p', 1)], ['10.0.2.1']);
  });

  test('tiers in order, policies in order, Pass and end-of-tier behaviour', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1')],
      tiers: [
        { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'late' }, spec: { order: 2_000_000, defaultAction: 'Pass' } },
        { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'early' }, spec: { order: 10 } },
      ],
      globalNetworkPolicies: [
        gnp('late.p', { tier: 'late', selector: 'all()', ingress: [{ action: 'Deny' }] }),
        gnp('early.b', { tier: 'early', order: 2, selector: 'all()', ingress: [{ action: 'Pass' }] }),
        gnp('early.a', { tier: 'early', order: 1, selector: 'all()', ingress: [{ action: 'Log' }] }),
        gnp('d', { selector: 'all()', ingress: [{ action: 'Allow' }] }),
      ],
    }));
    const rs = c.ruleset();
    const body = program(rs, 'caliax000000000'.replace('x', '0'), 'tw').join('\n');
    const pos = (s: string) => { const i = body.indexOf(s); assert.ok(i >= 0, `${s} in\n${body}`); return i; };
    assert.ok(pos('Start of tier early') < pos('jump cali-pi-early.a') && pos('jump cali-pi-early.a') < pos('jump cali-pi-early.b'));
    assert.ok(pos('jump cali-pi-early.b') < pos('Start of tier default') && pos('Start of tier default') < pos('Start of tier late'));
    assert.ok(pos('End of tier early') && pos('End of tier default'));
    assert.ok(!body.includes('End of tier late'), 'a Pass-default tier has no end-of-tier drop');
    assert.deepEqual(rs.chains.get('cali-pi-early.b')!.rules, ['meta mark set meta mark or 0x20000 return']);
    assert.deepEqual(rs.chains.get('cali-pi-early.a')!.rules, ['log prefix "calico-packet: " level info']);
    assert.deepEqual(rs.chains.get('cali-pi-late.p')!.rules, ['drop']);
  });

  test('endpoints with the same policies share one program chain', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1'), wep('x', 'b', 'n1', '10.0.1.2'), wep('x', 'c', 'n1', '10.0.1.3', { role: 'db' })],
      networkPolicies: [cnp('x', 'db', { selector: "role == 'db'", ingress: [{ action: 'Allow' }] })],
    }));
    const rs = c.ruleset();
    const t = (p: string) => rs.chains.get(`cali-tw-cali${p.padEnd(11, '0')}`)!.rules[0];
    assert.equal(t('a'), t('b'));
    assert.notEqual(t('a'), t('c'));
  });

  test('membership is incremental: endpoints coming and going change only set elements', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    const base = [wep('x', 'a', 'n1', '10.0.1.1')];
    const pol = [cnp('x', 'p', { selector: "pod == 'a'", ingress: [{ action: 'Allow', source: { selector: "role == 'web'" } }] })];
    c.update(snapshot({ workloadEndpoints: base, networkPolicies: pol }));
    const before = c.ruleset();
    assert.equal(setFor(before, 'cali-pi-x/p').size, 0);
    c.update(snapshot({ workloadEndpoints: [...base, wep('x', 'w', 'n2', '10.0.2.9', { role: 'web' })], networkPolicies: pol }));
    const after = c.ruleset();
    assert.deepEqual([...setFor(after, 'cali-pi-x/p')], ['10.0.2.9']);
    assert.deepEqual(after.chains.get('cali-pi-x/p')!.rules, before.chains.get('cali-pi-x/p')!.rules, 'rules unchanged');
    // Relabelling moves the endpoint out of the set.
    c.update(snapshot({ workloadEndpoints: [...base, wep('x', 'w', 'n2', '10.0.2.9', { role: 'db' })], networkPolicies: pol }));
    assert.equal(setFor(c.ruleset(), 'cali-pi-x/p').size, 0);
  });

  test('network sets join selector sets; contained CIDRs are merged away', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1', { ext: 'yes' })],
      globalNetworkSets: [{ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'g', labels: { ext: 'yes' } }, spec: { nets: ['10.0.0.0/16', '192.168.0.0/24', '192.168.0.7/32'] } }],
      globalNetworkPolicies: [gnp('p', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: "ext == 'yes'" } }] })],
    }));
    assert.deepEqual([...setFor(c.ruleset(), 'cali-pi-p')].sort(), ['10.0.0.0/16', '192.168.0.0/24']);
  });

  test('named ports resolve to address . port sets', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }];
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1', {}, { ports }), wep('x', 'b', 'n2', '10.0.2.1', {}, { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })],
      networkPolicies: [cnp('x', 'p', { selector: 'all()', ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['http', 443] } }] })],
    }));
    const rs = c.ruleset();
    const rules = rs.chains.get('cali-pi-x/p')!.rules;
    assert.equal(rules.length, 3, 'numeric ports and each named port are alternatives (named ones IPv4 only)');
    assert.match(rules[0]!, /^meta nfproto ipv4 .*th dport 443/);
    assert.match(rules[2]!, /^meta nfproto ipv6 .*th dport 443/);
    assert.deepEqual([...setFor(rs, 'cali-pi-x/p', 1)].sort(), ['10.0.1.1 . 8080', '10.0.2.1 . 80']);
  });

  test('invalid policies never open holes: bad rules deny; bad selectors and unknown tiers are reported', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1'), wep('x', 'b', 'n1', '10.0.1.2', {}, { interfaceName: 'not a name!' })],
      networkPolicies: [
        cnp('x', 'bad-rule', { selector: 'all()', ingress: [{ action: 'Allow', protocol: 'ICMP', destination: { ports: [80] } }] }),
        cnp('x', 'bad-selector', { selector: 'pod ==', ingress: [{ action: 'Allow' }] }),
        cnp('x', 'no-tier', { tier: 'ghost', selector: 'all()', ingress: [{ action: 'Allow' }] }),
      ],
    }));
    const rs = c.ruleset();
    assert.match(rs.chains.get('cali-pi-x/bad-rule')!.rules[0]!, /^drop comment "invalid: .*ports need protocol/);
    const problems = c.problems.join('\n');
    assert.match(problems, /bad-rule.*ports need protocol/);
    assert.match(problems, /bad-selector.*invalid selector/);
    assert.match(problems, /tier "ghost" does not exist/);
    assert.match(problems, /interfaceName "not a name!"/);
    // Felix's policy resolver keeps a policy whose tier has no Tier resource: it applies (fail closed).
    assert.ok(rs.chains.has('cali-pi-x/no-tier'));
  });

  test('compileRule: protocols, nets by family, ICMP, notICMP, ports and notPorts', () => {
    const sets = { peer: () => 'S', namedPort: () => 'N', literal: (k: string, e: string[]) => (e.length === 1 ? e[0]! : `@L(${k}:${e.join(',')})`) };
    const ctx = { sets, where: 'r' };
    assert.deepEqual(compileRule({ action: 'Deny', protocol: 'UDP', destination: { ports: [53, '1000:1010'], notPorts: [1005] } }, ctx),
      ['meta l4proto udp th dport != 1005 th dport @L(port:53,1000-1010) drop']);
    assert.deepEqual(compileRule({ action: 'Allow', source: { nets: ['10.0.0.0/8', 'fd00::/64'] } }, ctx), [
      'meta nfproto ipv4 ip saddr 10.0.0.0/8 meta mark set meta mark or 0x10000 return',
      'meta nfproto ipv6 ip6 saddr fd00::/64 meta mark set meta mark or 0x10000 return',
    ]);
    assert.deepEqual(compileRule({ action: 'Deny', protocol: 'ICMP', icmp: { type: 8, code: 0 } }, ctx),
      ['meta nfproto ipv4 meta l4proto icmp icmp type 8 icmp code 0 drop']);
    assert.deepEqual(compileRule({ action: 'Deny', protocol: 'ICMP', notICMP: { type: 8, code: 0 } }, ctx),
      ['meta nfproto ipv4 meta l4proto icmp icmp type . icmp code != { 8 . 0 } drop']);
    assert.deepEqual(compileRule({ action: 'Allow', ipVersion: 6, source: { selector: 'a == "b"' } }, ctx), [],
      'no IPv6 address anywhere: selector rules get no IPv6 variant');
    const sets6 = { ...sets, peer: (_k: unknown, f: number) => `S${f}`, namedPort: (_k: unknown, f: number) => `N${f}` };
    assert.deepEqual(compileRule({ action: 'Allow', protocol: 'TCP', source: { selector: 'a == "b"' }, destination: { ports: ['http'] } }, { sets: sets6, where: 'r', ipv6: true }), [
      'meta nfproto ipv4 meta l4proto tcp ip saddr @S4 ip daddr . th dport @N4 meta mark set meta mark or 0x10000 return',
      'meta nfproto ipv6 meta l4proto tcp ip6 saddr @S6 ip6 daddr . th dport @N6 meta mark set meta mark or 0x10000 return',
    ]);
    assert.throws(() => compileRule({ action: 'Allow', protocol: 'TCP', destination: { ports: ['99999'] } } as any, ctx), /port 99999/);
    assert.throws(() => compileRule({ action: 'Reject' } as any, ctx), /action "Reject"/);
  });

  test('literal port and net lists become shared named interval sets, normalised', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    const rule = { action: 'Allow', protocol: 'TCP', source: { nets: ['10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16'] }, destination: { ports: [80, '80:90', 91, 100] } };
    c.update(snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1')],
      networkPolicies: [cnp('x', 'p1', { selector: 'all()', ingress: [rule] }), cnp('x', 'p2', { selector: 'all()', ingress: [rule] })],
    }));
    const rs = c.ruleset();
    const r1 = rs.chains.get('cali-pi-x/p1')!.rules[0]!;
    assert.equal(r1, rs.chains.get('cali-pi-x/p2')!.rules[0], 'both policies share the same sets');
    const ports = /th dport @(cali-ports-[0-9a-f]+)/.exec(r1)!;
    const nets = /ip saddr @(cali40nets-[0-9a-f]+)/.exec(r1)!;
    assert.deepEqual([...rs.sets.get(ports[1]!)!.elements], ['80-91', '100']);
    assert.deepEqual([...rs.sets.get(nets[1]!)!.elements], ['10.0.0.0/8', '192.168.0.0/16']);
    assert.equal(rs.sets.get(nets[1]!)!.interval, true);
  });

  test('dual stack: with IPv6 addresses present, selectors and named ports get IPv6 sets too', () => {
    const c = new PolicyCalculator({ nodeName: 'n1' });
    const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];
    const ds = (extra: WorkloadEndpoint[]) => snapshot({
      workloadEndpoints: [wep('x', 'a', 'n1', '10.0.1.1', {}, { ports }), ...extra],
      networkPolicies: [cnp('x', 'p', { selector: 'all()', ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "pod == 'b'" }, destination: { ports: ['http'] } }] })],
    });
    c.update(ds([wep('x', 'b', 'n2', '10.0.2.1')]));
    const v4only = c.ruleset();
    assert.equal(v4only.chains.get('cali-pi-x/p')!.rules.length, 1);
    assert.ok(![...v4only.sets.keys()].some((n) => /^cali60[sn]-/.test(n)), 'no IPv6 selector sets in an IPv4-only cluster');
    c.update(ds([wep('x', 'b', 'n2', '10.0.2.1', {}, { ipNetworks: ['10.0.2.1/32', 'fd00::2/128'], ports })]));
    const dual = c.ruleset();
    const rules = dual.chains.get('cali-pi-x/p')!.rules;
    assert.equal(rules.length, 2);
    const s6 = /ip6 saddr @(cali60s-[0-9a-f]+)/.exec(rules[1]!)![1]!;
    assert.deepEqual([...dual.sets.get(s6)!.elements], ['fd00::2']);
    assert.equal(dual.sets.get(s6)!.type, 'ipv6_addr');
    const n6 = /ip6 daddr \. th dport @(cali60n-[0-9a-f]+)/.exec(rules[1]!)![1]!;
    assert.deepEqual([...dual.sets.get(n6)!.elements], ['fd00::2 . 8080']);
  });

  test('disjointCidrs drops duplicates and contained prefixes', () => {
    const out = disjointCidrs(['10.0.0.0/8', '10.1.0.0/16', '10.0.0.1/32', '11.0.0.1/32', '11.0.0.1/32'].map(parseCidr));
    assert.deepEqual(out.map((c) => c.text), ['10.0.0.0/8', '11.0.0.1/32']);
  });
});

describe('ruleset reuse', () => {
  // A seeded random walk over the resources a node sees: after every step, the calculator that lives through
  // the walk (and reuses its last ruleset when nothing it reads changed) must render exactly what a fresh one
  // computes from scratch.
  test('a long-lived calculator renders what a fresh one does, step by step, and reuses the ruleset when other nodes\' unselected endpoints change', async () => {
    const { renderFull } = await import('../../src/policy/nft.ts');
    let seed = 7; // xorshift32: a fixed, well-mixed sequence
    const rand = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
    const weps = new Map<string, WorkloadEndpoint>();
    const policies = new Map<string, any>();
    const apps = ['a', 'b', 'c', 'd'];
    let ip = 10;
    const addWep = (node: string) => {
      const pod = `p${ip}`;
      weps.set(pod, wep('default', pod, node, `10.0.${ip >> 8}.${ip & 255}`, { app: apps[rand(4)]! }, { ports: [{ name: 'http', port: 80 + rand(3), protocol: 'TCP' }] }));
      ip++;
    };
    // One local endpoint per app, never changed, so that every policy applies here and its peer sets matter.
    apps.forEach((app, i) => weps.set(`local-${app}`, wep('default', `local-${app}`, 'n1', `10.1.0.${i + 1}`, { app }, { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })));
    for (let i = 0; i < 6; i++) addWep(`n${2 + rand(3)}`);
    const live = new PolicyCalculator({ nodeName: 'n1' });
    let prev: RulesetModel | undefined;
    let reused = 0, recomputed = 0;
    for (let step = 0; step < 400; step++) {
      const r = rand(10);
      const keys = [...weps.keys()];
      if (r <= 2) addWep(rand(5) === 0 ? 'n1' : `n${2 + rand(3)}`);
      else if (r === 3 && keys.length > 6) { const k = keys[rand(keys.length)]!; if (!k.startsWith('local-')) weps.delete(k); }
      else if (r === 4) {
        const k = keys[rand(keys.length)]!;
        const w = structuredClone(weps.get(k)!);
        if (rand(2) === 0) w.metadata.labels = { ...w.metadata.labels, app: apps[rand(4)]! };
        else if (!k.startsWith('local-')) w.spec!.ports = [{ name: 'http', port: 80 + rand(3), protocol: 'TCP' }];
        weps.set(k, w);
      } else if (r === 5) {
        const name = `gnp-${rand(4)}`;
        if (policies.has(name) && rand(2) === 0) policies.delete(name);
        else {
          const port = rand(2) === 0 ? { ports: ['http'] } : {};
          const peer = { selector: `app == '${apps[rand(4)]}'`, ...(rand(2) === 0 ? { ports: ['http'] } : {}) }; // a named port of the peers: a named-port set
          policies.set(name, gnp(name, { selector: `app == '${apps[rand(4)]}'`, ingress: [{ action: 'Allow', source: peer, destination: port }] }));
        }
      } // else: nothing changed
      const snap = snapshot({ workloadEndpoints: [...weps.values()], globalNetworkPolicies: [...policies.values()] });
      live.update(snap);
      const got = live.ruleset();
      if (got === prev) reused++; else recomputed++;
      prev = got;
      const fresh = new PolicyCalculator({ nodeName: 'n1' });
      fresh.update(snap);
      assert.equal(renderFull(got), renderFull(fresh.ruleset()), `step ${step}: the long-lived calculator's ruleset differs from a fresh one's`);
      assert.deepEqual(live.problems, fresh.problems, `step ${step}: problems`);
    }
    assert.ok(reused > 50, `the ruleset was reused ${reused} times`);
    assert.ok(recomputed > 20, `and recomputed ${recomputed} times`);
  });
});

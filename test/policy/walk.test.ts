// Walking a packet through the calculated ruleset (src/policy/walk.ts), as `tabby trace` does. No root:
// the truth-table cases are laid out on paper (the policy lab's pods and nodes, never built) and every
// verdict of the walk must equal the independent evaluator's, which the root truth-table tests hold to
// real probes. Then the decisions `tabby trace` names: policy, tier, rule index, end of tier, anti-spoofing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCalculator, type RulesetModel } from '../../src/policy/calc.ts';
import { walkRuleset, tokenize } from '../../src/policy/walk.ts';
import { walkPair } from './walk-pair.ts';
import { emptySnapshot, type PolicySnapshot, type WorkloadEndpoint } from '../../src/policy/model.ts';
import { PolicyLab, caliName, NAMESPACES, POD_NAMES, PORTS, PROTOS, type LabPod } from './lab.ts';
import { CALICO_CASES, K8S_CASES } from './cases.ts';
import { expectAllowed } from './evaluator.ts';

/** The policy lab's layout without building it: the same names, addresses and nodes as lab.ts. */
function paperLab(): PolicyLab {
  const lab = new PolicyLab();
  for (let i = 1; i <= 2; i++) lab.nodes.push({ name: `node${i}`, netns: '', ip: `10.0.0.${i}`, block: `10.65.${i}.0/24`, manager: undefined as never });
  let idx = 0;
  for (const ns of NAMESPACES) for (const name of POD_NAMES) {
    const node = lab.nodes[idx % 2]!;
    const host = 10 + Math.floor(idx / 2);
    idx++;
    lab.pods.push({
      key: `${ns}/${name}`, namespace: ns, name, ip: node.block.replace('.0/24', `.${host}`), node: node.name, netns: '',
      iface: caliName(`${ns}.${name}`), agent: undefined as never, labels: { pod: name },
      ports: PORTS.flatMap((p) => PROTOS.map((proto) => ({ name: `serve-${p}-${proto.toLowerCase()}`, port: p, protocol: proto }))),
    } as LabPod);
  }
  return lab;
}

function rulesetFor(node: string, snap: PolicySnapshot): RulesetModel {
  const c = new PolicyCalculator({ nodeName: node });
  c.update(snap);
  return c.ruleset();
}

describe('the ruleset walk agrees with the truth tables', () => {
  for (const c of [...K8S_CASES, ...CALICO_CASES]) {
    test(c.name, () => {
      const lab = paperLab();
      const res = c.res(lab);
      lab.current = res;
      const snap = lab.snapshot(res);
      const rs = new Map(lab.nodes.map((n) => [n.name, rulesetFor(n.name, snap)]));
      const world = lab.world(res);
      const wrong: string[] = [];
      let allowed = 0, total = 0;
      for (const src of lab.pods) for (const dst of lab.pods) {
        if (src === dst) continue;
        for (const proto of PROTOS) for (const port of PORTS) {
          const walked = walkPair(rs, src, dst, proto, port).every((w) => w.verdict === 'accept');
          const want = expectAllowed(world, src, dst, proto, port);
          total++; if (want) allowed++;
          if (walked !== want) wrong.push(`${src.key}>${dst.key} ${proto}/${port}: walk ${walked ? 'allows' : 'denies'}, evaluator ${want ? 'allows' : 'denies'}`);
        }
      }
      assert.deepEqual(wrong, []);
      assert.ok(total === 9 * 8 * 4 && (c.expect === 'all-allowed' ? allowed === total : c.expect === 'all-denied' ? allowed === 0 : allowed > 0 && allowed < total));
    });
  }
});

function wep(ns: string, pod: string, node: string, ip: string, labels: Record<string, string> = {}): WorkloadEndpoint {
  return {
    apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
    metadata: { name: `${node}-k8s-${pod}-eth0`, namespace: ns, labels: { pod, ...labels } },
    spec: { node, orchestrator: 'k8s', pod, interfaceName: caliName(`${ns}.${pod}`), ipNetworks: [`${ip}/32`], profiles: [`kns.${ns}`] },
  };
}

describe('the decision names the policy, tier and rule', () => {
  const a = wep('x', 'a', 'n1', '10.65.1.10'), b = wep('x', 'b', 'n1', '10.65.1.11');
  const tcp = (dport: number, saddr = '10.65.1.10') => ({ family: 4 as const, saddr, daddr: '10.65.1.11', l4proto: 'tcp', sport: 40000, dport, iifname: a.spec!.interfaceName!, oifname: b.spec!.interfaceName! });
  const snap = (over: Partial<PolicySnapshot>) => ({ ...emptySnapshot(), workloadEndpoints: [a, b], ...over });

  test('a Deny rule: its policy, its tier and the index of the Calico rule (not of the nft rule)', () => {
    const rs = rulesetFor('n1', snap({
      tiers: [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } }],
      globalNetworkPolicies: [{
        apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'security.block-81' },
        spec: {
          tier: 'security', selector: "pod == 'b'", types: ['Ingress'],
          // Rule 0 compiles to two nft rules (a numeric and a named port); rule 1 is the Deny.
          ingress: [{ action: 'Pass', protocol: 'TCP', destination: { ports: [80, 'http'] } }, { action: 'Deny', protocol: 'TCP', destination: { ports: [81] } }, { action: 'Pass' }],
        },
      }],
    }));
    const w = walkRuleset(rs, 'forward', tcp(81));
    assert.equal(w.verdict, 'drop');
    assert.deepEqual({ ...w.decision, comment: undefined }, { kind: 'GlobalNetworkPolicy', name: 'security.block-81', namespace: undefined, tier: 'security', rule: 1, action: 'Deny', comment: undefined });
    const ok = walkRuleset(rs, 'forward', tcp(80));
    assert.equal(ok.verdict, 'accept');
    assert.equal(ok.decision?.kind, 'Profile', 'passed to the default tier (no policy there), then the namespace profile allowed');
    assert.equal(ok.decision?.name, 'kns.x');
  });

  test('end of tier: a tier whose policies select the endpoint but do not decide drops', () => {
    const rs = rulesetFor('n1', snap({
      networkPolicies: [{ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'only-80', namespace: 'x' }, spec: { selector: "pod == 'b'", ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80] } }] } }],
    }));
    const w = walkRuleset(rs, 'forward', tcp(443));
    assert.equal(w.verdict, 'drop');
    assert.equal(w.decision?.kind, 'EndOfTier');
    assert.equal(w.decision?.tier, 'default');
    const ok = walkRuleset(rs, 'forward', tcp(80));
    assert.deepEqual([ok.verdict, ok.decision?.name, ok.decision?.namespace, ok.decision?.rule, ok.decision?.tier], ['accept', 'only-80', 'x', 0, 'default']);
  });

  test('anti-spoofing: a pod sending from another address is dropped before any policy', () => {
    const rs = rulesetFor('n1', snap({}));
    const w = walkRuleset(rs, 'forward', tcp(80, '10.65.1.99'));
    assert.equal(w.verdict, 'drop');
    assert.equal(w.decision?.kind, 'Dispatch');
    assert.match(w.decision?.comment ?? '', /Anti-spoofing/);
    assert.equal(w.steps.at(-1)?.chain, 'cali-from-wl-dispatch');
  });

  test('an unknown cali interface fails closed', () => {
    const rs = rulesetFor('n1', snap({}));
    const w = walkRuleset(rs, 'forward', { ...tcp(80), iifname: 'cali00000000000' });
    assert.deepEqual([w.verdict, w.decision?.comment], ['drop', 'Unknown interface']);
  });

  test('traffic between non-workload interfaces is not the table\'s business', () => {
    const rs = rulesetFor('n1', snap({}));
    const w = walkRuleset(rs, 'forward', { ...tcp(80), iifname: 'ens3', oifname: 'tunl0' });
    assert.deepEqual([w.verdict, w.decision], ['accept', undefined]);
  });

  test('a rule the walk cannot read is an error, not a guess', () => {
    const rs = rulesetFor('n1', snap({}));
    rs.chains.get('cali-FORWARD')!.rules.unshift('ip dscp 4 drop');
    assert.throws(() => walkRuleset(rs, 'forward', tcp(80)), /unknown match field "ip dscp"/);
    assert.deepEqual(tokenize('iifname . ip saddr != @s drop comment "a b"'), ['iifname', '.', 'ip', 'saddr', '!=', '@s', 'drop', 'comment', '"a b"']);
  });
});

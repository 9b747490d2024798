// A pod's policies and a namespace's reachability, as the page shows them. Pure, and computed the way the
// nodes enforce policy: each node's PolicyCalculator builds the ruleset its agent would program, and a
// verdict is a walk of that ruleset (src/policy/walk.ts), as `tabby trace` does on the live table.
import { PolicyCalculator, type PolicyRef, type RulesetModel } from '../policy/calc.ts';
import { deriveEndpoint, profileLabelMap } from '../policy/items.ts';
import type { PolicySnapshot, WorkloadEndpoint } from '../policy/model.ts';
import { walkRuleset, type WalkPacket } from '../policy/walk.ts';
import type { AppliedPolicy, Matrix, MatrixCell, MatrixPacket, PodDetails } from './api-types.ts';

export type { AppliedPolicy, Matrix, MatrixCell, MatrixPacket, PodDetails };

const endpointKey = (w: WorkloadEndpoint) => `wep/${w.metadata.namespace ?? ''}/${w.metadata.name}`;
const nodeOf = (w: WorkloadEndpoint) => String(w.spec?.node ?? '');

/** One calculator per node, fed once: the matrix asks many pairs of the same few nodes. */
class Rulesets {
  private readonly byNode = new Map<string, { calc: PolicyCalculator; rs: RulesetModel }>();
  constructor(private readonly snap: PolicySnapshot) {}
  of(node: string): { calc: PolicyCalculator; rs: RulesetModel } {
    let r = this.byNode.get(node);
    if (!r) {
      const calc = new PolicyCalculator({ nodeName: node });
      calc.update(this.snap);
      r = { calc, rs: calc.ruleset() };
      this.byNode.set(node, r);
    }
    return r;
  }
}

function applied(p: PolicyRef, dir: 'ingress' | 'egress', tierOrder: number | undefined): AppliedPolicy {
  return {
    tier: p.tier, ...(tierOrder !== undefined ? { tierOrder } : {}), kind: p.kind, name: p.name,
    ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.order !== undefined ? { order: p.order } : {}),
    rules: (p.spec[dir] ?? []).length,
  };
}

/** The pod behind endpoint `w`: its interface, effective labels, and the policies selecting it per direction. */
export function podDetails(snap: PolicySnapshot, w: WorkloadEndpoint): PodDetails {
  const { calc } = new Rulesets(snap).of(nodeOf(w));
  const a = calc.appliedTo(endpointKey(w));
  const tierOrder = new Map(a.tiers.map((t) => [t.name, t.order]));
  const derived = deriveEndpoint(w, profileLabelMap(snap), '');
  return {
    endpoint: w, node: nodeOf(w), iface: String(w.spec?.interfaceName ?? ''),
    ips: (w.spec?.ipNetworks ?? []).map((n) => n.split('/')[0]!),
    labels: derived.item.labels, profiles: derived.profiles,
    ingress: a.Ingress.map((p) => applied(p, 'ingress', tierOrder.get(p.tier))),
    egress: a.Egress.map((p) => applied(p, 'egress', tierOrder.get(p.tier))),
    problems: [...calc.problems, ...derived.problems],
  };
}

function walkPacket(src: WorkloadEndpoint, dst: WorkloadEndpoint, pkt: MatrixPacket): WalkPacket | undefined {
  const saddr = src.spec?.ipNetworks?.[0]?.split('/')[0];
  const daddr = dst.spec?.ipNetworks?.[0]?.split('/')[0];
  if (!saddr || !daddr) return undefined;
  return {
    family: 4, saddr, daddr, l4proto: pkt.protocol, ctState: 'new',
    ...(pkt.protocol === 'icmp' ? { icmpType: 8, icmpCode: 0 } : { sport: 40000, dport: pkt.port }),
  };
}

/** The node's uplink as the walk sees it (any non-workload interface: policy only names cali* ones). */
const UPLINK = 'eth0';

/** Whether the walk's last step was in a to-workload (ingress) chain. */
function isIngressChain(steps: { chain: string }[]): boolean {
  const last = steps[steps.length - 1]?.chain ?? '';
  return /^cali-(tw|pgi|pi|pri)-/.test(last);
}

/** Every pod of `namespace` to every other: egress on the source's node, then ingress on the destination's. */
export function reachability(snap: PolicySnapshot, namespace: string, pkt: MatrixPacket): Matrix {
  const rulesets = new Rulesets(snap);
  const weps = snap.workloadEndpoints
    .filter((w) => w.metadata.namespace === namespace && w.spec?.node && w.spec?.interfaceName)
    .sort((a, b) => podName(a).localeCompare(podName(b)));
  const cells: MatrixCell[] = [];
  for (const src of weps) {
    for (const dst of weps) {
      if (src === dst) continue;
      const base = { from: podName(src), to: podName(dst) };
      const wp = walkPacket(src, dst, pkt);
      if (!wp) { cells.push({ ...base, verdict: 'deny', decision: { kind: 'Dispatch', action: 'Deny', comment: 'no address' } }); continue; }
      const sif = String(src.spec!.interfaceName);
      const dif = String(dst.spec!.interfaceName);
      const sameNode = nodeOf(src) === nodeOf(dst);
      // Between nodes the packet leaves by the node's uplink and arrives by the other's; on one node it goes
      // straight from one pod's interface to the other's (one walk covers both directions then).
      const out = walkRuleset(rulesets.of(nodeOf(src)).rs, 'forward', { ...wp, iifname: sif, oifname: sameNode ? dif : UPLINK });
      if (out.verdict === 'drop' || sameNode) {
        const at = out.verdict === 'drop' && !isIngressChain(out.steps) ? 'egress' : 'ingress';
        cells.push({ ...base, verdict: out.verdict === 'accept' ? 'allow' : 'deny', at, ...(out.decision ? { decision: out.decision } : {}) });
        continue;
      }
      const into = walkRuleset(rulesets.of(nodeOf(dst)).rs, 'forward', { ...wp, iifname: UPLINK, oifname: dif });
      cells.push({ ...base, verdict: into.verdict === 'accept' ? 'allow' : 'deny', at: 'ingress', ...(into.decision ? { decision: into.decision } : {}) });
    }
  }
  return { namespace, packet: pkt, pods: weps.map(podName), cells };
}

function podName(w: WorkloadEndpoint): string { return String(w.spec?.pod ?? w.metadata.name); }

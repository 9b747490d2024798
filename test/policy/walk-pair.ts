// A new connection src → dst through each node's forward hook, as the kernel runs it in the policy test
// cluster (the nodes joined on ens1): `tabby trace`'s policy walk, shared by the paper and the root tests.
import type { RulesetModel } from '../../src/policy/calc.ts';
import { walkRuleset, type WalkResult } from '../../src/policy/walk.ts';
import type { Proto } from './evaluator.ts';

export interface WalkPod { ip: string; node: string; iface: string }

export function walkPair(rs: Map<string, RulesetModel>, src: WalkPod, dst: WalkPod, proto: Proto, port: number): WalkResult[] {
  const pkt = { family: 4 as const, saddr: src.ip, daddr: dst.ip, l4proto: proto.toLowerCase(), sport: 40000, dport: port };
  if (src.node === dst.node) return [walkRuleset(rs.get(src.node)!, 'forward', { ...pkt, iifname: src.iface, oifname: dst.iface })];
  const out = walkRuleset(rs.get(src.node)!, 'forward', { ...pkt, iifname: src.iface, oifname: 'ens1' });
  if (out.verdict === 'drop') return [out];
  return [out, walkRuleset(rs.get(dst.node)!, 'forward', { ...pkt, iifname: 'ens1', oifname: dst.iface })];
}

export function walkAllows(rs: Map<string, RulesetModel>, src: WalkPod, dst: WalkPod, proto: Proto, port: number): boolean {
  return walkPair(rs, src, dst, proto, port).every((w) => w.verdict === 'accept');
}

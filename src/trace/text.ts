// The trace as the article tells it: numbered steps, each with the command that shows it, then the verdict.
// And the JSON form without the prover's internal fields. Pure.
import type { Hop, TraceResult } from './types.ts';

/** How a command is run where the hop happens (`tabby lab exec POD -- …`, `kubectl exec …`, or as is). */
export type CommandPlace = (hop: Hop, command: string) => string;

export const onTheNode: CommandPlace = (hop, command) => (hop.namespace ? `kubectl exec -n ${hop.namespace.replace('/', ' ')} -- ${command}` : `(on ${hop.node}) ${command}`);

const TITLES: Record<Hop['action'], string> = {
  route: 'route', arp: 'ARP', 'egress-policy': 'egress policy', 'ingress-policy': 'ingress policy', encapsulate: 'encapsulation',
  transmit: 'on the wire', fabric: 'fabric', decapsulate: 'decapsulation', snat: 'NAT outgoing', 'reverse-nat': 'NAT reversed', deliver: 'delivery',
  'leave-cluster': 'out of the cluster', drop: 'DROPPED',
};

function where(h: Hop): string {
  if (h.namespace && h.interface === 'eth0') return `pod ${h.namespace}`;
  return h.interface ? `${h.node} ${h.interface}` : h.node;
}

function mark(h: Hop): string {
  if (h.action === 'drop') return h.verified === true ? ' [confirmed: the probe went no further]' : h.verified === false ? ' [CONTRADICTED]' : '';
  return h.verified === true ? ' [seen]' : h.verified === false ? ' [NOT SEEN]' : '';
}

function renderHops(hops: Hop[], place: CommandPlace, lines: string[], prefix = ''): void {
  hops.forEach((h, i) => {
    lines.push(`${prefix}${i + 1}. ${TITLES[h.action]} — ${where(h)}${mark(h)}`);
    if (h.detail) lines.push(`   ${h.detail}`);
    if (h.policy) {
      const p = h.policy;
      lines.push(`   policy: ${p.kind}${p.name ? ` ${p.name}` : ''}${p.tier ? `, tier ${p.tier}` : ''}${p.rule !== null ? `, rule ${p.rule}` : ''} → ${p.action}`);
    }
    if (h.observed) lines.push(`   observed: ${h.observed}`);
    if (h.command) lines.push(`   $ ${place(h, h.command)}`);
  });
}

export function renderText(r: TraceResult, place: CommandPlace = onTheNode): string {
  const lines: string[] = [];
  renderHops(r.hops, place, lines);
  if (r.reply) {
    lines.push('', `the reply (${r.reply.packet.src} → ${r.reply.packet.dst}) takes its own path: ${r.reply.differs}`);
    renderHops(r.reply.hops, place, lines, 'R');
    lines.push(r.reply.verdict === 'delivered' ? '   reply delivered' : `   reply DROPPED — ${r.reply.reason ?? 'no reason given'}`);
  }
  lines.push('');
  lines.push(r.verdict === 'delivered' ? `verdict: delivered${r.reason ? ` (${r.reason})` : ''}` : `verdict: DROPPED — ${r.reason ?? 'no reason given'}`);
  for (const c of r.contradictions ?? []) lines.push(`contradiction: ${c}`);
  return lines.join('\n') + '\n';
}

/** The documented JSON shape (docs/trace.md). */
export function renderJson(r: TraceResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

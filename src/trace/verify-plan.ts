// --verify's plan and judgement, pure: from the predicted hops, where the probe must be captured (which node,
// which pod when inside one, which interface, in which form and with which outer headers), and then, from what
// each capture saw, which hops are seen and where the wire contradicts the prediction. The captures and the
// probe themselves are the agents' (POST /trace/capture, /trace/probe), the same in the lab and on a cluster.
import type { Hop, TraceResult } from './types.ts';
import { probeFilter, type CaptureForm, type ProbeSpec } from './probe.ts';

export interface CapturePoint {
  hop: number;
  node: string;
  /** `namespace/name` of the pod to capture in (its eth0); absent: the node's own namespace. */
  pod?: string;
  iface: string;
  form: CaptureForm;
  natSrc?: string;
  filter: string;
  expect: 'seen' | 'not-seen';
  /** Only packets leaving the node (tcpdump -Q out). */
  outbound?: boolean;
  mustShow?: RegExp | undefined;
}

/** What one capture returned; `error` when the node could not capture. */
export interface CaptureOutcome { lines: string[]; error?: string; routeGet?: string; neighbour?: string }

const formOf = (h: Hop | undefined): CaptureForm => (h?.encap?.type === 'vxlan' ? 'vxlan' : h?.encap?.type === 'ipip' ? 'ipip' : 'inner');

function outerShows(h: Hop): RegExp | undefined {
  const e = h.encap;
  if (!e) return undefined;
  const q = (s: string) => s.replace(/\./g, '\\.');
  return e.type === 'vxlan'
    ? new RegExp(`${q(e.outerSrc)}\\.\\d+ > ${q(e.outerDst)}\\.${e.udpPort ?? 4789}: VXLAN.*vni ${e.vni}`)
    : new RegExp(`${q(e.outerSrc)} > ${q(e.outerDst)}: `);
}

/** Where each hop can be seen (or must not be). Hops with no point are judged otherwise or stay unverified. */
export function capturePlan(hops: Hop[], spec: ProbeSpec): CapturePoint[] {
  const points: CapturePoint[] = [];
  const next = (i: number, action: Hop['action']) => hops.slice(i + 1).find((x) => x.node === hops[i]!.node && x.action === action);
  const add = (i: number, h: Hop | undefined, iface: string | undefined, form: CaptureForm, extra: Partial<CapturePoint> = {}) => {
    if (!h || !iface) return;
    const natSrc = extra.natSrc;
    points.push({ hop: i, node: h.node, ...(h.namespace ? { pod: h.namespace } : {}), iface, form, filter: probeFilter(spec, form, natSrc), expect: 'seen', ...extra });
  };
  hops.forEach((h, i) => {
    const { namespace: _inPod, ...nodeHop } = h;
    switch (h.action) {
      case 'route': {
        if (h.namespace) {
          // Refused by the pod's own stack (MTU): the probe never appears on its eth0.
          if (!hops.slice(i + 1).some((x) => x.namespace === h.namespace && x.action === 'drop')) add(i, h, 'eth0', 'inner');
          break;
        }
        // Dropped later on this node: the packet never leaves on the route's device; the kernel is asked instead.
        if (hops.slice(i + 1).some((x) => x.node === h.node && x.action === 'drop')) break;
        if (h.interface === 'tunl0') { const t = next(i, 'transmit'); add(i, t, t?.interface, formOf(t ?? h), { mustShow: t && outerShows(t) }); break; }
        add(i, nodeHop, h.interface, 'inner');
        break;
      }
      case 'egress-policy': {
        const r = hops.slice(0, i).reverse().find((x) => x.node === h.node && x.action === 'route' && !x.namespace);
        const t = next(i, 'transmit');
        if (r?.interface === 'tunl0' && t) add(i, t, t.interface, formOf(t));
        else add(i, nodeHop, r?.interface === 'tunl0' ? undefined : r?.interface, 'inner');
        break;
      }
      case 'ingress-policy': { const d = next(i, 'deliver'); add(i, nodeHop, d?.interface, 'inner'); break; }
      case 'encapsulate': case 'transmit': case 'decapsulate': {
        const iface = h.action === 'encapsulate' ? next(i, 'transmit')?.interface : h.interface;
        add(i, nodeHop, iface, formOf(h), { mustShow: outerShows(h) });
        break;
      }
      case 'deliver': add(i, nodeHop, h.interface === 'host' ? 'any' : h.interface, 'inner'); break;
      case 'snat': case 'leave-cluster': {
        const natSrc = /masqueraded to (\S+)/.exec(hops.find((x) => x.action === 'snat')?.detail ?? '')?.[1];
        add(i, nodeHop, h.interface, natSrc ? 'natted' : 'inner', natSrc ? { natSrc, mustShow: new RegExp(`${natSrc.replace(/\./g, '\\.')}[ .]`) } : {});
        break;
      }
      case 'drop': add(i, nodeHop, 'any', 'any', { expect: 'not-seen', outbound: true }); break;
      default: break;
    }
  });
  return points;
}

/** The first captured line (VXLAN: the outer line and the inner one), kept short. */
function observedOf(lines: string[]): string {
  return (lines[0]?.includes('VXLAN') ? lines.slice(0, 2).join(' | ') : lines[0] ?? '').slice(0, 240);
}

function judgeCapture(h: Hop, p: CapturePoint, o: CaptureOutcome, contradictions: string[]): void {
  const seen = o.lines.length > 0;
  const where = `hop ${p.hop + 1} (${h.action} on ${h.node} ${p.iface})`;
  if (o.error) {
    h.verified = false;
    contradictions.push(`${where}: could not capture: ${o.error}`);
    return;
  }
  const observed = observedOf(o.lines);
  if (p.expect === 'not-seen') {
    h.verified = !seen;
    h.observed = seen ? `left ${h.node}: ${observed}` : `nothing left ${h.node} after this point`;
    if (seen) contradictions.push(`hop ${p.hop + 1}: predicted a drop on ${h.node}, but the probe left it: ${observed}`);
    return;
  }
  const headersOk = !seen || !p.mustShow || o.lines.some((l, k) => p.mustShow!.test(`${l} ${o.lines[k + 1] ?? ''}`));
  h.verified = seen && headersOk;
  if (seen) h.observed = observed;
  if (!seen) contradictions.push(`${where}: predicted, but the capture saw no probe`);
  else if (!headersOk) contradictions.push(`${where}: captured headers differ from the prediction: ${observed}`);
}

/**
 * Marks the hops from what the captures saw. The ARP step: the pod's neighbour entry for 169.254.1.1 after the
 * probe. A node's route the packet never leaves by (it dies later on that node): the kernel's `ip route get`.
 */
export function judge(result: TraceResult, points: CapturePoint[], outcomes: CaptureOutcome[]): TraceResult {
  const hops = result.hops.map((h) => ({ ...h }));
  const contradictions: string[] = [];
  points.forEach((p, k) => judgeCapture(hops[p.hop]!, p, outcomes[k] ?? { lines: [], error: 'no answer' }, contradictions));
  const captured = new Set(points.map((p) => p.hop));
  hops.forEach((h, i) => {
    const neighbour = outcomes.find((o, k) => points[k]!.pod === h.namespace && o.neighbour !== undefined)?.neighbour;
    if (h.action === 'arp' && h.namespace && neighbour !== undefined) {
      h.verified = /lladdr ee:ee:ee:ee:ee:ee/.test(neighbour);
      h.observed = neighbour || 'no neighbour entry for 169.254.1.1';
    }
    if (h.action !== 'route' || h.namespace || captured.has(i) || !h.interface) return;
    const k = points.findIndex((p, j) => p.node === h.node && !p.pod && outcomes[j]?.routeGet !== undefined);
    const got = k >= 0 ? outcomes[k]!.routeGet! : undefined;
    if (got === undefined) return;
    h.verified = new RegExp(`dev ${h.interface.replace(/\./g, '\\.')}( |$)`).test(got);
    h.observed = `ip route get: ${got.split('\n')[0]}`;
  });
  return { ...result, hops, ...(contradictions.length ? { contradictions } : {}) };
}

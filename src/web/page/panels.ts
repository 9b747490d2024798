// The side panel's views: a pod's details, a trace, a namespace's reachability matrix, the BGP sessions.
// Built with DOM calls (no innerHTML of data: names and labels come from the datastore).
import type { ClusterView } from '../view-model.ts';
import type { Matrix, MatrixCell, PodDetails, AppliedPolicy } from '../api-types.ts';
import type { Hop, TraceResult } from '../../trace/types.ts';

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

export async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` })) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

function table(head: string[], rows: Child[][]): HTMLTableElement {
  return el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))));
}

function policyRows(ps: AppliedPolicy[]): Child[][] {
  return ps.map((p) => [
    `${p.tier}${p.tierOrder !== undefined ? ` (${p.tierOrder})` : ''}`, p.order !== undefined ? String(p.order) : '–',
    p.kind === 'NetworkPolicy' ? `${p.namespace}/${p.name}` : p.name, p.kind, String(p.rules),
  ]);
}

export function renderDetails(target: HTMLElement, d: PodDetails): void {
  const w = d.endpoint;
  const head = ['tier (order)', 'order', 'policy', 'kind', 'rules'];
  target.replaceChildren(
    el('h2', { 'data-testid': 'details-title' }, `${w.metadata.namespace}/${String(w.spec?.pod ?? w.metadata.name)}`),
    table(['', ''], [
      ['WorkloadEndpoint', w.metadata.name], ['node', d.node], ['interface', d.iface], ['addresses', d.ips.join(', ')],
      ['profiles', d.profiles.join(', ') || '–'],
    ]),
    el('h3', {}, 'Labels'),
    table(['label', 'value'], Object.entries(d.labels).sort().map(([k, v]) => [k, v])),
    el('h3', {}, 'Ingress policies, in the order a packet meets them'),
    d.ingress.length ? table(head, policyRows(d.ingress)) : el('p', { class: 'hint' }, 'none: the profiles decide'),
    el('h3', {}, 'Egress policies'),
    d.egress.length ? table(head, policyRows(d.egress)) : el('p', { class: 'hint' }, 'none: the profiles decide'),
    ...(d.problems.length ? [el('h3', {}, 'Problems'), el('ul', {}, ...d.problems.map((p) => el('li', { class: 'error' }, p)))] : []),
  );
}

function hopMark(h: Hop): HTMLElement {
  if (h.verified === true) return el('span', { class: 'seen', title: h.observed ?? 'seen by the capture' }, ' ✓ seen');
  if (h.verified === false) return el('span', { class: 'unseen', title: 'not seen by the capture' }, ' ✗ not seen');
  return el('span', { class: 'unverified' }, '');
}

function hopText(h: Hop): string {
  const where = h.namespace ? `${h.namespace} ${h.interface ?? ''}` : `${h.node}${h.interface ? ` ${h.interface}` : ''}`;
  const pol = h.policy ? ` — ${h.policy.kind}${h.policy.name ? ` ${h.policy.name}` : ''}: ${h.policy.action}` : '';
  return `${h.action} at ${where.trim()}${h.detail ? `: ${h.detail}` : ''}${pol}`;
}

/** The policy that dropped the packet, if a policy did: shown next to the verdict. */
export function droppedBy(r: TraceResult): string | undefined {
  const h = r.hops.find((x) => x.policy?.action === 'Deny');
  if (!h?.policy) return undefined;
  return h.policy.name ? `${h.policy.kind} ${h.policy.name}` : h.policy.kind === 'EndOfTier' ? `end of tier ${h.policy.tier}` : h.policy.kind;
}

export function renderTrace(target: HTMLElement, r: TraceResult, text: string): void {
  const by = droppedBy(r);
  target.replaceChildren(
    el('p', { class: `verdict ${r.verdict}`, 'data-testid': 'trace-verdict' }, r.verdict),
    ...(r.reason ? [el('p', { 'data-testid': 'trace-reason' }, r.reason)] : []),
    ...(by ? [el('p', { 'data-testid': 'trace-dropped-by' }, `dropped by ${by}`)] : []),
    ...(r.contradictions?.length ? [el('ul', {}, ...r.contradictions.map((c) => el('li', { class: 'error' }, c)))] : []),
    el('ol', { class: 'hops', 'data-testid': 'trace-hops' }, ...r.hops.map((h) => el('li', {}, hopText(h), hopMark(h)))),
    el('h3', {}, 'The packet\'s life'),
    el('pre', { 'data-testid': 'trace-text' }, text),
  );
}

function cellText(c: MatrixCell & { probed?: string; confirmed?: boolean; probeError?: string }): string {
  const who = c.decision ? `${c.at ?? ''} ${c.decision.kind}${c.decision.name ? ` ${c.decision.name}` : ''}`.trim() : '';
  const probe = c.probed === 'error' ? ` · probe failed: ${c.probeError ?? ''}`
    : c.probed ? ` · probe: ${c.probed}${c.probed !== c.verdict ? ' (differs!)' : ''}` : '';
  return `${c.verdict}${who ? ` (${who})` : ''}${probe}`;
}

export function renderMatrix(target: HTMLElement, m: Matrix): void {
  if (m.pods.length === 0) { target.replaceChildren(el('p', { class: 'hint' }, `no pods in namespace ${m.namespace}`)); return; }
  const cell = new Map(m.cells.map((c) => [`${c.from}→${c.to}`, c]));
  const rows = m.pods.map((from) => el('tr', {}, el('th', { scope: 'row' }, from), ...m.pods.map((to) => {
    const c = cell.get(`${from}→${to}`);
    if (!c) return el('td', { class: 'self' }, '–');
    return el('td', { class: c.verdict, title: cellText(c), 'data-testid': `cell-${from}-${to}` }, cellText(c));
  })));
  const port = m.packet.port !== undefined ? ` port ${m.packet.port}` : '';
  target.replaceChildren(
    el('p', {}, `${m.packet.protocol}${port}: rows send, columns receive. Computed from the policies as each node enforces them.`),
    el('table', { 'data-testid': 'matrix' }, el('thead', {}, el('tr', {}, el('th', {}, 'from \\ to'), ...m.pods.map((p) => el('th', { scope: 'col' }, p)))), el('tbody', {}, ...rows)),
  );
}

export function renderSessions(target: HTMLElement, v: ClusterView): void {
  if (v.sessions.length === 0) { target.replaceChildren(el('p', { class: 'hint' }, 'no BGP sessions reported (VXLAN-only cluster, or no agent answered)')); return; }
  target.replaceChildren(table(['between', 'type', 'state', 'as each end sees it'], v.sessions.map((s) => [
    `${s.a} ↔ ${s.b.replace(/^external:/, 'peer ')}`, `${s.peerType}${s.reflector ? ` (reflector ${s.reflector})` : ''}`,
    el('span', { class: s.state === 'Established' ? 'state-Established' : s.state === 'unknown' ? 'state-unknown' : 'state-other', 'data-testid': `session-${s.id}` }, s.state),
    s.seenBy.map((x) => `${x.node}: ${x.state}`).join('; '),
  ])));
}

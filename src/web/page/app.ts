// The page: one EventSource for the cluster view (the server pushes; nothing is polled), the picture, the
// inventory list (every node and pod, reachable by keyboard), and the side panel's tabs.
import type { ClusterView } from '../view-model.ts';
import type { Matrix, PodDetails } from '../api-types.ts';
import type { TraceResult } from '../../trace/types.ts';
import { TopologyGraph } from './graph.ts';
import { api, el, renderDetails, renderMatrix, renderSessions, renderTrace } from './panels.ts';

type View = ClusterView & { datastore: { synced: boolean; error?: string } };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let selected: { namespace: string; name: string } | undefined;

const graph = new TopologyGraph($('graph'), (ns, name) => void showPod(ns, name));

// ---- tabs -------------------------------------------------------------------------------------------------
const tabs = ['details', 'trace', 'matrix', 'sessions'];
function showTab(which: string): void {
  for (const t of tabs) {
    const tab = $(`tab-${t}`);
    tab.setAttribute('aria-selected', String(t === which));
    tab.tabIndex = t === which ? 0 : -1;
    $(t).hidden = t !== which;
  }
}
tabs.forEach((t, i) => {
  const tab = $(`tab-${t}`);
  tab.addEventListener('click', () => showTab(t));
  // Arrow keys move between tabs, as the ARIA tabs pattern has it.
  tab.addEventListener('keydown', (e) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    const next = tabs[(i + d + tabs.length) % tabs.length]!;
    showTab(next);
    $(`tab-${next}`).focus();
  });
});
showTab('details');

// ---- the cluster, live ------------------------------------------------------------------------------------
function renderInventory(v: View): void {
  $('inventory').replaceChildren(...v.nodes.map((n) => el('section', { class: 'node', 'data-testid': `node-${n.name}` },
    el('h2', {}, `${n.name} `, el('span', { class: `agent-${n.agent.split(' ')[0]}`, title: n.agentError ?? '' }, `(${n.agent})`)),
    el('div', {}, `${n.address ?? 'no address'}${n.blocks.length ? ` · blocks ${n.blocks.join(', ')}` : ''}`),
    ...(n.tunnels.length ? [el('div', {}, n.tunnels.map((t) => `${t.device} ${t.address}`).join(' · '))] : []),
    el('ul', {}, ...n.pods.map((p) => {
      const b = el('button', { type: 'button', 'data-testid': `pod-${p.namespace}-${p.name}` }, `${p.namespace}/${p.name}`);
      b.addEventListener('click', () => void showPod(p.namespace, p.name));
      return el('li', {}, b, ` ${p.ips.join(', ')}`);
    })),
  )));
}

function fillSelect(sel: HTMLSelectElement, values: string[]): void {
  const keep = sel.value;
  sel.replaceChildren(...values.map((v) => el('option', { value: v }, v)));
  if (values.includes(keep)) sel.value = keep;
}

function onView(v: View): void {
  const ds = $('datastore');
  ds.textContent = v.datastore.error ? `datastore: ${v.datastore.error}` : v.datastore.synced ? `${v.nodes.length} nodes, ${v.nodes.reduce((s, n) => s + n.pods.length, 0)} pods` : 'reading the datastore…';
  ds.classList.toggle('bad', !!v.datastore.error);
  $('pools').textContent = v.pools.map((p) => `${p.name} ${p.cidr} (${p.encapsulation}${p.natOutgoing ? ', NAT outgoing' : ''})`).join(' · ');
  graph.update(v);
  renderInventory(v);
  renderSessions($('sessions'), v);
  const ends = [...v.nodes.flatMap((n) => n.pods.map((p) => `${p.namespace}/${p.name}`)), ...v.nodes.map((n) => n.name)];
  fillSelect($('trace-src'), ends);
  fillSelect($('trace-dst'), ends);
  fillSelect($('matrix-ns'), v.namespaces);
  if (selected && !v.nodes.some((n) => n.pods.some((p) => p.namespace === selected!.namespace && p.name === selected!.name))) {
    $('details').replaceChildren(el('p', { class: 'hint' }, `${selected.namespace}/${selected.name} is gone.`));
    selected = undefined;
  }
}

const events = new EventSource('/api/events');
events.addEventListener('cluster', (e) => onView(JSON.parse((e as MessageEvent<string>).data) as View));
events.addEventListener('error', () => { $('datastore').textContent = 'connection to tabby ui lost; reconnecting…'; $('datastore').classList.add('bad'); });

// ---- a pod ------------------------------------------------------------------------------------------------
async function showPod(namespace: string, name: string): Promise<void> {
  selected = { namespace, name };
  graph.select(namespace, name);
  showTab('details');
  const target = $('details');
  try {
    renderDetails(target, await api<PodDetails>(`/api/pod?namespace=${encodeURIComponent(namespace)}&name=${encodeURIComponent(name)}`));
  } catch (e) {
    target.replaceChildren(el('p', { class: 'error' }, (e as Error).message));
  }
}

// ---- trace ------------------------------------------------------------------------------------------------
const proto = $<HTMLSelectElement>('trace-proto');
proto.addEventListener('change', () => { $<HTMLInputElement>('trace-port').disabled = proto.value === 'icmp'; });
$('trace-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void (async () => {
    const go = $<HTMLButtonElement>('trace-go');
    const out = $('trace-out');
    go.disabled = true;
    out.replaceChildren(el('p', { class: 'hint' }, $<HTMLInputElement>('trace-verify').checked ? 'tracing and probing…' : 'tracing…'));
    try {
      const port = $<HTMLInputElement>('trace-port').value;
      const body = {
        src: $<HTMLSelectElement>('trace-src').value, dst: $<HTMLSelectElement>('trace-dst').value, protocol: proto.value,
        ...(proto.value !== 'icmp' && port ? { port: Number(port) } : {}), verify: $<HTMLInputElement>('trace-verify').checked,
      };
      const r = await api<{ result: TraceResult; text: string }>('/api/trace', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      renderTrace(out, r.result, r.text);
      graph.showTrace(r.result);
    } catch (err) {
      graph.clearTrace();
      out.replaceChildren(el('p', { class: 'error', 'data-testid': 'trace-error' }, (err as Error).message));
    } finally { go.disabled = false; }
  })();
});

// ---- reachability -----------------------------------------------------------------------------------------
async function matrix(probe: boolean): Promise<void> {
  const out = $('matrix-out');
  const p = $<HTMLSelectElement>('matrix-proto').value;
  const q = new URLSearchParams({ namespace: $<HTMLSelectElement>('matrix-ns').value, protocol: p });
  if (p !== 'icmp') q.set('port', $<HTMLInputElement>('matrix-port').value);
  if (probe) q.set('probe', '1');
  out.replaceChildren(el('p', { class: 'hint' }, probe ? 'computing and probing every pair…' : 'computing…'));
  for (const b of ['matrix-go', 'matrix-probe']) $<HTMLButtonElement>(b).disabled = true;
  try { renderMatrix(out, await api<Matrix>(`/api/matrix?${q}`)); } catch (e) {
    out.replaceChildren(el('p', { class: 'error' }, (e as Error).message));
  } finally { for (const b of ['matrix-go', 'matrix-probe']) $<HTMLButtonElement>(b).disabled = false; }
}
$<HTMLSelectElement>('matrix-proto').addEventListener('change', (e) => { $<HTMLInputElement>('matrix-port').disabled = (e.target as HTMLSelectElement).value === 'icmp'; });
$('matrix-form').addEventListener('submit', (e) => { e.preventDefault(); void matrix(false); });
$('matrix-probe').addEventListener('click', () => void matrix(true));


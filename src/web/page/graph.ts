// The topology drawn with Cytoscape.js: nodes as boxes holding their pods, BGP sessions as edges coloured by
// state, external peers as their own boxes; a trace's hops as numbered arrows over it.
import cytoscape from 'cytoscape';
import type { ClusterView, NodeView, SessionView } from '../view-model.ts';
import type { Hop, TraceResult } from '../../trace/types.ts';

const STATE_COLOUR: Record<string, string> = { Established: '#1a7f37', unknown: '#8c959f' };
const BAD = '#cf222e';

export const podId = (namespace: string, name: string) => `p:${namespace}/${name}`;
const nodeId = (name: string) => `n:${name}`;
const endId = (end: string) => (end.startsWith('external:') ? `x:${end.slice(9)}` : nodeId(end));

function nodeLabel(n: NodeView): string {
  const lines = [n.name, n.address ?? 'no address'];
  for (const t of n.tunnels) lines.push(`${t.device} ${t.address}`);
  if (n.blocks.length) lines.push(`blocks ${n.blocks.join(', ')}`);
  if (n.agent !== 'up') lines.push(`agent ${n.agent}`);
  return lines.join('\n');
}

function elementsOf(view: ClusterView): cytoscape.ElementDefinition[] {
  const els: cytoscape.ElementDefinition[] = [];
  for (const n of view.nodes) {
    els.push({ data: { id: nodeId(n.name), label: nodeLabel(n), kind: 'node', agent: n.agent } });
    for (const p of n.pods) {
      els.push({ data: { id: podId(p.namespace, p.name), parent: nodeId(n.name), label: `${p.namespace}/${p.name}\n${p.ips.join(', ')}`, kind: 'pod', namespace: p.namespace, name: p.name } });
    }
  }
  for (const s of view.sessions) {
    for (const end of [s.a, s.b]) {
      if (end.startsWith('external:') && !els.some((e) => e.data.id === endId(end))) {
        els.push({ data: { id: endId(end), label: `peer ${end.slice(9)}`, kind: 'external' } });
      }
    }
    els.push({ data: sessionData(s) });
  }
  return els;
}

function sessionData(s: SessionView): cytoscape.EdgeDataDefinition {
  return {
    id: `s:${s.id}`, source: endId(s.a), target: endId(s.b), kind: 'session', state: s.state,
    colour: STATE_COLOUR[s.state] ?? BAD, label: `${s.peerType}${s.reflector ? ' (RR)' : ''}: ${s.state}`,
  };
}

const STYLE: cytoscape.StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 10, 'text-valign': 'center', 'text-halign': 'center' } },
  { selector: 'node[kind="node"]', style: { shape: 'round-rectangle', 'background-color': '#f6f8fa', 'border-width': 2, 'border-color': '#57606a', 'text-valign': 'top', 'font-weight': 'bold', padding: '18px' } },
  { selector: 'node[kind="node"][agent="unreachable"], node[kind="node"][agent="not ready"]', style: { 'border-color': BAD, 'border-style': 'dashed' } },
  { selector: 'node[kind="pod"]', style: { shape: 'ellipse', width: 34, height: 34, 'background-color': '#ddf4ff', 'border-width': 1, 'border-color': '#0969da', 'text-valign': 'bottom', 'text-margin-y': 3 } },
  { selector: 'node[kind="external"]', style: { shape: 'diamond', width: 30, height: 30, 'background-color': '#fff8c5', 'border-width': 1, 'border-color': '#bf8700', 'text-valign': 'bottom' } },
  { selector: 'edge[kind="session"]', style: { width: 3, 'line-color': 'data(colour)', label: 'data(label)', 'font-size': 8, 'text-rotation': 'autorotate', 'curve-style': 'bezier' } },
  { selector: 'edge[kind="trace"]', style: { width: 3, 'line-color': '#0969da', 'target-arrow-color': '#0969da', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 11, 'font-weight': 'bold', 'text-background-color': '#fff', 'text-background-opacity': 1 } },
  { selector: 'edge[kind="trace"].dropped', style: { 'line-color': BAD, 'target-arrow-color': BAD, 'line-style': 'dashed' } },
  { selector: '.on-path', style: { 'border-width': 4, 'border-color': '#0969da' } },
  { selector: '.drop-here', style: { 'border-width': 4, 'border-color': BAD } },
  { selector: ':selected', style: { 'overlay-color': '#0969da', 'overlay-opacity': 0.15 } },
];

export class TopologyGraph {
  private readonly cy: cytoscape.Core;
  private shape = '';

  constructor(private readonly container: HTMLElement, onPod: (namespace: string, name: string) => void) {
    this.cy = cytoscape({ container, style: STYLE, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3 });
    this.cy.on('tap', 'node[kind="pod"]', (e) => onPod(String(e.target.data('namespace')), String(e.target.data('name'))));
  }

  /** Brings the picture to `view`; lays it out again only when elements came or went. */
  update(view: ClusterView): void {
    const want = elementsOf(view);
    const ids = new Set(want.map((e) => e.data.id!));
    this.cy.batch(() => {
      this.cy.elements().filter((e) => !ids.has(e.id()) && e.data('kind') !== 'trace').remove();
      for (const e of want) {
        const have = this.cy.getElementById(e.data.id!);
        if (have.nonempty()) have.data(e.data);
        else this.cy.add(e);
      }
    });
    const shape = [...ids].sort().join(',');
    if (shape !== this.shape) {
      this.shape = shape;
      this.cy.layout({ name: 'cose', animate: false, padding: 30, nodeDimensionsIncludeLabels: true, randomize: false, componentSpacing: 80 } as cytoscape.LayoutOptions).run();
    }
  }

  /** Draws the hops of `r` in order (1, 2, …); the hop that dropped is marked. */
  showTrace(r: TraceResult): void {
    this.clearTrace();
    const places: { id: string; hop: Hop }[] = [];
    for (const h of r.hops) {
      const id = h.namespace && h.interface === 'eth0' ? podId(...(h.namespace.split('/') as [string, string])) : nodeId(h.node);
      if (this.cy.getElementById(id).empty()) continue;
      if (places[places.length - 1]?.id !== id) places.push({ id, hop: h });
    }
    this.cy.batch(() => {
      places.forEach((p, i) => {
        this.cy.getElementById(p.id).addClass('on-path');
        const next = places[i + 1];
        if (next) this.cy.add({ data: { id: `t:${i}`, source: p.id, target: next.id, kind: 'trace', label: String(i + 1) } });
      });
      // What was drawn, for tests and assistive tech (the canvas itself says nothing).
      this.container.dataset.traceHops = places.map((p) => p.id).join(' ');
      const last = places[places.length - 1];
      if (r.verdict === 'dropped' && last) {
        this.cy.getElementById(last.id).addClass('drop-here');
        this.cy.elements('edge[kind="trace"]').addClass('dropped');
      }
    });
  }

  clearTrace(): void {
    delete this.container.dataset.traceHops;
    this.cy.elements('edge[kind="trace"]').remove();
    this.cy.elements().removeClass('on-path drop-here');
  }

  select(namespace: string, name: string): void {
    this.cy.elements().unselect();
    this.cy.getElementById(podId(namespace, name)).select();
  }
}

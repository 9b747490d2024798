// The topology drawn with Cytoscape.js: nodes as boxes holding their pods, BGP sessions as edges coloured by
// state, external peers as their own boxes; a trace's hops as numbered arrows over it.
import cytoscape from 'cytoscape';
import type { ClusterView, NodeView, SessionView } from '../view-model.ts';
import type { TraceResult } from '../../trace/types.ts';

const STATE_COLOUR: Record<string, string> = { Established: '#1a7f37', unknown: '#8c959f' };
const BAD = '#cf222e';
/** Nodes per row of the picture. */
const PER_ROW = 6;

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
      this.layout(view);
    }
  }

  /**
   * Cytoscape's grid layout, told where each box goes: nodes side by side (wrapping after PER_ROW), each
   * node's pods stacked inside it, external peers in a last column.
   */
  private layout(view: ClusterView): void {
    const perRow = Math.max(1, Math.min(PER_ROW, view.nodes.length));
    const tallest = Math.max(1, ...view.nodes.map((n) => n.pods.length));
    const cell = new Map<string, { row: number; col: number }>();
    view.nodes.forEach((n, i) => {
      const col = i % perRow;
      const row0 = Math.floor(i / perRow) * (tallest + 1);
      if (n.pods.length === 0) cell.set(nodeId(n.name), { row: row0, col });
      n.pods.forEach((p, j) => cell.set(podId(p.namespace, p.name), { row: row0 + j, col }));
    });
    this.cy.nodes('[kind="external"]').forEach((e, i) => { cell.set(e.id(), { row: i, col: perRow }); });
    const leaves = this.cy.nodes().filter((e) => cell.has(e.id()));
    leaves.layout({
      name: 'grid', animate: false, padding: 30, avoidOverlap: true, avoidOverlapPadding: 60, nodeDimensionsIncludeLabels: true, condense: false,
      position: (e: cytoscape.NodeSingular) => cell.get(e.id())!,
    } as cytoscape.LayoutOptions).run();
    this.cy.fit(undefined, 30);
  }

  /**
   * Draws the hops of `r` as numbered arrows between the places they happen (a pod, a node); a node that
   * only hands the packet to or from its own pod is outlined, not an arrow's end (an arrow from a pod to
   * the box around it says nothing). The place that dropped the packet is marked.
   */
  showTrace(r: TraceResult): void {
    this.clearTrace();
    const places: string[] = [];
    for (const h of r.hops) {
      const inPod = h.namespace && (h.interface === 'eth0' || h.action === 'deliver');
      const id = inPod ? podId(...(h.namespace!.split('/') as [string, string])) : nodeId(h.node);
      if (this.cy.getElementById(id).empty()) continue;
      if (places[places.length - 1] !== id) places.push(id);
    }
    const parentOf = (id: string) => this.cy.getElementById(id).parent().first().id();
    const arrows: [string, string][] = [];
    let from = places[0];
    for (const id of places.slice(1)) {
      if (from === undefined || parentOf(from) === id) continue; // a pod's packet in its own node
      const last = arrows[arrows.length - 1];
      if (parentOf(id) === from && last && last[1] === from) { last[1] = id; from = id; continue; } // into the node's pod
      if (parentOf(id) === from && !last) { from = id; continue; }
      arrows.push([from, id]);
      from = id;
    }
    this.cy.batch(() => {
      for (const id of places) this.cy.getElementById(id).addClass('on-path');
      arrows.forEach(([a, b], i) => this.cy.add({ data: { id: `t:${i}`, source: a, target: b, kind: 'trace', label: String(i + 1) } }));
      // What was drawn, for tests and assistive tech (the canvas itself says nothing).
      this.container.dataset.traceHops = places.join(' ');
      this.container.dataset.traceArrows = arrows.map(([a, b]) => `${a}>${b}`).join(' ');
      const lastPlace = places[places.length - 1];
      if (r.verdict === 'dropped' && lastPlace) {
        this.cy.getElementById(lastPlace).addClass('drop-here');
        this.cy.elements('edge[kind="trace"]').addClass('dropped');
      }
    });
  }

  clearTrace(): void {
    delete this.container.dataset.traceHops;
    delete this.container.dataset.traceArrows;
    this.cy.elements('edge[kind="trace"]').remove();
    this.cy.elements().removeClass('on-path drop-here');
  }

  select(namespace: string, name: string): void {
    this.cy.elements().unselect();
    this.cy.getElementById(podId(namespace, name)).select();
  }
}

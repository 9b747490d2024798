// The cost of each added node, drawn from bench/scale's results: four small panels (BGP sessions per node,
// agent RSS, etcd watchers, etcd requests/s) against the number of nodes, as a self-contained SVG.
export interface SizeRow {
  nodes: number; sessionsMesh: number; sessionsRr: number; rssMiB: number; cpuPct: number;
  watchers: number; reqPerS: number; bringUpReqPerS: number; convergeS: number;
}

interface Series { label: string; color: string; pick: (r: SizeRow) => number }
interface Panel { title: string; unit: string; series: Series[] }

const PANELS: Panel[] = [
  { title: 'BGP sessions per node', unit: 'sessions', series: [
    { label: 'mesh', color: '#d62728', pick: (r) => r.sessionsMesh }, { label: '2 RRs (client)', color: '#1f77b4', pick: (r) => r.sessionsRr }] },
  { title: 'agent VmRSS per node (mesh)', unit: 'MiB', series: [{ label: 'median', color: '#2ca02c', pick: (r) => r.rssMiB }] },
  { title: 'etcd watchers', unit: 'watchers', series: [{ label: 'mesh', color: '#9467bd', pick: (r) => r.watchers }] },
  { title: 'etcd gRPC requests/s', unit: 'req/s', series: [
    { label: 'idle', color: '#8c564b', pick: (r) => r.reqPerS }, { label: 'bring-up', color: '#ff7f0e', pick: (r) => r.bringUpReqPerS }] },
];

const W = 320, H = 220, PAD = 44;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function panel(p: Panel, rows: SizeRow[], ox: number, oy: number): string {
  const xs = rows.map((r) => r.nodes);
  const xMax = Math.max(...xs, 1);
  const yMax = Math.max(...p.series.flatMap((s) => rows.map(s.pick)), 1e-9) * 1.1;
  const x = (v: number) => ox + PAD + (v / xMax) * (W - PAD - 12);
  const y = (v: number) => oy + H - PAD + 10 - (v / yMax) * (H - PAD - 20);
  const out = [`<text x="${ox + W / 2}" y="${oy + 14}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(xMax)}" y2="${y(0)}" stroke="#333"/>`, `<line x1="${x(0)}" y1="${y(0)}" x2="${x(0)}" y2="${y(yMax)}" stroke="#333"/>`,
    `<text x="${x(0) - 4}" y="${y(yMax) + 4}" text-anchor="end">${fmt(yMax)}</text>`, `<text x="${x(0) - 4}" y="${y(0) + 4}" text-anchor="end">0</text>`,
    `<text x="${ox + 10}" y="${oy + H / 2}" transform="rotate(-90 ${ox + 10} ${oy + H / 2})" text-anchor="middle">${esc(p.unit)}</text>`];
  for (const n of xs) out.push(`<text x="${x(n)}" y="${y(0) + 14}" text-anchor="middle">${n}</text>`);
  out.push(`<text x="${x(xMax / 2)}" y="${y(0) + 28}" text-anchor="middle">nodes</text>`);
  p.series.forEach((s, i) => {
    const pts = rows.map((r) => `${x(r.nodes).toFixed(1)},${y(s.pick(r)).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const r of rows) out.push(`<circle cx="${x(r.nodes).toFixed(1)}" cy="${y(s.pick(r)).toFixed(1)}" r="3" fill="${s.color}"><title>${r.nodes} nodes: ${fmt(s.pick(r))}</title></circle>`);
    out.push(`<text x="${x(0) + 8}" y="${oy + 30 + i * 13}" fill="${s.color}">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

export function scaleSvg(rows: SizeRow[]): string {
  const body = PANELS.map((p, i) => panel(p, rows, (i % 2) * W, Math.floor(i / 2) * H)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${2 * H}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

// The BGP status model the speaker exposes, and `tabby node status` formatting (calicoctl's table, exactly:
// calico-behaviour.md §4.6). Pure: no I/O here.
import { isIPv4, parseIPv4 } from '../net/ipv4.ts';

export type FsmStateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Calico's peer types, as printed in the PEER TYPE column. */
export type PeerType = 'node-to-node mesh' | 'global' | 'node specific';

export interface PeerStatus {
  /** Protocol-style name like BIRD's: Mesh_10_0_0_2, Global_192_168_1_1, Node_192_168_1_1_port_1179. */
  name: string;
  address: string;
  port: number;
  peerType: PeerType;
  localAs: number;
  peerAs: number;
  ibgp: boolean;
  rrClient: boolean;
  state: FsmStateName;
  /** When the state last changed (ISO 8601). */
  since: string;
  /** BIRD-style info: "Established", "Active Socket: Connection refused", "Connect", "Idle". */
  info: string;
  lastError?: string;
  prefixesReceived: number;
  prefixesAccepted: number;
  prefixesSent: number;
  /** Routes kept from this peer because it is restarting (RFC 4724). */
  staleRoutes: number;
  peerRouterId?: string;
  holdTime?: number;
  capabilities?: string[];
}

export interface BgpStatus {
  running: boolean;
  routerId: string;
  asNumber: number;
  listenPort: number;
  clusterId?: string;
  locRibRoutes: number;
  exportedPrefixes: string[];
  peers: PeerStatus[];
}

/** BIRD's protocol state column (what calicoctl prints under STATE): up when Established, start otherwise. */
export function birdState(p: PeerStatus): string {
  return p.state === 'Established' ? 'up' : 'start';
}

function pad2(n: number): string { return n < 10 ? '0' + n : String(n); }

/** BIRD's "since" column: HH:MM:SS for the last 20 hours, else YYYY-MM-DD. */
export function formatSince(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  if (now.getTime() - t.getTime() < 20 * 3600_000) return `${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}`;
  return `${t.getFullYear()}-${pad2(t.getMonth() + 1)}-${pad2(t.getDate())}`;
}

/** olekukonko/tablewriter's look as used by calicoctl: centred headers, left-aligned cells, +---+ borders. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const centre = (s: string, w: number) => {
    const gap = w - s.length;
    const left = Math.floor(gap / 2);
    return ' '.repeat(left) + s + ' '.repeat(gap - left);
  };
  const lines = [border, '| ' + headers.map((h, i) => centre(h, widths[i]!)).join(' | ') + ' |', border];
  for (const r of rows) lines.push('| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |');
  lines.push(border);
  return lines.join('\n') + '\n';
}

const isV6 = (addr: string) => addr.includes(':');

function compareAddresses(a: string, b: string): number {
  if (isIPv4(a) && isIPv4(b)) return parseIPv4(a) - parseIPv4(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function familyTable(peers: PeerStatus[], label: 'IPv4' | 'IPv6', now: Date): string {
  // In address order, so the table reads the same every time (the speaker's peer map is in session order).
  const mine = peers.filter((p) => (label === 'IPv6') === isV6(p.address)).sort((a, b) => compareAddresses(a.address, b.address));
  if (mine.length === 0) return `${label} BGP status\nNo ${label} peers found.\n`;
  const rows = mine.map((p) => [p.address, p.peerType, birdState(p), formatSince(p.since, now), p.info]);
  return `${label} BGP status\n` + formatTable(['PEER ADDRESS', 'PEER TYPE', 'STATE', 'SINCE', 'INFO'], rows);
}

/** The whole `calicoctl node status` output for a running node. */
export function formatNodeStatus(status: BgpStatus, now: Date = new Date()): string {
  return 'Calico process is running.\n\n' + familyTable(status.peers, 'IPv4', now) + '\n' + familyTable(status.peers, 'IPv6', now);
}

/** Per-peer detail (Tabby's addition): counters, timers and the last error. */
export function formatPeerDetail(status: BgpStatus): string {
  const out: string[] = [`BGP speaker: router id ${status.routerId}, AS ${status.asNumber}, listening on port ${status.listenPort}` +
    (status.clusterId ? `, route reflector cluster ${status.clusterId}` : ''),
  `Loc-RIB routes: ${status.locRibRoutes}; exported prefixes: ${status.exportedPrefixes.length ? status.exportedPrefixes.join(', ') : '(none)'}`, ''];
  for (const p of status.peers) {
    out.push(`Peer ${p.name} (${p.address}${p.port !== 179 ? ':' + p.port : ''}), ${p.peerType}, AS ${p.peerAs} (${p.ibgp ? 'iBGP' : 'eBGP'}${p.rrClient ? ', route reflector client' : ''})`);
    out.push(`  State:            ${p.state} since ${p.since}${p.info && p.info !== p.state ? ` (${p.info})` : ''}`);
    if (p.peerRouterId) out.push(`  Peer router id:   ${p.peerRouterId}; hold time ${p.holdTime ?? '-'} s`);
    if (p.capabilities?.length) out.push(`  Capabilities:     ${p.capabilities.join(', ')}`);
    out.push(`  Prefixes:         received ${p.prefixesReceived}, accepted ${p.prefixesAccepted}, sent ${p.prefixesSent}, stale ${p.staleRoutes}`);
    out.push(`  Last error:       ${p.lastError ?? '(none)'}`);
    out.push('');
  }
  return out.join('\n');
}

/** What a node without a running BGP speaker reports (backend vxlan or none, or no usable BGP configuration). */
export const BGP_NOT_RUNNING: BgpStatus = Object.freeze({
  running: false, routerId: '', asNumber: 0, listenPort: 0, locRibRoutes: 0, exportedPrefixes: [], peers: [],
}) as BgpStatus;

/** calicoctl's output for a running node with no BGP daemon (calicoctl/commands/node/status.go). */
export const NO_BGP_BACKEND_TEXT = 'Calico process is running.\n\nNone of the BGP backend processes (BIRD or GoBGP) are running.\n\n';

/** Error text for a node whose speaker cannot be reached (calicoctl's wording). */
export const NOT_RUNNING_TEXT = 'Calico process is not running.\n';

// What the page draws, computed from the datastore's resources and the agents' answers. Pure: the server
// (server.ts) feeds it the watched resources and the last status of each node's agent.
import type { Resource } from '../api/resource.ts';
import type { BgpStatus, FsmStateName, PeerType } from '../bgp/status.ts';

/** One node's agent as last asked (GET /trace/status); undefined when it never answered. */
export interface AgentStatus {
  /** false: the last request failed (agent stopped, token refused, …). */
  reachable: boolean;
  error?: string;
  ready?: boolean;
  bgp?: BgpStatus;
  /** When it was asked (ms since the epoch). */
  at: number;
}

export interface PodView {
  namespace: string;
  name: string;
  /** The WorkloadEndpoint's name (what `tabby get workloadendpoints` lists). */
  endpoint: string;
  ips: string[];
  iface: string;
  labels: Record<string, string>;
}

export interface NodeView {
  name: string;
  /** The node's address with its prefix length (spec.bgp.ipv4Address), when registered. */
  address?: string;
  asNumber?: number;
  /** Its affine IPAM blocks. */
  blocks: string[];
  tunnels: { device: 'vxlan.calico' | 'tunl0'; address: string }[];
  pods: PodView[];
  agent: 'up' | 'not ready' | 'unreachable' | 'unknown';
  agentError?: string;
}

export type SessionState = FsmStateName | 'unknown';

export interface SessionView {
  /** Stable id: the two ends, sorted. */
  id: string;
  a: string;
  /** A node's name, or `external:<address>` for a peer that is not a node. */
  b: string;
  peerType: PeerType;
  /** Route reflection: which end is the reflector, when one end treats the other as its client. */
  reflector?: string;
  state: SessionState;
  /** Each end's own view, as its agent reported it. */
  seenBy: { node: string; state: FsmStateName; since?: string }[];
}

export interface ClusterView {
  nodes: NodeView[];
  sessions: SessionView[];
  pools: { name: string; cidr: string; encapsulation: string; natOutgoing: boolean }[];
  /** Namespaces that have pods, sorted (the reachability matrix's choices). */
  namespaces: string[];
}

export interface ViewInputs {
  nodes: Resource[];
  workloadEndpoints: Resource[];
  ipamBlocks: Resource[];
  ipPools: Resource[];
  agents: Map<string, AgentStatus>;
}

type Spec = Record<string, any>;
const specOf = (r: Resource): Spec => (r.spec ?? {}) as Spec;
const bare = (cidr: string): string => cidr.split('/')[0]!;

function podView(w: Resource): PodView {
  const s = specOf(w);
  return {
    namespace: w.metadata.namespace ?? '', name: String(s.pod ?? s.workload ?? w.metadata.name), endpoint: w.metadata.name,
    ips: ((s.ipNetworks ?? []) as string[]).map(bare), iface: String(s.interfaceName ?? ''),
    labels: { ...(w.metadata.labels ?? {}) },
  };
}

function agentState(a: AgentStatus | undefined): Pick<NodeView, 'agent' | 'agentError'> {
  if (!a) return { agent: 'unknown' };
  if (!a.reachable) return { agent: 'unreachable', ...(a.error ? { agentError: a.error } : {}) };
  return { agent: a.ready === false ? 'not ready' : 'up' };
}

function nodeView(n: Resource, inputs: ViewInputs): NodeView {
  const s = specOf(n);
  const name = n.metadata.name;
  const blocks = inputs.ipamBlocks
    .filter((b) => specOf(b).affinity === `host:${name}`)
    .map((b) => String(specOf(b).cidr))
    .sort();
  const tunnels: NodeView['tunnels'] = [];
  if (typeof s.ipv4VXLANTunnelAddr === 'string' && s.ipv4VXLANTunnelAddr) tunnels.push({ device: 'vxlan.calico', address: s.ipv4VXLANTunnelAddr });
  if (typeof s.bgp?.ipv4IPIPTunnelAddr === 'string' && s.bgp.ipv4IPIPTunnelAddr) tunnels.push({ device: 'tunl0', address: s.bgp.ipv4IPIPTunnelAddr });
  const pods = inputs.workloadEndpoints
    .filter((w) => specOf(w).node === name)
    .map(podView)
    .sort((x, y) => `${x.namespace}/${x.name}`.localeCompare(`${y.namespace}/${y.name}`));
  const asn = Number(s.bgp?.asNumber);
  return {
    name, blocks, tunnels, pods, ...agentState(inputs.agents.get(name)),
    ...(typeof s.bgp?.ipv4Address === 'string' ? { address: s.bgp.ipv4Address } : {}),
    ...(Number.isInteger(asn) && asn > 0 ? { asNumber: asn } : {}),
  };
}

/** The worse of two ends' views: a session is up only when both ends say Established. */
function combined(states: FsmStateName[]): SessionState {
  if (states.length === 0) return 'unknown';
  const order: FsmStateName[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
  return states.reduce((w, s) => (order.indexOf(s) < order.indexOf(w) ? s : w));
}

/** BGP sessions as the agents report them, one per pair of ends (a mesh session is seen from both). */
function sessionViews(inputs: ViewInputs): SessionView[] {
  const nodeByAddress = new Map<string, string>();
  for (const n of inputs.nodes) {
    const a = specOf(n).bgp?.ipv4Address;
    if (typeof a === 'string' && a) nodeByAddress.set(bare(a), n.metadata.name);
  }
  const byId = new Map<string, SessionView>();
  for (const [node, status] of [...inputs.agents].sort(([x], [y]) => x.localeCompare(y))) {
    if (!status.reachable || !status.bgp?.running) continue;
    for (const p of status.bgp.peers) {
      const other = nodeByAddress.get(p.address) ?? `external:${p.address}`;
      const [a, b] = [node, other].sort() as [string, string];
      const id = `${a}|${b}`;
      const s = byId.get(id) ?? { id, a, b, peerType: p.peerType, state: 'unknown' as SessionState, seenBy: [] };
      s.seenBy.push({ node, state: p.state, since: p.since });
      // rrClient on this end's peer: this end reflects routes to the other.
      if (p.rrClient) s.reflector = node;
      byId.set(id, s);
    }
  }
  for (const s of byId.values()) s.state = combined(s.seenBy.map((v) => v.state));
  return [...byId.values()].sort((x, y) => x.id.localeCompare(y.id));
}

export function clusterView(inputs: ViewInputs): ClusterView {
  const nodes = inputs.nodes.map((n) => nodeView(n, inputs)).sort((x, y) => x.name.localeCompare(y.name));
  const namespaces = [...new Set(nodes.flatMap((n) => n.pods.map((p) => p.namespace)))].sort();
  const pools = inputs.ipPools.map((p) => {
    const s = specOf(p);
    const encapsulation = s.vxlanMode && s.vxlanMode !== 'Never' ? `VXLAN ${s.vxlanMode}` : s.ipipMode && s.ipipMode !== 'Never' ? `IPIP ${s.ipipMode}` : 'none';
    return { name: p.metadata.name, cidr: String(s.cidr ?? ''), encapsulation, natOutgoing: s.natOutgoing === true };
  }).sort((x, y) => x.name.localeCompare(y.name));
  return { nodes, sessions: sessionViews(inputs), pools, namespaces };
}

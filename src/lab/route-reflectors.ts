// Route reflectors in a running lab, configured the way Calico's docs do it (networking/configuring/bgp,
// "Configure in-cluster route reflectors"): the chosen nodes get the label `route-reflector=true` and
// `spec.bgp.routeReflectorClusterID`, one BGPPeer `peer-with-route-reflectors` (nodeSelector all(),
// peerSelector route-reflector == 'true') peers every node with them, then `nodeToNodeMeshEnabled: false`.
// Switching back re-enables the mesh first. Each step waits for BGP to have what the next one removes
// (make before break), so a live switch loses no pod-to-pod packet: see docs/how-to/route-reflector.md.
import { runCommand } from '../exec.ts';
import { TabbyError } from '../errors.ts';
import { deleteResource, listResources, patchResource, applyResources } from './datastore-client.ts';
import type { LabNodeState, LabState } from './state.ts';
import type { Resource } from '../api/resource.ts';

export const RR_LABEL = 'route-reflector';
export const RR_CLUSTER_ID = '244.0.0.1';
export const RR_PEER_NAME = 'peer-with-route-reflectors';

export class RouteReflectorError extends TabbyError {
  constructor(message: string) {
    super('LabRouteReflectorFailed', message);
    this.name = 'RouteReflectorError';
  }
}

/** What the lab reads of a node's `GET /bgp/status` (src/bgp/status.ts BgpStatus). */
interface NodeBgp {
  clusterId?: string;
  exportedPrefixes: string[];
  peers: { address: string; peerType: string; state: string; prefixesAccepted: number }[];
}

/**
 * `count` reflectors spread over the nodes (never the controlplane unless it is the only node): with 50
 * nodes and 2 reflectors, node01 and node25. Pure.
 */
export function pickReflectors(nodes: readonly string[], count: number): string[] {
  if (!Number.isInteger(count) || count < 0) throw new RouteReflectorError(`the number of route reflectors must be a whole number ≥ 0, got ${count}`);
  if (count > nodes.length) throw new RouteReflectorError(`${count} route reflectors asked for, but the lab has ${nodes.length} node(s)`);
  const pool = nodes.length > count ? nodes.slice(1) : [...nodes];
  const step = pool.length / count;
  return Array.from({ length: count }, (_, i) => pool[Math.floor(i * step)]!);
}

const STATUS_PROBE = 'exec 3<>/dev/tcp/127.0.0.1/9099 && printf "GET /bgp/status HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3 && cat <&3';

/** A node's BGP status from its agent (a bash /dev/tcp request: far cheaper than a `tabby` process per node). */
async function nodeBgp(node: LabNodeState): Promise<NodeBgp | undefined> {
  const r = await runCommand(['ip', 'netns', 'exec', node.ns, 'timeout', '5', 'bash', '--norc', '--noprofile', '-c', STATUS_PROBE], { timeoutMs: 6000 })
    .catch(() => undefined);
  const body = r?.stdout.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  try { return body ? JSON.parse(body) as NodeBgp : undefined; } catch { return undefined; }
}

/** The BGP status of every node, in node order (undefined for a node whose agent did not answer). */
export async function clusterBgp(state: LabState): Promise<(NodeBgp | undefined)[]> {
  return Promise.all(state.nodes.map((n) => nodeBgp(n)));
}

type Check = (state: LabState, all: (NodeBgp | undefined)[]) => string | undefined;

/** Polls the cluster's BGP status until `check` reports nothing missing; throws with the last gap. */
async function waitUntil(state: LabState, what: string, check: Check, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gap: string | undefined = 'no status read yet';
  while (Date.now() < deadline) {
    gap = check(state, await clusterBgp(state));
    if (gap === undefined) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new RouteReflectorError(`${what}: not reached in ${Math.round(timeoutMs / 1000)} s (${gap})`);
}

const established = (s: NodeBgp, ip: string) => s.peers.find((p) => p.address === ip && p.state === 'Established');

/** Every client receives, from every reflector, every block in the cluster but its own. */
function reflecting(reflectors: ReadonlySet<string>): Check {
  return (state, all) => {
    const total = new Set(all.flatMap((s) => s?.exportedPrefixes ?? [])).size;
    for (const [i, node] of state.nodes.entries()) {
      const s = all[i];
      if (!s) return `${node.name}: no BGP status`;
      if (reflectors.has(node.name)) { if (s.clusterId !== RR_CLUSTER_ID) return `${node.name}: not yet a reflector`; continue; }
      for (const rr of state.nodes.filter((n) => reflectors.has(n.name))) {
        const p = established(s, rr.ip);
        const want = total - s.exportedPrefixes.length;
        if (!p || p.prefixesAccepted < want) return `${node.name}: ${p ? `${p.prefixesAccepted}/${want} routes` : 'no session'} from reflector ${rr.name}`;
      }
    }
    return undefined;
  };
}

/** Every node has exactly the sessions it should (to the reflectors, or the full mesh), all Established. */
function sessionsOnly(reflectors: ReadonlySet<string>): Check {
  return (state, all) => {
    for (const [i, node] of state.nodes.entries()) {
      const s = all[i];
      if (!s) return `${node.name}: no BGP status`;
      const want = state.nodes.filter((n) => n !== node && (reflectors.size === 0 || reflectors.has(n.name) || reflectors.has(node.name)));
      const up = s.peers.filter((p) => p.state === 'Established');
      if (s.peers.length !== want.length || want.some((n) => !established(s, n.ip))) return `${node.name}: ${up.length}/${want.length} sessions up (${s.peers.length} configured)`;
      if (reflectors.size === 0 && s.peers.some((p) => p.peerType !== 'node-to-node mesh')) return `${node.name}: not all peers are mesh peers yet`;
    }
    return undefined;
  };
}

/** Every node learns each mesh peer's own blocks directly from it (the mesh carries everything again). */
function meshCarries(state: LabState, all: (NodeBgp | undefined)[]): string | undefined {
  for (const [i, node] of state.nodes.entries()) {
    const s = all[i];
    if (!s) return `${node.name}: no BGP status`;
    for (const [j, other] of state.nodes.entries()) {
      if (i === j) continue;
      const p = established(s, other.ip);
      const want = all[j]?.exportedPrefixes.length ?? 0;
      if (!p || p.prefixesAccepted < want) return `${node.name}: ${p ? `${p.prefixesAccepted}/${want} routes` : 'no session'} from ${other.name}`;
    }
  }
  return undefined;
}

function setMesh(state: LabState, enabled: boolean): void {
  const current = listResources(state, 'bgpconfigurations', false).find((c) => c.metadata.name === 'default');
  applyResources(state, [{
    apiVersion: 'projectcalico.org/v3', kind: 'BGPConfiguration', metadata: { name: 'default' },
    spec: { ...(current?.spec ?? {}), nodeToNodeMeshEnabled: enabled },
  }]);
}

const isReflector = (n: Resource) => n.metadata.labels?.[RR_LABEL] !== undefined || n.spec?.bgp?.routeReflectorClusterID !== undefined;

export interface SwitchResult { reflectors: string[]; ms: number }

/**
 * Mesh → `count` route reflectors (0: back to the full mesh), on a live lab. Order (each step waits for
 * the previous one to show in every node's BGP status): BGPPeer, then each reflector's label and cluster
 * id, then every client has every block from every reflector, then the mesh goes off.
 */
export async function useRouteReflectors(state: LabState, count: number, say: (l: string) => void, timeoutMs = 120_000): Promise<SwitchResult> {
  if (count === 0) return useMesh(state, say, timeoutMs);
  const t0 = Date.now();
  const names = pickReflectors(state.nodes.map((n) => n.name), count);
  const reflectors = new Set(names);
  // A reflector that should stop being one: through the mesh first, so no node is left without its routes.
  if (listResources(state, 'nodes', false).some((n) => isReflector(n) && !reflectors.has(n.metadata.name))) await useMesh(state, say, timeoutMs);
  applyResources(state, [{
    apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: RR_PEER_NAME },
    spec: { nodeSelector: 'all()', peerSelector: `${RR_LABEL} == 'true'` },
  }]);
  for (const n of listResources(state, 'nodes', false)) {
    if (!reflectors.has(n.metadata.name) || (n.metadata.labels?.[RR_LABEL] === 'true' && n.spec?.bgp?.routeReflectorClusterID === RR_CLUSTER_ID)) continue;
    patchResource(state, 'node', n.metadata.name, { metadata: { labels: { [RR_LABEL]: 'true' } }, spec: { bgp: { routeReflectorClusterID: RR_CLUSTER_ID } } });
  }
  say(`route reflectors: ${names.join(', ')} (cluster id ${RR_CLUSTER_ID}), BGPPeer ${RR_PEER_NAME}`);
  await waitUntil(state, 'every node receiving every block from every reflector', reflecting(reflectors), timeoutMs);
  setMesh(state, false);
  say('node-to-node mesh off');
  await waitUntil(state, 'only the sessions to the reflectors left', sessionsOnly(reflectors), timeoutMs);
  return { reflectors: names, ms: Date.now() - t0 };
}

/** Reflectors → full mesh: mesh on and carrying every block, then the reflectors' role, BGPPeer and label go. */
async function useMesh(state: LabState, say: (l: string) => void, timeoutMs: number): Promise<SwitchResult> {
  const t0 = Date.now();
  setMesh(state, true);
  say('node-to-node mesh on');
  await waitUntil(state, 'the mesh carrying every block', meshCarries, timeoutMs);
  for (const n of listResources(state, 'nodes', false)) {
    if (!isReflector(n)) continue;
    patchResource(state, 'node', n.metadata.name, { metadata: { labels: { [RR_LABEL]: null } }, spec: { bgp: { routeReflectorClusterID: null } } });
  }
  deleteResource(state, 'bgppeer', RR_PEER_NAME);
  say(`route reflectors removed (label, cluster id, BGPPeer ${RR_PEER_NAME})`);
  await waitUntil(state, 'the full mesh alone', sessionsOnly(new Set()), timeoutMs);
  return { reflectors: [], ms: Date.now() - t0 };
}

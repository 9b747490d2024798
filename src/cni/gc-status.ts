// The CNI 1.1.0 verbs beside ADD/DEL/CHECK (containernetworking/cni SPEC.md, spec-v1.1.0):
//  - GC: the runtime lists the attachments of this network that are still valid (`cni.dev/valid-attachments`,
//    each {containerID, ifname}); everything of ours on this node for any other attachment goes: its IPAM
//    handle (`<network>.<containerID>`, when the IPAM is ours), its WorkloadEndpoint, and for a non-Kubernetes
//    workload its host-side veth (a Kubernetes pod's veth name is per pod, shared with any newer sandbox of it;
//    the spec lets GC assume the sandbox's netns is gone, which takes the veth pair with it). Attachments the
//    plugin does not know are no error. GC keeps going past a failure and reports all of them at the end.
//  - STATUS: ready when the datastore answers and is ready, and this node can get an address for a new pod;
//    otherwise code 50 ("the plugin is not available, i.e. cannot service ADD requests").
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import type { Ipam } from '../ipam/types.ts';
import type { IPAMBlockSpec } from '../ipam/model.ts';
import { forEachAllocation } from '../ipam/report.ts';
import { CNI_ERR, CniError } from './errors.ts';
import type { CniLogger } from './log.ts';
import { ipamHandle } from './names.ts';
import { WEP_KIND, type WorkloadEndpointSpec } from './wep.ts';

export const VALID_ATTACHMENTS = 'cni.dev/valid-attachments';

export interface ValidAttachment { containerID: string; ifname: string }

/** The GC netconf's list of valid attachments; anything else is an invalid network configuration (code 7). */
export function validAttachments(v: unknown): ValidAttachment[] {
  if (!Array.isArray(v)) throw new CniError(CNI_ERR.invalidNetworkConfig, `GC needs "${VALID_ATTACHMENTS}" (a list of {containerID, ifname}) in the network configuration`);
  return v.map((a, i) => {
    const o = a as Partial<Record<keyof ValidAttachment, unknown>> | null;
    if (!o || typeof o !== 'object' || typeof o.containerID !== 'string' || !o.containerID || (o.ifname !== undefined && typeof o.ifname !== 'string')) {
      throw new CniError(CNI_ERR.invalidNetworkConfig, `"${VALID_ATTACHMENTS}"[${i}] must be an object with a string "containerID" and "ifname", got ${JSON.stringify(a)}`);
    }
    return { containerID: o.containerID, ifname: typeof o.ifname === 'string' ? o.ifname : '' };
  });
}

export interface GcContext {
  ds: Datastore;
  /** Our IPAM; undefined when the IPAM plugin is a delegate (it collects its own reservations). */
  ipam: Ipam | undefined;
  network: string;
  node: string;
  valid: ValidAttachment[];
  removeHostVeth: (name: string) => Promise<void>;
  log: CniLogger;
}

export interface GcResult { handles: number; addresses: number; endpoints: number; veths: number; errors: string[] }

interface HandleSpec { handleID?: string; block?: Record<string, number> }
/** Handle IDs → the nodes their addresses are allocated for, and each allocated address's handle. */
function allocationsByBlock(blocks: Resource[]): { handleNodes: Map<string, Set<string>>; ipHandle: Map<string, string> } {
  const handleNodes = new Map<string, Set<string>>();
  const ipHandle = new Map<string, string>();
  forEachAllocation(blocks.map((b) => b.spec as IPAMBlockSpec), (ip, _b, _ord, attr) => {
    if (!attr?.handle_id) return;
    ipHandle.set(ip, attr.handle_id);
    const nodes = handleNodes.get(attr.handle_id) ?? new Set<string>();
    if (attr.secondary?.node) nodes.add(attr.secondary.node);
    handleNodes.set(attr.handle_id, nodes);
  });
  return { handleNodes, ipHandle };
}

/** GC for one network on one node; never throws for a single item: failures are collected in `errors`. */
export async function collectGarbage(ctx: GcContext, deleteEndpoint: (name: string, ns: string, containerId: string) => Promise<void>): Promise<GcResult> {
  const r: GcResult = { handles: 0, addresses: 0, endpoints: 0, veths: 0, errors: [] };
  const valid = new Set(ctx.valid.map((a) => a.containerID));
  const prefix = `${ctx.network}.`;
  const [handles, blocks, weps] = await Promise.all([ctx.ds.list('IPAMHandle'), ctx.ds.list('IPAMBlock'), ctx.ds.list(WEP_KIND)]);
  const { handleNodes, ipHandle } = allocationsByBlock(blocks.items);
  // Endpoints first: which are ours is read from the allocations before they are released.
  const stale = weps.items.filter((w) => {
    const s = w.spec as WorkloadEndpointSpec | undefined;
    if (!s || s.node !== ctx.node || !s.containerID || valid.has(s.containerID)) return false;
    const owners = (s.ipNetworks ?? []).map((n) => ipHandle.get(n.split('/')[0]!)).filter((h): h is string => !!h);
    // Ours: its addresses are this network's, or nobody's (a delegated IPAM's, or already released).
    return owners.length === 0 || owners.some((h) => h === ipamHandle(ctx.network, s.containerID));
  });
  for (const w of stale) {
    const s = w.spec as WorkloadEndpointSpec;
    try {
      await deleteEndpoint(w.metadata.name, w.metadata.namespace ?? 'default', s.containerID);
      r.endpoints++;
      ctx.log.info('GC deleted endpoint', { wep: `${w.metadata.namespace}/${w.metadata.name}`, containerID: s.containerID });
      if (s.orchestrator !== 'k8s' && s.interfaceName && ![...valid].some((c) => s.interfaceName.endsWith(c.slice(0, 11)))) {
        await ctx.removeHostVeth(s.interfaceName);
        r.veths++;
      }
    } catch (e) { r.errors.push(`endpoint ${w.metadata.namespace}/${w.metadata.name}: ${(e as Error).message}`); }
  }
  if (!ctx.ipam) return r;
  for (const h of handles.items) {
    const id = (h.spec as HandleSpec | undefined)?.handleID ?? h.metadata.name;
    if (!id.startsWith(prefix) || valid.has(id.slice(prefix.length)) || !handleNodes.get(id)?.has(ctx.node)) continue;
    try {
      r.addresses += await ctx.ipam.releaseByHandle(id);
      r.handles++;
      ctx.log.info('GC released handle', { handleId: id });
    } catch (e) { r.errors.push(`handle ${id}: ${(e as Error).message}`); }
  }
  return r;
}

/** STATUS's answer when this node cannot get an address for a new pod; undefined when it can. */
export async function ipamNotAvailable(ds: Datastore, node: string): Promise<CniError | undefined> {
  const { nodeCapacity } = await import('../ipam/capacity.ts');
  const c = await nodeCapacity(ds, node);
  return c.ok ? undefined : new CniError(CNI_ERR.pluginNotAvailable, `cannot service ADD: ${c.reason}`);
}

// The calico-ipam role (`tabby-ipam`, installed also as `calico-ipam`): ADD assigns one IPv4 address for the
// attachment's handle `<network>.<containerID>` from this node's blocks; DEL releases the handle (and
// Calico's legacy workload handle). The main plugin calls the same functions in-process when its netconf
// names this IPAM, and execs other IPAM plugins (e.g. host-local) from CNI_PATH as CNI delegation does.
import type { Ipam } from '../ipam/types.ts';
import type { OpenBackend } from './backend.ts';
import { asCniError, CNI_ERR, CniError } from './errors.ts';
import type { CniLogger } from './log.ts';
import { namespaceLabels, type PodIpamRequest } from './ipam-request.ts';
import { ipamHandle, legacyWorkloadHandle, type WorkloadIdentity } from './names.ts';
import { datastoreSelection, parseEnv, parseNetConf, resolveNodeState, type CniEnv, type NetConf } from './netconf.ts';
import { errorVersion, formatResult, parseResult, requireVerbVersion, versionReply, type CniResult } from './version.ts';

export const OWN_IPAM_TYPES = new Set(['tabby-ipam', 'calico-ipam']);

export interface IpamContext {
  conf: NetConf;
  env: CniEnv;
  node: string;
  id: Pick<WorkloadIdentity, 'orchestrator' | 'namespace' | 'workload' | 'containerId'>;
  ipam: Ipam;
  /** What the pod's annotations ask (the main plugin reads them; the IPAM plugin alone sees only IP=). */
  request?: PodIpamRequest;
  /** The namespace's labels for pools' namespaceSelector (undefined: no namespace, no labels). */
  namespaceLabels?: Record<string, string> | undefined;
}

function narrow(cidr: string): string { return cidr.split('/')[0] + (cidr.includes(':') ? '/128' : '/32'); }

/** Assigns (or, on a repeated ADD, returns the already-assigned) addresses for the attachment. */
export async function ipamAdd(ctx: IpamContext): Promise<CniResult> {
  const { conf, env, ipam } = ctx;
  const handleId = ipamHandle(conf.name, env.containerId);
  const attrs: Record<string, string> = { node: ctx.node, timestamp: new Date().toISOString() };
  if (ctx.id.orchestrator === 'k8s') { attrs.namespace = ctx.id.namespace; attrs.pod = ctx.id.workload; }
  let ips = await ipam.ipsByHandle(handleId);
  if (ips.length === 0) {
    const fromAnnotation = ctx.request?.kind === 'ipAddrs' ? ctx.request.ips.join(',') : undefined;
    const requested = fromAnnotation ?? env.args.IP;
    if (requested) {
      // Calico: a specific address via CNI_ARGS IP=<ip> (what the ipAddrs annotation becomes), assigned as a
      // Workload address, so the pool's allowedUses apply.
      const list = requested.split(',').map((s) => s.trim()).filter(Boolean);
      try {
        for (const ip of list) await ipam.assignIP(ip, handleId, ctx.node, attrs, 'Workload');
      } catch (e) {
        await ipam.releaseByHandle(handleId);
        const msg = `failed to assign requested IP ${requested}: ${(e as Error).message}`;
        // Calico's main plugin wraps what the IPAM plugin said about an ipAddrs address.
        throw new CniError(CNI_ERR.internal, fromAnnotation ? `error getting IP from IPAM: ${msg}` : msg);
      }
      ips = list.map((ip) => `${ip}/32`);
    } else if (conf.ipam.assign_ipv4 !== 'false') {
      const annotated = ctx.request?.kind === 'auto' ? ctx.request.pools : undefined;
      const pools = annotated ?? conf.ipam.ipv4_pools;
      try {
        const r = await ipam.autoAssign({
          handleId, node: ctx.node, num4: 1, intendedUse: 'Workload', attrs,
          pools: pools?.length ? pools : undefined, namespaceLabels: ctx.namespaceLabels,
        });
        ips = r.ips;
      } catch (e) {
        await ipam.releaseByHandle(handleId).catch(() => 0);
        throw e;
      }
    }
  }
  if (ips.length === 0) throw new CniError(CNI_ERR.internal, 'IPAM assigned no addresses (is ipam.assign_ipv4 "false"?)');
  const narrowed = ips.map(narrow);
  // Calico's IPAM result carries the addresses only, no routes: the main plugin reports the routes it makes.
  return { ips: narrowed.map((address) => ({ address })), dns: {} };
}

/** Releases everything the attachment holds; nothing held is success. */
export async function ipamDel(ctx: IpamContext): Promise<number> {
  let n = await ctx.ipam.releaseByHandle(ipamHandle(ctx.conf.name, ctx.env.containerId));
  n += await ctx.ipam.releaseByHandle(legacyWorkloadHandle(ctx.id));
  return n;
}

/** CHECK for the IPAM plugin: the handle must hold exactly the addresses of prevResult. */
export async function ipamCheck(ctx: IpamContext, expected: string[]): Promise<string[]> {
  const have = new Set((await ctx.ipam.ipsByHandle(ipamHandle(ctx.conf.name, ctx.env.containerId))).map(narrow));
  const diffs: string[] = [];
  for (const ip of expected.map(narrow)) if (!have.has(ip)) diffs.push(`IPAM handle ${ipamHandle(ctx.conf.name, ctx.env.containerId)} does not hold ${ip}`);
  return diffs;
}

// ---- the executable's dispatcher ----------------------------------------------------------------------


/** `tabby-ipam` / `calico-ipam` as a runtime (or the main plugin via delegation) invokes it. */
export async function runIpamPlugin(processEnv: NodeJS.ProcessEnv, stdin: string, deps: { openBackend: OpenBackend; log: CniLogger }): Promise<{ stdout: string; exitCode: number }> {
  let cniVersion: string | undefined;
  try {
    const env = parseEnv(processEnv, { ipam: true });
    if (env.command === 'VERSION') return { stdout: JSON.stringify(versionReply(stdin)), exitCode: 0 };
    const conf = parseNetConf(stdin);
    cniVersion = conf.cniVersion;
    requireVerbVersion(env.command, conf.cniVersion);
    const node = resolveNodeState(conf);
    const ns = env.args.K8S_POD_NAMESPACE, pod = env.args.K8S_POD_NAME;
    const id = ns && pod
      ? { orchestrator: 'k8s' as const, namespace: ns, workload: pod, containerId: env.containerId }
      : { orchestrator: 'cni' as const, namespace: 'default', workload: env.containerId, containerId: env.containerId };
    const be = await deps.openBackend(datastoreSelection(conf, processEnv)).catch((e) => {
      throw new CniError(CNI_ERR.tryAgainLater, `datastore unavailable, try again later: ${(e as Error).message}`);
    });
    try {
      const ctx: IpamContext = {
        conf, env, node: node.nodename, id, ipam: be.ipam,
        namespaceLabels: env.command === 'ADD' ? await namespaceLabels(be.ds, id) : undefined,
      };
      switch (env.command) {
        case 'ADD': return { stdout: JSON.stringify(formatResult(await ipamAdd(ctx), conf.cniVersion)), exitCode: 0 };
        case 'DEL': await ipamDel(ctx); return { stdout: '', exitCode: 0 };
        case 'CHECK': {
          if (!conf.prevResult) throw new CniError(CNI_ERR.invalidNetworkConfig, 'CHECK needs "prevResult" in the network configuration');
          const diffs = await ipamCheck(ctx, parseResult(conf.prevResult).ips.map((i) => i.address));
          if (diffs.length) throw new CniError(CNI_ERR.checkFailed, `CHECK failed: ${diffs.join('; ')}`);
          return { stdout: '', exitCode: 0 };
        }
        case 'STATUS':
          try { await be.ds.revision(); } catch (e) { throw new CniError(CNI_ERR.pluginNotAvailable, `datastore not available: ${(e as Error).message}`); }
          return { stdout: '', exitCode: 0 };
        case 'GC': return { stdout: '', exitCode: 0 }; // the main plugin's GC releases handles
        default: throw new CniError(CNI_ERR.invalidEnv, `unsupported CNI_COMMAND ${env.command}`);
      }
    } finally {
      await be.close().catch(() => {});
    }
  } catch (e) {
    const err = asCniError(e);
    deps.log.error(err.message, { code: err.code });
    return { stdout: JSON.stringify(err.toJSON(errorVersion(stdin, cniVersion))), exitCode: 1 };
  }
}

// The node agent's composition: which managers run in the loop and which kinds the syncer watches. The agent
// drives policy as it drives routes and BGP, so the policy manager is wired here, not by whoever starts it;
// `tabby node run` only turns flags and environment into NodeAgentOptions and calls startNodeAgent.
import type { Datastore } from '../datastore/types.ts';
import type { Logger } from '../log.ts';
import type { DataplaneManager } from './dataplane/manager.ts';
import { Agent, type AgentOptions, type NetworkingBackend } from './main.ts';
import type { PolicyManager } from '../policy/manager.ts';

/** The trace endpoint, reading this agent's datastore view and kernel (docs/trace.md). */
async function startTrace(agent: Agent, o: NodeAgentOptions, policy: PolicyManager | undefined): Promise<{ close(): Promise<void> } | undefined> {
  const [{ startTraceServer }, { Netlink }] = await Promise.all([import('./trace-server.ts'), import('../netlink/index.ts')]);
  return startTraceServer({
    ...o.trace!, log: o.log.child({ mod: 'trace' }),
    sources: {
      nodeName: o.nodeName,
      items: (kind) => agent.syncer.snapshot.items(kind),
      ruleset: () => (policy ? policy.applied ?? null : null),
      bgpPeers: () => agent.bgpPeers(),
      bgpStatus: () => agent.bgpStatus(),
      ready: () => agent.health.summary().ready,
      vxlan: () => { const v = agent.lastDesired?.localVtep; return v ? { vni: v.vni, port: v.port } : undefined; },
      openNetlink: () => Netlink.open(),
    },
  });
}

export interface NodeAgentOptions {
  ds: Datastore;
  nodeName: string;
  log: Logger;
  stateDir: string;
  backend: NetworkingBackend;
  /** Enforce network policy with nftables (Felix's policy dataplane). */
  policy: boolean;
  cniServer: boolean;
  env: NonNullable<AgentOptions['env']>;
  healthPort: number;
  healthHost: string;
  metricsPort: number;
  metricsHost: string;
  resyncIntervalMs: number;
  /** Empty IPAM blocks of this node are released after this long (0 disables; default 15 minutes). */
  ipamLeakGracePeriodMs?: number | undefined;
  /** The trace endpoint (docs/trace.md); port 0 turns it off. */
  trace?: { port: number; host: string; tokenFile: string } | undefined;
  /** BGP password secrets directory (--bgp-secrets-dir). */
  bgpSecretsDir?: string;
}

export interface RunningNodeAgent {
  agent: Agent;
  /** Stops the loop and closes the kernel handle; kernel state stays so a restart adopts it without churn. */
  stop(): Promise<void>;
}

/** Builds the agent with its managers on the real kernel (netlink) and starts it. Throws when start-up fails. */
export async function startNodeAgent(o: NodeAgentOptions): Promise<RunningNodeAgent> {
  const { NetlinkKernel } = await import('./dataplane/netlink-kernel.ts');
  const kernel = new NetlinkKernel();
  const extraManagers: DataplaneManager[] = [];
  let extraKinds: readonly string[] = [];
  let policy: PolicyManager | undefined;
  if (o.policy) {
    // Loaded only when enforcing: nftables programming is not needed by a routing-only node.
    const { createPolicyManager, asDataplaneManager, POLICY_KINDS } = await import('../policy/manager.ts');
    policy = createPolicyManager({ nodeName: o.nodeName, log: o.log.child({ mod: 'policy' }) });
    extraManagers.push(asDataplaneManager(policy));
    extraKinds = POLICY_KINDS;
  }
  const agent = new Agent({
    extraManagers, extraKinds,
    ds: o.ds, nodeName: o.nodeName, log: o.log, kernel, stateDir: o.stateDir, backend: o.backend, env: o.env,
    healthPort: o.healthPort, healthHost: o.healthHost, metricsPort: o.metricsPort, metricsHost: o.metricsHost,
    resyncIntervalMs: o.resyncIntervalMs, cniServer: o.cniServer,
    ...(o.ipamLeakGracePeriodMs !== undefined ? { ipamLeakGracePeriodMs: o.ipamLeakGracePeriodMs } : {}),
    ...(o.bgpSecretsDir !== undefined ? { bgpSecretsDir: o.bgpSecretsDir } : {}),
  });
  let trace: { close(): Promise<void> } | undefined;
  const stop = async () => {
    await trace?.close();
    await agent.stop();
    kernel.close();
  };
  try {
    await agent.start();
    if (o.trace) trace = await startTrace(agent, o, policy);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { agent, stop };
}

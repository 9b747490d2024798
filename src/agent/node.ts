// The node agent's composition: which managers run in the loop and which kinds the syncer watches. The agent
// drives policy as it drives routes and BGP, so the policy manager is wired here, not by whoever starts it;
// `tabby node run` only turns flags and environment into NodeAgentOptions and calls startNodeAgent.
import type { Datastore } from '../datastore/types.ts';
import type { Logger } from '../log.ts';
import type { DataplaneManager } from './dataplane/manager.ts';
import { Agent, type AgentOptions, type NetworkingBackend } from './main.ts';

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
  if (o.policy) {
    // Loaded only when enforcing: nftables programming is not needed by a routing-only node.
    const { createPolicyManager, asDataplaneManager, POLICY_KINDS } = await import('../policy/manager.ts');
    extraManagers.push(asDataplaneManager(createPolicyManager({ nodeName: o.nodeName, log: o.log.child({ mod: 'policy' }) })));
    extraKinds = POLICY_KINDS;
  }
  const agent = new Agent({
    extraManagers, extraKinds,
    ds: o.ds, nodeName: o.nodeName, log: o.log, kernel, stateDir: o.stateDir, backend: o.backend, env: o.env,
    healthPort: o.healthPort, healthHost: o.healthHost, metricsPort: o.metricsPort, metricsHost: o.metricsHost,
    resyncIntervalMs: o.resyncIntervalMs, cniServer: o.cniServer,
    ...(o.bgpSecretsDir !== undefined ? { bgpSecretsDir: o.bgpSecretsDir } : {}),
  });
  const stop = async () => {
    await agent.stop();
    kernel.close();
  };
  try {
    await agent.start();
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { agent, stop };
}

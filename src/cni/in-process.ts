// The plugin doing the invocation itself, in this process: when no node agent serves it (agent-client.ts),
// for `-t` and `-v`. Loaded on demand so the served path never pays for these modules.
import { openBackendForExit, type OpenBackend } from './backend.ts';
import { LinuxDataplane } from './dataplane.ts';
import { createCniLogger, type CniLogger } from './log.ts';
import { execDelegate, faultHookFromEnv, runPlugin, type PluginOutput } from './plugin.ts';
import { peekLogConfig } from './stdio.ts';
import { testConnection, TABBY_VERSION } from './util.ts';

export { TABBY_VERSION };

/** Calico's `calico -t`. */
export function testDatastore(stdin: string): Promise<PluginOutput> {
  return testConnection(stdin, openBackendForExit);
}

/** runPlugin on the Linux dataplane for an invocation with environment `env` (this process's or a served plugin's). */
export function runOnLinux(env: NodeJS.ProcessEnv, stdin: string, openBackend: OpenBackend, log: CniLogger, agentMayHaveRun = false): Promise<PluginOutput> {
  return runPlugin(env, stdin, {
    openBackend, dataplane: new LinuxDataplane(), log, agentMayHaveRun,
    execDelegate: execDelegate(env), fault: faultHookFromEnv(env), processEnv: env,
  });
}

/** Runs the invocation here; `notServed` says why the agent did not (logged when it is not simply absent). */
export async function runInProcess(stdin: string, notServed?: string): Promise<PluginOutput> {
  const log = createCniLogger({ component: 'tabby-cni', ...peekLogConfig(stdin) });
  if (notServed) log.info('node agent did not serve this invocation; running it in the plugin', { reason: notServed });
  // Refused or absent: the agent did nothing. Otherwise (the connection broke after the request went out)
  // it may have run part or all of this very invocation, which ADD then completes instead of refusing.
  const agentMayHaveRun = notServed !== undefined && !notServed.startsWith('the agent declined');
  return runOnLinux(process.env, stdin, openBackendForExit, log, agentMayHaveRun);
}

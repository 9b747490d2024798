// Entry point of `tabby-cni` (installed also as `calico`). Bundled to dist/tabby-cni.cjs for fast start: keep
// its static imports tiny (node built-ins, agent-client, stdio, version), everything else behind import().
// ADD/DEL/CHECK go to the node agent on this host when it serves them (agent-client.ts), otherwise the
// plugin runs them itself (in-process.ts, loaded only then). TABBY_CNI_IN_PROCESS=1 skips the agent.
// Flags as Calico's binary: -v prints the version; -t tests the datastore connection with the netconf on stdin.
import { serveThroughAgent } from './agent-client.ts';
import { nodeDoor } from './agent-exchange-node.ts';
import { finish, readStdin } from './stdio.ts';
import { NEWEST_VERSION, versionReply } from './version.ts';

const SERVED_COMMANDS = new Set(['ADD', 'DEL', 'CHECK']);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('-v') || argv.includes('--version')) {
    const { TABBY_VERSION } = await import('./in-process.ts');
    return finish(`tabby-cni ${TABBY_VERSION}`, 0);
  }
  if (argv.includes('-t')) {
    const r = await (await import('./in-process.ts')).testDatastore(readStdin());
    return finish(r.stdout, r.exitCode);
  }
  const command = process.env.CNI_COMMAND ?? '';
  const stdin = readStdin();
  if (command === 'VERSION') return finish(JSON.stringify(versionReply(stdin)), 0);
  // Set by the compiled entry (fast-entry.ts) when it asked the agent and got no answer worth trusting.
  let notServed: string | undefined = process.env.TABBY_CNI_IN_PROCESS === '1' ? process.env.TABBY_CNI_NOT_SERVED || undefined : undefined;
  if (SERVED_COMMANDS.has(command) && process.env.TABBY_CNI_IN_PROCESS !== '1') {
    const r = await serveThroughAgent(nodeDoor, stdin, finish);
    if (r.served) return;
    notServed = r.reason;
  }
  const out = await (await import('./in-process.ts')).runInProcess(stdin, notServed);
  finish(out.stdout, out.exitCode);
}

main().catch((e) => {
  // Last resort (a bug): still answer in the CNI error format.
  finish(JSON.stringify({ cniVersion: NEWEST_VERSION, code: 999, msg: `tabby-cni panicked: ${(e as Error)?.stack ?? e}` }), 1);
});

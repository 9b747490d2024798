// Entry of the compiled CNI executable (`bun build --compile`, scripts/build-cni-fast.sh): the same first
// step as main.ts — hand ADD/DEL/CHECK to the node agent — in a process that starts in ~4 ms instead of
// Node's ~24. VERSION is answered here too. Everything else (no agent, the agent declines, -v, -t) is the Node plugin's: this
// process replaces itself with it (execve, same PID, so a runtime's kill or timeout reaches the plugin
// itself), with the netconf it already read put back on stdin. One plugin, two doors: results, error codes
// and kernel state are the Node plugin's or the agent's, whichever entry was used (docs/cni.md).
import { serveThroughAgent } from './agent-client.ts';
import { bunDoor } from './agent-exchange-bun.ts';
import { execNodePlugin, type NodePlugin } from './fast-exec.ts';
import { versionReply } from './version.ts';

/** Set at build time (bun build --define): the node binary and the plugin's Node entry to fall back to. */
declare const TABBY_FALLBACK_NODE: string | undefined;
declare const TABBY_FALLBACK_ENTRY: string | undefined;

const SERVED_COMMANDS = new Set(['ADD', 'DEL', 'CHECK']);

/**
 * Bun's own stdin and stdout: in a Bun executable the first use of process.stdout costs ~10 ms (its Node
 * stream is built then) and readFileSync(0) ~1.5 ms more than Bun.stdin — against ~4 ms for the whole start.
 */
declare const Bun: { stdin: { text(): Promise<string> }; stdout: unknown; stderr: unknown; write(dest: unknown, data: string): Promise<number> };

/** Writes the answer (stderr first), waits until it is written, exits. */
function finish(stdout: string, exitCode: number, stderr?: string): void {
  const out = stdout && !stdout.endsWith('\n') ? stdout + '\n' : stdout;
  (async () => {
    if (stderr) await Bun.write(Bun.stderr, stderr);
    if (out) await Bun.write(Bun.stdout, out);
  })().finally(() => process.exit(exitCode));
}

function fallbackTarget(): NodePlugin {
  const node = typeof TABBY_FALLBACK_NODE === 'string' ? TABBY_FALLBACK_NODE : process.env.TABBY_FALLBACK_NODE;
  const entry = typeof TABBY_FALLBACK_ENTRY === 'string' ? TABBY_FALLBACK_ENTRY : process.env.TABBY_FALLBACK_ENTRY;
  if (!node || !entry) throw new Error('built without TABBY_FALLBACK_NODE / TABBY_FALLBACK_ENTRY');
  return { node, entry };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const command = process.env.CNI_COMMAND ?? '';
  const asks = argv.length === 0 && SERVED_COMMANDS.has(command) && process.env.TABBY_CNI_IN_PROCESS !== '1';
  const stdin = await Bun.stdin.text();
  if (command === 'VERSION' && argv.length === 0) return finish(JSON.stringify(versionReply(stdin)), 0);
  let notServed: string | undefined;
  if (asks) {
    const r = await serveThroughAgent(bunDoor, stdin, finish);
    if (r.served) return;
    notServed = r.reason;
  }
  // The Node plugin must not ask the agent again (it said no, or was asked not to be).
  const extraEnv: Record<string, string> = asks || process.env.TABBY_CNI_IN_PROCESS === '1' ? { TABBY_CNI_IN_PROCESS: '1' } : {};
  if (notServed) extraEnv.TABBY_CNI_NOT_SERVED = notServed;
  await execNodePlugin(fallbackTarget(), argv, extraEnv, stdin);
}

main().catch((e) => {
  // Last resort (a bug, or execve refused): still answer in the CNI error format, as main.ts does.
  finish(JSON.stringify({ cniVersion: '1.0.0', code: 999, msg: `tabby-cni (compiled entry) failed: ${(e as Error)?.message ?? e}` }), 1);
});

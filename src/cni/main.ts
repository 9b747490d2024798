// Entry point of `tabby-cni` (installed also as `calico`). Bundled to dist/tabby-cni.mjs for fast start.
// Flags as Calico's binary: -v prints the version; -t tests the datastore connection with the netconf on stdin.
import { openBackendForExit } from './backend.ts';
import { LinuxDataplane } from './dataplane.ts';
import { createCniLogger } from './log.ts';
import { execDelegate, faultHookFromEnv, runPlugin } from './plugin.ts';
import { finish, peekLogConfig, readStdin } from './stdio.ts';
import { testConnection, TABBY_VERSION } from './util.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('-v') || argv.includes('--version')) return finish(`tabby-cni ${TABBY_VERSION}`, 0);
  if (argv.includes('-t')) {
    const r = await testConnection(readStdin(), openBackendForExit);
    return finish(r.stdout, r.exitCode);
  }
  const stdin = process.env.CNI_COMMAND === 'VERSION' ? '' : readStdin();
  const log = createCniLogger({ component: 'tabby-cni', ...peekLogConfig(stdin) });
  const out = await runPlugin(process.env, stdin, {
    openBackend: openBackendForExit,
    dataplane: new LinuxDataplane(),
    log,
    execDelegate: execDelegate(process.env),
    fault: faultHookFromEnv(process.env),
  });
  finish(out.stdout, out.exitCode);
}

main().catch((e) => {
  // Last resort (a bug): still answer in the CNI error format.
  finish(JSON.stringify({ code: 999, msg: `tabby-cni panicked: ${(e as Error)?.stack ?? e}` }), 1);
});

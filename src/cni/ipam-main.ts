// Entry point of `tabby-ipam` (installed also as `calico-ipam`). Bundled to dist/tabby-ipam.mjs.
import { openBackendForExit } from './backend.ts';
import { runIpamPlugin } from './ipam-plugin.ts';
import { createCniLogger } from './log.ts';
import { finish, peekLogConfig, readStdin } from './stdio.ts';
import { TABBY_VERSION } from './util.ts';
import { NEWEST_VERSION } from './version.ts';

async function main(): Promise<void> {
  if (process.argv.includes('-v') || process.argv.includes('--version')) return finish(`tabby-ipam ${TABBY_VERSION}`, 0);
  const stdin = readStdin();
  const log = createCniLogger({ component: 'tabby-ipam', ...peekLogConfig(stdin) });
  const out = await runIpamPlugin(process.env, stdin, { openBackend: openBackendForExit, log });
  finish(out.stdout, out.exitCode);
}

main().catch((e) => finish(JSON.stringify({ cniVersion: NEWEST_VERSION, code: 999, msg: `tabby-ipam panicked: ${(e as Error)?.stack ?? e}` }), 1));

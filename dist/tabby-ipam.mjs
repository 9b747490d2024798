import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
  TABBY_VERSION,
  createCniLogger,
  finish,
  openRealBackend,
  peekLogConfig,
  readStdin,
  runIpamPlugin
} from "./cni-chunks/chunk-5M77RUQK.mjs";
import "./cni-chunks/chunk-ORRNK5GL.mjs";

// src/cni/ipam-main.ts
async function main() {
  if (process.argv.includes("-v") || process.argv.includes("--version")) return finish(`tabby-ipam ${TABBY_VERSION}`, 0);
  const stdin = process.env.CNI_COMMAND === "VERSION" ? "" : readStdin();
  const log = createCniLogger({ component: "tabby-ipam", ...peekLogConfig(stdin) });
  const out = await runIpamPlugin(process.env, stdin, { openBackend: openRealBackend, log });
  finish(out.stdout, out.exitCode);
}
main().catch((e) => finish(JSON.stringify({ code: 999, msg: `tabby-ipam panicked: ${e?.stack ?? e}` }), 1));

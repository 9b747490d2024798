// Bundles the CNI executables for start-up speed: a plugin runs once per pod, so its own time is mostly Node
// start + module loading.
//  - dist/tabby-cni.cjs: the entry (src/cni/main.ts), CommonJS and tiny. Served by the node agent, this is
//    all a pod's ADD loads (an ESM entry alone costs ~6 ms more: Node's ESM loader start-up).
//  - dist/cni-in-process.mjs (+ dist/cni-chunks/): the plugin doing the work itself, imported only when no
//    agent serves. Code splitting keeps a backend's dependencies (etcd3 + gRPC ~200 ms, better-sqlite3) out
//    until that backend is imported, and src/log.ts (pino) is swapped for src/cni/log-shim.ts (~25 ms).
//  - dist/tabby-ipam.mjs: the IPAM plugin.
// Old chunks are kept: an invocation running while someone rebuilds must still find what it imports. And no
// file is ever seen half-written: each output goes to a temporary name and is renamed into place, and one
// whose bytes are unchanged is not touched (a plugin importing a chunk while a build rewrote it in place got
// "does not provide an export named …").
import { build as esbuild } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const logTs = join(root, 'src', 'log.ts');
const shim = join(root, 'src', 'cni', 'log-shim.ts');
const inProcessTs = join(root, 'src', 'cni', 'in-process.ts');

/** Writes `contents` to `file` atomically (temporary name, then rename), unless it already holds them. */
function writeAtomically(file, contents) {
  try { if (Buffer.compare(readFileSync(file), Buffer.from(contents)) === 0) return; } catch { /* new file */ }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** esbuild's build, its output written by writeAtomically. */
async function build(options) {
  const r = await esbuild({ ...options, write: false });
  for (const f of r.outputFiles) writeAtomically(f.path, f.contents);
  return r;
}

await build({
  absWorkingDir: root,
  entryPoints: { 'cni-in-process': 'src/cni/in-process.ts', 'tabby-ipam': 'src/cni/ipam-main.ts' },
  bundle: true, splitting: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning',
  outdir: 'dist', outExtension: { '.js': '.mjs' }, chunkNames: 'cni-chunks/[name]-[hash]',
  external: ['better-sqlite3', 'netlink', 'koffi', 'etcd3', 'pino', 'prom-client', '@grpc/grpc-js'],
  banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
  plugins: [{
    name: 'cni-log-shim',
    setup(b) {
      b.onResolve({ filter: /(^|\/)log\.ts$/ }, (args) => {
        const target = resolve(args.resolveDir, args.path);
        return target === logTs ? { path: shim } : undefined;
      });
    },
  }],
});

await build({
  absWorkingDir: root,
  entryPoints: ['src/cni/main.ts'],
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
  outfile: 'dist/tabby-cni.cjs',
  plugins: [{
    name: 'cni-in-process-external',
    setup(b) {
      // main.ts imports the in-process part dynamically; it stays a separate (ESM) file, loaded only when needed.
      b.onResolve({ filter: /in-process\.ts$/ }, (args) => (
        resolve(args.resolveDir, args.path) === inProcessTs ? { path: './cni-in-process.mjs', external: true } : undefined));
    },
  }],
});

// Launchers installed before the entry became CommonJS import this name.
writeAtomically(join(root, 'dist', 'tabby-cni.mjs'), "import './tabby-cni.cjs';\n");

// The compiled fast entry (Bun), when Bun is installed: see the script.
execFileSync(process.execPath, [join(root, 'scripts', 'build-cni-fast.mjs')], { stdio: 'inherit' });

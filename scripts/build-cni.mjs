// Bundles the CNI executables (dist/tabby-cni.mjs, dist/tabby-ipam.mjs) for start-up speed: a plugin runs
// once per pod, so its own time is mostly Node start + module loading.
//  - code splitting: a backend's dependencies (etcd3 + gRPC, better-sqlite3) load only when that backend is
//    dynamically imported (a single-file ESM bundle hoists every external import to the top; etcd3 alone
//    costs ~200 ms);
//  - src/log.ts (pino) is swapped for src/cni/log-shim.ts, saving ~25 ms.
// Old chunks are kept: an invocation running while someone rebuilds must still find what it imports.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const logTs = join(root, 'src', 'log.ts');
const shim = join(root, 'src', 'cni', 'log-shim.ts');

await build({
  absWorkingDir: root,
  entryPoints: { 'tabby-cni': 'src/cni/main.ts', 'tabby-ipam': 'src/cni/ipam-main.ts' },
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

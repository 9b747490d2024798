// Compiles the CNI plugin's fast entry (src/cni/fast-entry.ts) into one executable with Bun, when the
// optional npm package @oven/bun-linux-x64 is installed: dist/tabby-cni-fast (~105 MB, the Bun runtime is
// inside), which starts in ~4 ms against Node's ~24. It only hands ADD/DEL/CHECK to the node agent; for
// anything else it execs this node binary with dist/tabby-cni.cjs, both paths fixed here at build time.
// Skipped (and any old binary removed) when Bun is not installed or the binary does not run on this CPU:
// `tabby cni install` then installs the Node launchers. Rebuilt only when an input changed (a stamp file).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bun = join(root, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun');
const out = join(root, 'dist', 'tabby-cni-fast');
const stampFile = `${out}.stamp`;
const entry = join(root, 'dist', 'tabby-cni.cjs');

const removeOld = () => { rmSync(out, { force: true }); rmSync(stampFile, { force: true }); };

if (!existsSync(bun)) {
  removeOld();
  process.exit(0);
}

// What the binary depends on: the CNI sources and paths.ts it bundles, the two fixed paths, Bun itself.
const hash = createHash('sha256');
const cniDir = join(root, 'src', 'cni');
for (const f of readdirSync(cniDir).filter((n) => n.endsWith('.ts')).sort()) hash.update(f).update(readFileSync(join(cniDir, f)));
hash.update(readFileSync(join(root, 'src', 'paths.ts'))).update(process.execPath).update(entry);
hash.update(readFileSync(join(root, 'node_modules', '@oven', 'bun-linux-x64', 'package.json')));
const stamp = hash.digest('hex');
if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

const tmp = `${out}.tmp-${process.pid}`;
try {
  execFileSync(bun, ['build', '--compile', '--minify', join(root, 'src', 'cni', 'fast-entry.ts'),
    '--define', `TABBY_FALLBACK_NODE=${JSON.stringify(process.execPath)}`,
    '--define', `TABBY_FALLBACK_ENTRY=${JSON.stringify(entry)}`,
    '--outfile', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  // A CPU without what this Bun build needs (AVX2) would die with SIGILL on every pod: check it runs first.
  const probe = spawnSync(tmp, [], { input: '{}', env: { CNI_COMMAND: 'VERSION' }, encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0 || !probe.stdout.includes('supportedVersions')) {
    throw new Error(`the compiled entry does not run here (status ${probe.status}, signal ${probe.signal})`);
  }
  renameSync(tmp, out); // atomic: an invocation running now keeps the file it started
  writeFileSync(stampFile, stamp);
} catch (e) {
  rmSync(tmp, { force: true });
  removeOld();
  process.stderr.write(`build-cni-fast: ${e.message}; the CNI plugin is installed with its Node entry\n`);
}

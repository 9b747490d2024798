// Locating (or compiling, once) the IPIP eBPF object. `scripts/build.sh` compiles it at setup time to
// dist/ipip.bpf.o; a checkout without it compiles on first use into a cache keyed by the source's hash.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { execRunner, type Runner } from '../../exec.ts';
import { projectRoot } from '../../project-root.ts';

export { projectRoot };

export function sourcePath(root = projectRoot()): string {
  return join(root, 'src/ipip/ebpf/ipip.bpf.c');
}

export function clangArgs(src: string, out: string): string[] {
  return ['clang', '-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', out];
}

/** Path of a compiled object matching the current source, compiling into cacheDir if needed. */
export async function ensureObject(opts: { cacheDir?: string; run?: Runner } = {}): Promise<string> {
  const root = projectRoot();
  const src = sourcePath(root);
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16);
  const prebuilt = join(root, 'dist', `ipip.bpf.${hash}.o`);
  if (existsSync(prebuilt)) return prebuilt;
  const cacheDir = opts.cacheDir ?? process.env.TABBY_CACHE_DIR ?? '/var/cache/tabby';
  const cached = join(cacheDir, `ipip.bpf.${hash}.o`);
  if (existsSync(cached)) return cached;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  try {
    await (opts.run ?? execRunner)(clangArgs(src, tmp));
  } catch (e) {
    throw new Error(`cannot compile the IPIP eBPF program (install clang and libbpf-dev): ${(e as Error).message}`);
  }
  renameSync(tmp, cached); // atomic: concurrent agents never load a half-written object
  return cached;
}

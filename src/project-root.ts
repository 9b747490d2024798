// The checkout root the bundles, the eBPF source and .git are found from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout root (the folder holding Tabby's package.json), found by walking up from this module: the
 * same answer from src/*.ts and from a bundle in dist/.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"tabby"/.test(readFileSync(pkg, 'utf8'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('cannot find the Tabby checkout root from ' + fileURLToPath(import.meta.url));
}

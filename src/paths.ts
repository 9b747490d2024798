// Where Tabby keeps things on a node, defined once: the agent's state directory (nodename, mtu, cni.sock),
// the embedded datastore file inside it, and the checkout root the bundles and eBPF sources are found from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The node agent's state directory (Calico's /var/lib/calico): nodename, mtu, cni.sock. */
export const TABBY_STATE_DIR = '/var/lib/tabby';

/** The embedded datastore's default file. */
export const DEFAULT_DATASTORE_PATH = join(TABBY_STATE_DIR, 'datastore.db');

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

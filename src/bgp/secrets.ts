// Where TCP MD5 passwords come from. Calico's `password: { secretKeyRef: { name, key } }` names a Kubernetes
// Secret that calico-node reads from its own namespace; Tabby has no Secret store, so the node reads the key
// from a file laid out like a mounted Secret: <secrets dir>/<secret name>/<key> (its bytes, as a Secret's
// data value). A secret that cannot be read leaves the peer without a session, never with an unsigned one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MD5_MAX_KEY_LENGTH } from './md5.ts';
import type { SpeakerConfig, SpeakerPeerConfig } from './peer.ts';

/** Default directory of the secret files (agent flag --bgp-secrets-dir, env TABBY_BGP_SECRETS_DIR). */
export const DEFAULT_BGP_SECRETS_DIR = '/etc/tabby/secrets';

// Secret names are DNS subdomains and keys [-._a-zA-Z0-9]+ (Kubernetes); anything else must not reach a path.
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export type PasswordResult = { password: string } | { error: string };

/** The password a secret reference names, or why there is none (wording after calico-node's secret watcher). */
export function readPassword(dir: string, ref: { name: string; key: string }): PasswordResult {
  if (!SECRET_NAME.test(ref.name) || !SECRET_KEY.test(ref.key) || ref.key === '.' || ref.key === '..') {
    return { error: `invalid secretKeyRef ${JSON.stringify(ref)}` };
  }
  const file = join(dir, ref.name, ref.key);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `secret ${ref.name} does not have key ${ref.key} (no file ${file})` : `cannot read secret ${ref.name} key ${ref.key} (${file}): ${code ?? (e as Error).message}` };
  }
  if (data.length === 0) return { error: `secret ${ref.name} key ${ref.key} is empty (${file})` };
  if (data.length > MD5_MAX_KEY_LENGTH) return { error: `secret ${ref.name} key ${ref.key} is ${data.length} bytes; a TCP MD5 key is at most ${MD5_MAX_KEY_LENGTH}` };
  return { password: data.toString('utf8') };
}

/** The configuration with each peer's password read (or its error recorded); peers without one unchanged. */
export function resolvePasswords(cfg: SpeakerConfig, dir: string): SpeakerConfig {
  const cache = new Map<string, PasswordResult>();
  const peers = cfg.peers.map((p): SpeakerPeerConfig => {
    if (!p.passwordSecret) return p;
    const id = `${p.passwordSecret.name}/${p.passwordSecret.key}`;
    let r = cache.get(id);
    if (!r) { r = readPassword(dir, p.passwordSecret); cache.set(id, r); }
    return 'password' in r ? { ...p, password: r.password } : { ...p, passwordError: `Can't read password: ${r.error}` };
  });
  return { ...cfg, peers };
}

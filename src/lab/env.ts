// How lab processes find Tabby and the lab's datastore: the environment a calico-node container, a CNI
// install job or an admin shell on a node would have.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabNodeState, LabState } from './state.ts';
import { modeEnv, NODE_INTERFACE } from './topology.ts';

/** The checkout this code runs from (src/lab/… from source, dist/… when bundled): the first parent with bin/tabby. */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'bin', 'tabby'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find bin/tabby above ${fileURLToPath(import.meta.url)}; set TABBY_BIN`);
    dir = up;
  }
}
let repoRoot: string | undefined;

/** The `tabby` executable (TABBY_BIN overrides, e.g. for an installed copy). */
export function tabbyBin(): string {
  if (process.env.TABBY_BIN) return process.env.TABBY_BIN;
  repoRoot ??= findRepoRoot();
  return path.join(repoRoot, 'bin', 'tabby');
}

export function basePath(): string {
  const dirs = [path.dirname(tabbyBin()), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return [...new Set(dirs)].join(':');
}

/** The lab's trace token: the agents check it, `tabby trace` on a node sends it (docs/trace.md). */
export function traceTokenFile(state: Pick<LabState, 'dir'>): string {
  return path.join(state.dir, 'trace-token');
}

/** Datastore access, as calicoctl reads it from the environment. */
export function datastoreEnv(state: LabState): Record<string, string> {
  if (state.datastore === 'etcd') {
    if (!state.etcd) throw new Error(`lab ${state.name} uses etcd but has no etcd recorded (was \`lab up\` interrupted?)`);
    const env: Record<string, string> = { DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: (state.etcd.endpoints ?? [state.etcd.endpoint]).join(',') };
    if (state.etcd.tls) {
      env.ETCD_CA_CERT_FILE = state.etcd.tls.caFile;
      env.ETCD_CERT_FILE = state.etcd.tls.certFile;
      env.ETCD_KEY_FILE = state.etcd.tls.keyFile;
    }
    return env;
  }
  return { DATASTORE_TYPE: 'embedded', TABBY_DATASTORE_PATH: state.datastorePath ?? path.join(state.dir, 'datastore.db') };
}

/** A shell on a node: `tabby` on the PATH, talking to the lab's datastore, knowing which node it is on. */
export function nodeShellEnv(state: LabState, node: LabNodeState): Record<string, string> {
  return {
    PATH: basePath(),
    HOME: process.env.HOME ?? '/root',
    TERM: process.env.TERM ?? 'dumb',
    ...datastoreEnv(state),
    NODENAME: node.name,
    TABBY_STATE_DIR: node.stateDir,
    TABBY_LAB: state.name,
    TABBY_TRACE_TOKEN_FILE: traceTokenFile(state),
    // Children run the same build as this process (source or bundle).
    ...(process.env.TABBY_FROM_SOURCE ? { TABBY_FROM_SOURCE: process.env.TABBY_FROM_SOURCE } : {}),
  };
}

/** The calico-node DaemonSet's env, for one node. */
export function nodeAgentEnv(state: LabState, node: LabNodeState): Record<string, string> {
  const m = modeEnv(state.mode);
  return {
    ...nodeShellEnv(state, node),
    IP_AUTODETECTION_METHOD: `interface=${NODE_INTERFACE}`,
    CALICO_IPV4POOL_CIDR: state.podCidr,
    CALICO_IPV4POOL_IPIP: m.ipip,
    CALICO_IPV4POOL_VXLAN: m.vxlan,
    CALICO_NETWORKING_BACKEND: m.backend,
    TABBY_LOG_LEVEL: process.env.TABBY_LAB_NODE_LOG_LEVEL ?? 'info',
  };
}

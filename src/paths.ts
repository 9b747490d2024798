// Where Tabby keeps things on a node, defined once: the agent's state directory (nodename, mtu, cni.sock) and
// the embedded datastore file inside it. (The checkout root is project-root.ts: it needs import.meta, which
// the CommonJS CNI bundle that imports these constants does not have.)
/** The node agent's state directory (Calico's /var/lib/calico): nodename, mtu, cni.sock. */
export const TABBY_STATE_DIR = '/var/lib/tabby';

/** The embedded datastore's default file. */
export const DEFAULT_DATASTORE_PATH = `${TABBY_STATE_DIR}/datastore.db`; // no node:path: the compiled CNI entry imports this file

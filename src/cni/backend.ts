// What the plugin needs from the cluster: the datastore and the IPAM on top of it. Opened per invocation;
// the backends load lazily (the embedded store never loads gRPC/etcd3).
import type { Datastore } from '../datastore/types.ts';
import type { Ipam } from '../ipam/types.ts';
import type { DatastoreSelection } from './netconf.ts';
import { DEFAULT_DATASTORE_PATH } from '../paths.ts';

export interface CniBackend {
  ds: Datastore;
  ipam: Ipam;
  close(): Promise<void>;
}

export type OpenBackend = (sel: DatastoreSelection) => Promise<CniBackend>;

export const openRealBackend: OpenBackend = (sel) => openBackendWith(sel, false);

/**
 * For a process that exits right after its one request: the embedded store is left open. Closing the last
 * connection checkpoints SQLite's WAL (~20 ms); every commit is already durable, and the next writer's
 * autocheckpoint folds the WAL in. etcd connections are always closed.
 */
export const openBackendForExit: OpenBackend = (sel) => openBackendWith(sel, true);

/** Same default as src/datastore/index.ts (not imported: it loads the YAML parser for config files). */
const DEFAULT_ETCD_ENDPOINT = 'http://127.0.0.1:2379';

/**
 * Opens the backend directly rather than through openDatastore(): that module also parses calicoctl
 * config files and loads `yaml` (~15 ms of a plugin start); the netconf already says everything needed.
 */
async function openDatastoreForCni(sel: DatastoreSelection): Promise<Datastore> {
  if (sel.type === 'etcdv3') {
    const { EtcdDatastore } = await import('../datastore/etcd.ts');
    return new EtcdDatastore({
      endpoints: sel.etcdEndpoints?.length ? sel.etcdEndpoints.map((e) => (/^[a-z]+:\/\//i.test(e) ? e : `http://${e}`)) : [DEFAULT_ETCD_ENDPOINT],
      keyPrefix: sel.etcdKeyPrefix, caCertFile: sel.etcdCACertFile, certFile: sel.etcdCertFile, keyFile: sel.etcdKeyFile,
    });
  }
  const { EmbeddedDatastore } = await import('../datastore/embedded.ts');
  return new EmbeddedDatastore(sel.path ?? DEFAULT_DATASTORE_PATH);
}

async function openBackendWith(sel: DatastoreSelection, exiting: boolean): Promise<CniBackend> {
  const [ds, { createIpam }] = await Promise.all([openDatastoreForCni(sel), import('../ipam/index.ts')]);
  const close = exiting && ds.type === 'embedded' ? async () => {} : () => ds.close();
  return { ds, ipam: createIpam(ds), close };
}

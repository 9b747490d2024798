// What the plugin needs from the cluster: the datastore and the IPAM on top of it. Opened per invocation;
// the backends load lazily (the embedded store never loads gRPC/etcd3).
import type { Datastore } from '../datastore/types.ts';
import type { Ipam } from '../ipam/types.ts';
import type { DatastoreSelection } from './netconf.ts';

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

async function openBackendWith(sel: DatastoreSelection, exiting: boolean): Promise<CniBackend> {
  const [{ openDatastore }, { createIpam }] = await Promise.all([import('../datastore/index.ts'), import('../ipam/index.ts')]);
  const ds = await openDatastore(sel);
  const close = exiting && ds.type === 'embedded' ? async () => {} : () => ds.close();
  return { ds, ipam: createIpam(ds), close };
}

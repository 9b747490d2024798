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

export const openRealBackend: OpenBackend = async (sel) => {
  const [{ openDatastore }, { createIpam }] = await Promise.all([import('../datastore/index.ts'), import('../ipam/index.ts')]);
  const ds = await openDatastore(sel);
  return { ds, ipam: createIpam(ds), close: () => ds.close() };
};

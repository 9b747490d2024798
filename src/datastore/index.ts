// Choosing and opening a datastore, like calicoctl: flags > environment (DATASTORE_TYPE, ETCD_ENDPOINTS,
// TABBY_DATASTORE_PATH) > config file (CalicoAPIConfig YAML) > defaults (embedded at /var/lib/tabby/datastore.db).
// (Implementation owned by the datastore engineer; this header states the contract.)
export type { Datastore } from './types.ts';

export interface DatastoreConfig {
  type: 'embedded' | 'etcdv3';
  /** embedded: the database file. */
  path?: string;
  /** etcdv3: endpoints like http://127.0.0.1:2379 */
  etcdEndpoints?: string[];
  /** etcdv3: prefix before `/calico/…` (default ''), so tests can share one etcd. */
  etcdKeyPrefix?: string;
  etcdCACertFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
}

export const DEFAULT_EMBEDDED_PATH = '/var/lib/tabby/datastore.db';

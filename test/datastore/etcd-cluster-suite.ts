// The datastore conformance suite against an etcd cluster with client TLS. Not run on its own (no
// `.test.ts`): test/lab/etcd-cluster.test.ts starts a 3-member TLS lab and runs this file inside a lab node's
// namespace with TABBY_TEST_ETCD_CLUSTER set to {"endpoints":[…],"caFile":…,"certFile":…,"keyFile":…}.
import { randomBytes } from 'node:crypto';
import { EtcdDatastore, type EtcdOptions } from '../../src/datastore/etcd.ts';
import { runDatastoreSuite } from './suite.ts';

const raw = process.env.TABBY_TEST_ETCD_CLUSTER;
const cluster = raw ? JSON.parse(raw) as { endpoints: string[]; caFile: string; certFile: string; keyFile: string } : undefined;
const runPrefix = `/tabby-cluster-${process.pid}-${randomBytes(3).toString('hex')}`;
let seq = 0;

function options(keyPrefix: string): EtcdOptions {
  const c = cluster!;
  return { endpoints: c.endpoints, keyPrefix, caCertFile: c.caFile, certFile: c.certFile, keyFile: c.keyFile };
}

// No clean-up of keys: they live in the lab's etcd, which `lab down` removes with its data dirs.
runDatastoreSuite({
  name: 'etcdv3, 3-member cluster with client TLS',
  validatesIdentity: true,
  skip: cluster ? false : 'TABBY_TEST_ETCD_CLUSTER not set (test/lab/etcd-cluster.test.ts sets it)',
  async fresh() {
    const keyPrefix = `${runPrefix}/t${++seq}`;
    const ds = new EtcdDatastore(options(keyPrefix));
    const others: EtcdDatastore[] = [];
    const c = cluster!;
    return {
      ds,
      config: { type: 'etcdv3', etcdEndpoints: c.endpoints, etcdKeyPrefix: keyPrefix, etcdCACertFile: c.caFile, etcdCertFile: c.certFile, etcdKeyFile: c.keyFile },
      reopen: async () => { const o = new EtcdDatastore(options(keyPrefix)); others.push(o); return o; },
      compact: (rev) => ds.compact(rev),
      cleanup: async () => { for (const o of others) await o.close(); await ds.close(); },
    };
  },
});

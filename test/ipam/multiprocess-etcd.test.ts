// 8 processes, one per node, allocate 200 addresses each at once on etcd (TABBY_TEST_ETCD_ENDPOINTS, else a
// private etcd started and stopped by this file).
import { test, after } from 'node:test';
import { etcdBackend, etcdSkipReason, stopPrivateEtcd } from './fixtures.ts';
import { scenario } from './multiprocess.ts';

after(stopPrivateEtcd);

// etcd costs a round trip per read and write: allow for a heavily loaded machine.
test('8 node allocators in 8 processes, 200 addresses each: etcd datastore', { timeout: 240_000, skip: etcdSkipReason() }, async () => {
  const b = await etcdBackend();
  try {
    await scenario(b);
  } finally {
    await b.cleanup();
  }
});

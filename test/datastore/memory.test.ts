// The in-memory reference store against the shared conformance suite.
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { runDatastoreSuite } from './suite.ts';

runDatastoreSuite({
  name: 'memory',
  validatesIdentity: false,
  async fresh() {
    const ds = new MemoryDatastore();
    return {
      ds,
      reopen: async () => ds,
      compact: async (rev) => ds.compact(rev),
      cleanup: () => ds.close(),
    };
  },
});

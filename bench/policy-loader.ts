// Setup helper of bench/policy, not timed: puts the bulk policies and endpoints into the lab's datastore (or
// takes them out) from inside a lab node's namespace, the only place the lab's etcd is reachable. It goes
// through the client `tabby apply` uses (the same validation and defaults), with 64 writes in flight, because
// `tabby apply` writes one by one and 11,000 resources that way take many minutes on a busy machine.
// The datastore comes from the environment (DATASTORE_TYPE, ETCD_ENDPOINTS), as for `tabby` on the node.
//   ip netns exec NODE-NS node --import tsx bench/policy-loader.ts apply|delete FILE.json
import { readFileSync } from 'node:fs';
import { ResourceClient } from '../src/client/client.ts';
import { openDatastore, resolveDatastoreConfig } from '../src/datastore/index.ts';
import { isDatastoreError } from '../src/datastore/types.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const IN_FLIGHT = 64;

async function main(): Promise<void> {
  const [verb, file] = process.argv.slice(2);
  if ((verb !== 'apply' && verb !== 'delete') || !file) throw new Error('usage: policy-loader.ts apply|delete FILE.json (a JSON array of resources)');
  const objs = JSON.parse(readFileSync(file, 'utf8')) as { kind: string; metadata: { name: string; namespace?: string } }[];
  const ds = await openDatastore(resolveDatastoreConfig());
  try {
    const client = new ResourceClient(ds);
    let next = 0;
    const worker = async () => {
      while (next < objs.length) {
        const o = objs[next++]!;
        if (verb === 'apply') { await client.apply(o); continue; }
        try { await client.delete(o.kind, o.metadata.name, o.metadata.namespace); } catch (e) { if (!isDatastoreError(e, 'NotFound')) throw e; }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  } finally { await ds.close(); }
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(`policy-loader: ${(e as Error).message}`); process.exit(1); });

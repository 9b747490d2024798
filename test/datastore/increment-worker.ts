// A separate process for the concurrency test: opens the datastore described by argv[2] (a JSON
// DatastoreConfig) and does argv[5] read-modify-write increments of spec.count on the object of kind argv[3]
// named argv[4]. Prints {"conflicts": n} when done; exits 1 with the error on failure.
import { openDatastore, withRetryOnConflict, type DatastoreConfig } from '../../src/datastore/index.ts';
import { isDatastoreError } from '../../src/datastore/types.ts';

async function main(): Promise<void> {
  const [cfgJson, kind, name, countStr] = process.argv.slice(2);
  if (!cfgJson || !kind || !name || !countStr) throw new Error('usage: increment-worker <config-json> <kind> <name> <count>');
  const ds = await openDatastore(JSON.parse(cfgJson) as DatastoreConfig);
  let conflicts = 0;
  try {
    for (let i = 0; i < Number(countStr); i++) {
      await withRetryOnConflict(async () => {
        const cur = await ds.get(kind, name);
        if (!cur) throw new Error(`${kind} ${name} vanished`);
        cur.spec = { ...cur.spec, count: (cur.spec?.count ?? 0) + 1 };
        try {
          return await ds.update(cur);
        } catch (err) {
          if (isDatastoreError(err, 'Conflict')) conflicts++;
          throw err;
        }
      }, 100_000);
    }
  } finally {
    await ds.close();
  }
  process.stdout.write(JSON.stringify({ conflicts }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`increment-worker: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

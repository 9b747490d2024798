// A separate process for the cross-process watch test: opens the datastore described by argv[2] (a JSON
// DatastoreConfig) and updates the object of kind argv[3] named argv[4] argv[5] times, argv[6] ms apart,
// stamping spec.seq and spec.sentAt (wall-clock ms with sub-ms precision, comparable across processes).
import { performance } from 'node:perf_hooks';
import { openDatastore, type DatastoreConfig } from '../../src/datastore/index.ts';

async function main(): Promise<void> {
  const [cfgJson, kind, name, countStr, gapStr] = process.argv.slice(2);
  if (!cfgJson || !kind || !name || !countStr || !gapStr) throw new Error('usage: write-worker <config-json> <kind> <name> <count> <gap-ms>');
  const ds = await openDatastore(JSON.parse(cfgJson) as DatastoreConfig);
  try {
    let cur = await ds.get(kind, name);
    if (!cur) throw new Error(`${kind} ${name} not found`);
    for (let seq = 1; seq <= Number(countStr); seq++) {
      await new Promise((r) => setTimeout(r, Number(gapStr)));
      cur.spec = { ...cur.spec, seq, sentAt: performance.timeOrigin + performance.now() };
      cur = await ds.update(cur);
    }
  } finally {
    await ds.close();
  }
}

main().catch((err) => {
  process.stderr.write(`write-worker: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

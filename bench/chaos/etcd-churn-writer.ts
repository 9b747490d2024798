// The datastore side of the "leader killed under churn" scenario (etcd-leader-churn.ts), run inside a lab node's
// namespace with the lab's datastore environment (ETCD_ENDPOINTS, ETCD_*_FILE):
//   write PREFIX   creates GlobalNetworkSets PREFIX-0, PREFIX-1, … one at a time until stdin closes, printing
//                  one JSON line per outcome: {"acked":name,"start":ms,"end":ms} or {"failed":name,…,"error":…}
//   verify PREFIX  prints {"present":[names…]}
//   cleanup PREFIX deletes them
// A write counts as acknowledged only once create() resolved: that is the promise the scenario checks.
import { openDatastore } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import { exitWhenFlushed } from '../../src/exit.ts';

// 100 writes/s at most: failover timed to 10 ms, and the agents (which watch these objects) are not what is tested.
const WRITE_EVERY_MS = 10;
const CLEANUP_IN_FLIGHT = 16;

function line(o: unknown): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function writeLoop(ds: Datastore, prefix: string): Promise<void> {
  let stop = false;
  process.stdin.on('end', () => { stop = true; }).on('close', () => { stop = true; }).resume();
  process.on('SIGTERM', () => { stop = true; });
  let lastStart = 0;
  for (let i = 0; !stop; i++) {
    const name = `${prefix}-${i}`;
    // At most one write per WRITE_EVERY_MS: a fast machine does not leave tens of thousands of objects for
    // verify and cleanup.
    const wait = lastStart + WRITE_EVERY_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const start = Date.now();
    lastStart = start;
    try {
      await ds.create({
        apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet',
        metadata: { name, labels: { 'tabby.chaos/run': prefix } }, spec: { nets: [`10.${(i >> 8) & 255}.${i & 255}.0/24`] },
      });
      line({ acked: name, start, end: Date.now() });
    } catch (e) {
      line({ failed: name, start, end: Date.now(), error: (e as Error).message });
      // The failure may be ambiguous (applied but not acknowledged): never reuse the name.
    }
  }
}

async function main(): Promise<void> {
  const [mode, prefix] = process.argv.slice(2);
  if (!mode || !prefix) throw new Error('usage: etcd-churn-writer.ts write|verify|cleanup PREFIX');
  const ds = await openDatastore();
  try {
    if (mode === 'write') {
      await writeLoop(ds, prefix);
    } else {
      const { items } = await ds.list('GlobalNetworkSet', { namePrefix: `${prefix}-` });
      if (mode === 'verify') line({ present: items.map((o) => o.metadata.name) });
      else if (mode === 'cleanup') {
        const names = items.map((o) => o.metadata.name);
        await Promise.all(Array.from({ length: CLEANUP_IN_FLIGHT }, async () => {
          for (let n = names.pop(); n !== undefined; n = names.pop()) await ds.delete('GlobalNetworkSet', n);
        }));
      }
      else throw new Error(`unknown mode ${mode}`);
    }
  } finally {
    await ds.close();
  }
}

main().then(() => exitWhenFlushed(0), (e: Error) => {
  process.stderr.write(`etcd-churn-writer: ${e.message}\n`);
  process.exit(1);
});

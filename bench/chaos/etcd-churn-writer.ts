// The datastore side of the "leader killed under churn" scenario (etcd-leader-churn.ts), run inside a lab node's
// namespace with the lab's datastore environment (ETCD_ENDPOINTS, ETCD_*_FILE):
//   write PREFIX   creates GlobalNetworkSets PREFIX-0, PREFIX-1, … one at a time until stdin closes, printing
//                  one JSON line per outcome: {"acked":name,"start":ms,"end":ms} or {"failed":name,…,"error":…}
//   verify PREFIX  prints {"present":[names…]}
//   cleanup PREFIX deletes them
// A write counts as acknowledged only once create() resolved: that is the promise the scenario checks.
import { openDatastore } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';

function line(o: unknown): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function writeLoop(ds: Datastore, prefix: string): Promise<void> {
  let stop = false;
  process.stdin.on('end', () => { stop = true; }).on('close', () => { stop = true; }).resume();
  process.on('SIGTERM', () => { stop = true; });
  for (let i = 0; !stop; i++) {
    const name = `${prefix}-${i}`;
    const start = Date.now();
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
      else if (mode === 'cleanup') for (const o of items) await ds.delete('GlobalNetworkSet', o.metadata.name);
      else throw new Error(`unknown mode ${mode}`);
    }
  } finally {
    await ds.close();
  }
}

main().then(() => process.exit(0), (e: Error) => {
  process.stderr.write(`etcd-churn-writer: ${e.message}\n`);
  process.exit(1);
});

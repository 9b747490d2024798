// A writer for the "embedded writers killed" scenario: creates Profiles named <tag>-<seq> in the embedded
// datastore at argv[2], and after each create has returned (the write is acknowledged) prints "ACK <name>" on
// stdout. Also bumps a shared counter object with compare-and-swap, so writers contend for the same row.
// Runs until it is killed. stdout is a pipe, which Node writes synchronously on Linux: a line printed is a
// line the parent can read, even when SIGKILL follows at once.
import { openDatastore } from '../../src/datastore/index.ts';
import { API_VERSION } from '../../src/api/resource.ts';

const [path, tag] = process.argv.slice(2);
if (!path || !tag) { process.stderr.write('usage: ack-writer.ts <datastore file> <tag>\n'); process.exit(2); }
const ds = await openDatastore({ type: 'embedded', path });
for (let seq = 1; ; seq++) {
  const name = `${tag}-${seq}`;
  await ds.create({ apiVersion: API_VERSION, kind: 'Profile', metadata: { name }, spec: { labelsToApply: { writer: tag, seq: String(seq) } } });
  process.stdout.write(`ACK ${name}\n`);
  if (seq % 5 === 0) {
    for (;;) {
      const cur = await ds.get('Profile', 'shared-counter');
      if (!cur) break;
      const n = Number((cur.spec as { labelsToApply: Record<string, string> }).labelsToApply.n) + 1;
      try {
        await ds.update({ ...cur, spec: { labelsToApply: { n: String(n) } } });
        process.stdout.write(`COUNT ${n}\n`);
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'Conflict') throw e;
      }
    }
  }
}

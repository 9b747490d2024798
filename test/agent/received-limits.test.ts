// Issue #15 item 3 (the agent half): what another writer stored, bypassing our validation, is refused by
// the agent before its calculation sees it: a value over the size limit is not even decoded (the reader
// gets a stub that keeps the identity), too many labels or nets are refused, each with one log line and a
// counted reason, and the object is treated as missing (an earlier good version leaves the calculation).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EmbeddedDatastore } from '../../src/datastore/embedded.ts';
import { MAX_STORED_VALUE_BYTES, UNREADABLE_ANNOTATION, decodeStoredValue } from '../../src/datastore/stored-value.ts';
import { checkReceived } from '../../src/agent/received-limits.ts';
import { Syncer } from '../../src/agent/syncer.ts';
import { MAX_LABELS, MAX_NETS_PER_SET } from '../../src/api/validate.ts';
import type { Resource } from '../../src/api/resource.ts';
import { waitUntil } from '../helpers/wait.ts';

const root = mkdtempSync(join(tmpdir(), 'tabby-received-limits-'));
after(() => rmSync(root, { recursive: true, force: true }));

function gns(name: string, nets: string[], labels: Record<string, string> = {}): Resource {
  return { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name, labels }, spec: { nets } };
}
const manyNets = (n: number) => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
const manyLabels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
/** About `mb` MB of JSON: a GlobalNetworkSet no validated writer could have stored. */
const tenMegabytes = (mb: number) => gns('big', manyNets(Math.ceil((mb * 1e6) / 17)));

describe('checkReceived (pure)', () => {
  test('refuses too many labels (metadata and a Profile\'s labelsToApply), too many nets, non-string label values', () => {
    assert.equal(checkReceived(gns('a', ['10.0.0.0/8'], manyLabels(MAX_LABELS))), undefined);
    assert.equal(checkReceived(gns('a', ['10.0.0.0/8'], manyLabels(MAX_LABELS + 1)))?.reason, 'too-many-labels');
    const profile: Resource = { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'p' }, spec: { labelsToApply: manyLabels(MAX_LABELS + 1) } };
    assert.equal(checkReceived(profile)?.reason, 'too-many-labels');
    assert.equal(checkReceived(gns('a', manyNets(MAX_NETS_PER_SET))), undefined);
    assert.deepEqual(checkReceived(gns('a', manyNets(MAX_NETS_PER_SET + 1))),
      { reason: 'too-many-nets', detail: `spec.nets has ${MAX_NETS_PER_SET + 1} entries, over the limit of ${MAX_NETS_PER_SET}` });
    assert.equal(checkReceived(gns('a', [], { k: 5 } as unknown as Record<string, string>))?.reason, 'invalid-label');
  });

  test('decodeStoredValue: a value over the limit is not parsed; garbage and non-resources become stubs', () => {
    let asked = 0;
    const id = () => { asked++; return { kind: 'GlobalNetworkSet', name: 'big' }; };
    const huge = Buffer.alloc(MAX_STORED_VALUE_BYTES + 1, 0x7b); // '{{{{…': would not even parse
    const stub = decodeStoredValue(huge, id);
    assert.equal(stub.metadata.name, 'big');
    assert.match(stub.metadata.annotations![UNREADABLE_ANNOTATION]!, /^oversize: the stored value is \d+ bytes/);
    assert.equal(checkReceived(stub)?.reason, 'oversize');
    assert.match(decodeStoredValue('{not json', id).metadata.annotations![UNREADABLE_ANNOTATION]!, /^malformed/);
    assert.equal(checkReceived(decodeStoredValue('[1,2]', id))?.reason, 'malformed');
    assert.equal(asked, 3);
    const ok = decodeStoredValue(Buffer.from(JSON.stringify(gns('a', []))), id);
    assert.equal(ok.metadata.name, 'a');
    assert.equal(asked, 3, 'identity is only needed for a stub');
  });
});

describe('the agent\'s syncer refuses what is over the limits', () => {
  test('a 10 MB GlobalNetworkSet, too many labels, too many nets: refused, logged once, counted, treated as missing', async () => {
    const ds = new EmbeddedDatastore(join(root, 'ds.db'));
    const lines: any[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
    const rejected: string[] = [];
    // Another writer (the datastore API directly, no validation) stores what the CLI would refuse.
    await ds.create(gns('ok', ['10.0.0.0/8']));
    const big = await ds.create(tenMegabytes(10));
    const syncer = new Syncer(ds, log, { kinds: ['GlobalNetworkSet'], maxBackoffMs: 200 });
    syncer.on('rejected', (kind, reason) => rejected.push(`${kind}/${reason}`));
    syncer.start();
    try {
      assert.ok(await waitUntil(() => syncer.status === 'in-sync', { timeoutMs: 20_000 }));
      assert.deepEqual([...syncer.snapshot.items('GlobalNetworkSet')].map((r) => r.metadata.name), ['ok']);
      assert.deepEqual(rejected, ['GlobalNetworkSet/oversize']);
      assert.equal(lines.length, 1);
      assert.equal(lines[0].msg, 'datastore resource rejected; treating it as missing');
      assert.equal(lines[0].name, 'big');
      assert.equal(lines[0].resourceVersion, big.metadata.resourceVersion, 'the stub keeps the stored version');
      assert.match(lines[0].detail, /^oversize: the stored value is \d{8} bytes, over the \d+-byte limit$/);

      // A good object turned bad leaves the calculation (as Felix treats a failed validation: missing).
      const cur = syncer.snapshot.get('GlobalNetworkSet', 'ok')!;
      await ds.update({ ...cur, metadata: { ...cur.metadata, labels: manyLabels(MAX_LABELS + 1) } });
      await ds.create(gns('wide', manyNets(MAX_NETS_PER_SET + 1)));
      assert.ok(await waitUntil(() => rejected.length === 3, { timeoutMs: 10_000 }), JSON.stringify(rejected));
      assert.deepEqual(rejected.slice(1), ['GlobalNetworkSet/too-many-labels', 'GlobalNetworkSet/too-many-nets']);
      assert.equal(syncer.snapshot.size('GlobalNetworkSet'), 0);

      // Deleting the oversized object goes through (its stub carries the identity); nothing more is logged.
      await ds.delete('GlobalNetworkSet', 'big', undefined, big.metadata.resourceVersion);
      await ds.create(gns('after', ['192.168.0.0/16']));
      assert.ok(await waitUntil(() => syncer.snapshot.size('GlobalNetworkSet') === 1, { timeoutMs: 10_000 }));
      assert.equal(lines.length, 3, 'one line per refused object version');
      // A reader such as `tabby get` sees the stub, not 10 MB.
      const listed = await ds.create(tenMegabytes(3)).then(() => ds.list('GlobalNetworkSet'));
      const stub = listed.items.find((r) => r.metadata.name === 'big')!;
      assert.match(stub.metadata.annotations![UNREADABLE_ANNOTATION]!, /^oversize/);
      assert.equal(stub.spec, undefined);
    } finally {
      syncer.stop();
      await ds.close();
    }
  });
});

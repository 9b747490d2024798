// Choosing a datastore like calicoctl: flags > environment > config file > defaults; and the
// read-modify-write retry helper.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_EMBEDDED_PATH, openDatastore, resolveDatastoreConfig, withRetryOnConflict,
} from '../../src/datastore/index.ts';
import { DatastoreError, isDatastoreError } from '../../src/datastore/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'tabby-ds-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cfgFile(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const etcdFile = cfgFile('etcd.cfg', `apiVersion: projectcalico.org/v3
kind: CalicoAPIConfig
metadata: {}
spec:
  datastoreType: etcdv3
  etcdEndpoints: http://10.0.0.1:2379,10.0.0.2:2379
  etcdKeyFile: /etc/calico/key.pem
  etcdCertFile: /etc/calico/cert.pem
  etcdCACertFile: /etc/calico/ca.pem
`);
const embeddedFile = cfgFile('embedded.cfg', `apiVersion: projectcalico.org/v3
kind: CalicoAPIConfig
spec:
  datastoreType: embedded
  datastorePath: /srv/tabby/file.db
`);

const invalid = (pattern: RegExp) => (e: unknown) => isDatastoreError(e, 'Invalid') && pattern.test(e.message);

describe('resolveDatastoreConfig', () => {
  test('defaults to the embedded store at /var/lib/tabby/datastore.db', () => {
    assert.deepEqual(resolveDatastoreConfig({ configFile: cfgFile('empty.cfg', 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\n'), env: {} }),
      { type: 'embedded', path: DEFAULT_EMBEDDED_PATH });
    assert.equal(DEFAULT_EMBEDDED_PATH, '/var/lib/tabby/datastore.db');
  });

  test('reads a calicoctl-style CalicoAPIConfig file', () => {
    assert.deepEqual(resolveDatastoreConfig({ configFile: etcdFile, env: {} }), {
      type: 'etcdv3', etcdEndpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      etcdKeyFile: '/etc/calico/key.pem', etcdCertFile: '/etc/calico/cert.pem', etcdCACertFile: '/etc/calico/ca.pem',
    });
    assert.deepEqual(resolveDatastoreConfig({ configFile: embeddedFile, env: {} }), { type: 'embedded', path: '/srv/tabby/file.db' });
  });

  test('environment beats the config file, flags beat both', () => {
    const env = { DATASTORE_TYPE: 'embedded', TABBY_DATASTORE_PATH: '/tmp/env.db', ETCD_ENDPOINTS: 'http://127.0.0.9:2379' };
    assert.deepEqual(resolveDatastoreConfig({ configFile: etcdFile, env }), { type: 'embedded', path: '/tmp/env.db' });
    assert.deepEqual(resolveDatastoreConfig({ configFile: etcdFile, env: { ETCD_ENDPOINTS: 'http://127.0.0.9:2379' } }).etcdEndpoints, ['http://127.0.0.9:2379']);
    assert.deepEqual(resolveDatastoreConfig({ configFile: embeddedFile, env: { TABBY_DATASTORE_PATH: '/tmp/env.db' } }), { type: 'embedded', path: '/tmp/env.db' });
    const flagged = resolveDatastoreConfig({ configFile: etcdFile, env, overrides: { type: 'etcdv3', etcdEndpoints: ['http://127.0.0.7:2379'], etcdKeyPrefix: '/x' } });
    assert.equal(flagged.type, 'etcdv3');
    assert.deepEqual(flagged.etcdEndpoints, ['http://127.0.0.7:2379']);
    assert.equal(flagged.etcdKeyPrefix, '/x');
    assert.equal(flagged.etcdKeyFile, '/etc/calico/key.pem'); // settings no higher source gives still come from the file
    assert.deepEqual(resolveDatastoreConfig({ configFile: embeddedFile, env, overrides: { path: '/tmp/flag.db' } }), { type: 'embedded', path: '/tmp/flag.db' });
  });

  test('ETCD_ENDPOINTS alone selects etcdv3 (calicoctl users set only that); etcdv3 alone uses calicoctl\'s default endpoint', () => {
    const empty = cfgFile('empty2.cfg', 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec: {}\n');
    assert.deepEqual(resolveDatastoreConfig({ configFile: empty, env: { ETCD_ENDPOINTS: '127.0.0.1:2379' } }), { type: 'etcdv3', etcdEndpoints: ['http://127.0.0.1:2379'] });
    assert.deepEqual(resolveDatastoreConfig({ configFile: empty, env: { DATASTORE_TYPE: 'etcdv3' } }), { type: 'etcdv3', etcdEndpoints: ['http://127.0.0.1:2379'] });
  });

  test('bad values are errors that name the problem and where it came from', () => {
    assert.throws(() => resolveDatastoreConfig({ configFile: embeddedFile, env: { DATASTORE_TYPE: 'mysql' } }), invalid(/DATASTORE_TYPE.*"mysql"/));
    assert.throws(() => resolveDatastoreConfig({ configFile: embeddedFile, env: { DATASTORE_TYPE: 'kubernetes' } }), invalid(/kubernetes.*not supported/));
    assert.throws(() => resolveDatastoreConfig({ configFile: embeddedFile, env: { ETCD_ENDPOINTS: 'ftp://x:1' } }), invalid(/ETCD_ENDPOINTS.*http/));
    assert.throws(() => resolveDatastoreConfig({ configFile: embeddedFile, env: {}, overrides: { type: 'bogus' as 'etcdv3' } }), invalid(/flag.*"bogus"/));
  });

  test('an unreadable or malformed config file is an error naming the file', () => {
    assert.throws(() => resolveDatastoreConfig({ configFile: join(dir, 'missing.cfg'), env: {} }), invalid(/cannot read .*missing\.cfg/));
    const broken = cfgFile('broken.cfg', 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec: [unclosed\n');
    assert.throws(() => resolveDatastoreConfig({ configFile: broken, env: {} }), invalid(/malformed .*broken\.cfg/));
    const wrongKind = cfgFile('wrongkind.cfg', 'apiVersion: v1\nkind: calicoApiConfig\nspec:\n  datastoreType: etcdv3\n');
    assert.throws(() => resolveDatastoreConfig({ configFile: wrongKind, env: {} }), invalid(/wrongkind\.cfg.*CalicoAPIConfig/));
    const badType = cfgFile('badtype.cfg', 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: etcd\n');
    assert.throws(() => resolveDatastoreConfig({ configFile: badType, env: {} }), invalid(/badtype\.cfg spec\.datastoreType.*"etcd"/));
    const notMap = cfgFile('list.cfg', '- a\n- b\n');
    assert.throws(() => resolveDatastoreConfig({ configFile: notMap, env: {} }), invalid(/malformed .*list\.cfg/));
  });

  test('openDatastore opens what the environment selects', async () => {
    const path = join(dir, 'env-selected.db');
    const ds = await openDatastore(resolveDatastoreConfig({ configFile: embeddedFile, env: { TABBY_DATASTORE_PATH: path } }));
    try {
      assert.equal(ds.type, 'embedded');
      assert.equal(await ds.revision(), 0);
    } finally {
      await ds.close();
    }
  });
});

describe('withRetryOnConflict', () => {
  test('reruns the function while it loses a compare-and-swap', async () => {
    let calls = 0;
    const result = await withRetryOnConflict(async () => {
      if (++calls < 4) throw new DatastoreError('Conflict', 'lost');
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal(calls, 4);
  });

  test('gives up after the given attempts with the last Conflict', async () => {
    let calls = 0;
    await assert.rejects(withRetryOnConflict(async () => { calls++; throw new DatastoreError('Conflict', 'lost'); }, 5), (e: unknown) => isDatastoreError(e, 'Conflict'));
    assert.equal(calls, 5);
  });

  test('other errors pass straight through', async () => {
    let calls = 0;
    await assert.rejects(withRetryOnConflict(async () => { calls++; throw new DatastoreError('NotFound', 'gone'); }), (e: unknown) => isDatastoreError(e, 'NotFound'));
    assert.equal(calls, 1);
  });
});

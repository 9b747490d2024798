// BGPFilter and the BGPPeer fields that go with it, stored through the resource client on both
// datastores (embedded SQLite, and etcd when TABBY_TEST_ETCD_ENDPOINTS names one, as scripts/test.sh
// arranges), at Calico's etcd key (confd reads /calico/resources/v3/projectcalico.org/bgpfilters/<name>).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { ResourceClient } from '../../src/client/client.ts';
import { EmbeddedDatastore } from '../../src/datastore/embedded.ts';
import { EtcdDatastore } from '../../src/datastore/etcd.ts';
import { EtcdKeys } from '../../src/datastore/etcd-keys.ts';
import { kindInfo, resolveKind } from '../../src/api/kinds.ts';
import { ValidationError } from '../../src/api/validate.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import type { Resource } from '../../src/api/resource.ts';
import { testEtcd } from '../helpers/etcd.ts';

const V3 = 'projectcalico.org/v3';
const filter = (name: string, spec: unknown): Resource => ({ apiVersion: V3, kind: 'BGPFilter', metadata: { name }, spec } as Resource);
const SPEC = {
  exportV4: [{ cidr: '10.244.0.0/16', matchOperator: 'In', prefixLength: { min: 26 }, action: 'Accept' }, { action: 'Reject' }],
  importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Reject' }],
  importV6: [{ cidr: 'fd00::/8', matchOperator: 'NotIn', source: 'RemotePeers', action: 'Reject' }],
};

const root = mkdtempSync(join(tmpdir(), 'tabby-bgpfilter-'));
after(() => rmSync(root, { recursive: true, force: true }));
const { endpoints, skip: etcdSkip } = testEtcd();
const etcdPrefix = `/tabby-test-bgpf-${process.pid}-${randomBytes(3).toString('hex')}`;
after(async () => {
  if (etcdSkip) return;
  const raw = new Etcd3({ hosts: endpoints! });
  try { await raw.delete().prefix(etcdPrefix); } finally { raw.close(); }
});

const backends: { name: string; skip: string | false; open(): Datastore }[] = [
  { name: 'embedded', skip: false, open: () => new EmbeddedDatastore(join(root, `${randomBytes(4).toString('hex')}.db`)) },
  { name: 'etcdv3', skip: etcdSkip, open: () => new EtcdDatastore({ endpoints: endpoints!, keyPrefix: `${etcdPrefix}/${randomBytes(3).toString('hex')}` }) },
];

test('BGPFilter is a kind with calicoctl\'s names, at Calico\'s etcd key', () => {
  for (const alias of ['bgpfilter', 'bgpfilters', 'bgpf', 'bgpfs', 'bf', 'bfs', 'BGPFilter']) assert.equal(resolveKind(alias)?.kind, 'BGPFilter', alias);
  assert.equal(new EtcdKeys('').objectKey(kindInfo('BGPFilter')!, filter('no-default', {})), '/calico/resources/v3/projectcalico.org/bgpfilters/no-default');
});

for (const b of backends) {
  describe(`BGPFilter on the ${b.name} datastore`, { skip: b.skip }, () => {
    test('create, read back, list, update, delete; a BGPPeer names it with the fields that are now honoured', async () => {
      const ds = b.open();
      const client = new ResourceClient(ds);
      try {
        await client.create(filter('no-default', SPEC));
        const got = await client.get('BGPFilter', 'no-default');
        assert.deepEqual(got.spec, SPEC);
        assert.deepEqual((await client.list('BGPFilter')).map((f) => f.metadata.name), ['no-default']);
        await client.apply(filter('no-default', { importV4: [{ action: 'Reject' }] }));
        assert.deepEqual((await client.get('BGPFilter', 'no-default')).spec, { importV4: [{ action: 'Reject' }] });
        const peer = await client.create({ apiVersion: V3, kind: 'BGPPeer', metadata: { name: 'tor' },
          spec: { peerIP: '10.0.0.1', asNumber: 65001, filters: ['no-default'], numAllowedLocalASNumbers: 1, keepOriginalNextHop: true, maxRestartTime: '30s' } } as Resource);
        assert.deepEqual(peer.spec?.filters, ['no-default']);
        await client.delete('BGPFilter', 'no-default');
        assert.deepEqual(await client.list('BGPFilter'), []);
      } finally { await ds.close(); }
    });

    test('an invalid filter or an unsupported rule is refused with the field named, and nothing is stored', async () => {
      const ds = b.open();
      const client = new ResourceClient(ds);
      try {
        await assert.rejects(client.create(filter('bad', { exportV4: [{ cidr: 'fd00::/8', matchOperator: 'In', action: 'Accept' }] })),
          (e: unknown) => e instanceof ValidationError && /spec\.exportV4\[0\]\.cidr = 'fd00::\/8' \(must be an IPv4 CIDR/.test(e.message));
        await assert.rejects(client.create(filter('prio', { importV4: [{ priority: 512, action: 'Accept' }] })),
          (e: unknown) => /spec\.importV4\[0\]\.priority.*not supported by Tabby: route priorities/.test((e as Error).message));
        await assert.rejects(client.create({ apiVersion: V3, kind: 'BGPPeer', metadata: { name: 'gtsm' },
          spec: { peerIP: '10.0.0.1', asNumber: 65001, ttlSecurity: 1 } } as Resource),
          (e: unknown) => /spec\.ttlSecurity.*TTL security/.test((e as Error).message));
        assert.deepEqual(await client.list('BGPFilter'), []);
      } finally { await ds.close(); }
    });
  });
}

// Several etcd endpoints: which member a call goes to, moving on after a transport failure, never retrying
// a single endpoint or an answer, and a retried write that had been applied reported as done. The pool is
// tested with scripted failures; the datastore against the test etcd (TABBY_TEST_ETCD_ENDPOINTS) next to
// a "frozen member": a TCP listener that accepts and never answers, as a SIGSTOPped etcd does.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Etcd3, GRPCInvalidArgumentError, GRPCUnavailableError } from 'etcd3';
import { EtcdEndpointPool, isTransportFailure } from '../../src/datastore/etcd-endpoints.ts';
import { EtcdDatastore } from '../../src/datastore/etcd.ts';
import { isDatastoreError } from '../../src/datastore/types.ts';
import { testEtcd } from '../helpers/etcd.ts';
import { pool as ipPool } from './suite.ts';

const { endpoints, skip } = testEtcd();
const runPrefix = `/tabby-failover-${process.pid}-${randomBytes(3).toString('hex')}`;

after(async () => {
  if (skip) return;
  const raw = new Etcd3({ hosts: endpoints! });
  try { await raw.delete().prefix(runPrefix); } finally { raw.close(); }
});

const ENDPOINTS = ['http://10.255.0.1:2379', 'http://10.255.0.2:2379', 'http://10.255.0.3:2379'];

/** A pool whose calls are answered by `answer(endpoint index)` instead of etcd. */
function scripted(endpointCount: number, answer: (index: number) => unknown, budgetMs = 2000) {
  const pool = new EtcdEndpointPool({ endpoints: ENDPOINTS.slice(0, endpointCount), timeoutMs: 500, failoverBudgetMs: budgetMs });
  const asked: number[] = [];
  const call = () => pool.run(async (client) => {
    const index = [0, 1, 2].find((i) => i < endpointCount && pool.client(i) === client)!;
    asked.push(index);
    const a = answer(index);
    if (a instanceof Error) throw a;
    return a;
  });
  return { pool, asked, call };
}

describe('etcd endpoint pool', () => {
  test('a transport failure moves the call to the next member, which then stays preferred', async () => {
    const { asked, call } = scripted(3, (i) => (i === 0 ? new GRPCUnavailableError('connect ECONNREFUSED') : `ok from ${i}`));
    for (let k = 0; k < 6; k++) assert.match(String((await call()).value), /^ok from [12]$/);
    // endpoint 0 is asked at most once: after failing it is suspect and passed over
    assert.ok(asked.filter((i) => i === 0).length <= 1, `asked ${asked.join(',')}`);
  });

  test('the first attempt is on a random member; a retried call says so', async () => {
    const firsts = new Set<number>();
    for (let k = 0; k < 30; k++) {
      const { asked, call } = scripted(3, (i) => `ok ${i}`);
      assert.equal((await call()).retried, false);
      firsts.add(asked[0]!);
    }
    assert.ok(firsts.size >= 2, 'processes spread over the members');
    // A call that started on the failing member ends on the other and reports that it was retried.
    for (;;) {
      const { asked, call } = scripted(2, (i) => (i === 0 ? new GRPCUnavailableError('Connection dropped') : 'ok'));
      const r = await call();
      if (asked[0] !== 0) { assert.equal(r.retried, false); continue; }
      assert.deepEqual(asked, [0, 1]);
      assert.equal(r.retried, true);
      break;
    }
  });

  test('one endpoint is never retried: a dead etcd fails at once', async () => {
    const { asked, call } = scripted(1, () => new GRPCUnavailableError('connect ECONNREFUSED'));
    await assert.rejects(call(), GRPCUnavailableError);
    assert.deepEqual(asked, [0]);
  });

  test('answers are not retried (InvalidArgument, a TLS refusal)', async () => {
    for (const err of [new GRPCInvalidArgumentError('bad'), new GRPCUnavailableError('No connection established. Last error: SSL alert number 42 bad certificate')]) {
      const { asked, call } = scripted(3, () => err);
      await assert.rejects(call(), (e: unknown) => e === err);
      assert.equal(asked.length, 1);
    }
  });

  test('when every member fails, the call gives up once the failover budget is spent', async () => {
    const { asked, call } = scripted(3, () => new GRPCUnavailableError('etcdserver: no leader'), 1200);
    const t0 = Date.now();
    await assert.rejects(call(), /no leader/);
    const took = Date.now() - t0;
    assert.ok(took >= 1200 && took < 3000, `took ${took} ms`);
    assert.ok(asked.length >= 3, `asked ${asked.length} times`);
  });

  test('transport failures vs answers', () => {
    assert.ok(isTransportFailure(new GRPCUnavailableError('etcdserver: leader changed')));
    assert.ok(isTransportFailure(new Error('etcdserver: request timed out')));
    assert.ok(!isTransportFailure(new GRPCInvalidArgumentError('etcdserver: key is not provided')));
    assert.ok(!isTransportFailure(new GRPCUnavailableError('unable to verify the first certificate')));
  });
});

/** A listener that accepts connections and never answers: what clients see of a SIGSTOPped etcd. */
async function frozenMember(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(() => r())); },
  };
}

describe('etcd datastore with several endpoints', { skip }, () => {
  test('a frozen member costs at most one deadline; then every call goes to a live member', async () => {
    const frozen = await frozenMember();
    const ds = new EtcdDatastore({ endpoints: [frozen.url, endpoints![0]!], keyPrefix: `${runPrefix}/frozen`, timeoutMs: 1000 });
    try {
      const t0 = Date.now();
      for (let k = 0; k < 12; k++) await ds.revision();
      await ds.create(ipPool('p1'));
      assert.equal((await ds.get('IPPool', 'p1'))?.metadata.name, 'p1');
      const took = Date.now() - t0;
      assert.ok(took < 8000, `took ${took} ms`);
    } finally {
      await ds.close();
      await frozen.close();
    }
  });

  test('a write applied by a member that then failed us is reported as done, not AlreadyExists or Conflict', async () => {
    const ds = new EtcdDatastore({ endpoints: [endpoints![0]!, endpoints![0]!], keyPrefix: `${runPrefix}/ambiguous` });
    // Both "members" are the test etcd; the next txn is applied, then its answer is lost.
    const pool = (ds as unknown as { pool: EtcdEndpointPool }).pool;
    let dropNext = false;
    for (const i of [0, 1]) {
      const kv = pool.client(i).kv;
      const txn = kv.txn.bind(kv);
      kv.txn = async (req) => {
        const res = await txn(req);
        if (dropNext) { dropNext = false; throw new GRPCUnavailableError('Connection dropped'); }
        return res;
      };
    }
    try {
      dropNext = true;
      const created = await ds.create(ipPool('amb', '10.9.0.0/16'));
      assert.equal(dropNext, false, 'the answer was dropped (test precondition)');
      assert.equal((await ds.get('IPPool', 'amb'))?.metadata.resourceVersion, created.metadata.resourceVersion);
      dropNext = true;
      const updated = await ds.update({ ...created, spec: { ...created.spec, disabled: true } });
      assert.equal((await ds.get('IPPool', 'amb'))?.metadata.resourceVersion, updated.metadata.resourceVersion);
      dropNext = true;
      assert.equal((await ds.delete('IPPool', 'amb')).metadata.name, 'amb');
      assert.equal(await ds.get('IPPool', 'amb'), undefined);
      // A genuine clash is still one: someone else's object under the name.
      await ds.create(ipPool('taken'));
      await assert.rejects(ds.create(ipPool('taken')), (e: unknown) => isDatastoreError(e, 'AlreadyExists'));
    } finally {
      await ds.close();
    }
  });
});

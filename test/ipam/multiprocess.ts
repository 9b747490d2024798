// The multi-process scenario, shared by multiprocess-embedded.test.ts and multiprocess-etcd.test.ts (one file
// per backend keeps each file under the 3-minute budget). 8 processes, each the allocator of its own node,
// allocate 200 addresses each at the same time: no address twice, every address from a pool that is enabled and selects
// its node, from a block affine to that node; `tabby ipam check` finds nothing; releasing all leaves 0 in use.
import assert from 'node:assert/strict';
import { openDatastore, resolveDatastoreConfig } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import { checkIpam, loadSnapshot, lookupIP, usageRows, poolFromResource, ip4 } from '../../src/ipam/index.ts';
import { runTabby, runWorkers, type Backend } from './fixtures.ts';

const NODES = Array.from({ length: 8 }, (_, i) => `node-${i}`);
const PER_NODE = 200;

async function seed(ds: Datastore): Promise<void> {
  const pool = (name: string, spec: object) => ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name }, spec });
  await pool('rack-a', { cidr: '10.10.0.0/20', nodeSelector: 'rack == "a"' });
  await pool('rack-b', { cidr: '10.20.0.0/20', nodeSelector: 'rack == "b"' });
  await pool('disabled', { cidr: '10.30.0.0/16', disabled: true });
  await pool('tunnel-only', { cidr: '10.40.0.0/16', allowedUses: ['Tunnel'] });
  for (const [i, n] of NODES.entries()) {
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: n, labels: { rack: i < 4 ? 'a' : 'b' } }, spec: {} });
  }
}

export async function scenario(backend: Backend): Promise<void> {
  const ds = await openDatastore(resolveDatastoreConfig({ env: backend.env }));
  try {
    await seed(ds);
    const { results } = await runWorkers(backend.env, 'allocate', NODES, PER_NODE, true);
    const all = results.flatMap((r) => r.ips.map((ip) => ({ node: r.node, ip: ip.split('/')[0]! })));
    assert.equal(all.length, NODES.length * PER_NODE);
    assert.equal(new Set(all.map((a) => a.ip)).size, all.length, 'an address was handed out twice');

    const snap = await loadSnapshot(ds);
    const nodeLabels = new Map((await ds.list('Node')).items.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const pools = (await ds.list('IPPool')).items.map(poolFromResource);
    for (const { node, ip } of all) {
      const addr = ip4.parseIPv4(ip);
      const pool = pools.find((p) => ip4.cidr4ContainsIP(p.net, addr));
      assert.ok(pool, `${ip} outside every pool`);
      assert.ok(!pool.disabled && pool.allowedUses.includes('Workload'), `${ip} from pool ${pool.name}`);
      assert.ok(pool.nodeSelector.evaluate(nodeLabels.get(node)!), `${ip} of ${node} from pool ${pool.name} that does not select it`);
      const a = lookupIP(snap, ip);
      assert.equal(a?.attrs.node, node);
      assert.equal(a?.blockOwner, node, `${ip} of ${node} is in a block of ${a?.blockOwner}: borrowed though the pool has room`);
    }
    // 200 addresses need 4 /26 blocks per node; a node never holds more than it needs plus one lost race
    for (const n of NODES) {
      const owned = snap.blocks.filter((b) => b.affinity === `host:${n}`).length;
      assert.ok(owned >= 4 && owned <= 5, `${n} owns ${owned} blocks`);
    }

    const check = runTabby(backend.env, ['ipam', 'check']);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /Found 1600 workload IPs\./);
    assert.match(check.stdout, /Check complete; found 0 problems\./);
    const poolA = usageRows(await loadSnapshot(ds), false).find((r) => r.cidr === '10.10.0.0/20')!;
    assert.deepEqual([poolA.total, poolA.inUse, poolA.free], [4096, 800, 3296]);

    const rel = await runWorkers(backend.env, 'release', NODES, PER_NODE, true);
    assert.equal(rel.results.reduce((n, r) => n + r.released, 0), NODES.length * PER_NODE);
    const after = await loadSnapshot(ds);
    assert.equal(usageRows(after, false).reduce((n, r) => n + r.inUse, 0), 0);
    assert.equal(after.handles.length, 0);
    assert.equal(checkIpam(after).problems, 0, JSON.stringify(checkIpam(after)).slice(0, 2000));
  } finally {
    await ds.close();
  }
}


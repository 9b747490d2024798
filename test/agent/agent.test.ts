// The syncer and the whole agent loop in-process, on the in-memory datastore and the fake kernel (no root):
// start-up writes, in-sync gating, re-list after Compacted / Unavailable, datastore changes reaching the
// kernel, and start-up helpers (address detection, default pool from the environment).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { DatastoreError, type Datastore, type WatchEvent, type WatchOptions } from '../../src/datastore/types.ts';
import { Syncer } from '../../src/agent/syncer.ts';
import { Agent } from '../../src/agent/main.ts';
import { defaultPoolFromEnv, detectAddress } from '../../src/agent/startup.ts';
import { vtepMacForNode } from '../../src/agent/calc/vtep-mac.ts';
import { FakeKernel } from './fake-kernel.ts';
import { block, node, pool } from './fixtures.ts';

const log = pino({ level: 'silent' });
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** Delegates to a MemoryDatastore but fails the first `failWatches` watches with Compacted. */
class FlakyWatch extends MemoryDatastore {
  failWatches = 1;
  watches = 0;
  override watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError: (err: DatastoreError) => void) {
    this.watches++;
    if (this.failWatches > 0) {
      this.failWatches--;
      setTimeout(() => onError(new DatastoreError('Compacted', 'revision compacted')), 5);
      return { stop() {} };
    }
    return super.watch(opts, onEvent, onError);
  }
}

describe('Syncer', () => {
  test('lists, reports in-sync, follows the watch, and re-lists after Compacted (seeing changes made in the gap)', async () => {
    const ds = new FlakyWatch();
    await ds.create(pool('p', '10.244.0.0/16'));
    const s = new Syncer(ds, log);
    const statuses: string[] = [];
    s.on('status', (st) => statuses.push(st));
    s.start();
    await tick();
    await ds.create(node('n1', '10.0.0.1/24')); // lands while the first watch is dead
    await tick(300);
    assert.equal(s.resyncs, 2);
    assert.equal(s.status, 'in-sync');
    assert.equal(s.snapshot.size('Node'), 1, 'the re-list picked up the change made during the gap');
    await ds.create(node('n2', '10.0.0.2/24'));
    await tick();
    assert.equal(s.snapshot.size('Node'), 2, 'the new watch delivers');
    assert.deepEqual(statuses, ['resync', 'in-sync', 'resync', 'in-sync']);
    s.stop();
  });

  test('an unreachable datastore is retried until it answers', async () => {
    const ds = new MemoryDatastore();
    ds.down = true;
    const s = new Syncer(ds, log, { maxBackoffMs: 50 });
    s.start();
    await tick(100);
    assert.equal(s.status, 'resync');
    assert.match(s.lastError ?? '', /unavailable/);
    ds.down = false;
    await tick(200);
    assert.equal(s.status, 'in-sync');
    s.stop();
  });
});

describe('start-up helpers', () => {
  test('address detection methods', async () => {
    const k = new FakeKernel();
    k.addLink('lo'); k.links.get('lo')!.addrs = ['127.0.0.1/8'];
    k.addLink('docker0'); k.links.get('docker0')!.addrs = ['172.17.0.1/16'];
    k.addLink('eth0'); k.links.get('eth0')!.addrs = ['10.0.1.11/24'];
    k.addLink('eth1'); k.links.get('eth1')!.addrs = ['192.168.5.3/24'];
    assert.equal((await detectAddress(k)).cidr, '10.0.1.11/24');
    assert.equal((await detectAddress(k, 'interface=eth1')).cidr, '192.168.5.3/24');
    assert.equal((await detectAddress(k, 'skip-interface=eth0')).cidr, '192.168.5.3/24');
    assert.deepEqual(await detectAddress(k, 'cidr=192.168.0.0/16'), { cidr: '192.168.5.3/24', ip: '192.168.5.3', iface: 'eth1' });
    await assert.rejects(detectAddress(k, 'cidr=10.9.0.0/16'), /no IPv4 address found/);
    await assert.rejects(detectAddress(k, 'bogus'), /unknown IP_AUTODETECTION_METHOD "bogus"/);
    await assert.rejects(detectAddress(k, 'interface=('), /not a valid regular expression/);
  });

  test('default pool from CALICO_IPV4POOL_* settings, with clear errors', () => {
    const d = defaultPoolFromEnv({});
    assert.deepEqual(d.spec, { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Always', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'] });
    const v = defaultPoolFromEnv({ CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'crosssubnet', CALICO_IPV4POOL_NAT_OUTGOING: 'false', CALICO_IPV4POOL_BLOCK_SIZE: '24' });
    assert.deepEqual([v.spec.ipipMode, v.spec.vxlanMode, v.spec.natOutgoing, v.spec.blockSize], ['Never', 'CrossSubnet', false, 24]);
    assert.throws(() => defaultPoolFromEnv({ CALICO_IPV4POOL_IPIP: 'Always', CALICO_IPV4POOL_VXLAN: 'Always' }), /cannot both be enabled/);
    assert.throws(() => defaultPoolFromEnv({ CALICO_IPV4POOL_VXLAN: 'sometimes' }), /CALICO_IPV4POOL_VXLAN="sometimes"/);
    assert.throws(() => defaultPoolFromEnv({ CALICO_IPV4POOL_CIDR: '10.244.0.1/16' }), /host bits set/);
  });
});

describe('Agent loop (in-process, fake kernel)', () => {
  test('start-up, first apply, and a remote node appearing later', async () => {
    const ds: Datastore = new MemoryDatastore();
    const k = new FakeKernel();
    k.addLink('lo'); k.addLink('eth0'); k.links.get('eth0')!.addrs = ['10.0.1.11/24'];
    const stateDir = mkdtempSync(join(tmpdir(), 'tabby-agent-unit-'));
    const agent = new Agent({
      ds, nodeName: 'node-a', log, kernel: k, stateDir, backend: 'vxlan', healthPort: 0, metricsPort: 0, foreignNetns: true,
      env: { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'Always' },
    });
    try {
      await agent.start();
      await agent.waitForApply();
      const me = await ds.get('Node', 'node-a');
      assert.equal(me?.spec.bgp.ipv4Address, '10.0.1.11/24');
      assert.equal(me?.spec.vxlanTunnelMACAddr, vtepMacForNode('node-a'));
      assert.equal((await ds.get('ClusterInformation', 'default'))?.spec.datastoreReady, true);
      assert.equal(readFileSync(join(stateDir, 'nodename'), 'utf8'), 'node-a');
      assert.equal(readFileSync(join(stateDir, 'mtu'), 'utf8'), '1450\n');
      assert.ok(k.links.has('vxlan.calico'));
      assert.deepEqual(k.links.get('vxlan.calico')!.addrs, [`${me!.spec.ipv4VXLANTunnelAddr}/32`]);
      assert.match(k.nftTables.get('last') ?? '', /masquerade/);
      assert.equal(k.sysctls.get('net.ipv4.ip_forward'), undefined, 'absent keys are not created');
      assert.equal(agent.status().ready, true);

      await ds.create(node('node-b', '10.0.1.12/24', { vxlan: '10.244.200.0' }));
      await ds.create(block('10.244.200.0/26', 'node-b'));
      await tick(50);
      await agent.waitForApply();
      assert.deepEqual(k.routes.get('10.244.200.0/26'), { dst: '10.244.200.0/26', type: 'unicast', dev: 'vxlan.calico', gateway: '10.244.200.0', onlink: true, scope: 'universe', proto: 80 });
      assert.deepEqual(k.neigh.get('vxlan.calico'), [{ ip: '10.244.200.0', mac: vtepMacForNode('node-b'), permanent: true }]);
      assert.deepEqual(k.fdb.get('vxlan.calico'), [{ mac: vtepMacForNode('node-b'), dst: '10.0.1.12' }]);

      await ds.delete('Node', 'node-b');
      await tick(50);
      await agent.waitForApply();
      assert.equal(k.routes.has('10.244.200.0/26'), false);
      assert.deepEqual(k.fdb.get('vxlan.calico'), []);
    } finally {
      await agent.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('tabby node run flags', () => {
  test('bad flags are usage errors naming the problem', async () => {
    const { main } = await import('../../src/ctl/main.ts');
    const errs: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (s: string) => { errs.push(String(s)); return true; };
    try {
      assert.equal(await main(['node', 'run', '--backend', 'calico']), 2);
      assert.equal(await main(['node', 'run', '--metrics-port', '70000']), 2);
      assert.equal(await main(['node', 'run', '--resync-interval', '0']), 2);
    } finally { (process.stderr as any).write = orig; }
    assert.match(errs.join(''), /unknown networking backend "calico" \(want bird, vxlan or none\)/);
    assert.match(errs.join(''), /--metrics-port must be a port number 0-65535/);
    assert.match(errs.join(''), /--resync-interval must be a positive number of seconds/);
  });
});

// The manager's sync logic with a fake nft: full first, incremental after, full again when an incremental
// transaction fails, nothing when nothing changed, conntrack cleanup for removed endpoints. No root needed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createLogger } from '../../src/log.ts';
import { asDataplaneManager, createPolicyManager, POLICY_KINDS, snapshotFromStore } from '../../src/policy/manager.ts';
import { Snapshot } from '../../src/agent/calc/snapshot.ts';
import { emptySnapshot, type PolicySnapshot } from '../../src/policy/model.ts';

function fakeNft() {
  const transactions: string[] = [];
  const conntrack: string[][] = [];
  let failNext = false;
  let listing: string | undefined;
  return {
    transactions, conntrack,
    failNextTransaction() { failNext = true; },
    setListing(json: string | undefined) { listing = json; },
    run: async (args: string[]) => {
      if (args[0] === '-f') {
        const text = readFileSync(args[1]!, 'utf8');
        if (failNext) { failNext = false; throw new Error('nft -f failed: Error: Could not process rule: No such file or directory'); }
        transactions.push(text);
        return '';
      }
      if (args[0] === '-j' && args[1] === 'list') {
        if (listing === undefined) throw new Error('Error: No such file or directory; did you mean table ...');
        return listing;
      }
      throw new Error(`unexpected nft ${args.join(' ')}`);
    },
    runConntrack: async (args: string[]) => {
      conntrack.push(args);
      if (args[0] === '-L') return 'udp      17 29 src=10.0.0.2 dst=10.0.0.9 sport=1 dport=2 [UNREPLIED] src=10.0.0.9 dst=10.0.0.2 sport=2 dport=1 mark=0 use=1\n';
      throw new Error('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.');
    },
  };
}

function world(pods: number): PolicySnapshot {
  const s = emptySnapshot();
  for (let i = 1; i <= pods; i++) {
    s.workloadEndpoints.push({
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: `w${i}`, namespace: 'x', labels: { app: 'a' } },
      spec: { node: 'n1', interfaceName: `cali0000000000${i}`, ipNetworks: [`10.0.0.${i}/32`] },
    });
  }
  s.networkPolicies.push({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: "app == 'a'" } }] } });
  return s;
}

const log = createLogger('policy-test', { level: 'silent' });

describe('PolicyManager', () => {
  test('full first, then incremental, nothing when unchanged, full again after a failed transaction', async () => {
    const nft = fakeNft();
    const pm = createPolicyManager({ nodeName: 'n1', log, run: nft.run, runConntrack: nft.runConntrack });
    assert.equal((await pm.apply()).mode, 'none', 'no snapshot yet: no kernel writes');
    pm.update(world(2));
    assert.equal((await pm.apply()).mode, 'full');
    assert.match(nft.transactions[0]!, /^add table inet tabby\ndelete table inet tabby\n/);
    pm.update(world(3));
    assert.equal((await pm.apply()).mode, 'incremental');
    assert.match(nft.transactions[1]!, /add element inet tabby cali40s-[0-9a-f]+ \{ 10\.0\.0\.3 \}/);
    assert.doesNotMatch(nft.transactions[1]!, /delete table/);
    pm.update(world(3));
    assert.equal((await pm.apply()).mode, 'none');
    nft.failNextTransaction();
    pm.update(world(1));
    assert.equal((await pm.apply()).mode, 'full', 'fell back to a full rewrite');
    assert.match(nft.transactions.at(-1)!, /^add table inet tabby\ndelete table inet tabby\n/);
    assert.deepEqual(nft.conntrack.map((a) => a.join(' ')).sort(), ['-D -d 10.0.0.2', '-D -s 10.0.0.2', '-L'],
      'flows of removed endpoints are deleted (only 10.0.0.2 had any)');
  });

  test('a failed full write is retried by the next apply', async () => {
    const nft = fakeNft();
    const pm = createPolicyManager({ nodeName: 'n1', log, run: nft.run, runConntrack: nft.runConntrack });
    pm.update(world(2));
    nft.failNextTransaction();
    await assert.rejects(pm.apply(), /nft -f failed/);
    assert.equal(pm.applied, undefined);
    assert.equal((await pm.apply()).mode, 'full', 'retried without a new update()');
    assert.equal(nft.transactions.length, 1);
  });

  test('resync rewrites the table when the kernel differs, and leaves it alone when it matches', async () => {
    const nft = fakeNft();
    const pm = createPolicyManager({ nodeName: 'n1', log, run: nft.run, runConntrack: nft.runConntrack });
    pm.update(world(1));
    await pm.apply();
    nft.setListing(undefined);
    assert.equal(await pm.resync(), 'table missing');
    assert.equal(nft.transactions.length, 2);
    // A listing that matches the model exactly.
    const rs = pm.applied!;
    const objs: unknown[] = [{ table: { family: 'inet', name: 'tabby' } }];
    for (const c of rs.chains.values()) {
      objs.push({ chain: { name: c.name } });
      for (let i = 0; i < c.rules.length; i++) objs.push({ rule: { chain: c.name, expr: [] } });
    }
    for (const s of rs.sets.values()) objs.push({ set: { name: s.name, elem: [...s.elements] } });
    for (const m of rs.maps.values()) objs.push({ map: { name: m.name, elem: [...m.elements.keys()] } });
    nft.setListing(JSON.stringify({ nftables: objs }));
    assert.equal(await pm.resync(), undefined);
    assert.equal(nft.transactions.length, 2, 'no rewrite when nothing drifted');
    objs.pop();
    nft.setListing(JSON.stringify({ nftables: objs }));
    assert.match(String(await pm.resync()), /map .* missing/);
    assert.equal(nft.transactions.length, 3);
  });

  test('the agent adapter reads a kind-indexed store and skips unchanged versions', async () => {
    const nft = fakeNft();
    const pm = createPolicyManager({ nodeName: 'n1', log, run: nft.run, runConntrack: nft.runConntrack });
    const w = world(2);
    const byKind: Record<string, unknown[]> = { WorkloadEndpoint: w.workloadEndpoints, NetworkPolicy: w.networkPolicies };
    const store = { version: 1, items: (k: string) => (byKind[k] ?? []) as any[] };
    assert.equal(snapshotFromStore(store).workloadEndpoints.length, 2);
    const dm = asDataplaneManager(pm);
    dm.onUpdate(undefined, store);
    await dm.apply();
    assert.equal(nft.transactions.length, 1);
    dm.onUpdate(undefined, store);
    await dm.apply();
    assert.equal(nft.transactions.length, 1, 'same version: nothing to do');
  });

  test('the agent adapter with the agent\'s Snapshot: changes of kinds policy does not read cost no recalculation', async () => {
    const nft = fakeNft();
    const pm = createPolicyManager({ nodeName: 'n1', log, run: nft.run, runConntrack: nft.runConntrack });
    let updates = 0;
    const counting = { ...pm, update: (snap: PolicySnapshot) => { updates++; pm.update(snap); }, apply: () => pm.apply(), resync: () => pm.resync() };
    const store = new Snapshot([...new Set([...POLICY_KINDS, 'IPAMBlock', 'BlockAffinity'])]);
    for (const r of world(2).workloadEndpoints) store.set(r);
    const dm = asDataplaneManager(counting as typeof pm);
    dm.onUpdate(undefined, store);
    await dm.apply();
    assert.equal(updates, 1);
    // An IPAM block's allocations change with every pod anywhere: not policy's business.
    store.set({ apiVersion: 'projectcalico.org/v3', kind: 'IPAMBlock', metadata: { name: '10-0-0-0-26', resourceVersion: '7' }, spec: { cidr: '10.0.0.0/26' } });
    dm.onUpdate(undefined, store);
    await dm.apply();
    assert.equal(updates, 1, 'an IPAMBlock change does not rebuild the policy snapshot');
    const moved = structuredClone(world(3).workloadEndpoints[2]!);
    moved.metadata.resourceVersion = '8';
    store.set(moved);
    dm.onUpdate(undefined, store);
    await dm.apply();
    assert.equal(updates, 2, 'a WorkloadEndpoint change does');
    store.delete(moved);
    dm.onUpdate(undefined, store);
    assert.equal(updates, 3, 'and so does a deletion');
  });

  test('host endpoints: interfaces are read only while the node has one, and a change in them is picked up at resync', async () => {
    const nft = fakeNft();
    let ipCalls = 0;
    let addrs = [{ ifname: 'lo', addr_info: [{ local: '127.0.0.1' }] }, { ifname: 'eth0', addr_info: [{ local: '192.0.2.1' }] }];
    const runIp = async (args: string[]) => { ipCalls++; assert.deepEqual(args, ['-j', 'addr', 'show']); return JSON.stringify(addrs); };
    const pm = createPolicyManager({ nodeName: 'n1', log, run: nft.run, runConntrack: nft.runConntrack, runIp });
    pm.update(world(1));
    await pm.apply();
    assert.equal(ipCalls, 0, 'no HostEndpoint on this node: no interface listing');
    const snap = world(1);
    snap.hostEndpoints = [{ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'by-ip', labels: {} }, spec: { node: 'n1', expectedIPs: ['198.51.100.7'] } }];
    pm.update(snap);
    await pm.apply();
    assert.equal(ipCalls, 1);
    assert.ok(!pm.applied!.chains.has('cali-fh-eth1'), 'no interface has the expected address yet');
    // The address appears on eth1 (no datastore event): the periodic resync notices and recalculates.
    addrs = [...addrs, { ifname: 'eth1', addr_info: [{ local: '198.51.100.7' }] }];
    assert.equal(await pm.resync(), 'host interfaces changed');
    assert.ok(pm.applied!.chains.has('cali-fh-eth1'));
    assert.deepEqual(pm.applied!.chains.get('cali-from-host-endpoint')!.rules, ['iifname "eth1" goto cali-fh-eth1']);
  });
});

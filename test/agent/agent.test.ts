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
import { Agent, type AgentOptions } from '../../src/agent/main.ts';
import { defaultPoolFromEnv, detectAddress } from '../../src/agent/startup.ts';
import { vtepMacForNode } from '../../src/agent/calc/vtep-mac.ts';
import { ManualClock, settle } from '../helpers/clock.ts';
import { jittered } from '../../src/clock.ts';
import { FakeKernel } from './fake-kernel.ts';
import { block, node, pool, wep } from './fixtures.ts';
import { checkIpam, createIpam, loadSnapshot, lookupIP, type IPAMBlockSpec } from '../../src/ipam/index.ts';
import { CNI_SOCKET_NAME, requestFor } from '../../src/cni/agent-client.ts';
import { askAgent, fileIdentity } from '../../src/cni/agent-exchange-node.ts';
import { runPlugin } from '../../src/cni/plugin.ts';
import { FakeDataplane } from '../cni/fakes.ts';
import { Command } from 'commander';
import { setCtlOverrides } from '../../src/ctl/context.ts';
import { registerIpamCommands } from '../../src/ctl/ipam.ts';

const log = pino({ level: 'silent' });
/** Delegates to a MemoryDatastore; `breakWatch()` ends the current watch with an error, as a compaction would. */
class BreakableWatch extends MemoryDatastore {
  watches = 0;
  private endCurrent: ((err: DatastoreError) => void) | undefined;
  override watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError: (err: DatastoreError) => void) {
    this.watches++;
    const w = super.watch(opts, onEvent, onError);
    let ended = false;
    this.endCurrent = (err) => { if (!ended) { ended = true; w.stop(); onError(err); } };
    return { stop() { ended = true; w.stop(); } };
  }
  breakWatch(code: 'Compacted' | 'Unavailable'): void { this.endCurrent?.(new DatastoreError(code, `watch ended: ${code}`)); }
}

describe('Syncer', () => {
  test('lists, reports in-sync, follows the watch, and re-lists after Compacted (seeing changes made in the gap)', async () => {
    const ds = new BreakableWatch();
    const clock = new ManualClock();
    await ds.create(pool('p', '10.244.0.0/16'));
    const s = new Syncer(ds, log, { clock });
    const statuses: string[] = [];
    s.on('status', (st) => statuses.push(st));
    s.start();
    await settle();
    assert.equal(s.status, 'in-sync');
    ds.breakWatch('Compacted');
    assert.equal(s.status, 'resync');
    await ds.create(node('n1', '10.0.0.1/24')); // lands while no watch runs
    await settle();
    assert.equal(s.snapshot.size('Node'), 0, 'nothing delivers while the watch is dead');
    await clock.tick(1); // Compacted: re-list at once (the next timer turn)
    assert.equal(s.resyncs, 2);
    assert.equal(s.status, 'in-sync');
    assert.equal(s.snapshot.size('Node'), 1, 'the re-list picked up the change made during the gap');
    await ds.create(node('n2', '10.0.0.2/24'));
    await settle();
    assert.equal(s.snapshot.size('Node'), 2, 'the new watch delivers');
    assert.deepEqual(statuses, ['resync', 'in-sync', 'resync', 'in-sync']);
    assert.equal(ds.watches, 2);
    s.stop();
    assert.equal(clock.pending, 0, 'stop leaves no timer behind');
  });

  test('each change names its kind; the BGP source wakes only for BGP\'s kinds; versionOf follows only the kinds asked', async () => {
    const ds = new MemoryDatastore();
    const s = new Syncer(ds, log, { kinds: ['Node', 'IPAMBlock', 'WorkloadEndpoint', 'BGPPeer'] });
    const kinds: (string | undefined)[] = [];
    const changes: { old?: string | undefined; now?: string | undefined }[] = [];
    s.on('changed', (k, c) => { kinds.push(k); if (c) changes.push({ old: c.old?.metadata.resourceVersion, now: c.now?.metadata.resourceVersion }); });
    let bgpWakes = 0;
    const unsubscribe = s.asSource().subscribe(() => { bgpWakes++; });
    s.start();
    await settle();
    assert.deepEqual(kinds, [undefined], 'after the list: one change with no kind (anything may have changed)');
    assert.equal(bgpWakes, 1);
    const before = s.snapshot.versionOf(['Node', 'IPAMBlock']);
    await ds.create(wep('default', 'p1', 'n1', '10.244.0.5', 'cali1'));
    await settle();
    assert.deepEqual(kinds, [undefined, 'WorkloadEndpoint']);
    assert.equal(bgpWakes, 1, 'a workload endpoint does not wake BGP');
    assert.equal(s.snapshot.versionOf(['Node', 'IPAMBlock']), before, 'nor change the version of other kinds');
    await ds.create(block('10.244.0.0/26', 'n1'));
    await settle();
    assert.equal(bgpWakes, 2, 'an IPAM block does');
    assert.ok(s.snapshot.versionOf(['Node', 'IPAMBlock']) > before);
    const created = changes.at(-1)!;
    assert.equal(created.old, undefined, 'a new object has no old version');
    const b = s.snapshot.get('IPAMBlock', '10-244-0-0-26')!;
    await ds.update({ ...b, spec: { ...b.spec, unallocated: [] } });
    await settle();
    assert.deepEqual(changes.at(-1), { old: created.now, now: s.snapshot.get('IPAMBlock', '10-244-0-0-26')!.metadata.resourceVersion }, 'an update carries both versions');
    await ds.delete('IPAMBlock', '10-244-0-0-26');
    await settle();
    assert.equal(changes.at(-1)!.now, undefined, 'a deletion has no new version');
    assert.equal(bgpWakes, 4, 'the block\'s update and deletion woke it too');
    unsubscribe();
    await ds.create(node('n1', '10.0.0.1/24'));
    await settle();
    assert.equal(bgpWakes, 4, 'unsubscribed');
    s.stop();
  });

  test('an unreachable datastore is retried with doubling backoff up to the cap, until it answers', async () => {
    const ds = new MemoryDatastore();
    ds.down = true;
    const clock = new ManualClock();
    const s = new Syncer(ds, log, { maxBackoffMs: 1000, clock, random: () => 1 }); // jitter at its top: the full backoff
    s.start();
    await settle();
    assert.equal(s.status, 'resync');
    assert.match(s.lastError ?? '', /unavailable/);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const next = clock.nextDue()!;
      waits.push(next);
      await clock.tick(next - 1);
      assert.equal(s.resyncs, i + 1, `no re-list before the ${next} ms backoff is over`);
      await clock.tick(1);
      assert.equal(s.resyncs, i + 2);
    }
    assert.deepEqual(waits, [200, 400, 800, 1000, 1000]);
    ds.down = false;
    await clock.tick(clock.nextDue()!);
    assert.equal(s.status, 'in-sync');
    s.stop();
  });

  test('a watch ending with Unavailable re-lists after the backoff, which a successful list resets', async () => {
    const ds = new BreakableWatch();
    const clock = new ManualClock();
    const s = new Syncer(ds, log, { clock, random: () => 1 });
    s.start();
    await settle();
    for (let round = 0; round < 3; round++) {
      ds.breakWatch('Unavailable');
      assert.equal(clock.nextDue(), 200, 'backoff starts over after each successful list');
      await clock.tick(200);
      assert.equal(s.status, 'in-sync');
    }
    assert.equal(s.resyncs, 4);
    s.stop();
  });
});

describe('no thundering herd', () => {
  test('jittered(ms) lies in [ms/2, ms]', () => {
    assert.equal(jittered(1000, () => 0), 500);
    assert.equal(jittered(1000, () => 0.5), 750);
    assert.equal(jittered(1000, () => 0.999999), 1000);
  });

  test('50 nodes losing their watch at once re-list spread over half the backoff, not all at the same instant', async () => {
    let seed = 42;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; }; // a fixed sequence
    const nodes = Array.from({ length: 50 }, () => {
      const ds = new BreakableWatch();
      const clock = new ManualClock();
      return { ds, clock, s: new Syncer(ds, log, { clock, random }) };
    });
    for (const n of nodes) n.s.start();
    await settle();
    for (const n of nodes) n.ds.breakWatch('Unavailable');
    const due = nodes.map((n) => n.clock.nextDue()!);
    assert.ok(due.every((d) => d >= 100 && d <= 200), `every retry within [100, 200] ms: ${due.join(' ')}`);
    assert.ok(new Set(due).size >= 30, `spread over many instants: ${[...new Set(due)].length} distinct`);
    assert.ok(Math.max(...due) - Math.min(...due) >= 70, `over most of the window: ${Math.min(...due)}–${Math.max(...due)} ms`);
    for (const n of nodes) { await n.clock.tick(n.clock.nextDue()!); assert.equal(n.s.status, 'in-sync'); n.s.stop(); }
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

/** The value of a metric without labels from the agent's registry. */
async function metric(agent: Agent, name: string): Promise<number | undefined> {
  return (await agent.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
}

/**
 * The CNI socket's runner for the in-process agent: the real plugin (runPlugin: IPAM, endpoint, result) on the
 * agent's datastore, with a fake dataplane whose set-up waits until finish() — an ADD held in flight between
 * its IPAM allocation and its endpoint, as a slow veth set-up leaves it.
 */
function gatedRunner() {
  let ds: Datastore | undefined;
  let release!: () => void;
  const finished = new Promise<void>((r) => { release = r; });
  let reached!: (ip: string) => void;
  const reachedDataplane = new Promise<string>((r) => { reached = r; });
  const dataplane = new FakeDataplane();
  const setup = dataplane.setup.bind(dataplane);
  dataplane.setup = async (req, fault) => { reached(req.ips[0]!.split('/')[0]!); await finished; return setup(req, fault); };
  const runner = Object.assign(async (env: Record<string, string>, stdin: string) => {
    const out = await runPlugin(env, stdin, {
      openBackend: async () => ({ ds: ds!, ipam: createIpam(ds!), close: async () => {} }), dataplane, log: silentCniLog,
    });
    return { ...out, stderr: '' };
  }, { close: async () => {} });
  return {
    runner, reachedDataplane, finish: () => release(),
    bind: async (d: Datastore) => { ds = d; },
    env: (command: string, containerId: string, pod: string) => ({
      CNI_COMMAND: command, CNI_CONTAINERID: containerId, CNI_NETNS: '/proc/self/ns/net', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin',
      CNI_ARGS: `K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod}`,
    }),
    conf: (stateDir: string) => JSON.stringify({
      cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', nodename: 'node-a', state_dir: stateDir, ipam: { type: 'calico-ipam' },
    }),
  };
}

/** `tabby ipam check` on the datastore, as the CLI runs it: its output and exit code. */
async function tabbyIpamCheck(ds: Datastore): Promise<{ out: string; code: number }> {
  let out = '';
  const restore = setCtlOverrides({ datastore: ds, stdout: (s) => { out += s; }, stderr: () => {} });
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command('tabby').exitOverride();
    registerIpamCommands(program);
    await program.parseAsync(['ipam', 'check'], { from: 'user' });
    return { out, code: Number(process.exitCode ?? 0) };
  } finally { process.exitCode = saved; restore(); }
}

const silentCniLog = { debug() {}, info() {}, warn() {}, error() {}, bind() {} };

describe('Agent loop (in-process, fake kernel, manual clock)', () => {
  interface Rig { ds: Datastore; k: FakeKernel; clock: ManualClock; agent: Agent; stateDir: string; applied(): Promise<void> }

  async function withAgent(opts: Partial<AgentOptions>, body: (r: Rig) => Promise<void>): Promise<void> {
    const ds: Datastore = new MemoryDatastore();
    const k = new FakeKernel();
    k.addLink('lo'); k.addLink('eth0'); k.links.get('eth0')!.addrs = ['10.0.1.11/24'];
    const clock = new ManualClock();
    const stateDir = mkdtempSync(join(tmpdir(), 'tabby-agent-unit-'));
    const agent = new Agent({
      ds, nodeName: 'node-a', log, kernel: k, stateDir, backend: 'vxlan', healthPort: 0, metricsPort: 0, foreignNetns: true,
      env: { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'Always' }, clock, ...opts,
    });
    /** The next apply pass, driven by advancing the manual clock through the loop's throttle. */
    const applied = async () => {
      let done = false;
      const p = agent.waitForApply().then(() => { done = true; });
      for (let i = 0; i < 100 && !done; i++) await clock.tick(5);
      assert.ok(done, 'an apply pass ran');
      await p;
    };
    try {
      await agent.start();
      await settle();
      await applied();
      await body({ ds, k, clock, agent, stateDir, applied });
    } finally {
      await agent.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }

  test('start-up, first apply, and a remote node appearing later', async () => {
    await withAgent({}, async ({ ds, k, agent, stateDir, applied }) => {
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
      await applied();
      assert.deepEqual(k.routes.get('10.244.200.0/26'), { dst: '10.244.200.0/26', type: 'unicast', dev: 'vxlan.calico', gateway: '10.244.200.0', onlink: true, scope: 'universe', proto: 80 });
      assert.deepEqual(k.neigh.get('vxlan.calico'), [{ ip: '10.244.200.0', mac: vtepMacForNode('node-b'), permanent: true }]);
      assert.deepEqual(k.fdb.get('vxlan.calico'), [{ mac: vtepMacForNode('node-b'), dst: '10.0.1.12' }]);

      await ds.delete('Node', 'node-b');
      await applied();
      assert.equal(k.routes.has('10.244.200.0/26'), false);
      assert.deepEqual(k.fdb.get('vxlan.calico'), []);
    });
  });

  test('a failed apply is retried one second later, not before', async () => {
    await withAgent({}, async ({ ds, k, clock, agent, applied }) => {
      k.failNext.add('replaceRoute');
      await ds.create(node('node-b', '10.0.1.12/24', { vxlan: '10.244.200.0' }));
      await ds.create(block('10.244.200.0/26', 'node-b'));
      await applied();
      assert.equal(agent.status().needsRetry, true);
      assert.equal(k.routes.has('10.244.200.0/26'), false, 'the injected failure hit the route');
      await clock.tick(990);
      assert.equal(k.routes.has('10.244.200.0/26'), false, 'no retry before the 1 s delay');
      await clock.tick(20);
      assert.equal(k.routes.has('10.244.200.0/26'), true, 'retried after 1 s');
      assert.equal(agent.status().needsRetry, false);
    });
  });

  test('every resync interval the kernel is re-read and a route removed behind the agent\'s back comes back', async () => {
    await withAgent({ resyncIntervalMs: 60_000 }, async ({ ds, k, clock, agent, applied }) => {
      await ds.create(node('node-b', '10.0.1.12/24', { vxlan: '10.244.200.0' }));
      await ds.create(block('10.244.200.0/26', 'node-b'));
      await applied();
      const appliesBefore = agent.applies;
      k.routes.delete('10.244.200.0/26');
      await clock.tick(59_000);
      assert.equal(k.routes.has('10.244.200.0/26'), false, 'the agent trusts its cache between resyncs');
      assert.equal(agent.applies, appliesBefore, 'no apply without a reason');
      await clock.tick(7_100); // the interval plus up to a tenth more (Felix's jittered ticker)
      assert.equal(k.routes.has('10.244.200.0/26'), true, 'restored by the periodic resync');
      assert.equal(agent.applies, appliesBefore + 1);
    });
  });

  test('an unknown workload route is removed only once its grace period is over', async () => {
    await withAgent({ routeGraceMs: 10_000 }, async ({ k, clock, agent, applied }) => {
      // A pod's route whose WorkloadEndpoint the datastore does not (yet) have: the CNI plugin may be mid-ADD.
      k.addLink('cali0123456789a');
      k.routes.set('10.244.9.9/32', { dst: '10.244.9.9/32', type: 'unicast', dev: 'cali0123456789a', onlink: false, scope: 'link', proto: 3 });
      agent.requestResync();
      await applied();
      assert.ok(k.routes.has('10.244.9.9/32'), 'kept while in grace');
      await clock.tick(9_900);
      assert.ok(k.routes.has('10.244.9.9/32'), 'still in grace after 9.9 s');
      await clock.tick(200);
      assert.equal(k.routes.has('10.244.9.9/32'), false, 'deleted when the 10 s grace ended, without any other trigger');
    });
  });

  test('a leak injected on purpose is found by ipam check and released after the grace period; an ADD in flight keeps its address', async () => {
    const gate = gatedRunner();
    // finish() also on failure: the agent's stop waits for the ADD it serves.
    await withAgent({ ipamLeakGracePeriodMs: 10 * 60_000, cniRunner: gate.runner }, async (rig) => { try { await leakScenario(rig, gate); } finally { gate.finish(); } });
  });

  async function leakScenario({ ds, clock, agent, stateDir }: Rig, gate: ReturnType<typeof gatedRunner>): Promise<void> {
    await gate.bind(ds);
    // The leak: an allocation for this node whose pod has no endpoint and no ADD (a DEL that never came).
    const leaked = (await createIpam(ds).autoAssign({ handleId: 'k8s-pod-network.c0ffee', node: 'node-a', num4: 1, attrs: { node: 'node-a', namespace: 'default', pod: 'gone' } })).ips[0]!.split('/')[0]!;
    // A pod whose ADD runs now, served by the agent: allocated, its dataplane set-up not finished, no endpoint yet.
    const add = askAgent(join(stateDir, CNI_SOCKET_NAME), await requestFor(fileIdentity, gate.env('ADD', 'adding1', 'web-0'), gate.conf(stateDir)));
    const adding = await gate.reachedDataplane;
    const check = checkIpam(await loadSnapshot(ds));
    assert.deepEqual(check.allocatedNotInUse.map((a) => a.ip).sort(), [adding, leaked].sort(), 'ipam check reports both as allocated and unused');
    const cli = await tabbyIpamCheck(ds);
    assert.equal(cli.code, 1);
    assert.match(cli.out, new RegExp(`^  ${leaked.replace(/\./g, '\\.')} leaked; attrs .*"handle":"k8s-pod-network\\.c0ffee"`, 'm'));
    assert.match(cli.out, /Found 2 IPs that are allocated in IPAM but not actually in use\./);
    const tunnel = (await ds.get('Node', 'node-a'))!.spec.ipv4VXLANTunnelAddr;

    await clock.tick(5 * 60_000); // first pass (every half of the 10-minute grace period): the leak becomes a candidate
    assert.equal(await metric(agent, 'tabby_ipam_leak_candidates'), 1, 'the in-flight ADD is not a candidate');
    await clock.tick(10 * 60_000); // two more passes: a candidate for 5, then 10 minutes, not more than the grace period
    assert.ok(lookupIP(await loadSnapshot(ds), leaked), 'kept until the grace period is over');
    await clock.tick(5 * 60_000); // a candidate for 15 minutes: released
    const snap = await loadSnapshot(ds);
    assert.equal(lookupIP(snap, leaked), undefined, 'the leak is released');
    assert.ok(lookupIP(snap, adding), 'the ADD in flight keeps its address');
    assert.ok(lookupIP(snap, tunnel), 'the tunnel address is never touched');
    assert.equal(await ds.get('IPAMHandle', 'k8s-pod-network.c0ffee'), undefined);
    assert.equal(await metric(agent, 'tabby_ipam_leaks_released_total'), 1);

    gate.finish(); // the ADD completes: its endpoint is written, and its address stays through later passes
    const reply = await add;
    assert.ok('served' in reply && reply.served.exitCode === 0, JSON.stringify(reply));
    await clock.tick(30 * 60_000);
    assert.ok(lookupIP(await loadSnapshot(ds), adding));
    const after = checkIpam(await loadSnapshot(ds));
    assert.equal(after.allocatedNotInUse.length, 0, 'ipam check finds no leak left');
    assert.equal(await metric(agent, 'tabby_ipam_leak_candidates'), 0);
  }

  test('an emptied IPAM block of the node is released once empty for longer than the leak grace period', async () => {
    await withAgent({ ipamLeakGracePeriodMs: 10 * 60_000 }, async ({ ds, clock }) => {
      const ipam = createIpam(ds);
      await ipam.autoAssign({ handleId: 'pods', node: 'node-a', num4: 64 }); // beyond the tunnel address's block
      const mine = async () => (await ds.list('IPAMBlock')).items.filter((b) => (b.spec as IPAMBlockSpec).affinity === 'host:node-a').length;
      assert.equal(await mine(), 2);
      await ipam.releaseByHandle('pods');
      await clock.tick(5 * 60_000); // first sync (every half grace period): the empty block is noticed
      await clock.tick(10 * 60_000); // two more syncs: empty for half, then exactly, the grace period: kept
      assert.equal(await mine(), 2);
      await clock.tick(5 * 60_000); // the next sync sees it empty for longer than the grace period
      assert.equal(await mine(), 1, 'released; the block holding the tunnel address stays');
    });
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

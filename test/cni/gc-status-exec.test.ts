// CNI 1.1.0 GC and STATUS through the executables, as containerd 2 calls them, through both entries (Node's
// bundle, and the compiled one, which hands every verb but ADD/DEL/CHECK/VERSION to the Node plugin), on the
// embedded datastore. A stale attachment's pod netns is deleted first, as a runtime leaves it. Needs root.
// Orchestration details without root: gc-status.test.ts; against etcd: etcd.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { netnsSkipReason } from '../helpers/netns.ts';
import { CNI_ENTRIES, CniNode, compiledEntrySkip, ensureBuilt, entryExe } from './harness.ts';

const skip = netnsSkipReason();

for (const entry of CNI_ENTRIES) describe(`GC and STATUS through the ${entry} entry`, { skip: skip || (entry === 'compiled' && compiledEntrySkip()) }, () => {
  let n: CniNode;
  before(async () => { ensureBuilt(); n = new CniNode('node-g', '10.247.0.0/16'); n.exe = entryExe(entry); await n.init(); });
  after(() => n?.cleanup());

  const conf = (extra: Record<string, unknown> = {}) => n.conf(extra, '1.1.0');
  async function add(pod: string) {
    const p = n.newPod();
    const r = await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('default', pod), conf: conf() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return { ...p, pod, ip: r.json.ips[0].address as string };
  }
  async function state() {
    const ds = await n.openDs();
    try {
      return {
        handles: (await ds.list('IPAMHandle')).items.map((h) => h.metadata.name).sort(),
        weps: (await ds.list('WorkloadEndpoint')).items.map((w) => w.spec.containerID).sort(),
      };
    } finally { await ds.close(); }
  }

  test('GC removes the stale attachment\'s address, endpoint and host side; the valid one keeps working', async () => {
    const keep = await add('gc-keep');
    const stale = await add('gc-stale');
    // The runtime lost the sandbox: its netns (ours, made by this test) is gone, and with it the veth pair; DEL never came.
    execFileSync('ip', ['netns', 'del', stale.ns]);
    const gc = await n.invoke({ command: 'GC', conf: conf({ 'cni.dev/valid-attachments': [{ containerID: keep.containerId, ifname: 'eth0' }, { containerID: 'unknownctr', ifname: 'eth0' }] }) });
    assert.deepEqual([gc.code, gc.stdout], [0, ''], gc.stderr);
    assert.deepEqual(await state(), { handles: [`k8s-pod-network.${keep.containerId}`], weps: [keep.containerId] });
    const chk = await n.invoke({ command: 'CHECK', containerId: keep.containerId, netns: keep.path, cniArgs: n.k8sArgs('default', 'gc-keep'),
      conf: conf({ prevResult: { cniVersion: '1.1.0', ips: [{ address: keep.ip, interface: 1 }], routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }] } }) });
    assert.equal(chk.code, 0, chk.stdout);
    assert.match(n.sh(n.host, ['ip', 'route']), new RegExp(`^${keep.ip.split('/')[0]!.replace(/\./g, '\\.')} dev cali`, 'm'));
    assert.doesNotMatch(n.sh(n.host, ['ip', 'route']), new RegExp(stale.ip.split('/')[0]!.replace(/\./g, '\\.')));
    const del = await n.invoke({ command: 'DEL', containerId: keep.containerId, netns: keep.path, cniArgs: n.k8sArgs('default', 'gc-keep'), conf: conf() });
    assert.equal(del.code, 0, del.stdout);
    assert.deepEqual(await state(), { handles: [], weps: [] });
  });

  test('GC under an older cniVersion is refused with code 1; a malformed list with code 7', async () => {
    const old = await n.invoke({ command: 'GC', conf: { ...n.conf({ 'cni.dev/valid-attachments': [] }, '1.0.0') } });
    assert.deepEqual([old.code, old.json.code], [1, 1]);
    const bad = await n.invoke({ command: 'GC', conf: conf({ 'cni.dev/valid-attachments': [{ ifname: 'eth0' }] }) });
    assert.deepEqual([bad.code, bad.json.code, bad.json.cniVersion], [1, 7, '1.1.0']);
  });

  test('STATUS: 0 with no output when ready; 50 when the datastore cannot be opened or no address is left', async () => {
    const ok = await n.invoke({ command: 'STATUS', conf: conf() });
    assert.deepEqual([ok.code, ok.stdout], [0, ''], ok.stderr);
    const down = await n.invoke({ command: 'STATUS', conf: conf({ datastore_path: n.unreachablePath() }) });
    assert.deepEqual([down.code, down.json.code, down.json.cniVersion], [1, 50, '1.1.0']);
    assert.match(down.json.msg, /^cannot service ADD: /);
    const ds = await n.openDs();
    try {
      const pool = (await ds.get('IPPool', 'default-ipv4-ippool'))!;
      await ds.update({ ...pool, spec: { ...pool.spec, disabled: true } });
    } finally { await ds.close(); }
    const none = await n.invoke({ command: 'STATUS', conf: conf() });
    assert.equal(none.json?.code, 50, none.stdout);
    assert.match(none.json.msg, /no enabled IP pool selects node node-g/);
  });
});

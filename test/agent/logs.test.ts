// Issue #20 item 7: one log format for every Tabby process (ISO times, logrus's level names, one key set in
// one order), no key twice in BGP lines, and a peer stuck in Active logged once (not per retry, not never).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.ts';
import { createCniLogger } from '../../src/cni/log.ts';
import { createLogger as createShimLogger } from '../../src/cni/log-shim.ts';
import { startBgp } from '../../src/bgp/node-integration.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

describe('one log format', () => {
  test('agent (pino), CNI plugin and CNI bundle lines: level name, ISO time, component, pid, fields, msg, in that order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabby-logs-'));
    try {
      const agentFile = join(dir, 'agent.log');
      const agent = createLogger('node', { level: 'debug', file: agentFile });
      agent.child({ mod: 'routes' }).warn({ dst: '10.0.0.0/24' }, 'route write failed');
      agent.info('started');
      const cniFile = join(dir, 'cni.log');
      const cni = createCniLogger({ component: 'tabby-cni', level: 'debug', file: cniFile, stderr: () => {} });
      cni.warn('route write failed', { dst: '10.0.0.0/24' });
      let shimOut = '';
      const realWrite = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((c: string) => { shimOut += c; return true; }) as typeof process.stderr.write;
      try { createShimLogger('ipam', { level: 'debug' }).warn({ dst: '10.0.0.0/24' }, 'route write failed'); } finally { process.stderr.write = realWrite; }

      const [agentWarn, agentInfo] = lines(agentFile).map((l) => JSON.parse(l) as Record<string, unknown>);
      const cniWarn = JSON.parse(lines(cniFile)[0]!) as Record<string, unknown>;
      const shimWarn = JSON.parse(shimOut.trim()) as Record<string, unknown>;
      for (const [who, l] of [['agent', agentWarn], ['cni', cniWarn], ['shim', shimWarn]] as const) {
        assert.equal(l!.level, 'warning', who);
        assert.match(String(l!.time), ISO, who);
        assert.deepEqual(Object.keys(l!).slice(0, 4), ['level', 'time', 'component', 'pid'], who);
        assert.equal(Object.keys(l!).at(-1), 'msg', who);
        assert.equal(l!.dst, '10.0.0.0/24', who);
      }
      assert.equal(agentWarn!.mod, 'routes');
      assert.equal(agentInfo!.level, 'info');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('BGP: component once per line; a peer refusing connections is logged once, not at every retry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabby-logs-bgp-'));
    const file = join(dir, 'agent.log');
    const ds = new MemoryDatastore();
    const closedPort = await freePort();
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: 'node-a' }, spec: { bgp: { ipv4Address: '127.0.0.2/8' } } });
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'tor' }, spec: { peerIP: `127.0.0.1:${closedPort}`, asNumber: 65001 } });
    const log = createLogger('node', { level: 'info', file }).child({ mod: 'bgp' });
    const bgp = await startBgp({ ds, nodeName: 'node-a', log, onRoutes: () => {}, listenPort: await freePort(), timers: { connectRetryTime: 0.3 } });
    try {
      await new Promise((r) => setTimeout(r, 2500)); // several connect retries
      const st = bgp.status().peers[0];
      assert.ok(st, readFileSync(file, 'utf8'));
      assert.equal(st.state, 'Active');
      assert.match(st.info, /Connection refused/);
    } finally { await bgp.stop({ graceful: false }); }
    const text = lines(file);
    for (const l of text) assert.equal(l.match(/"component":/g)?.length ?? 0, 1, l);
    const stuck = text.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => /not established/.test(String(l.msg)));
    assert.equal(stuck.length, 1, text.join('\n'));
    assert.equal(stuck[0]!.level, 'warning');
    assert.equal(stuck[0]!.error, 'Socket: Connection refused');
    assert.equal(stuck[0]!.address, '127.0.0.1');
    rmSync(dir, { recursive: true, force: true });
  });
});

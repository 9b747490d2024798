// Honest health: readiness follows the datastore's reachability (the watch alone says nothing while etcd is
// dead), liveness does not, the health port answers before start-up has reached the datastore, and the
// metrics say whether the datastore is connected. In-process: in-memory datastore, fake kernel, loopback.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { Agent } from '../../src/agent/main.ts';
import { DatastoreMonitor } from '../../src/agent/datastore-monitor.ts';
import { realClock } from '../../src/clock.ts';
import { FakeKernel } from './fake-kernel.ts';

const log = pino({ level: 'silent' });

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

function newAgent(ds: MemoryDatastore, healthPort = 0): { agent: Agent; done: () => void } {
  const k = new FakeKernel();
  k.addLink('lo'); k.addLink('eth0'); k.links.get('eth0')!.addrs = ['10.0.1.11/24'];
  const stateDir = mkdtempSync(join(tmpdir(), 'tabby-agent-health-'));
  const agent = new Agent({
    ds, nodeName: 'node-a', log, kernel: k, stateDir, backend: 'vxlan', healthPort, healthHost: '127.0.0.1', metricsPort: 0,
    foreignNetns: true, env: { CALICO_IPV4POOL_CIDR: '10.244.0.0/16', CALICO_IPV4POOL_VXLAN: 'Always' },
    datastoreMonitor: { intervalMs: 20, timeoutMs: 100, graceMs: 200 },
  });
  return { agent, done: () => rmSync(stateDir, { recursive: true, force: true }) };
}

describe('DatastoreMonitor', () => {
  test('ready through a short outage, not ready past the grace; a frozen datastore counts as unreachable', async () => {
    let now = 1_000_000;
    let mode: 'ok' | 'fail' | 'freeze' = 'ok';
    const changes: boolean[] = [];
    const m = new DatastoreMonitor(() => {
      if (mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED'));
      if (mode === 'freeze') return new Promise(() => {});
      return Promise.resolve();
    }, { timeoutMs: 30, graceMs: 10_000, clock: { ...realClock, now: () => now }, onChange: (c) => changes.push(c) });
    await m.check();
    assert.deepEqual(m.health(), { connected: true, ready: true, detail: 'datastore connected' });
    mode = 'fail';
    await m.check();
    assert.equal(m.health().connected, false);
    assert.equal(m.health().ready, true, 'within the grace');
    now += 10_001;
    await m.check();
    assert.equal(m.health().ready, false);
    assert.match(m.health().detail, /unreachable for 10 s: connect ECONNREFUSED/);
    mode = 'ok';
    await m.check();
    assert.equal(m.health().ready, true);
    mode = 'freeze';
    await m.check();
    now += 20_000;
    assert.deepEqual([m.health().connected, m.health().ready], [false, false]);
    assert.match(m.health().detail, /no answer within 30 ms/);
    assert.deepEqual(changes, [true, false, true, false]);
  });
});

describe('agent health during a datastore outage', () => {
  test('readiness turns false (with the reason) past the grace while liveness stays true; the gauge says so', async () => {
    const ds = new MemoryDatastore();
    const { agent, done } = newAgent(ds);
    try {
      await agent.start();
      await agent.waitForApply();
      await until('ready', () => agent.health.summary().ready);
      const gauge = async () => (await agent.metrics.registry.getSingleMetric('tabby_agent_datastore_connected')!.get()).values[0]?.value;
      assert.equal(await gauge(), 1);
      ds.down = true;
      await until('not ready', () => !agent.health.summary().ready);
      const s = agent.health.summary();
      assert.equal(s.live, true);
      assert.match(s.rows.find(([n]) => n === 'datastore')![1].detail ?? '', /datastore unreachable for \d+ s: .*unavailable/);
      assert.equal(await gauge(), 0);
      ds.down = false;
      await until('ready again', () => agent.health.summary().ready);
      assert.equal(await gauge(), 1);
    } finally {
      await agent.stop();
      done();
    }
  });

  test('an agent started during an outage answers its health port (live, not ready) and becomes ready after', async () => {
    const ds = new MemoryDatastore();
    ds.down = true;
    const port = await freePort();
    const { agent, done } = newAgent(ds, port);
    const started = agent.start();
    try {
      const get = async (path: string) => {
        try { const r = await fetch(`http://127.0.0.1:${port}${path}`); return { status: r.status, body: await r.text() }; } catch { return undefined; }
      };
      await until('the health port answers', async () => (await get('/liveness')) !== undefined);
      assert.equal((await get('/liveness'))!.status, 200);
      await until('readiness names the outage', async () => /datastore unreachable/.test((await get('/readiness'))?.body ?? ''));
      assert.equal((await get('/readiness'))!.status, 503);
      ds.down = false;
      await started;
      await agent.waitForApply();
      await until('ready', async () => (await get('/readiness'))?.status === 200);
    } finally {
      await agent.stop();
      await started.catch(() => {});
      done();
    }
  });

  test('metrics: no gauge is named *_total (Prometheus reserves the suffix for counters)', async () => {
    const { agent, done } = newAgent(new MemoryDatastore());
    try {
      const bad = (await agent.metrics.registry.getMetricsAsJSON()).filter((m) => m.name.endsWith('_total') && String(m.type) !== 'counter');
      assert.deepEqual(bad.map((m) => m.name), []);
    } finally { done(); }
  });
});

// Issue #20 item 1: `tabby node status` on a VXLAN node answered "endpoint answered 404" and exit 1.
describe('node status on a node without BGP', () => {
  test('a VXLAN agent serves /bgp/status; `tabby node status` prints calicoctl\'s "no BGP backend" text and exits 0', async () => {
    const port = await freePort();
    const { agent, done } = newAgent(new MemoryDatastore(), port);
    try {
      await agent.start();
      const r = await fetch(`http://127.0.0.1:${port}/bgp/status`);
      assert.equal(r.status, 200);
      assert.equal((await r.json() as { running: boolean }).running, false);
      const { Command } = await import('commander');
      const { registerNodeStatus } = await import('../../src/ctl/node-status.ts');
      const program = new Command('tabby').exitOverride();
      registerNodeStatus(program.command('node'));
      let out = '';
      const orig = process.stdout.write.bind(process.stdout);
      (process.stdout as any).write = (c: string | Uint8Array, ...rest: any[]) => { if (typeof c === 'string') { out += c; return true; } return orig(c, ...rest); };
      try {
        await program.parseAsync(['node', 'status', '--endpoint', `http://127.0.0.1:${port}/bgp/status`], { from: 'user' });
      } finally { (process.stdout as any).write = orig; }
      assert.equal(out, 'Calico process is running.\n\nNone of the BGP backend processes (BIRD or GoBGP) are running.\n\n');
    } finally {
      await agent.stop();
      done();
    }
  });
});

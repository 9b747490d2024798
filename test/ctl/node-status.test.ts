import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerNodeStatus } from '../../src/ctl/node-status.ts';
import { bgpStatusHandler } from '../../src/bgp/node-integration.ts';
import { CliError } from '../../src/ctl/errors.ts';
import type { BgpStatus } from '../../src/bgp/status.ts';

async function runCli(args: string[]): Promise<{ out: string; err?: unknown }> {
  const program = new Command('tabby').exitOverride();
  registerNodeStatus(program.command('node'));
  let out = '';
  const orig = process.stdout.write.bind(process.stdout);
  // Only strings are ours: the test runner reports over stdout with Buffers.
  (process.stdout as any).write = (c: string | Uint8Array, ...rest: any[]) => { if (typeof c === 'string') { out += c; return true; } return orig(c, ...rest); };
  try {
    await program.parseAsync(['node', 'status', ...args], { from: 'user' });
    return { out };
  } catch (err) {
    return { out, err };
  } finally {
    (process.stdout as any).write = orig;
  }
}

test('tabby node status reads the node endpoint and prints the table, detail and json', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tabby-bgp-cli-'));
  const sock = path.join(dir, 'status.sock');
  const status: BgpStatus = {
    running: true, routerId: '172.17.0.41', asNumber: 64512, listenPort: 179, locRibRoutes: 2, exportedPrefixes: ['192.168.196.128/26'],
    peers: [
      { name: 'Mesh_172_17_0_40', address: '172.17.0.40', port: 179, peerType: 'node-to-node mesh', localAs: 64512, peerAs: 64512, ibgp: true, rrClient: false, state: 'Established', since: new Date().toISOString(), info: 'Established', prefixesReceived: 1, prefixesAccepted: 1, prefixesSent: 1, staleRoutes: 0, capabilities: ['4-octet-as'] },
      { name: 'Global_10_0_0_9', address: '10.0.0.9', port: 179, peerType: 'global', localAs: 64512, peerAs: 65001, ibgp: false, rrClient: false, state: 'Active', since: new Date().toISOString(), info: 'Active Socket: Connection refused', lastError: 'Socket: Connection refused', prefixesReceived: 0, prefixesAccepted: 0, prefixesSent: 0, staleRoutes: 0 },
    ],
  };
  const handler = bgpStatusHandler(() => status);
  const srv = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => srv.listen(sock, () => r()));
  try {
    const t = await runCli(['--endpoint', `unix:${sock}`]);
    assert.equal(t.err, undefined);
    assert.match(t.out, /^Calico process is running\.\n\nIPv4 BGP status\n/);
    assert.match(t.out, /\| 172\.17\.0\.40 +\| node-to-node mesh \| up    \| \d\d:\d\d:\d\d \| Established +\|/);
    assert.match(t.out, /\| 10\.0\.0\.9 +\| global +\| start \| \d\d:\d\d:\d\d \| Active Socket: Connection refused \|/);
    assert.match(t.out, /No IPv6 peers found\./);
    const d = await runCli(['--endpoint', `unix:${sock}`, '--detail']);
    assert.match(d.out, /Prefixes: +received 1, accepted 1, sent 1, stale 0/);
    assert.match(d.out, /Last error: +Socket: Connection refused/);
    const j = await runCli(['--endpoint', `unix:${sock}`, '-o', 'json']);
    assert.equal(JSON.parse(j.out).routerId, '172.17.0.41');
  } finally {
    srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const down = await runCli(['--endpoint', `unix:${path.join(dir, 'missing.sock')}`]);
  assert.equal(down.out, 'Calico process is not running.\n');
  assert.ok(down.err instanceof CliError);
  const bad = await runCli(['--endpoint', 'unix:/nonexistent', '-o', 'yaml']);
  assert.match(String((bad.err as Error).message), /unknown output format "yaml"/);
});

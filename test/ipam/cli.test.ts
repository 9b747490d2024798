import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { setCtlOverrides } from '../../src/ctl/context.ts';
import { registerIpamCommands, borderedTable } from '../../src/ctl/ipam.ts';
import { CliError } from '../../src/ctl/errors.ts';
import { createIpam } from '../../src/ipam/index.ts';
import type { Resource } from '../../src/api/resource.ts';

let ds: MemoryDatastore;
let restore: () => void;
let stdout = '';

async function run(...args: string[]): Promise<{ out: string; code: number }> {
  stdout = '';
  const program = new Command('tabby').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.option('-c, --config <file>');
  registerIpamCommands(program);
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out: stdout, code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = saved;
  }
}

function res(kind: string, name: string, spec: object, extra: Partial<Resource['metadata']> = {}): Resource {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...extra }, spec };
}

describe('tabby ipam', () => {
  before(async () => {
    ds = new MemoryDatastore();
    await ds.create(res('IPPool', 'default-ipv4-ippool', { cidr: '10.244.0.0/24', blockSize: 26 }));
    await ds.create(res('Node', 'node-1', {}));
    await ds.create(res('Node', 'node-2', {}));
    restore = setCtlOverrides({ datastore: ds, stdout: (s) => { stdout += s; }, stderr: () => {} });
  });
  after(() => restore());

  test('bordered table layout', () => {
    assert.equal(
      borderedTable(['A', 'LONGER'], [['x', '12'], ['yy', '3 (5%)']]),
      '+----+--------+\n' +
      '| A  | LONGER |\n' +
      '+----+--------+\n' +
      '| x  |     12 |\n' +
      '| yy | 3 (5%) |\n' +
      '+----+--------+\n',
    );
  });

  test('show on an empty cluster, then with allocations and blocks', async () => {
    let r = await run('ipam', 'show');
    assert.match(r.out, /\| GROUPING \|\s+CIDR\s+\| IPS TOTAL \| IPS IN USE \| IPS RESERVED \|\s+IPS FREE\s+\|/);
    assert.match(r.out, /\| IP Pool  \| 10\.244\.0\.0\/24 \|       256 \| 0 \(0%\)\s+\| 0 \(0%\)\s+\| 256 \(100%\)\s+\|/);
    const ipam = createIpam(ds);
    await ipam.autoAssign({ handleId: 'k8s-pod-network.c1', node: 'node-1', num4: 16, attrs: { namespace: 'default', pod: 'web' } });
    r = await run('ipam', 'show', '--show-blocks');
    assert.match(r.out, /\| IP Pool  \| 10\.244\.0\.0\/24\s+\|\s+256 \| 16 \(6%\)\s+\| 0 \(0%\)\s+\| 240 \(94%\)\s+\|/);
    assert.match(r.out, /\| Block    \| 10\.244\.0\.\d+\/26 \|\s+64 \| 16 \(25%\)\s+\| 0 \(0%\)\s+\| 48 \(75%\)\s+\|/);
  });

  test('show --ip', async () => {
    const ips = await createIpam(ds).ipsByHandle('k8s-pod-network.c1');
    const ip = ips[0]!.split('/')[0]!;
    let r = await run('ipam', 'show', `--ip=${ip}`);
    assert.match(r.out, new RegExp(`^IP ${ip.replace(/\./g, '\\.')} is in use\\nHandle ID: k8s-pod-network\\.c1\\n`));
    assert.match(r.out, /Attributes:\n {2}namespace: default\n {2}node: node-1\n {2}pod: web\n/);
    r = await run('ipam', 'show', '--ip=10.99.0.1');
    assert.equal(r.out, '10.99.0.1 is not assigned\n');
    await assert.rejects(run('ipam', 'show', '--ip=banana'), (e: unknown) => e instanceof CliError && e.exitCode === 2);
  });

  test('configure and show --show-configuration', async () => {
    let r = await run('ipam', 'show', '--show-configuration');
    assert.match(r.out, /\| StrictAffinity\s+\| false \|/);
    assert.match(r.out, /\| MaxBlocksPerHost\s+\|\s+0 \|/);
    r = await run('ipam', 'configure', '--strictaffinity=true', '--max-blocks-per-host=4');
    assert.match(r.out, /StrictAffinity to: true/);
    r = await run('ipam', 'show', '--show-configuration');
    assert.match(r.out, /\| StrictAffinity\s+\| true\s+\|/);
    assert.match(r.out, /\| AutoAllocateBlocks\s+\| true\s+\|/);
    assert.match(r.out, /\| MaxBlocksPerHost\s+\|\s+4 \|/);
    await run('ipam', 'configure', '--strictaffinity=false', '--max-blocks-per-host=0');
    await assert.rejects(run('ipam', 'configure', '--strictaffinity=maybe'), /invalid value for --strictaffinity/);
    await assert.rejects(run('ipam', 'configure', '--max-blocks-per-host=-1'), /non-negative integer/);
    await assert.rejects(run('ipam', 'configure'), /nothing to configure/);
  });

  test('check reports leaks with exit code 1, then none once fixed', async () => {
    let r = await run('ipam', 'check');
    assert.equal(r.code, 1);
    assert.match(r.out, /^Checking IPAM for inconsistencies\.\.\./);
    assert.match(r.out, /Found 16 IPs that are allocated in IPAM but not actually in use\./);
    assert.match(r.out, /Check complete; found 16 problems\.\n$/);
    // make them in use: one workload endpoint with all 16 addresses
    const ips = await createIpam(ds).ipsByHandle('k8s-pod-network.c1');
    await ds.create({ ...res('WorkloadEndpoint', 'node--1-k8s-web-eth0', { node: 'node-1', ipNetworks: ips.map((i) => i.replace(/\/\d+$/, '/32')) }), metadata: { name: 'node--1-k8s-web-eth0', namespace: 'default' } });
    r = await run('ipam', 'check');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Found 16 workload IPs\./);
    assert.match(r.out, /node-1 has 16 allocations/);
    assert.match(r.out, /Check complete; found 0 problems\./);
  });

  test('show --show-borrowed lists addresses from another node\'s block', async () => {
    // node-2 claims the remaining three /26 blocks, then must borrow from node-1's block
    await createIpam(ds).autoAssign({ handleId: 'k8s-pod-network.c2', node: 'node-2', num4: 194, attrs: { namespace: 'ns2', pod: 'big' } });
    const r = await run('ipam', 'show', '--show-borrowed');
    assert.match(r.out, /\|\s+IP\s+\| BORROWING-NODE \|\s+BLOCK\s+\| BLOCK OWNER \| TYPE \| ALLOCATED-TO \|/);
    const rows = r.out.split('\n').filter((l) => l.includes('node-2') && l.includes('ns2/big'));
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /\| node-1\s+\| pod\s+\| ns2\/big\s+\|/);
    await createIpam(ds).releaseByHandle('k8s-pod-network.c2');
  });

  test('release --ip', async () => {
    const ip = (await createIpam(ds).ipsByHandle('k8s-pod-network.c1'))[0]!.split('/')[0]!;
    let r = await run('ipam', 'release', `--ip=${ip}`);
    assert.equal(r.out, `Successfully released IP address ${ip}\n`);
    await assert.rejects(run('ipam', 'release', `--ip=${ip}`), (e: unknown) => e instanceof CliError && /is not assigned/.test(e.message));
    r = await run('ipam', 'check');
    assert.equal(r.code, 1);
    assert.match(r.out, /Found 1 in-use IPs that are in active IP pools but have no corresponding IPAM allocation\./);
    await assert.rejects(run('ipam', 'release'), /exactly one of --ip, --from-report or --leaked/);
  });

  test('release --from-report releases only addresses still leaked', async (t) => {
    const ipam = createIpam(ds);
    const leaked = await ipam.autoAssign({ handleId: 'k8s-pod-network.leak', node: 'node-2', num4: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'tabby-ipam-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'report.json');
    let r = await run('ipam', 'check', '-o', file);
    assert.equal(r.code, 1);
    // one of the two gets used before the release runs: it must be kept
    const keep = leaked.ips[0]!.replace(/\/\d+$/, '/32');
    await ds.create({ ...res('WorkloadEndpoint', 'node--2-k8s-late-eth0', { node: 'node-2', ipNetworks: [keep] }), metadata: { name: 'node--2-k8s-late-eth0', namespace: 'default' } });
    r = await run('ipam', 'release', `--from-report=${file}`);
    assert.match(r.out, /^Released 1 leaked IP address; skipped 1 no longer leaked\.\n$/);
    assert.deepEqual(await ipam.ipsByHandle('k8s-pod-network.leak'), [leaked.ips[0]]);
    await assert.rejects(run('ipam', 'release', '--from-report=/nonexistent.json'), /cannot use report/);
  });

  test('release --leaked releases what check reports as leaked, except young allocations, live containers, tunnels and addresses that are not a pod\'s', async () => {
    const old = createIpam(ds, { now: () => new Date(Date.now() - 10 * 60_000) });
    const one = async (ipam: typeof old, handleId: string, attrs: Record<string, string> = {}) =>
      (await ipam.autoAssign({ handleId, node: 'node-2', num4: 1, attrs })).ips[0]!.split('/')[0]!;
    const gone = await one(old, 'k8s-pod-network.gone1', { namespace: 'ns3', pod: 'gone' });
    const young = await one(createIpam(ds), 'k8s-pod-network.young1', { namespace: 'ns3', pod: 'young' });
    const byHand = await one(old, 'reserved-by-hand');
    const live = await one(old, 'k8s-pod-network.ctr9', { namespace: 'default', pod: 'ctr' });
    const tunnel = await one(old, 'vxlan-tunnel-addr-node-9', { type: 'vxlanTunnelAddress' });
    // ctr9's container has an endpoint (its address not listed yet): its sandbox is alive
    await ds.create({ ...res('WorkloadEndpoint', 'node--2-k8s-ctr-eth0', { node: 'node-2', containerID: 'ctr9', ipNetworks: [] }), metadata: { name: 'node--2-k8s-ctr-eth0', namespace: 'default' } });
    const leakedNow = async () => (await run('ipam', 'check')).out.match(/^ {2}(\S+) leaked;/gm)!.map((l) => l.trim().split(' ')[0]);
    for (const ip of [gone, young, byHand, live, tunnel]) assert.ok((await leakedNow()).includes(ip), `ipam check reports ${ip}`);

    let r = await run('ipam', 'release', '--leaked', '--dry-run');
    assert.equal(r.code, 0);
    assert.ok(r.out.includes(`Would release ${gone} (handle k8s-pod-network.gone1, node node-2, pod ns3/gone)\n`), r.out);
    assert.ok((await leakedNow()).includes(gone), 'a dry run changes nothing');

    r = await run('ipam', 'release', '--leaked');
    assert.ok(r.out.includes(`Released ${gone} (handle k8s-pod-network.gone1`), r.out);
    assert.match(r.out, new RegExp(`Kept ${young.replace(/\./g, '\\.')} \\(handle k8s-pod-network.young1, node node-2, pod ns3/young\\): allocated \\d+ s ago, less than --min-age`));
    assert.ok(r.out.includes(`Kept ${live} (handle k8s-pod-network.ctr9, node node-2, pod default/ctr): its container has a WorkloadEndpoint`), r.out);
    assert.ok(r.out.includes(`Kept ${byHand} (handle reserved-by-hand, node node-2): not a pod's address (no namespace/pod attributes): release it by hand`), r.out);
    assert.ok(r.out.includes(`Kept ${tunnel} (handle vxlan-tunnel-addr-node-9, node node-2): a tunnel address`), r.out);
    assert.match(r.out, /^Released 1 leaked IP address; kept \d+\.$/m);
    assert.equal((await leakedNow()).includes(gone), false);
    assert.equal(await ds.get('IPAMHandle', 'k8s-pod-network.gone1'), undefined);

    r = await run('ipam', 'release', '--leaked', '--min-age=0');
    assert.ok(r.out.includes(`Released ${young} (handle k8s-pod-network.young1`), r.out);
    for (const ip of [live, tunnel, byHand]) assert.ok((await leakedNow()).includes(ip), `still never ${ip}`);

    await assert.rejects(run('ipam', 'release', '--leaked', '--min-age=soon'), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--min-age/.test(e.message));
    await assert.rejects(run('ipam', 'release', '--ip=10.244.0.1', '--dry-run'), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--dry-run goes with --leaked/.test(e.message));
    await assert.rejects(run('ipam', 'release', '--leaked', '--ip=10.244.0.1'), /exactly one of/);
  });
});

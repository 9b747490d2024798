// The lab's datastore as a real etcd cluster (root): three members in their own namespaces, client and peer
// TLS with a lab CA, every client configured with all endpoints and calicoctl's certificate settings; clear
// refusals for clients without the right credentials; the datastore conformance suite against the cluster;
// and the leader killed (and frozen) under pod churn without losing an acknowledged write or leaking an IP.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alive, labFixture, labNamespaces, LAB_ROOT, mustTabby, readState, ROOT, skip, tabby, TABBY } from './helpers.ts';
import { runLeaderKillUnderChurn, type LeaderKillResult } from '../../bench/chaos/etcd-leader-churn.ts';
import { etcdLeader, recoverEtcdMember } from '../../src/lab/etcd-cluster.ts';
import { readState as readLabState } from '../../src/lab/state.ts';

/** `tabby get ippools` on a node with the given datastore environment (nothing inherited). */
function getPoolsWith(ns: string, env: Record<string, string>) {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'env', '-i', 'PATH=/usr/bin:/bin', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), TABBY, 'get', 'ippools'],
    { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Alive and not a zombie: a member restarted by this process (recoverEtcdMember) is its child until reaped. */
function running(pid: number): boolean {
  if (!alive(pid)) return false;
  try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

function assertChurnFigures(r: LeaderKillResult, what: string): void {
  assert.equal(r.writesLost, 0, `${what}: acknowledged writes lost: ${r.lostWrites.join(', ')}`);
  assert.ok(r.writesAcked > 0, `${what}: no write acknowledged`);
  assert.ok(r.ipamCheckClean, `${what}: ipam check found problems:\n${r.ipamCheckOutput}`);
  assert.equal(r.delsFailed, 0, `${what}: CNI DELs failed for good`);
  assert.ok(r.addsOkAfterKill >= 1, `${what}: no ADD succeeded after the hit (errors: ${r.addErrors.join(' | ')})`);
  assert.ok(r.failoverMs >= 0 && r.failoverMs < 20_000, `${what}: writes resumed after ${r.failoverMs} ms`);
  assert.notEqual(r.newLeader, undefined, `${what}: no new leader seen`);
}

describe('lab etcd cluster: 3 members, TLS', { skip }, () => {
  const { name, cleanup } = labFixture();
  after(cleanup);
  before(() => {
    // Five processes (three members, two agents) start at once: give the agents more than the helpers' 45 s.
    const r = spawnSync(TABBY, ['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan', '--datastore', 'etcd', '--etcd-members', '3', '--etcd-tls'],
      { encoding: 'utf8', timeout: 300_000, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '150000' } });
    const logs = () => ['controlplane', 'node01'].map((n) => {
      try { return `${n}: ${fs.readFileSync(path.join(LAB_ROOT, name, 'nodes', n, 'node.log'), 'utf8').split('\n').slice(-15).join('\n')}`; } catch { return `${n}: no log`; }
    }).join('\n');
    assert.equal(r.status, 0, `lab up failed:\n${r.stdout}\n${r.stderr}\n${r.status === 0 ? '' : logs()}`);
  });
  const pki = () => path.join(LAB_ROOT, name, 'etcd-pki');
  const endpoints = ['https://172.17.0.11:2379', 'https://172.17.0.12:2379', 'https://172.17.0.13:2379'];

  test('members in their own namespaces; certificates 0600; every client gets all endpoints and the credentials', () => {
    assert.deepEqual(labNamespaces(name).filter((n) => n.includes('-etcd')), [`${name}-etcd1`, `${name}-etcd2`, `${name}-etcd3`]);
    const state = readState(name);
    assert.deepEqual(state.etcd.endpoints, endpoints);
    for (const m of state.etcd.members) assert.ok(alive(m.pid), `${m.name} running`);
    for (const f of fs.readdirSync(pki())) assert.equal(fs.statSync(path.join(pki(), f)).mode & 0o777, 0o600, f);
    const conf = JSON.parse(fs.readFileSync(path.join(LAB_ROOT, name, 'nodes', 'node01', 'net.d', '10-calico.conflist'), 'utf8')).plugins[0];
    assert.equal(conf.etcd_endpoints, endpoints.join(','));
    assert.equal(conf.etcd_ca_cert_file, path.join(pki(), 'ca.crt'));
    assert.equal(conf.etcd_cert_file, path.join(pki(), 'client.crt'));
    assert.equal(conf.etcd_key_file, path.join(pki(), 'client.key'));
    const env = mustTabby(['lab', 'exec-node', 'node01', '--name', name, '--', 'env']);
    assert.match(env, new RegExp(`^ETCD_ENDPOINTS=${endpoints.join(',').replace(/\./g, '\\.')}$`, 'm'));
    assert.match(env, /^ETCD_CA_CERT_FILE=.*ca\.crt$/m);
    assert.match(env, /^ETCD_CERT_FILE=.*client\.crt$/m);
    assert.match(env, /^ETCD_KEY_FILE=.*client\.key$/m);
    // the agents got them too: they are up and wrote their Nodes
    assert.match(mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', TABBY, 'get', 'nodes']), /node01/);
    const status = mustTabby(['lab', 'status', '--name', name]);
    assert.equal(status.match(/ leader$/gm)?.length, 1, status);
    assert.equal(status.match(/ follower$/gm)?.length, 2, status);
  });

  test('TLS refusals name what is missing', () => {
    const ns = `${name}-node01`;
    const base = { DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoints.join(',') };
    const ca = path.join(pki(), 'ca.crt');
    const cert = path.join(pki(), 'client.crt');
    const key = path.join(pki(), 'client.key');
    const noCert = getPoolsWith(ns, { ...base, ETCD_CA_CERT_FILE: ca });
    assert.notEqual(noCert.status, 0);
    assert.match(noCert.out, /etcd did not accept a client certificate.*set etcdCertFile and etcdKeyFile \(ETCD_CERT_FILE, ETCD_KEY_FILE\)/);
    const noCa = getPoolsWith(ns, { ...base, ETCD_CERT_FILE: cert, ETCD_KEY_FILE: key });
    assert.match(noCa.out, /server certificate is not signed by a trusted CA: set etcdCACertFile \(ETCD_CA_CERT_FILE\)/);
    const unreadable = getPoolsWith(ns, { ...base, ETCD_CA_CERT_FILE: ca, ETCD_CERT_FILE: cert, ETCD_KEY_FILE: `${key}.missing` });
    assert.match(unreadable.out, /cannot read etcdKeyFile .*client\.key\.missing/);
    assert.equal(unreadable.status, 2);
    assert.match(getPoolsWith(ns, { ...base, ETCD_CA_CERT_FILE: ca, ETCD_CERT_FILE: cert }).out, /needs both etcdCertFile and etcdKeyFile/);
    const plain = getPoolsWith(ns, { DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoints.map((e) => e.replace('https', 'http')).join(',') });
    assert.match(plain.out, /if this etcd serves TLS, use https:\/\/ endpoints and set etcdCACertFile/);
    assert.equal(getPoolsWith(ns, { ...base, ETCD_CA_CERT_FILE: ca, ETCD_CERT_FILE: cert, ETCD_KEY_FILE: key }).status, 0);
  });

  test('the datastore conformance suite passes against the cluster', () => {
    const state = readState(name);
    const cluster = JSON.stringify({ endpoints, caFile: state.etcd.tls.caFile, certFile: state.etcd.tls.certFile, keyFile: state.etcd.tls.keyFile });
    // All but the 20-process increment test, which measures the machine more than the cluster.
    const r = spawnSync('ip', ['netns', 'exec', `${name}-controlplane`, 'env', `TABBY_TEST_ETCD_CLUSTER=${cluster}`, process.execPath, '--import', 'tsx', '--test',
      '--test-name-pattern', '^(?!.*20 processes)', path.join(ROOT, 'test/datastore/etcd-cluster-suite.ts')],
    // Without NODE_TEST_CONTEXT: with it, the child takes itself for part of this run and runs nothing.
    { encoding: 'utf8', cwd: ROOT, timeout: 600_000, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')) });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out.split('\n').filter((l) => /not ok|error/.test(l)).slice(0, 20).join('\n'));
    assert.match(out, /# pass [1-9]\d*/);
    assert.match(out, /# fail 0/);
  });

  test('leader killed (kill -9) under pod churn: no acknowledged write lost, no leaked IP, ADDs after re-election', async (t) => {
    const r = await runLeaderKillUnderChurn({ lab: name, signal: 'SIGKILL', say: (l) => t.diagnostic(l) });
    t.diagnostic(`kill -9: writes acked ${r.writesAcked}, lost ${r.writesLost}, failed ${r.writesFailed}; ADDs ok ${r.addsOk} (${r.addsOkAfterKill} after), failed ${r.addsFailed}; ` +
      `failover ${r.failoverMs} ms (writes), ${r.addFailoverMs} ms (ADD), election seen after ${r.electionMs} ms, longest write gap ${r.maxWriteGapMs} ms, longest ADD ${r.longestAddMs} ms${r.addErrors.length ? `; ADD errors: ${r.addErrors.join(' | ')}` : ''}`);
    assertChurnFigures(r, 'kill -9');
  });

  test('leader frozen (SIGSTOP) under pod churn: the same', async (t) => {
    const r = await runLeaderKillUnderChurn({ lab: name, signal: 'SIGSTOP', say: (l) => t.diagnostic(l) });
    t.diagnostic(`SIGSTOP: writes acked ${r.writesAcked}, lost ${r.writesLost}, failed ${r.writesFailed}; ADDs ok ${r.addsOk} (${r.addsOkAfterKill} after), failed ${r.addsFailed}; ` +
      `failover ${r.failoverMs} ms (writes), ${r.addFailoverMs} ms (ADD), election seen after ${r.electionMs} ms, longest write gap ${r.maxWriteGapMs} ms, longest ADD ${r.longestAddMs} ms${r.addErrors.length ? `; ADD errors: ${r.addErrors.join(' | ')}` : ''}`);
    assertChurnFigures(r, 'SIGSTOP');
  });

  test('with the leader dead, the CLI answers in bounded time and new pods get networked by the agents', async () => {
    const state = readLabState(name)!;
    const leader = (await etcdLeader(state))!;
    process.kill(leader.pid, 'SIGKILL');
    try {
      for (let k = 0; k < 3; k++) {
        const t0 = Date.now();
        const r = tabby(['lab', 'exec-node', 'node01', '--name', name, '--', TABBY, 'get', 'ippools']);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(Date.now() - t0 < 20_000, `tabby get took ${Date.now() - t0} ms`);
      }
      mustTabby(['lab', 'run', 'after', '--name', name, '--replicas', '2']);
      mustTabby(['lab', 'check', '--name', name]);
    } finally {
      // One read: the member restarted must be the state's own object, or its new PID is not what gets written.
      const after = readLabState(name)!;
      await recoverEtcdMember(after, after.etcd!.members.find((m) => m.name === leader.name)!);
    }
  });

  test('down stops every member by PID, a frozen one too, and removes data and certificates', () => {
    const state = readState(name);
    const pids: number[] = state.etcd.members.map((m: { pid: number }) => m.pid);
    process.kill(pids[1]!, 'SIGSTOP');
    mustTabby(['lab', 'down', '--name', name]);
    for (const pid of pids) assert.ok(!running(pid), `etcd ${pid} still running`);
    assert.deepEqual(labNamespaces(name), []);
    assert.ok(!fs.existsSync(path.join(LAB_ROOT, name)));
  });
});

describe('lab etcd options', { skip }, () => {
  test('refused without --datastore etcd, and for an even member count', () => {
    const a = tabby(['lab', 'up', '--name', 'etcdopt-x', '--etcd-members', '3']);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /--etcd-members needs --datastore etcd/);
    const b = tabby(['lab', 'up', '--name', 'etcdopt-x', '--datastore', 'etcd', '--etcd-members', '2']);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /--etcd-members must be 1, 3, 5/);
    assert.match(tabby(['lab', 'up', '--name', 'etcdopt-x', '--etcd-tls']).stderr, /--etcd-tls needs --datastore etcd/);
    assert.ok(!fs.existsSync(path.join(LAB_ROOT, 'etcdopt-x')));
  });
});

// The lab for real (root): topology up/down, clean-up after the lab command is killed midway, pods through
// the real CNI executables, etcd mode, the demo's failure path. Each test runs its own lab named with a
// NetnsFixture prefix; whatever a failing test leaves behind is swept by that fixture.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { alive, inNs, LAB_ROOT, labFixture, labNamespaces, mustTabby, readState, skip, TABBY, tabby } from './helpers.ts';
import { waitUntil } from '../helpers/wait.ts';

describe('tabby lab', { skip }, () => {
  const fixtures: (() => void)[] = [];
  after(() => { for (const c of fixtures) c(); });

  test('up builds nodes, fabric, router and external host; down removes all of it', () => {
    const { name, cleanup } = labFixture();
    fixtures.push(cleanup);
    const up = mustTabby(['lab', 'up', '--name', name, '--nodes', '3', '--subnets', '2', '--mode', 'vxlan']);
    assert.match(up, new RegExp(`lab ${name} is up`));
    assert.deepEqual(labNamespaces(name), [
      `${name}-controlplane`, `${name}-external`, `${name}-fabric`, `${name}-node01`, `${name}-node02`, `${name}-router`,
    ]);
    const cp = `${name}-controlplane`;
    assert.match(inNs(cp, ['ip', '-4', 'addr', 'show', 'ens3']).stdout, /inet 172\.17\.0\.32\/24/);
    assert.match(inNs(`${name}-node01`, ['ip', '-4', 'addr', 'show', 'ens3']).stdout, /inet 172\.17\.1\.40\/24/);
    assert.match(inNs(cp, ['ip', 'route']).stdout, /^default via 172\.17\.0\.1 dev ens3/m);
    assert.equal(inNs(cp, ['cat', '/proc/sys/net/ipv4/ip_forward']).stdout.trim(), '1');
    // same subnet over the bridge, the other subnet through the router, the "internet" beyond it
    for (const target of ['172.17.0.41', '172.17.1.40', '8.8.8.8']) {
      assert.equal(inNs(cp, ['ping', '-c', '1', '-W', '2', target]).status, 0, `controlplane cannot reach ${target}`);
    }
    // the root namespace got none of it
    const rootLinks = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(rootLinks, /ens3|br0|rt0|wan0/);
    const status = mustTabby(['lab', 'status', '--name', name]);
    assert.match(status, /controlplane\s+172\.17\.0\.32/);
    assert.match(status, /node02\s+172\.17\.0\.41/);

    const state = readState(name);
    const pids: number[] = state.nodes.map((n: any) => n.pid).filter(Boolean);
    mustTabby(['lab', 'down', '--name', name]);
    assert.deepEqual(labNamespaces(name), []);
    assert.ok(!fs.existsSync(path.join(LAB_ROOT, name)), 'state dir removed');
    for (const pid of pids) assert.ok(!alive(pid), `node process ${pid} still running`);
    // down again is a no-op
    assert.match(mustTabby(['lab', 'down', '--name', name]), /nothing to do/);
  });

  test('kill -9 of `lab up` midway: the next `lab down` leaves nothing; `lab up` after a crash works', async () => {
    const { name, cleanup } = labFixture();
    fixtures.push(cleanup);
    for (const round of ['down', 'up'] as const) {
      const child = spawn(TABBY, ['lab', 'up', '--name', name, '--nodes', '4', '--mode', 'vxlan'], { stdio: 'ignore' });
      // Wait until it is midway: namespaces exist (and agents may be starting), then kill it hard.
      await waitUntil(() => fs.existsSync(`/run/netns/${name}-node01`), { timeoutMs: 60_000, everyMs: 20 });
      // Deliberately a little later still, so the kill lands at a different point of the bring-up each round.
      await new Promise((r) => setTimeout(r, round === 'down' ? 300 : 50));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      assert.ok(labNamespaces(name).length > 0, 'the killed lab left namespaces behind (test precondition)');
      const state = readState(name);
      assert.ok(state, 'state was written before anything was created');
      const pids: number[] = [...state.nodes.map((n: any) => n.pid), state.etcd?.pid ?? 0].filter(Boolean);
      if (round === 'down') {
        mustTabby(['lab', 'down', '--name', name]);
      } else {
        const up = mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan']);
        assert.match(up, /cleaning up what an earlier, unfinished lab/);
        assert.deepEqual(labNamespaces(name), [`${name}-controlplane`, `${name}-external`, `${name}-fabric`, `${name}-node01`, `${name}-router`]);
        mustTabby(['lab', 'down', '--name', name]);
      }
      assert.deepEqual(labNamespaces(name), [], `namespaces left after ${round}`);
      for (const pid of pids) assert.ok(!alive(pid), `process ${pid} left running after ${round}`);
      assert.ok(!fs.existsSync(path.join(LAB_ROOT, name)), 'state dir removed');
    }
  });

  test('pods through the real CNI executables: addresses, routes, labels, namespaces, delete; cross-node reachability', async () => {
    const { name, cleanup } = labFixture();
    fixtures.push(cleanup);
    const up = tabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan']);
    assert.equal(up.status, 0, up.stderr);
    assert.doesNotMatch(up.stderr, /CNI plugin not installed/);
    // The node agents run in every lab now (they create the default pool, as calico-node does): a problem
    // starting one is a failure, not a reason to skip the reachability check.
    assert.doesNotMatch(up.stderr, /node agent on/);
    const pools = mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'get', 'ippools', '-o', 'yaml']);
    assert.match(pools, /cidr: 192\.168\.0\.0\/16/, 'the agents created the default pool');
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '4', '--labels', 'tier=fe']);
    const pods = mustTabby(['lab', 'pods', '--name', name, '-o', 'wide']);
    const rows = pods.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    assert.equal(rows.length, 4, pods);
    for (const r of rows) {
      assert.match(r[0]!, /^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
      assert.equal(r[1], '1/1');
      assert.equal(r[2], 'Running');
      assert.match(r[5]!, /^192\.168\.\d+\.\d+$/);
    }
    assert.equal(rows.filter((r) => r[6] === 'controlplane').length, 2, 'spread over both nodes');
    assert.equal(rows.filter((r) => r[6] === 'node01').length, 2, 'spread over both nodes');
    const [p0, p1] = rows.filter((r) => r[6] === 'controlplane');
    assert.ok(fs.existsSync(`/run/netns/${name}-${p0![0]}`), 'pod namespace is <lab>-<pod>');

    // inside a pod: the article's routes; same-node ping; ARP answered by the host veth (proxy ARP)
    const route = mustTabby(['lab', 'exec', p0![0]!, '--name', name, '--', 'ip', 'route']);
    assert.match(route, /^default via 169\.254\.1\.1 dev eth0/m);
    assert.match(route, /^169\.254\.1\.1 dev eth0 scope link/m);
    mustTabby(['lab', 'exec', p0![0]!, '--name', name, '--', 'ping', '-c', '1', '-W', '2', p1![5]!]);
    assert.match(mustTabby(['lab', 'exec', p0![0]!, '--name', name, '--', 'busybox', 'arp', '-n']), /\(169\.254\.1\.1\) at ee:ee:ee:ee:ee:ee/);
    // exit status passes through
    assert.equal(tabby(['lab', 'exec', p0![0]!, '--name', name, '--', 'sh', '-c', 'exit 7']).status, 7);

    // WorkloadEndpoints carry the pod labels, and follow a relabel
    const weps = () => YAML.parse(mustTabby(['lab', 'exec-node', 'node01', '--name', name, '--', 'tabby', 'get', 'workloadendpoints', '-A', '-o', 'yaml'])).items as any[];
    const wepOf = (pod: string) => weps().find((w) => w.spec.pod === pod);
    assert.equal(weps().length, 4);
    assert.equal(wepOf(p0![0]!).metadata.labels.tier, 'fe');
    assert.equal(wepOf(p0![0]!).metadata.labels.app, 'web');
    mustTabby(['lab', 'label', p0![0]!, 'tier=db', 'color=blue', '--name', name]);
    const relabelled = wepOf(p0![0]!).metadata.labels;
    assert.equal(relabelled.tier, 'db');
    assert.equal(relabelled.color, 'blue');
    assert.equal(relabelled['projectcalico.org/namespace'], 'default');
    assert.ok(wepOf(p0![0]!).spec.profiles.includes('kns.default'));

    // namespaces become Profiles kns.<ns>
    mustTabby(['lab', 'ns', 'prod', '--labels', 'team=a', '--name', name]);
    const prof = YAML.parse(mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'get', 'profile', 'kns.prod', '-o', 'yaml']));
    assert.deepEqual(prof.spec.labelsToApply, { 'pcns.projectcalico.org/name': 'prod', 'pcns.team': 'a' });
    mustTabby(['lab', 'run', 'api', '--name', name, '--namespace', 'prod', '--node', 'node01']);
    assert.match(mustTabby(['lab', 'pods', '--name', name, '-n', 'prod']), /api-\S+\s+1\/1\s+Running/);

    const check = tabby(['lab', 'check', '--name', name], { timeoutMs: 120_000 });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /5 pod\(s\), 20 pair\(s\): 20 reachable, 0 not/);

    mustTabby(['lab', 'delete', 'web', '--name', name]);
    assert.ok(!fs.existsSync(`/run/netns/${name}-${p0![0]}`), 'pod namespace removed');
    assert.equal(weps().filter((w) => w.spec.pod.startsWith('web-')).length, 0, 'CNI DEL removed the WorkloadEndpoints');
    mustTabby(['lab', 'down', '--name', name]);
    assert.deepEqual(labNamespaces(name), []);
  });

  test('etcd datastore: a real etcd on the controlplane, stopped by PID at down', () => {
    const { name, cleanup } = labFixture();
    fixtures.push(cleanup);
    const up = tabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan', '--datastore', 'etcd']);
    assert.equal(up.status, 0, up.stderr);
    assert.match(up.stdout, /etcd running on controlplane \(http:\/\/172\.17\.0\.32:2379/);
    const state = readState(name);
    assert.ok(alive(state.etcd.pid));
    // a node reaches it over the fabric, through `tabby` with the env exec-node sets
    mustTabby(['lab', 'ns', 'dev', '--labels', 'env=dev', '--name', name]);
    const prof = YAML.parse(mustTabby(['lab', 'exec-node', 'node01', '--name', name, '--', 'tabby', 'get', 'profile', 'kns.dev', '-o', 'yaml']));
    assert.equal(prof.spec.labelsToApply['pcns.env'], 'dev');
    mustTabby(['lab', 'down', '--name', name]);
    assert.ok(!alive(state.etcd.pid), 'etcd stopped');
    assert.deepEqual(labNamespaces(name), []);
  });

  test('demo: a step that does not show what the article shows stops it, clearly, with a non-zero exit', () => {
    const { fx, name, cleanup } = labFixture();
    fixtures.push(cleanup);
    // A `tabby` whose node agent refuses to start: everything else is the real one.
    const dir = fs.mkdtempSync('/tmp/tabby-lab-test-');
    const wrapper = path.join(dir, 'tabby');
    fs.writeFileSync(wrapper, `#!/bin/sh\nif [ "$1" = node ] && [ "$2" = run ]; then echo "agent disabled by the test" >&2; exit 1; fi\nexec ${TABBY} "$@"\n`, { mode: 0o755 });
    try {
      const r = spawnSync(TABBY, ['lab', 'demo', '--name', name], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, TABBY_BIN: wrapper } });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ FAILED at "cluster up": expected node agents running and the CNI plugin installed on both nodes/);
      assert.match(r.stdout, /node agent on controlplane exited \(code 1\) at start: agent disabled by the test/);
      assert.match(r.stderr, /demo stopped/);
      assert.deepEqual(labNamespaces(name), [], 'the failed demo removed its lab');
      void fx;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad input is refused with a clear message', () => {
    assert.match(tabby(['lab', 'up', '--name', 'Bad_Name']).stderr, /invalid lab name/);
    assert.match(tabby(['lab', 'up', '--mode', 'gre', '--name', 'x']).stderr, /--mode must be one of/);
    assert.match(tabby(['lab', 'pods', '--name', 'no-such-lab-zz']).stderr, /no lab named "no-such-lab-zz"/);
  });
});

// Lab pods made by containerd through the CRI, as kubelet drives it (`lab run --runtime containerd`):
// containerd (one per node, in the node's netns) makes the sandbox and its netns and calls Tabby's conflist
// with kubelet's CNI_ARGS. Pods on two nodes reach each other; their WorkloadEndpoints carry the namespace
// and name containerd passed; stopping and removing sandboxes (also with the netns already gone, also
// twice) leaves nothing; containerd SIGKILLed and restarted mid-churn leaves nothing. Needs root.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CriClient } from '../../src/lab/cri-client.ts';
import { labFixture, mustTabby, readState, skip, sleep, tabby, TABBY } from './helpers.ts';
import { assertIpamClean, assertNothingLeft, caliLinks, callPlugin, kubeletCniArgs, routesTo, runtimeSkip, weps } from './runtime-helpers.ts';

const why = skip || runtimeSkip('containerd', 'containerd');

describe('lab pods made by containerd (CRI)', { skip: why, timeout: 175_000 }, () => {
  const { name, cleanup } = labFixture();
  const cri = (node: string) => new CriClient(readState(name).nodes.find((n: any) => n.name === node).containerd.socket);
  const pods = () => readState(name).pods as any[];
  const nodeNs = (node: string) => readState(name).nodes.find((n: any) => n.name === node).ns as string;

  before(() => {
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan']);
  });
  after(cleanup);

  test('pods on two nodes, made through RunPodSandbox, ping each other; their endpoints carry namespace and name from CNI_ARGS; a retried ADD is refused', async () => {
    const out = mustTabby(['lab', 'run', 'web', '--name', name, '-n', 'prod', '--replicas', '2', '--runtime', 'containerd']);
    assert.match(out, /2\/2 pod\(s\) running/);
    const [a, b] = pods();
    assert.deepEqual([a.node, b.node].sort(), ['controlplane', 'node01']);
    for (const p of [a, b]) {
      assert.equal(p.runtime, 'containerd');
      assert.match(p.netns, /^cni-[0-9a-f-]{36}$/, 'the netns is containerd\'s');
      assert.ok(fs.existsSync(`/run/netns/${p.netns}`));
      // The sandbox exists in that node's containerd, READY, with kubelet's metadata.
      const c = cri(p.node);
      try {
        const [s] = await c.listPodSandbox({ id: p.containerId });
        assert.equal(s?.state, 'SANDBOX_READY');
        assert.deepEqual([s?.metadata.namespace, s?.metadata.name, s?.metadata.uid], ['prod', p.name, p.uid]);
      } finally { c.close(); }
    }
    // Cross-node, both ways, through `lab exec` (which enters the sandbox's netns).
    for (const [from, to] of [[a, b], [b, a]]) mustTabby(['lab', 'exec', from.name, '--name', name, '--', 'ping', '-c', '1', '-W', '3', to.ip]);
    assert.match(mustTabby(['lab', 'check', '--name', name]), /2 reachable, 0 not/);
    assert.match(mustTabby(['lab', 'status', '--name', name]), /containerd on node01: running \(PID \d+\), CRI socket \S+containerd\.sock/);
    // The endpoint's identity is what containerd passed in CNI_ARGS: namespace, pod name, sandbox ID.
    for (const p of [a, b]) {
      const w = weps(name).find((x) => x.spec.containerID === p.containerId);
      assert.ok(w, `no WorkloadEndpoint for sandbox ${p.containerId}`);
      assert.equal(w.metadata.namespace, 'prod');
      assert.equal(w.spec.pod, p.name);
      assert.equal(w.metadata.labels?.app, 'web', 'kube-controllers\' label sync reached it');
      assert.deepEqual(w.spec.ipNetworks, [`${p.ip}/32`]);
    }
    // ADD retried after a timeout, same sandbox ID and kubelet's CNI_ARGS (the first ADD did finish):
    // refused with code 102 before IPAM, the attachment left exactly as it was.
    const again = callPlugin(name, a.node, 'ADD', { containerId: a.containerId, netns: `/var/run/netns/${a.netns}`, args: kubeletCniArgs(a) });
    assert.notEqual(again.status, 0);
    assert.equal(JSON.parse(again.stdout).code, 102, again.stdout);
    mustTabby(['lab', 'exec', b.name, '--name', name, '--', 'ping', '-c', '1', '-W', '3', a.ip]);
    assert.deepEqual(weps(name).find((x) => x.spec.containerID === a.containerId)?.spec.ipNetworks, [`${a.ip}/32`]);
  });

  test('CHECK on a containerd sandbox; StopPodSandbox after its netns is gone (DEL without netns), twice, and a repeated DEL leave nothing', async () => {
    const [a, b] = pods();
    const aHost = weps(name).find((x) => x.spec.containerID === a.containerId)!.spec.interfaceName;
    const bHost = weps(name).find((x) => x.spec.containerID === b.containerId)!.spec.interfaceName;
    // CHECK, as a runtime would send it with the cached result: passes for the healthy attachment.
    const prev = { interfaces: [{ name: bHost }, { name: 'eth0', sandbox: `/var/run/netns/${b.netns}` }], ips: [{ address: `${b.ip}/32`, interface: 1 }], routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }] };
    const env = (p: any, netns: string) => ({ containerId: p.containerId, netns, args: kubeletCniArgs(p) });
    const check = callPlugin(name, b.node, 'CHECK', env(b, `/var/run/netns/${b.netns}`), prev);
    assert.equal(check.status, 0, `CHECK failed: ${check.stdout}${check.stderr}`);

    // The netns pin goes first (a node reboot, an admin's `ip netns del`): containerd then calls DEL with
    // an empty CNI_NETNS, which must still remove the endpoint, the host veth, the route and the address.
    spawnSync('ip', ['netns', 'del', a.netns]);
    const c = cri(a.node);
    try {
      await c.stopPodSandbox(a.containerId);
      await c.stopPodSandbox(a.containerId); // kubelet may stop twice
      assertNothingLeft(name, { ip: a.ip, nodeNs: nodeNs(a.node), hostVeth: aHost, containerId: a.containerId });
      // A repeated DEL, netns gone, as a runtime retrying its teardown sends it: success, nothing changes.
      for (let i = 0; i < 2; i++) {
        const del = callPlugin(name, a.node, 'DEL', env(a, ''));
        assert.equal(del.status, 0, `DEL #${i + 1} failed: ${del.stdout}${del.stderr}`);
      }
      await c.removePodSandbox(a.containerId);
      await c.removePodSandbox(a.containerId); // idempotent
      assert.deepEqual((await c.listPodSandbox({ id: a.containerId })).length, 0);
    } finally { c.close(); }
    // The lab forgets the pod: removing it again through the runtime is a no-op.
    mustTabby(['lab', 'delete', a.name, '--name', name]);
    // B untouched.
    assert.ok(bHost && caliLinks(nodeNs(b.node)).includes(bHost));
    assert.equal(routesTo(nodeNs(b.node), b.ip).length, 1);
    assertIpamClean(name);
  });

  test('containerd SIGKILLed mid-churn and restarted: every sandbox removed, nothing leaked', async (t) => {
    const before = new Set(fs.readdirSync('/run/netns').filter((n) => n.startsWith('cni-')));
    const kill = (node: string) => {
      const pid = readState(name).nodes.find((n: any) => n.name === node).containerd?.pid;
      assert.ok(pid > 0, `no containerd recorded on ${node}`);
      process.kill(pid, 'SIGKILL');
      return pid as number;
    };
    // Six pods spread over both nodes, three CRI calls in flight; node01's containerd dies meanwhile.
    const run = spawn(TABBY, ['lab', 'run', 'churn', '--name', name, '--replicas', '6', '--concurrency', '3', '--runtime', 'containerd'], { stdio: 'pipe' });
    let output = '';
    run.stdout.on('data', (d) => { output += d; });
    run.stderr.on('data', (d) => { output += d; });
    await sleep(400);
    const killed = kill('node01');
    const code = await new Promise<number | null>((r) => run.on('close', r));
    const restarted = readState(name).nodes.find((n: any) => n.name === 'node01').containerd.pid;
    assert.notEqual(restarted, killed, `containerd on node01 was not started again (run exit ${code}):\n${output}`);
    const churn = pods().filter((p) => p.app === 'churn');
    assert.equal(churn.length, 6);
    // Kubelet retries a failed sandbox; the lab does too, so every pod comes up once containerd is back.
    assert.equal(churn.filter((p) => p.status === 'Running').length, 6, output);
    mustTabby(['lab', 'check', '--name', name]);

    // Killed again while idle: `lab delete` finds it dead, starts it, and removes every sandbox through it.
    kill('node01');
    mustTabby(['lab', 'delete', 'churn', '--name', name]);
    for (const p of churn) assertNothingLeft(name, { ip: p.ip, nodeNs: nodeNs(p.node), containerId: p.containerId });
    const remaining = pods();
    assert.deepEqual(remaining.map((p) => p.app), ['web']);
    // Per node: the only sandboxes, links and endpoints are the remaining pod's.
    for (const node of ['controlplane', 'node01']) {
      const c = cri(node);
      try {
        assert.deepEqual((await c.listPodSandbox()).map((s) => s.id), remaining.filter((p) => p.node === node).map((p) => p.containerId), `sandboxes left on ${node}`);
      } finally { c.close(); }
      assert.equal(caliLinks(nodeNs(node)).length, remaining.filter((p) => p.node === node).length, `cali links on ${node}: ${caliLinks(nodeNs(node))}`);
    }
    assert.equal(weps(name).length, remaining.length);
    // Kubernetes' IPAM GC (kube-controllers) would run now; on demand it is `ipam release --leaked`. An address
    // leaked by a kill between CNI ADD and containerd recording the sandbox is released here; the remaining
    // pod's address (it has an endpoint) must be kept.
    const gc = tabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'ipam', 'release', '--leaked', '--min-age', '0']);
    assert.equal(gc.status, 0, `ipam release --leaked failed:\n${gc.stdout}\n${gc.stderr}`);
    for (const line of gc.stdout.split('\n').filter((l) => l.startsWith('Released'))) t.diagnostic(`IPAM GC: ${line}`);
    for (const p of remaining) assert.doesNotMatch(gc.stdout, new RegExp(`Released ${p.ip.replace(/\./g, '\\.')}\\b`), `GC released ${p.ip}, which is in use`);
    assertIpamClean(name, 'A leaked address whose handle is k8s-pod-network.<ID> of a sandbox no containerd knows means containerd 1.6 '
      + 'was killed between CNI ADD and recording the sandbox (it sets up the network first); nothing will DEL it: only IPAM GC can release it.');
    // containerd 1.6 makes a sandbox's netns before it records the sandbox: killed in between, it leaves
    // the pin of an empty netns that no sandbox owns (its own leak; no CNI call ever saw it). Anything in
    // such a netns beyond `lo` would be a network leak.
    for (const ns of fs.readdirSync('/run/netns').filter((n) => n.startsWith('cni-') && !before.has(n))) {
      const links = [...spawnSync('ip', ['-n', ns, '-o', 'link', 'show'], { encoding: 'utf8' }).stdout.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]);
      assert.deepEqual(links, ['lo'], `netns ${ns}, left by containerd, holds interfaces`);
      t.diagnostic(`containerd left the pin of an empty netns, ${ns} (killed between making it and recording its sandbox); removed`);
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });

  test('the article\'s demo passes with its pods made by containerd', () => {
    // Its own lab (the demo replaces and removes it): this lab's name plus "d".
    const demo = `${name}d`;
    try {
      const r = spawnSync(TABBY, ['lab', 'demo', '--name', demo, '--runtime', 'containerd'], { encoding: 'utf8', timeout: 150_000 });
      assert.equal(r.status, 0, `demo failed:\n${r.stdout.split('\n').filter((l) => /✗|FAILED|got:/.test(l)).join('\n')}\n${r.stderr}`);
      assert.match(r.stdout, /The demo showed everything the article shows\./);
    } finally {
      tabby(['lab', 'down', '--name', demo]);
    }
  });

  test('`lab down` stops the sandboxes through containerd, then containerd, and leaves no netns or mount', () => {
    const state = readState(name);
    const netns = state.pods.map((p: any) => p.netns);
    const pids = state.nodes.map((n: any) => n.containerd?.pid).filter(Boolean);
    assert.equal(pids.length, 2);
    mustTabby(['lab', 'down', '--name', name]);
    for (const ns of netns) assert.ok(!fs.existsSync(`/run/netns/${ns}`), `${ns} left`);
    for (const pid of pids) assert.ok(!fs.existsSync(`/proc/${pid}/cmdline`) || !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(name), `containerd ${pid} still runs`);
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(`/tabby-lab/${name}/`), 'mounts left under the lab directory');
    assert.equal(tabby(['lab', 'pods', '--name', name]).status !== 0, true);
  });
});

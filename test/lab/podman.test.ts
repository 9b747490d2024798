// Lab pods made by podman on its CNI backend (`lab run --runtime podman`): podman (in the node's netns,
// runc + cgroupfs, storage under the lab) makes the container and its netns and calls Tabby's conflist.
// Podman passes only `IgnoreUnknown=1;K8S_POD_NAME=<container>` in CNI_ARGS itself and appends a CNI_ARGS
// from its environment: the lab gives it the pod's namespace, name and UID that way, so the endpoints are
// Kubernetes ones, as with kubelet. Needs root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { labFixture, mustTabby, readState, skip, tabby, TABBY } from './helpers.ts';
import { podCniArgs } from '../../src/lab/podman.ts';
import { assertIpamClean, assertNothingLeft, caliLinks, callPlugin, runtimeSkip, weps } from './runtime-helpers.ts';

const why = skip || runtimeSkip('podman', 'podman');

describe('lab pods made by podman (CNI backend)', { skip: why, timeout: 170_000 }, () => {
  const { name, cleanup } = labFixture();
  const pods = () => readState(name).pods as any[];
  const nodeNs = (node: string) => readState(name).nodes.find((n: any) => n.name === node).ns as string;

  before(() => {
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan']);
  });
  after(cleanup);

  test('containers on two nodes ping each other; their endpoints carry namespace and name from CNI_ARGS', () => {
    const out = mustTabby(['lab', 'run', 'pm', '--name', name, '-n', 'prod', '--replicas', '2', '--runtime', 'podman']);
    assert.match(out, /2\/2 pod\(s\) running/);
    const [a, b] = pods();
    assert.deepEqual([a.node, b.node].sort(), ['controlplane', 'node01']);
    for (const p of [a, b]) {
      assert.equal(p.runtime, 'podman');
      assert.match(p.netns, /^netns-[0-9a-f-]{36}$/, 'the netns is podman\'s');
      assert.match(p.containerId, /^[0-9a-f]{64}$/);
    }
    for (const [from, to] of [[a, b], [b, a]]) mustTabby(['lab', 'exec', from.name, '--name', name, '--', 'ping', '-c', '1', '-W', '3', to.ip]);
    assert.match(mustTabby(['lab', 'check', '--name', name]), /2 reachable, 0 not/);
    for (const p of [a, b]) {
      const w = weps(name).find((x) => x.spec.containerID === p.containerId);
      assert.ok(w, `no WorkloadEndpoint for container ${p.containerId}`);
      assert.equal(w.metadata.namespace, 'prod');
      assert.equal(w.spec.orchestrator, 'k8s');
      assert.equal(w.spec.pod, p.name);
      assert.equal(w.metadata.labels?.app, 'pm', 'kube-controllers\' label sync reached it');
    }
    // ADD retried for the same container (a runtime whose first ADD timed out but did finish): refused
    // with code 102, and the attachment is left exactly as it was.
    const again = callPlugin(name, a.node, 'ADD', { containerId: a.containerId, netns: `/run/netns/${a.netns}`, args: `IgnoreUnknown=1;K8S_POD_NAME=${a.name};${podCniArgs(a)}` });
    assert.notEqual(again.status, 0);
    assert.equal(JSON.parse(again.stdout).code, 102, again.stdout);
    mustTabby(['lab', 'exec', b.name, '--name', name, '--', 'ping', '-c', '1', '-W', '3', a.ip]);
    assert.deepEqual(weps(name).find((x) => x.spec.containerID === a.containerId)?.spec.ipNetworks, [`${a.ip}/32`]);
  });

  test('a repeated DEL and a DEL after the netns is gone succeed; `lab delete` removes container, netns, endpoint, veth, route and address', () => {
    const [a, b] = pods();
    const aHost = weps(name).find((x) => x.spec.containerID === a.containerId)!.spec.interfaceName;
    // DEL as podman sends it, twice, with the container's netns still there; then podman's own removal.
    const args = `IgnoreUnknown=1;K8S_POD_NAME=${a.name};K8S_POD_NAMESPACE=prod;K8S_POD_UID=${a.uid}`;
    for (let i = 0; i < 2; i++) {
      const del = callPlugin(name, a.node, 'DEL', { containerId: a.containerId, netns: `/run/netns/${a.netns}`, args });
      assert.equal(del.status, 0, `DEL #${i + 1} failed: ${del.stdout}${del.stderr}`);
    }
    assertNothingLeft(name, { ip: a.ip, nodeNs: nodeNs(a.node), hostVeth: aHost, containerId: a.containerId });
    mustTabby(['lab', 'delete', a.name, '--name', name]);
    assert.ok(!fs.existsSync(`/run/netns/${a.netns}`), 'podman removed its netns');
    // After the netns is gone: DEL with a netns path that no longer exists still succeeds.
    const late = callPlugin(name, a.node, 'DEL', { containerId: a.containerId, netns: `/run/netns/${a.netns}`, args });
    assert.equal(late.status, 0, `DEL after the netns is gone failed: ${late.stdout}${late.stderr}`);
    // B untouched; then B removed the normal way.
    mustTabby(['lab', 'exec', b.name, '--name', name, '--', 'ip', 'addr', 'show', 'eth0']);
    const bHost = weps(name).find((x) => x.spec.containerID === b.containerId)!.spec.interfaceName;
    mustTabby(['lab', 'delete', 'pm', '--name', name]);
    assertNothingLeft(name, { ip: b.ip, nodeNs: nodeNs(b.node), hostVeth: bHost, containerId: b.containerId });
    assert.ok(!fs.existsSync(`/run/netns/${b.netns}`));
    for (const node of ['controlplane', 'node01']) assert.deepEqual(caliLinks(nodeNs(node)), []);
    assert.deepEqual(weps(name), []);
    assertIpamClean(name);
  });

  test('the article\'s demo passes with its pods made by podman', () => {
    // Its own lab (the demo replaces and removes it): this lab's name plus "d".
    const demo = `${name}d`;
    try {
      const r = spawnSync(TABBY, ['lab', 'demo', '--name', demo, '--runtime', 'podman'], { encoding: 'utf8', timeout: 150_000 });
      assert.equal(r.status, 0, `demo failed:\n${r.stdout.split('\n').filter((l) => /✗|FAILED|got:/.test(l)).join('\n')}\n${r.stderr}`);
      assert.match(r.stdout, /The demo showed everything the article shows\./);
    } finally {
      tabby(['lab', 'down', '--name', demo]);
    }
  });

  test('`lab down` removes running podman containers (CNI DEL through podman) and leaves no netns or mount', () => {
    mustTabby(['lab', 'run', 'pm2', '--name', name, '--replicas', '2', '--runtime', 'podman']);
    const netns = pods().map((p) => p.netns);
    mustTabby(['lab', 'down', '--name', name]);
    for (const ns of netns) assert.ok(!fs.existsSync(`/run/netns/${ns}`), `${ns} left`);
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(`/tabby-lab/${name}/`), 'mounts left under the lab directory');
    const conmon = spawnSync('pgrep', ['-af', `/tabby-lab/${name}/`], { encoding: 'utf8' }).stdout.trim();
    assert.equal(conmon, '', `processes of the lab still run:\n${conmon}`);
  });
});

// Issue #20 ("a Calico user's first hour") in a real VXLAN lab: `node status` on a node without BGP, Calico's
// default objects, an unenforced setting warned about on apply and in the agent log, the log format, and
// `lab run` scaling an existing deployment. Root; the lab's namespaces are removed after the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import YAML from 'yaml';
import { labFixture, mustTabby, readState, skip, tabby } from './helpers.ts';

const fixtures: (() => void)[] = [];
after(() => { for (const f of fixtures.splice(0)) f(); });

describe('a Calico user\'s first hour, in a VXLAN lab', { skip }, () => {
  let name = '';
  const onNode = (...args: string[]) => tabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', ...args]);
  before(() => {
    const fx = labFixture();
    name = fx.name;
    fixtures.push(fx.cleanup);
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan']);
  });

  test('item 1: `tabby node status` on a VXLAN node says no BGP backend runs, exit 0', () => {
    const st = onNode('node', 'status');
    assert.equal(st.status, 0, st.stdout + st.stderr);
    assert.equal(st.stdout, 'Calico process is running.\n\nNone of the BGP backend processes (BIRD or GoBGP) are running.\n\n');

  });

  test('item 4: calico-node\'s default objects exist', () => {
    const tier = YAML.parse(onNode('get', 'tier', 'default', '-o', 'yaml').stdout);
    assert.deepEqual(tier.spec, { order: 1000000, defaultAction: 'Deny' });
    const fc = onNode('get', 'felixconfiguration', 'default', '-o', 'yaml');
    assert.equal(fc.status, 0, fc.stderr);

  });

  test('items 2 and 7: an unenforced setting is warned about on apply and in the agent log, in the one log format', () => {
    const felix = 'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {logSeverityScreen: Debug, vxlanVNI: 4096}\n';
    const applied = tabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'apply', '-f', '-'], { input: felix });
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(applied.stderr, /Warning: FelixConfiguration\(default\): accepted but not enforced by Tabby: spec\.logSeverityScreen/);
    const logFile = readState(name).nodes[0].logFile as string;
    const deadline = Date.now() + 10_000;
    let lines: Record<string, unknown>[] = [];
    while (Date.now() < deadline) {
      lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      if (lines.some((l) => l.msg === 'settings accepted but not enforced by Tabby' && l.resource === 'FelixConfiguration(default)')) break;
      spinWait(200);
    }
    assert.ok(lines.some((l) => l.msg === 'settings accepted but not enforced by Tabby' && l.resource === 'FelixConfiguration(default)'), 'agent log names the setting');

    // item 7: the agent's log in the one format
    for (const l of lines) {
      assert.match(String(l.time), /^\d{4}-\d\d-\d\dT/, JSON.stringify(l));
      assert.ok(['trace', 'debug', 'info', 'warning', 'error', 'fatal'].includes(String(l.level)), JSON.stringify(l));
    }

  });

  test('item 6: `lab run` on an existing deployment scales it up and down', () => {
    assert.match(mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '2']), /deployment\.apps\/web created: 2\/2 pod\(s\) running/);
    const up = mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '3']);
    assert.match(up, /deployment\.apps\/web scaled from 2 to 3 replica\(s\): created web-\S+; 3\/3 pod\(s\) running/);
    const webPods = () => readState(name).pods.filter((p: { app: string }) => p.app === 'web') as { name: string; netns: string; node: string }[];
    assert.equal(webPods().length, 3);
    const before = webPods();
    const down = mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1']);
    assert.match(down, /deployment\.apps\/web scaled from 3 to 1 replica\(s\): deleted web-\S+, web-\S+; 1\/1 pod\(s\) running/);
    assert.equal(webPods().length, 1);
    for (const p of before.filter((b) => !webPods().some((w) => w.name === b.name))) assert.ok(!fs.existsSync(`/run/netns/${p.netns}`), `${p.name} removed`);
    assert.match(mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1']), /deployment\.apps\/web unchanged: already 1 replica\(s\); 1\/1 pod\(s\) running/);
    const noCount = tabby(['lab', 'run', 'web', '--name', name]);
    assert.equal(noCount.status, 1);
    assert.match(noCount.stderr, /deployment\.apps\/web already exists in namespace default with 1 pod\(s\): give --replicas N to scale it/);
    const relabel = tabby(['lab', 'run', 'web', '--name', name, '--replicas', '2', '--labels', 'tier=db']);
    assert.equal(relabel.status, 1);
    assert.match(relabel.stderr, /changing the pod template of a deployment is not supported/);
    assert.equal(webPods().length, 1);
  });
});

function spinWait(ms: number): void { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); }

// Routing modes in the lab, end to end with the node agent (root): two subnets with VXLAN CrossSubnet
// (same subnet routed directly, the other subnet encapsulated), and IPIP, the default mode.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { block26, esc, labWithPods, mustTabby, skip, tabby } from './helpers.ts';

/** Polls a node's routes until every pattern matches (routes converge after the pods appear). */
async function routesEventually(name: string, node: string, patterns: RegExp[], timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let routes = '';
  for (;;) {
    routes = tabby(['lab', 'exec-node', node, '--name', name, '--', 'ip', 'route']).stdout;
    if (patterns.every((p) => p.test(routes))) return routes;
    if (Date.now() > deadline) {
      assert.fail(`routes on ${node} never matched ${patterns.filter((p) => !p.test(routes)).join(', ')}:\n${routes}`);
    }
    await new Promise((r) => setTimeout(r, 1000)); // re-read the node's routes once a second
  }
}

function podIps(name: string): Map<string, string> {
  const rows = mustTabby(['lab', 'pods', '--name', name, '-o', 'wide']).trim().split('\n').slice(1).map((l) => l.split(/\s+/));
  return new Map(rows.map((r) => [r[6]!, r[5]!]));
}

/** The block (/26) holding an address, as it appears in `ip route`. */

describe('lab routing modes', { skip }, () => {
  const cleanups: (() => void)[] = [];
  after(() => { for (const c of cleanups) c(); });

  test('vxlan-crosssubnet over two subnets: direct within a subnet, vxlan.calico across the router', async () => {
    const name = labWithPods(cleanups, ['--nodes', '3', '--subnets', '2', '--mode', 'vxlan-crosssubnet'], 3);
    const ips = podIps(name);
    assert.deepEqual([...ips.keys()].sort(), ['controlplane', 'node01', 'node02']);
        // node02 (172.17.0.41) shares controlplane's subnet; node01 (172.17.1.40) is behind the router.
    await routesEventually(name, 'controlplane', [
      new RegExp(`^${esc(block26(ips.get('node02')!))} via 172\\.17\\.0\\.41 dev ens3`, 'm'),
      new RegExp(`^${esc(block26(ips.get('node01')!))} via \\S+ dev vxlan\\.calico .*onlink`, 'm'),
    ]);
    const check = tabby(['lab', 'check', '--name', name], { timeoutMs: 120_000 });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /3 pod\(s\), 6 pair\(s\): 6 reachable, 0 not/);
    mustTabby(['lab', 'down', '--name', name]);
  });

  test('ipip (the default mode): the remote block via tunl0 onlink, pods reach each other', async () => {
    const name = labWithPods(cleanups, ['--nodes', '2'], 4);
    const ips = podIps(name);
    await routesEventually(name, 'controlplane', [
      new RegExp(`^${block26(ips.get('node01')!).replace(/\./g, '\\.')} via 172\\.17\\.0\\.40 dev tunl0 proto bird onlink`, 'm'),
    ]);
    const check = tabby(['lab', 'check', '--name', name], { timeoutMs: 120_000 });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /4 pod\(s\), 12 pair\(s\): 12 reachable, 0 not/);
    mustTabby(['lab', 'down', '--name', name]);
  });
});

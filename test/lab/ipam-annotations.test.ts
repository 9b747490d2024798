// Calico's IPAM annotations and pool selectors through the real CNI executables in a lab (root): pods
// declared with `tabby lab run --annotation` get the address or pool asked for (a Manual pool only then), a namespace's labels choose
// its pool, a reserved address is never auto-assigned, and an address outside every pool fails the pod
// with Calico's message.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { labFixture, mustTabby, skip, tabby } from './helpers.ts';

const POOLS = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: blue
spec:
  cidr: 10.99.0.0/24
  blockSize: 29
  assignmentMode: Manual
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: team-a
spec:
  cidr: 10.98.0.0/24
  blockSize: 29
  namespaceSelector: team == 'a'
---
apiVersion: projectcalico.org/v3
kind: IPReservation
metadata:
  name: blue-gateway
spec:
  reservedCIDRs: [10.99.0.0/30]
`;

function podIPs(name: string, ns: string, app: string): string[] {
  const out = mustTabby(['lab', 'pods', '--name', name, '-n', ns, '-o', 'wide']);
  return out.trim().split('\n').slice(1).map((l) => l.split(/\s+/)).filter((r) => r[0]!.startsWith(`${app}-`)).map((r) => r[5]!);
}

describe('IPAM annotations and selectors in a lab', { skip }, () => {
  const cleanups: Array<() => void> = [];
  after(() => { for (const c of cleanups) c(); });

  test('ipAddrs, ipv4pools, namespaceSelector and IPReservation through the CNI executables', { timeout: 600_000 }, () => {
    const { name, cleanup } = labFixture();
    cleanups.push(cleanup);
    mustTabby(['lab', 'up', '--name', name, '--nodes', '1', '--mode', 'vxlan']);
    const node = ['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby'];
    mustTabby([...node, 'apply', '-f', '-'], { input: POOLS });
    // The default pool keeps to namespaces without a team, so team-a is the only pool for team a.
    mustTabby([...node, 'patch', 'ippool', 'default-ipv4-ippool', '-p', '{"spec":{"namespaceSelector":"!has(team)"}}']);

    mustTabby(['lab', 'run', 'pinned', '--name', name, '--annotation', 'cni.projectcalico.org/ipAddrs=["192.168.200.7"]']);
    assert.deepEqual(podIPs(name, 'default', 'pinned'), ['192.168.200.7']);

    mustTabby(['lab', 'run', 'blue', '--name', name, '--replicas', '3', '--annotation', 'cni.projectcalico.org/ipv4pools=["blue"]']);
    const blue = podIPs(name, 'default', 'blue').sort();
    assert.equal(blue.length, 3);
    for (const ip of blue) {
      assert.match(ip, /^10\.99\.0\.\d+$/);
      assert.ok(Number(ip.split('.')[3]) >= 4, `${ip} is in the reserved 10.99.0.0/30`);
    }

    mustTabby(['lab', 'ns', 'shop', '--name', name, '--labels', 'team=a']);
    mustTabby(['lab', 'run', 'shopweb', '--name', name, '-n', 'shop', '--replicas', '2']);
    for (const ip of podIPs(name, 'shop', 'shopweb')) assert.match(ip, /^10\.98\.0\.\d+$/);
    for (const ip of podIPs(name, 'default', 'pinned')) assert.doesNotMatch(ip, /^10\.98\./);

    const outside = tabby(['lab', 'run', 'lost', '--name', name, '--annotation', 'cni.projectcalico.org/ipAddrs=["203.0.113.5"]']);
    assert.notEqual(outside.status, 0);
    assert.match(outside.stderr, /error getting IP from IPAM: failed to assign requested IP 203\.0\.113\.5: 203\.0\.113\.5 is not in any configured IP pool/);

    const check = mustTabby([...node, 'ipam', 'check']);
    assert.match(check, /Found 0 allocated IPs that are reserved/);
  });
});

// Route reflectors in a live lab (root): 5 nodes without encapsulation switch from the node-to-node mesh
// to 2 route reflectors (`tabby lab route-reflectors 2`: label route-reflector=true, routeReflectorClusterID,
// BGPPeer peer-with-route-reflectors, nodeToNodeMeshEnabled false) and back (`… 0`), twice, while pods
// ping each other every 20 ms: not one echo may be lost, the clients end with sessions to the reflectors
// only and routes straight to each block's node, and no BGP session is restarted by the switch.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { block26, esc, labWithPods, mustTabby, skip, sleep, tabby } from './helpers.ts';

const NODE_IP: Record<string, string> = { controlplane: '172.17.0.32', node01: '172.17.0.40', node02: '172.17.0.41', node03: '172.17.0.42', node04: '172.17.0.43' };
const REFLECTORS = ['node01', 'node03']; // what pickReflectors chooses for 2 of 5 nodes (not the controlplane)

interface Status { clusterId?: string; peers: { address: string; peerType: string; state: string; since: string }[] }

function status(name: string, node: string): Status {
  return JSON.parse(mustTabby(['lab', 'exec-node', node, '--name', name, '--', 'tabby', 'node', 'status', '-o', 'json']));
}

function podsWide(name: string): { name: string; ip: string; node: string }[] {
  return mustTabby(['lab', 'pods', '--name', name, '-o', 'wide']).trim().split('\n').slice(1)
    .map((l) => l.split(/\s+/)).map((r) => ({ name: r[0]!, ip: r[5]!, node: r[6]! }));
}

/** A ping every 20 ms from a pod to an address; resolves to ping's output (`-D -O`: lost echoes are named with their time). */
function pingFor(name: string, fromPod: string, ip: string, count: number, cleanups: (() => void)[]): Promise<string> {
  const p = spawn('ip', ['netns', 'exec', `${name}-${fromPod}`, 'ping', '-D', '-O', '-n', '-i', '0.02', '-W', '1', '-c', String(count), ip], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  cleanups.push(() => { if (p.exitCode === null && p.pid) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } });
  return new Promise((r) => p.on('close', () => r(out)));
}

function lost(out: string): number {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  assert.ok(m, `no ping summary:\n${out.slice(-2000)}`);
  return Number(m[1]) - Number(m[2]);
}

describe('lab route reflectors (mode none): live mesh → reflectors → mesh', { skip }, () => {
  const cleanups: (() => void)[] = [];
  after(() => { for (const c of cleanups.reverse()) c(); });

  test('2 reflectors take over from the mesh and hand back, twice, with continuous pings losing nothing', async () => {
    const name = labWithPods(cleanups, ['--nodes', '5', '--mode', 'none'], 5);
    const pods = podsWide(name);
    const on = (node: string) => pods.find((p) => p.node === node)!;
    assert.deepEqual(pods.map((p) => p.node).sort(), Object.keys(NODE_IP).sort(), `one pod per node: ${JSON.stringify(pods)}`);
    // The mesh converges after `lab run` returns: wait until every pair answers (the baseline).
    let check = tabby(['lab', 'check', '--name', name], { timeoutMs: 150_000 });
    for (const end = Date.now() + 60_000; check.status !== 0 && Date.now() < end; check = tabby(['lab', 'check', '--name', name], { timeoutMs: 150_000 })) await sleep(1000);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    // The sessions that live through both switches: those with a reflector at one end.
    const kept = (node: string) => status(name, node).peers
      .filter((p) => REFLECTORS.includes(node) || REFLECTORS.some((r) => NODE_IP[r] === p.address)).map((p) => `${p.address} ${p.since}`).sort();
    const sessionsBefore = Object.fromEntries(Object.keys(NODE_IP).map((n) => [n, kept(n)]));

    // Client → client, client → reflector, reflector → client, reflector → reflector; 1500 × 20 ms = 30 s.
    const pairs: [string, string][] = [['controlplane', 'node04'], ['node02', 'node01'], ['node03', 'node02'], ['node01', 'node03']];
    const pings = pairs.map(([a, b]) => pingFor(name, on(a).name, on(b).ip, 1500, cleanups));
    for (let round = 0; round < 2; round++) {
      const rr = mustTabby(['lab', 'route-reflectors', '2', '--name', name]);
      assert.match(rr, /route reflectors node01, node03 in/, rr);
      for (const node of Object.keys(NODE_IP)) {
        const s = status(name, node);
        const want = REFLECTORS.includes(node) ? Object.keys(NODE_IP).filter((n) => n !== node) : REFLECTORS;
        assert.deepEqual(s.peers.map((p) => `${p.address} ${p.peerType} ${p.state}`).sort(), want.map((n) => `${NODE_IP[n]} node specific Established`).sort(), `${node}: ${JSON.stringify(s)}`);
        assert.equal(s.clusterId, REFLECTORS.includes(node) ? '244.0.0.1' : undefined, node);
      }
      // A reflector keeps the next hop: node02 (a client) routes node04's block straight to node04.
      const routes = mustTabby(['lab', 'exec-node', 'node02', '--name', name, '--', 'ip', 'route']);
      assert.match(routes, new RegExp(`^${esc(block26(on('node04').ip))} via ${esc(NODE_IP.node04!)} dev ens3 proto bird`, 'm'), routes);

      const mesh = mustTabby(['lab', 'route-reflectors', '0', '--name', name]);
      assert.match(mesh, /full node-to-node mesh in/, mesh);
      for (const node of Object.keys(NODE_IP)) {
        const s = status(name, node);
        assert.deepEqual(s.peers.map((p) => `${p.address} ${p.peerType} ${p.state}`).sort(),
          Object.keys(NODE_IP).filter((n) => n !== node).map((n) => `${NODE_IP[n]} node-to-node mesh Established`).sort(), `${node}: ${JSON.stringify(s)}`);
        assert.equal(s.clusterId, undefined);
      }
    }
    // The switch is done in place: every session with a reflector is the one that was up before (same `since`).
    for (const node of Object.keys(NODE_IP)) assert.deepEqual(kept(node), sessionsBefore[node], `${node}: sessions restarted`);
    const outs = await Promise.all(pings);
    pairs.forEach(([a, b], i) => assert.equal(lost(outs[i]!), 0, `${a} → ${b} lost echoes:\n${outs[i]!.split('\n').filter((l) => !/bytes from/.test(l)).join('\n')}`));
  });
});

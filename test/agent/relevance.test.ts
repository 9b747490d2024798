// The agent skips calculate() for datastore changes relevance.ts calls irrelevant. The claim checked here, over
// random change sequences: whenever a change is skipped, a fresh calculation gives exactly the desired state
// the agent keeps. No root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../src/api/resource.ts';
import { calculate, type CalcContext } from '../../src/agent/calc/graph.ts';
import { affectsDesiredState } from '../../src/agent/calc/relevance.ts';
import { AGENT_KINDS, Snapshot } from '../../src/agent/calc/snapshot.ts';
import { block, node, pool, wep } from './fixtures.ts';

const NODES = ['n1', 'n2', 'n3', 'n4'];

for (const bgpEnabled of [false, true]) {
  test(`a change called irrelevant never changes what calculate() gives; the relevant ones are recalculated (BGP ${bgpEnabled ? 'on' : 'off'})`, () => {
    const { skipped, recalculated, blockSkips, otherKinds, otherSkips } = walk({ nodeName: 'n1', parentIface: 'eth0', hostMtu: 1500, bgpEnabled });
    assert.ok(skipped > 150, `skipped ${skipped}`);
    assert.ok(recalculated > 100, `recalculated ${recalculated}`);
    // With BGP on, another node's block in the IPIP pool changing hands is skipped too.
    // BGP's and policy's kinds arrive on the agent's watch too; calculate() reads none of them.
    assert.ok(otherKinds > 40, `changes of other kinds: ${otherKinds}`);
    assert.equal(otherSkips, otherKinds, 'every change of a kind calculate() does not read is skipped');
    if (bgpEnabled) assert.ok(blockSkips > 10, `block changes of hands skipped: ${blockSkips}`);
    else assert.equal(blockSkips, 0);
  });
}

/**
 * 600 random changes: pods come and go, move and are relabelled, blocks allocate and change hands. Blocks
 * sit in a VXLAN pool and an IPIP pool; node n4's VXLAN tunnel address lies in an IPIP-pool block (a
 * misconfiguration calculate() still has to answer for).
 */
function walk(ctx: CalcContext): { skipped: number; recalculated: number; blockSkips: number; otherKinds: number; otherSkips: number } {
  let seed = 11; // xorshift32
  const rand = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
  const snap = new Snapshot([...AGENT_KINDS, ...OTHER_KINDS]);
  snap.set(pool('p', '10.10.0.0/16', { vxlanMode: 'Always' }));
  snap.set(pool('q', '10.20.0.0/16', { ipipMode: 'Always' }));
  NODES.forEach((n, i) => snap.set(node(n, `172.17.0.${10 + i}/16`, { vxlan: i === 3 ? '10.20.6.9' : `10.10.${200 + i}.1`, mac: `66:aa:99:2f:dc:2${i}` })));
  // Blocks 10.10.<k>.0/26 and 10.20.<k>.0/26, k = 0..7, affine to a node each; a pod's address is in some
  // block, often its node's own.
  const blocks = Array.from({ length: 16 }, (_, k) => `10.${k < 8 ? 10 : 20}.${k % 8}.0/26`);
  blocks.forEach((c, k) => snap.set(block(c, NODES[k % 4])));
  let rv = 1000;
  let pods = 0;
  let last = calculate(snap, ctx);
  let skipped = 0, recalculated = 0, blockSkips = 0, otherKinds = 0, otherSkips = 0;
  const apply = (kind: string, old: Resource | undefined, now: Resource | undefined) => {
    if (now) snap.set(now); else if (old) snap.delete(old);
    if (OTHER_KINDS.includes(kind)) otherKinds++;
    if (affectsDesiredState(kind, { old, now }, snap, ctx)) {
      last = calculate(snap, ctx);
      recalculated++;
    } else {
      assert.deepEqual(calculate(snap, ctx), last, `${kind} ${now?.metadata.name ?? old?.metadata.name}: skipped, yet the calculation differs`);
      skipped++;
      if (kind === 'IPAMBlock' && old?.spec.affinity !== now?.spec.affinity) blockSkips++;
      if (OTHER_KINDS.includes(kind)) otherSkips++;
    }
  };
  // Changes of other kinds come from a second generator, every fourth step, so the sequence above is as it was.
  let seed2 = 23;
  const rand2 = (n: number) => { seed2 ^= seed2 << 13; seed2 ^= seed2 >>> 17; seed2 ^= seed2 << 5; return (seed2 >>> 0) % n; };
  for (let step = 0; step < 600; step++) {
    if (step % 4 === 0) {
      // A kind calculate() does not read: a block claimed (its affinity, pending then confirmed), a BGP peer, a policy.
      const kind = OTHER_KINDS[rand2(OTHER_KINDS.length)]!;
      const name = `${kind.toLowerCase()}-${rand2(3)}`;
      const old = snap.get(kind, name, kind === 'NetworkPolicy' ? 'default' : undefined);
      const now = rand2(4) === 0 ? undefined : other(kind, name, NODES[rand2(4)]!, String(rv++));
      if (old || now) apply(kind, old, now);
    }
    const r = rand(10);
    const weps = [...snap.items('WorkloadEndpoint')];
    if (r <= 3 || weps.length === 0) {
      // A new pod: on a random node, its address in a random block (its node's own, mostly: borrowed sometimes).
      const onNode = NODES[rand(4)]!;
      const own = blocks.filter((_, k) => NODES[k % 4] === onNode);
      const cidr = rand(4) === 0 ? blocks[rand(16)]! : own[rand(own.length)]!;
      const ip = cidr.replace(/\.0\/26$/, `.${1 + rand(60)}`);
      apply('WorkloadEndpoint', undefined, wep('default', `p${pods}`, onNode, ip, `cali${String(pods++).padStart(11, '0')}`));
    } else if (r === 4) {
      const w = weps[rand(weps.length)]!;
      apply('WorkloadEndpoint', w, undefined);
    } else if (r === 5) {
      // Relabelled: nothing routing reads.
      const w = weps[rand(weps.length)]!;
      apply('WorkloadEndpoint', w, { ...w, metadata: { ...w.metadata, labels: { app: String(rand(3)) }, resourceVersion: String(rv++) } });
    } else if (r <= 7) {
      // An allocation in a block (what every pod does to its block).
      const b = [...snap.items('IPAMBlock')][rand(16)]!;
      apply('IPAMBlock', b, { ...b, metadata: { ...b.metadata, resourceVersion: String(rv++) }, spec: { ...b.spec, allocations: [...(b.spec.allocations ?? []), rand(64)] } });
    } else if (r === 8) {
      // A block changes hands.
      const b = [...snap.items('IPAMBlock')][rand(16)]!;
      apply('IPAMBlock', b, { ...b, metadata: { ...b.metadata, resourceVersion: String(rv++) }, spec: { ...b.spec, affinity: `host:${NODES[rand(4)]}` } });
    } else {
      // An endpoint moves to another address (a new pod reusing the name would look like this).
      const w = weps[rand(weps.length)]!;
      const ip = blocks[rand(16)]!.replace(/\.0\/26$/, `.${1 + rand(60)}`);
      apply('WorkloadEndpoint', w, { ...w, metadata: { ...w.metadata, resourceVersion: String(rv++) }, spec: { ...w.spec, ipNetworks: [`${ip}/32`] } });
    }
  }
  return { skipped, recalculated, blockSkips, otherKinds, otherSkips };
}

const OTHER_KINDS = ['BlockAffinity', 'BGPPeer', 'BGPConfiguration', 'NetworkPolicy'];

function other(kind: string, name: string, nodeName: string, resourceVersion: string): Resource {
  const spec: Record<string, unknown> = {
    BlockAffinity: { node: nodeName, cidr: '10.20.1.0/26', state: 'confirmed', deleted: 'false' },
    BGPPeer: { node: nodeName, peerIP: '172.17.0.99', asNumber: 64512 },
    BGPConfiguration: { nodeToNodeMeshEnabled: resourceVersion.endsWith('1') },
    NetworkPolicy: { selector: `app == '${nodeName}'`, types: ['Ingress'] },
  }[kind]!;
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, resourceVersion, ...(kind === 'NetworkPolicy' ? { namespace: 'default' } : {}) }, spec };
}

test('with BGP on, a block holding another node\'s VTEP address still counts when it changes hands', () => {
  const ctx: CalcContext = { nodeName: 'n1', parentIface: 'eth0', hostMtu: 1500, bgpEnabled: true };
  const snap = new Snapshot([...AGENT_KINDS, ...OTHER_KINDS]);
  snap.set(pool('p', '10.10.0.0/16', { vxlanMode: 'Always' }));
  snap.set(pool('q', '10.20.0.0/16', { ipipMode: 'Always' }));
  NODES.forEach((n, i) => snap.set(node(n, `172.17.0.${10 + i}/16`, { vxlan: i === 3 ? '10.20.6.9' : `10.10.${200 + i}.1` })));
  const before = block('10.20.6.0/26', 'n3');
  snap.set(before);
  const withBlockAtN3 = calculate(snap, ctx);
  const after = { ...before, metadata: { ...before.metadata, resourceVersion: '9001' }, spec: { ...before.spec, affinity: 'host:n4' } };
  snap.set(after);
  assert.notDeepEqual(calculate(snap, ctx).routes, withBlockAtN3.routes, 'n4\'s VTEP route depends on who owns the block');
  assert.equal(affectsDesiredState('IPAMBlock', { old: before, now: after }, snap, ctx), true);
  const plain = block('10.20.7.0/26', 'n3');
  snap.set(plain);
  const moved = { ...plain, metadata: { ...plain.metadata, resourceVersion: '9002' }, spec: { ...plain.spec, affinity: 'host:n2' } };
  snap.set(moved);
  assert.equal(affectsDesiredState('IPAMBlock', { old: plain, now: moved }, snap, ctx), false, 'a plain IPIP block of other nodes: learned over BGP');
  assert.equal(affectsDesiredState('IPAMBlock', { old: plain, now: moved }, snap, { ...ctx, bgpEnabled: false }), true);
});

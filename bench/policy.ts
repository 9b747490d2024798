// bench/policy: network policy at scale, in one run.
//   1. time to program N policies over M endpoints (full sync: calculation + one nft transaction),
//   2. incremental costs: a pod coming (IP sets, dispatch maps) and a policy changing, until enforced (p50/p99),
//      with enforcement checked by a real probe after each change,
//   3. iperf3 pod→pod throughput and new-connection rate with 0 policies and with N policies + M endpoints,
//      interleaved, printed as ratios (the anchor is the 0-policy run of the same process).
// Two scenarios: a realistic node (--local endpoints of the M on the measured node) and the worst case (all M).
// Run: node --import tsx bench/policy.ts [--endpoints 10000] [--policies 1000] [--local 110] [--changes 40] [--seconds 3] [--rounds 4]
import { loadavg } from 'node:os';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { PolicyLab, type CaseResources, type LabPod } from '../test/policy/lab.ts';
import type { WorkloadEndpoint } from '../src/policy/model.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ENDPOINTS = opt('endpoints', 10_000);
const POLICIES = opt('policies', 1_000);
const CHANGES = opt('changes', 40);
const SECONDS = opt('seconds', 3);
const LOCAL = opt('local', 110);
const ROUNDS = opt('rounds', 4);

const skip = netnsSkipReason();
if (skip) {
  console.error(`bench/policy: ${skip}`);
  process.exit(2);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const split = (xs: [number, number, number][]) => ` (medians: calculation ${ms(pct(xs.map((x) => x[0]), 50))} wall / ${ms(pct(xs.map((x) => x[2]), 50))} CPU, nft ${ms(pct(xs.map((x) => x[1]), 50))})`;

/** `count` endpoints; the first `local` live on node1 (the node being measured), the rest on 50 other nodes. */
function syntheticEndpoints(lab: PolicyLab, count: number, local = count): WorkloadEndpoint[] {
  const node1 = lab.nodes[0]!.name;
  const out: WorkloadEndpoint[] = [];
  for (let i = 0; i < count; i++) {
    const ns = ['x', 'y', 'z'][i % 3]!;
    const node = i < local ? node1 : `remote-${i % 50}`;
    out.push({
      apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint',
      metadata: { name: `${node1}-k8s-synth${i}-eth0`, namespace: ns, labels: { app: `app-${i % POLICIES}`, role: `r-${i % 100}`, 'projectcalico.org/namespace': ns, 'projectcalico.org/orchestrator': 'k8s' } },
      spec: {
        orchestrator: 'k8s', node, interfaceName: `calf${i.toString(16).padStart(11, '0')}`,
        ipNetworks: [`10.100.${Math.floor(i / 250)}.${(i % 250) + 1}/32`], profiles: [`kns.${ns}`],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
  }
  return out;
}

/** N Calico policies, one per app label, plus a few that select the real pods (so their traffic runs through policy). */
function policies(n: number): CaseResources {
  const networkPolicies: any[] = [];
  for (let i = 0; i < n; i++) {
    const ns = ['x', 'y', 'z'][i % 3]!;
    const selectsRealPods = i % 100 === 0; // 10 of 1,000 also select every real pod in the namespace
    networkPolicies.push({
      apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: `bench-${i}`, namespace: ns },
      spec: {
        order: i, selector: selectsRealPods ? `app == 'app-${i}' || has(pod)` : `app == 'app-${i}'`,
        types: ['Ingress', 'Egress'],
        ingress: [
          { action: 'Deny', protocol: 'TCP', source: { selector: `role == 'r-${i % 100}'` }, destination: { ports: [22] } },
          { action: 'Allow', protocol: 'TCP', source: { selector: `role == 'r-${(i + 1) % 100}' || has(pod)`, namespaceSelector: 'all()' }, destination: { ports: [80, 81, 443, '5201:5210', 'http'] } },
          { action: 'Allow', protocol: 'UDP', source: { nets: [`10.200.${i % 256}.0/24`, '10.65.0.0/16'] } },
        ],
        egress: [{ action: 'Allow' }],
      },
    });
  }
  return { networkPolicies };
}

async function timeApply(lab: PolicyLab, res: CaseResources): Promise<{ total: number; calc: number; cpu: number; nft: number; mode: string }> {
  const snap = lab.snapshot(res);
  const node1 = lab.nodes[0]!;
  const t0 = performance.now();
  node1.manager.update(snap);
  const r = await node1.manager.apply();
  const total = performance.now() - t0;
  if (node1.manager.problems.length) throw new Error(`policy problems: ${node1.manager.problems.slice(0, 3).join('; ')}`);
  // The other node follows (not timed: it only holds remote endpoints in its sets).
  lab.nodes[1]!.manager.update(snap);
  await lab.nodes[1]!.manager.apply();
  return { total, calc: r.calcMs, cpu: r.calcCpuMs, nft: r.applyMs, mode: r.mode };
}

async function iperf(lab: PolicyLab, client: LabPod, server: LabPod): Promise<number> {
  const out = lab.fx.exec(client.netns, ['iperf3', '-c', server.ip, '-p', '5201', '-t', String(SECONDS), '-J'], { timeoutMs: (SECONDS + 20) * 1000 });
  const j = JSON.parse(out);
  return j.end.sum_received.bits_per_second / 1e9;
}

/** New TCP connections per second, measured inside the client pod (no IPC in the loop). */
async function connectRate(client: LabPod, server: LabPod, count: number): Promise<number> {
  const r = await client.agent.call({ op: 'burst', host: server.ip, port: 80, count, timeoutMs: 1000 }, 120_000);
  if (r.ok !== count) throw new Error(`only ${r.ok}/${count} connections succeeded during the connection-rate run`);
  return count / (r.ms / 1000);
}

async function scenario(lab: PolicyLab, client: LabPod, server: LabPod, loaded: CaseResources, synth: WorkloadEndpoint[], label: string): Promise<void> {
  // 1. Programming at scale.
  lab.extraEndpoints = synth;
  const first = await timeApply(lab, loaded);
  const st = lab.nodes[0]!.manager.applied!;
  let rules = 0;
  for (const c of st.chains.values()) rules += c.rules.length;
  let elements = 0;
  for (const s of st.sets.values()) elements += s.elements.size;
  for (const m of st.maps.values()) elements += m.elements.size;
  const node1 = lab.nodes[0]!.name;
  const localCount = synth.filter((w) => w.spec!.node === node1).length + lab.pods.filter((p) => p.node === node1).length;
  console.log(`\n== ${label}: ${POLICIES} policies, ${synth.length + lab.pods.length} endpoints, ${localCount} of them on the measured node`);
  console.log(`1. program the policies and endpoints (${first.mode} sync on top of the baseline table)`);
  console.log(`   total ${ms(first.total)} = calculation ${ms(first.calc)} (CPU ${ms(first.cpu)}) + nft transaction ${ms(first.nft)}`);
  console.log(`   kernel state: ${st.chains.size} chains, ${rules} rules, ${st.sets.size} sets + ${st.maps.size} verdict maps with ${elements} elements`);
  lab.nodes[0]!.manager.update(lab.snapshot(loaded));
  const fullAgain = await (async () => { const t0 = performance.now(); await lab.nodes[0]!.manager.removeTable(); lab.nodes[0]!.manager.update(lab.snapshot(loaded)); const r = await lab.nodes[0]!.manager.apply(); return { t: performance.now() - t0, r }; })();
  console.log(`   from an empty table (restart, calculation cached): ${ms(fullAgain.t)} (calc ${ms(fullAgain.r.calcMs)}, nft ${ms(fullAgain.r.applyMs)}, ${fullAgain.r.mode})`);

  // 2a. A pod coming: one more endpoint selected by an existing policy (IP-set + dispatch-map elements).
  const podAdd: number[] = [];
  const podAddSplit: [number, number, number][] = [];
  for (let i = 0; i < Math.min(CHANGES, 30); i++) {
    const extra: WorkloadEndpoint = structuredClone(synth[i]!);
    extra.metadata.name = `churn-${i}`;
    extra.spec!.interfaceName = `cale${i.toString(16).padStart(11, '0')}`;
    extra.spec!.ipNetworks = [`10.101.0.${i + 1}/32`];
    lab.extraEndpoints = [...synth, extra];
    const r = await timeApply(lab, loaded);
    if (r.mode !== 'incremental') throw new Error(`pod add was a ${r.mode} sync`);
    podAdd.push(r.total);
    podAddSplit.push([r.calc, r.nft, r.cpu]);
  }
  lab.extraEndpoints = synth;
  await timeApply(lab, loaded);
  console.log(`2a. pod added (incremental): p50 ${ms(pct(podAdd, 50))}, p99 ${ms(pct(podAdd, 99))} over ${podAdd.length}${split(podAddSplit)}`);

  // 2b. A policy changing until enforced: flip "x/a may not reach <server>:81" on and off; after each apply the
  //     probe must see the new verdict (the nft commit is atomic: enforced when apply() resolves).
  const change: number[] = [];
  const changeSplit: [number, number, number][] = [];
  let verified = 0;
  for (let i = 0; i < CHANGES; i++) {
    const deny = i % 2 === 0;
    const toggle = {
      apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'aa-toggle', namespace: 'x' },
      spec: { order: 0, selector: `pod == '${server.name}'`, ingress: [{ action: deny ? 'Deny' : 'Allow', protocol: 'TCP', source: { selector: `pod == '${client.name}'` }, destination: { ports: [81] } }] },
    };
    const res = { networkPolicies: [toggle, ...loaded.networkPolicies!] };
    const r = await timeApply(lab, res);
    if (r.mode !== 'incremental') throw new Error(`policy change was a ${r.mode} sync`);
    change.push(r.total);
    changeSplit.push([r.calc, r.nft, r.cpu]);
    const probe = await client.agent.call({ op: 'probe', host: server.ip, port: 81, proto: 'tcp', timeoutMs: 500 });
    if (probe.ok === !deny) verified++;
  }
  console.log(`2b. policy change until enforced: p50 ${ms(pct(change, 50))}, p99 ${ms(pct(change, 99))} over ${change.length}; verified by probe ${verified}/${change.length}${split(changeSplit)}`);

  // Back to the baseline for the next scenario.
  lab.extraEndpoints = [];
  await timeApply(lab, {});
}

async function main(): Promise<void> {
  console.log(`bench/policy: ${POLICIES} policies over ${ENDPOINTS} endpoints (node1 holds all of them), ${CHANGES} changes, iperf3 ${SECONDS}s`);
  const lab = await PolicyLab.create(2);
  try {
    const client = lab.pod('x/a');
    const server = lab.pods.find((p) => p.node === client.node && p.namespace === 'x' && p !== client)!;
    lab.fx.spawn(server.netns, ['iperf3', '-s', '-p', '5201'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    const loaded = policies(POLICIES);
    const base = await timeApply(lab, {});
    console.log(`\nbaseline table (9 endpoints, 0 policies): ${ms(base.total)} (${base.mode}); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

    // Realistic: ${LOCAL} of the endpoints on the measured node (Kubernetes' default max is 110 pods per node).
    await scenario(lab, client, server, loaded, syntheticEndpoints(lab, ENDPOINTS - lab.pods.length, LOCAL), `${LOCAL} local`);
    // Worst case: every endpoint on the measured node.
    const synth = syntheticEndpoints(lab, ENDPOINTS - lab.pods.length);
    await scenario(lab, client, server, loaded, synth, 'all local');

    // 3. Throughput and connection rate, 0 vs N policies, interleaved twice.
    const runs: Record<'zero' | 'loaded', { gbps: number[]; cps: number[] }> = { zero: { gbps: [], cps: [] }, loaded: { gbps: [], cps: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of ['zero', 'loaded'] as const) {
        lab.extraEndpoints = which === 'zero' ? [] : synth;
        await timeApply(lab, which === 'zero' ? {} : loaded);
        lab.flushConntrack();
        runs[which].gbps.push(await iperf(lab, client, server));
        runs[which].cps.push(await connectRate(client, server, 1000));
      }
    }
    // Medians: on a shared machine single runs swing by tens of percent.
    const median = (xs: number[]) => pct(xs, 50);
    const g0 = median(runs.zero.gbps), g1 = median(runs.loaded.gbps);
    const c0 = median(runs.zero.cps), c1 = median(runs.loaded.cps);
    console.log(`\n3. iperf3 TCP ${client.key} → ${server.key} (same node), ${SECONDS}s × ${ROUNDS} rounds each, interleaved`);
    console.log(`   0 policies, 9 endpoints:        median ${g0.toFixed(2)} Gbit/s  (${runs.zero.gbps.map((x) => x.toFixed(2)).join(', ')})`);
    console.log(`   ${POLICIES} policies, ${ENDPOINTS} endpoints:  median ${g1.toFixed(2)} Gbit/s  (${runs.loaded.gbps.map((x) => x.toFixed(2)).join(', ')})`);
    console.log(`   ratio of medians loaded/zero: ${(g1 / g0).toFixed(3)}  (aim > 0.95); per round: ${runs.zero.gbps.map((z, i) => (runs.loaded.gbps[i]! / z).toFixed(2)).join(', ')}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`   new TCP connections/s (1000 sequential connects timed in the client pod): ${c0.toFixed(0)} vs ${c1.toFixed(0)}, ratio ${(c1 / c0).toFixed(3)}`);
  } finally {
    lab.cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

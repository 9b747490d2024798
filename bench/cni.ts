// CNI plugin benchmark. Needs root (network namespaces). In one run, from a "host" netns against pod
// namespaces, invoked as a runtime does (env + stdin, one process per call):
//   - tabby-cni (dist bundle, embedded datastore, calico-ipam): ADD and DEL latency p50/p99, served by the node
//     agent (`tabby node run` in the host netns, its CPU added to the plugin's) and with no agent running;
//   - Debian's ptp + host-local (the anchor): the same;
//   - `node -e 0`: the floor for any Node executable (Node's own start-up);
//   - 50 concurrent ADDs (then DELs) on one host, for both plugins.
// Wall time per call and CPU time (user+sys of the process and its children) are both shown: on a shared, loaded
// machine CPU time is the steadier figure. Target: tabby's own work (its time above the Node floor) ≤ the
// whole time of ptp+host-local.
// Usage: node --import tsx bench/cni.ts [--pods 40] [--concurrent 50]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { CniNode, CNI_BUNDLE, ensureBuilt, type InvokeResult } from '../test/cni/harness.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : dflt; };
const PODS = opt('pods', 40);
const CONCURRENT = opt('concurrent', 50);
// Runs the command and reports its own wall time and the CPU (user+sys, µs resolution) of it and its
// children, so the wrapper's start-up is not counted. Output on stderr: "CPU <ms> WALL <ms>".
const TIME = ['python3', '-c', [
  'import resource, subprocess, sys, time',
  't = time.perf_counter(); rc = subprocess.call(sys.argv[1:]); w = (time.perf_counter() - t) * 1000',
  'u = resource.getrusage(resource.RUSAGE_CHILDREN)',
  'sys.stderr.write("CPU %.3f WALL %.3f\\n" % ((u.ru_utime + u.ru_stime) * 1000, w)); sys.exit(rc)',
].join('\n')];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
function cpuMs(r: InvokeResult): number {
  const m = /CPU ([\d.]+) WALL ([\d.]+)\s*$/.exec(r.stderr);
  return m ? Number(m[1]) : NaN;
}
function wallMs(r: InvokeResult): number {
  const m = /CPU ([\d.]+) WALL ([\d.]+)\s*$/.exec(r.stderr);
  return m ? Number(m[2]) : r.ms;
}
/** user+sys CPU of a process so far (clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15 of stat)
}
const f = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

interface Series { wall: number[]; cpu: number[] }
const series = (): Series => ({ wall: [], cpu: [] });
function record(s: Series, r: InvokeResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stdout} ${r.stderr}`);
  s.wall.push(wallMs(r)); s.cpu.push(cpuMs(r));
}
function row(name: string, s: Series): string {
  return `${name.padEnd(28)} wall p50 ${f(pct(s.wall, 50))}  p99 ${f(pct(s.wall, 99))}   cpu p50 ${f(pct(s.cpu, 50))}  p99 ${f(pct(s.cpu, 99))}`;
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.log(`skipped: ${skip}`); return; }
  ensureBuilt();
  const n = new CniNode('bench-node');
  const ipamDir = mkdtempSync(join(tmpdir(), 'tabby-bench-hostlocal-'));
  try {
    await n.init();
    const tabbyConf = n.conf({ log_level: 'warning' });
    const ptpConf = {
      cniVersion: '1.0.0', name: 'bench-ptp', type: 'ptp', ipMasq: false, mtu: 1440,
      ipam: { type: 'host-local', subnet: '10.77.0.0/16', dataDir: ipamDir, routes: [{ dst: '0.0.0.0/0' }] },
    };
    const tabby = [...TIME, process.execPath, CNI_BUNDLE];
    const ptp = [...TIME, '/usr/lib/cni/ptp'];
    const pods = Array.from({ length: Math.max(PODS, CONCURRENT) }, () => n.newPod());
    // Warm-up (page cache, datastore file, first block claim), not recorded.
    const warm = async (exe: readonly string[], conf: Record<string, unknown>) => {
      const p = pods[0];
      await n.invoke({ command: 'ADD', containerId: 'warm' + p.containerId, netns: p.path, conf, exe: [...exe] });
      await n.invoke({ command: 'DEL', containerId: 'warm' + p.containerId, netns: p.path, conf, exe: [...exe] });
    };
    // Interleaved so load changes on the shared machine hit all three alike.
    const sequential = async (label: string) => {
      const floor = series(), tAdd = series(), tDel = series(), pAdd = series(), pDel = series();
      for (let i = 0; i < PODS; i++) {
        const p = pods[i];
        const k8s = n.k8sArgs('bench', `${label}-${i}`);
        record(floor, await n.invoke({ command: 'VERSION', conf: {}, exe: [...TIME, process.execPath, '-e', '0'] }), 'node -e 0');
        record(tAdd, await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: k8s, conf: tabbyConf, exe: tabby }), 'tabby ADD');
        record(tDel, await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: k8s, conf: tabbyConf, exe: tabby }), 'tabby DEL');
        record(pAdd, await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, conf: ptpConf, exe: ptp }), 'ptp ADD');
        record(pDel, await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, conf: ptpConf, exe: ptp }), 'ptp DEL');
      }
      return { floor, tAdd, tDel, pAdd, pDel };
    };
    const concurrent = async (exe: string[], conf: Record<string, unknown>, k8s: boolean) => {
      const ps = pods.slice(0, CONCURRENT);
      const t0 = performance.now();
      const adds = await Promise.all(ps.map((p, i) => n.invoke({ command: 'ADD', containerId: 'cc' + p.containerId, netns: p.path, conf, exe,
        cniArgs: k8s ? n.k8sArgs('bench', `cc-${i}`) : undefined })));
      const addWall = performance.now() - t0;
      for (const r of adds) if (r.code !== 0) throw new Error(`concurrent ADD failed: ${r.stdout} ${r.stderr}`);
      if (new Set(adds.map((r) => r.json.ips[0].address)).size !== ps.length) throw new Error('concurrent ADDs handed out a duplicate address');
      const t1 = performance.now();
      const dels = await Promise.all(ps.map((p, i) => n.invoke({ command: 'DEL', containerId: 'cc' + p.containerId, netns: p.path, conf, exe,
        cniArgs: k8s ? n.k8sArgs('bench', `cc-${i}`) : undefined })));
      const delWall = performance.now() - t1;
      for (const r of dels) if (r.code !== 0) throw new Error(`concurrent DEL failed: ${r.stdout} ${r.stderr}`);
      return { addWall, delWall, addLat: adds.map(wallMs), cpu: adds.map(cpuMs).reduce((a, b) => a + b, 0) };
    };

    // 1. No node agent: the plugin does everything itself (start-up, datastore, IPAM, netlink).
    await warm(tabby, tabbyConf);
    await warm(ptp, ptpConf);
    const alone = await sequential('alone');
    const tcAlone = await concurrent(tabby, tabbyConf, true);
    const pcAlone = await concurrent(ptp, ptpConf, false);

    // 2. The node agent runs in the host namespace and serves the plugin (the deployed case). Its CPU is added
    //    to tabby's: everything it does meanwhile (serving, then programming routes and policy for the new
    //    endpoints) is counted, spread over the invocations.
    const agent = await n.startAgent();
    let served: Awaited<ReturnType<typeof sequential>>, tcServed: Awaited<ReturnType<typeof concurrent>>, pcServed: Awaited<ReturnType<typeof concurrent>>;
    let agentCpuPerCall: number, agentCpuBurst: number;
    try {
      await warm(tabby, tabbyConf);
      const c0 = processCpuMs(agent.pid!);
      served = await sequential('served');
      agentCpuPerCall = (processCpuMs(agent.pid!) - c0) / (2 * PODS);
      const c1 = processCpuMs(agent.pid!);
      tcServed = await concurrent(tabby, tabbyConf, true);
      agentCpuBurst = processCpuMs(agent.pid!) - c1;
      pcServed = await concurrent(ptp, ptpConf, false);
      const log = n.agentLog();
      if (!/served CNI request/.test(log)) throw new Error(`the agent served nothing:\n${log}`);
    } finally { await n.stopAgent(agent); }

    const load = (await import('node:os')).loadavg()[0].toFixed(1);
    console.log(`CNI plugin benchmark: ${PODS} sequential ADD+DEL per plugin, ${CONCURRENT} concurrent ADDs (load average ${load})`);
    const report = (title: string, r: typeof alone, extraCpu: number) => {
      console.log(`\n${title}`);
      console.log(row('node -e 0 (Node floor)', r.floor));
      const withAgent = (s: Series): Series => ({ wall: s.wall, cpu: s.cpu.map((c) => c + extraCpu) });
      console.log(row('tabby-cni ADD', withAgent(r.tAdd)));
      console.log(row('tabby-cni DEL', withAgent(r.tDel)));
      console.log(row('ptp+host-local ADD', r.pAdd));
      console.log(row('ptp+host-local DEL', r.pDel));
      const fl = pct(r.floor.cpu, 50), flw = pct(r.floor.wall, 50);
      const own = (s: Series, w: boolean) => (w ? pct(s.wall, 50) - flw : pct(s.cpu, 50) + extraCpu - fl);
      for (const [name, t, p] of [['ADD', r.tAdd, r.pAdd], ['DEL', r.tDel, r.pDel]] as const) {
        console.log(`${name}: tabby own work (p50 above the Node floor) wall ${f(own(t, true))} = ${(own(t, true) / pct(p.wall, 50)).toFixed(2)}x ptp+host-local's whole ${f(pct(p.wall, 50))}; ` +
          `cpu ${f(own(t, false))} = ${(own(t, false) / pct(p.cpu, 50)).toFixed(2)}x ptp's ${f(pct(p.cpu, 50))}`);
      }
    };
    const burst = (tc: typeof tcAlone, pc: typeof pcAlone, extraCpu: number) => {
      console.log(`${CONCURRENT} concurrent ADDs: tabby-cni all done in ${f(tc.addWall)} (per-call p50 ${f(pct(tc.addLat, 50))}, p99 ${f(pct(tc.addLat, 99))}, cpu total ${f(tc.cpu + extraCpu)}); DELs ${f(tc.delWall)}`);
      console.log(`${CONCURRENT} concurrent ADDs: ptp+host-local all done in ${f(pc.addWall)} (per-call p50 ${f(pct(pc.addLat, 50))}, p99 ${f(pct(pc.addLat, 99))}, cpu total ${f(pc.cpu)}); DELs ${f(pc.delWall)}`);
      console.log(`ratio tabby/ptp for the ${CONCURRENT}-ADD burst: wall ${(tc.addWall / pc.addWall).toFixed(2)}x, cpu ${((tc.cpu + extraCpu) / pc.cpu).toFixed(2)}x`);
    };
    report('Served by the node agent (tabby node run in the host namespace; its CPU included):', served, agentCpuPerCall);
    burst(tcServed, pcServed, agentCpuBurst);
    report('No node agent (the plugin does all the work in its own process):', alone, 0);
    burst(tcAlone, pcAlone, 0);
  } finally {
    n.cleanup();
    rmSync(ipamDir, { recursive: true, force: true });
  }
}

await main();

// CNI plugin benchmark. Needs root (network namespaces). In one run, from a "host" netns against pod
// namespaces, invoked as a runtime does (env + stdin, one process per call):
//   - tabby-cni (dist bundle, embedded datastore, calico-ipam in-process): ADD and DEL latency p50/p99;
//   - Debian's ptp + host-local (the anchor): the same;
//   - `node -e 0`: the floor for any Node executable (Node's own start-up);
//   - 50 concurrent ADDs (then DELs) on one host, for both plugins.
// Wall time per call and CPU time (user+sys of the process and its children) are both shown: on a shared, loaded
// machine CPU time is the steadier figure. Target: tabby's own work (its time above the Node floor) ≤ the
// whole time of ptp+host-local.
// Usage: node --import tsx bench/cni.ts [--pods 40] [--concurrent 50]
import { mkdtempSync, rmSync } from 'node:fs';
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
    const floor = series(), tAdd = series(), tDel = series(), pAdd = series(), pDel = series();

    // Warm-up (page cache, datastore file, first block claim), not recorded.
    for (const [exe, conf] of [[tabby, tabbyConf], [ptp, ptpConf]] as const) {
      const p = pods[0];
      await n.invoke({ command: 'ADD', containerId: 'warm' + p.containerId, netns: p.path, conf, exe: [...exe] });
      await n.invoke({ command: 'DEL', containerId: 'warm' + p.containerId, netns: p.path, conf, exe: [...exe] });
    }
    // Interleaved so load changes on the shared machine hit all three alike.
    for (let i = 0; i < PODS; i++) {
      const p = pods[i];
      record(floor, await n.invoke({ command: 'VERSION', conf: {}, exe: [...TIME, process.execPath, '-e', '0'] }), 'node -e 0');
      record(tAdd, await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('bench', `pod-${i}`), conf: tabbyConf, exe: tabby }), 'tabby ADD');
      record(tDel, await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, cniArgs: n.k8sArgs('bench', `pod-${i}`), conf: tabbyConf, exe: tabby }), 'tabby DEL');
      record(pAdd, await n.invoke({ command: 'ADD', containerId: p.containerId, netns: p.path, conf: ptpConf, exe: ptp }), 'ptp ADD');
      record(pDel, await n.invoke({ command: 'DEL', containerId: p.containerId, netns: p.path, conf: ptpConf, exe: ptp }), 'ptp DEL');
    }

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
    const tc = await concurrent(tabby, tabbyConf, true);
    const pc = await concurrent(ptp, ptpConf, false);

    const fl = pct(floor.cpu, 50), flw = pct(floor.wall, 50);
    console.log(`CNI plugin benchmark: ${PODS} sequential ADD+DEL per plugin, ${CONCURRENT} concurrent ADDs (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
    console.log(row('node -e 0 (Node floor)', floor));
    console.log(row('tabby-cni ADD', tAdd));
    console.log(row('tabby-cni DEL', tDel));
    console.log(row('ptp+host-local ADD', pAdd));
    console.log(row('ptp+host-local DEL', pDel));
    console.log('');
    const own = (s: Series, w: boolean) => (w ? pct(s.wall, 50) - flw : pct(s.cpu, 50) - fl);
    for (const [name, t, p] of [['ADD', tAdd, pAdd], ['DEL', tDel, pDel]] as const) {
      console.log(`${name}: tabby own work (p50 above the Node floor) wall ${f(own(t, true))} = ${(own(t, true) / pct(p.wall, 50)).toFixed(2)}x ptp+host-local's whole ${f(pct(p.wall, 50))}; ` +
        `cpu ${f(own(t, false))} = ${(own(t, false) / pct(p.cpu, 50)).toFixed(2)}x ptp's ${f(pct(p.cpu, 50))}`);
    }
    console.log('');
    console.log(`${CONCURRENT} concurrent ADDs: tabby-cni all done in ${f(tc.addWall)} (per-call p50 ${f(pct(tc.addLat, 50))}, p99 ${f(pct(tc.addLat, 99))}, cpu total ${f(tc.cpu)}); DELs ${f(tc.delWall)}`);
    console.log(`${CONCURRENT} concurrent ADDs: ptp+host-local all done in ${f(pc.addWall)} (per-call p50 ${f(pct(pc.addLat, 50))}, p99 ${f(pct(pc.addLat, 99))}, cpu total ${f(pc.cpu)}); DELs ${f(pc.delWall)}`);
    console.log(`ratio tabby/ptp for the ${CONCURRENT}-ADD burst: wall ${(tc.addWall / pc.addWall).toFixed(2)}x, cpu ${(tc.cpu / pc.cpu).toFixed(2)}x`);
  } finally {
    n.cleanup();
    rmSync(ipamDir, { recursive: true, force: true });
  }
}

await main();

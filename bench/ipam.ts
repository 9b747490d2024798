// IPAM benchmark: one address allocated (ADD) and released (DEL) the way a runtime's plugin chain asks for
// it, Tabby's `tabby-ipam` executable against Debian's `host-local` executable.
//
// What is timed: the whole IPAM executable, from its fork to its exit (the python wrapper of bench/harness.ts
// forks it inside a "host" namespace and reports the wall time), with CNI_* environment and the netconf on
// stdin. tabby-ipam is the file `tabby cni install` puts in the bin dir, with the embedded datastore (a
// SQLite file) holding a /16 pool of /26 blocks; host-local keeps one file per address in a temp dataDir.
// Why it is fair: both pay a process start per call, as they always do in production; calls alternate
// A B A B with the ratio taken pair by pair; neither is served by a long-running agent.
// Secondary line: Tabby's allocator library called in this process (no process start): what a long-running
// caller such as the node agent pays. It has no anchor: host-local has no in-process form.
//   node --import tsx bench/ipam.ts [--quick] [--calls N] [--library N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatastore } from '../src/datastore/index.ts';
import { createIpam } from '../src/ipam/index.ts';
import { netnsSkipReason } from '../test/helpers/netns.ts';
import { CniNode } from '../test/cni/harness.ts';
import { Bench, benchOptions, installCniExecutables, interleave, numberFlag, TIME_WRAPPER, wrappedWallMs } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('ipam', opts);
const CALLS = numberFlag(opts.args, 'calls', opts.quick ? 10 : 300);
const LIBRARY = numberFlag(opts.args, 'library', opts.quick ? 200 : 2000);

async function libraryFigure(dir: string): Promise<void> {
  const ds = await openDatastore({ type: 'embedded', path: join(dir, 'library.db') });
  try {
    await ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'bench' }, spec: { cidr: '10.60.0.0/16', blockSize: 26 } });
    const ipam = createIpam(ds);
    // Calico caps a host at 20 blocks (1,280 addresses of /26s): room for every allocation of the run.
    await ipam.setConfig({ maxBlocksPerHost: Math.ceil((LIBRARY + 1) / 64) + 1 });
    await ipam.autoAssign({ handleId: 'warmup', node: 'solo', num4: 1 });
    const lat: number[] = [];
    for (let i = 0; i < LIBRARY; i++) {
      const t0 = performance.now();
      await ipam.autoAssign({ handleId: `k8s-pod-network.c${i}`, node: 'solo', num4: 1 });
      lat.push(performance.now() - t0);
    }
    bench.figure({ name: 'secondary: one allocation through the library, in process (embedded datastore)', unit: 'ms', tabby: lat, anchor: null,
      note: 'no process start; not comparable with an executable' });
  } finally { await ds.close(); }
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.log(`bench/ipam skipped: ${skip}`); process.exit(2); }
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-ipam-'));
  const node = new CniNode('bench-ipam');
  try {
    await node.init();
    const ipamExe = [...TIME_WRAPPER, join(installCniExecutables(dir), 'tabby-ipam')];
    const tabbyConf = node.conf({ log_level: 'warning' });
    const hlConf = { cniVersion: '1.0.0', name: 'bench', type: 'ptp', ipam: { type: 'host-local', ranges: [[{ subnet: '10.70.0.0/16' }]], dataDir: join(dir, 'host-local') } };
    const targets = {
      tabby: { exe: ipamExe, conf: tabbyConf, k8s: true },
      'host-local': { exe: [...TIME_WRAPPER, '/usr/lib/cni/host-local'], conf: hlConf, k8s: false },
    };
    const samples: Record<string, { add: number[]; del: number[] }> = { tabby: { add: [], del: [] }, 'host-local': { add: [], del: [] } };
    const call = (name: keyof typeof targets, command: 'ADD' | 'DEL', i: number) => {
      const t = targets[name];
      return node.invoke({ command, containerId: `bench-${String(i).padStart(6, '0')}`, netns: '/var/run/netns/bench-none', conf: t.conf, exe: t.exe,
        cniArgs: t.k8s ? node.k8sArgs('bench', `pod-${i}`) : undefined });
    };
    for (const name of ['tabby', 'host-local'] as const) { await call(name, 'ADD', 999_999); await call(name, 'DEL', 999_999); } // warm-up
    // Allocations accumulate (DEL of call i comes after all ADDs), as on a node filling with pods.
    await interleave(CALLS, (['tabby', 'host-local'] as const).map((name) => ({
      name, run: async (i: number) => {
        const r = await call(name, 'ADD', i);
        if (!r.json?.ips?.length) throw new Error(`${name} ADD returned no address: ${r.stdout} ${r.stderr}`);
        samples[name]!.add.push(wrappedWallMs(r, `${name} ADD`));
      },
    })));
    await interleave(CALLS, (['tabby', 'host-local'] as const).map((name) => ({
      name, run: async (i: number) => { samples[name]!.del.push(wrappedWallMs(await call(name, 'DEL', i), `${name} DEL`)); },
    })));
    for (const cmd of ['add', 'del'] as const) {
      bench.figure({ name: `IPAM ${cmd.toUpperCase()}, whole executable, embedded datastore`, unit: 'ms', tabby: samples.tabby![cmd],
        anchor: { name: 'host-local executable', samples: samples['host-local']![cmd] } });
    }
    await libraryFigure(dir);
    bench.note(`${CALLS} ADDs then ${CALLS} DELs per executable, alternated call by call`);
  } finally {
    node.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  bench.finish();
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

// BGP load benchmark: GoBGP (the feeder) sends 100,000 and then 1,000,000 IPv4 prefixes to our speaker and,
// in the same run, to BIRD 2, FRR and GoBGP. For each target: time from session Established until every
// prefix is in its Loc-RIB, and memory per route (RSS growth between the 100k and the 1M load, per extra
// route). Ratios are against BIRD measured in the same run.
//
//   sudo node --import tsx bench/bgp.ts [--sizes 100000,1000000] [--targets ours,bird,frr,gobgp]
//
// Everything runs in namespaces made with NetnsFixture: per target, a feeder namespace (10.91.0.1) linked to
// the target's namespace (10.91.0.11-14). Targets are loaded one at a time so they don't compete for the 2
// cores; each feeder is passive (its target dials it when started).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { NetnsFixture, netnsSkipReason } from '../test/helpers/netns.ts';
import { addr, missing, OurSpeaker, peer, removeDir, tempDir, waitFor } from '../test/bgp/harness.ts';
import { encodeAttributes } from '../src/bgp/codec.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const SIZES = arg('--sizes', '100000,1000000').split(',').map(Number);
const TARGETS = arg('--targets', 'ours,bird,frr,gobgp').split(',');
const FEEDER_AS = 65100, TARGET_AS = 64512;
const run = promisify(execFile);

const skip = netnsSkipReason() || missing('/usr/bin/gobgpd', '/usr/bin/gobgp');
if (skip) { console.log(`bench/bgp.ts skipped: ${skip}`); process.exit(0); }

// ---- MRT TABLE_DUMP_V2 file for `gobgp mrt inject` -------------------------------------------------------

function prefixAt(i: number): { bytes: number[]; text: string } {
  const v = (11 << 24) + i * 256; // /24s from 11.0.0.0 up
  const o = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255];
  return { bytes: o, text: `${o.join('.')}.0/24` };
}

function mrtRecord(subtype: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  h.writeUInt16BE(13, 4); // TABLE_DUMP_V2
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

function writeMrt(file: string, from: number, to: number): void {
  const parts: Buffer[] = [];
  const pit = Buffer.alloc(4 + 2 + 2 + 1 + 4 + 4 + 4);
  pit.set([10, 91, 0, 1], 0); pit.writeUInt16BE(0, 4); pit.writeUInt16BE(1, 6);
  pit[8] = 0x02; pit.set([10, 91, 0, 1], 9); pit.set([10, 91, 0, 1], 13); pit.writeUInt32BE(FEEDER_AS, 17);
  parts.push(mrtRecord(1, pit));
  const attrs = Buffer.from(encodeAttributes({ origin: 0, asPath: [{ type: 2, asns: [FEEDER_AS] }], nextHop: '10.91.0.1' }, { as4: true }));
  // `gobgp mrt inject` may drop the last records of a file (its stream closes early): repeat a tail of
  // already-sent prefixes so that only duplicates can be lost.
  const pad = Math.min(to - from, 5000);
  for (let j = from; j < to + pad; j++) {
    const i = j < to ? j : from + (j - to);
    const p = prefixAt(i);
    const b = Buffer.alloc(4 + 1 + 3 + 2 + 2 + 4 + 2 + attrs.length);
    b.writeUInt32BE(i, 0); b[4] = 24; b.set(p.bytes, 5); b.writeUInt16BE(1, 8);
    b.writeUInt16BE(0, 10); b.writeUInt32BE(0, 12); b.writeUInt16BE(attrs.length, 16); b.set(attrs, 18);
    parts.push(mrtRecord(2, b));
  }
  writeFileSync(file, Buffer.concat(parts));
}

// ---- targets ---------------------------------------------------------------------------------------------

interface Target {
  key: string;
  name: string;
  ip: string;
  ns: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  probe(): Promise<{ established: boolean; count: number }>;
  pid(): number;
  /** Let a garbage-collected target collect before its memory is read. */
  settle?(): Promise<void>;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function main(): Promise<void> {
  const fx = new NetnsFixture();
  const dir = tempDir('bench');
  // One feeder per target (same address 10.91.0.1 in each feeder namespace): a GoBGP feeder that has seen
  // a peer go away sometimes stops answering new sessions and its API, so every load gets a fresh feeder.
  const ips: Record<string, string> = { ours: '10.91.0.11', bird: '10.91.0.12', frr: '10.91.0.13', gobgp: '10.91.0.14' };
  const nsOf: Record<string, string> = {}, feedNs: Record<string, string> = {};
  for (const t of TARGETS) {
    const ns = fx.add(t), f = fx.add(`f${t}`);
    nsOf[t] = ns; feedNs[t] = f;
    fx.link(f, 'eth0', ns, 'eth0');
    addr(fx, f, 'eth0', '10.91.0.1/24');
    addr(fx, ns, 'eth0', `${ips[t]}/24`);
  }
  const feeders = new Map<string, ChildProcess>();
  const feedCli = (t: string, ...a: string[]) => fx.exec(feedNs[t]!, ['gobgp', '-p', '50051', ...a], { timeoutMs: 60_000 });
  const feedCliAsync = (t: string, ...a: string[]) => run('ip', ['netns', 'exec', feedNs[t]!, 'gobgp', '-p', '50051', ...a], { timeout: 600_000, maxBuffer: 1 << 24 });
  async function startFeeder(t: string): Promise<void> {
    const conf = path.join(dir, `feeder-${t}.toml`);
    writeFileSync(conf, `[global.config]\n  as = ${FEEDER_AS}\n  router-id = "10.91.0.1"\n[[neighbors]]
  [neighbors.config]
    neighbor-address = "${ips[t]}"
    peer-as = ${TARGET_AS}
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 90
    keepalive-interval = 30
  [neighbors.transport.config]
    passive-mode = true
`);
    feeders.set(t, fx.spawn(feedNs[t]!, ['gobgpd', '-f', conf, '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-p']));
    await waitFor(`feeder API for ${t}`, () => { try { feedCli(t, 'global'); return true; } catch { return false; } }, 15000);
  }
  async function stopFeeder(t: string): Promise<void> {
    const c = feeders.get(t);
    if (!c) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    feeders.delete(t);
  }
  async function loadFeeder(t: string, mrt: string, size: number): Promise<void> {
    const feederCount = async () => Number(/Destination:\s*(\d+)/.exec((await feedCliAsync(t, 'global', 'rib', 'summary', '-a', 'ipv4')).stdout)?.[1] ?? 0);
    for (let attempt = 0; attempt < 3 && (await feederCount()) < size; attempt++) {
      await feedCliAsync(t, 'mrt', 'inject', 'global', mrt);
      let last = -1, stable = 0;
      // Wait until the feeder's count stops growing.
      while (stable < 6) { await new Promise((r) => setTimeout(r, 500)); const c = await feederCount(); stable = c === last ? stable + 1 : 0; last = c; if (c >= size) break; }
    }
    const have = await feederCount();
    if (have < size) throw new Error(`feeder for ${t} holds ${have} of ${size} prefixes`);
  }

  const targets: Target[] = [];
  for (const t of TARGETS) {
    const ns = nsOf[t]!, ip = ips[t]!;
    if (t === 'ours') {
      const s = new OurSpeaker(fx, ns, dir, 'ours', { routerId: ip, asNumber: TARGET_AS, listenPort: 179, exports: [], connectRetryTime: 1, errorWaitTime: 1, initialRouteDeferral: 1, peers: [peer('10.91.0.1', FEEDER_AS, { sourceAddress: ip })] }, ['--expose-gc']);
      targets.push({
        key: t, name: 'tabby (ours)', ip, ns, start: () => s.start(), stop: () => s.stop('SIGINT'), pid: () => s.proc.pid!,
        settle: async () => { await s.gc(); await new Promise((r) => setTimeout(r, 500)); },
        probe: async () => {
          const m = await s.memory();
          const established = m.locRib > 0 || (await s.status()).peers.some((p) => p.state === 'Established');
          return { established, count: m.locRib };
        },
      });
    } else if (t === 'bird') {
      if (missing('/usr/sbin/bird')) continue;
      const conf = path.join(dir, 'bird.conf'), ctl = path.join(dir, 'bird.ctl'), pidf = path.join(dir, 'bird.pid');
      writeFileSync(conf, `router id ${ip};\nprotocol device { }\nprotocol bgp feeder {\n  local ${ip} as ${TARGET_AS};\n  neighbor 10.91.0.1 as ${FEEDER_AS};\n  connect retry time 1; connect delay time 1;\n  ipv4 { import all; export none; };\n}\n`);
      const birdc = (...c: string[]) => fx.exec(ns, ['birdc', '-s', ctl, ...c]);
      targets.push({
        key: t, name: 'BIRD 2', ip, ns, pid: () => Number(readFileSync(pidf, 'utf8').trim()),
        start: async () => { fx.exec(ns, ['bird', '-c', conf, '-s', ctl, '-P', pidf]); await waitFor('bird ctl', () => { try { birdc('show', 'status'); return true; } catch { return false; } }); },
        stop: async () => { fx.run(ns, ['kill', String(Number(readFileSync(pidf, 'utf8').trim()))]); await new Promise((r) => setTimeout(r, 500)); },
        probe: async () => {
          const est = /feeder\s+BGP\s+\S+\s+up/.test(birdc('show', 'protocols'));
          const m = /(\d+) of \d+ routes/.exec(birdc('show', 'route', 'count'));
          return { established: est, count: m ? Number(m[1]) : 0 };
        },
      });
    } else if (t === 'frr') {
      if (missing('/usr/lib/frr/bgpd')) continue;
      const run = path.join(dir, 'frr');
      fx.exec(ns, ['mkdir', '-p', run]); fx.exec(ns, ['chmod', '777', run]);
      const conf = path.join(dir, 'bgpd.conf');
      writeFileSync(conf, `frr defaults traditional\nrouter bgp ${TARGET_AS}\n bgp router-id ${ip}\n no bgp ebgp-requires-policy\n neighbor 10.91.0.1 remote-as ${FEEDER_AS}\n neighbor 10.91.0.1 timers connect 1\n`);
      const pidf = path.join(run, 'bgpd.pid');
      const vtysh = (c: string) => fx.exec(ns, ['vtysh', '--vty_socket', run, '-c', c]);
      targets.push({
        key: t, name: 'FRR 8', ip, ns, pid: () => Number(readFileSync(pidf, 'utf8').trim()),
        start: async () => { fx.exec(ns, ['/usr/lib/frr/bgpd', '-d', '-Z', '-f', conf, '-i', pidf, '--vty_socket', run]); await waitFor('frr vty', () => { try { vtysh('show version'); return true; } catch { return false; } }); },
        stop: async () => { fx.run(ns, ['kill', String(Number(readFileSync(pidf, 'utf8').trim()))]); await new Promise((r) => setTimeout(r, 1000)); },
        probe: async () => {
          const j = JSON.parse(vtysh('show bgp ipv4 unicast summary json'));
          const p = j.ipv4Unicast?.peers?.['10.91.0.1'] ?? j.peers?.['10.91.0.1'];
          return { established: p?.state === 'Established', count: Number(j.ipv4Unicast?.ribCount ?? j.ribCount ?? 0) };
        },
      });
    } else if (t === 'gobgp') {
      const conf = path.join(dir, 'target-gobgp.toml');
      writeFileSync(conf, `[global.config]\n  as = ${TARGET_AS}\n  router-id = "${ip}"\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "10.91.0.1"\n    peer-as = ${FEEDER_AS}\n  [neighbors.timers.config]\n    connect-retry = 1\n`);
      let child: ChildProcess | undefined;
      const cli = (...a: string[]) => fx.exec(ns, ['gobgp', '-p', '50052', ...a]);
      targets.push({
        key: t, name: 'GoBGP', ip, ns, pid: () => child!.pid!,
        start: async () => { child = fx.spawn(ns, ['gobgpd', '-f', conf, '--api-hosts', '127.0.0.1:50052', '--pprof-disable', '-p']); await waitFor('gobgp api', () => { try { cli('global'); return true; } catch { return false; } }); },
        stop: async () => { child?.kill('SIGKILL'); await new Promise((r) => setTimeout(r, 500)); },
        probe: async () => {
          const n = JSON.parse(cli('neighbor', '-j'));
          const est = JSON.stringify(n).includes('"session_state":6') || /ESTABLISHED/i.test(JSON.stringify(n));
          const m = /Destination:\s*(\d+)/.exec(cli('global', 'rib', 'summary', '-a', 'ipv4'));
          return { established: est, count: m ? Number(m[1]) : 0 };
        },
      });
    }
  }

  type Row = { target: string; size: number; loadSec: number; rssMiB: number };
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      // Fresh feeders, loaded in parallel with `size` prefixes.
      const mrt = path.join(dir, `feed-${size}.mrt`);
      writeMrt(mrt, 0, size);
      const t0 = Date.now();
      for (const t of targets) await startFeeder(t.key);
      await Promise.all(targets.map((t) => loadFeeder(t.key, mrt, size)));
      console.log(`feeders (GoBGP) loaded ${size} prefixes each in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      for (const t of targets) {
        await t.start();
        let tEst = 0;
        const deadline = Date.now() + 300_000;
        for (;;) {
          let p = { established: false, count: 0 };
          try { p = await t.probe(); } catch (e) { if (process.env.BENCH_DEBUG) console.log(t.name, 'probe failed', String(e).slice(0, 300)); }
          if (process.env.BENCH_DEBUG) console.log(t.name, JSON.stringify(p));
          if ((p.established || p.count > 0) && !tEst) tEst = Date.now();
          if (p.count >= size) { if (!tEst) tEst = Date.now(); break; }
          if (Date.now() > deadline) throw new Error(`${t.name} did not load ${size} prefixes`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const loadSec = (Date.now() - tEst) / 1000;
        await new Promise((r) => setTimeout(r, 1000));
        await t.settle?.();
        const rss = rssKiB(t.pid()) / 1024;
        rows.push({ target: t.name, size, loadSec, rssMiB: rss });
        console.log(`  ${t.name.padEnd(14)} ${String(size).padStart(8)} prefixes: in Loc-RIB ${loadSec.toFixed(2)} s after Established (${Math.round(size / Math.max(loadSec, 0.001)).toLocaleString('en-US')} prefixes/s), RSS ${rss.toFixed(0)} MiB`);
        await t.stop();
        await stopFeeder(t.key);
      }
    }
  } finally {
    fx.cleanupSync();
    removeDir(dir);
  }

  // Summary with ratios against BIRD.
  console.log('\nBGP load benchmark (feeder: GoBGP; one target at a time)');
  console.log('target          prefixes   load s   vs BIRD   RSS MiB');
  const bird = (size: number) => rows.find((r) => r.target === 'BIRD 2' && r.size === size);
  for (const r of rows) {
    const b = bird(r.size);
    console.log(`${r.target.padEnd(15)} ${String(r.size).padStart(8)} ${r.loadSec.toFixed(2).padStart(8)} ${b ? (r.loadSec / b.loadSec).toFixed(2).padStart(8) + 'x' : '        -'} ${r.rssMiB.toFixed(0).padStart(9)}`);
  }
  if (SIZES.length >= 2) {
    const [lo, hi] = [Math.min(...SIZES), Math.max(...SIZES)];
    console.log(`\nmemory per route = (RSS at ${hi} − RSS at ${lo}) / ${hi - lo}`);
    const birdPer = (() => { const a = rows.find((r) => r.target === 'BIRD 2' && r.size === lo), b = rows.find((r) => r.target === 'BIRD 2' && r.size === hi); return a && b ? ((b.rssMiB - a.rssMiB) * 1048576) / (hi - lo) : undefined; })();
    for (const name of [...new Set(rows.map((r) => r.target))]) {
      const a = rows.find((r) => r.target === name && r.size === lo), b = rows.find((r) => r.target === name && r.size === hi);
      if (!a || !b) continue;
      const per = ((b.rssMiB - a.rssMiB) * 1048576) / (hi - lo);
      console.log(`  ${name.padEnd(14)} ${per.toFixed(0).padStart(6)} bytes/route${birdPer ? `  (${(per / birdPer).toFixed(2)}x BIRD)` : ''}`);
    }
  }
}

await main();
process.exit(0);

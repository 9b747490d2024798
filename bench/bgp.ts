// BGP load benchmark: a GoBGP feeder sends a table to our speaker and, in the same run, to BIRD 2, FRR and
// GoBGP, and to a null sink (bench/bgp-sink.ts) that only counts prefixes: the feeder's own floor.
//
// What is timed: from the last poll that saw the session down (before Established) to the target's per-peer accepted-prefix counter
// reading the table's size. Every target is asked for that counter the same way: one request every 100 ms,
// each answered from a per-peer counter (Tabby: prefixesAccepted on its status socket; BIRD: `show protocols
// all` "imported"; FRR: `show bgp neighbors X json` acceptedPrefixCounter; GoBGP: `gobgp neighbor X -j`
// accepted; the sink: its own count), each waiting as long as the target takes to answer; a probe that fails
// says nothing (only the answer "not established, 0 counted" moves the start). No target walks its table to answer. Caveats said plainly: FRR counts
// a prefix when it is accepted into the Adj-RIB-In, before its best-path work queue has run (in FRR's
// favour); GoBGP's neighbor call may count its Adj-RIB-In per call. After completion one table count per
// target checks the table really holds every prefix (not timed).
// Memory: VmRSS and VmHWM of the target's process after the load (1 s after completion, no forced GC for
// anyone), and bytes per route = (VmRSS loaded − VmRSS just before the session) / prefixes.
// Tables: "realistic" (every prefix its own attribute set up to ≥ 100k distinct sets: AS paths of a real
// table's length distribution, 0–6 communities, MEDs, four next hops) and "single" (one attribute set).
// Why it is fair: each round gets fresh feeders (loaded before any target starts), targets go one at a time
// so they do not share the 2 cores, in an order rotated every round; figures are medians over ≥ 5 rounds,
// ratios round by round.
//   node --import tsx bench/bgp.ts [--quick] [--size N] [--rounds R] [--targets ours,bird,frr,gobgp,sink] [--tables realistic,single]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { NetnsFixture, netnsSkipReason } from '../test/helpers/netns.ts';
import { addr, missing, OurSpeaker, peer, removeDir, tempDir, waitFor } from '../test/bgp/harness.ts';
import { encodeAttributes } from '../src/bgp/codec.ts';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Bench, BENCH_DIR, benchOptions, memoryKiB, numberFlag, sleep, stringFlag } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';
import { FEEDER_AS, prefixAt, realisticAttrs, rng } from './bgp-table.ts';

const opts = benchOptions();
const bench = new Bench('bgp', opts);
const SIZE = numberFlag(opts.args, 'size', opts.quick ? 5_000 : 1_000_000);
const ROUNDS = numberFlag(opts.args, 'rounds', 5);
const TARGETS = stringFlag(opts.args, 'targets', 'ours,bird,frr,gobgp,sink').split(',');
// Quick mode: the realistic table only (the one the goals speak to), to keep `bench.sh --quick` in 10 minutes.
const TABLES = stringFlag(opts.args, 'tables', opts.quick ? 'realistic' : 'realistic,single').split(',') as Table[];
type Table = 'realistic' | 'single';
const POLL_MS = 100;
const PROBE_TIMEOUT_MS = 120_000;
const TARGET_AS = 64512;
const run = promisify(execFile);


// ---- MRT TABLE_DUMP_V2 file for `gobgp mrt inject` -------------------------------------------------------

function mrtRecord(subtype: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  h.writeUInt16BE(13, 4); // TABLE_DUMP_V2
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

function writeMrt(file: string, from: number, to: number, table: Table): void {
  const parts: Buffer[] = [];
  const pit = Buffer.alloc(4 + 2 + 2 + 1 + 4 + 4 + 4);
  pit.set([10, 91, 0, 1], 0); pit.writeUInt16BE(0, 4); pit.writeUInt16BE(1, 6);
  pit[8] = 0x02; pit.set([10, 91, 0, 1], 9); pit.set([10, 91, 0, 1], 13); pit.writeUInt32BE(FEEDER_AS, 17);
  parts.push(mrtRecord(1, pit));
  const single = Buffer.from(encodeAttributes({ origin: 0, asPath: [{ type: 2, asns: [FEEDER_AS] }], nextHop: '10.91.0.1' }, { as4: true }));
  const sets = Math.max(100_000, Math.ceil((to - from) / 4)); // a real table shares sets: ~4 prefixes each
  const cache = new Map<number, Buffer>();
  const attrsFor = (i: number) => {
    if (table === 'single') return single;
    const set = i < sets ? i : Math.floor(rng(i)() * sets);
    let a = cache.get(set);
    if (!a) { a = Buffer.from(encodeAttributes(realisticAttrs(set), { as4: true })); if (cache.size < 200_000) cache.set(set, a); }
    return a;
  };
  // `gobgp mrt inject` may drop the last records of a file (its stream closes early): repeat a tail of
  // already-sent prefixes so that only duplicates can be lost.
  const pad = Math.min(to - from, 5000);
  for (let j = from; j < to + pad; j++) {
    const i = j < to ? j : from + (j - to);
    const p = prefixAt(i);
    const attrs = attrsFor(i);
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
  /** Session state and the per-peer accepted-prefix counter: the same-cost completion signal. */
  probe(): Promise<{ established: boolean; count: number }>;
  /** One table count after the load, to check the counter told the truth (not timed). */
  tableCount(): Promise<number>;
  pid(): number;
}

/** Namespaces (a feeder namespace per target) and fresh GoBGP feeders on demand. */
function feederSetup(fx: NetnsFixture, dir: string) {
  // One feeder per target (same address 10.91.0.1 in each feeder namespace): a GoBGP feeder that has seen
  // a peer go away sometimes stops answering new sessions and its API, so every load gets a fresh feeder.
  const ips: Record<string, string> = { ours: '10.91.0.11', bird: '10.91.0.12', frr: '10.91.0.13', gobgp: '10.91.0.14', sink: '10.91.0.15' };
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
  return { ips, nsOf, startFeeder, stopFeeder, loadFeeder };
}

function buildTargets(fx: NetnsFixture, dir: string, nsOf: Record<string, string>, ips: Record<string, string>): Target[] {
  const targets: Target[] = [];
  for (const t of TARGETS) {
    const ns = nsOf[t]!, ip = ips[t]!;
    if (t === 'ours') {
      const s = new OurSpeaker(fx, ns, dir, 'ours', { routerId: ip, asNumber: TARGET_AS, listenPort: 179, exports: [], connectRetryTime: 1, errorWaitTime: 1, initialRouteDeferral: 1, peers: [peer('10.91.0.1', FEEDER_AS, { sourceAddress: ip })] });
      targets.push({
        key: t, name: 'tabby (ours)', ip, ns, start: () => s.start(), stop: () => s.stop('SIGINT'), pid: () => s.proc.pid!,
        probe: async () => {
          // As long a wait as birdc/vtysh/gobgp get (they have none): a speaker busy loading answers late, not "down".
          const st = await s.status(PROBE_TIMEOUT_MS);
          const p = st.peers.find((x) => x.address === '10.91.0.1') ?? st.peers[0];
          return { established: p?.state === 'Established', count: Number(p?.prefixesAccepted ?? 0) };
        },
        tableCount: async () => (await s.memory()).locRib,
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
          const out = birdc('show', 'protocols', 'all', 'feeder');
          return { established: /BGP state:\s+Established/.test(out), count: Number(/Routes:\s+(\d+) imported/.exec(out)?.[1] ?? 0) };
        },
        tableCount: async () => Number(/(\d+) of \d+ routes/.exec(birdc('show', 'route', 'count'))?.[1] ?? 0),
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
          const n = JSON.parse(vtysh('show bgp neighbors 10.91.0.1 json'))['10.91.0.1'] ?? {};
          return { established: n.bgpState === 'Established', count: Number(n.addressFamilyInfo?.ipv4Unicast?.acceptedPrefixCounter ?? 0) };
        },
        tableCount: async () => { const j = JSON.parse(vtysh('show bgp ipv4 unicast summary json')); return Number(j.ipv4Unicast?.ribCount ?? j.ribCount ?? 0); },
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
          const n = cli('neighbor', '10.91.0.1', '-j');
          const est = n.includes('"session_state":6') || /"session_state":\s*"?ESTABLISHED/i.test(n);
          return { established: est, count: Number(/"accepted":\s*(\d+)/.exec(n)?.[1] ?? 0) };
        },
        tableCount: async () => Number(/Destination:\s*(\d+)/.exec(cli('global', 'rib', 'summary', '-a', 'ipv4'))?.[1] ?? 0),
      });
    } else if (t === 'sink') {
      let child: ChildProcess | undefined;
      let lines: AsyncIterator<string> | undefined;
      const ask = async () => { child!.stdin!.write('?\n'); const r = await lines!.next(); const [e, c] = String(r.value ?? '0 0').split(' '); return { established: e === '1', count: Number(c) }; };
      targets.push({
        key: t, name: 'null sink (feeder floor)', ip, ns, pid: () => child!.pid!,
        start: async () => {
          child = fx.spawn(ns, [process.execPath, '--import', pathToFileURL(path.join(BENCH_DIR, '..', 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href, path.join(BENCH_DIR, 'bgp-sink.ts'), '10.91.0.1', ip, String(TARGET_AS)], { stdio: ['pipe', 'pipe', 'inherit'] });
          lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
          await ask(); // answers once its module is loaded: ready, like the other targets when start() returns
        },
        stop: async () => { child?.kill('SIGKILL'); await sleep(300); },
        probe: ask,
        tableCount: async () => (await ask()).count,
      });
    }
  }
  return targets;
}

interface Sample { loadMs: number; rssIdleKiB: number; rssKiB: number; hwmKiB: number; tableCount: number; failedProbes: number }

/** Starts the target, polls its counter every POLL_MS until it reads `size`, reads memory, stops it. */
async function loadOne(t: Target, size: number): Promise<Sample> {
  await t.start();
  const rssIdleKiB = t.key === 'sink' ? NaN : memoryKiB(t.pid()).rss;
  // The session came up after the last poll that saw it down: that poll's time is the start (an upper
  // bound on the load time by at most one poll interval, the same for every target).
  let lastDown = performance.now();
  let failedProbes = 0;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const before = performance.now();
    // A probe that fails says nothing: only an answer "not established, nothing counted" moves the start.
    // (Counting a timed-out probe as "down" restarted the clock mid-load for a target too busy to answer.)
    let p: { established: boolean; count: number } | undefined;
    try { p = await t.probe(); } catch (e) { failedProbes++; if (process.env.BENCH_DEBUG) console.log(t.name, 'probe failed', String(e).slice(0, 300)); }
    if (p && !p.established && p.count === 0) lastDown = before;
    if (p && p.count >= size) break;
    if (Date.now() > deadline) throw new Error(`${t.name} did not take ${size} prefixes (counter ${p?.count ?? 'unknown'})`);
    await sleep(POLL_MS);
  }
  const loadMs = performance.now() - lastDown;
  await sleep(1000);
  const mem = t.key === 'sink' ? { rss: NaN, hwm: NaN } : memoryKiB(t.pid());
  const tableCount = await t.tableCount();
  if (tableCount < size) throw new Error(`${t.name}: its counter read ${size} but its table holds ${tableCount}`);
  await t.stop();
  return { loadMs, rssIdleKiB, rssKiB: mem.rss, hwmKiB: mem.hwm, tableCount, failedProbes };
}

async function main(): Promise<void> {
  const skip = netnsSkipReason() || missing('/usr/bin/gobgpd', '/usr/bin/gobgp');
  if (skip) { console.log(`bench/bgp skipped: ${skip}`); process.exit(2); }
  const fx = new NetnsFixture();
  const dir = tempDir('bench');
  const samples = new Map<string, Sample[]>();
  try {
    const f = feederSetup(fx, dir);
    const targets = buildTargets(fx, dir, f.nsOf, f.ips);
    for (const table of TABLES) {
      const mrt = path.join(dir, `feed-${table}.mrt`);
      writeMrt(mrt, 0, SIZE, table);
      for (let round = 0; round < ROUNDS; round++) {
        // Fresh feeders, all loaded before any target starts; targets one at a time, order rotated.
        for (const t of targets) await f.startFeeder(t.key);
        await Promise.all(targets.map((t) => f.loadFeeder(t.key, mrt, SIZE)));
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(k + round) % targets.length]!;
          const s = await loadOne(t, SIZE);
          const key = `${table}/${t.key}`;
          samples.set(key, [...(samples.get(key) ?? []), s]);
          console.log(`  ${table} round ${round + 1} ${t.name.padEnd(24)} ${(s.loadMs / 1000).toFixed(2)} s, VmRSS ${(s.rssKiB / 1024).toFixed(0)} MiB, VmHWM ${(s.hwmKiB / 1024).toFixed(0)} MiB${s.failedProbes ? `, ${s.failedProbes} probe(s) failed` : ''}`);
          await f.stopFeeder(t.key);
        }
      }
    }
  } finally {
    fx.cleanupSync();
    removeDir(dir);
  }
  figures(samples);
  bench.finish();
}

function figures(samples: Map<string, Sample[]>): void {
  const names: Record<string, string> = { bird: 'BIRD 2', frr: 'FRR 8', gobgp: 'GoBGP', sink: 'null sink' };
  const perRoute = (s: Sample[]) => s.map((x) => ((x.rssKiB - x.rssIdleKiB) * 1024) / SIZE);
  for (const table of TABLES) {
    const ours = samples.get(`${table}/ours`);
    if (!ours) continue;
    const label = `${SIZE.toLocaleString('en-US')} prefixes (${table} table)`;
    for (const key of ['bird', 'frr', 'gobgp']) {
      const other = samples.get(`${table}/${key}`);
      if (!other) continue;
      bench.figure({ name: `${label}: Established → accepted counter full`, unit: 's', tabby: ours.map((x) => x.loadMs / 1000),
        anchor: { name: names[key]!, samples: other.map((x) => x.loadMs / 1000) },
        goal: table === 'realistic' ? { text: `faster than ${names[key]} (ratio < 1)`, met: (fig) => fig.ratio! < 1 } : undefined });
    }
    const bird = samples.get(`${table}/bird`);
    const sink = samples.get(`${table}/sink`);
    if (sink) bench.figure({ name: `${label}: feeder floor, null sink`, unit: 's', tabby: sink.map((x) => x.loadMs / 1000), anchor: null, note: 'the sink in the Tabby column: the fastest any target can be' });
    bench.figure({ name: `${label}: memory per route, (VmRSS loaded − before session) / prefixes`, unit: 'bytes', tabby: perRoute(ours),
      anchor: bird ? { name: 'BIRD 2', samples: perRoute(bird) } : null, goal: bird && table === 'realistic' ? { text: '≤ 1.5× BIRD', met: (fig) => fig.ratio! <= 1.5 } : undefined });
    bench.figure({ name: `${label}: VmHWM after the load`, unit: 'MiB', tabby: ours.map((x) => x.hwmKiB / 1024),
      anchor: bird ? { name: 'BIRD 2', samples: bird.map((x) => x.hwmKiB / 1024) } : null });
    bench.figure({ name: `${label}: VmRSS after the load`, unit: 'MiB', tabby: ours.map((x) => x.rssKiB / 1024),
      anchor: bird ? { name: 'BIRD 2', samples: bird.map((x) => x.rssKiB / 1024) } : null });
  }
  bench.note(`${ROUNDS} rounds per table, fresh GoBGP feeders each round, targets one at a time in rotated order; counters polled every ${POLL_MS} ms`);
  const failed = [...samples].filter(([, s]) => s.some((x) => x.failedProbes)).map(([k, s]) => `${k} ${s.reduce((n, x) => n + x.failedProbes, 0)}`);
  bench.note(`probes that failed (no answer; they never move the start): ${failed.length ? failed.join(', ') : 'none'}`);
}

await main();
exitWhenFlushed(0);

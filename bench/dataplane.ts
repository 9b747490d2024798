// bench/dataplane: pod→pod TCP throughput across two nodes in no-encap, VXLAN and IPIP modes, beside
// node→node over the bare fabric (the anchor).
//
// What is timed: iperf3 TCP for --seconds (one stream unless --streams), the receiver's bits per second.
// Each mode has its own topology (namespaces with this run's prefix, removed on exit), built once, the way
// the agent and CNI plugin build it: pods with a /32 and 169.254.1.1, proxy ARP, the article's routes; IPIP
// runs the real eBPF dataplane module. Pod MTU comes from the dataplane's own rule (podMtu of the agent's
// calculation, for a 1500-byte fabric).
// Why it is fair: the modes run in rounds, the order rotated every round (no mode always first or always
// warm); every figure is a median over the rounds and each mode's ratio to bare is taken round by round.
// Each sample is done twice: with the kernel's default offloads and with GSO/TSO off on every interface of
// the path. During every sample a capture on node 1's fabric port proves the wire format: IP protocol 4
// for IPIP, UDP 4789 for VXLAN, plain TCP between pod addresses for no-encap (and none of the others).
// Run: node --import tsx bench/dataplane.ts [--quick] [--rounds 5] [--seconds 5] [--streams 1]
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { podMtu } from '../src/agent/calc/graph.ts';
import { NetnsFixture, netnsSkipReason } from '../test/helpers/netns.ts';
import { Bench, benchOptions, interleave, numberFlag, sleep } from './harness.ts';
import { exitWhenFlushed } from '../src/exit.ts';

const opts = benchOptions();
const bench = new Bench('dataplane', opts);
const seconds = numberFlag(opts.args, 'seconds', opts.quick ? 1 : 5);
const streams = numberFlag(opts.args, 'streams', 1);
const ROUNDS = numberFlag(opts.args, 'rounds', opts.quick ? 5 : 10);
const root = fileURLToPath(new URL('..', import.meta.url));

type Mode = 'bare' | 'no-encap' | 'vxlan' | 'ipip';

interface Topo { fx: NetnsFixture; fab: string; n: string[]; p: string[]; stop: () => Promise<void> }

const NODE_IP = ['10.0.0.1', '10.0.0.2'];
const POD_IP = ['192.168.1.2', '192.168.2.2'];
const BLOCK = ['192.168.1.0/26', '192.168.2.0/26'];
const VTEP_IP = ['192.168.1.192', '192.168.2.192'];
const VTEP_MAC = ['66:00:00:00:00:01', '66:00:00:00:00:02'];

async function build(mode: Mode): Promise<Topo> {
  const fx = new NetnsFixture();
  const fab = fx.add('fab');
  fx.exec(fab, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
  fx.exec(fab, ['ip', 'link', 'set', 'br0', 'up']);
  const n: string[] = [];
  const p: string[] = [];
  const mtu = mode === 'bare' || mode === 'no-encap' ? 1500 : podMtu(1500, mode === 'vxlan', mode === 'ipip');
  for (const i of [0, 1]) {
    const node = fx.add(`n${i}`);
    const pod = fx.add(`p${i}`);
    n.push(node); p.push(pod);
    fx.link(node, 'eth0', fab, `v${i}`);
    fx.exec(fab, ['ip', 'link', 'set', `v${i}`, 'master', 'br0']);
    fx.exec(node, ['ip', 'addr', 'add', `${NODE_IP[i]}/24`, 'dev', 'eth0']);
    fx.exec(node, ['ip', 'route', 'add', 'default', 'via', '10.0.0.254', 'dev', 'eth0', 'onlink']);
    fx.exec(node, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    fx.link(node, 'cali0', pod, 'eth0');
    fx.exec(node, ['ip', 'link', 'set', 'cali0', 'address', 'ee:ee:ee:ee:ee:ee']);
    fx.exec(node, ['sysctl', '-qw', 'net.ipv4.conf.cali0.proxy_arp=1', 'net.ipv4.neigh.cali0.proxy_delay=0']);
    fx.exec(node, ['ip', 'route', 'add', `${POD_IP[i]}/32`, 'dev', 'cali0', 'scope', 'link']);
    fx.exec(pod, ['ip', 'link', 'set', 'eth0', 'mtu', String(mtu)]);
    fx.exec(pod, ['ip', 'addr', 'add', `${POD_IP[i]}/32`, 'dev', 'eth0']);
    fx.exec(pod, ['ip', 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
    fx.exec(pod, ['ip', 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
  }
  const holders: ReturnType<NetnsFixture['spawn']>[] = [];
  for (const i of [0, 1]) {
    const j = 1 - i;
    if (mode === 'no-encap') {
      fx.exec(n[i]!, ['ip', 'route', 'add', BLOCK[j]!, 'via', NODE_IP[j]!, 'dev', 'eth0']);
    } else if (mode === 'vxlan') {
      fx.exec(n[i]!, ['ip', 'link', 'add', 'vxlan.calico', 'address', VTEP_MAC[i]!, 'type', 'vxlan', 'id', '4096',
        'local', NODE_IP[i]!, 'dev', 'eth0', 'dstport', '4789', 'nolearning']);
      fx.exec(n[i]!, ['ip', 'link', 'set', 'vxlan.calico', 'mtu', String(mtu), 'up']);
      fx.exec(n[i]!, ['ip', 'addr', 'add', `${VTEP_IP[i]}/32`, 'dev', 'vxlan.calico']);
      fx.exec(n[i]!, ['ip', 'neigh', 'add', VTEP_IP[j]!, 'lladdr', VTEP_MAC[j]!, 'dev', 'vxlan.calico', 'nud', 'permanent']);
      fx.exec(n[i]!, ['bridge', 'fdb', 'add', VTEP_MAC[j]!, 'dev', 'vxlan.calico', 'dst', NODE_IP[j]!, 'self', 'permanent']);
      fx.exec(n[i]!, ['ip', 'route', 'add', BLOCK[j]!, 'via', VTEP_IP[j]!, 'dev', 'vxlan.calico', 'onlink']);
    } else if (mode === 'ipip') {
      // The real dataplane module, as the agent runs it (it holds tunl0 open while alive).
      const child = fx.spawn(n[i]!, [process.execPath, '--import', 'tsx', `${root}/test/ipip/ipip-node.ts`, 'eth0', '', '1500']);
      holders.push(child);
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      if (i === 0) console.log(`  ipip dataplane: ${line}`);
      fx.exec(n[i]!, ['ip', 'route', 'add', BLOCK[j]!, 'via', NODE_IP[j]!, 'dev', 'tunl0', 'onlink']);
    }
  }
  return { fx, fab, n, p, stop: async () => { for (const h of holders) h.kill('SIGKILL'); fx.cleanupSync(); } };
}

async function iperf(fx: NetnsFixture, serverNs: string, clientNs: string, dst: string): Promise<{ gbps: number; retrans: number }> {
  const server = fx.spawn(serverNs, ['iperf3', '-s', '-1']);
  await sleep(300);
  // warm ARP/neighbour state so the first second measures the path, not resolution
  fx.run(clientNs, ['ping', '-c', '2', '-i', '0.2', '-W', '1', dst]);
  const out = fx.exec(clientNs, ['iperf3', '-c', dst, '-t', String(seconds), '-P', String(streams), '-J'], { timeoutMs: (seconds + 30) * 1000 });
  await Promise.race([once(server, 'exit'), sleep(3000)]);
  const j = JSON.parse(out);
  return { gbps: j.end.sum_received.bits_per_second / 1e9, retrans: j.end.sum_sent.retransmits ?? 0 };
}

/** GSO/TSO on or off on every interface of the topology (tunnel devices included). */
function setOffloads(t: Topo, on: boolean): void {
  for (const ns of t.fx.namespaces) {
    const links = t.fx.exec(ns, ['ip', '-o', 'link']).split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((x): x is string => !!x && x !== 'lo');
    for (const dev of links) t.fx.run(ns, ['ethtool', '-K', dev, 'gso', on ? 'on' : 'off', 'tso', on ? 'on' : 'off']);
  }
}

const FILTERS: Record<Mode, string> = {
  bare: 'tcp and host 10.0.0.2',
  'no-encap': 'tcp and host 192.168.2.2 and not ip proto 4 and not udp port 4789',
  vxlan: 'udp dst port 4789',
  ipip: 'ip proto 4',
};

/** Starts a capture of the first packets on node 1's fabric port; the returned function counts by wire format. */
function capture(t: Topo, dir: string, tag: string): () => Promise<Record<Mode, number>> {
  const file = join(dir, `${tag}.pcap`);
  const dump = t.fx.spawn(t.fab, ['tcpdump', '-i', 'v1', '-s', '128', '-c', '400', '-w', file, '-U', 'ip'], { stdio: 'ignore' });
  return async () => {
    dump.kill('SIGINT');
    await Promise.race([once(dump, 'exit'), sleep(2000)]);
    const counts = {} as Record<Mode, number>;
    for (const [mode, filter] of Object.entries(FILTERS) as [Mode, string][]) {
      const out = execFileSync('tcpdump', ['-nr', file, filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      counts[mode] = out.split('\n').filter(Boolean).length;
    }
    return counts;
  };
}

/** The capture must show the mode's own format and none of the others (bare and no-encap are both plain TCP). */
function checkWire(mode: Mode, c: Record<Mode, number>): void {
  const others = (Object.keys(c) as Mode[]).filter((m) => m !== mode && !(mode === 'bare' && m === 'no-encap') && !(mode === 'no-encap' && m === 'bare'));
  if (c[mode] < 20 || others.some((m) => c[m] > 0)) throw new Error(`${mode}: the fabric capture does not show ${mode}'s wire format: ${JSON.stringify(c)}`);
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/dataplane: ${skip}`); process.exit(2); }
  const modes: Mode[] = ['bare', 'no-encap', 'vxlan', 'ipip'];
  const dir = mkdtempSync(join(tmpdir(), 'tabby-bench-dp-'));
  const topos = new Map<Mode, Topo>();
  const gbps = new Map<string, number[]>();
  try {
    for (const m of modes) topos.set(m, await build(m));
    for (const offload of [true, false]) {
      for (const t of topos.values()) setOffloads(t, offload);
      await interleave(ROUNDS, modes.map((mode) => ({
        name: mode,
        run: async (round: number) => {
          const t = topos.get(mode)!;
          const done = capture(t, dir, `${mode}-${offload}-${round}`);
          await sleep(200);
          const r = mode === 'bare' ? await iperf(t.fx, t.n[1]!, t.n[0]!, NODE_IP[1]!) : await iperf(t.fx, t.p[1]!, t.p[0]!, POD_IP[1]!);
          checkWire(mode, await done());
          const key = `${mode}/${offload}`;
          gbps.set(key, [...(gbps.get(key) ?? []), r.gbps]);
        },
      })));
    }
  } finally {
    for (const t of topos.values()) await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const offload of [true, false]) {
    const label = offload ? 'default offloads' : 'GSO/TSO off';
    const bare = { name: `bare fabric node→node, ${label}`, samples: gbps.get(`bare/${offload}`)! };
    bench.figure({ name: `bare fabric node→node, ${label} (the anchor itself)`, unit: 'Gbit/s', tabby: bare.samples, anchor: null, better: 'higher' });
    for (const mode of modes.slice(1)) {
      bench.figure({ name: `pod→pod across nodes, ${mode}, ${label}`, unit: 'Gbit/s', tabby: gbps.get(`${mode}/${offload}`)!, anchor: bare, better: 'higher' });
    }
  }
  bench.note(`iperf3 TCP ${seconds} s, ${streams} stream(s), ${ROUNDS} rounds per offload setting, mode order rotated; wire format checked by capture in every sample`);
  bench.finish();
}

main().then(() => exitWhenFlushed(0), (e) => { console.error(e); process.exit(1); });

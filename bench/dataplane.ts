// bench/dataplane: iperf3 TCP pod→pod across two nodes in no-encap, VXLAN and IPIP modes, beside node→node
// over the bare fabric, all in one run, printed as ratios to the bare figure.
// Run: node --import tsx bench/dataplane.ts [--seconds 5] [--streams 1]
// Each mode gets a fresh topology (namespaces with this run's prefix, removed on exit), built the way the
// agent and CNI plugin build it: pods with /32 + 169.254.1.1, proxy ARP, and the article's routes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NetnsFixture, netnsSkipReason } from '../test/helpers/netns.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seconds = opt('seconds', 5);
const streams = opt('streams', 1);
const root = fileURLToPath(new URL('..', import.meta.url));

type Mode = 'bare' | 'no-encap' | 'vxlan' | 'ipip';

interface Topo { fx: NetnsFixture; n: string[]; p: string[]; stop: () => Promise<void> }

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
  const podMtu = mode === 'vxlan' ? 1450 : mode === 'ipip' ? 1480 : 1500;
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
    fx.exec(pod, ['ip', 'link', 'set', 'eth0', 'mtu', String(podMtu)]);
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
      fx.exec(n[i]!, ['ip', 'link', 'set', 'vxlan.calico', 'mtu', '1450', 'up']);
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
  return { fx, n, p, stop: async () => { for (const h of holders) h.kill('SIGKILL'); fx.cleanupSync(); } };
}

async function iperf(fx: NetnsFixture, serverNs: string, clientNs: string, dst: string): Promise<{ gbps: number; retrans: number }> {
  const server = fx.spawn(serverNs, ['iperf3', '-s', '-1']);
  await new Promise((r) => setTimeout(r, 400));
  // warm ARP/neighbour state so the first second measures the path, not resolution
  fx.run(clientNs, ['ping', '-c', '2', '-i', '0.2', '-W', '1', dst]);
  const out = fx.exec(clientNs, ['iperf3', '-c', dst, '-t', String(seconds), '-P', String(streams), '-J'], { timeoutMs: (seconds + 30) * 1000 });
  await Promise.race([once(server, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
  const j = JSON.parse(out);
  return { gbps: j.end.sum_received.bits_per_second / 1e9, retrans: j.end.sum_sent.retransmits ?? 0 };
}

async function main(): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) { console.error(`bench/dataplane: ${skip}`); process.exit(2); }
  console.log(`bench/dataplane: iperf3 TCP, ${seconds}s, ${streams} stream(s), pod→pod across two nodes (veth fabric, one bridge)`);
  const results: { mode: Mode; gbps: number; retrans: number }[] = [];
  for (const mode of ['bare', 'no-encap', 'vxlan', 'ipip'] as Mode[]) {
    const t = await build(mode);
    try {
      const r = mode === 'bare' ? await iperf(t.fx, t.n[1]!, t.n[0]!, NODE_IP[1]!) : await iperf(t.fx, t.p[1]!, t.p[0]!, POD_IP[1]!);
      results.push({ mode, ...r });
      console.log(`  ${mode.padEnd(9)} ${r.gbps.toFixed(2).padStart(7)} Gbit/s  retransmits ${r.retrans}`);
    } finally {
      await t.stop();
    }
  }
  const bare = results[0]!.gbps;
  console.log('\nmode       Gbit/s   ratio-to-bare');
  for (const r of results) console.log(`${r.mode.padEnd(9)} ${r.gbps.toFixed(2).padStart(7)}   ${(r.gbps / bare).toFixed(2)}`);
}

await main();

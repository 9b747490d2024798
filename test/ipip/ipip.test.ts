// IPIP dataplane on this kernel (no ipip module): two nodes on a fabric, a pod on each, the article's routes
// `<block> via <node IP> dev tunl0 onlink`, and an independent RFC 2003 endpoint (Python raw sockets).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { waitForOutput, waitUntil } from '../helpers/wait.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const skip = netnsSkipReason();

interface Node { ns: string; ip: string; pod: string; podIp: string; block: string; agent?: ChildProcess | undefined }

describe('IPIP dataplane', { skip }, () => {
  const fx = new NetnsFixture();
  let fabric: string;
  let peer: string;
  const nodes: Node[] = [];

  async function startNode(n: Node): Promise<{ mode: string; mtu: number }> {
    const child = spawn('ip', ['netns', 'exec', n.ns, process.execPath, '--import', 'tsx', `${here}/ipip-node.ts`, 'eth0', '', '1500'],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    n.agent = child;
    const rl = createInterface({ input: child.stdout! });
    const [line] = (await once(rl, 'line')) as [string];
    return JSON.parse(line);
  }

  async function stopNode(n: Node): Promise<void> {
    if (!n.agent) return;
    n.agent.kill('SIGKILL');
    await once(n.agent, 'exit');
    n.agent = undefined;
  }

  before(async () => {
    fabric = fx.add('fab');
    fx.exec(fabric, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    fx.exec(fabric, ['ip', 'link', 'set', 'br0', 'up']);
    const attach = (ns: string, port: string, ip: string) => {
      fx.link(ns, 'eth0', fabric, port);
      fx.exec(fabric, ['ip', 'link', 'set', port, 'master', 'br0']);
      fx.exec(ns, ['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      // A default route: proxy ARP for 169.254.1.1 needs the node to have a route to it elsewhere.
      fx.exec(ns, ['ip', 'route', 'add', 'default', 'via', '10.0.0.254', 'dev', 'eth0', 'onlink']);
    };
    for (const i of [1, 2]) {
      const n: Node = { ns: fx.add(`n${i}`), ip: `10.0.0.${i}`, pod: fx.add(`p${i}`), podIp: `192.168.${i}.2`, block: `192.168.${i}.0/26` };
      attach(n.ns, `v${i}`, n.ip);
      fx.exec(n.ns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      // Calico's pod plumbing: /32, gateway 169.254.1.1, proxy ARP on the host side.
      fx.link(n.ns, 'cali0', n.pod, 'eth0');
      fx.exec(n.ns, ['ip', 'link', 'set', 'cali0', 'address', 'ee:ee:ee:ee:ee:ee']);
      fx.exec(n.ns, ['sysctl', '-qw', 'net.ipv4.conf.cali0.proxy_arp=1', 'net.ipv4.neigh.cali0.proxy_delay=0']);
      fx.exec(n.ns, ['ip', 'route', 'add', `${n.podIp}/32`, 'dev', 'cali0', 'scope', 'link']);
      fx.exec(n.pod, ['ip', 'link', 'set', 'eth0', 'mtu', '1480']);
      fx.exec(n.pod, ['ip', 'addr', 'add', `${n.podIp}/32`, 'dev', 'eth0']);
      fx.exec(n.pod, ['ip', 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
      fx.exec(n.pod, ['ip', 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
      nodes.push(n);
    }
    peer = fx.add('peer');
    attach(peer, 'v3', '10.0.0.3');
    for (const n of nodes) {
      const r = await startNode(n);
      assert.equal(r.mtu, 1480);
    }
    const [a, b] = nodes as [Node, Node];
    fx.exec(a.ns, ['ip', 'route', 'add', b.block, 'via', b.ip, 'dev', 'tunl0', 'onlink']);
    fx.exec(b.ns, ['ip', 'route', 'add', a.block, 'via', a.ip, 'dev', 'tunl0', 'onlink']);
    fx.exec(b.ns, ['ip', 'route', 'add', '192.168.3.0/26', 'via', '10.0.0.3', 'dev', 'tunl0', 'onlink']);
  });

  after(async () => {
    for (const n of nodes) await stopNode(n);
    fx.cleanupSync();
  });

  test('routes read as the article\'s and pods ping across nodes', () => {
    const [a, b] = nodes as [Node, Node];
    const route = fx.exec(a.ns, ['ip', 'route', 'show', b.block]).trim();
    assert.equal(route, `${b.block} via ${b.ip} dev tunl0 onlink`);
    assert.match(fx.exec(a.ns, ['ip', 'link', 'show', 'tunl0']), /mtu 1480 .*state UP/);
    const out = fx.exec(a.pod, ['ping', '-c', '3', '-i', '0.2', '-W', '2', b.podIp]);
    assert.match(out, /3 received/);
  });

  test('the wire carries RFC 2003 IP-in-IP: outer node addresses, inner pod addresses', async () => {
    const [a, b] = nodes as [Node, Node];
    const dump = fx.spawn(b.ns, ['tcpdump', '-nli', 'eth0', '-c', '1', 'ip proto 4']);
    let text = '';
    dump.stdout!.on('data', (d) => { text += d; });
    await waitForOutput(dump, /listening on/);
    fx.exec(a.pod, ['ping', '-c', '2', '-i', '0.2', '-W', '2', b.podIp]);
    await Promise.race([once(dump, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    assert.match(text, new RegExp(`IP ${a.ip.replace(/\./g, '\\.')} > ${b.ip.replace(/\./g, '\\.')}: IP ${a.podIp.replace(/\./g, '\\.')} > ${b.podIp.replace(/\./g, '\\.')}: ICMP echo request`));
  });

  test('TCP with 1,400-byte segments and default offloads crosses at full speed (no GSO collapse)', async () => {
    const [a, b] = nodes as [Node, Node];
    const server = fx.spawn(b.pod, ['iperf3', '-s', '-1']);
    assert.ok(await waitUntil(() => /:5201\b/.test(fx.exec(b.pod, ['ss', '-ltn'])), { everyMs: 50 }), 'iperf3 server listening');
    const res = JSON.parse(fx.exec(a.pod, ['iperf3', '-c', b.podIp, '-t', '2', '-M', '1400', '-J'], { timeoutMs: 20_000 }));
    await once(server, 'exit').catch(() => undefined);
    const gbps = res.end.sum_received.bits_per_second / 1e9;
    // A collapse (the failure mode of naive eBPF encapsulation) is kilobits; any working path is gigabits here.
    assert.ok(gbps > 0.5, `throughput ${gbps.toFixed(3)} Gbit/s`);
  });

  test('interoperates with an independent IP-in-IP endpoint (Python raw sockets)', () => {
    const out = fx.exec(peer, ['python3', `${here}/ipip-peer.py`, '10.0.0.3', '10.0.0.2', '192.168.3.5', nodes[1]!.podIp]);
    assert.match(out, /REPLY outer 10\.0\.0\.2>10\.0\.0\.3 inner 192\.168\.2\.2>192\.168\.3\.5/);
  });

  test('forwarding survives the agent dying; restarting restores carrier without touching routes', async () => {
    const [a, b] = nodes as [Node, Node];
    await stopNode(a);
    // The kernel reports the lost carrier through its link-watch work, up to a second after the fd closes.
    const route = () => fx.exec(a.ns, ['ip', 'route', 'show', b.block]);
    assert.ok(await waitUntil(() => /linkdown/.test(route()), { everyMs: 50, timeoutMs: 5000 }), `no linkdown: ${route()}`);
    assert.match(fx.exec(a.pod, ['ping', '-c', '2', '-i', '0.2', '-W', '2', b.podIp]), /2 received/);
    await startNode(a);
    assert.equal(fx.exec(a.ns, ['ip', 'route', 'show', b.block]).trim(), `${b.block} via ${b.ip} dev tunl0 onlink`);
    assert.match(fx.exec(a.pod, ['ping', '-c', '2', '-i', '0.2', '-W', '2', b.podIp]), /2 received/);
  });
});

// `tabby lab trace --verify`: proves a predicted path on the wire. One probe from SRC's own namespace, made
// unique by its length (ICMP, UDP) or source port (TCP); a tcpdump at every predicted hop's interface with a
// filter that matches only that probe (inner, or its IPIP / VXLAN outer form); each hop is then seen or not,
// with what was captured, and a capture that disagrees with the prediction is a contradiction.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { LabState } from './state.ts';
import type { Hop, TracePacket, TraceResult } from '../trace/types.ts';

export interface Probe {
  /** tcpdump filters for the probe itself, and for it inside IPIP and VXLAN. */
  inner: string;
  ipip: string;
  vxlan: string;
  /** The probe after NAT outgoing (ports may change). */
  natted: (src: string) => string;
  argv: string[];
}

/** A probe unique to this run: ICMP and UDP by IP total length, TCP by source port. */
export function makeProbe(pkt: TracePacket, nodeBin: string, pick: (lo: number, hi: number) => number = randomInt): Probe {
  if (pkt.protocol === 'tcp') {
    const sp = pkt.srcPort ?? pick(40000, 60000);
    const js = `const c=require('net').connect({host:'${pkt.dst}',port:${pkt.port},localPort:${sp}});c.on('error',()=>{});setTimeout(()=>{c.destroy();process.exit(0)},1500)`;
    return {
      inner: `tcp and src port ${sp} and dst host ${pkt.dst}`, ipip: `ip proto 4 and ip[40:2] == ${sp}`, vxlan: `udp dst port 4789 and ip[70:2] == ${sp}`,
      natted: (src) => `tcp and src host ${src} and dst host ${pkt.dst} and dst port ${pkt.port}`, argv: [nodeBin, '-e', js],
    };
  }
  const payload = pick(700, 1100);
  const len = pkt.protocol === 'icmp' ? payload + 28 : payload + 28;
  const proto = pkt.protocol === 'icmp' ? 'icmp' : 'udp';
  const argv = pkt.protocol === 'icmp'
    ? ['ping', '-c', '2', '-i', '0.3', '-W', '1', '-s', String(payload), pkt.dst]
    : [nodeBin, '-e', `const s=require('dgram').createSocket('udp4');const b=Buffer.alloc(${payload});s.bind(${pkt.srcPort ?? 0},()=>s.send(b,${pkt.port},'${pkt.dst}',()=>setTimeout(()=>s.send(b,${pkt.port},'${pkt.dst}',()=>s.close()),300)))`];
  // ICMP: echo requests only (type 8 at the inner header's offset), so the replies are not taken for the probe.
  const req = (off: number) => (pkt.protocol === 'icmp' ? ` and ip[${off}] == 8` : '');
  return {
    inner: `${proto} and ip[2:2] == ${len}${req(20)}`, ipip: `ip proto 4 and ip[2:2] == ${len + 20}${req(40)}`,
    vxlan: `udp dst port 4789 and ip[2:2] == ${len + 50}${req(70)}`,
    natted: (src) => `${proto} and src host ${src} and ip[2:2] == ${len}${req(20)}`, argv,
  };
}

/**
 * A probe from an address that is not SRC's: the address is put on SRC's eth0 for the probe's duration (a lab
 * pod's namespace is the lab's own) and the probe binds to it; ICMP only.
 */
export function spoofedProbe(p: Probe, pkt: TracePacket): Probe {
  if (pkt.protocol !== 'icmp') throw new Error('a probe from another address (--src-address) is sent as ICMP only');
  const ping = [...p.argv.slice(0, -1), '-I', pkt.src, p.argv.at(-1)!].join(' ');
  const script = `ip addr add ${pkt.src}/32 dev eth0 && { ${ping}; ip addr del ${pkt.src}/32 dev eth0; }`;
  return { ...p, argv: ['sh', '-c', script] };
}

export interface CapturePoint { hop: number; netns: string; iface: string; filter: string; expect: 'seen' | 'not-seen'; outbound?: boolean; mustShow?: RegExp | undefined }

type NsOf = (hop: Hop) => string | undefined;

function outerFilter(p: Probe, h: Hop): string {
  return h.encap?.type === 'vxlan' ? p.vxlan : h.encap?.type === 'ipip' ? p.ipip : p.inner;
}

function outerShows(h: Hop): RegExp | undefined {
  const e = h.encap;
  if (!e) return undefined;
  const q = (s: string) => s.replace(/\./g, '\\.');
  return e.type === 'vxlan'
    ? new RegExp(`${q(e.outerSrc)}\\.\\d+ > ${q(e.outerDst)}\\.${e.udpPort ?? 4789}: VXLAN.*vni ${e.vni}`)
    : new RegExp(`${q(e.outerSrc)} > ${q(e.outerDst)}: `);
}

/** Where each hop can be seen (or must not be), from the predicted hops. Hops with no point stay unverified. */
export function capturePlan(hops: Hop[], p: Probe, nsOf: NsOf): CapturePoint[] {
  const points: CapturePoint[] = [];
  const next = (i: number, action: Hop['action']) => hops.slice(i + 1).find((x) => x.node === hops[i]!.node && x.action === action);
  const add = (i: number, h: Hop | undefined, iface: string | undefined, filter: string, extra: Partial<CapturePoint> = {}) => {
    const netns = h ? nsOf(h) : undefined;
    if (netns && iface) points.push({ hop: i, netns, iface, filter, expect: 'seen', ...extra });
  };
  hops.forEach((h, i) => {
    const { namespace: _inPod, ...nodeHop } = h;
    switch (h.action) {
      case 'route': {
        if (h.namespace) { add(i, h, 'eth0', p.inner); break; }
        // Dropped later on this node: the packet never leaves on the route's device; the kernel is asked instead.
        if (hops.slice(i + 1).some((x) => x.node === h.node && x.action === 'drop')) break;
        if (h.interface === 'tunl0') { const t = next(i, 'transmit'); add(i, t, t?.interface, outerFilter(p, t ?? h), { mustShow: t && outerShows(t) }); break; }
        if (h.interface) add(i, nodeHop, h.interface, p.inner);
        break;
      }
      case 'egress-policy': {
        const r = hops.slice(0, i).reverse().find((x) => x.node === h.node && x.action === 'route' && !x.namespace);
        const t = next(i, 'transmit');
        if (r?.interface === 'tunl0' && t) add(i, t, t.interface, outerFilter(p, t));
        else add(i, nodeHop, r?.interface === 'tunl0' ? undefined : r?.interface, p.inner);
        break;
      }
      case 'ingress-policy': { const d = next(i, 'deliver'); add(i, nodeHop, d?.interface, p.inner); break; }
      case 'encapsulate': case 'transmit': case 'decapsulate': {
        const iface = h.action === 'encapsulate' ? next(i, 'transmit')?.interface : h.interface;
        add(i, nodeHop, iface, outerFilter(p, h), { mustShow: outerShows(h) });
        break;
      }
      case 'deliver': add(i, nodeHop, h.interface === 'host' ? 'any' : h.interface, p.inner); break;
      case 'snat': case 'leave-cluster': {
        const natSrc = /masqueraded to (\S+)/.exec(hops.find((x) => x.action === 'snat')?.detail ?? '')?.[1];
        add(i, nodeHop, h.interface, natSrc ? p.natted(natSrc) : p.inner, natSrc ? { mustShow: new RegExp(`${natSrc.replace(/\./g, '\\.')}[ .]`) } : {});
        break;
      }
      case 'drop': add(i, nodeHop, 'any', `(${p.inner}) or (${p.ipip}) or (${p.vxlan})`, { expect: 'not-seen', outbound: true }); break;
      default: break;
    }
  });
  return points;
}

interface Running { point: CapturePoint; child: ChildProcess; out: string; err: string; ready: Promise<void> }

function startCapture(point: CapturePoint): Running {
  const argv = ['netns', 'exec', point.netns, 'tcpdump', '-l', '-n', '-U', '-i', point.iface, ...(point.outbound ? ['-Q', 'out'] : []), point.filter];
  const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { point, child, out: '', err: '', ready: Promise.resolve() };
  r.ready = new Promise((resolve) => {
    const t = setTimeout(resolve, 5000);
    child.stderr!.on('data', (d) => { r.err += d; if (/listening on/.test(r.err)) { clearTimeout(t); resolve(); } });
    child.on('exit', () => { clearTimeout(t); resolve(); });
  });
  child.stdout!.on('data', (d) => { r.out += d; });
  return r;
}

function runProbe(netns: string, argv: string[]): Promise<void> {
  return new Promise((resolve) => {
    const c = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: 'ignore' });
    const t = setTimeout(() => c.kill('SIGKILL'), 8000);
    c.on('exit', () => { clearTimeout(t); resolve(); });
  });
}

function stop(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null) { resolve(); return; }
    r.child.on('exit', () => resolve());
    r.child.kill('SIGINT');
    setTimeout(() => r.child.kill('SIGKILL'), 2000);
  });
}

/** The lab's namespace for a hop: the pod's for hops inside a pod, else the node's. */
export function labNamespaceOf(state: LabState): NsOf {
  return (h) => {
    if (h.namespace) {
      const [ns, name] = h.namespace.split('/');
      return state.pods.find((p) => p.namespace === ns && p.name === name)?.netns;
    }
    return state.nodes.find((n) => n.name === h.node)?.ns;
  };
}

/** Send the probe from `srcNetns`, capture at every planned point, and mark the hops. */
export async function verifyTrace(state: LabState, result: TraceResult, pkt: TracePacket, srcNetns: string, spoofed = false): Promise<TraceResult> {
  const probe = spoofed ? spoofedProbe(makeProbe(pkt, process.execPath), pkt) : makeProbe(pkt, process.execPath);
  const nsOf = labNamespaceOf(state);
  const points = capturePlan(result.hops, probe, nsOf);
  const running = points.map(startCapture);
  await Promise.all(running.map((r) => r.ready));
  await runProbe(srcNetns, probe.argv);
  await new Promise((r) => setTimeout(r, 1200));
  await Promise.all(running.map(stop));
  const hops = result.hops.map((h) => ({ ...h }));
  const contradictions: string[] = [];
  for (const r of running) {
    const h = hops[r.point.hop]!;
    const seen = r.out.trim().length > 0;
    const lines = r.out.trim().split('\n');
    // VXLAN prints the outer header on one line and the inner packet on the next.
    const observed = (lines[0]?.includes('VXLAN') ? lines.slice(0, 2).join(' | ') : lines[0] ?? '').slice(0, 240);
    if (r.point.expect === 'seen') {
      const headersOk = !seen || !r.point.mustShow || r.point.mustShow.test(r.out);
      h.verified = seen && headersOk;
      if (seen) h.observed = observed;
      if (!seen) contradictions.push(`hop ${r.point.hop + 1} (${h.action} on ${h.node} ${r.point.iface}): predicted, but the capture saw no probe${r.err.includes('listening on') ? '' : ` (tcpdump: ${r.err.trim().split('\n').pop()})`}`);
      else if (!headersOk) contradictions.push(`hop ${r.point.hop + 1} (${h.action} on ${h.node} ${r.point.iface}): captured headers differ from the prediction: ${observed}`);
    } else {
      h.verified = !seen;
      h.observed = seen ? `left ${h.node}: ${observed}` : `nothing left ${h.node} after this point`;
      if (seen) contradictions.push(`hop ${r.point.hop + 1}: predicted a drop on ${h.node}, but the probe left it: ${observed}`);
    }
  }
  await verifyProxyArp(hops, nsOf);
  await verifyUnseenRoutes(hops, nsOf, pkt.dst, new Set(points.map((p) => p.hop)));
  return { ...result, hops, ...(contradictions.length ? { contradictions } : {}) };
}

function inNetns(netns: string, argv: string[]): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let s = '';
    c.stdout!.on('data', (d) => { s += d; });
    c.stderr!.on('data', (d) => { s += d; });
    c.on('exit', () => resolve(s.trim()));
  });
}

/** A node's route that no capture can show (the packet dies before leaving): the kernel's lookup, now. */
async function verifyUnseenRoutes(hops: Hop[], nsOf: NsOf, dst: string, captured: Set<number>): Promise<void> {
  for (const [i, h] of hops.entries()) {
    if (h.action !== 'route' || h.namespace || captured.has(i) || !h.interface) continue;
    const netns = nsOf(h);
    if (!netns) continue;
    const out = await inNetns(netns, ['ip', 'route', 'get', dst]);
    h.verified = new RegExp(`dev ${h.interface.replace(/\./g, '\\.')}( |$)`).test(out);
    h.observed = `ip route get: ${out.split('\n')[0]}`;
  }
}

/** The ARP step: after the probe, the pod's neighbour table holds 169.254.1.1 at ee:ee:ee:ee:ee:ee. */
async function verifyProxyArp(hops: Hop[], nsOf: NsOf): Promise<void> {
  for (const h of hops) {
    if (h.action !== 'arp') continue;
    const netns = nsOf(h);
    if (!netns) continue;
    const out = await inNetns(netns, ['ip', 'neigh', 'show', '169.254.1.1']);
    h.verified = /lladdr ee:ee:ee:ee:ee:ee/.test(out);
    h.observed = out || 'no neighbour entry for 169.254.1.1';
  }
}

// --verify's probe: one packet made unique by its IP total length (ICMP, UDP) or its source port (TCP), and
// the tcpdump filters that match only it — as sent, inside IPIP, inside VXLAN, after NAT outgoing. Pure: the
// caller (tabby trace) and the agents that capture and send it (POST /trace/capture, /trace/probe) build the
// same filters from the same ProbeSpec, so a node never runs a filter it was handed as text.
import { isIPv4 } from '../net/ip.ts';
import type { TracePacket, TraceProtocol } from './types.ts';

export interface ProbeSpec {
  protocol: TraceProtocol;
  dst: string;
  port?: number | undefined;
  /** TCP: the probe's source port (its mark); UDP: optional. */
  srcPort?: number | undefined;
  /** ICMP/UDP: the IP total length, the probe's mark. */
  length?: number | undefined;
  /** Sent from this address instead of the source's own (anti-spoofing); ICMP only. */
  fromAddress?: string | undefined;
  /** --size was asked: the probe is sent with DF set (`ping -M do`), so an MTU drop is not hidden by fragmenting. */
  dontFragment?: boolean | undefined;
}

/** Where along the path the probe is looked for, and so in which form. */
export type CaptureForm = 'inner' | 'ipip' | 'vxlan' | 'natted' | 'any';

export const PROBE_MIN_LENGTH = 29;
export const PROBE_MAX_LENGTH = 9000;

/** A probe unique to this run. */
export function probeSpecFor(pkt: TracePacket, pick: (lo: number, hi: number) => number, fromAddress?: string): ProbeSpec {
  const from = fromAddress ? { fromAddress } : {};
  if (pkt.protocol === 'tcp') return { protocol: 'tcp', dst: pkt.dst, port: pkt.port, srcPort: pkt.srcPort ?? pick(40000, 60000), ...from };
  const sized = pkt.size !== undefined ? { length: pkt.size, dontFragment: true } : { length: pick(700, 1100) + 28 };
  return { protocol: pkt.protocol, dst: pkt.dst, port: pkt.port, srcPort: pkt.srcPort, ...sized, ...from };
}

/** A bad spec, named; '' when it is a probe a node may send or look for. */
export function probeSpecProblem(s: Partial<ProbeSpec> | null | undefined): string {
  if (!s || typeof s !== 'object') return 'probe must be {"protocol","dst",…}';
  if (!['tcp', 'udp', 'icmp'].includes(s.protocol as string)) return 'probe.protocol must be tcp, udp or icmp';
  if (typeof s.dst !== 'string' || !isIPv4(s.dst)) return 'probe.dst must be an IPv4 address';
  const port = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535);
  if (!port(s.port) || !port(s.srcPort)) return 'probe.port and probe.srcPort must be 1-65535';
  if (s.protocol !== 'icmp' && s.port === undefined) return `probe.port is needed for ${s.protocol}`;
  if (s.protocol === 'tcp' && s.srcPort === undefined) return 'probe.srcPort is needed for tcp (it marks the probe)';
  if (s.protocol !== 'tcp' && !(Number.isInteger(s.length) && s.length! >= PROBE_MIN_LENGTH && s.length! <= PROBE_MAX_LENGTH)) {
    return `probe.length must be ${PROBE_MIN_LENGTH}-${PROBE_MAX_LENGTH} (the IP total length that marks the probe)`;
  }
  if (s.fromAddress !== undefined && (typeof s.fromAddress !== 'string' || !isIPv4(s.fromAddress))) return 'probe.fromAddress must be an IPv4 address';
  if (s.fromAddress !== undefined && s.protocol !== 'icmp') return 'a probe from another address is sent as ICMP only';
  return '';
}

/** The tcpdump filter for the probe in one form; natSrc is the address NAT outgoing gives it. */
export function probeFilter(s: ProbeSpec, form: CaptureForm, natSrc?: string): string {
  if (form === 'any') return `(${probeFilter(s, 'inner')}) or (${probeFilter(s, 'ipip')}) or (${probeFilter(s, 'vxlan')})`;
  if (s.protocol === 'tcp') {
    const sp = s.srcPort!;
    if (form === 'ipip') return `ip proto 4 and ip[40:2] == ${sp}`;
    if (form === 'vxlan') return `udp dst port 4789 and ip[70:2] == ${sp}`;
    if (form === 'natted') return `tcp and src host ${natSrc} and dst host ${s.dst} and dst port ${s.port}`;
    return `tcp and src port ${sp} and dst host ${s.dst}`;
  }
  const len = s.length!;
  const proto = s.protocol;
  // ICMP: echo requests only (type 8 at the inner header's offset), so the replies are not taken for the probe.
  const req = (off: number) => (proto === 'icmp' ? ` and ip[${off}] == 8` : '');
  if (form === 'ipip') return `ip proto 4 and ip[2:2] == ${len + 20}${req(40)}`;
  if (form === 'vxlan') return `udp dst port 4789 and ip[2:2] == ${len + 50}${req(70)}`;
  if (form === 'natted') return `${proto} and src host ${natSrc} and ip[2:2] == ${len}${req(20)}`;
  return `${proto} and ip[2:2] == ${len}${req(20)}`;
}

/** The command that sends the probe (twice, 300 ms apart) from wherever it runs. */
export function probeArgv(s: ProbeSpec, nodeBin: string): string[] {
  if (s.protocol === 'tcp') {
    const js = `const c=require('net').connect({host:'${s.dst}',port:${s.port},localPort:${s.srcPort}});c.on('error',()=>{});setTimeout(()=>{c.destroy();process.exit(0)},1500)`;
    return [nodeBin, '-e', js];
  }
  const payload = s.length! - 28;
  if (s.protocol === 'udp') {
    return [nodeBin, '-e', `const s=require('dgram').createSocket('udp4');const b=Buffer.alloc(${payload});s.bind(${s.srcPort ?? 0},()=>s.send(b,${s.port},'${s.dst}',()=>setTimeout(()=>s.send(b,${s.port},'${s.dst}',()=>s.close()),300)))`];
  }
  const ping = ['ping', '-c', '2', '-i', '0.3', '-W', '1', '-s', String(payload), ...(s.dontFragment ? ['-M', 'do'] : [])];
  if (!s.fromAddress) return [...ping, s.dst];
  // The address is on eth0 only for the probe's duration, so the socket can bind to it.
  return ['sh', '-c', `ip addr add ${s.fromAddress}/32 dev eth0 && { ${[...ping, '-I', s.fromAddress, s.dst].join(' ')}; ip addr del ${s.fromAddress}/32 dev eth0; }`];
}

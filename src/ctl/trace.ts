// `tabby trace SRC DST`: the life of a packet, asked of the nodes on its path. SRC and DST are resolved
// against the datastore (pods, endpoints, nodes, IPs); each node's agent answers for its own part on its
// trace endpoint (POST /trace/segment, bearer token); the answers are stitched and printed like the article.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Datastore } from '../datastore/types.ts';
import type { Resource } from '../api/resource.ts';
import { isIPv4 } from '../net/ip.ts';
import { CliError, EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE } from './errors.ts';
import { out, withDatastore } from './context.ts';
import { resolveEnd, startOf, stitch, TraceInputError, type KnownEndpoint, type KnownNode } from '../trace/stitch.ts';
import { renderJson, renderText } from '../trace/text.ts';
import type { Arrival, Segment, TracePacket, TraceProtocol, TraceResult } from '../trace/types.ts';
import { verifyTrace } from '../trace/verify.ts';
import { traceReply } from '../trace/reply.ts';
import { httpVerifyTransport } from './trace-verify.ts';
import { randomInt } from 'node:crypto';

export interface TraceFlags {
  port?: string;
  srcPort?: string;
  srcAddress?: string;
  size?: string;
  protocol: string;
  verify?: boolean;
  output: string;
  tokenFile: string;
  tracePort: string;
}

export const DEFAULT_TOKEN_FILE = '/etc/tabby/trace-token';

function knownEndpoints(items: Resource[]): KnownEndpoint[] {
  return items.map((w) => {
    const s = (w.spec ?? {}) as Record<string, any>;
    return {
      name: w.metadata.name, namespace: w.metadata.namespace ?? '', pod: String(s.pod ?? s.workload ?? w.metadata.name), node: String(s.node ?? ''),
      iface: String(s.interfaceName ?? ''), ips: ((s.ipNetworks ?? []) as string[]).map((n) => n.split('/')[0]!),
    };
  });
}

function knownNodes(items: Resource[]): KnownNode[] {
  return items.map((n) => {
    const s = (n.spec ?? {}) as Record<string, any>;
    const addrs = [s.bgp?.ipv4Address, s.bgp?.ipv4IPIPTunnelAddr, s.ipv4VXLANTunnelAddr].filter((a) => typeof a === 'string' && a).map((a: string) => a.split('/')[0]!);
    return { name: n.metadata.name, addresses: addrs };
  });
}

function intFlag(v: string | undefined, flag: string, lo: number, hi: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new CliError(`${flag} must be a number ${lo}-${hi}, got "${v}"`, EXIT_USAGE);
  return n;
}

/** The packet the flags describe. */
export function packetFlags(f: Pick<TraceFlags, 'port' | 'srcPort' | 'protocol' | 'srcAddress' | 'size'>): { protocol: TraceProtocol; port?: number; srcPort?: number; srcAddress?: string; size?: number } {
  const protocol = f.protocol.toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'icmp') throw new CliError(`--protocol must be tcp, udp or icmp, got "${f.protocol}"`, EXIT_USAGE);
  const port = intFlag(f.port, '--port', 1, 65535);
  const srcPort = intFlag(f.srcPort, '--src-port', 1, 65535);
  if (protocol === 'icmp' && port !== undefined) throw new CliError('--port applies to tcp and udp, not icmp', EXIT_USAGE);
  if (protocol !== 'icmp' && port === undefined) throw new CliError(`--protocol ${protocol} needs --port`, EXIT_USAGE);
  if (f.srcAddress !== undefined && !isIPv4(f.srcAddress)) throw new CliError(`--src-address must be an IPv4 address, got "${f.srcAddress}"`, EXIT_USAGE);
  // The IP total length: at least the IP and ICMP/UDP headers (TCP's 40), at most what a probe may be.
  const size = intFlag(f.size, '--size', protocol === 'tcp' ? 40 : 28, 9000);
  return {
    protocol, ...(port !== undefined ? { port } : {}), ...(srcPort !== undefined ? { srcPort } : {}), ...(f.srcAddress !== undefined ? { srcAddress: f.srcAddress } : {}),
    ...(size !== undefined ? { size } : {}),
  };
}

/** Asks one node's agent for its segment over HTTP; refusals and silence become clear errors. */
export function httpAsker(nodes: KnownNode[], tracePort: number, token: string): (node: string, pkt: TracePacket, arrival: Arrival) => Promise<Segment> {
  return async (node, pkt, arrival) => {
    const addr = nodes.find((n) => n.name === node)?.addresses[0];
    if (!addr) throw new CliError(`node ${node} has no address in the datastore: cannot ask it`, EXIT_FAILED);
    const url = `http://${addr}:${tracePort}/trace/segment`;
    const ask = async (): Promise<Response> => {
      try {
        return await fetch(url, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ packet: pkt, arrival }), signal: AbortSignal.timeout(10_000),
        });
      } catch (e) {
        throw new CliError(`node ${node}: its trace endpoint ${url} does not answer (${(e as Error).cause ?? (e as Error).message}); is the agent running with a trace token? (docs/trace.md)`, EXIT_UNAVAILABLE);
      }
    };
    let r = await ask();
    if (r.status === 429) {
      // The node's rate limit: wait as it asks, once.
      await new Promise((res) => setTimeout(res, 1000 * Math.min(5, Number(r.headers.get('retry-after') ?? 1) || 1)));
      r = await ask();
    }
    const body = await r.json().catch(() => ({})) as { error?: string; segment?: Segment };
    if (r.status === 401 || r.status === 403) throw new CliError(`node ${node} refused the trace: ${body.error ?? r.status}`, EXIT_FAILED);
    if (!r.ok || !body.segment) throw new CliError(`node ${node}: trace failed (HTTP ${r.status}): ${body.error ?? 'no answer'}`, EXIT_FAILED);
    return body.segment;
  };
}

function readToken(file: string): string {
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (t) return t;
  } catch { /* reported below */ }
  throw new CliError(`no trace token in ${file}: the nodes answer only callers holding the cluster's trace token (--token-file or TABBY_TRACE_TOKEN_FILE; docs/trace.md)`, EXIT_USAGE);
}

/** Resolve SRC and DST, ask the nodes on the path, stitch. */
export async function traceWith(ds: Datastore, src: string, dst: string, f: TraceFlags): Promise<TraceResult> {
  const { srcAddress, ...flags } = packetFlags(f);
  // --verify: the probe's source port is chosen first, so that the prediction is about the very packet sent.
  const pf = f.verify && flags.protocol !== 'icmp' && flags.srcPort === undefined ? { ...flags, srcPort: randomInt(40000, 60000) } : flags;
  const token = readToken(f.tokenFile);
  const tracePort = intFlag(f.tracePort, '--trace-port', 1, 65535)!;
  const endpoints = knownEndpoints((await ds.list('WorkloadEndpoint')).items);
  const nodes = knownNodes((await ds.list('Node')).items);
  try {
    const s = resolveEnd(src, endpoints, nodes, 'SRC');
    const d = resolveEnd(dst, endpoints, nodes, 'DST');
    const start = startOf(s);
    // --src-address: the packet leaves SRC with another address (what anti-spoofing is for).
    const pkt: TracePacket = { src: srcAddress ?? s.ip, dst: d.ip, ...pf };
    const ask = httpAsker(nodes, tracePort, token);
    const forward = await stitch(start.node, start.arrival, pkt, ask);
    const reply = await traceReply(forward, d, ask);
    const predicted = reply ? { ...forward, reply } : forward;
    if (!f.verify) return predicted;
    return await verifyTrace(predicted, pkt, httpVerifyTransport(nodes, tracePort, token), pkt.src !== s.ip);
  } catch (e) {
    if (e instanceof TraceInputError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }
}

export function addTraceOptions(c: Command): Command {
  return c
    .option('--protocol <p>', 'tcp, udp or icmp', 'icmp')
    .option('--port <n>', 'destination port (tcp, udp)')
    .option('--verify', 'send a real probe from SRC and capture it at every predicted hop')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--src-port <n>', 'source port of the packet (tcp, udp)')
    .option('--src-address <ip>', 'the packet\'s source address, when not SRC\'s own (anti-spoofing drops it)')
    .option('--size <n>', 'the packet\'s size in bytes (IP total length, DF set): a drop is predicted where it exceeds the MTU');
}

export function registerTraceCommand(program: Command): void {
  addTraceOptions(program.command('trace <src> <dst>')
    .description('the life of a packet from SRC to DST, hop by hop, from the nodes\' live state (docs/trace.md)'))
    .option('--token-file <file>', 'the cluster trace token (env TABBY_TRACE_TOKEN_FILE)', process.env.TABBY_TRACE_TOKEN_FILE ?? DEFAULT_TOKEN_FILE)
    .option('--trace-port <n>', 'the nodes\' trace endpoint port (env TABBY_TRACE_PORT)', process.env.TABBY_TRACE_PORT ?? '9097')
    .action(async (src: string, dst: string, f: TraceFlags, cmd: Command) => {
      if (f.output !== 'text' && f.output !== 'json') throw new CliError(`-o must be text or json, got "${f.output}"`, EXIT_USAGE);
      const r = await withDatastore(cmd, ({ datastore }) => traceWith(datastore, src, dst, f));
      out(f.output === 'json' ? renderJson(r).trimEnd() : renderText(r).trimEnd());
      if (r.verdict === 'dropped' || r.contradictions?.length) process.exitCode = EXIT_FAILED;
    });
}

// `tabby trace SRC DST`: the life of a packet, asked of the nodes on its path. SRC and DST are resolved
// against the datastore (pods, endpoints, nodes, IPs); each node's agent answers for its own part on its
// trace endpoint (src/trace/remote.ts); the answers are stitched and printed like the article.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Datastore } from '../datastore/types.ts';
import { isIPv4 } from '../net/ip.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { out, withDatastore } from './context.ts';
import { TraceInputError } from '../trace/stitch.ts';
import { traceCluster } from '../trace/remote.ts';
import { renderJson, renderText } from '../trace/text.ts';
import type { TraceProtocol, TraceResult } from '../trace/types.ts';
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

function readToken(file: string): string {
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (t) return t;
  } catch { /* reported below */ }
  throw new CliError(`no trace token in ${file}: the nodes answer only callers holding the cluster's trace token (--token-file or TABBY_TRACE_TOKEN_FILE; docs/trace.md)`, EXIT_USAGE);
}

/** Resolve SRC and DST, ask the nodes on the path, stitch (src/trace/remote.ts). */
export async function traceWith(ds: Datastore, src: string, dst: string, f: TraceFlags): Promise<TraceResult> {
  const { srcAddress, ...flags } = packetFlags(f);
  // --verify: the probe's source port is chosen first, so that the prediction is about the very packet sent.
  const pf = f.verify && flags.protocol !== 'icmp' && flags.srcPort === undefined ? { ...flags, srcPort: randomInt(40000, 60000) } : flags;
  const token = readToken(f.tokenFile);
  const tracePort = intFlag(f.tracePort, '--trace-port', 1, 65535)!;
  try {
    return await traceCluster(ds, src, dst, pf, { token, tracePort, verify: !!f.verify, ...(srcAddress !== undefined ? { srcAddress } : {}) });
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

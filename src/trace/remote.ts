// Asking the nodes on a packet's path, over HTTP: each agent's trace endpoint (POST /trace/segment, and for
// --verify /trace/capture and /trace/probe), with the cluster's trace token (docs/trace.md). Used by
// `tabby trace` and by `tabby ui`, in-process in both: the same answers, the same errors.
import type { Datastore } from '../datastore/types.ts';
import type { Resource } from '../api/resource.ts';
import { TabbyError } from '../errors.ts';
import { resolveEnd, startOf, stitch, type KnownEndpoint, type KnownNode } from './stitch.ts';
import type { Arrival, Segment, TracePacket, TraceResult } from './types.ts';
import { verifyTrace, type VerifyTransport } from './verify.ts';
import type { CaptureOutcome } from './verify-plan.ts';
import { traceReply } from './reply.ts';

/** A node that cannot be asked, does not answer, or refuses: code 'Unavailable' (exit 3) when it is silent. */
export class TraceNodeError extends TabbyError {
  constructor(message: string, unavailable: boolean) {
    super(unavailable ? 'Unavailable' : 'TraceNodeFailed', message);
    this.name = 'TraceNodeError';
  }
}

export function knownEndpoints(items: Resource[]): KnownEndpoint[] {
  return items.map((w) => {
    const s = (w.spec ?? {}) as Record<string, any>;
    return {
      name: w.metadata.name, namespace: w.metadata.namespace ?? '', pod: String(s.pod ?? s.workload ?? w.metadata.name), node: String(s.node ?? ''),
      iface: String(s.interfaceName ?? ''), ips: ((s.ipNetworks ?? []) as string[]).map((n) => n.split('/')[0]!),
    };
  });
}

export function knownNodes(items: Resource[]): KnownNode[] {
  return items.map((n) => {
    const s = (n.spec ?? {}) as Record<string, any>;
    const addrs = [s.bgp?.ipv4Address, s.bgp?.ipv4IPIPTunnelAddr, s.ipv4VXLANTunnelAddr].filter((a) => typeof a === 'string' && a).map((a: string) => a.split('/')[0]!);
    return { name: n.metadata.name, addresses: addrs };
  });
}

/** Asks one node's agent for its segment over HTTP; refusals and silence become clear errors. */
export function httpAsker(nodes: KnownNode[], tracePort: number, token: string): (node: string, pkt: TracePacket, arrival: Arrival) => Promise<Segment> {
  return async (node, pkt, arrival) => {
    const addr = nodes.find((n) => n.name === node)?.addresses[0];
    if (!addr) throw new TraceNodeError(`node ${node} has no address in the datastore: cannot ask it`, false);
    const url = `http://${addr}:${tracePort}/trace/segment`;
    const ask = async (): Promise<Response> => {
      try {
        return await fetch(url, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ packet: pkt, arrival }), signal: AbortSignal.timeout(10_000),
        });
      } catch (e) {
        throw new TraceNodeError(`node ${node}: its trace endpoint ${url} does not answer (${(e as Error).cause ?? (e as Error).message}); is the agent running with a trace token? (docs/trace.md)`, true);
      }
    };
    let r = await ask();
    if (r.status === 429) {
      // The node's rate limit: wait as it asks, once.
      await new Promise((res) => setTimeout(res, 1000 * Math.min(5, Number(r.headers.get('retry-after') ?? 1) || 1)));
      r = await ask();
    }
    const body = await r.json().catch(() => ({})) as { error?: string; segment?: Segment };
    if (r.status === 401 || r.status === 403) throw new TraceNodeError(`node ${node} refused the trace: ${body.error ?? r.status}`, false);
    if (!r.ok || !body.segment) throw new TraceNodeError(`node ${node}: trace failed (HTTP ${r.status}): ${body.error ?? 'no answer'}`, false);
    return body.segment;
  };
}

// ---- --verify: captures and probes ----------------------------------------------------------------------

function urlOf(nodes: KnownNode[], node: string, tracePort: number, path: string): string {
  const addr = nodes.find((n) => n.name === node)?.addresses[0];
  if (!addr) throw new TraceNodeError(`node ${node} has no address in the datastore: cannot ask it`, false);
  return `http://${addr}:${tracePort}${path}`;
}

async function post(url: string, node: string, token: string, body: Record<string, unknown>, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new TraceNodeError(`node ${node}: its trace endpoint ${url} does not answer (${(e as Error).cause ?? (e as Error).message})`, true);
  }
}

async function refusal(r: Response, node: string, what: string): Promise<never> {
  const body = await r.json().catch(() => ({})) as { error?: string };
  throw new TraceNodeError(`node ${node} refused the ${what} (HTTP ${r.status}): ${body.error ?? 'no answer'}`, r.status >= 500);
}

/** Reads the NDJSON answer: the listening line, then the outcome. */
async function readCapture(r: Response, listening: () => void): Promise<CaptureOutcome> {
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let last: CaptureOutcome | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { listening?: boolean } & CaptureOutcome;
      if (msg.listening) listening(); else last = { lines: msg.lines ?? [], ...(msg.error ? { error: msg.error } : {}), ...(msg.routeGet !== undefined ? { routeGet: msg.routeGet } : {}), ...(msg.neighbour !== undefined ? { neighbour: msg.neighbour } : {}) };
    }
    if (done) break;
  }
  return last ?? { lines: [], error: 'the capture ended without an answer' };
}

export function httpVerifyTransport(nodes: KnownNode[], tracePort: number, token: string): VerifyTransport {
  return {
    async capture(node, body, listening) {
      const r = await post(urlOf(nodes, node, tracePort, '/trace/capture'), node, token, body, 60_000);
      if (r.status !== 200) return refusal(r, node, 'capture');
      return readCapture(r, listening);
    },
    async probe(node, body) {
      const r = await post(urlOf(nodes, node, tracePort, '/trace/probe'), node, token, body, 30_000);
      if (r.status !== 200) await refusal(r, node, 'probe');
    },
  };
}

export interface ClusterTraceOptions {
  /** The cluster's trace token (the nodes refuse callers without it). */
  token: string;
  tracePort: number;
  /** Send a real probe and capture it at every predicted hop. */
  verify?: boolean;
  /** The packet leaves SRC with this address instead of its own (what anti-spoofing is for). */
  srcAddress?: string;
}

/** SRC and DST resolved against the datastore, the nodes on the path asked, the answers stitched (and verified). */
export async function traceCluster(ds: Datastore, src: string, dst: string, packet: Omit<TracePacket, 'src' | 'dst'>, o: ClusterTraceOptions): Promise<TraceResult> {
  const endpoints = knownEndpoints((await ds.list('WorkloadEndpoint')).items);
  const nodes = knownNodes((await ds.list('Node')).items);
  const s = resolveEnd(src, endpoints, nodes, 'SRC');
  const d = resolveEnd(dst, endpoints, nodes, 'DST');
  const start = startOf(s);
  const pkt: TracePacket = { src: o.srcAddress ?? s.ip, dst: d.ip, ...packet };
  const ask = httpAsker(nodes, o.tracePort, o.token);
  const forward = await stitch(start.node, start.arrival, pkt, ask);
  const reply = await traceReply(forward, d, ask);
  const predicted = reply ? { ...forward, reply } : forward;
  if (!o.verify) return predicted;
  return verifyTrace(predicted, pkt, httpVerifyTransport(nodes, o.tracePort, o.token), pkt.src !== s.ip);
}

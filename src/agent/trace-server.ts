// The node's trace endpoint (beside health and metrics): POST /trace/segment answers "what happens to this
// packet on this node" from this node's kernel and datastore view. It reveals kernel state, so only callers
// holding the cluster's trace token (a file only nodes and administrators can read) are answered:
// `Authorization: Bearer <token>`; anyone else gets 401/403 with the reason. Requests are rate-limited
// (token bucket, 429 beyond it). Off when the port is 0 or the token file is missing. See docs/trace.md.
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../log.ts';
import { TabbyError } from '../errors.ts';
import { isIPv4 } from '../net/ip.ts';
import { BGP_NOT_RUNNING } from '../bgp/status.ts';
import { nodeSegment } from '../trace/model.ts';
import type { Arrival, TracePacket } from '../trace/types.ts';
import { gatherSnapshot, type TraceSources } from './trace-gather.ts';
import { parseCaptureRequest, parseProbeRequest, ProbeRequestError, runCapture, runProbe } from './trace-probe.ts';

export const TRACE_PORT = 9097;
export const TRACE_PATH = '/trace/segment';
export const CAPTURE_PATH = '/trace/capture';
export const PROBE_PATH = '/trace/probe';
/** GET: this node's agent as the web view shows it (BGP sessions, readiness). */
export const STATUS_PATH = '/trace/status';
const PATHS = [TRACE_PATH, CAPTURE_PATH, PROBE_PATH, STATUS_PATH];
/** Captures running at once on one node (each is a tcpdump for at most 15 s). */
const MAX_CAPTURES = 16;
const MAX_BODY = 16 * 1024;

export interface TraceServerOptions {
  port: number;
  host: string;
  /** The cluster's trace token: a file (0600) holding one line. */
  tokenFile: string;
  sources: TraceSources;
  log: Logger;
  /** Requests per second allowed on average, and the burst above it. Defaults 5 and 10. */
  ratePerSecond?: number;
  burst?: number;
  /** Captures and probes (--verify) per second on average, and their burst. Defaults 3 and 16. */
  probeRatePerSecond?: number;
  probeBurst?: number;
  now?: () => number;
}

/** Reads the token; undefined (endpoint off) when the file is missing or empty. */
export function readTraceToken(file: string): string | undefined {
  try {
    const t = readFileSync(file, 'utf8').trim();
    return t.length > 0 ? t : undefined;
  } catch { return undefined; }
}

class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number) {
    this.tokens = burst;
    this.last = now();
  }
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

class BadRequest extends TabbyError {
  constructor(message: string) { super('BadTraceRequest', message); }
}

/** The request body as a packet and an arrival, or BadRequest naming what is wrong. */
export function parseSegmentRequest(body: unknown): { packet: TracePacket; arrival: Arrival } {
  const b = body as { packet?: Record<string, unknown>; arrival?: Record<string, unknown> } | null;
  const p = b?.packet;
  if (!p || typeof p !== 'object') throw new BadRequest('body must be {"packet": {...}, "arrival": {...}}');
  for (const f of ['src', 'dst'] as const) if (typeof p[f] !== 'string' || !isIPv4(p[f] as string)) throw new BadRequest(`packet.${f} must be an IPv4 address`);
  if (!['tcp', 'udp', 'icmp'].includes(p.protocol as string)) throw new BadRequest('packet.protocol must be tcp, udp or icmp');
  for (const f of ['port', 'srcPort'] as const) {
    if (p[f] !== undefined && !(Number.isInteger(p[f]) && (p[f] as number) >= 1 && (p[f] as number) <= 65535)) throw new BadRequest(`packet.${f} must be 1-65535`);
  }
  if (p.size !== undefined && !(Number.isInteger(p.size) && (p.size as number) >= 28 && (p.size as number) <= 65535)) throw new BadRequest('packet.size must be 28-65535 (the IP total length)');
  if (p.established !== undefined && typeof p.established !== 'boolean') throw new BadRequest('packet.established must be true or false');
  if (p.unNatTo !== undefined && (typeof p.unNatTo !== 'string' || !isIPv4(p.unNatTo))) throw new BadRequest('packet.unNatTo must be an IPv4 address');
  const a = b?.arrival;
  const from = a?.from;
  if (from !== 'workload' && from !== 'host' && from !== 'fabric') throw new BadRequest('arrival.from must be workload, host or fabric');
  if (from === 'workload' && (typeof a!.iface !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(a!.iface))) throw new BadRequest('arrival.iface must be an interface name');
  return { packet: p as unknown as TracePacket, arrival: a as unknown as Arrival };
}

export class TraceServer {
  private server: http.Server | undefined;
  private readonly bucket: TokenBucket;
  private readonly probeBucket: TokenBucket;
  private readonly statusBucket: TokenBucket;
  private readonly tokenDigest: Buffer;
  private captures = 0;

  constructor(private readonly o: TraceServerOptions, token: string) {
    this.tokenDigest = createHash('sha256').update(token).digest();
    this.bucket = new TokenBucket(o.ratePerSecond ?? 5, o.burst ?? 10, o.now ?? Date.now);
    this.probeBucket = new TokenBucket(o.probeRatePerSecond ?? 3, o.probeBurst ?? 16, o.now ?? Date.now);
    this.statusBucket = new TokenBucket(10, 20, o.now ?? Date.now);
  }

  private refuse(res: http.ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error }) + '\n');
  }

  /** 401 without credentials, 403 with wrong ones; compared in constant time. */
  private authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const h = req.headers.authorization;
    const m = h ? /^Bearer (\S+)$/.exec(h) : null;
    if (!m) {
      this.refuse(res, 401, 'trace endpoint: authentication required (Authorization: Bearer <the cluster trace token>; see docs/trace.md)', { 'www-authenticate': 'Bearer realm="tabby-trace"' });
      return false;
    }
    const given = createHash('sha256').update(m[1]!).digest();
    if (!timingSafeEqual(given, this.tokenDigest)) {
      this.refuse(res, 403, 'trace endpoint: the token is not this cluster\'s trace token');
      return false;
    }
    return true;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!PATHS.includes(path)) { this.refuse(res, 404, `not found (the trace endpoint is POST ${PATHS.filter((x) => x !== STATUS_PATH).join(', ')} and GET ${STATUS_PATH})`); return; }
    if (!this.authorized(req, res)) return;
    if (path === STATUS_PATH) { this.status(req, res); return; }
    if (req.method !== 'POST') { this.refuse(res, 405, 'only POST'); return; }
    const bucket = path === TRACE_PATH ? this.bucket : this.probeBucket;
    if (!bucket.take()) { this.refuse(res, 429, 'trace endpoint: too many requests; retry in a second', { 'retry-after': '1' }); return; }
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > MAX_BODY) { this.refuse(res, 413, 'request body too large'); return; }
    }
    let json: unknown;
    try { json = JSON.parse(body); } catch { this.refuse(res, 400, 'bad request: body is not JSON'); return; }
    try {
      if (path === CAPTURE_PATH) await this.capture(json, res);
      else if (path === PROBE_PATH) await this.probe(json, res);
      else await this.segment(json, res);
    } catch (e) {
      if (e instanceof BadRequest || e instanceof ProbeRequestError) {
        if (!res.headersSent) this.refuse(res, e instanceof ProbeRequestError ? e.status : 400, `bad request: ${e.message}`);
        else res.end(JSON.stringify({ lines: [], error: e.message }) + '\n');
        return;
      }
      this.o.log.warn({ err: (e as Error).message, path }, 'trace request failed');
      if (!res.headersSent) this.refuse(res, 500, `trace on ${this.o.sources.nodeName} failed: ${(e as Error).message}`);
      else res.end(JSON.stringify({ lines: [], error: (e as Error).message }) + '\n');
    }
  }

  /** Cheap (no kernel reads): its own bucket, so a page watching the cluster never starves a trace. */
  private status(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET') { this.refuse(res, 405, 'only GET'); return; }
    if (!this.statusBucket.take()) { this.refuse(res, 429, 'trace endpoint: too many status requests; retry in a second', { 'retry-after': '1' }); return; }
    const src = this.o.sources;
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ node: src.nodeName, ready: src.ready?.() ?? true, bgp: src.bgpStatus?.() ?? BGP_NOT_RUNNING }));
  }

  private async segment(json: unknown, res: http.ServerResponse): Promise<void> {
    const parsed = parseSegmentRequest(json);
    const snap = await gatherSnapshot(this.o.sources, parsed.packet, parsed.arrival);
    const segment = nodeSegment(snap, parsed.packet, parsed.arrival);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ node: this.o.sources.nodeName, segment }));
  }

  /** NDJSON: `{"listening": true}` once tcpdump listens, then `{"lines": [...], …}` when its time is up. */
  private async capture(json: unknown, res: http.ServerResponse): Promise<void> {
    const req = parseCaptureRequest(json);
    if (this.captures >= MAX_CAPTURES) { this.refuse(res, 429, `trace endpoint: ${MAX_CAPTURES} captures already running on this node`, { 'retry-after': '5' }); return; }
    this.captures++;
    try {
      const listening = () => { res.writeHead(200, { 'content-type': 'application/x-ndjson' }).write(JSON.stringify({ listening: true }) + '\n'); };
      const outcome = await runCapture(this.o.sources, req, listening);
      res.end(JSON.stringify({ node: this.o.sources.nodeName, ...outcome }) + '\n');
    } finally { this.captures--; }
  }

  private async probe(json: unknown, res: http.ServerResponse): Promise<void> {
    const sent = await runProbe(this.o.sources, parseProbeRequest(json));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ node: this.o.sources.nodeName, ...sent }));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = http.createServer((req, res) => { void this.handle(req, res); });
      srv.once('error', reject);
      srv.listen(this.o.port, this.o.host, () => { srv.off('error', reject); this.server = srv; resolve(); });
    });
  }

  get address(): { port: number } | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { port: a.port } : undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => { if (!this.server) { resolve(); return; } this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
  }
}

/** Starts the endpoint unless it is turned off (port 0) or has no token to check callers against. */
export async function startTraceServer(o: TraceServerOptions): Promise<TraceServer | undefined> {
  if (o.port === 0) { o.log.info('trace endpoint off (port 0)'); return undefined; }
  const token = readTraceToken(o.tokenFile);
  if (!token) { o.log.warn({ tokenFile: o.tokenFile }, 'trace endpoint off: no trace token file (it never answers without one)'); return undefined; }
  const s = new TraceServer(o, token);
  try { await s.listen(); } catch (e) {
    // Diagnostics must not stop the dataplane: the agent runs on without its trace endpoint.
    o.log.error({ err: (e as Error).message, port: o.port }, 'trace endpoint could not listen; it is off');
    return undefined;
  }
  o.log.info({ port: o.port, host: o.host }, 'trace endpoint listening');
  return s;
}

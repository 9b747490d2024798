// `tabby ui`: one local web page for the cluster its datastore describes (docs/web.md).
//   GET  /                 the page (index.html, app.js, app.css: built by scripts/build.sh into dist/web)
//   GET  /api/events       server-sent events: `cluster` (the whole view) whenever the datastore or an agent
//                          changes; nothing is polled by the page
//   GET  /api/pod?namespace=&name=      a pod's endpoint, labels and the policies selecting it
//   POST /api/trace {src,dst,protocol,port,verify}   `tabby trace -o json`, run as the CLI runs it
//   GET  /api/matrix?namespace=&protocol=&port=[&probe=1]   reachability from the policy model (and probed)
// The server holds the cluster's trace token and can make the nodes send probes: it binds to loopback unless
// told otherwise, answers only requests whose Host is its own (no DNS rebinding) and JSON posts (no
// cross-site form posts).
import http from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import type { Datastore } from '../datastore/types.ts';
import { TabbyError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { POLICY_KINDS, snapshotFromStore } from '../policy/manager.ts';
import type { WorkloadEndpoint } from '../policy/model.ts';
import { renderText } from '../trace/text.ts';
import type { TraceResult } from '../trace/types.ts';
import { traceCluster } from '../trace/remote.ts';
import { TraceInputError } from '../trace/stitch.ts';
import { Syncer } from '../agent/syncer.ts';
import type { Resource } from '../api/resource.ts';
import { AgentPoller } from './agents.ts';
import { clusterView, type ClusterView } from './view-model.ts';
import { podDetails, reachability, type MatrixPacket } from './policy-view.ts';

export interface WebServerOptions {
  ds: Datastore;
  /** `HOST:PORT` or `unix:/path/to.sock`. */
  listen: string;
  /** dist/web: index.html, app.js, app.css. */
  assetsDir: string;
  /** The trace token and the nodes' trace port: how the page learns each agent's state. */
  token: string | undefined;
  tracePort: number;
  log: Logger;
  /** How often each agent is asked for its status (ms, at least 1000). */
  agentEveryMs?: number;
}

const ASSETS: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
/** SRC/DST as the trace command takes them: names, NAMESPACE/NAME, addresses; never an option. */
const END_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,252}$/;
const MAX_BODY = 4096;
/** A probed matrix of n pods sends n·(n−1) probes, one at a time. */
const MAX_PROBED_PODS = 6;

/** A request the server refuses or cannot serve; `status` is the HTTP answer. */
/** What the page draws: the policy model's kinds (pods, nodes, pools, policies) plus blocks and BGP. */
export const WEB_KINDS: readonly string[] = [...new Set([...POLICY_KINDS, 'IPAMBlock', 'BGPPeer', 'BGPConfiguration'])];

export class WebError extends TabbyError {
  constructor(readonly status: number, message: string) { super('WebRequest', message); }
}

export class WebServer {
  /** The agent's own list-then-watch loop, over the kinds the page draws. */
  private readonly syncer: Syncer;
  private readonly agents: AgentPoller;
  private readonly clients = new Set<http.ServerResponse>();
  private server: http.Server | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private view: ClusterView | undefined;
  private viewJson = '';

  constructor(private readonly o: WebServerOptions) {
    this.syncer = new Syncer(o.ds, o.log, { kinds: WEB_KINDS });
    this.agents = new AgentPoller({
      nodes: () => this.list('Node'), token: o.token, port: o.tracePort, everyMs: Math.max(1000, o.agentEveryMs ?? 2000),
    });
  }

  /** Starts watching and listening; resolves with the address it listens on. */
  async start(): Promise<string> {
    this.syncer.on('changed', () => this.schedulePush());
    this.syncer.on('status', () => this.schedulePush()); // the page says when the datastore is being re-read
    this.agents.on('changed', () => this.schedulePush());
    this.syncer.start();
    this.agents.start();
    this.heartbeat = setInterval(() => { for (const c of this.clients) c.write(': keep-alive\n\n'); }, 15_000);
    const srv = http.createServer((req, res) => { void this.handle(req, res); });
    this.server = srv;
    const { listen } = this.o;
    if (listen.startsWith('unix:')) {
      const file = listen.slice(5);
      await rm(file, { force: true });
      await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(file, () => resolve()); });
      return listen;
    }
    const m = /^(.*):(\d+)$/.exec(listen);
    if (!m) throw new WebError(400, `--listen must be HOST:PORT or unix:/path, got "${listen}"`);
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(Number(m[2]), host, () => resolve()); });
    const a = srv.address();
    return typeof a === 'object' && a ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : listen;
  }

  async stop(): Promise<void> {
    this.syncer.stop();
    this.agents.stop();
    if (this.pushTimer) clearTimeout(this.pushTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The view as the page gets it (also what tests read). */
  current(): ClusterView & { datastore: { synced: boolean; error?: string } } {
    const view = clusterView({
      nodes: this.list('Node'), workloadEndpoints: this.list('WorkloadEndpoint'),
      ipamBlocks: this.list('IPAMBlock'), ipPools: this.list('IPPool'), agents: this.agents.statuses,
    });
    const synced = this.syncer.status === 'in-sync';
    return { ...view, datastore: { synced, ...(!synced && this.syncer.lastError ? { error: this.syncer.lastError } : {}) } };
  }

  private list(kind: string): Resource[] {
    return [...this.syncer.snapshot.items(kind)];
  }

  /** Many watch events in a burst (a lab coming up) become one push. */
  private schedulePush(): void {
    if (this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      const v = this.current();
      const json = JSON.stringify(v);
      if (json === this.viewJson) return;
      this.view = v;
      this.viewJson = json;
      for (const c of this.clients) c.write(`event: cluster\ndata: ${json}\n\n`);
    }, 100);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ui');
    try {
      if (!this.sameOrigin(req)) throw new WebError(403, 'request refused: not addressed to this server (Host/Origin)');
      const asset = ASSETS[url.pathname];
      if (asset && req.method === 'GET') { await this.serveAsset(res, asset); return; }
      if (url.pathname === '/api/events' && req.method === 'GET') { this.events(req, res); return; }
      if (url.pathname === '/api/pod' && req.method === 'GET') { this.json(res, this.pod(url)); return; }
      if (url.pathname === '/api/matrix' && req.method === 'GET') { this.json(res, await this.matrix(url)); return; }
      if (url.pathname === '/api/trace' && req.method === 'POST') { this.json(res, await this.trace(await jsonBody(req))); return; }
      throw new WebError(404, `not found: ${req.method} ${url.pathname}`);
    } catch (e) {
      const status = e instanceof WebError ? e.status : 500;
      if (status === 500) this.o.log.warn({ err: (e as Error).message, path: url.pathname }, 'ui request failed');
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS });
      res.end(JSON.stringify({ error: (e as Error).message }) + '\n');
    }
  }

  /** Loopback names or the listen address in Host; Origin, when sent, must name the same host. */
  private sameOrigin(req: http.IncomingMessage): boolean {
    const host = (req.headers.host ?? '').toLowerCase();
    const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const listenHost = this.o.listen.startsWith('unix:') ? '' : this.o.listen.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const ok = ['localhost', '127.0.0.1', '::1', listenHost].filter(Boolean).includes(name);
    const origin = req.headers.origin;
    return ok && (origin === undefined || origin === `http://${host}`);
  }

  private async serveAsset(res: http.ServerResponse, [file, type]: [string, string]): Promise<void> {
    let body: Buffer;
    try { body = await readFile(path.join(this.o.assetsDir, file)); } catch {
      throw new WebError(500, `the page's ${file} is missing from ${this.o.assetsDir}: run bash scripts/build.sh`);
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...SECURITY_HEADERS }).end(body);
  }

  private events(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...SECURITY_HEADERS });
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    const v = this.view ?? this.current();
    res.write(`retry: 2000\nevent: cluster\ndata: ${JSON.stringify(v)}\n\n`);
  }

  private json(res: http.ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...SECURITY_HEADERS }).end(JSON.stringify(body));
  }

  private endpointOf(namespace: string, name: string): WorkloadEndpoint {
    const weps = this.list('WorkloadEndpoint') as WorkloadEndpoint[];
    const w = weps.find((e) => e.metadata.namespace === namespace && (e.metadata.name === name || e.spec?.pod === name));
    if (!w) throw new WebError(404, `no pod ${namespace}/${name} in the datastore`);
    return w;
  }

  private pod(url: URL): unknown {
    const ns = url.searchParams.get('namespace') ?? '';
    const name = url.searchParams.get('name') ?? '';
    if (!ns || !name) throw new WebError(400, 'namespace and name are required');
    return podDetails(snapshotFromStore(this.syncer.snapshot), this.endpointOf(ns, name));
  }

  private async matrix(url: URL): Promise<unknown> {
    const namespace = url.searchParams.get('namespace') ?? '';
    if (!namespace) throw new WebError(400, 'namespace is required');
    const pkt = matrixPacket(url.searchParams.get('protocol') ?? 'tcp', url.searchParams.get('port'));
    const m = reachability(snapshotFromStore(this.syncer.snapshot), namespace, pkt);
    if (url.searchParams.get('probe') !== '1') return m;
    if (m.pods.length > MAX_PROBED_PODS) throw new WebError(400, `probing ${m.pods.length} pods is ${m.pods.length * (m.pods.length - 1)} probes: at most ${MAX_PROBED_PODS} pods`);
    // One probe at a time: each has every node on its path capture, and the nodes bound their captures.
    const probed = await mapLimit(m.cells, 1, async (c) => {
      try {
        const r = await this.runTrace({ src: `${namespace}/${c.from}`, dst: `${namespace}/${c.to}`, ...pkt, verify: true });
        const confirmed = r.result.hops.some((h) => h.verified !== null) && !(r.result.contradictions?.length);
        return { ...c, probed: r.result.verdict === 'delivered' ? 'allow' : 'deny', confirmed };
      } catch (e) {
        return { ...c, probed: 'error', probeError: (e as Error).message };
      }
    });
    return { ...m, cells: probed };
  }

  private async trace(body: unknown): Promise<unknown> {
    const b = (body ?? {}) as Record<string, unknown>;
    const src = String(b.src ?? '');
    const dst = String(b.dst ?? '');
    const pkt = matrixPacket(String(b.protocol ?? 'icmp'), b.port === undefined || b.port === '' ? null : String(b.port));
    return this.runTrace({ src, dst, ...pkt, verify: b.verify === true });
  }

  /** What `tabby trace SRC DST -o json` answers, asked in-process the same way (src/trace/remote.ts). */
  private async runTrace(q: { src: string; dst: string; verify: boolean } & MatrixPacket): Promise<{ result: TraceResult; text: string }> {
    for (const [what, v] of [['src', q.src], ['dst', q.dst]] as const) {
      if (!END_RE.test(v)) throw new WebError(400, `${what} must be a pod (NAMESPACE/NAME), a node or an address, got "${v.slice(0, 80)}"`);
    }
    if (!this.o.token) throw new WebError(503, 'no trace token: the nodes answer only callers holding the cluster\'s trace token (tabby ui --token-file; docs/trace.md)');
    const { src, dst, verify, protocol, port } = q;
    // --verify: the probe's source port is chosen first, so that the prediction is about the very packet sent.
    const srcPort = verify && protocol !== 'icmp' ? randomInt(40000, 60000) : undefined;
    const packet = { protocol, ...(port !== undefined ? { port } : {}), ...(srcPort !== undefined ? { srcPort } : {}) };
    try {
      const result = await traceCluster(this.o.ds, src, dst, packet, { token: this.o.token, tracePort: this.o.tracePort, verify });
      return { result, text: renderText(result) };
    } catch (e) {
      if (e instanceof TraceInputError) throw new WebError(400, e.message);
      throw new WebError(502, (e as Error).message);
    }
  }
}

export function matrixPacket(protocol: string, port: string | null): MatrixPacket {
  const p = protocol.toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'icmp') throw new WebError(400, `protocol must be tcp, udp or icmp, got "${protocol.slice(0, 20)}"`);
  if (p === 'icmp') {
    if (port !== null) throw new WebError(400, 'a port applies to tcp and udp, not icmp');
    return { protocol: p };
  }
  const n = Number(port ?? '');
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new WebError(400, `${p} needs a port 1-65535, got "${String(port).slice(0, 20)}"`);
  return { protocol: p, port: n };
}

async function jsonBody(req: http.IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new WebError(415, 'send JSON (content-type: application/json)');
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY) throw new WebError(413, 'request body too large');
  }
  try { return JSON.parse(body); } catch { throw new WebError(400, 'body is not JSON'); }
}

async function mapLimit<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await f(items[i]!);
  }));
  return out;
}

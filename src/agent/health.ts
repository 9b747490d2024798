// Felix-style health endpoints on the node's namespace: GET /liveness and GET /readiness answer 200 with a
// small report when every reporter is good, 503 otherwise. Reporters: the main loop (live while it ticks;
// ready once the datastore is in sync and the first apply succeeded) and, with BGP, the speaker.
// Extra routes (the BGP speaker's /bgp/status, read by `tabby node status`) can be mounted.
import http from 'node:http';

export interface HealthReport { live: boolean; ready: boolean; detail?: string }
export type HealthReporter = () => HealthReport;
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A GET route answering `get()` as JSON (500 with the reason when it throws). */
export function jsonRoute(get: () => unknown): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { 'content-type': 'text/plain' }).end('only GET\n'); return; }
    let body: string;
    try { body = JSON.stringify(get()); } catch (e) { res.writeHead(500, { 'content-type': 'text/plain' }).end(`status failed: ${(e as Error).message}\n`); return; }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}

export class HealthAggregator {
  private readonly reporters = new Map<string, HealthReporter>();
  private readonly routes = new Map<string, RouteHandler>();
  private server: http.Server | undefined;

  register(name: string, r: HealthReporter): void { this.reporters.set(name, r); }
  mount(path: string, h: RouteHandler): void { this.routes.set(path, h); }

  summary(): { live: boolean; ready: boolean; rows: [string, HealthReport][] } {
    const rows = [...this.reporters].map(([n, r]) => {
      try { return [n, r()] as [string, HealthReport]; } catch (e) { return [n, { live: false, ready: false, detail: String(e) }] as [string, HealthReport]; }
    });
    return { live: rows.every(([, r]) => r.live), ready: rows.every(([, r]) => r.ready), rows };
  }

  private render(which: 'live' | 'ready', rows: [string, HealthReport][]): string {
    const lines = ['COMPONENT            LIVE   READY  DETAIL'];
    for (const [n, r] of rows) lines.push(`${n.padEnd(20)} ${String(r.live).padEnd(6)} ${String(r.ready).padEnd(6)} ${r.detail ?? ''}`.trimEnd());
    void which;
    return lines.join('\n') + '\n';
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const extra = this.routes.get(path);
    if (extra) { extra(req, res); return; }
    if (path !== '/liveness' && path !== '/readiness') { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'); return; }
    const s = this.summary();
    const ok = path === '/liveness' ? s.live : s.ready;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(this.render(path === '/liveness' ? 'live' : 'ready', s.rows));
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = http.createServer((req, res) => this.handle(req, res));
      srv.once('error', reject);
      srv.listen(port, host, () => { srv.off('error', reject); this.server = srv; resolve(); });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => { if (!this.server) { resolve(); return; } this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
  }
}

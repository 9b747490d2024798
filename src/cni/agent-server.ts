// The node agent's side of the plugin's fast path (see agent-client.ts): a unix socket at <state_dir>/cni.sock
// that runs CNI invocations with the same runPlugin() the executable uses, so a served ADD and an in-process
// ADD produce the same kernel state, endpoint, log lines and result. Only callers in the agent's own network
// namespace, for whom the pod's netns path names the same namespace as for the agent, are served.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type CallerView, type ServeReply, type ServeRequest } from './agent-client.ts';
import { fileIdentity } from './agent-exchange-node.ts';
import { openRealBackend, type CniBackend, type OpenBackend } from './backend.ts';
import { runOnLinux } from './in-process.ts';
import { createCniLogger } from './log.ts';
import { peekLogConfig } from './stdio.ts';

export interface ServedOutput { stdout: string; exitCode: number; stderr: string }
/** Runs one invocation for the plugin process `pid`. */
export type InvocationRunner = (env: Record<string, string>, stdin: string, pid: number) => Promise<ServedOutput>;

export interface ServerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface CniServerOptions {
  socketPath: string;
  log: ServerLog;
  run: InvocationRunner;
  /** Called after each served invocation (metrics). */
  onServed?: (command: string, exitCode: number, seconds: number) => void;
  /** The network namespace callers must share, as fileIdentity() of an ns file (default this process's). */
  netIdentity?: string;
}

/**
 * The runner the agent uses: runPlugin with the real dataplane and datastore backends kept open between
 * invocations (one per datastore selection in the netconf). close() closes those backends.
 */
export function pluginRunner(open: OpenBackend = openRealBackend): InvocationRunner & { close(): Promise<void> } {
  const backends = new Map<string, Promise<CniBackend>>();
  const cachedOpen: OpenBackend = async (sel) => {
    const key = JSON.stringify(sel);
    let p = backends.get(key);
    if (!p) {
      p = open(sel);
      backends.set(key, p);
      p.catch(() => backends.delete(key)); // a datastore that was down is retried on the next call
    }
    const be = await p;
    return { ds: be.ds, ipam: be.ipam, close: async () => {} }; // kept for the next invocation
  };
  const run = async (env: Record<string, string>, stdin: string, pid: number): Promise<ServedOutput> => {
    let stderr = '';
    const log = createCniLogger({
      component: 'tabby-cni', ...peekLogConfig(stdin), pid, fields: { servedBy: 'agent' },
      stderr: (line) => { stderr += line; },
    });
    const out = await runOnLinux(env, stdin, cachedOpen, log);
    return { ...out, stderr };
  };
  return Object.assign(run, {
    async close(): Promise<void> {
      const all = [...backends.values()];
      backends.clear();
      await Promise.all(all.map(async (p) => { try { await (await p).ds.close(); } catch { /* already failed */ } }));
    },
  });
}

export class CniServer {
  private server: Server | undefined;
  private socketIno: number | undefined;
  private readonly netIdentity: string;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The last invocation queued per container ID (see runInOrder). */
  private readonly perContainer = new Map<string, Promise<unknown>>();
  /** Container ID → ADDs received and not yet answered (queued or running). */
  private readonly addsRunning = new Map<string, number>();
  served = 0;

  /**
   * Container IDs whose ADD this server has received and not yet answered: their addresses may be allocated
   * while their WorkloadEndpoint is not written yet, so IPAM garbage collection must keep them.
   */
  addsInFlight(): ReadonlySet<string> { return new Set(this.addsRunning.keys()); }
  /** Resolves once the invocations running now have answered, or after `maxMs`; undefined when none runs. */
  idle(maxMs: number): Promise<void> | undefined {
    if (this.inFlight.size === 0) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((r) => { timer = setTimeout(r, maxMs); });
    return Promise.race([Promise.allSettled([...this.inFlight]).then(() => {}), cap]).finally(() => clearTimeout(timer));
  }

  constructor(private readonly opts: CniServerOptions) {
    this.netIdentity = opts.netIdentity ?? fileIdentity('/proc/self/ns/net') ?? 'unknown';
  }

  /**
   * Listens on the socket (mode 0600). A socket left by an agent that died is replaced; if another process
   * answers on it, or something other than a socket sits there, this does not serve and returns false.
   */
  async start(): Promise<boolean> {
    const { socketPath, log } = this.opts;
    mkdirSync(dirname(socketPath), { recursive: true });
    const existing = lstatOrUndefined(socketPath);
    if (existing) {
      if (!existing.isSocket()) { log.warn({ path: socketPath }, 'not serving CNI requests: the path exists and is not a socket'); return false; }
      if (await answers(socketPath)) { log.warn({ path: socketPath }, 'not serving CNI requests: another process already listens there'); return false; }
      unlinkSync(socketPath);
    }
    const server = createServer({ allowHalfOpen: true }, (sock) => this.handle(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
    chmodSync(socketPath, 0o600);
    this.socketIno = lstatSync(socketPath).ino;
    server.on('error', (e) => log.warn({ err: e.message }, 'CNI socket error'));
    this.server = server;
    log.info({ path: socketPath }, 'serving CNI requests');
    return true;
  }

  /** Stops accepting, waits for invocations in flight, removes the socket if it is still ours. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((r) => server.close(() => r()));
    await Promise.allSettled([...this.inFlight]);
    const st = lstatOrUndefined(this.opts.socketPath);
    if (st && st.ino === this.socketIno) { try { unlinkSync(this.opts.socketPath); } catch { /* gone */ } }
  }

  private handle(sock: Socket): void {
    const accepted = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    sock.on('error', () => { /* the plugin went away; its invocation still completes and is logged */ });
    sock.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_MESSAGE_BYTES) { tooBig = true; sock.pause(); reply(sock, { fallback: `request larger than ${MAX_MESSAGE_BYTES} bytes` }); return; }
      chunks.push(d);
    });
    sock.on('end', () => {
      if (tooBig) return;
      const p = this.serve(Buffer.concat(chunks).toString('utf8'), accepted).then((r) => reply(sock, r));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
  }

  private async serve(text: string, accepted: number): Promise<ServeReply> {
    if (!text) return { fallback: 'empty request' }; // a liveness probe (see answers()), not worth a log line
    const req = parseRequest(text);
    if (typeof req === 'string') { this.opts.log.warn({ reason: req }, 'CNI request not served'); return { fallback: req }; }
    if (req.view.net !== this.netIdentity) return { fallback: 'the agent runs in another network namespace' };
    if (req.view.target !== fileIdentity(req.env.CNI_NETNS)) {
      return { fallback: `CNI_NETNS ${req.env.CNI_NETNS} names another namespace (or none) for the agent` };
    }
    const command = req.env.CNI_COMMAND ?? '';
    const t0 = performance.now();
    const readMs = t0 - accepted;
    const containerId = req.env.CNI_CONTAINERID ?? '';
    const isAdd = command === 'ADD' && containerId !== '';
    if (isAdd) this.addsRunning.set(containerId, (this.addsRunning.get(containerId) ?? 0) + 1);
    let out: ServedOutput;
    try {
      out = await this.runInOrder(containerId, () => this.opts.run(req.env, req.stdin, req.pid));
    } catch (e) {
      // runPlugin answers every failure itself; a throw means nothing was attempted, so the plugin can run it.
      this.opts.log.warn({ err: (e as Error).message, command }, 'CNI request failed in the agent; the plugin runs it itself');
      return { fallback: `the agent failed: ${(e as Error).message}` };
    } finally {
      if (isAdd) {
        const n = this.addsRunning.get(containerId)! - 1;
        if (n > 0) this.addsRunning.set(containerId, n);
        else this.addsRunning.delete(containerId);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    this.served++;
    this.opts.onServed?.(command, out.exitCode, seconds);
    this.opts.log.debug({ command, containerId: req.env.CNI_CONTAINERID, exitCode: out.exitCode, ms: Math.round(seconds * 1000), readMs: Math.round(readMs * 10) / 10 }, 'served CNI request');
    return out;
  }

  /**
   * Runs invocations for one container one after the other. The CNI spec lets a runtime rely on that (no
   * parallel operations for the same container), and a runtime that kills a plugin mid-ADD then sends DEL; a
   * served ADD does not die with its plugin, so without this the DEL could run first and find nothing to
   * release, and the ADD would then allocate an address no one frees. Different containers run in parallel.
   */
  private runInOrder<T>(containerId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.perContainer.get(containerId) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const settled = mine.then(() => {}, () => {});
    this.perContainer.set(containerId, settled);
    void settled.then(() => { if (this.perContainer.get(containerId) === settled) this.perContainer.delete(containerId); });
    return mine;
  }
}

/** A ServeRequest, or why the text is not one. */
export function parseRequest(text: string): ServeRequest | string {
  let o: unknown;
  try { o = JSON.parse(text); } catch { return 'malformed request (not JSON)'; }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'malformed request (not an object)';
  const r = o as Partial<Record<keyof ServeRequest, unknown>>;
  if (r.v !== PROTOCOL_VERSION) return `protocol version ${JSON.stringify(r.v)} is not ${PROTOCOL_VERSION}`;
  if (typeof r.pid !== 'number' || typeof r.stdin !== 'string') return 'malformed request (pid, stdin)';
  const view = r.view as Partial<CallerView> | undefined;
  if (!view || typeof view.net !== 'string' || (view.target !== null && typeof view.target !== 'string')) return 'malformed request (view)';
  if (!r.env || typeof r.env !== 'object' || Object.values(r.env).some((v) => typeof v !== 'string')) return 'malformed request (env)';
  return { v: r.v, pid: r.pid, view: { net: view.net, target: view.target }, env: r.env as Record<string, string>, stdin: r.stdin };
}

function reply(sock: Socket, r: ServeReply): void {
  if (sock.destroyed) return;
  sock.end(JSON.stringify(r));
}

function lstatOrUndefined(path: string) {
  try { return lstatSync(path); } catch { return undefined; }
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

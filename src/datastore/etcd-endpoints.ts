// The etcd members a datastore talks to, and which one to ask next. etcd3's own pool picks a random host
// per call and, with retries off (they are unsafe for writes, see etcd.ts), a call that lands on a dead or
// frozen member simply fails; a frozen member (SIGSTOP, a hung disk) fails only at the deadline, and the next
// call has the same chance of landing there again. So here each endpoint has its own client, calls go to a
// preferred endpoint, and a transport failure marks that endpoint suspect for a while and moves the call on
// to the next one until a failover budget is spent. A single endpoint is never retried: one dead etcd must
// still fail fast. Whether a retried write had already committed is for the caller to settle (etcd.ts
// compares what is stored with what it wrote).
import {
  Etcd3, GRPCCancelledError, GRPCDeadlineExceededError, GRPCUnavailableError, type IOptions,
} from 'etcd3';

export interface EndpointPoolOptions {
  endpoints: string[];
  credentials?: IOptions['credentials'];
  /** Deadline of each attempt of a unary call (ms). */
  timeoutMs: number;
  /** With several endpoints, how long a call keeps moving to the next member before giving up (ms). */
  failoverBudgetMs: number;
}

/** How long an endpoint that failed is passed over while others are available. */
const SUSPECT_MS = 10_000;
/** Pause after a full round of failures (a leader election takes about a second). */
const ROUND_PAUSE_MS = 250;

/** A pass-through fault policy (etcd3 accepts any object with cockatiel's `execute`). */
function passThrough(): never {
  const policy = {
    execute: <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) =>
      Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
    onSuccess: () => ({ dispose() {} }),
    onFailure: () => ({ dispose() {} }),
  };
  return policy as never;
}

/** TLS set-up failures: the same on every member, so moving on would only delay a clear refusal. */
export function isTlsFailure(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /certificate|handshake|SSL|TLS|alert/i.test(msg) && !/deadline/i.test(msg);
}

/** Failures of the member or the path to it (not answers about the request): another member may do better. */
export function isTransportFailure(err: unknown): boolean {
  if (isTlsFailure(err)) return false;
  if (err instanceof GRPCUnavailableError || err instanceof GRPCDeadlineExceededError || err instanceof GRPCCancelledError) return true;
  const msg = err instanceof Error ? err.message : String(err);
  return /no leader|leader changed|request timed out|not capable|too many requests|stopped/i.test(msg);
}

let serverNameWarningHidden = false;

/**
 * grpc-js sets the TLS ServerName to the endpoint's IP, and Node warns (DEP0123) on every such connection;
 * an etcd reached by IP is the normal case (certificates carry IP SANs, which are still verified).
 */
function hideIpServerNameWarning(): void {
  if (serverNameWarningHidden) return;
  serverNameWarningHidden = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  (process as { emitWarning: unknown }).emitWarning = (warning: unknown, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
    if (text.includes('TLS ServerName to an IP address')) return;
    emit(warning, ...rest);
  };
}

export interface Attempted<T> {
  value: T;
  /** Earlier attempts failed in a way that does not prove the request was not applied. */
  retried: boolean;
}

export class EtcdEndpointPool {
  readonly endpoints: string[];
  private readonly clients: Etcd3[];
  private readonly suspectUntil: number[];
  private preferred: number;

  constructor(private readonly opts: EndpointPoolOptions) {
    this.endpoints = opts.endpoints;
    if (opts.credentials) hideIpServerNameWarning();
    this.clients = opts.endpoints.map((host) => new Etcd3({
      hosts: [host],
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + opts.timeoutMs }),
      faultHandling: { host: () => passThrough(), global: passThrough() },
      // Notice a dead or frozen member under an open watch stream within ~15 s rather than the OS TCP
      // timeout (etcd refuses pings more often than every 5 s, and any ping when no call is open).
      // No cap on an answer's size (etcd's Go client sets MaxInt32): a page of lists can hold a few of the
      // 1.5 MiB values etcd accepts, past grpc-js's 4 MiB default.
      grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000, 'grpc.max_receive_message_length': -1 },
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    }));
    this.suspectUntil = opts.endpoints.map(() => 0);
    // Processes start spread over the members (many short-lived CNI plugins, one agent per node).
    this.preferred = Math.floor(Math.random() * opts.endpoints.length);
  }

  /** The endpoint to ask now: the preferred one unless it is suspect and another is not. */
  pick(): number {
    const n = this.clients.length;
    const now = Date.now();
    for (let k = 0; k < n; k++) {
      const i = (this.preferred + k) % n;
      if (this.suspectUntil[i]! <= now) return i;
    }
    return this.preferred;
  }

  client(index: number): Etcd3 {
    return this.clients[index]!;
  }

  markFailed(index: number): void {
    this.suspectUntil[index] = Date.now() + SUSPECT_MS;
    if (this.preferred === index) this.preferred = (index + 1) % this.clients.length;
  }

  private markOk(index: number): void {
    this.suspectUntil[index] = 0;
    this.preferred = index;
  }

  /**
   * Runs `fn` against one member; on a transport failure, against the next, until the failover budget is
   * spent (then the last error is thrown). Other errors are answers and are thrown at once.
   */
  async run<T>(fn: (client: Etcd3) => Promise<T>): Promise<Attempted<T>> {
    const n = this.clients.length;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const index = this.pick();
      try {
        const value = await fn(this.clients[index]!);
        this.markOk(index);
        return { value, retried: attempt > 0 };
      } catch (err) {
        if (n === 1 || !isTransportFailure(err)) throw err;
        this.markFailed(index);
        if (Date.now() - started >= this.opts.failoverBudgetMs) throw err;
        if ((attempt + 1) % n === 0) await new Promise((r) => setTimeout(r, ROUND_PAUSE_MS));
      }
    }
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

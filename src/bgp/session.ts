// One BGP connection's I/O: a net.Socket, message framing, and the timers, all driving the pure FSM
// (fsm.ts). Received bytes are framed and decoded here; every decode error becomes a MessageError event,
// so the FSM sends the RFC's NOTIFICATION and resets the session. Nothing a peer sends can throw out of here.
import net from 'node:net';
import { connectSigned, type PendingConnect } from './md5.ts';
import { realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import {
  BgpMessageError, CeaseSub, decodeMessage, ErrCode, ErrorHandling, frameLength, notificationName, UpdateSub,
  type CodecOptions, type OpenMessage, type RouteRefreshMessage, type UpdateMessage,
} from './codec.ts';
import { BgpFsm, type FsmAction, type FsmConfig, type FsmEvent, type FsmState, type Negotiated, type TimerName } from './fsm.ts';

export interface SessionHandlers {
  onState(s: Session, from: FsmState, to: FsmState): void;
  onOpenReceived(s: Session, open: OpenMessage): void;
  onEstablished(s: Session, n: Negotiated): void;
  onDown(s: Session, reason: string, graceful: boolean, wasEstablished: boolean): void;
  onUpdate(s: Session, u: UpdateMessage): void;
  onRouteRefresh(s: Session, m: RouteRefreshMessage): void;
}

export interface SessionEndpoint {
  remoteAddress: string;
  remotePort: number;
  /** Bind outgoing connections to this address (Calico sourceAddress UseNodeIP). */
  localAddress?: string;
  /** TCP MD5 key (RFC 2385): outgoing connections are signed from their first SYN. */
  md5Key?: Buffer;
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused', EHOSTUNREACH: 'No route to host', ENETUNREACH: 'Network unreachable',
  ETIMEDOUT: 'Connection timed out', ECONNRESET: 'Connection reset by peer', EADDRNOTAVAIL: 'Cannot assign requested address',
  EPIPE: 'Broken pipe',
};

export const UNANSWERED_SIGNED_CONNECT = 'Socket: no answer to TCP MD5 signed connection attempts (the peer may have a different password, or none)';

function socketReason(e: NodeJS.ErrnoException): string {
  return (e.code && SOCKET_ERRORS[e.code]) || e.message;
}

/** Strip the IPv4-mapped prefix dual-stack sockets report. */
export function plainAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class Session {
  readonly fsm: BgpFsm;
  socket?: net.Socket | undefined;
  /** This connection was opened by the peer (matters for collision resolution). */
  inbound = false;
  since: Date;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly timerSeconds = new Map<TimerName, number>();
  private pending: Buffer | undefined;
  private codec: CodecOptions = { as4: true };
  private closed = false;
  /** A signed (MD5) connection still being made; it has no net.Socket until the kernel reports it connected. */
  private signedConnect?: PendingConnect | undefined;
  /** Messages received, for status and tests. */
  counters = { messagesIn: 0, messagesOut: 0, updatesIn: 0, notificationsOut: 0 };

  constructor(
    cfg: FsmConfig,
    readonly endpoint: SessionEndpoint,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
    private readonly clock: Clock = realClock,
  ) {
    this.fsm = new BgpFsm(cfg);
    this.since = new Date(clock.now());
  }

  get state(): FsmState { return this.fsm.state; }
  get localAddress(): string { return plainAddress(this.socket?.localAddress); }

  start(): void { this.dispatch({ type: 'ManualStart' }); }

  /** Stop the session: with `notify`, a Cease NOTIFICATION first; without, just drop TCP (graceful restart). */
  stop(notify?: { subcode: number }): void {
    if (this.closed) return;
    this.dispatch(notify ? { type: 'ManualStop', notify } : { type: 'ManualStop' });
    this.closed = true;
    this.signedConnect?.cancel();
    this.signedConnect = undefined;
    this.clearTimers();
  }

  /** Hand an accepted connection to this session. */
  attach(socket: net.Socket): void {
    this.inbound = true;
    if (this.socket && this.socket !== socket) this.dropSocket(this.socket);
    this.adopt(socket);
    this.dispatch({ type: 'TcpConnectionConfirmed' });
  }

  /** Send bytes on an established session (UPDATEs from the speaker); several messages go in one write. */
  sendMany(msgs: Uint8Array[]): void {
    if (!this.socket || this.state !== 'Established' || msgs.length === 0) return;
    this.counters.messagesOut += msgs.length;
    this.socket.write(msgs.length === 1 ? msgs[0]! : Buffer.concat(msgs));
  }

  get codecOptions(): CodecOptions { return this.codec; }

  dispatch(ev: FsmEvent): void {
    let actions: FsmAction[];
    try {
      actions = this.fsm.handle(ev);
    } catch (e) {
      this.log.error({ err: e, event: ev.type }, 'BGP FSM failed; resetting the session');
      actions = this.fsm.handle({ type: 'MessageError', error: new BgpMessageError(ErrCode.CEASE, CeaseSub.OUT_OF_RESOURCES, new Uint8Array(0), String(e)) });
    }
    try {
      for (const a of actions) this.perform(a);
    } catch (e) {
      // A bug in a handler must not take the daemon down: reset this session (Cease/Out of Resources).
      this.log.error({ err: e, event: ev.type }, 'BGP session handler failed; resetting the session');
      if (this.fsm.state !== 'Idle') for (const a of this.fsm.handle({ type: 'ManualStop', notify: { subcode: CeaseSub.OUT_OF_RESOURCES } })) {
        try { this.perform(a); } catch { /* already failing */ }
      }
    }
  }

  private perform(a: FsmAction): void {
    switch (a.type) {
      case 'connect': this.connect(); break;
      case 'close':
        // A wrong or missing key on the other side shows only as silence (the kernel drops unsigned or
        // badly signed segments), so the attempt given up on is what status can report.
        if (this.signedConnect) this.fsm.lastError = UNANSWERED_SIGNED_CONNECT;
        this.signedConnect?.cancel();
        this.signedConnect = undefined;
        if (this.socket) this.dropSocket(this.socket);
        this.socket = undefined;
        this.pending = undefined;
        break;
      case 'send':
        if (this.socket && !this.socket.destroyed) {
          this.counters.messagesOut++;
          if (a.data[18] === 3) { this.counters.notificationsOut++; this.log.info({ peer: this.endpoint.remoteAddress, notification: notificationName(a.data[19]!, a.data[20]!) }, 'sending NOTIFICATION'); }
          this.socket.write(a.data);
        }
        break;
      case 'startTimer': {
        // The hold timer restarts on every message: re-arm the running timer instead of making a new one.
        const running = this.timers.get(a.timer);
        if (running && this.timerSeconds.get(a.timer) === a.seconds && !this.closed) { running.refresh(); break; }
        this.stopTimer(a.timer);
        if (this.closed || a.seconds <= 0) break;
        this.timerSeconds.set(a.timer, a.seconds);
        const ev: FsmEvent = a.timer === 'connectRetry' ? { type: 'ConnectRetryTimerExpires' } : a.timer === 'hold' ? { type: 'HoldTimerExpires' } : { type: 'KeepaliveTimerExpires' };
        const t = this.clock.setTimeout(() => { this.timers.delete(a.timer); this.dispatch(ev); }, a.seconds * 1000);
        t.unref();
        this.timers.set(a.timer, t);
        break;
      }
      case 'stopTimer': this.stopTimer(a.timer); break;
      case 'state':
        this.since = new Date(this.clock.now());
        this.handlers.onState(this, a.from, a.to);
        break;
      case 'openReceived': this.handlers.onOpenReceived(this, a.open); break;
      case 'established':
        this.codec = { as4: a.negotiated.as4 };
        this.handlers.onEstablished(this, a.negotiated);
        break;
      case 'down': this.handlers.onDown(this, a.reason, a.graceful, a.wasEstablished); break;
      case 'update': this.handlers.onUpdate(this, a.msg); break;
      case 'routeRefresh': this.handlers.onRouteRefresh(this, a.msg); break;
    }
  }

  private stopTimer(t: TimerName): void {
    const h = this.timers.get(t);
    if (h) { this.clock.clear(h); this.timers.delete(t); }
  }

  private clearTimers(): void {
    for (const h of this.timers.values()) this.clock.clear(h);
    this.timers.clear();
  }

  private connect(): void {
    if (this.closed) return;
    if (this.endpoint.md5Key) { this.connectSigned(this.endpoint.md5Key); return; }
    const { remoteAddress, remotePort, localAddress } = this.endpoint;
    const opts: net.NetConnectOpts = { host: remoteAddress, port: remotePort };
    if (localAddress) (opts as net.TcpNetConnectOpts).localAddress = localAddress;
    const sock = net.connect(opts);
    this.inbound = false;
    this.socket = sock;
    let connected = false;
    sock.once('connect', () => {
      if (this.socket !== sock) return;
      connected = true;
      this.adopt(sock);
      this.dispatch({ type: 'TcpConnectionSucceeded' });
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (this.socket !== sock || connected) return;
      this.socket = undefined;
      sock.destroy();
      this.dispatch({ type: 'TcpConnectionFails', reason: socketReason(e), refused: e.code === 'ECONNREFUSED' });
    });
  }

  /** Node's net.connect() gives no moment to set TCP_MD5SIG before connect(): md5.ts makes the socket instead. */
  private connectSigned(key: Buffer): void {
    this.inbound = false;
    this.signedConnect?.cancel();
    const { remoteAddress, remotePort, localAddress } = this.endpoint;
    const pending = connectSigned({ remoteAddress, remotePort, localAddress, key });
    this.signedConnect = pending;
    pending.promise.then((sock) => {
      if (this.signedConnect !== pending) { sock.destroy(); return; }
      this.signedConnect = undefined;
      if (this.closed) { sock.destroy(); return; }
      this.adopt(sock);
      this.dispatch({ type: 'TcpConnectionSucceeded' });
    }, (e: NodeJS.ErrnoException) => {
      if (this.signedConnect !== pending) return;
      this.signedConnect = undefined;
      this.dispatch({ type: 'TcpConnectionFails', reason: socketReason(e), refused: e.code === 'ECONNREFUSED' });
    });
  }

  private adopt(sock: net.Socket): void {
    this.socket = sock;
    this.pending = undefined;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => { if (this.socket === sock) this.onData(chunk); });
    let reason = 'Connection closed';
    sock.on('error', (e: NodeJS.ErrnoException) => { reason = socketReason(e); });
    sock.on('close', () => {
      if (this.socket !== sock) return;
      this.socket = undefined;
      this.dispatch({ type: 'TcpConnectionFails', reason });
    });
  }

  private dropSocket(sock: net.Socket): void {
    // Let a queued NOTIFICATION reach the peer, then make sure the socket goes away.
    sock.end();
    this.clock.setTimeout(() => sock.destroy(), 1000).unref();
    if (this.socket === sock) this.socket = undefined;
  }

  private onData(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    const sock = this.socket;
    while (this.socket === sock && sock) {
      const view = buf.subarray(off);
      let len: number;
      try {
        len = frameLength(view);
      } catch (e) {
        this.fail(e);
        return;
      }
      if (len === 0) break;
      const msg = view.subarray(0, len);
      off += len;
      this.counters.messagesIn++;
      let decoded;
      try {
        decoded = decodeMessage(msg, this.codec);
      } catch (e) {
        this.fail(e, msg[18] === 2);
        return;
      }
      switch (decoded.type) {
        case 'open': this.dispatch({ type: 'BgpOpen', msg: decoded }); break;
        case 'update':
          this.counters.updatesIn++;
          if (decoded.handling !== ErrorHandling.None) {
            this.log.warn({ peer: this.endpoint.remoteAddress, handling: ErrorHandling[decoded.handling], errors: decoded.errors.map((x) => x.message) }, 'malformed UPDATE handled per RFC 7606');
          }
          this.dispatch({ type: 'UpdateMsg', msg: decoded });
          break;
        case 'notification': this.dispatch({ type: 'NotifMsg', msg: decoded }); break;
        case 'keepalive': this.dispatch({ type: 'KeepAliveMsg' }); break;
        case 'route-refresh': this.dispatch({ type: 'RouteRefreshMsg', msg: decoded }); break;
      }
    }
    // Keep the partial tail (copied: the chunk buffer is not ours to hold on to when it is large).
    this.pending = off < buf.length && this.socket === sock ? Buffer.from(buf.subarray(off)) : undefined;
    buf = Buffer.alloc(0);
  }

  private fail(e: unknown, isUpdate = false): void {
    const error = e instanceof BgpMessageError ? e
      : new BgpMessageError(isUpdate ? ErrCode.UPDATE_MESSAGE : ErrCode.MESSAGE_HEADER, isUpdate ? UpdateSub.MALFORMED_ATTRIBUTE_LIST : 0, new Uint8Array(0), String(e));
    this.log.warn({ peer: this.endpoint.remoteAddress, error: error.message }, 'malformed BGP message');
    this.dispatch({ type: 'MessageError', error });
  }
}

// The BGP finite state machine of one connection (RFC 4271 §8), as a pure function of events:
// `fsm.handle(event)` returns the actions to perform (send, connect, close, start/stop timers, deliver
// an UPDATE, report up/down). No sockets, no clocks: session.ts performs the actions and feeds events
// back. Collision detection (§6.8) needs two connections, so the owner (speaker.ts) does it when an FSM
// reports `openReceived`.
import { decodeShutdownCommunication, describeShutdownCommunication } from './codec-shutdown.ts';
import {
  BgpMessageError, CapCode, CeaseSub, encodeKeepalive, encodeNotification, encodeOpen, ErrCode, FsmSub, notificationName,
  OpenSub, AS_TRANS, Afi, Safi, type AfiSafi, type Capability, type NotificationMessage, type OpenMessage,
  type RouteRefreshMessage, type UpdateMessage,
} from './codec.ts';
import type { FsmStateName } from './status.ts';

export type FsmState = FsmStateName;

export interface FsmConfig {
  localAs: number;
  routerId: string;
  /** The AS we expect the peer to be in. */
  peerAs: number;
  /** Hold time we propose (0 or ≥3). */
  holdTime: number;
  connectRetryTime: number;
  /** Keepalive interval wanted (seconds); default and upper bound: a third of the negotiated hold time. */
  keepaliveTime?: number;
  /** Never connect out; wait for the peer (Calico's `passive on`). */
  passive: boolean;
  /** Families we offer. */
  families: AfiSafi[];
  /** Graceful restart capability we send (RFC 4724), or undefined to not offer it. */
  gracefulRestart?: { restartTime: number; restarting: boolean; forwardingPreserved: boolean };
}

/** What both OPENs agreed. */
export interface Negotiated {
  peerAs: number;
  peerRouterId: string;
  holdTime: number;
  keepaliveTime: number;
  as4: boolean;
  families: AfiSafi[];
  peerRouteRefresh: boolean;
  /** The peer's graceful restart capability, if it sent one. */
  peerGracefulRestart?: { restartTime: number; restarting: boolean; families: { afi: number; safi: number; forwardingPreserved: boolean }[] };
  capabilityNames: string[];
}

export type TimerName = 'connectRetry' | 'hold' | 'keepalive';

export type FsmEvent =
  | { type: 'ManualStart' }
  /** Stop the session. Without `notify`, the connection is just closed (graceful restart keeps our routes at the peer). */
  | { type: 'ManualStop'; notify?: { subcode: number } }
  | { type: 'ConnectRetryTimerExpires' }
  | { type: 'HoldTimerExpires' }
  | { type: 'KeepaliveTimerExpires' }
  /** Our outgoing connection completed. */
  | { type: 'TcpConnectionSucceeded' }
  /** An incoming connection was accepted for this peer. */
  | { type: 'TcpConnectionConfirmed' }
  /** `refused`: the peer answered with a reset (its host is up, nothing listens yet). */
  | { type: 'TcpConnectionFails'; reason: string; refused?: boolean }
  | { type: 'BgpOpen'; msg: OpenMessage }
  | { type: 'MessageError'; error: BgpMessageError }
  | { type: 'NotifMsg'; msg: NotificationMessage }
  | { type: 'KeepAliveMsg' }
  | { type: 'UpdateMsg'; msg: UpdateMessage }
  | { type: 'RouteRefreshMsg'; msg: RouteRefreshMessage };

export type FsmAction =
  | { type: 'connect' }
  | { type: 'close' }
  | { type: 'send'; data: Uint8Array }
  | { type: 'startTimer'; timer: TimerName; seconds: number }
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'state'; from: FsmState; to: FsmState }
  | { type: 'openReceived'; open: OpenMessage }
  | { type: 'established'; negotiated: Negotiated }
  /**
   * The session ended. `graceful` is true when it ended without any NOTIFICATION (TCP loss): the case where a
   * receiving speaker keeps the peer's routes as stale (RFC 4724 §4.2).
   */
  | { type: 'down'; reason: string; graceful: boolean; wasEstablished: boolean }
  | { type: 'update'; msg: UpdateMessage }
  | { type: 'routeRefresh'; msg: RouteRefreshMessage };

/** Hold time used while waiting for the peer's OPEN (RFC 4271 §8.2.2: "a large value", 4 minutes suggested). */
export const LARGE_HOLD_TIME = 240;

function familyName(f: AfiSafi): string {
  return `${f.afi === Afi.IPV4 ? 'ipv4' : f.afi === Afi.IPV6 ? 'ipv6' : 'afi' + f.afi}-${f.safi === Safi.UNICAST ? 'unicast' : 'safi' + f.safi}`;
}

/** Validate a received OPEN against our configuration (RFC 4271 §6.2) and work out what was agreed. */
export function negotiate(cfg: FsmConfig, open: OpenMessage): Negotiated {
  if (open.version !== 4) throw new BgpMessageError(ErrCode.OPEN_MESSAGE, OpenSub.UNSUPPORTED_VERSION, new Uint8Array([0, 4]), `version ${open.version}`);
  const as4cap = open.capabilities.find((c) => c.code === CapCode.FOUR_OCTET_AS) as { asn: number } | undefined;
  const peerAs = as4cap ? as4cap.asn : open.myAs;
  if (as4cap && open.myAs !== AS_TRANS && open.myAs !== as4cap.asn) {
    throw new BgpMessageError(ErrCode.OPEN_MESSAGE, OpenSub.BAD_PEER_AS, new Uint8Array([open.myAs >> 8, open.myAs & 255]), `My AS ${open.myAs} disagrees with 4-octet AS ${as4cap.asn}`);
  }
  if (peerAs !== cfg.peerAs) throw new BgpMessageError(ErrCode.OPEN_MESSAGE, OpenSub.BAD_PEER_AS, new Uint8Array([open.myAs >> 8, open.myAs & 255]), `peer AS ${peerAs}, expected ${cfg.peerAs}`);
  if (open.routerId === '0.0.0.0' || (peerAs === cfg.localAs && open.routerId === cfg.routerId)) {
    throw new BgpMessageError(ErrCode.OPEN_MESSAGE, OpenSub.BAD_BGP_IDENTIFIER, new Uint8Array(open.routerId.split('.').map(Number)), `BGP identifier ${open.routerId}`);
  }
  if (open.holdTime === 1 || open.holdTime === 2) throw new BgpMessageError(ErrCode.OPEN_MESSAGE, OpenSub.UNACCEPTABLE_HOLD_TIME, new Uint8Array(0), `hold time ${open.holdTime}`);
  const holdTime = Math.min(cfg.holdTime, open.holdTime);
  const mp = open.capabilities.filter((c) => c.code === CapCode.MULTIPROTOCOL) as { afi: number; safi: number }[];
  // RFC 4760 §8: a peer that sends no multiprotocol capability speaks IPv4 unicast only.
  const theirs = mp.length ? mp : [{ afi: Afi.IPV4, safi: Safi.UNICAST }];
  const families = cfg.families.filter((f) => theirs.some((t) => t.afi === f.afi && t.safi === f.safi));
  const gr = open.capabilities.find((c) => c.code === CapCode.GRACEFUL_RESTART) as Negotiated['peerGracefulRestart'] | undefined;
  const names: string[] = [];
  for (const c of open.capabilities) {
    switch (c.code) {
      case CapCode.MULTIPROTOCOL: names.push('mp:' + familyName(c as AfiSafi)); break;
      case CapCode.ROUTE_REFRESH: names.push('route-refresh'); break;
      case CapCode.ENHANCED_ROUTE_REFRESH: names.push('enhanced-route-refresh'); break;
      case CapCode.FOUR_OCTET_AS: names.push('4-octet-as'); break;
      case CapCode.GRACEFUL_RESTART: names.push(`graceful-restart(${(c as { restartTime: number }).restartTime}s)`); break;
      default: names.push(`cap-${c.code}`);
    }
  }
  const n: Negotiated = {
    peerAs, peerRouterId: open.routerId, holdTime, keepaliveTime: Math.max(holdTime > 0 ? 1 : 0, Math.min(cfg.keepaliveTime ?? Infinity, Math.floor(holdTime / 3))), as4: !!as4cap, families,
    peerRouteRefresh: open.capabilities.some((c) => c.code === CapCode.ROUTE_REFRESH), capabilityNames: names,
  };
  if (gr) n.peerGracefulRestart = { restartTime: gr.restartTime, restarting: gr.restarting, families: gr.families };
  return n;
}

export function buildOpen(cfg: FsmConfig): Uint8Array {
  const caps: Capability[] = cfg.families.map((f) => ({ code: CapCode.MULTIPROTOCOL, afi: f.afi, safi: f.safi }));
  caps.push({ code: CapCode.ROUTE_REFRESH });
  caps.push({ code: CapCode.FOUR_OCTET_AS, asn: cfg.localAs });
  if (cfg.gracefulRestart) {
    caps.push({
      code: CapCode.GRACEFUL_RESTART, restarting: cfg.gracefulRestart.restarting, restartTime: Math.min(4095, cfg.gracefulRestart.restartTime),
      families: cfg.families.map((f) => ({ ...f, forwardingPreserved: cfg.gracefulRestart!.forwardingPreserved })),
    });
  }
  return encodeOpen({ version: 4, myAs: cfg.localAs > 0xffff ? AS_TRANS : cfg.localAs, holdTime: cfg.holdTime, routerId: cfg.routerId, capabilities: caps });
}

/** The first retry after a refused connection (seconds); see retryAfterFailure. */
export const REFUSED_RETRY_FIRST = 0.25;

export class BgpFsm {
  state: FsmState = 'Idle';
  negotiated?: Negotiated;
  /** BIRD-style info for `node status`: "Active Socket: Connection refused", "Received: Hold timer expired"… */
  info = '';
  lastError?: string;
  /** Whether a TCP connection is currently attached. */
  connected = false;
  /** Outgoing connections refused in a row (reset when one succeeds): their retry backs off from REFUSED_RETRY_FIRST. */
  private refusals = 0;

  constructor(public cfg: FsmConfig) {}

  handle(ev: FsmEvent): FsmAction[] {
    const out: FsmAction[] = [];
    const from = this.state;
    switch (this.state) {
      case 'Idle': this.idle(ev, out); break;
      case 'Connect': this.connect(ev, out); break;
      case 'Active': this.active(ev, out); break;
      case 'OpenSent': this.openSent(ev, out); break;
      case 'OpenConfirm': this.openConfirm(ev, out); break;
      case 'Established': this.established(ev, out); break;
    }
    if (this.state !== from) {
      out.unshift({ type: 'state', from, to: this.state });
      if (this.state !== 'Idle' && this.state !== 'Active') this.info = this.state;
    }
    return out;
  }

  /**
   * The wait before the next connection attempt. A refused connection means the peer's host is up and its
   * BGP daemon is not listening yet (a node starting, a whole cluster starting at once): retrying costs one
   * SYN and its reset, so it is retried after REFUSED_RETRY_FIRST, doubling up to ConnectRetryTime. With
   * BIRD's fixed timer (Calico: `connect retry time 5`) a mesh whose nodes start a second apart waits 5 s
   * per refused pair, as the passive side of each pair never connects. Any other failure waits the full time.
   */
  private retryAfterFailure(refused: boolean): number {
    if (!refused) return this.cfg.connectRetryTime;
    const wait = Math.min(this.cfg.connectRetryTime, REFUSED_RETRY_FIRST * 2 ** this.refusals);
    this.refusals++;
    return wait;
  }

  // ---- per-state handlers ----

  private idle(ev: FsmEvent, out: FsmAction[]): void {
    if (ev.type === 'ManualStart') {
      this.info = '';
      if (this.cfg.passive) { this.state = 'Active'; this.info = 'Active'; return; }
      this.state = 'Connect';
      out.push({ type: 'connect' }, { type: 'startTimer', timer: 'connectRetry', seconds: this.cfg.connectRetryTime });
      return;
    }
    if (ev.type === 'TcpConnectionConfirmed' || ev.type === 'TcpConnectionSucceeded') {
      // Not started (or stopped): refuse the connection.
      out.push({ type: 'close' });
    }
    // Everything else is ignored in Idle (RFC 4271 §8.2.2).
  }

  private connect(ev: FsmEvent, out: FsmAction[]): void {
    switch (ev.type) {
      case 'ManualStop': return this.toIdle(out, 'stopped by configuration', true, false);
      case 'ConnectRetryTimerExpires':
        out.push({ type: 'close' }, { type: 'connect' }, { type: 'startTimer', timer: 'connectRetry', seconds: this.cfg.connectRetryTime });
        return;
      case 'TcpConnectionSucceeded':
      case 'TcpConnectionConfirmed':
        return this.sendOpen(out);
      case 'TcpConnectionFails':
        this.state = 'Active';
        this.info = `Active Socket: ${ev.reason}`;
        this.lastError = `Socket: ${ev.reason}`;
        out.push({ type: 'close' }, { type: 'startTimer', timer: 'connectRetry', seconds: this.retryAfterFailure(ev.refused === true) });
        return;
      case 'ManualStart': return;
      default:
        return this.fsmError(out, FsmSub.UNSPECIFIED, `unexpected ${ev.type} in Connect`);
    }
  }

  private active(ev: FsmEvent, out: FsmAction[]): void {
    switch (ev.type) {
      case 'ManualStop': return this.toIdle(out, 'stopped by configuration', true, false);
      case 'ConnectRetryTimerExpires':
        if (this.cfg.passive) return;
        this.state = 'Connect';
        out.push({ type: 'connect' }, { type: 'startTimer', timer: 'connectRetry', seconds: this.cfg.connectRetryTime });
        return;
      case 'TcpConnectionSucceeded':
      case 'TcpConnectionConfirmed':
        return this.sendOpen(out);
      case 'TcpConnectionFails':
        out.push({ type: 'close' });
        return;
      case 'ManualStart': return;
      default:
        return this.fsmError(out, FsmSub.UNSPECIFIED, `unexpected ${ev.type} in Active`);
    }
  }

  private openSent(ev: FsmEvent, out: FsmAction[]): void {
    switch (ev.type) {
      case 'ManualStop': return this.stopWith(out, ev.notify);
      case 'HoldTimerExpires': return this.notifyAndIdle(out, ErrCode.HOLD_TIMER_EXPIRED, 0, new Uint8Array(0), 'hold timer expired');
      case 'TcpConnectionFails':
        // RFC 4271 §8.2.2: back to Active and wait for the peer or the connect-retry timer.
        this.connected = false;
        this.state = 'Active';
        this.info = `Active Socket: ${ev.reason}`;
        this.lastError = `Socket: ${ev.reason}`;
        out.push({ type: 'close' }, { type: 'stopTimer', timer: 'hold' }, { type: 'startTimer', timer: 'connectRetry', seconds: this.cfg.connectRetryTime });
        out.push({ type: 'down', reason: ev.reason, graceful: true, wasEstablished: false });
        return;
      case 'BgpOpen': {
        let n: Negotiated;
        try {
          n = negotiate(this.cfg, ev.msg);
        } catch (e) {
          if (!(e instanceof BgpMessageError)) throw e;
          return this.notifyAndIdle(out, e.code, e.subcode, e.data, e.message);
        }
        this.negotiated = n;
        this.state = 'OpenConfirm';
        out.push({ type: 'send', data: encodeKeepalive() });
        if (n.holdTime > 0) {
          out.push({ type: 'startTimer', timer: 'hold', seconds: n.holdTime }, { type: 'startTimer', timer: 'keepalive', seconds: n.keepaliveTime });
        } else {
          out.push({ type: 'stopTimer', timer: 'hold' });
        }
        out.push({ type: 'openReceived', open: ev.msg });
        return;
      }
      case 'MessageError': return this.notifyAndIdle(out, ev.error.code, ev.error.subcode, ev.error.data, ev.error.message);
      case 'NotifMsg': return this.notificationReceived(out, ev.msg);
      case 'ManualStart': return;
      default:
        return this.fsmError(out, FsmSub.UNEXPECTED_IN_OPENSENT, `unexpected ${ev.type} in OpenSent`);
    }
  }

  private openConfirm(ev: FsmEvent, out: FsmAction[]): void {
    switch (ev.type) {
      case 'ManualStop': return this.stopWith(out, ev.notify);
      case 'HoldTimerExpires': return this.notifyAndIdle(out, ErrCode.HOLD_TIMER_EXPIRED, 0, new Uint8Array(0), 'hold timer expired');
      case 'KeepaliveTimerExpires':
        out.push({ type: 'send', data: encodeKeepalive() }, { type: 'startTimer', timer: 'keepalive', seconds: this.negotiated!.keepaliveTime });
        return;
      case 'TcpConnectionFails': return this.toIdle(out, `Socket: ${ev.reason}`, true, false);
      case 'KeepAliveMsg':
        this.state = 'Established';
        this.info = 'Established';
        if (this.negotiated!.holdTime > 0) out.push({ type: 'startTimer', timer: 'hold', seconds: this.negotiated!.holdTime });
        out.push({ type: 'established', negotiated: this.negotiated! });
        return;
      case 'MessageError': return this.notifyAndIdle(out, ev.error.code, ev.error.subcode, ev.error.data, ev.error.message);
      case 'NotifMsg': return this.notificationReceived(out, ev.msg);
      case 'ManualStart': return;
      default:
        return this.fsmError(out, FsmSub.UNEXPECTED_IN_OPENCONFIRM, `unexpected ${ev.type} in OpenConfirm`);
    }
  }

  private established(ev: FsmEvent, out: FsmAction[]): void {
    const n = this.negotiated!;
    switch (ev.type) {
      case 'ManualStop': return this.stopWith(out, ev.notify);
      case 'HoldTimerExpires': return this.notifyAndIdle(out, ErrCode.HOLD_TIMER_EXPIRED, 0, new Uint8Array(0), 'hold timer expired');
      case 'KeepaliveTimerExpires':
        out.push({ type: 'send', data: encodeKeepalive() }, { type: 'startTimer', timer: 'keepalive', seconds: n.keepaliveTime });
        return;
      case 'KeepAliveMsg':
        if (n.holdTime > 0) out.push({ type: 'startTimer', timer: 'hold', seconds: n.holdTime });
        return;
      case 'UpdateMsg':
        if (n.holdTime > 0) out.push({ type: 'startTimer', timer: 'hold', seconds: n.holdTime });
        out.push({ type: 'update', msg: ev.msg });
        return;
      case 'RouteRefreshMsg':
        if (n.holdTime > 0) out.push({ type: 'startTimer', timer: 'hold', seconds: n.holdTime });
        out.push({ type: 'routeRefresh', msg: ev.msg });
        return;
      case 'TcpConnectionFails': return this.toIdle(out, `Socket: ${ev.reason}`, true, true);
      case 'MessageError': return this.notifyAndIdle(out, ev.error.code, ev.error.subcode, ev.error.data, ev.error.message);
      case 'NotifMsg': return this.notificationReceived(out, ev.msg);
      case 'ManualStart': return;
      default:
        return this.fsmError(out, FsmSub.UNEXPECTED_IN_ESTABLISHED, `unexpected ${ev.type} in Established`);
    }
  }

  // ---- shared transitions ----

  private sendOpen(out: FsmAction[]): void {
    this.refusals = 0;
    this.connected = true;
    this.state = 'OpenSent';
    out.push({ type: 'stopTimer', timer: 'connectRetry' }, { type: 'send', data: buildOpen(this.cfg) },
      { type: 'startTimer', timer: 'hold', seconds: LARGE_HOLD_TIME });
  }

  private stopWith(out: FsmAction[], notify: { subcode: number } | undefined): void {
    if (notify) {
      out.push({ type: 'send', data: encodeNotification(ErrCode.CEASE, notify.subcode) });
      return this.toIdle(out, `Sent: ${notificationName(ErrCode.CEASE, notify.subcode)}`, false, this.state === 'Established');
    }
    this.toIdle(out, 'stopped', true, this.state === 'Established');
  }

  private notifyAndIdle(out: FsmAction[], code: number, subcode: number, data: Uint8Array, why: string): void {
    out.push({ type: 'send', data: encodeNotification(code, subcode, data) });
    const text = why.startsWith(notificationName(code, subcode)) ? why : `${notificationName(code, subcode)}: ${why}`;
    this.toIdle(out, `Sent: ${text}`, false, this.state === 'Established');
  }

  private fsmError(out: FsmAction[], subcode: number, why: string): void {
    this.notifyAndIdle(out, ErrCode.FSM, subcode, new Uint8Array(0), why);
  }

  private notificationReceived(out: FsmAction[], m: NotificationMessage): void {
    const communication = describeShutdownCommunication(decodeShutdownCommunication(m.code, m.subcode, m.data));
    this.toIdle(out, `Received: ${notificationName(m.code, m.subcode)}${communication}`, false, this.state === 'Established');
  }

  private toIdle(out: FsmAction[], reason: string, graceful: boolean, wasEstablished: boolean): void {
    const hadSession = this.state === 'OpenSent' || this.state === 'OpenConfirm' || this.state === 'Established';
    this.state = 'Idle';
    this.connected = false;
    this.info = reason.startsWith('stopped') ? 'Idle' : `Idle ${reason}`.trim();
    if (!reason.startsWith('stopped')) this.lastError = reason;
    out.push({ type: 'close' }, { type: 'stopTimer', timer: 'connectRetry' }, { type: 'stopTimer', timer: 'hold' }, { type: 'stopTimer', timer: 'keepalive' });
    if (hadSession || wasEstablished) out.push({ type: 'down', reason, graceful, wasEstablished });
  }
}

/** The Cease subcode we send when the speaker's configuration removes a peer. */
export const CEASE_DECONFIGURED = { subcode: CeaseSub.PEER_DECONFIGURED };

// The BGP daemon: peers (peer.ts, each with its sessions), the listen socket, collision detection (RFC 4271
// §6.8), graceful restart in both roles (RFC 4724), locally originated routes, and the flow
//   UPDATE → Adj-RIB-In → decision process → Loc-RIB → Adj-RIB-Out → UPDATEs to peers,
// plus the best learned routes handed to the node agent's route reconciler.
import net from 'node:net';
import { realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import {
  Afi, CeaseSub, encodeEndOfRib, ErrorHandling, isEndOfRib, isIPv6, packAnnouncements, packWithdrawals,
  type AfiSafi, type OpenMessage, type PathAttributes, type RouteRefreshMessage, type UpdateMessage,
} from './codec.ts';
import type { Negotiated } from './fsm.ts';
import { Peer, peerKey, sessionSignature, type SpeakerConfig, type SpeakerPeerConfig } from './peer.ts';
import { filtersSignature } from './filter.ts';
import { tryParseCIDR, type CIDR } from '../net/ip.ts';
import { AdjRibOut, exportPath, Rib } from './rib.ts';
import { LearnedRoutes, type LearnedRoute } from './learned.ts';
import { ListenerKeys, listenBgp } from './md5.ts';
import { UnclaimedConnections } from './unclaimed.ts';
import { plainAddress, Session, type SessionHandlers } from './session.ts';
import type { BgpStatus, PeerStatus } from './status.ts';

export type { SpeakerConfig, SpeakerPeerConfig } from './peer.ts';

export { LearnedRoutes, type LearnedRoute };

export interface SpeakerOptions {
  log: Logger;
  /** The set of best routes learned (read when iterated), after each change (debounced). `complete` false: the
   *  start-up deferral holds (no End-of-RIB from some peer yet), so a route missing from it is not withdrawn. */
  onRoutes?: (routes: LearnedRoutes, complete: boolean) => void;
  clock?: Clock;
}

const HAND_OVER_MIN_MS = 1; // the shortest wait before learned routes go to the agent: the UPDATEs read in one go

export class BgpSpeaker {
  readonly rib: Rib;
  private readonly peers = new Map<string, Peer>();
  private server?: net.Server | undefined;
  private boundPort = 0;
  private flushScheduled = false;
  private routesTimer?: TimerHandle | undefined;
  private routesDeferred = true;
  private deferralTimer?: TimerHandle | undefined;
  private learnedDirty = true;
  private lastHandOverSize = 0;
  private stopped = false;
  /** Inbound connections from addresses not (yet) configured as peers, held briefly (see accept()). */
  private readonly unclaimed: UnclaimedConnections;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly md5: ListenerKeys;

  constructor(private cfg: SpeakerConfig, private readonly opts: SpeakerOptions) {
    this.log = opts.log;
    this.clock = opts.clock ?? realClock;
    this.unclaimed = new UnclaimedConnections(this.clock, this.log);
    this.md5 = new ListenerKeys(this.log);
    this.rib = new Rib({ asn: cfg.asNumber, routerId: cfg.routerId, ...(cfg.clusterId ? { clusterId: cfg.clusterId } : {}) });
  }

  get config(): SpeakerConfig { return this.cfg; }
  get listenPort(): number { return this.boundPort; }
  /** Inbound connections held because their address is not (yet) a configured peer. */
  get heldConnections(): number { return this.unclaimed.size; }

  async start(): Promise<void> {
    await this.listen();
    for (const p of this.cfg.exports) this.rib.originate(p);
    for (const pc of this.cfg.peers) this.addPeer(pc);
    const deferral = this.cfg.initialRouteDeferral ?? 30;
    this.deferralTimer = this.clock.setTimeout(() => this.endDeferral(), deferral * 1000);
    this.deferralTimer.unref();
    this.checkDeferral();
    this.scheduleFlush();
  }

  /**
   * Stop the daemon. By default sessions are just closed, as a restarting speaker would (peers that support
   * graceful restart keep our routes for our restart time); with graceful=false, peers get Cease/Administrative
   * Shutdown and drop our routes at once.
   */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    this.stopped = true;
    const graceful = opts.graceful ?? true;
    for (const p of this.peers.values()) this.shutdownPeer(p, graceful ? undefined : { subcode: CeaseSub.ADMINISTRATIVE_SHUTDOWN });
    this.peers.clear();
    this.unclaimed.clear();
    this.clock.clear(this.routesTimer);
    this.clock.clear(this.deferralTimer);
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  /** Apply a new configuration; sessions whose settings did not change keep running. */
  reconfigure(next: SpeakerConfig): void {
    const global = next.routerId !== this.cfg.routerId || next.asNumber !== this.cfg.asNumber
      || (next.holdTime ?? 240) !== (this.cfg.holdTime ?? 240);
    // Becoming (or ceasing to be) a route reflector changes what we send, not the sessions: re-decided in place.
    let reflectionChanged = !global && next.clusterId !== this.cfg.clusterId;
    const portChanged = next.listenPort !== this.cfg.listenPort || next.listenAddress !== this.cfg.listenAddress;
    const old = this.cfg;
    this.cfg = next;
    if (global) {
      this.log.info({ routerId: next.routerId, asNumber: next.asNumber, clusterId: next.clusterId }, 'BGP identity changed: restarting every session');
      this.rib.self = { asn: next.asNumber, routerId: next.routerId, ...(next.clusterId ? { clusterId: next.clusterId } : {}) };
      for (const p of this.peers.values()) { this.shutdownPeer(p, { subcode: CeaseSub.OTHER_CONFIGURATION_CHANGE }); this.rib.dropPeer(p.key); }
      this.peers.clear();
    }
    if (portChanged && this.server) {
      const s = this.server;
      this.server = undefined;
      s.close();
      this.listen().then(() => this.md5.sync(this.server, this.peers.values()), (e) => this.log.error({ err: e }, 'BGP listen failed'));
    }
    const want = new Map(next.peers.map((p) => [peerKey(p.address, p.port), p]));
    for (const [key, peer] of this.peers) {
      const pc = want.get(key);
      if (!pc) {
        this.log.info({ peer: peer.cfg.name }, 'BGP peer removed from configuration');
        this.shutdownPeer(peer, { subcode: CeaseSub.PEER_DECONFIGURED });
        this.rib.dropPeer(key);
        this.peers.delete(key);
      } else if (sessionSignature(pc) !== sessionSignature(peer.cfg)) {
        this.log.info({ peer: pc.name }, 'BGP peer settings changed: restarting its session');
        this.shutdownPeer(peer, { subcode: CeaseSub.OTHER_CONFIGURATION_CHANGE });
        this.rib.dropPeer(key);
        this.peers.delete(key);
        this.addPeer(pc);
      } else {
        const filtersChanged = filtersSignature(pc.filters) !== filtersSignature(peer.cfg.filters);
        if (pc.rrClient !== peer.cfg.rrClient) { peer.info.rrClient = pc.rrClient; reflectionChanged = true; }
        peer.cfg = pc; // name/type/filters/route-reflector client
        if (filtersChanged) this.reapplyFilters(peer);
      }
    }
    for (const [key, pc] of want) if (!this.peers.has(key)) this.addPeer(pc);
    this.md5.sync(this.server, this.peers.values());
    if (reflectionChanged) this.changeReflection(next.clusterId);
    else if (JSON.stringify(next.exportPools) !== JSON.stringify(old.exportPools)) for (const p of this.peers.values()) this.reexport(p);
    this.setExports(next.exports);
  }

  /** Replace the set of originated prefixes. */
  setExports(prefixes: string[]): void {
    const want = new Set(prefixes);
    for (const p of this.rib.localPrefixes()) if (!want.has(p)) this.rib.unoriginate(p);
    for (const p of want) this.rib.originate(p);
    this.cfg = { ...this.cfg, exports: [...want] };
    this.scheduleFlush();
  }

  /** Best routes learned from peers (what the route reconciler programs). */
  learnedRoutes(): LearnedRoute[] { return new LearnedRoutes(this.rib).toArray(); }

  status(): BgpStatus {
    const peers: PeerStatus[] = [];
    for (const p of this.peers.values()) {
      const s = p.established ?? p.mostAdvanced();
      const st: PeerStatus = {
        name: p.cfg.name, address: p.cfg.address, port: p.cfg.port, peerType: p.cfg.type, localAs: this.cfg.asNumber,
        peerAs: p.cfg.asNumber, ibgp: p.info.ibgp, rrClient: p.cfg.rrClient, state: s.state, since: s.since.toISOString(),
        info: s.fsm.info || s.state, prefixesReceived: this.rib.receivedCount(p.key), prefixesAccepted: this.rib.acceptedCount(p.key),
        prefixesSent: p.out.sent.size, staleRoutes: this.rib.staleCount(p.key),
      };
      const err = s.fsm.lastError ?? p.lastError;
      if (err) st.lastError = err;
      if (p.negotiated) {
        st.peerRouterId = p.negotiated.peerRouterId;
        st.holdTime = p.negotiated.holdTime;
        st.capabilities = p.negotiated.capabilityNames;
      }
      peers.push(st);
    }
    const status: BgpStatus = {
      running: !this.stopped, routerId: this.cfg.routerId, asNumber: this.cfg.asNumber, listenPort: this.boundPort,
      locRibRoutes: this.rib.loc.size, exportedPrefixes: this.rib.localPrefixes(), peers,
    };
    if (this.cfg.clusterId) status.clusterId = this.cfg.clusterId;
    return status;
  }

  // ---- peers and sessions ----------------------------------------------------------------------------

  /** A second connection for a peer with one in progress: the one collision detection will choose between. */
  private attachSecondSession(p: Peer, sock: net.Socket): void {
    if (p.extra) p.extra.stop({ subcode: CeaseSub.CONNECTION_COLLISION_RESOLUTION });
    const s = this.newSession(p);
    s.fsm.state = 'Active';
    p.extra = s;
    s.attach(sock);
  }

  private newSession(p: Peer): Session {
    const ep = {
      remoteAddress: p.cfg.address, remotePort: p.cfg.port, ...(p.cfg.sourceAddress ? { localAddress: p.cfg.sourceAddress } : {}),
      ...(p.cfg.password !== undefined ? { md5Key: Buffer.from(p.cfg.password, 'utf8') } : {}),
    };
    return new Session(p.fsmConfig(this.cfg), ep, this.handlers(p), this.log.child({ peer: p.cfg.name }), this.clock);
  }

  private addPeer(pc: SpeakerPeerConfig): void {
    const p = new Peer(pc, this.cfg.asNumber);
    p.main = this.newSession(p);
    this.peers.set(p.key, p);
    this.log.info({ peer: pc.name, address: pc.address, as: pc.asNumber, passive: pc.passive, rrClient: pc.rrClient, md5: pc.password !== undefined }, 'BGP peer configured');
    this.md5.sync(this.server, this.peers.values());
    if (pc.passwordError !== undefined) {
      // Never an unsigned session in place of a signed one: the peer waits until its key can be read.
      p.lastError = pc.passwordError;
      this.log.warn({ peer: pc.name, error: pc.passwordError }, 'BGP peer not started: its TCP MD5 password is unavailable');
      return;
    }
    p.main.start();
    // A connection this peer opened just before we learnt of it (see accept()) is taken now, unless the peer
    // needs a password: that connection was accepted before the listener had its key, so it is unchecked.
    for (const sock of this.unclaimed.take(pc.address)) if (pc.password !== undefined) sock.destroy(); else this.accept(sock);
  }

  private shutdownPeer(p: Peer, notify: { subcode: number } | undefined): void {
    p.removed = true;
    this.clock.clear(p.grTimer);
    this.clock.clear(p.restartTimer);
    for (const s of p.sessions()) s.stop(notify);
  }

  private restartPeer(p: Peer): void {
    this.clock.clear(p.restartTimer);
    const wait = this.cfg.errorWaitTime ?? 5;
    const downSession = p.main;
    p.restartTimer = this.clock.setTimeout(() => {
      // An inbound connection may have taken over meanwhile; only restart a main session that is still down.
      if (p.removed || this.stopped || p.main !== downSession || p.main.state !== 'Idle') return;
      p.main = this.newSession(p);
      p.main.start();
    }, wait * 1000);
    p.restartTimer.unref();
  }

  private async listen(): Promise<void> {
    const server = await listenBgp(this.cfg.listenPort, this.cfg.listenAddress, (sock) => this.accept(sock));
    this.server = server;
    this.boundPort = (server.address() as net.AddressInfo).port;
    this.log.info({ port: this.boundPort, host: this.cfg.listenAddress ?? '::' }, 'BGP listening');
  }

  private accept(sock: net.Socket): void {
    sock.on('error', () => { /* handled by the session */ });
    const addr = plainAddress(sock.remoteAddress);
    const candidates = [...this.peers.values()].filter((p) => p.cfg.address === addr);
    const p = candidates[0];
    if (this.stopped) { sock.destroy(); return; }
    // A peer with a password takes only connections the listener's key signed (none while it is unavailable).
    if (p && (p.cfg.passwordError !== undefined || (p.cfg.password !== undefined && !this.md5.has(addr, p.cfg.password)))) { sock.destroy(); return; }
    if (!p) { this.unclaimed.hold(sock, addr); return; }
    const main = p.main;
    switch (main.state) {
      case 'Active':
        main.attach(sock);
        return;
      // Our own connection attempt is in flight: keep both and let collision detection pick one (if both
      // sides dropped their outgoing attempt for the other's incoming one, neither connection would survive).
      case 'Connect':
      case 'OpenSent':
      case 'OpenConfirm':
        this.attachSecondSession(p, sock);
        return;
      case 'Established':
        // Only a peer that supports graceful restart may replace an established session, and only once its
        // OPEN arrives on the new connection (RFC 4724 §4.2; see resolveCollision).
        if (!p.negotiated?.peerGracefulRestart) { sock.destroy(); return; }
        this.attachSecondSession(p, sock);
        return;
      default:
        // Idle (waiting to restart): take the connection now.
        this.clock.clear(p.restartTimer);
        p.main = this.newSession(p);
        p.main.fsm.state = 'Active';
        p.main.attach(sock);
    }
  }

  private handlers(p: Peer): SessionHandlers {
    const mine = (s: Session) => !p.removed && (s === p.main || s === p.extra);
    return {
      onState: (s, from, to) => {
        if (!mine(s)) return;
        this.log.debug({ peer: p.cfg.name, from, to }, 'BGP state change');
        this.reportNotEstablished(p, s);
      },
      onOpenReceived: (s, open) => { if (mine(s)) this.resolveCollision(p, s, open); },
      onEstablished: (s, n) => { if (mine(s)) this.established(p, s, n); },
      onDown: (s, reason, graceful, wasEstablished) => { if (mine(s)) this.down(p, s, reason, graceful, wasEstablished); },
      onUpdate: (s, u) => { if (s === p.established && !p.removed) this.receiveUpdate(p, u); },
      onRouteRefresh: (s, m) => { if (s === p.established && !p.removed) this.routeRefresh(p, m); },
    };
  }

  /**
   * A peer that cannot be reached (stuck in Active: connection refused, no route…) or whose sessions keep
   * failing is logged once per distinct error, not at every connect retry; established clears it.
   */
  private reportNotEstablished(p: Peer, s: Session, reason?: string): void {
    const problem = s.fsm.lastError ?? reason;
    if (!problem || p.established || problem === p.reportedProblem) return;
    p.reportedProblem = problem;
    this.log.warn({ peer: p.cfg.name, address: p.cfg.address, state: s.state, error: problem, retrySeconds: this.cfg.connectRetryTime ?? 5 },
      'BGP session not established; retrying (logged again only if the error changes)');
  }

  /** RFC 4271 §6.8: of two connections to the same peer, keep the one opened by the higher BGP identifier. */
  private resolveCollision(p: Peer, s: Session, open: OpenMessage): void {
    const other = s === p.main ? p.extra : p.main;
    if (other && other.state === 'Established' && s === p.extra) {
      // The peer reconnected while we still had its session: it restarted. Keep its routes as stale and
      // continue on the new connection.
      this.log.info({ peer: p.cfg.name }, 'peer restarted (new OPEN while established): replacing the session');
      p.main = s;
      p.extra = undefined;
      other.dispatch({ type: 'TcpConnectionFails', reason: 'peer restarted' });
      this.down(p, other, 'peer restarted', true, true);
      return;
    }
    if (!other || (other.state !== 'OpenSent' && other.state !== 'OpenConfirm')) return;
    const ourId = this.rib.self.routerId.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const theirId = open.routerId.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    // Keep the connection initiated by the side with the higher identifier.
    const keepInbound = ourId < theirId;
    const loser = s.inbound === keepInbound ? other : s;
    const winner = loser === s ? other : s;
    this.log.info({ peer: p.cfg.name, kept: winner.inbound ? 'inbound' : 'outbound' }, 'connection collision resolved');
    p.main = winner;
    p.extra = undefined;
    loser.stop({ subcode: CeaseSub.CONNECTION_COLLISION_RESOLUTION });
  }

  private established(p: Peer, s: Session, n: Negotiated): void {
    for (const other of p.sessions()) if (other !== s) other.stop({ subcode: CeaseSub.CONNECTION_COLLISION_RESOLUTION });
    p.main = s;
    p.extra = undefined;
    p.established = s;
    p.negotiated = n;
    p.firstSession = false;
    p.eorReceived.clear();
    p.info = { ...p.info, routerId: n.peerRouterId };
    p.out = new AdjRibOut();
    p.target = {
      info: p.info, keepOriginalNextHop: p.cfg.keepOriginalNextHop, cache: new WeakMap(), exportRules: p.cfg.filters?.export,
      exportPools: this.exportPools(),
      localAddressV4: p.cfg.sourceAddress && !isIPv6(p.cfg.sourceAddress) ? p.cfg.sourceAddress : (isIPv6(s.localAddress) ? undefined : s.localAddress) ?? this.cfg.routerId,
      ...(this.cfg.ipv6Address ? { localAddressV6: this.cfg.ipv6Address } : isIPv6(s.localAddress) ? { localAddressV6: s.localAddress } : {}),
    };
    p.reportedProblem = undefined;
    this.log.info({ peer: p.cfg.name, routerId: n.peerRouterId, holdTime: n.holdTime, families: n.families, capabilities: n.capabilityNames }, 'BGP session established');
    // Graceful restart, receiving side: stale routes survive only for families whose forwarding state the peer kept.
    if (this.rib.staleCount(p.key) > 0) {
      const gr = n.peerGracefulRestart;
      if (!gr || !gr.families.some((f) => f.forwardingPreserved)) {
        this.rib.sweepStale(p.key);
        this.clock.clear(p.grTimer);
      } else {
        this.clock.clear(p.grTimer);
        // Stale routes that the peer doesn't refresh before End-of-RIB go; bound the wait by its restart time.
        p.grTimer = this.clock.setTimeout(() => { this.rib.sweepStale(p.key); this.scheduleFlush(); }, Math.max(gr.restartTime, 5) * 1000);
        p.grTimer.unref();
      }
    }
    this.sendFullTable(p, n.families);
    this.scheduleFlush();
  }

  private down(p: Peer, s: Session, reason: string, graceful: boolean, wasEstablished: boolean): void {
    if (s === p.extra) { p.extra = undefined; return; }
    p.lastError = reason;
    if (wasEstablished || p.established === s) {
      p.established = undefined;
      p.out = new AdjRibOut();
      const gr = p.negotiated?.peerGracefulRestart;
      if (graceful && gr && gr.restartTime > 0 && gr.families.length > 0) {
        const n = this.rib.markStale(p.key);
        this.log.info({ peer: p.cfg.name, routes: n, restartTime: gr.restartTime }, 'peer went down without NOTIFICATION: keeping its routes (graceful restart)');
        this.clock.clear(p.grTimer);
        p.grTimer = this.clock.setTimeout(() => {
          const gone = this.rib.sweepStale(p.key);
          this.log.info({ peer: p.cfg.name, routes: gone }, 'graceful restart window over: stale routes removed');
          this.scheduleFlush();
        }, gr.restartTime * 1000);
        p.grTimer.unref();
      } else {
        this.rib.dropPeer(p.key);
      }
      this.log.info({ peer: p.cfg.name, reason }, 'BGP session down');
      this.scheduleFlush();
    } else {
      this.reportNotEstablished(p, s, reason);
    }
    if (s === p.main && !p.removed && !this.stopped) this.restartPeer(p);
  }

  // ---- routes in -------------------------------------------------------------------------------------

  private receiveUpdate(p: Peer, u: UpdateMessage): void {
    const eor = isEndOfRib(u);
    if (eor) {
      p.eorReceived.add(eor.afi);
      const swept = this.rib.sweepStale(p.key);
      if (swept) this.log.info({ peer: p.cfg.name, routes: swept }, 'End-of-RIB: stale routes removed');
      if (this.rib.staleCount(p.key) === 0) this.clock.clear(p.grTimer);
      this.checkDeferral();
      this.scheduleFlush();
      return;
    }
    const withdrawAll = u.handling >= ErrorHandling.TreatAsWithdraw; // RFC 7606
    for (const w of u.withdrawn) this.rib.withdraw(p.info, w);
    if (u.mpUnreach) for (const w of u.mpUnreach.withdrawn) this.rib.withdraw(p.info, w);
    if (u.nlri.length) {
      if (withdrawAll) for (const n of u.nlri) this.rib.withdraw(p.info, n);
      else {
        const rejected = this.rib.importCheck(p.info, u.attrs);
        for (const n of u.nlri) this.rib.receive(p.info, n, u.attrs, rejected ?? p.importRejected(n, u.attrs));
      }
    }
    if (u.mpReach && u.mpReach.nlri.length) {
      const fam = u.mpReach.afi;
      const negotiatedFam = p.negotiated?.families.some((f) => f.afi === fam);
      if (withdrawAll || !negotiatedFam) for (const n of u.mpReach.nlri) this.rib.withdraw(p.info, n);
      else {
        const attrs: PathAttributes = { ...u.attrs, nextHop: u.mpReach.nextHops[0]! };
        const rejected = this.rib.importCheck(p.info, attrs);
        for (const n of u.mpReach.nlri) this.rib.receive(p.info, n, attrs, rejected ?? p.importRejected(n, attrs));
      }
    }
    this.scheduleFlush();
  }

  private routeRefresh(p: Peer, m: RouteRefreshMessage): void {
    if (!p.negotiated?.families.some((f) => f.afi === m.afi && f.safi === m.safi)) return;
    this.log.info({ peer: p.cfg.name, afi: m.afi }, 'ROUTE-REFRESH: resending our routes');
    const v6 = m.afi === Afi.IPV6;
    for (const prefix of [...p.out.sent.keys()]) if (isIPv6(prefix) === v6) p.out.sent.delete(prefix);
    this.sendFullTable(p, [{ afi: m.afi, safi: m.safi }]);
  }

  // ---- routes out ------------------------------------------------------------------------------------

  private sendFullTable(p: Peer, families: AfiSafi[]): void {
    const s = p.established;
    if (!s) return;
    const want4 = families.some((f) => f.afi === Afi.IPV4), want6 = families.some((f) => f.afi === Afi.IPV6);
    const groups = new Map<PathAttributes, string[]>();
    this.rib.forEachBest((prefix, path) => {
      const v6 = isIPv6(prefix);
      if (v6 ? !want6 : !want4) return;
      const attrs = exportPath(this.rib.self, p.target, prefix, path);
      if (!attrs) return;
      p.out.sent.set(prefix, attrs);
      let g = groups.get(attrs);
      if (!g) { g = []; groups.set(attrs, g); }
      g.push(prefix);
    });
    this.sendGroups(p, s, groups, new Map());
    const eors: Uint8Array[] = [];
    for (const f of families) eors.push(encodeEndOfRib(f.afi, f.safi));
    s.sendMany(eors);
  }

  private sendGroups(p: Peer, s: Session, announce: Map<PathAttributes, string[]>, withdraw: Map<number, string[]>): void {
    const msgs: Uint8Array[] = [];
    for (const [afi, prefixes] of withdraw) if (prefixes.length) msgs.push(...packWithdrawals(afi, prefixes));
    for (const [attrs, prefixes] of announce) {
      const v4 = prefixes.filter((x) => !isIPv6(x)), v6 = prefixes.filter((x) => isIPv6(x));
      if (v4.length) msgs.push(...packAnnouncements(Afi.IPV4, attrs, [attrs.nextHop!], v4, s.codecOptions));
      if (v6.length) msgs.push(...packAnnouncements(Afi.IPV6, attrs, [attrs.nextHop!], v6, s.codecOptions));
      if (msgs.length > 256) { s.sendMany(msgs.splice(0)); }
    }
    s.sendMany(msgs);
    void p;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.stopped) return;
    this.flushScheduled = true;
    setImmediate(() => { this.flushScheduled = false; this.flush(); });
  }

  /** Decision process for changed prefixes, then the differences to each established peer. */
  private flush(): void {
    if (this.stopped) return;
    const changed = this.rib.takeChanges();
    if (changed.length === 0) return;
    for (const p of this.peers.values()) this.sendChanges(p, changed);
    this.learnedDirty = true;
    this.scheduleRoutes();
  }

  /** Announce or withdraw, toward one established peer, what changed for these prefixes. */
  private sendChanges(p: Peer, prefixes: Iterable<string>): void {
    const s = p.established;
    if (!s) return;
    const fams = p.negotiated!.families;
    const has4 = fams.some((f) => f.afi === Afi.IPV4), has6 = fams.some((f) => f.afi === Afi.IPV6);
    const announce = new Map<PathAttributes, string[]>();
    const withdraw = new Map<number, string[]>([[Afi.IPV4, []], [Afi.IPV6, []]]);
    for (const prefix of prefixes) {
      const v6 = isIPv6(prefix);
      if (v6 ? !has6 : !has4) continue;
      const best = this.rib.best(prefix);
      const attrs = best ? exportPath(this.rib.self, p.target, prefix, best) : null;
      const sent = p.out.sent.get(prefix);
      if (!attrs) {
        if (sent) { p.out.sent.delete(prefix); withdraw.get(v6 ? Afi.IPV6 : Afi.IPV4)!.push(prefix); }
        continue;
      }
      if (attrs === sent) continue;
      p.out.sent.set(prefix, attrs);
      let g = announce.get(attrs);
      if (!g) { g = []; announce.set(attrs, g); }
      g.push(prefix);
    }
    this.sendGroups(p, s, announce, withdraw);
  }

  /**
   * A peer's BGPFilter rules changed without a session restart (like BIRD's soft reconfiguration): its
   * received routes are decided again from the Adj-RIB-In, and what we send it is recomputed and diffed.
   */
  private reapplyFilters(p: Peer): void {
    const changed = this.rib.reevaluate(p.key, (prefix, attrs) => this.rib.importCheck(p.info, attrs) ?? p.importRejected(prefix, attrs));
    this.log.info({ peer: p.cfg.name, importChanged: changed }, 'BGP filters changed: routes re-evaluated');
    this.reexport(p);
  }

  /**
   * The cluster id or a peer's client flag changed (a node became a route reflector, or stopped being one):
   * the CLUSTER_LIST loop check is decided again for every received path and every peer's Adj-RIB-Out is
   * recomputed and diffed. No session restarts, so no route is withdrawn from the kernel during the switch.
   */
  private changeReflection(clusterId: string | undefined): void {
    this.rib.self = { asn: this.cfg.asNumber, routerId: this.cfg.routerId, ...(clusterId ? { clusterId } : {}) };
    for (const p of this.peers.values()) this.rib.reevaluate(p.key, (prefix, attrs) => this.rib.importCheck(p.info, attrs) ?? p.importRejected(prefix, attrs));
    this.log.info({ clusterId: clusterId ?? null, clients: [...this.peers.values()].filter((p) => p.cfg.rrClient).length }, 'BGP route reflection changed: routes re-evaluated and re-advertised');
    for (const p of this.peers.values()) this.reexport(p);
  }

  /** Export policy toward an established peer changed: recompute what it should have and send the difference. */
  private reexport(p: Peer): void {
    if (p.established) {
      p.target = { ...p.target, exportRules: p.cfg.filters?.export, exportPools: this.exportPools(), cache: new WeakMap() };
      this.sendChanges(p, new Set([...this.rib.loc.keys(), ...p.out.sent.keys()]));
    }
    this.scheduleFlush();
  }

  private exportPools(): CIDR[] | undefined {
    return this.cfg.exportPools?.flatMap((c) => tryParseCIDR(c) ?? []);
  }

  private checkDeferral(): void {
    if (!this.routesDeferred) return;
    // Released once every configured peer is established and has sent End-of-RIB for its families.
    const all = [...this.peers.values()].every((p) => p.established && p.negotiated!.families.every((f) => p.eorReceived.has(f.afi)));
    if (!all) return;
    this.clock.clear(this.deferralTimer);
    this.endDeferral();
  }

  /** The first complete hand-over: from now on a route missing from the set is gone. */
  private endDeferral(): void {
    this.routesDeferred = false;
    this.learnedDirty = true;
    this.scheduleRoutes();
  }

  private scheduleRoutes(): void {
    // Also during the start-up deferral (marked incomplete): after a cold start of a whole cluster each peer's
    // routes are programmed as its session comes up, not all once the slowest peer has sent End-of-RIB.
    if (!this.opts.onRoutes || this.routesTimer || this.stopped) return;
    // The agent walks the whole set after each hand-over (its calculation is O(routes)): with large tables,
    // hand over less often, 2 µs per route up to 2 s (a million routes: every 2 s). Small tables go at once
    // (a new pod's route is on the convergence path; a 100 ms floor was most of it).
    const delay = Math.min(2000, Math.max(HAND_OVER_MIN_MS, this.lastHandOverSize / 500));
    this.routesTimer = this.clock.setTimeout(() => {
      this.routesTimer = undefined;
      if (this.stopped || !this.learnedDirty) return;
      this.learnedDirty = false;
      const routes = new LearnedRoutes(this.rib);
      this.lastHandOverSize = routes.size;
      try { this.opts.onRoutes!(routes, !this.routesDeferred); } catch (e) { this.log.error({ err: e }, 'route hand-over failed'); }
    }, delay);
    this.routesTimer.unref();
  }
}

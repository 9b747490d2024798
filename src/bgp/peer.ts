// A configured BGP peer as the speaker tracks it: its configuration, its session(s) (a second inbound one
// while a collision is pending), what was negotiated, what we sent it (Adj-RIB-Out) and its graceful-restart
// timers. The speaker (speaker.ts) owns the flow of routes; this file owns the per-peer state.
import { createHash } from 'node:crypto';
import type { TimerHandle } from '../clock.ts';
import { Afi, Safi, isIPv6, type AfiSafi, type PathAttributes } from './codec.ts';
import type { FsmConfig, FsmState, Negotiated } from './fsm.ts';
import { evaluateFilter, type PeerFilters } from './filter.ts';
import { AdjRibOut, type ExportTarget, type PeerInfo } from './rib.ts';
import type { Session } from './session.ts';
import type { PeerType } from './status.ts';

export interface SpeakerPeerConfig {
  /** BIRD-style protocol name: Mesh_10_0_0_2, Global_…, Node_… */
  name: string;
  address: string;
  port: number;
  asNumber: number;
  type: PeerType;
  /** Wait for the peer to connect (Calico mesh: the node with the lower IP dials). */
  passive: boolean;
  /** We are this peer's route reflector. */
  rrClient: boolean;
  keepOriginalNextHop: boolean;
  /** Bind outgoing connections to this address and use it as our next hop. */
  sourceAddress?: string | undefined;
  /** Restart time we advertise in the graceful restart capability (Calico maxRestartTime; BIRD default 120 s). */
  maxRestartTime: number;
  holdTime?: number | undefined;
  keepaliveTime?: number | undefined;
  /** BGPFilter rules (BGPPeer `filters`), applied to each route imported from and exported to this peer. */
  filters?: PeerFilters | undefined;
  /** BIRD `allow local as N` (BGPPeer numAllowedLocalASNumbers): our AS may appear up to N times in a received path. */
  allowLocalAs?: number | undefined;
  /** BGPPeer `password` / BGPConfiguration `nodeMeshPassword`: the Secret holding the TCP MD5 key. */
  passwordSecret?: { name: string; key: string } | undefined;
  /** The TCP MD5 key read from that secret (secrets.ts); sessions are signed with it. */
  password?: string | undefined;
  /** Why the key could not be had: the peer gets no session at all (never an unsigned one). */
  passwordError?: string | undefined;
}

export interface SpeakerConfig {
  routerId: string;
  asNumber: number;
  listenPort: number;
  /** Address to listen on; default all (dual stack). */
  listenAddress?: string;
  /** Our IPv6 address, the next hop for IPv6 routes we originate. */
  ipv6Address?: string;
  /** Set on route reflectors (Node.spec.bgp.routeReflectorClusterID). */
  clusterId?: string;
  peers: SpeakerPeerConfig[];
  /** Prefixes to originate (affine blocks, borrowed /32s). */
  exports: string[];
  /**
   * Calico's default export (calico_export_to_bgp_peers): learned routes are passed on only inside these
   * CIDRs (the IP pools without disableBGPExport). Undefined: every learned route is passed on.
   */
  exportPools?: string[] | undefined;
  /** Timers (seconds). Calico's BIRD template: hold 240, connect retry 5, error wait 5. */
  holdTime?: number;
  connectRetryTime?: number;
  errorWaitTime?: number;
  /** How long the first hand-over of learned routes waits for peers' End-of-RIB after start (restarting speaker). */
  initialRouteDeferral?: number;
}

const IPV4_UNICAST: AfiSafi = { afi: Afi.IPV4, safi: Safi.UNICAST };
const IPV6_UNICAST: AfiSafi = { afi: Afi.IPV6, safi: Safi.UNICAST };

export function peerKey(address: string, port: number): string { return port === 179 ? address : `${address}:${port}`; }

/** The settings whose change requires restarting a peer's session (route-reflector client is not one: see reconfigure). */
export function sessionSignature(p: SpeakerPeerConfig): string {
  // The key itself stays out of the signature (a digest stands for it): signatures can end up in logs.
  const md5 = p.password !== undefined ? createHash('sha256').update(p.password).digest('hex') : p.passwordError !== undefined ? 'unavailable' : '';
  return JSON.stringify([p.address, p.port, p.asNumber, p.passive, p.keepOriginalNextHop, p.sourceAddress ?? '', p.maxRestartTime, p.holdTime ?? 0, p.keepaliveTime ?? 0, p.allowLocalAs ?? 0, md5]);
}

export class Peer {
  readonly key: string;
  main!: Session;
  /** A second, inbound connection while the main one is still opening (collision candidate). */
  extra?: Session | undefined;
  established?: Session | undefined;
  negotiated?: Negotiated;
  info: PeerInfo;
  out = new AdjRibOut();
  target!: ExportTarget;
  lastError?: string;
  /** The error last logged for a session that did not establish (logged once until it changes). */
  reportedProblem?: string | undefined;
  /** Graceful restart (receiving speaker): the peer is restarting; its routes are stale until EoR or timeout. */
  grTimer?: TimerHandle | undefined;
  restartTimer?: TimerHandle | undefined;
  /** First session since our start: we advertise the Restart State bit (like `bird -R`). */
  firstSession = true;
  eorReceived = new Set<number>();
  removed = false;

  constructor(public cfg: SpeakerPeerConfig, localAs: number) {
    this.key = peerKey(cfg.address, cfg.port);
    this.info = { id: this.key, address: cfg.address, asn: cfg.asNumber, routerId: '0.0.0.0', ibgp: cfg.asNumber === localAs, rrClient: cfg.rrClient };
    if (cfg.allowLocalAs) this.info.allowLocalAs = cfg.allowLocalAs;
  }

  /** Why the import filter rejects a route from this peer, or undefined when it accepts it (no rule matched: accept). */
  importRejected(prefix: string, attrs: PathAttributes): string | undefined {
    const rules = this.cfg.filters?.import;
    if (!rules?.length) return undefined;
    const verdict = evaluateFilter(rules, { prefix, learned: true, attrs }, this.info.ibgp);
    return verdict?.action === 'reject' ? `rejected by ${verdict.rule.origin}` : undefined;
  }

  sessions(): Session[] { return this.extra ? [this.main, this.extra] : [this.main]; }

  /** The session furthest along (what status reports while none is established). */
  mostAdvanced(): Session {
    const rank: Record<FsmState, number> = { Idle: 0, Connect: 1, Active: 1, OpenSent: 2, OpenConfirm: 3, Established: 4 };
    return this.sessions().reduce((a, b) => (rank[b.state] > rank[a.state] ? b : a));
  }

  /** The FSM settings for a new session to this peer under the speaker's configuration `speaker`. */
  fsmConfig(speaker: SpeakerConfig): FsmConfig {
    const fams = isIPv6(this.cfg.address) ? [IPV6_UNICAST, IPV4_UNICAST] : [IPV4_UNICAST, IPV6_UNICAST];
    return {
      localAs: speaker.asNumber, routerId: speaker.routerId, peerAs: this.cfg.asNumber, holdTime: this.cfg.holdTime ?? speaker.holdTime ?? 240,
      connectRetryTime: speaker.connectRetryTime ?? 5, passive: this.cfg.passive, families: fams,
      ...(this.cfg.keepaliveTime !== undefined ? { keepaliveTime: this.cfg.keepaliveTime } : {}),
      gracefulRestart: { restartTime: this.cfg.maxRestartTime, restarting: this.firstSession, forwardingPreserved: true },
    };
  }
}

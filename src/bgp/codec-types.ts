// The decoded message model shared by the codec modules and its users.
import type { BgpMessageError, CapCode, ErrorHandling } from './codec-constants.ts';

export interface AfiSafi { afi: number; safi: number }

export type Capability =
  | { code: typeof CapCode.MULTIPROTOCOL; afi: number; safi: number }
  | { code: typeof CapCode.ROUTE_REFRESH }
  | { code: typeof CapCode.ENHANCED_ROUTE_REFRESH }
  | { code: typeof CapCode.FOUR_OCTET_AS; asn: number }
  | { code: typeof CapCode.GRACEFUL_RESTART; restarting: boolean; restartTime: number; families: { afi: number; safi: number; forwardingPreserved: boolean }[] }
  | { code: number; value: Uint8Array; unknown: true };

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs 4 octets). */
  myAs: number;
  holdTime: number;
  routerId: string;
  capabilities: Capability[];
}

export interface AsPathSegment { type: number; asns: number[] }

export interface UnknownAttribute { flags: number; code: number; value: Uint8Array }

/** Decoded path attributes. One object is shared by every prefix of an UPDATE: treat as immutable. */
export interface PathAttributes {
  origin?: number;
  asPath?: AsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  communities?: number[];
  originatorId?: string;
  clusterList?: string[];
  /** Optional transitive attributes we do not understand, passed on with the Partial bit (RFC 4271 §5). */
  unknown?: UnknownAttribute[];
}

export interface MpReach { afi: number; safi: number; nextHops: string[]; nlri: string[] }
export interface MpUnreach { afi: number; safi: number; withdrawn: string[] }

export interface UpdateMessage {
  type: 'update';
  withdrawn: string[];
  attrs: PathAttributes;
  nlri: string[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** RFC 7606 outcome of attribute errors (None when clean); TreatAsWithdraw means every NLRI is a withdrawal. */
  handling: ErrorHandling;
  /** The errors that were tolerated (attribute-discard / treat-as-withdraw), for logs. */
  errors: BgpMessageError[];
}

export interface NotificationMessage { type: 'notification'; code: number; subcode: number; data: Uint8Array }
export interface KeepaliveMessage { type: 'keepalive' }
export interface RouteRefreshMessage { type: 'route-refresh'; afi: number; subtype: number; safi: number }

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

export interface CodecOptions {
  /** Both sides advertised the 4-octet AS capability: AS_PATH/AGGREGATOR carry 4-octet ASNs. */
  as4: boolean;
}

export const DEFAULT_CODEC_OPTIONS: CodecOptions = { as4: true };

// BGP-4 protocol numbers and the error model: message types, NOTIFICATION codes and subcodes, path attribute
// type codes and flags, capability codes, families, and the RFC 7606 error-handling actions. Pure data.
import { TabbyError } from '../errors.ts';

// ---- constants ---------------------------------------------------------------------------------------

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const AS_TRANS = 23456;

export const MsgType = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313). */
export const ErrCode = {
  MESSAGE_HEADER: 1, OPEN_MESSAGE: 2, UPDATE_MESSAGE: 3, HOLD_TIMER_EXPIRED: 4, FSM: 5, CEASE: 6, ROUTE_REFRESH: 7,
} as const;

// Message Header Error subcodes
export const HeaderSub = { CONNECTION_NOT_SYNCHRONIZED: 1, BAD_MESSAGE_LENGTH: 2, BAD_MESSAGE_TYPE: 3 } as const;
// OPEN Message Error subcodes
export const OpenSub = {
  UNSPECIFIC: 0, UNSUPPORTED_VERSION: 1, BAD_PEER_AS: 2, BAD_BGP_IDENTIFIER: 3, UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6, UNSUPPORTED_CAPABILITY: 7,
} as const;
// UPDATE Message Error subcodes
export const UpdateSub = {
  MALFORMED_ATTRIBUTE_LIST: 1, UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2, MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4, ATTRIBUTE_LENGTH_ERROR: 5, INVALID_ORIGIN_ATTRIBUTE: 6, INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9, INVALID_NETWORK_FIELD: 10, MALFORMED_AS_PATH: 11,
} as const;
// FSM Error subcodes (RFC 6608)
export const FsmSub = { UNSPECIFIED: 0, UNEXPECTED_IN_OPENSENT: 1, UNEXPECTED_IN_OPENCONFIRM: 2, UNEXPECTED_IN_ESTABLISHED: 3 } as const;
// Cease subcodes (RFC 4486)
export const CeaseSub = {
  MAX_PREFIXES: 1, ADMINISTRATIVE_SHUTDOWN: 2, PEER_DECONFIGURED: 3, ADMINISTRATIVE_RESET: 4, CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6, CONNECTION_COLLISION_RESOLUTION: 7, OUT_OF_RESOURCES: 8,
} as const;
// ROUTE-REFRESH Message Error subcodes (RFC 7313)
export const RouteRefreshSub = { INVALID_MESSAGE_LENGTH: 1 } as const;

export const AttrType = {
  ORIGIN: 1, AS_PATH: 2, NEXT_HOP: 3, MULTI_EXIT_DISC: 4, LOCAL_PREF: 5, ATOMIC_AGGREGATE: 6, AGGREGATOR: 7,
  COMMUNITIES: 8, ORIGINATOR_ID: 9, CLUSTER_LIST: 10, MP_REACH_NLRI: 14, MP_UNREACH_NLRI: 15, AS4_PATH: 17, AS4_AGGREGATOR: 18,
} as const;

export const AttrFlag = { OPTIONAL: 0x80, TRANSITIVE: 0x40, PARTIAL: 0x20, EXTENDED_LENGTH: 0x10 } as const;

export const CapCode = { MULTIPROTOCOL: 1, ROUTE_REFRESH: 2, GRACEFUL_RESTART: 64, FOUR_OCTET_AS: 65, ENHANCED_ROUTE_REFRESH: 70 } as const;

export const Afi = { IPV4: 1, IPV6: 2 } as const;
export const Safi = { UNICAST: 1 } as const;

export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;
export const AsPathSegType = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const;

/** Well-known communities (RFC 1997). */
export const Community = { NO_EXPORT: 0xffffff01, NO_ADVERTISE: 0xffffff02, NO_EXPORT_SUBCONFED: 0xffffff03 } as const;

/** RFC 7606 error handling, weakest to strongest. */
export enum ErrorHandling {
  None = 0,
  AttributeDiscard = 1,
  TreatAsWithdraw = 2,
  AfiSafiDisable = 3,
  SessionReset = 4,
}

const ERR_NAMES: Record<number, string> = {
  1: 'Message Header Error', 2: 'OPEN Message Error', 3: 'UPDATE Message Error', 4: 'Hold Timer Expired',
  5: 'Finite State Machine Error', 6: 'Cease', 7: 'ROUTE-REFRESH Message Error',
};
const SUB_NAMES: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: { 0: 'Unspecific', 1: 'Unsupported Version Number', 2: 'Bad Peer AS', 3: 'Bad BGP Identifier', 4: 'Unsupported Optional Parameter', 6: 'Unacceptable Hold Time', 7: 'Unsupported Capability' },
  3: { 1: 'Malformed Attribute List', 2: 'Unrecognized Well-known Attribute', 3: 'Missing Well-known Attribute', 4: 'Attribute Flags Error', 5: 'Attribute Length Error', 6: 'Invalid ORIGIN Attribute', 8: 'Invalid NEXT_HOP Attribute', 9: 'Optional Attribute Error', 10: 'Invalid Network Field', 11: 'Malformed AS_PATH' },
  5: { 0: 'Unspecified', 1: 'Unexpected message in OpenSent', 2: 'Unexpected message in OpenConfirm', 3: 'Unexpected message in Established' },
  6: { 1: 'Maximum Number of Prefixes Reached', 2: 'Administrative Shutdown', 3: 'Peer De-configured', 4: 'Administrative Reset', 5: 'Connection Rejected', 6: 'Other Configuration Change', 7: 'Connection Collision Resolution', 8: 'Out of Resources' },
  7: { 1: 'Invalid Message Length' },
};

/** "Cease/Administrative Shutdown" for logs and `node status`. */
export function notificationName(code: number, subcode: number): string {
  const c = ERR_NAMES[code] ?? `error code ${code}`;
  const s = SUB_NAMES[code]?.[subcode];
  return s ? `${c}/${s}` : subcode ? `${c}/subcode ${subcode}` : c;
}

/** A decoding or validation failure, carrying the NOTIFICATION to send and the RFC 7606 action. */
export class BgpMessageError extends TabbyError<number> {
  constructor(
    override readonly code: number,
    readonly subcode: number,
    readonly data: Uint8Array,
    message: string,
    readonly handling: ErrorHandling = ErrorHandling.SessionReset,
  ) {
    super(code, `${notificationName(code, subcode)}: ${message}`);
    this.name = 'BgpMessageError';
  }
}

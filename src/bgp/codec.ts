// BGP-4 wire format: a pure codec, no session state. Every message has a decode/encode pair; options that
// the session negotiates (4-octet AS) reach every call explicitly. Reads are zero-copy views into the
// received buffer (subarray), attribute blocks are decoded once per UPDATE and shared by all its prefixes.
//
// RFCs: 4271 (messages, NOTIFICATION codes), 6793 (4-octet AS, AS4_PATH/AS4_AGGREGATOR), 4760 (MP_REACH /
// MP_UNREACH, IPv4/IPv6 unicast), 2918 + 7313 (ROUTE-REFRESH), 4456 (ORIGINATOR_ID, CLUSTER_LIST),
// 4724 (graceful restart capability, End-of-RIB), 1997 (communities), 5492 (capabilities), 7606 (revised
// UPDATE error handling: each error carries the weakest action that keeps the session correct).
import {
  AddressParseError, addressBytes, bytesToIp as bytesToIpv6, formatCIDR, ipToBytes as ipv6ToBytes, isIPv6Text as isIPv6, isMasked,
  maskCIDR, tryParseCIDR, tryParseCIDROrIP,
} from '../net/ip.ts';
import { parseIPv4 as ipv4ToInt } from '../net/ipv4.ts';
import { TabbyError } from '../errors.ts';

export { bytesToIpv6, ipv6ToBytes, isIPv6 };

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

const EMPTY = new Uint8Array(0);
function err(code: number, sub: number, msg: string, data: Uint8Array = EMPTY, handling = ErrorHandling.SessionReset): BgpMessageError {
  return new BgpMessageError(code, sub, data, msg, handling);
}

// ---- addresses and prefixes --------------------------------------------------------------------------

/** Parse "a.b.c.d/len" or "v6/len" into afi, address bytes and length; host bits must be zero. */
export function parsePrefix(p: string): { afi: number; bytes: Uint8Array; len: number } {
  const c = tryParseCIDR(p);
  if (!c) throw new AddressParseError(p, 'prefix');
  if (!isMasked(c)) throw new AddressParseError(p, 'prefix', 'host bits set');
  return { afi: c.family === 6 ? Afi.IPV6 : Afi.IPV4, bytes: addressBytes({ family: c.family, value: c.ip }), len: c.prefix };
}

/** Canonical text of a prefix (masks host bits; normalises IPv6 spelling; a bare address is a host route). */
export function canonicalPrefix(p: string): string {
  const c = tryParseCIDROrIP(p);
  if (!c) throw new AddressParseError(p, 'prefix');
  return formatCIDR(maskCIDR(c));
}

/** Decode a run of (length, prefix) NLRI entries. Errors carry the given subcode and handling. */
export function decodeNlri(buf: Uint8Array, afi: number, sub: number = UpdateSub.INVALID_NETWORK_FIELD): string[] {
  const out: string[] = [];
  const max = afi === Afi.IPV6 ? 128 : 32;
  let i = 0;
  while (i < buf.length) {
    const len = buf[i]!;
    if (len > max) throw err(ErrCode.UPDATE_MESSAGE, sub, `prefix length ${len} exceeds ${max}`);
    const nb = (len + 7) >> 3;
    if (i + 1 + nb > buf.length) throw err(ErrCode.UPDATE_MESSAGE, sub, 'NLRI runs past the end of its field');
    if (afi === Afi.IPV4) {
      let v = 0;
      for (let k = 0; k < 4; k++) v = v * 256 + (k < nb ? buf[i + 1 + k]! : 0);
      if (len < 32) v = (v & ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0))) >>> 0;
      out.push(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${len}`);
    } else {
      const b = new Uint8Array(16);
      b.set(buf.subarray(i + 1, i + 1 + nb));
      if (len & 7) b[nb - 1]! &= (0xff << (8 - (len & 7))) & 0xff;
      out.push(`${bytesToIpv6(b)}/${len}`);
    }
    i += 1 + nb;
  }
  return out;
}

/** Bytes needed to encode one prefix as NLRI. */
export function nlriLength(prefix: string): number {
  const len = Number(prefix.slice(prefix.indexOf('/') + 1));
  return 1 + ((len + 7) >> 3);
}

export function encodeNlri(prefixes: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const p of prefixes) {
    const { bytes, len } = parsePrefix(p);
    const nb = (len + 7) >> 3;
    const e = new Uint8Array(1 + nb);
    e[0] = len;
    e.set(bytes.subarray(0, nb), 1);
    parts.push(e);
    total += e.length;
  }
  return concat(parts, total);
}

function concat(parts: Uint8Array[], total?: number): Uint8Array {
  const n = total ?? parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// ---- message model -----------------------------------------------------------------------------------

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

// ---- header ------------------------------------------------------------------------------------------

/**
 * Check the header at the start of buf. Returns the message length when the whole message is present,
 * 0 when more bytes are needed. Throws the RFC 4271 §6.1 header errors.
 */
export function frameLength(buf: Uint8Array): number {
  if (buf.length < HEADER_LENGTH) return 0;
  for (let i = 0; i < 16; i++) {
    if (buf[i] !== 0xff) throw err(ErrCode.MESSAGE_HEADER, HeaderSub.CONNECTION_NOT_SYNCHRONIZED, 'marker is not all ones');
  }
  const len = (buf[16]! << 8) | buf[17]!;
  const type = buf[18]!;
  const lenData = buf.slice(16, 18);
  if (len < HEADER_LENGTH || len > MAX_MESSAGE_LENGTH) throw err(ErrCode.MESSAGE_HEADER, HeaderSub.BAD_MESSAGE_LENGTH, `length ${len} out of range`, lenData);
  const min: Record<number, number> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 };
  if (min[type] === undefined) throw err(ErrCode.MESSAGE_HEADER, HeaderSub.BAD_MESSAGE_TYPE, `unknown message type ${type}`, new Uint8Array([type]));
  if (len < min[type]! || (type === MsgType.KEEPALIVE && len !== 19)) {
    throw err(ErrCode.MESSAGE_HEADER, HeaderSub.BAD_MESSAGE_LENGTH, `length ${len} invalid for message type ${type}`, lenData);
  }
  return buf.length >= len ? len : 0;
}

function header(type: number, bodyLen: number): Uint8Array {
  const len = HEADER_LENGTH + bodyLen;
  if (len > MAX_MESSAGE_LENGTH) throw new Error(`BGP message of ${len} bytes exceeds ${MAX_MESSAGE_LENGTH}`);
  const h = new Uint8Array(len);
  h.fill(0xff, 0, 16);
  h[16] = len >> 8;
  h[17] = len & 255;
  h[18] = type;
  return h;
}

/** Decode one complete message (header included). */
export function decodeMessage(msg: Uint8Array, opts: CodecOptions = DEFAULT_CODEC_OPTIONS): BgpMessage {
  const len = frameLength(msg);
  if (len === 0 || len !== msg.length) {
    throw err(ErrCode.MESSAGE_HEADER, HeaderSub.BAD_MESSAGE_LENGTH, 'message length does not match its header', msg.slice(16, 18));
  }
  const body = msg.subarray(HEADER_LENGTH);
  switch (msg[18]) {
    case MsgType.OPEN: return decodeOpen(body);
    case MsgType.UPDATE: return decodeUpdate(body, opts);
    case MsgType.NOTIFICATION: return { type: 'notification', code: body[0]!, subcode: body[1]!, data: body.subarray(2) };
    case MsgType.KEEPALIVE: return { type: 'keepalive' };
    default: return decodeRouteRefresh(body);
  }
}

export function encodeMessage(m: BgpMessage, opts: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array {
  switch (m.type) {
    case 'open': return encodeOpen(m);
    case 'update': return encodeUpdate(m, opts);
    case 'notification': return encodeNotification(m.code, m.subcode, m.data);
    case 'keepalive': return encodeKeepalive();
    case 'route-refresh': return encodeRouteRefresh(m.afi, m.safi, m.subtype);
  }
}

// ---- OPEN --------------------------------------------------------------------------------------------

export function decodeOpen(b: Uint8Array): OpenMessage {
  if (b.length < 10) throw err(ErrCode.MESSAGE_HEADER, HeaderSub.BAD_MESSAGE_LENGTH, 'OPEN too short');
  const version = b[0]!;
  const myAs = (b[1]! << 8) | b[2]!;
  const holdTime = (b[3]! << 8) | b[4]!;
  const routerId = `${b[5]}.${b[6]}.${b[7]}.${b[8]}`;
  const optLen = b[9]!;
  if (10 + optLen !== b.length) throw err(ErrCode.OPEN_MESSAGE, OpenSub.UNSPECIFIC, `optional parameters length ${optLen} does not match the message`);
  const capabilities: Capability[] = [];
  let i = 10;
  while (i < b.length) {
    if (i + 2 > b.length) throw err(ErrCode.OPEN_MESSAGE, OpenSub.UNSPECIFIC, 'truncated optional parameter');
    const ptype = b[i]!, plen = b[i + 1]!;
    if (i + 2 + plen > b.length) throw err(ErrCode.OPEN_MESSAGE, OpenSub.UNSPECIFIC, 'optional parameter runs past the message');
    if (ptype !== 2) throw err(ErrCode.OPEN_MESSAGE, OpenSub.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${ptype}`);
    decodeCapabilities(b.subarray(i + 2, i + 2 + plen), capabilities);
    i += 2 + plen;
  }
  return { type: 'open', version, myAs, holdTime, routerId, capabilities };
}

function decodeCapabilities(b: Uint8Array, out: Capability[]): void {
  let i = 0;
  while (i < b.length) {
    if (i + 2 > b.length) throw err(ErrCode.OPEN_MESSAGE, OpenSub.UNSPECIFIC, 'truncated capability');
    const code = b[i]!, len = b[i + 1]!;
    const v = b.subarray(i + 2, i + 2 + len);
    if (v.length !== len) throw err(ErrCode.OPEN_MESSAGE, OpenSub.UNSPECIFIC, `capability ${code} runs past its parameter`);
    const bad = () => err(ErrCode.OPEN_MESSAGE, OpenSub.UNSPECIFIC, `capability ${code} has invalid length ${len}`);
    switch (code) {
      case CapCode.MULTIPROTOCOL:
        if (len !== 4) throw bad();
        out.push({ code, afi: (v[0]! << 8) | v[1]!, safi: v[3]! });
        break;
      case CapCode.ROUTE_REFRESH:
      case CapCode.ENHANCED_ROUTE_REFRESH:
        if (len !== 0) throw bad();
        out.push({ code } as Capability);
        break;
      case CapCode.FOUR_OCTET_AS:
        if (len !== 4) throw bad();
        out.push({ code, asn: ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0 });
        break;
      case CapCode.GRACEFUL_RESTART: {
        if (len < 2 || (len - 2) % 4 !== 0) throw bad();
        const families: { afi: number; safi: number; forwardingPreserved: boolean }[] = [];
        for (let k = 2; k < len; k += 4) families.push({ afi: (v[k]! << 8) | v[k + 1]!, safi: v[k + 2]!, forwardingPreserved: (v[k + 3]! & 0x80) !== 0 });
        out.push({ code, restarting: (v[0]! & 0x80) !== 0, restartTime: ((v[0]! & 0x0f) << 8) | v[1]!, families });
        break;
      }
      default:
        out.push({ code, value: v, unknown: true });
    }
    i += 2 + len;
  }
}

function encodeCapability(c: Capability): Uint8Array {
  let v: Uint8Array;
  if ('unknown' in c) v = c.value;
  else switch (c.code) {
    case CapCode.MULTIPROTOCOL: { const m = c as { afi: number; safi: number }; v = new Uint8Array([m.afi >> 8, m.afi & 255, 0, m.safi]); break; }
    case CapCode.FOUR_OCTET_AS: { const a = (c as { asn: number }).asn; v = new Uint8Array([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255]); break; }
    case CapCode.GRACEFUL_RESTART: {
      const g = c as Extract<Capability, { code: 64 }>;
      v = new Uint8Array(2 + 4 * g.families.length);
      v[0] = (g.restarting ? 0x80 : 0) | ((g.restartTime >> 8) & 0x0f);
      v[1] = g.restartTime & 255;
      g.families.forEach((f, k) => { v[2 + 4 * k] = f.afi >> 8; v[3 + 4 * k] = f.afi & 255; v[4 + 4 * k] = f.safi; v[5 + 4 * k] = f.forwardingPreserved ? 0x80 : 0; });
      break;
    }
    default: v = EMPTY;
  }
  const out = new Uint8Array(2 + v.length);
  out[0] = c.code; out[1] = v.length; out.set(v, 2);
  return out;
}

export function encodeOpen(m: Omit<OpenMessage, 'type'> & { type?: 'open' }): Uint8Array {
  // One Capabilities optional parameter per capability, as most speakers do.
  const params = m.capabilities.map((c) => { const cap = encodeCapability(c); const p = new Uint8Array(2 + cap.length); p[0] = 2; p[1] = cap.length; p.set(cap, 2); return p; });
  const opt = concat(params);
  if (opt.length > 255) throw new Error('OPEN optional parameters exceed 255 bytes');
  const msg = header(MsgType.OPEN, 10 + opt.length);
  const b = msg.subarray(HEADER_LENGTH);
  b[0] = m.version;
  b[1] = m.myAs >> 8; b[2] = m.myAs & 255;
  b[3] = m.holdTime >> 8; b[4] = m.holdTime & 255;
  const id = ipv4ToInt(m.routerId);
  b[5] = id >>> 24; b[6] = (id >>> 16) & 255; b[7] = (id >>> 8) & 255; b[8] = id & 255;
  b[9] = opt.length;
  b.set(opt, 10);
  return msg;
}

// ---- NOTIFICATION / KEEPALIVE / ROUTE-REFRESH -----------------------------------------------------------

export function encodeNotification(code: number, subcode: number, data: Uint8Array = EMPTY): Uint8Array {
  const msg = header(MsgType.NOTIFICATION, 2 + data.length);
  msg[19] = code; msg[20] = subcode; msg.set(data, 21);
  return msg;
}

const KEEPALIVE = header(MsgType.KEEPALIVE, 0);
export function encodeKeepalive(): Uint8Array { return KEEPALIVE; }

function decodeRouteRefresh(b: Uint8Array): RouteRefreshMessage {
  if (b.length !== 4) throw err(ErrCode.ROUTE_REFRESH, RouteRefreshSub.INVALID_MESSAGE_LENGTH, `ROUTE-REFRESH body of ${b.length} bytes`, b.slice());
  return { type: 'route-refresh', afi: (b[0]! << 8) | b[1]!, subtype: b[2]!, safi: b[3]! };
}

export function encodeRouteRefresh(afi: number, safi: number, subtype = 0): Uint8Array {
  const msg = header(MsgType.ROUTE_REFRESH, 4);
  msg[19] = afi >> 8; msg[20] = afi & 255; msg[21] = subtype; msg[22] = safi;
  return msg;
}

// ---- UPDATE ------------------------------------------------------------------------------------------

const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const ip4At = (b: Uint8Array, i: number) => `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;

/** Expected flag bits (optional, transitive) for each known attribute. */
const ATTR_FLAGS: Record<number, number> = {
  1: 0x40, 2: 0x40, 3: 0x40, 4: 0x80, 5: 0x40, 6: 0x40, 7: 0xc0, 8: 0xc0, 9: 0x80, 10: 0x80, 14: 0x80, 15: 0x80, 17: 0xc0, 18: 0xc0,
};
const WELL_KNOWN = new Set([1, 2, 3, 5, 6]);

/** RFC 7606 §7: the action for a malformed instance of each attribute. */
function handlingFor(code: number): ErrorHandling {
  switch (code) {
    case AttrType.ATOMIC_AGGREGATE: case AttrType.AGGREGATOR: case AttrType.AS4_AGGREGATOR: case AttrType.AS4_PATH:
      return ErrorHandling.AttributeDiscard;
    case AttrType.MP_REACH_NLRI: case AttrType.MP_UNREACH_NLRI:
      return ErrorHandling.SessionReset;
    default:
      return ErrorHandling.TreatAsWithdraw;
  }
}

function decodeAsPath(v: Uint8Array, asnSize: 2 | 4, code: number): AsPathSegment[] {
  const segs: AsPathSegment[] = [];
  let i = 0;
  while (i < v.length) {
    if (i + 2 > v.length) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_AS_PATH, 'truncated AS_PATH segment', EMPTY, handlingFor(code));
    const type = v[i]!, n = v[i + 1]!;
    if (type < 1 || type > 4) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_AS_PATH, `AS_PATH segment type ${type}`, EMPTY, handlingFor(code));
    if (n === 0) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_AS_PATH, 'empty AS_PATH segment', EMPTY, handlingFor(code));
    if (i + 2 + n * asnSize > v.length) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_AS_PATH, 'AS_PATH segment overruns the attribute', EMPTY, handlingFor(code));
    const asns: number[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const o = i + 2 + k * asnSize;
      asns[k] = asnSize === 4 ? u32(v, o) : (v[o]! << 8) | v[o + 1]!;
    }
    segs.push({ type, asns });
    i += 2 + n * asnSize;
  }
  return segs;
}

/** RFC 6793 §4.2.3: rebuild the true path from a 2-octet AS_PATH and AS4_PATH. */
function mergeAs4Path(asPath: AsPathSegment[], as4Path: AsPathSegment[]): AsPathSegment[] {
  const count = (p: AsPathSegment[]) => p.reduce((a, s) => a + (s.type === AsPathSegType.AS_SET ? 1 : s.type === AsPathSegType.AS_SEQUENCE ? s.asns.length : 0), 0);
  const n2 = count(asPath), n4 = count(as4Path);
  if (n4 > n2) return asPath; // AS4_PATH is ignored when longer
  let keep = n2 - n4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0) break;
    if (s.type === AsPathSegType.AS_SEQUENCE && s.asns.length > keep) { out.push({ type: s.type, asns: s.asns.slice(0, keep) }); keep = 0; break; }
    out.push(s);
    keep -= s.type === AsPathSegType.AS_SET ? 1 : s.type === AsPathSegType.AS_SEQUENCE ? s.asns.length : 0;
  }
  return [...out, ...as4Path];
}

function decodeMpNextHops(afi: number, nh: Uint8Array): string[] {
  if (afi === Afi.IPV4) {
    if (nh.length !== 4) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR, `IPv4 next hop of ${nh.length} bytes`);
    return [ip4At(nh, 0)];
  }
  if (nh.length === 16) return [bytesToIpv6(nh)];
  if (nh.length === 32) return [bytesToIpv6(nh.subarray(0, 16)), bytesToIpv6(nh.subarray(16))];
  throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR, `IPv6 next hop of ${nh.length} bytes`);
}

interface TolerateState { errors: BgpMessageError[]; handling: ErrorHandling }

/** Record an error RFC 7606 lets us survive; rethrow the ones that need a session reset. */
function tolerate(st: TolerateState, e: BgpMessageError): void {
  if (e.handling >= ErrorHandling.AfiSafiDisable) throw e;
  st.errors.push(e);
  if (e.handling > st.handling) st.handling = e.handling;
}

function lengthError(code: number, len: number, data: Uint8Array, h: ErrorHandling): BgpMessageError {
  return err(ErrCode.UPDATE_MESSAGE, UpdateSub.ATTRIBUTE_LENGTH_ERROR, `attribute ${code} has length ${len}`, data, h);
}

export function decodeUpdate(b: Uint8Array, opts: CodecOptions = DEFAULT_CODEC_OPTIONS): UpdateMessage {
  const wlen = (b[0]! << 8) | b[1]!;
  if (2 + wlen + 2 > b.length) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, `withdrawn routes length ${wlen} overruns the message`);
  const withdrawn = decodeNlri(b.subarray(2, 2 + wlen), Afi.IPV4);
  const alen = (b[2 + wlen]! << 8) | b[3 + wlen]!;
  const aStart = 4 + wlen;
  if (aStart + alen > b.length) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, `total path attribute length ${alen} overruns the message`);
  const nlri = decodeNlri(b.subarray(aStart + alen), Afi.IPV4);

  const attrs: PathAttributes = {};
  const st: TolerateState = { errors: [], handling: ErrorHandling.None };
  // Attribute codes seen so far: a bit mask for the common codes (< 32), a set for the rest.
  let seenLow = 0;
  let seenHigh: Set<number> | undefined;
  let mpReach: MpReach | undefined;
  let mpUnreach: MpUnreach | undefined;
  let as4Path: AsPathSegment[] | undefined;
  let as4Aggregator: { asn: number; address: string } | undefined;
  const asnSize = opts.as4 ? 4 : 2;

  const a = b.subarray(aStart, aStart + alen);
  let i = 0;
  while (i < a.length) {
    if (i + 3 > a.length) { tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, 'truncated attribute header', EMPTY, ErrorHandling.TreatAsWithdraw)); break; }
    const flags = a[i]!, code = a[i + 1]!;
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    if (ext && i + 4 > a.length) { tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, 'truncated attribute header', EMPTY, ErrorHandling.TreatAsWithdraw)); break; }
    const len = ext ? (a[i + 2]! << 8) | a[i + 3]! : a[i + 2]!;
    const hdr = ext ? 4 : 3;
    const at = i, attrEnd = Math.min(a.length, i + hdr + len);
    if (i + hdr + len > a.length) {
      // RFC 7606 §4: an attribute overrunning the attribute field; MP attributes can't be located any more.
      tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.ATTRIBUTE_LENGTH_ERROR, `attribute ${code} length ${len} overruns the attribute field`, a.slice(at, attrEnd),
        code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI ? ErrorHandling.SessionReset : ErrorHandling.TreatAsWithdraw));
      break;
    }
    const v = a.subarray(i + hdr, i + hdr + len);
    i += hdr + len;

    if (code < 32 ? (seenLow & (1 << code)) !== 0 : seenHigh?.has(code) === true) {
      // RFC 7606 §3.g: repeated attributes are discarded, except MP_REACH/MP_UNREACH which are fatal.
      if (code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} repeated`);
      tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} repeated`, EMPTY, ErrorHandling.AttributeDiscard));
      continue;
    }
    if (code < 32) seenLow |= 1 << code; else (seenHigh ??= new Set()).add(code);

    const expected = ATTR_FLAGS[code];
    if (expected === undefined) {
      if (!(flags & AttrFlag.OPTIONAL)) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, `unrecognized well-known attribute ${code}`, a.slice(at, attrEnd));
      if (flags & AttrFlag.TRANSITIVE) (attrs.unknown ??= []).push({ flags: flags | AttrFlag.PARTIAL, code, value: v });
      continue;
    }
    const h = handlingFor(code);
    if ((flags & 0xc0) !== expected) {
      tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.ATTRIBUTE_FLAGS_ERROR, `attribute ${code} has flags 0x${flags.toString(16)}`, a.slice(at, attrEnd), h));
      continue;
    }
    try {
      switch (code) {
        case AttrType.ORIGIN:
          if (len !== 1) throw lengthError(code, len, a.slice(at, attrEnd), h);
          if (v[0]! > 2) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.INVALID_ORIGIN_ATTRIBUTE, `ORIGIN ${v[0]}`, a.slice(at, attrEnd), h);
          attrs.origin = v[0]!;
          break;
        case AttrType.AS_PATH:
          attrs.asPath = decodeAsPath(v, asnSize, code);
          break;
        case AttrType.NEXT_HOP:
          if (len !== 4) throw lengthError(code, len, a.slice(at, attrEnd), h);
          attrs.nextHop = ip4At(v, 0);
          if (attrs.nextHop === '0.0.0.0' || v[0]! >= 224) {
            delete attrs.nextHop;
            throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.INVALID_NEXT_HOP_ATTRIBUTE, `NEXT_HOP ${ip4At(v, 0)} is not a unicast address`, a.slice(at, attrEnd), h);
          }
          break;
        case AttrType.MULTI_EXIT_DISC:
          if (len !== 4) throw lengthError(code, len, a.slice(at, attrEnd), h);
          attrs.med = u32(v, 0);
          break;
        case AttrType.LOCAL_PREF:
          if (len !== 4) throw lengthError(code, len, a.slice(at, attrEnd), h);
          attrs.localPref = u32(v, 0);
          break;
        case AttrType.ATOMIC_AGGREGATE:
          if (len !== 0) throw lengthError(code, len, a.slice(at, attrEnd), h);
          attrs.atomicAggregate = true;
          break;
        case AttrType.AGGREGATOR:
          if (len !== asnSize + 4) throw lengthError(code, len, a.slice(at, attrEnd), h);
          attrs.aggregator = { asn: asnSize === 4 ? u32(v, 0) : (v[0]! << 8) | v[1]!, address: ip4At(v, asnSize) };
          break;
        case AttrType.COMMUNITIES: {
          if (len === 0 || len % 4 !== 0) throw lengthError(code, len, a.slice(at, attrEnd), h);
          const c: number[] = [];
          for (let k = 0; k < len; k += 4) c.push(u32(v, k));
          attrs.communities = c;
          break;
        }
        case AttrType.ORIGINATOR_ID:
          if (len !== 4) throw lengthError(code, len, a.slice(at, attrEnd), h);
          attrs.originatorId = ip4At(v, 0);
          break;
        case AttrType.CLUSTER_LIST: {
          if (len === 0 || len % 4 !== 0) throw lengthError(code, len, a.slice(at, attrEnd), h);
          const c: string[] = [];
          for (let k = 0; k < len; k += 4) c.push(ip4At(v, k));
          attrs.clusterList = c;
          break;
        }
        case AttrType.MP_REACH_NLRI: {
          if (len < 5) throw lengthError(code, len, a.slice(at, attrEnd), h);
          const afi = (v[0]! << 8) | v[1]!, safi = v[2]!, nhLen = v[3]!;
          if (4 + nhLen + 1 > len) throw lengthError(code, len, a.slice(at, attrEnd), h);
          const nh = v.subarray(4, 4 + nhLen);
          const nlriStart = 4 + nhLen + 1; // skip the reserved octet
          if ((afi !== Afi.IPV4 && afi !== Afi.IPV6) || safi !== Safi.UNICAST) { mpReach = { afi, safi, nextHops: [], nlri: [] }; break; }
          mpReach = { afi, safi, nextHops: decodeMpNextHops(afi, nh), nlri: decodeNlri(v.subarray(nlriStart), afi, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR) };
          break;
        }
        case AttrType.MP_UNREACH_NLRI: {
          if (len < 3) throw lengthError(code, len, a.slice(at, attrEnd), h);
          const afi = (v[0]! << 8) | v[1]!, safi = v[2]!;
          if ((afi !== Afi.IPV4 && afi !== Afi.IPV6) || safi !== Safi.UNICAST) { mpUnreach = { afi, safi, withdrawn: [] }; break; }
          mpUnreach = { afi, safi, withdrawn: decodeNlri(v.subarray(3), afi, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR) };
          break;
        }
        case AttrType.AS4_PATH:
          as4Path = decodeAsPath(v, 4, code);
          break;
        case AttrType.AS4_AGGREGATOR:
          if (len !== 8) throw lengthError(code, len, a.slice(at, attrEnd), h);
          as4Aggregator = { asn: u32(v, 0), address: ip4At(v, 4) };
          break;
      }
    } catch (e) {
      if (!(e instanceof BgpMessageError)) throw e;
      // MP attribute errors are fatal (session reset); others degrade per RFC 7606.
      if (code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI) {
        throw new BgpMessageError(e.code, e.subcode, e.data, e.message.replace(/^[^:]*: /, ''), ErrorHandling.SessionReset);
      }
      tolerate(st, e);
    }
  }

  // RFC 6793: a new speaker never sends AS4_*; a 2-octet session merges them.
  if (!opts.as4) {
    if (as4Path && attrs.asPath) attrs.asPath = mergeAs4Path(attrs.asPath, as4Path);
    if (as4Aggregator && attrs.aggregator?.asn === AS_TRANS) attrs.aggregator = as4Aggregator;
  }

  // Missing well-known mandatory attributes (only when there is something to announce): treat-as-withdraw.
  const announces = nlri.length > 0 || (mpReach !== undefined && mpReach.nlri.length > 0);
  if (announces && st.handling < ErrorHandling.TreatAsWithdraw) {
    const missing: number[] = [];
    if (attrs.origin === undefined) missing.push(AttrType.ORIGIN);
    if (attrs.asPath === undefined) missing.push(AttrType.AS_PATH);
    if (nlri.length > 0 && attrs.nextHop === undefined) missing.push(AttrType.NEXT_HOP);
    if (missing.length) tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.MISSING_WELL_KNOWN_ATTRIBUTE, `missing well-known attribute ${missing.join(', ')}`, new Uint8Array([missing[0]!]), ErrorHandling.TreatAsWithdraw));
  }

  const u: UpdateMessage = { type: 'update', withdrawn, attrs, nlri, handling: st.handling, errors: st.errors };
  if (mpReach) u.mpReach = mpReach;
  if (mpUnreach) u.mpUnreach = mpUnreach;
  return u;
}

/** End-of-RIB marker (RFC 4724 §2): empty UPDATE for IPv4, empty MP_UNREACH for other families. */
export function isEndOfRib(u: UpdateMessage): AfiSafi | undefined {
  if (u.withdrawn.length === 0 && u.nlri.length === 0 && !u.mpReach && Object.keys(u.attrs).length === 0 && !u.mpUnreach) return { afi: Afi.IPV4, safi: Safi.UNICAST };
  if (u.mpUnreach && u.mpUnreach.withdrawn.length === 0 && !u.mpReach && u.nlri.length === 0 && u.withdrawn.length === 0) return { afi: u.mpUnreach.afi, safi: u.mpUnreach.safi };
  return undefined;
}

function attr(flags: number, code: number, v: Uint8Array): Uint8Array {
  const ext = v.length > 255;
  const out = new Uint8Array((ext ? 4 : 3) + v.length);
  out[0] = flags | (ext ? AttrFlag.EXTENDED_LENGTH : 0);
  out[1] = code;
  if (ext) { out[2] = v.length >> 8; out[3] = v.length & 255; out.set(v, 4); } else { out[2] = v.length; out.set(v, 3); }
  return out;
}

function be32(n: number): Uint8Array { return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
function ip4Bytes(s: string): Uint8Array { return be32(ipv4ToInt(s)); }

function encodeAsPath(segs: AsPathSegment[], asnSize: 2 | 4): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of segs) {
    // Segments hold at most 255 ASNs: split longer ones.
    for (let k = 0; k < s.asns.length; k += 255) {
      const chunk = s.asns.slice(k, k + 255);
      const p = new Uint8Array(2 + chunk.length * asnSize);
      p[0] = s.type; p[1] = chunk.length;
      chunk.forEach((asn, j) => {
        const o = 2 + j * asnSize;
        if (asnSize === 4) p.set(be32(asn), o);
        else { const a = asn > 0xffff ? AS_TRANS : asn; p[o] = a >> 8; p[o + 1] = a & 255; }
      });
      parts.push(p);
    }
  }
  return concat(parts);
}

/**
 * Encode the path attribute block. `mpReach`/`mpUnreach` are included when given. With a 2-octet session,
 * AS_PATH carries AS_TRANS and AS4_PATH the real path (RFC 6793 §4.2.2).
 */
export function encodeAttributes(attrs: PathAttributes, opts: CodecOptions, mpReach?: MpReach, mpUnreach?: MpUnreach): Uint8Array {
  const asnSize = opts.as4 ? 4 : 2;
  const parts: Uint8Array[] = [];
  if (attrs.origin !== undefined) parts.push(attr(0x40, AttrType.ORIGIN, new Uint8Array([attrs.origin])));
  if (attrs.asPath !== undefined) parts.push(attr(0x40, AttrType.AS_PATH, encodeAsPath(attrs.asPath, asnSize)));
  if (attrs.nextHop !== undefined) parts.push(attr(0x40, AttrType.NEXT_HOP, ip4Bytes(attrs.nextHop)));
  if (attrs.med !== undefined) parts.push(attr(0x80, AttrType.MULTI_EXIT_DISC, be32(attrs.med)));
  if (attrs.localPref !== undefined) parts.push(attr(0x40, AttrType.LOCAL_PREF, be32(attrs.localPref)));
  if (attrs.atomicAggregate) parts.push(attr(0x40, AttrType.ATOMIC_AGGREGATE, EMPTY));
  if (attrs.aggregator) {
    const asn = asnSize === 2 && attrs.aggregator.asn > 0xffff ? AS_TRANS : attrs.aggregator.asn;
    parts.push(attr(0xc0, AttrType.AGGREGATOR, asnSize === 4 ? concat([be32(asn), ip4Bytes(attrs.aggregator.address)]) : concat([new Uint8Array([asn >> 8, asn & 255]), ip4Bytes(attrs.aggregator.address)])));
  }
  if (attrs.communities?.length) parts.push(attr(0xc0, AttrType.COMMUNITIES, concat(attrs.communities.map(be32))));
  if (attrs.originatorId) parts.push(attr(0x80, AttrType.ORIGINATOR_ID, ip4Bytes(attrs.originatorId)));
  if (attrs.clusterList?.length) parts.push(attr(0x80, AttrType.CLUSTER_LIST, concat(attrs.clusterList.map(ip4Bytes))));
  if (mpReach) {
    const nh = concat(mpReach.nextHops.map((h) => (isIPv6(h) ? ipv6ToBytes(h) : ip4Bytes(h))));
    const nl = encodeNlri(mpReach.nlri);
    const v = new Uint8Array(5 + nh.length + nl.length);
    v[0] = mpReach.afi >> 8; v[1] = mpReach.afi & 255; v[2] = mpReach.safi; v[3] = nh.length;
    v.set(nh, 4); v[4 + nh.length] = 0; v.set(nl, 5 + nh.length);
    parts.push(attr(0x80, AttrType.MP_REACH_NLRI, v));
  }
  if (mpUnreach) {
    const nl = encodeNlri(mpUnreach.withdrawn);
    const v = new Uint8Array(3 + nl.length);
    v[0] = mpUnreach.afi >> 8; v[1] = mpUnreach.afi & 255; v[2] = mpUnreach.safi; v.set(nl, 3);
    parts.push(attr(0x80, AttrType.MP_UNREACH_NLRI, v));
  }
  if (asnSize === 2) {
    const needs4 = attrs.asPath?.some((s) => s.asns.some((x) => x > 0xffff));
    if (needs4) parts.push(attr(0xc0, AttrType.AS4_PATH, encodeAsPath(attrs.asPath!, 4)));
    if (attrs.aggregator && attrs.aggregator.asn > 0xffff) parts.push(attr(0xc0, AttrType.AS4_AGGREGATOR, concat([be32(attrs.aggregator.asn), ip4Bytes(attrs.aggregator.address)])));
  }
  for (const u of attrs.unknown ?? []) parts.push(attr(u.flags & ~AttrFlag.EXTENDED_LENGTH, u.code, u.value));
  return concat(parts);
}

/** Encode one UPDATE from its parts; the caller keeps it under 4096 bytes (see packUpdates). */
export function encodeUpdateRaw(withdrawnNlri: Uint8Array, attrBlock: Uint8Array, nlri: Uint8Array): Uint8Array {
  const msg = header(MsgType.UPDATE, 4 + withdrawnNlri.length + attrBlock.length + nlri.length);
  const b = msg.subarray(HEADER_LENGTH);
  b[0] = withdrawnNlri.length >> 8; b[1] = withdrawnNlri.length & 255;
  b.set(withdrawnNlri, 2);
  let o = 2 + withdrawnNlri.length;
  b[o] = attrBlock.length >> 8; b[o + 1] = attrBlock.length & 255;
  b.set(attrBlock, o + 2);
  o += 2 + attrBlock.length;
  b.set(nlri, o);
  return msg;
}

export function encodeUpdate(u: Omit<UpdateMessage, 'handling' | 'errors'> & Partial<Pick<UpdateMessage, 'handling' | 'errors'>>, opts: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array {
  return encodeUpdateRaw(encodeNlri(u.withdrawn), encodeAttributes(u.attrs, opts, u.mpReach, u.mpUnreach), encodeNlri(u.nlri));
}

/** End-of-RIB for a family. */
export function encodeEndOfRib(afi: number, safi: number = Safi.UNICAST): Uint8Array {
  if (afi === Afi.IPV4) return encodeUpdateRaw(EMPTY, EMPTY, EMPTY);
  return encodeUpdateRaw(EMPTY, encodeAttributes({}, DEFAULT_CODEC_OPTIONS, undefined, { afi, safi, withdrawn: [] }), EMPTY);
}

/**
 * Pack announcements sharing one attribute set into as few UPDATEs as fit in 4096 bytes.
 * IPv4 uses the classic NLRI field (with NEXT_HOP); IPv6 uses MP_REACH_NLRI.
 */
export function packAnnouncements(afi: number, attrs: PathAttributes, nextHops: string[], prefixes: readonly string[], opts: CodecOptions): Uint8Array[] {
  const out: Uint8Array[] = [];
  const room = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4;
  if (afi === Afi.IPV4) {
    const block = encodeAttributes({ ...attrs, nextHop: nextHops[0] }, opts);
    const space = room - block.length;
    let batch: string[] = [], used = 0;
    for (const p of prefixes) {
      const n = nlriLength(p);
      if (used + n > space) { out.push(encodeUpdateRaw(EMPTY, block, encodeNlri(batch))); batch = []; used = 0; }
      batch.push(p); used += n;
    }
    if (batch.length) out.push(encodeUpdateRaw(EMPTY, block, encodeNlri(batch)));
    return out;
  }
  const { nextHop: _drop, ...rest } = attrs;
  const base = encodeAttributes(rest, opts, { afi, safi: Safi.UNICAST, nextHops, nlri: [] });
  const space = room - base.length - 1; // extended length may add a byte
  let batch: string[] = [], used = 0;
  const flush = () => out.push(encodeUpdateRaw(EMPTY, encodeAttributes(rest, opts, { afi, safi: Safi.UNICAST, nextHops, nlri: batch }), EMPTY));
  for (const p of prefixes) {
    const n = nlriLength(p);
    if (used + n > space) { flush(); batch = []; used = 0; }
    batch.push(p); used += n;
  }
  if (batch.length) flush();
  return out;
}

/** Pack withdrawals of one family into UPDATEs. */
export function packWithdrawals(afi: number, prefixes: readonly string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const space = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4 - (afi === Afi.IPV4 ? 0 : 7);
  let batch: string[] = [], used = 0;
  const flush = () => out.push(afi === Afi.IPV4
    ? encodeUpdateRaw(encodeNlri(batch), EMPTY, EMPTY)
    : encodeUpdateRaw(EMPTY, encodeAttributes({}, DEFAULT_CODEC_OPTIONS, undefined, { afi, safi: Safi.UNICAST, withdrawn: batch }), EMPTY));
  for (const p of prefixes) {
    const n = nlriLength(p);
    if (used + n > space) { flush(); batch = []; used = 0; }
    batch.push(p); used += n;
  }
  if (batch.length) flush();
  return out;
}

/** Human text of an AS path like BIRD's: "65001 65002 {65003 65004}". */
export function formatAsPath(segs: AsPathSegment[] | undefined): string {
  return (segs ?? []).map((s) => (s.type === AsPathSegType.AS_SET || s.type === AsPathSegType.AS_CONFED_SET ? `{${s.asns.join(' ')}}` : s.asns.join(' '))).join(' ');
}

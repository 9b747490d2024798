// BGP-4 wire format: a pure codec, no session state. Every message has a decode/encode pair; options that
// the session negotiates (4-octet AS) reach every call explicitly. Reads are zero-copy views into the
// received buffer (subarray), attribute blocks are decoded once per UPDATE and shared by all its prefixes.
//
// RFCs: 4271 (messages, NOTIFICATION codes), 6793 (4-octet AS, AS4_PATH/AS4_AGGREGATOR), 4760 (MP_REACH /
// MP_UNREACH, IPv4/IPv6 unicast), 2918 + 7313 (ROUTE-REFRESH), 4456 (ORIGINATOR_ID, CLUSTER_LIST),
// 4724 (graceful restart capability, End-of-RIB), 1997 (communities), 5492 (capabilities), 7606 (revised
// UPDATE error handling: each error carries the weakest action that keeps the session correct).
//
// Layout (the way GoBGP's pkg/packet/bgp splits it): codec-constants.ts (numbers, error model), codec-addr.ts
// (addresses, prefixes, NLRI), codec-types.ts (message model), codec-attrs.ts (path attributes keyed by type
// code), codec-update.ts (UPDATE frame, RFC 7606 walk, packing), codec-shutdown.ts (RFC 8203/9003); this file
// frames messages and holds OPEN, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH. Import everything from here.
import { ipv4ToInt } from './codec-addr.ts';
import { concat, EMPTY, err, header } from './codec-util.ts';
import {
  CapCode, ErrCode, HEADER_LENGTH, HeaderSub, MAX_MESSAGE_LENGTH, MsgType, OpenSub, RouteRefreshSub,
} from './codec-constants.ts';
import { DEFAULT_CODEC_OPTIONS, type BgpMessage, type Capability, type CodecOptions, type OpenMessage, type RouteRefreshMessage } from './codec-types.ts';
import { decodeUpdate, encodeUpdate } from './codec-update.ts';

export * from './codec-constants.ts';
export * from './codec-addr.ts';
export * from './codec-types.ts';
export { encodeAttributes } from './codec-attrs.ts';
export * from './codec-update.ts';

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

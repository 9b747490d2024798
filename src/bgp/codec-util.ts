// Byte helpers shared by the codec modules (not part of the codec's public surface).
import { BgpMessageError, ErrorHandling, HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './codec-constants.ts';

export const EMPTY = new Uint8Array(0);

/** A decoding error carrying the NOTIFICATION (code, subcode, data) and the RFC 7606 action. */
export function err(code: number, sub: number, msg: string, data: Uint8Array = EMPTY, handling = ErrorHandling.SessionReset): BgpMessageError {
  return new BgpMessageError(code, sub, data, msg, handling);
}

export function concat(parts: Uint8Array[], total?: number): Uint8Array {
  const n = total ?? parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
export const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
export const ip4At = (b: Uint8Array, i: number) => `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;
export function be32(n: number): Uint8Array { return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }

/** A zeroed message of `bodyLen` body octets with its header (marker, length, type) filled in. */
export function header(type: number, bodyLen: number): Uint8Array {
  const len = HEADER_LENGTH + bodyLen;
  if (len > MAX_MESSAGE_LENGTH) throw new Error(`BGP message of ${len} bytes exceeds ${MAX_MESSAGE_LENGTH}`);
  const h = new Uint8Array(len);
  h.fill(0xff, 0, 16);
  h[16] = len >> 8;
  h[17] = len & 255;
  h[18] = type;
  return h;
}

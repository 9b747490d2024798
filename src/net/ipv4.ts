// The IPv4-only numeric view of ip.ts: addresses as unsigned 32-bit numbers, for IPAM's pools, blocks and
// ordinals and the agent's route calculation, where number arithmetic keeps hot loops cheap. Parsing and
// formatting go through ip.ts so both views accept exactly the same text.
import { AddressParseError, formatIP, tryParseCIDR, tryParseIP } from './ip.ts';

export interface Cidr4 {
  /** Network address as uint32 (masked). */
  base: number;
  prefix: number;
}

export function parseIPv4(s: string): number {
  const a = tryParseIP(s);
  if (!a || a.family !== 4) throw new AddressParseError(s, 'IPv4 address');
  return Number(a.value);
}

export function isIPv4(s: string): boolean {
  return tryParseIP(s)?.family === 4;
}

export function formatIPv4(v: number): string {
  return formatIP({ family: 4, value: BigInt(v >>> 0) });
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse `a.b.c.d/n`. With `strict`, host bits must be zero (pool CIDRs must be masked). */
export function parseCidr4(s: string, strict = false): Cidr4 {
  const c = tryParseCIDR(s);
  if (!c || c.family !== 4) {
    const why = typeof s === 'string' && !s.includes('/') ? 'missing /prefix' : 'not an IPv4 CIDR';
    throw new AddressParseError(s, 'CIDR', why);
  }
  const addr = Number(c.ip);
  const base = (addr & maskOf(c.prefix)) >>> 0;
  if (strict && base !== addr) throw new AddressParseError(s, 'CIDR', `host bits set (did you mean ${formatIPv4(base)}/${c.prefix}?)`);
  return { base, prefix: c.prefix };
}

export function formatCidr4(c: Cidr4): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function cidr4Size(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function cidr4ContainsIP(c: Cidr4, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

/** True if `inner` lies entirely inside `outer`. */
export function cidr4Covers(outer: Cidr4, inner: Cidr4): boolean {
  return inner.prefix >= outer.prefix && cidr4ContainsIP(outer, inner.base);
}

/** The block of size /blockSize that holds `ip`. */
export function blockFor(ip: number, blockSize: number): Cidr4 {
  return { base: (ip & maskOf(blockSize)) >>> 0, prefix: blockSize };
}

export { encodeCidrName } from './ip.ts';

/** Compare two dotted IPv4 strings (or CIDRs) numerically, then by prefix length. */
export function compareIPv4(a: string, b: string): number {
  const [ia, pa] = a.split('/');
  const [ib, pb] = b.split('/');
  return parseIPv4(ia!) - parseIPv4(ib!) || Number(pa ?? 32) - Number(pb ?? 32);
}

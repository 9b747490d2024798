// CIDR parsing and containment for policy nets (IPv4 and IPv6). Pure.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared) as a bigint. */
  addr: bigint;
  len: number;
  /** Canonical text: `10.0.0.0/8`, `fd00::/64`. */
  text: string;
}

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function v6ToBig(ip: string): bigint {
  let s = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m) {
    const v = v4ToBig(m[2]!);
    s = `${m[1]}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - h.length - t.length : 0;
  const parts = [...h, ...Array(fill).fill('0'), ...t];
  return parts.reduce((acc, p) => (acc << 16n) | BigInt(parseInt(p, 16)), 0n);
}

function bigToV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

function bigToV6(v: bigint): string {
  const parts: string[] = [];
  for (let i = 7; i >= 0; i--) parts.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero hextets.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

/** Parse `a.b.c.d[/n]` or an IPv6 address with optional prefix; a bare address is a host route. Throws on bad input. */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') throw new Error(`invalid CIDR ${JSON.stringify(text)}: not a string`);
  const [ip, lenText, extra] = text.trim().split('/');
  if (extra !== undefined || ip === undefined) throw new Error(`invalid CIDR "${text}"`);
  const family: 4 | 6 | 0 = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0;
  if (family === 0) throw new Error(`invalid CIDR "${text}": "${ip}" is not an IP address`);
  const bits = family === 4 ? 32 : 128;
  const len = lenText === undefined ? bits : Number(lenText);
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) throw new Error(`invalid CIDR "${text}": bad prefix length`);
  if (!Number.isInteger(len) || len < 0 || len > bits) throw new Error(`invalid CIDR "${text}": prefix length must be 0-${bits}`);
  const raw = family === 4 ? v4ToBig(ip) : v6ToBig(ip);
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  const addr = raw & mask;
  const txt = `${family === 4 ? bigToV4(addr) : bigToV6(addr)}/${len}`;
  return { family, addr, len, text: txt };
}

/** True if `inner` lies entirely within `outer` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.len < outer.len) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.len);
  return (outer.addr >> shift) === (inner.addr >> shift);
}

/** An address (no prefix) as a host Cidr. */
export function hostCidr(ip: string): Cidr { return parseCidr(ip.split('/')[0]!); }

/** The address part of an endpoint's ipNetworks entry (`10.0.0.5/32` → `10.0.0.5`). */
export function addressOf(ipNetwork: string): string { return ipNetwork.split('/')[0]!; }

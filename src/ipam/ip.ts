// Small IPv4 arithmetic on unsigned 32-bit integers, for pools, blocks and ordinals.

export interface Cidr4 {
  /** Network address as uint32 (masked). */
  base: number;
  prefix: number;
}

export function parseIPv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address ${JSON.stringify(s)}`);
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address ${JSON.stringify(s)}`);
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

export function isIPv4(s: string): boolean {
  try {
    parseIPv4(s);
    return true;
  } catch {
    return false;
  }
}

export function formatIPv4(v: number): string {
  v = v >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse `a.b.c.d/n`. With `strict`, host bits must be zero (pool CIDRs must be masked). */
export function parseCidr4(s: string, strict = false): Cidr4 {
  const slash = s.indexOf('/');
  if (slash < 0) throw new Error(`invalid CIDR ${JSON.stringify(s)}: missing /prefix`);
  const addr = parseIPv4(s.slice(0, slash));
  const ps = s.slice(slash + 1);
  if (!/^\d{1,2}$/.test(ps) || Number(ps) > 32) throw new Error(`invalid CIDR ${JSON.stringify(s)}: bad prefix length`);
  const prefix = Number(ps);
  const base = (addr & maskOf(prefix)) >>> 0;
  if (strict && base !== addr) throw new Error(`invalid CIDR ${JSON.stringify(s)}: host bits set (did you mean ${formatIPv4(base)}/${prefix}?)`);
  return { base, prefix };
}

export function formatCidr4(c: Cidr4): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContains(c: Cidr4, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

/** True if `inner` lies entirely inside `outer`. */
export function cidrCovers(outer: Cidr4, inner: Cidr4): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.base);
}

export function cidrsOverlap(a: Cidr4, b: Cidr4): boolean {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}

/** The block of size /blockSize that holds `ip`. */
export function blockFor(ip: number, blockSize: number): Cidr4 {
  return { base: (ip & maskOf(blockSize)) >>> 0, prefix: blockSize };
}

/** Calico's resource-name encoding of a CIDR: `10.244.1.0/26` → `10-244-1-0-26`. */
export function encodeCidrName(cidr: string): string {
  return cidr.replace(/[.:/]/g, '-');
}

/** Compare two dotted IPv4 strings (or CIDRs) numerically. */
export function compareIPv4(a: string, b: string): number {
  const pa = parseIPv4(a.split('/')[0]!);
  const pb = parseIPv4(b.split('/')[0]!);
  return pa - pb || Number(a.split('/')[1] ?? 32) - Number(b.split('/')[1] ?? 32);
}

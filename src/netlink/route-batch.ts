// Many routes in few system calls. `ip -batch` sends one RTM_NEWROUTE per sendmsg() and waits for its ACK:
// two system calls and a wake-up per route, ~30 µs each here. A netlink socket accepts many messages in one
// sendmsg(), and the kernel runs rtnetlink for all of them before sendmsg() returns, so a chunk of a few
// hundred routes costs one call. We ask for no ACKs: the kernel still answers every message it rejects with
// an NLMSG_ERROR carrying the message's sequence number, already queued when sendmsg() returns, so a
// non-blocking drain after each chunk finds every failure and nothing more is waited for.
//
// libc through koffi (as netns.ts does for setns): the `netlink` package has one request in flight per
// message and its own parser, which is what made it 1.6× slower than `ip -batch` (machine-and-tools.md §1).
import { createRequire } from 'node:module';
import { tryParseCIDROrIP, type CIDR } from '../net/ip.ts';
import { withNetns } from './netns.ts';
import { TabbyError } from '../errors.ts';

export interface BatchRoute {
  dst: string;
  type: 'unicast' | 'blackhole';
  /** Interface index (the caller resolves names). */
  oif?: number | undefined;
  gateway?: string | undefined;
  onlink?: boolean | undefined;
  scope?: 'link' | undefined;
  proto: number;
}

/** Input the batch cannot encode (code EINVAL) or a socket failure (its errno name or number). */
export class RouteBatchError extends TabbyError {
  constructor(code: string, message: string) { super(code, message); this.name = 'RouteBatchError'; }
}

const AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0o2000000, NETLINK_ROUTE = 0;
const SOL_SOCKET = 1, SO_SNDBUF = 7, SO_RCVBUF = 8;
const MSG_DONTWAIT = 0x40, EAGAIN = 11;
const RTM_NEWROUTE = 24, NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x1, NLM_F_REPLACE = 0x100, NLM_F_CREATE = 0x400;
const RT_TABLE_MAIN = 254, RTN_UNICAST = 1, RTN_BLACKHOLE = 6;
const RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RTNH_F_ONLINK = 4;
const RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_TABLE = 15;
/** Bytes per sendmsg(): under the default SO_SNDBUF, and at most ~500 rejections to drain (the receive buffer holds them). */
const CHUNK_BYTES = 32 * 1024;
const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 17: 'EEXIST', 19: 'ENODEV', 22: 'EINVAL', 101: 'ENETUNREACH' };

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  close(fd: number): number;
  errno(): number;
}
let libc: Libc | undefined;
function c(): Libc {
  if (libc) return libc;
  const require = createRequire(import.meta.url);
  const koffi = require('koffi');
  const lib = koffi.load('libc.so.6');
  return (libc = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const uint8_t *value, uint32_t len)'),
    send: lib.func('long send(int fd, const uint8_t *buf, unsigned long len, int flags)'),
    recv: lib.func('long recv(int fd, _Out_ uint8_t *buf, unsigned long len, int flags)'),
    close: lib.func('int close(int fd)'),
    errno: () => koffi.errno() as number,
  });
}

function writeAddress(c: CIDR, out: Buffer, off: number): number {
  const len = c.family === 4 ? 4 : 16;
  let v = c.ip;
  for (let i = len - 1; i >= 0; i--) { out[off + i] = Number(v & 0xffn); v >>= 8n; }
  return len;
}

/** An rtattr header at `off` for a payload of `len` bytes written after it; returns the padded size. */
function attrHeader(out: Buffer, off: number, type: number, len: number): number {
  out.writeUInt16LE(4 + len, off); out.writeUInt16LE(type, off + 2);
  return (4 + len + 3) & ~3;
}

/** The largest message encodeNewRouteInto writes (IPv6 destination and gateway). */
export const MAX_ROUTE_MESSAGE = 16 + 12 + 8 + 20 + 20 + 8;

/**
 * One RTM_NEWROUTE with create|replace, as `ip route replace` builds it, written into `out` at `off`:
 * the main table, scope link for a unicast route with neither gateway nor explicit scope (iproute2's
 * default), universe otherwise. Returns the bytes written. Written in place: 10k routes are encoded per
 * bulk write, and per-attribute Buffers cost more than the kernel's work.
 */
export function encodeNewRouteInto(r: BatchRoute, seq: number, out: Buffer, off: number): number {
  const dst = tryParseCIDROrIP(r.dst);
  if (!dst) throw new RouteBatchError('EINVAL', `route destination "${r.dst}" is not a CIDR or address`);
  const gw = r.gateway ? tryParseCIDROrIP(r.gateway) : undefined;
  if (r.gateway && (!gw || gw.prefix !== (gw.family === 4 ? 32 : 128))) throw new RouteBatchError('EINVAL', `route ${r.dst}: gateway "${r.gateway}" is not an address`);
  if (gw && gw.family !== dst.family) throw new RouteBatchError('EINVAL', `route ${r.dst}: gateway ${r.gateway} is another address family`);
  const scope = r.scope === 'link' || (r.type === 'unicast' && !gw) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  out.fill(0, off, off + MAX_ROUTE_MESSAGE);
  let p = off + 16;
  out.writeUInt8(dst.family === 4 ? 2 : 10, p);
  out.writeUInt8(dst.prefix, p + 1);
  out.writeUInt8(RT_TABLE_MAIN, p + 4);
  out.writeUInt8(r.proto, p + 5);
  out.writeUInt8(scope, p + 6);
  out.writeUInt8(r.type === 'blackhole' ? RTN_BLACKHOLE : RTN_UNICAST, p + 7);
  out.writeUInt32LE(r.onlink ? RTNH_F_ONLINK : 0, p + 8);
  p += 12;
  out.writeUInt32LE(RT_TABLE_MAIN, p + 4); p += attrHeader(out, p, RTA_TABLE, 4);
  p += attrHeader(out, p, RTA_DST, writeAddress(dst, out, p + 4));
  if (gw) p += attrHeader(out, p, RTA_GATEWAY, writeAddress(gw, out, p + 4));
  if (r.oif !== undefined) { out.writeUInt32LE(r.oif >>> 0, p + 4); p += attrHeader(out, p, RTA_OIF, 4); }
  out.writeUInt32LE(p - off, off);
  out.writeUInt16LE(RTM_NEWROUTE, off + 4);
  out.writeUInt16LE(NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE, off + 6);
  out.writeUInt32LE(seq >>> 0, off + 8);
  out.writeUInt32LE(0, off + 12);
  return p - off;
}

/** One route's message on its own (tests, and anyone sending a single route). */
export function encodeNewRoute(r: BatchRoute, seq: number): Buffer {
  const b = Buffer.alloc(MAX_ROUTE_MESSAGE);
  return b.subarray(0, encodeNewRouteInto(r, seq, b, 0));
}

/** A rejected route: its index in the caller's list and the kernel's errno name. */
export interface BatchFailure { index: number; errno: string; message?: string }

/** NLMSG_ERROR messages with a non-zero error in `buf`, as (sequence number, errno name). */
export function parseErrors(buf: Buffer): Array<{ seq: number; errno: string }> {
  const out: Array<{ seq: number; errno: string }> = [];
  for (let off = 0; off + 16 <= buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    if (buf.readUInt16LE(off + 4) === NLMSG_ERROR && len >= 36) {
      const err = -buf.readInt32LE(off + 16);
      if (err !== 0) out.push({ seq: buf.readUInt32LE(off + 16 + 4 + 8), errno: ERRNO_NAMES[err] ?? `errno ${err}` });
    }
    off += (len + 3) & ~3;
  }
  return out;
}

/**
 * Writes `routes` (create or replace) into the main table of the namespace at `netns` (or the current one),
 * a chunk per sendmsg(), yielding to the event loop between chunks. Returns the routes the kernel rejected.
 */
export async function replaceRoutesBatched(routes: BatchRoute[], netns?: string): Promise<BatchFailure[]> {
  const lib = c();
  const open = () => lib.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  const fd = netns ? withNetns(netns, open) : open();
  if (fd < 0) throw new RouteBatchError('ESOCKET', `netlink socket: errno ${lib.errno()}`);
  const failures: BatchFailure[] = [];
  try {
    const size = Buffer.alloc(4); size.writeUInt32LE(1 << 20);
    lib.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, size, 4);
    lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    const recvBuf = Buffer.alloc(1 << 16);
    const chunk = Buffer.alloc(CHUNK_BYTES);
    const base = 1; // sequence numbers base + index: the kernel echoes them in its errors
    for (let i = 0; i < routes.length;) {
      let bytes = 0;
      for (; i < routes.length && bytes + MAX_ROUTE_MESSAGE <= CHUNK_BYTES; i++) {
        // A route we cannot encode is that route's failure, not the batch's: the others are still written.
        try { bytes += encodeNewRouteInto(routes[i]!, base + i, chunk, bytes); } catch (e) {
          if (!(e instanceof RouteBatchError)) throw e;
          failures.push({ index: i, errno: 'EINVAL', message: e.message });
        }
      }
      if (bytes === 0) continue;
      const sent = lib.send(fd, chunk, bytes, 0);
      if (sent !== bytes) throw new RouteBatchError('ESEND', `netlink send of ${bytes} bytes: ${sent < 0 ? `errno ${lib.errno()}` : `${sent} sent`}`);
      for (;;) {
        const n = lib.recv(fd, recvBuf, recvBuf.length, MSG_DONTWAIT);
        if (n < 0) {
          const e = lib.errno();
          if (e === EAGAIN) break;
          throw new RouteBatchError(e === 105 ? 'ENOBUFS' : 'ERECV', `netlink recv: errno ${e}`);
        }
        for (const f of parseErrors(recvBuf.subarray(0, n))) failures.push({ index: f.seq - base, errno: f.errno });
      }
      if (i < routes.length) await new Promise((r) => setImmediate(r));
    }
  } finally {
    lib.close(fd);
  }
  return failures;
}

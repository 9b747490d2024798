// TCP MD5 signatures (RFC 2385) for BGP sessions. Node's sockets have no setsockopt, so libc is called through
// koffi (as src/netlink/netns.ts does for setns): on the listening socket a key per peer address (accepted
// connections inherit it), and for outgoing connections a socket we create ourselves, keyed before connect(),
// connected without blocking, and handed to net.Socket once the kernel reports the connection made.
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import { createRequire } from 'node:module';
import { parseIP } from '../net/ip.ts';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const IPPROTO_TCP = 6;
const TCP_MD5SIG = 14;
const POLLOUT = 0x4;
const EINPROGRESS = 115;
/** TCP_MD5SIG_MAXKEYLEN in linux/tcp.h. */
export const MD5_MAX_KEY_LENGTH = 80;
/** struct tcp_md5sig: sockaddr_storage (128), flags, prefixlen, keylen (u16), ifindex (int), key[80]. */
const MD5SIG_SIZE = 128 + 1 + 1 + 2 + 4 + MD5_MAX_KEY_LENGTH;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: Buffer): number;
  bind(fd: number, addr: Buffer, len: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  poll(fds: Buffer, nfds: number, timeout: number): number;
  close(fd: number): number;
  errno(): number;
}
let libc: Libc | undefined;

// koffi is loaded lazily: a node without MD5 peers never loads it.
function lib(): Libc {
  if (libc) return libc;
  const require = createRequire(import.meta.url);
  const koffi = require('koffi');
  const c = koffi.load('libc.so.6');
  libc = {
    socket: c.func('int socket(int domain, int type, int protocol)'),
    setsockopt: c.func('int setsockopt(int fd, int level, int name, const uint8_t *value, uint32_t len)'),
    getsockopt: c.func('int getsockopt(int fd, int level, int name, _Inout_ uint8_t *value, _Inout_ uint8_t *len)'),
    bind: c.func('int bind(int fd, const uint8_t *addr, uint32_t len)'),
    connect: c.func('int connect(int fd, const uint8_t *addr, uint32_t len)'),
    poll: c.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)'),
    close: c.func('int close(int fd)'),
    errno: () => koffi.errno() as number,
  };
  return libc;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(osConstants.errno).map(([name, n]) => [n, name]));

/** An Error shaped like Node's socket errors (code = errno name), so callers treat both alike. */
function errnoError(what: string, errno: number): NodeJS.ErrnoException {
  const code = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
  const e = new Error(`${what} failed: ${code}`) as NodeJS.ErrnoException;
  e.code = code;
  e.errno = errno;
  return e;
}

/** struct sockaddr_in / sockaddr_in6 for `address`; IPv4 on an IPv6 socket becomes ::ffff:a.b.c.d. */
export function sockaddr(address: string, port: number, family: 4 | 6): Buffer {
  if (family === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    if (!net.isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
    Buffer.from(address.split('.').map(Number)).copy(b, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  ipv6Bytes(net.isIPv4(address) ? `::ffff:${address}` : address).copy(b, 8);
  return b;
}

function ipv6Bytes(address: string): Buffer {
  const ip = parseIP(address);
  if (ip.family !== 6) throw new Error(`not an IPv6 address: ${address}`);
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(ip.value >> 64n, 0);
  out.writeBigUInt64BE(ip.value & 0xffffffffffffffffn, 8);
  return out;
}

/** struct tcp_md5sig for a peer address (keylen 0 removes the key). */
function md5sig(address: string, family: 4 | 6, key: Buffer | undefined): Buffer {
  if (key && key.length > MD5_MAX_KEY_LENGTH) throw new Error(`TCP MD5 key is ${key.length} bytes; the kernel takes at most ${MD5_MAX_KEY_LENGTH}`);
  const b = Buffer.alloc(MD5SIG_SIZE);
  sockaddr(address, 0, family).copy(b, 0);
  if (key) { b.writeUInt16LE(key.length, 130); key.copy(b, 136); }
  return b;
}

/**
 * Sets (or with `key` undefined, removes) the MD5 key for connections from/to `address` on socket `fd`.
 * `family` is the socket's family: 6 for a dual-stack listener (IPv4 peers are then given v4-mapped).
 */
export function setMd5Key(fd: number, family: 4 | 6, address: string, key: Buffer | undefined): void {
  const c = lib();
  const sig = md5sig(address, family, key);
  if (c.setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, sig, sig.length) !== 0) {
    const errno = c.errno();
    // Removing a key that is not there: already the state we want.
    if (!key && ERRNO_NAMES.get(errno) === 'ENOENT') return;
    throw errnoError(`setsockopt(TCP_MD5SIG, ${address})`, errno);
  }
}

/** The listening socket's descriptor (Node keeps it on the server's handle). */
export function serverFd(server: net.Server): number {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('the BGP listening socket has no file descriptor');
  return fd;
}

export interface SignedConnectOptions {
  remoteAddress: string;
  remotePort: number;
  localAddress?: string | undefined;
  key: Buffer;
}

/** An outgoing connection under way; `cancel` closes it (the promise then never settles). */
export interface PendingConnect { promise: Promise<net.Socket>; cancel(): void }

/** How often the pending connection is checked (doubling up to the cap): cheap non-blocking poll(2) calls. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 200;

/** Opens a TCP connection signed with `key` from its first SYN: socket(), setsockopt, bind, non-blocking connect(). */
export function connectSigned(o: SignedConnectOptions): PendingConnect {
  const c = lib();
  const family: 4 | 6 = net.isIPv6(o.remoteAddress) ? 6 : 4;
  let fd = c.socket(family === 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return failed(errnoError('socket', c.errno()));
  const closeFd = () => { if (fd >= 0) { c.close(fd); fd = -1; } };
  try {
    setMd5Key(fd, family, o.remoteAddress, o.key);
    if (o.localAddress) {
      const local = sockaddr(o.localAddress, 0, family);
      if (c.bind(fd, local, local.length) !== 0) throw errnoError(`bind(${o.localAddress})`, c.errno());
    }
    const remote = sockaddr(o.remoteAddress, o.remotePort, family);
    if (c.connect(fd, remote, remote.length) !== 0 && c.errno() !== EINPROGRESS) throw errnoError('connect', c.errno());
  } catch (e) {
    closeFd();
    return failed(e as Error);
  }
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const promise = new Promise<net.Socket>((resolve, reject) => {
    let wait = POLL_FIRST_MS;
    const check = (): void => {
      if (cancelled) return;
      const pfd = Buffer.alloc(8);
      pfd.writeInt32LE(fd, 0);
      pfd.writeInt16LE(POLLOUT, 4);
      if (c.poll(pfd, 1, 0) === 0) { timer = setTimeout(check, wait); wait = Math.min(wait * 2, POLL_MAX_MS); return; }
      const err = Buffer.alloc(4);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(4, 0);
      const soError = c.getsockopt(fd, SOL_SOCKET, SO_ERROR, err, len) === 0 ? err.readInt32LE(0) : c.errno();
      if (soError !== 0) { closeFd(); reject(errnoError('connect', soError)); return; }
      const sock = new net.Socket({ fd, readable: true, writable: true });
      fd = -1; // owned by the net.Socket now
      resolve(sock);
    };
    timer = setTimeout(check, 0);
  });
  return { promise, cancel: () => { cancelled = true; clearTimeout(timer); closeFd(); } };
}

function failed(e: Error): PendingConnect {
  return { promise: Promise.reject(e), cancel: () => undefined };
}

interface KeyedPeer { cfg: { address: string; password?: string | undefined } }
interface WarnLog { warn(fields: object, msg: string): void }

/**
 * The MD5 keys on the listening socket, one per peer address with a password: the kernel then drops that
 * address's unsigned or badly signed SYNs, and accepted connections inherit the key. Kept in step with the
 * configured peers; a new listening socket starts with none.
 */
export class ListenerKeys {
  private applied = new Map<string, string>();
  private server: net.Server | undefined;

  constructor(private readonly log: WarnLog) {}

  /** Whether connections from `address` are signed with `password` by the listener (so may be accepted). */
  has(address: string, password: string): boolean { return this.applied.get(address) === password; }

  sync(server: net.Server | undefined, peers: Iterable<KeyedPeer>): void {
    if (server !== this.server) { this.server = server; this.applied = new Map(); }
    if (!server?.listening) return;
    const want = new Map<string, string>();
    for (const p of peers) if (p.cfg.password !== undefined && !want.has(p.cfg.address)) want.set(p.cfg.address, p.cfg.password);
    if (want.size === 0 && this.applied.size === 0) return;
    const family: 4 | 6 = (server.address() as net.AddressInfo).family === 'IPv6' ? 6 : 4;
    const fd = serverFd(server);
    for (const [address, key] of [...this.applied]) {
      if (want.get(address) === key) continue;
      this.apply(fd, family, address, undefined);
    }
    for (const [address, key] of want) if (this.applied.get(address) !== key) this.apply(fd, family, address, key);
  }

  private apply(fd: number, family: 4 | 6, address: string, key: string | undefined): void {
    this.applied.delete(address);
    try {
      if (family === 4 && net.isIPv6(address)) throw new Error('the BGP listening socket is IPv4 only');
      setMd5Key(fd, family, address, key === undefined ? undefined : Buffer.from(key, 'utf8'));
      if (key !== undefined) this.applied.set(address, key);
    } catch (e) {
      this.log.warn({ peer: address, err: (e as Error).message }, key === undefined ? 'removing a TCP MD5 key from the BGP listening socket failed' : 'setting the TCP MD5 key on the BGP listening socket failed; connections from this peer are refused');
    }
  }
}

/** The BGP listening socket: dual stack on `::` unless an address is given; IPv4 only where there is no IPv6. */
export function listenBgp(port: number, address: string | undefined, onConnection: (sock: net.Socket) => void): Promise<net.Server> {
  const listen = (opts: net.ListenOptions) => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.on('error', reject); // after listening: a no-op that keeps a late error from being unhandled
    server.listen(opts, () => resolve(server));
  });
  return listen({ port, host: address ?? '::', ipv6Only: false }).catch((e: NodeJS.ErrnoException) => {
    if (address === undefined && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) return listen({ port, host: '0.0.0.0' });
    throw e;
  });
}

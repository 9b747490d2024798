// Entering another network namespace from Node: libc setns(2) through koffi, the same pattern as Go's
// netns.Do. The switched section is synchronous by construction (a sync callback), so no other JS code
// runs while the main thread sits in the other namespace; we always switch back in `finally`.
// Sockets opened inside stay bound to that namespace for their whole life; children spawned inside run there.
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const CLONE_NEWNET = 0x40000000;

type SetnsFn = (fd: number, nstype: number) => number;
let setnsFn: SetnsFn | undefined;
let errnoFn: (() => number) | undefined;

// koffi is loaded lazily: a process that never leaves its namespace never pays for it.
function setns(fd: number): void {
  if (!setnsFn) {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi');
    const libc = koffi.load('libc.so.6');
    setnsFn = libc.func('int setns(int fd, int nstype)') as SetnsFn;
    errnoFn = () => koffi.errno() as number;
  }
  if (setnsFn(fd, CLONE_NEWNET) !== 0) {
    const errno = errnoFn!();
    const err = new Error(`setns failed: errno ${errno}`) as NodeJS.ErrnoException;
    err.errno = errno;
    throw err;
  }
}

/** Path of the calling thread's current network namespace. */
export const CURRENT_NETNS = '/proc/thread-self/ns/net';

/**
 * Runs `fn` with the main thread inside the network namespace at `path` (e.g. /run/netns/x or
 * /proc/<pid>/ns/net) and switches back afterwards, also when `fn` throws. `fn` must be synchronous:
 * open sockets, read/write /proc/sys, spawn children — then return.
 * Throws an ENOENT-coded error when the namespace does not exist.
 */
export function withNetns<T>(path: string, fn: () => T): T {
  if (fn.constructor.name === 'AsyncFunction') throw new Error('withNetns: the callback must be synchronous');
  const target = openSync(path, 'r');
  let original: number | undefined;
  try {
    original = openSync(CURRENT_NETNS, 'r');
    setns(target);
    try {
      const out = fn();
      if (out instanceof Promise) throw new Error('withNetns: the callback returned a Promise; keep the switched section synchronous');
      return out;
    } finally {
      // If switching back ever failed the process would be in the wrong namespace: crash rather than continue.
      try { setns(original); } catch (e) { process.stderr.write(`FATAL: cannot return to original netns: ${e}\n`); process.abort(); }
    }
  } finally {
    if (original !== undefined) closeSync(original);
    closeSync(target);
  }
}

/** True when `path` names a network namespace we can open. */
export function netnsExists(path: string): boolean {
  try { closeSync(openSync(path, 'r')); return true; } catch { return false; }
}

/** `net.ipv4.conf.eth0.forwarding` → `/proc/sys/net/ipv4/conf/eth0/forwarding` (interface names keep their dots). */
export function sysctlPath(key: string): string {
  const m = /^net\.(ipv4|ipv6)\.(conf|neigh)\.(.+)\.([^.]+)$/.exec(key);
  if (m) return `/proc/sys/net/${m[1]}/${m[2]}/${m[3]}/${m[4]}`;
  return '/proc/sys/' + key.replace(/\./g, '/');
}

/**
 * Reads a sysctl in the given namespace (undefined = the current one). /proc/sys/net resolves against the
 * namespace of the thread that opens the file, so the read happens inside withNetns.
 */
export function readSysctl(key: string, netns?: string): string {
  const read = () => readFileSync(sysctlPath(key), 'utf8').trim();
  return netns ? withNetns(netns, read) : read();
}

/** Writes a sysctl in the given namespace (undefined = the current one). */
export function writeSysctl(key: string, value: string | number, netns?: string): void {
  const write = () => writeFileSync(sysctlPath(key), String(value));
  if (netns) withNetns(netns, write); else write();
}

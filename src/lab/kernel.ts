// Kernel I/O for the lab, behind one small interface: namespaces, veths, bridges, addresses, routes and
// sysctls, always inside the lab's own namespaces (iproute2 `-n`, `ip netns exec`), never in the root one.
import * as fs from 'node:fs';
import { CommandError, mustRunSync } from '../exec.ts';

export { CommandError };

/** Run a command and return stdout; throws CommandError with its stderr on failure. */
export const run = mustRunSync;

export function netnsExists(name: string): boolean {
  return fs.existsSync(`/run/netns/${name}`);
}

export function listNetns(): string[] {
  try {
    return fs.readdirSync('/run/netns');
  } catch {
    return [];
  }
}

export function addNetns(name: string): void {
  run(['ip', 'netns', 'add', name]);
  run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/** Kill every process still inside the namespace (all started by the lab), then remove it. Absent is fine. */
export function delNetns(name: string): void {
  if (!netnsExists(name)) return;
  for (const pid of netnsPids(name)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  try {
    mustRunSync(['ip', 'netns', 'del', name]);
  } catch { /* raced with another cleanup */ }
}

export function netnsPids(name: string): number[] {
  try {
    return mustRunSync(['ip', 'netns', 'pids', name]).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function ipIn(ns: string, args: string[]): string {
  return run(['ip', '-n', ns, ...args]);
}

/** Several iproute2 commands in one process (`ip -n NS -batch -`). */
export function ipBatch(ns: string, lines: string[]): void {
  if (lines.length === 0) return;
  run(['ip', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** A veth pair created directly between two namespaces (the root namespace never sees either end). */
export function addVeth(nsA: string, ifA: string, nsB: string, ifB: string, macA?: string): void {
  run(['ip', '-n', nsA, 'link', 'add', ifA, ...(macA ? ['address', macA] : []), 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
}

export function execIn(ns: string, argv: string[], opts: { input?: string | undefined; env?: NodeJS.ProcessEnv | undefined; timeoutMs?: number | undefined } = {}): string {
  return run(['ip', 'netns', 'exec', ns, ...argv], opts);
}

export function sysctlIn(ns: string, settings: Record<string, string>): void {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  execIn(ns, ['sysctl', '-q', '-w', ...args]);
}

/** /proc/<pid>/cmdline as one string ('' when the process is gone). */
export function processCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Resident memory of a process in KiB (VmRSS), or 0 when gone. */
export function processRssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Lazily unmounts every mount point below `dir` (deepest first), e.g. what a killed container runtime left
 * under the lab's directory, so that removing the directory cannot fail or reach into a mounted tree.
 */
export function unmountUnder(dir: string): number {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  let points: string[];
  try {
    // mountinfo field 5 is the mount point, with spaces and the like escaped as octal.
    points = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
      .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
      .filter((p) => p.startsWith(prefix));
  } catch {
    return 0;
  }
  let n = 0;
  for (const p of [...new Set(points)].sort((a, b) => b.length - a.length)) {
    try { mustRunSync(['umount', '-l', p]); n++; } catch { /* already gone */ }
  }
  return n;
}

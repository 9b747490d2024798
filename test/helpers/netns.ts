// Network namespaces for tests. Every namespace a test makes carries this run's unique prefix, and is
// removed (with every process inside it) when the fixture is cleaned up or the process exits, also on
// failure. Nothing here touches the root namespace or anything the run did not create.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const live = new Set<NetnsFixture>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanAll = () => { for (const f of [...live]) f.cleanupSync(); };
  process.on('exit', cleanAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => { cleanAll(); process.exit(130); });
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Skip reason for node:test when the test needs root and network namespaces. */
export function netnsSkipReason(): string | false {
  if (!isRoot()) return 'needs root for network namespaces';
  try { execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' }); } catch { return 'iproute2 missing'; }
  return false;
}

export class NetnsFixture {
  /** Short so derived interface names stay within IFNAMSIZ (15). */
  readonly prefix = 'tb' + randomBytes(2).toString('hex');
  readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor() { hookExit(); live.add(this); }

  /** Create a namespace named `<prefix>-<suffix>` with loopback up; returns its full name. */
  add(suffix: string): string {
    const name = `${this.prefix}-${suffix}`;
    execFileSync('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    this.exec(name, ['ip', 'link', 'set', 'lo', 'up']);
    return name;
  }

  path(ns: string): string { return `/run/netns/${ns}`; }

  /** Run a command inside a namespace and return stdout (throws on non-zero exit). */
  exec(ns: string, argv: string[], opts: { input?: string | undefined; env?: NodeJS.ProcessEnv | undefined; timeoutMs?: number | undefined } = {}): string {
    return execFileSync('ip', ['netns', 'exec', ns, ...argv], {
      encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Like exec, but never throws: returns status and both outputs. */
  run(ns: string, argv: string[], opts: { input?: string | undefined; env?: NodeJS.ProcessEnv | undefined; timeoutMs?: number | undefined } = {}) {
    try {
      return { status: 0, stdout: this.exec(ns, argv, opts), stderr: '' };
    } catch (e: any) {
      return { status: (e.status as number) ?? 1, stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? e.message) };
    }
  }

  /** Start a long-running process inside a namespace; it is killed (by PID) at cleanup. */
  spawn(ns: string, argv: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'pipe', ...opts });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** A veth pair between two namespaces (names must be ≤15 chars). */
  link(nsA: string, ifA: string, nsB: string, ifB: string): void {
    execFileSync('ip', ['link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
    this.exec(nsA, ['ip', 'link', 'set', ifA, 'up']);
    this.exec(nsB, ['ip', 'link', 'set', ifB, 'up']);
  }

  cleanupSync(): void {
    for (const c of this.children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    this.children.clear();
    for (const ns of this.namespaces.splice(0).reverse()) {
      // Processes still inside a namespace we made are ours (started by this test run).
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
        for (const p of pids) { try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ } }
      } catch { /* namespace already gone */ }
      try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* already gone */ }
    }
    live.delete(this);
  }

  async cleanup(): Promise<void> { this.cleanupSync(); }
}

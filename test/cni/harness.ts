// A CNI "node" for tests: a host namespace (where the runtime runs the plugin), an upstream namespace that
// gives the host its default route (proxy ARP for 169.254.1.1 needs one, machine-and-tools.md §10), pod
// namespaces, a state dir (nodename, mtu), and an embedded datastore file with an IP pool. The plugin is
// invoked exactly as a runtime does: CNI_* environment + netconf on stdin, executed inside the host netns.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { NetnsFixture } from '../helpers/netns.ts';
import { openDatastore } from '../../src/datastore/index.ts';
import type { Datastore } from '../../src/datastore/types.ts';
import { API_VERSION } from '../../src/api/resource.ts';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const CNI_BUNDLE = join(ROOT, 'dist', 'tabby-cni.cjs');
export const IPAM_BUNDLE = join(ROOT, 'dist', 'tabby-ipam.mjs');
export const TABBY_BUNDLE = join(ROOT, 'dist', 'tabby.mjs');
/** The compiled fast entry (scripts/build-cni-fast.mjs), built when Bun is installed. */
export const CNI_FAST = join(ROOT, 'dist', 'tabby-cni-fast');

/** The two doors into the plugin: Node's bundle, and the compiled entry that installs use when it is built. */
export type CniEntry = 'node' | 'compiled';
export const CNI_ENTRIES: CniEntry[] = ['node', 'compiled'];
export const entryExe = (entry: CniEntry): string[] => (entry === 'node' ? [process.execPath, CNI_BUNDLE] : [CNI_FAST]);

/** Why the compiled entry cannot be tested here (not built: Bun missing); under CI=true that is an error. */
export function compiledEntrySkip(): string | false {
  ensureBuilt();
  if (existsSync(CNI_FAST)) return false;
  const why = 'dist/tabby-cni-fast was not built (the optional npm package @oven/bun-linux-x64 is not installed)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  return why;
}

/**
 * Builds the CNI bundles once per test process (the executables run them, as installed ones do). Only the
 * CNI entries (scripts/build-cni.mjs), so a half-written file elsewhere in the tree cannot fail these tests.
 */
let built = false;
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cni.mjs')], { stdio: 'inherit' });
  built = true;
}

export interface InvokeResult { code: number; stdout: string; stderr: string; json?: any; ms: number }

export interface InvokeOptions {
  command: 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'STATUS' | 'GC';
  containerId?: string | undefined;
  netns?: string | undefined;
  ifname?: string | undefined;
  cniArgs?: string | undefined;
  conf: Record<string, unknown>;
  extraEnv?: Record<string, string> | undefined;
  /** Executable to run (default the tabby-cni bundle). */
  exe?: string[] | undefined;
}

export class CniNode {
  readonly fx = new NetnsFixture();
  readonly dir = mkdtempSync(join(tmpdir(), 'tabby-cni-test-'));
  readonly host: string;
  readonly upstream: string;
  readonly dsPath: string;
  readonly stateDir: string;
  readonly logFile: string;
  private podCount = 0;
  /** The executable invoke() runs when the call names none. */
  exe: string[] = [process.execPath, CNI_BUNDLE];

  constructor(readonly nodename = 'node-1', readonly poolCidr = '10.244.0.0/16') {
    this.host = this.fx.add('host');
    this.upstream = this.fx.add('up');
    // The host's default route goes out of another interface: proxy ARP for 169.254.1.1 needs it.
    this.fx.link(this.host, 'uplink', this.upstream, 'downlink');
    this.fx.exec(this.host, ['ip', 'addr', 'add', '192.0.2.2/24', 'dev', 'uplink']);
    this.fx.exec(this.upstream, ['ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'downlink']);
    this.fx.exec(this.host, ['ip', 'route', 'add', 'default', 'via', '192.0.2.1']);
    this.dsPath = join(this.dir, 'datastore.db');
    this.stateDir = join(this.dir, 'state');
    this.logFile = join(this.dir, 'cni.log');
    execFileSync('mkdir', ['-p', this.stateDir]);
    writeFileSync(join(this.stateDir, 'nodename'), nodename + '\n');
    writeFileSync(join(this.stateDir, 'mtu'), '1440\n');
  }

  /** Creates the default IP pool (blockSize 26) in the datastore. */
  async init(): Promise<void> {
    const ds = await this.openDs();
    try {
      await ds.create({
        apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' },
        spec: { cidr: this.poolCidr, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()' },
      });
    } finally { await ds.close(); }
  }

  openDs(): Promise<Datastore> { return openDatastore({ type: 'embedded', path: this.dsPath }); }

  /** The article's netconf (type calico, calico-ipam), pointed at this node's datastore and state. */
  conf(overrides: Record<string, unknown> = {}, cniVersion = '1.0.0'): Record<string, unknown> {
    return {
      cniVersion, name: 'k8s-pod-network', type: 'calico',
      log_level: 'info', log_file_path: this.logFile,
      datastore_type: 'kubernetes', datastore_path: this.dsPath, state_dir: this.stateDir,
      nodename: this.nodename, mtu: 0,
      ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' },
      kubernetes: { kubeconfig: '/etc/cni/net.d/calico-kubeconfig' },
      ...overrides,
    };
  }

  newPod(): { ns: string; path: string; containerId: string } {
    const ns = this.fx.add(`p${++this.podCount}`);
    const containerId = `${this.fx.prefix}c${String(this.podCount).padStart(4, '0')}`.padEnd(24, 'f');
    return { ns, path: this.fx.path(ns), containerId };
  }

  /** Runs the executable inside the host netns with a runtime's environment; never throws. */
  invoke(o: InvokeOptions): Promise<InvokeResult> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      CNI_COMMAND: o.command, CNI_PATH: '/usr/lib/cni',
      ...(o.containerId ? { CNI_CONTAINERID: o.containerId } : {}),
      ...(o.netns ? { CNI_NETNS: o.netns } : {}),
      ...(o.ifname !== undefined ? { CNI_IFNAME: o.ifname } : { CNI_IFNAME: 'eth0' }),
      ...(o.cniArgs ? { CNI_ARGS: o.cniArgs } : {}),
      ...(o.extraEnv ?? {}),
    };
    const exe = o.exe ?? this.exe;
    const t0 = performance.now();
    return new Promise((resolve) => {
      const child = spawn('nsenter', [`--net=${this.fx.path(this.host)}`, '--', ...exe], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      const timer = setTimeout(() => { stderr += '[killed after 60 s]'; child.kill('SIGKILL'); }, 60_000);
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => {
        clearTimeout(timer);
        let json: any;
        try { json = stdout.trim() ? JSON.parse(stdout) : undefined; } catch { /* not JSON */ }
        resolve({ code: code ?? -1, stdout, stderr, json, ms: performance.now() - t0 });
      });
      child.stdin.end(JSON.stringify(o.conf));
    });
  }

  /** The node agent's CNI socket (served invocations). */
  get agentSocket(): string { return join(this.stateDir, 'cni.sock'); }

  /**
   * Starts the node agent (`tabby node run`, backend none, no health/metrics ports) in the host namespace and
   * waits until it serves CNI requests on <state dir>/cni.sock (`extraEnv`: e.g. TABBY_IPAM_LEAK_GRACE_PERIOD). Its log goes to <dir>/agent.log.
   */
  async startAgent(extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
    const log = openSync(join(this.dir, 'agent.log'), 'a');
    const child = this.fx.spawn(this.host, [process.execPath, TABBY_BUNDLE, 'node', 'run', '--node-name', this.nodename,
      '--state-dir', this.stateDir, '--datastore-path', this.dsPath, '--backend', 'none', '--health-port', '0', '--metrics-port', '0',
      ...extraArgs], { stdio: ['ignore', log, log], env: { PATH: process.env.PATH, TABBY_LOG_LEVEL: 'debug', ...extraEnv } });
    for (let i = 0; i < 300 && !existsSync(this.agentSocket); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!existsSync(this.agentSocket)) throw new Error(`agent did not start serving CNI requests:\n${this.agentLog()}`);
    return child;
  }

  /** Stops an agent started by startAgent() (SIGTERM: clean stop; SIGKILL: the crash case) and waits for it. */
  async stopAgent(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await gone;
  }

  agentLog(): string {
    try { return execFileSync('tail', ['-n', '400', join(this.dir, 'agent.log')], { encoding: 'utf8' }); } catch { return '(no agent log)'; }
  }

  /** A datastore path that cannot be opened (its parent is a regular file). */
  unreachablePath(): string { return join(this.stateDir, 'nodename', 'ds.db'); }

  k8sArgs(ns: string, pod: string): string {
    return `IgnoreUnknown=1;K8S_POD_NAMESPACE=${ns};K8S_POD_NAME=${pod};K8S_POD_INFRA_CONTAINER_ID=x`;
  }

  sh(ns: string, cmd: string[]): string { return this.fx.exec(ns, cmd); }

  cleanup(): void {
    this.fx.cleanupSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Nothing of any attachment is left: no cali link or pod route in the host, no eth0 in the pods, no endpoint, handle or allocation. */
export async function assertClean(n: CniNode, podNamespaces: string[], context: string): Promise<void> {
  assert.doesNotMatch(n.sh(n.host, ['ip', '-o', 'link']), /cali/, `${context}: a cali link is left in the host`);
  assert.doesNotMatch(n.sh(n.host, ['ip', 'route']), /cali|10\.244\./, `${context}: a pod route is left in the host`);
  for (const ns of podNamespaces) assert.doesNotMatch(n.sh(ns, ['ip', '-o', 'link']), /eth0/, `${context}: eth0 is left in ${ns}`);
  const ds = await n.openDs();
  try {
    assert.deepEqual((await ds.list('WorkloadEndpoint')).items.map((w) => w.metadata.name), [], `${context}: endpoints left`);
    assert.deepEqual((await ds.list('IPAMHandle')).items.map((h) => h.metadata.name), [], `${context}: IPAM handles left`);
    for (const b of (await ds.list('IPAMBlock')).items) {
      const used = (b.spec.allocations as Array<number | null>).filter((x) => x !== null).length;
      assert.equal(used, 0, `${context}: block ${b.spec.cidr} still has ${used} allocated addresses`);
    }
  } finally { await ds.close(); }
}

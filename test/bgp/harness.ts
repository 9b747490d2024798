// Helpers for tests and benchmarks that run our speaker as a process inside a test namespace next to the
// real daemons (BIRD 2, FRR, GoBGP), each in its own namespace made by NetnsFixture.
import { existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { NetnsFixture } from '../helpers/netns.ts';
import { fetchBgpStatus } from '../../src/ctl/node-status.ts';
import type { SpeakerConfig, SpeakerPeerConfig, LearnedRoute } from '../../src/bgp/speaker.ts';
import type { BgpStatus } from '../../src/bgp/status.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');

export function missing(...bins: string[]): string | false {
  for (const b of bins) if (!existsSync(b)) return `${b} is not installed`;
  return false;
}

export function tempDir(tag: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `tabby-bgp-${tag}-`));
  chmodSync(d, 0o777); // FRR drops to user frr and must write its sockets here
  return d;
}

export function removeDir(d: string): void { rmSync(d, { recursive: true, force: true }); }

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Our speaker as a process in a namespace (test/bgp/speaker-process.ts). */
export class OurSpeaker {
  proc!: ChildProcess;
  routes: LearnedRoute[] = [];
  routeCount = 0;
  readonly sock: string;
  readonly configFile: string;
  private stdoutBuf = '';

  constructor(private fx: NetnsFixture, readonly ns: string, private dir: string, readonly name: string, public cfg: SpeakerConfig, private extraArgs: string[] = []) {
    this.sock = path.join(dir, `${name}.sock`);
    this.configFile = path.join(dir, `${name}.json`);
  }

  async start(): Promise<void> {
    writeFileSync(this.configFile, JSON.stringify(this.cfg));
    this.routes = [];
    this.proc = this.fx.spawn(this.ns, [process.execPath, ...(this.extraArgs.includes('--expose-gc') ? ['--expose-gc'] : []), '--import', TSX, path.join(ROOT, 'test/bgp/speaker-process.ts'),
      '--config', this.configFile, '--status-socket', this.sock, '--log-file', path.join(this.dir, `${this.name}.log`), ...this.extraArgs.filter((a) => a !== '--expose-gc')],
      { env: { ...process.env, TABBY_LOG_LEVEL: process.env.BGP_TEST_LOG ?? 'info' } });
    this.proc.stdout!.on('data', (c: Buffer) => {
      this.stdoutBuf += c.toString();
      let i;
      while ((i = this.stdoutBuf.indexOf('\n')) >= 0) {
        const line = this.stdoutBuf.slice(0, i);
        this.stdoutBuf = this.stdoutBuf.slice(i + 1);
        try {
          const ev = JSON.parse(line);
          if (ev.event === 'routes') { this.routeCount = ev.count; if (ev.routes) this.routes = ev.routes; }
        } catch { /* not ours */ }
      }
    });
    this.proc.stderr!.on('data', () => undefined);
    await waitFor(`${this.name} status socket`, () => this.status().then(() => true), 20000);
  }

  status(timeoutMs = 2000): Promise<BgpStatus> { return fetchBgpStatus(`unix:${this.sock}`, timeoutMs); }

  async memory(): Promise<{ rss: number; heapUsed: number; locRib: number }> {
    const { default: http } = await import('node:http');
    return new Promise((resolve, reject) => {
      http.get({ socketPath: this.sock, path: '/bgp/memory' }, (res) => {
        let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(JSON.parse(b)));
      }).on('error', reject);
    });
  }

  async gc(): Promise<void> {
    const { default: http } = await import('node:http');
    await new Promise<void>((resolve) => { http.get({ socketPath: this.sock, path: '/bgp/gc' }, (res) => { res.resume(); res.on('end', () => resolve()); }).on('error', () => resolve()); });
  }

  has(prefix: string, nextHop?: string): boolean {
    return this.routes.some((r) => r.prefix === prefix && (!nextHop || r.nextHop === nextHop));
  }

  /** Rewrite the config file and SIGHUP: the daemon applies the difference. */
  reload(cfg: SpeakerConfig): void {
    this.cfg = cfg;
    writeFileSync(this.configFile, JSON.stringify(cfg));
    this.proc.kill('SIGHUP');
  }

  /** SIGTERM = graceful (no NOTIFICATION); SIGINT = Cease. */
  async stop(signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL' = 'SIGINT'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
}

export function peer(address: string, asNumber: number, over: Partial<SpeakerPeerConfig> = {}): SpeakerPeerConfig {
  return {
    name: `Global_${address.replace(/[.:]/g, '_')}`, address, port: 179, asNumber, type: 'global', passive: false, rrClient: false,
    keepOriginalNextHop: false, maxRestartTime: 120, ...over,
  };
}

/** Short timers everywhere in tests. */
export const FAST = { connectRetryTime: 1, errorWaitTime: 1, initialRouteDeferral: 1, holdTime: 9 };

export function addr(fx: NetnsFixture, ns: string, dev: string, cidr: string): void {
  fx.exec(ns, ['ip', 'addr', 'add', cidr, 'dev', dev]);
}

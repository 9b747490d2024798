// Shared by the lab's root tests: run `tabby`, find a lab's namespaces and state, and a NetnsFixture-backed
// lab whose leftovers are swept even when a test fails.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive } from '../../src/lab/state.ts';
import { fileURLToPath } from 'node:url';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TABBY = path.join(ROOT, 'bin', 'tabby');
export const LAB_ROOT = '/run/tabby-lab';
export const skip = netnsSkipReason();

export function tabby(args: string[], opts: { timeoutMs?: number; input?: string } = {}) {
  const r = spawnSync(TABBY, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 240_000, input: opts.input, env: { ...process.env, TABBY_LAB_AGENT_TIMEOUT_MS: '45000' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function mustTabby(args: string[], opts: { timeoutMs?: number; input?: string } = {}): string {
  const r = tabby(args, opts);
  assert.equal(r.status, 0, `tabby ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function labNamespaces(prefix: string): string[] {
  try {
    return fs.readdirSync('/run/netns').filter((n) => n.startsWith(`${prefix}-`)).sort();
  } catch {
    return [];
  }
}

/** Running: answers signal 0 and is not a zombie (exited, waiting for its parent or init to reap it). */
export function alive(pid: number): boolean {
  return pidAlive(pid);
}

/** The lab's state, with each node's agent PID as the lab's supervisor last recorded it (it restarts agents). */
export function readState(name: string): any {
  let state: any;
  try { state = JSON.parse(fs.readFileSync(path.join(LAB_ROOT, name, 'state.json'), 'utf8')); } catch { return undefined; }
  const sup = readSupervisorRecord(name);
  for (const n of state.nodes ?? []) n.pid = sup?.agents?.[n.name]?.pid || n.pid;
  return state;
}

/** supervisor.json of a lab (see src/lab/supervisor.ts), or undefined. */
export function readSupervisorRecord(name: string): any {
  try { return JSON.parse(fs.readFileSync(path.join(LAB_ROOT, name, 'supervisor.json'), 'utf8')); } catch { return undefined; }
}

export function inNs(ns: string, argv: string[]): { status: number | null; stdout: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** A fixture whose prefix names the lab; after the test, `lab down` plus a sweep of anything left. */
export function labFixture() {
  const fx = new NetnsFixture();
  const name = fx.prefix;
  const cleanup = () => {
    tabby(['lab', 'down', '--name', name]);
    for (const ns of labNamespaces(name)) fx.namespaces.push(ns);
    fx.cleanupSync();
    fs.rmSync(path.join(LAB_ROOT, name), { recursive: true, force: true });
  };
  return { fx, name, cleanup };
}

/**
 * A fresh lab (`lab up` with `upArgs`) running `replicas` pods of deployment `web`; its clean-up is added to
 * `cleanups` (run them after the suite). Returns the lab's name.
 */
export function labWithPods(cleanups: (() => void)[], upArgs: string[], replicas: number): string {
  const { name, cleanup } = labFixture();
  cleanups.push(cleanup);
  mustTabby(['lab', 'up', '--name', name, ...upArgs]);
  mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', String(replicas)]);
  return name;
}

/** The /26 IPAM block holding `ip` (the lab's pools use blockSize 26). */
export function block26(ip: string): string {
  const o = ip.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.${o[3]! & 0xc0}/26`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `s` as a literal inside a RegExp. */
export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

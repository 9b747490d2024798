// Running a helper program (nft, ip) in the agent's namespace, or in another one for in-process tests:
// the child is spawned while the thread sits in that namespace, so it runs there for its whole life.
import { spawn } from 'node:child_process';
import { withNetns } from '../../netlink/netns.ts';

export interface ExecResult { code: number; stdout: string; stderr: string }

export function execIn(netns: string | undefined, argv: string[], timeoutMs = 30_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const start = () => spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let child;
    try { child = netns ? withNetns(netns, start) : start(); } catch (e) { reject(e); return; }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Like execIn but throws with the command's stderr when it exits non-zero. */
export async function mustExecIn(netns: string | undefined, argv: string[], timeoutMs?: number): Promise<string> {
  const r = await execIn(netns, argv, timeoutMs);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

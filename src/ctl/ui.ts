// `tabby ui` (the web view for the cluster this command's datastore describes) and `tabby lab ui` (the same
// for a lab: the server runs on the lab's controlplane, where the datastore and the agents are reachable,
// listening on a unix socket; this process forwards loopback TCP to it). docs/web.md.
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { withDatastore } from './context.ts';
import { DEFAULT_TOKEN_FILE } from './trace.ts';
import { createLogger } from '../log.ts';
import { projectRoot } from '../project-root.ts';
import { readTraceToken } from '../agent/trace-server.ts';
import { WebServer } from '../web/server.ts';
import { mustState } from '../lab/lab.ts';
import { LAB_ROOT } from '../lab/state.ts';
import { nodeShellEnv, tabbyBin } from '../lab/env.ts';

export const DEFAULT_UI_LISTEN = '127.0.0.1:9800';

interface UiFlags { listen: string; tokenFile: string; tracePort: string }

function untilSignal(): Promise<void> {
  return new Promise((resolve) => { for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve()); });
}

export function registerUiCommand(program: Command): void {
  program.command('ui')
    .description('a local web page showing the cluster, a pod\'s policies, a packet\'s path and reachability (docs/web.md)')
    .option('--listen <address>', 'HOST:PORT, or unix:/path; another address than loopback lets others use the cluster\'s trace token', DEFAULT_UI_LISTEN)
    .option('--token-file <file>', 'the cluster trace token (env TABBY_TRACE_TOKEN_FILE): how the page asks each agent', process.env.TABBY_TRACE_TOKEN_FILE ?? DEFAULT_TOKEN_FILE)
    .option('--trace-port <n>', 'the nodes\' trace endpoint port (env TABBY_TRACE_PORT)', process.env.TABBY_TRACE_PORT ?? '9097')
    .action(async (f: UiFlags, cmd: Command) => {
      const tracePort = Number(f.tracePort);
      if (!Number.isInteger(tracePort) || tracePort < 1 || tracePort > 65535) throw new CliError(`--trace-port must be 1-65535, got "${f.tracePort}"`, EXIT_USAGE);
      const token = readTraceToken(f.tokenFile);
      await withDatastore(cmd, async ({ datastore }) => {
        const log = createLogger('ui');
        if (!token) log.warn({ file: f.tokenFile }, 'no trace token: agents and traces are not available');
        const server = new WebServer({
          ds: datastore, listen: f.listen, assetsDir: path.join(projectRoot(), 'dist', 'web'), token, tracePort, log,
        });
        let at: string;
        try { at = await server.start(); } catch (e) {
          throw new CliError(`tabby ui cannot listen on ${f.listen}: ${(e as Error).message}`, EXIT_FAILED);
        }
        process.stdout.write(at.startsWith('unix:') ? `tabby ui: listening on ${at}\n` : `tabby ui: open http://${at}/\n`);
        await untilSignal();
        await server.stop();
      });
    });
}

/** Forwards TCP connections on `listen` to the unix socket `to` (the lab's server, inside the controlplane). */
function forward(listen: string, to: string): Promise<net.Server> {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new CliError(`--listen must be HOST:PORT, got "${listen}"`, EXIT_USAGE);
  const srv = net.createServer((c) => {
    const u = net.connect(to);
    c.pipe(u).pipe(c);
    const end = () => { c.destroy(); u.destroy(); };
    c.on('error', end); u.on('error', end);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', (e) => reject(new CliError(`tabby lab ui cannot listen on ${listen}: ${e.message}`, EXIT_FAILED)));
    srv.listen(Number(m[2]), m[1]!.replace(/^\[(.*)\]$/, '$1'), () => resolve(srv));
  });
}

/** Waits for the server in the namespace to say it listens (or to fail). */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => { out += c; if (/listening on/.test(out)) resolve(); });
    child.stderr!.on('data', (c: Buffer) => { err += c; });
    child.once('exit', (code) => reject(new CliError(`tabby ui on the lab's controlplane exited (${code}): ${(err || out).trim().slice(-2000)}`, EXIT_FAILED)));
  });
}

export function registerLabUiCommand(lab: Command, nameOpt: (c: Command) => Command, labName: (o: { name?: string }) => string): void {
  nameOpt(lab.command('ui').description('tabby ui for the lab: its nodes, pods, sessions and traces in a browser'))
    .option('--listen <address>', 'HOST:PORT on this machine (loopback unless you mean it)', DEFAULT_UI_LISTEN)
    .action(async (f: { name?: string; listen: string }) => {
      const state = mustState(labName(f));
      const cp = state.nodes[0]!;
      const sock = path.join(LAB_ROOT, state.name, 'ui.sock');
      const env = Object.entries(nodeShellEnv(state, cp)).map(([k, v]) => `${k}=${v}`);
      const child = spawn('ip', ['netns', 'exec', cp.ns, 'env', ...env, tabbyBin(), 'ui', '--listen', `unix:${sock}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await started(child);
        const srv = await forward(f.listen, sock);
        process.stdout.write(`tabby lab ui (${state.name}): open http://${f.listen}/\n`);
        await Promise.race([untilSignal(), new Promise<void>((resolve) => child.once('exit', () => resolve()))]);
        srv.close();
      } finally {
        if (child.exitCode === null) child.kill('SIGTERM');
      }
    });
}

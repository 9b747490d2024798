// The Node entry's way to the agent's socket (agent-client.ts has the protocol): node:net and node:fs, which
// a Node process has loaded anyway. The agent's server reads file identities the same way.
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { askAgentWith, type AgentAnswer, type AgentDoor, type Exchange, type ServeRequest } from './agent-client.ts';

/** device:inode of a file (for a namespace file: the namespace's identity), null when it cannot be read. */
export function fileIdentity(path: string | undefined): string | null {
  if (!path) return null;
  try { const s = statSync(path); return `${s.dev}:${s.ino}`; } catch { return null; }
}

export const nodeExchange: Exchange = (path, request, maxBytes) => new Promise((resolve) => {
  let settled = false;
  const chunks: Buffer[] = [];
  let size = 0;
  const sock = connect({ path, allowHalfOpen: true });
  const done = (r: Awaited<ReturnType<Exchange>>) => { if (!settled) { settled = true; sock.destroy(); resolve(r); } };
  sock.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
  sock.end(request); // buffered until connected; then the write side is closed
  sock.on('data', (d: Buffer) => {
    size += d.length;
    if (size > maxBytes) return done({ oversized: true });
    chunks.push(d);
  });
  const onEnd = () => done({ reply: Buffer.concat(chunks) });
  sock.on('end', onEnd); // the agent's reply is complete
  sock.on('close', onEnd); // or the connection died without one
});

export const nodeDoor: AgentDoor = { exchange: nodeExchange, identity: fileIdentity };

/** askAgentWith over node:net. */
export function askAgent(socketPath: string, req: ServeRequest): Promise<AgentAnswer> {
  return askAgentWith(nodeExchange, socketPath, req);
}

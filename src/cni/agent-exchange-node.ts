// The Node entry's way to the agent's socket (agent-client.ts has the protocol): node:net, which a Node
// process has loaded anyway.
import { connect } from 'node:net';
import { askAgentWith, type AgentAnswer, type Exchange, type ServeRequest } from './agent-client.ts';

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

/** askAgentWith over node:net. */
export function askAgent(socketPath: string, req: ServeRequest): Promise<AgentAnswer> {
  return askAgentWith(nodeExchange, socketPath, req);
}
